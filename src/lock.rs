//! `shipit.lock`: every image reference a render uses, pinned to the digest
//! it pointed at when `shipit lock` ran. Reading a lock and applying it to a
//! plan is pure (render and check do it, offline); `shipit lock`
//! (`commands::lock`) is the one path that asks registries.
//!
//! A lock pins the resolved plan's image fields — `build.image`,
//! `runtime.base` and any helper image in the language's settings — so a
//! template keeps writing `FROM {{ build.image }}` and gets
//! `golang:1.25@sha256:…`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::plan::Plan;

/// The lock's format version; a newer one is refused rather than misread.
const VERSION: u32 = 1;

const HEADER: &str = "\
# shipit.lock: the digest of every image the Dockerfile is built from,
# written by `shipit lock` (`--update` moves the pins). Commit it.
";

/// The lock beside a manifest: `shipit.toml` → `shipit.lock`.
pub fn lock_path(manifest: &Path) -> PathBuf {
    manifest.with_extension("lock")
}

/// A parsed lock: image references as the render writes them → their pins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    pub images: BTreeMap<String, Pin>,
}

/// One pinned reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Pin {
    /// The fully qualified name (`docker.io/library/golang:1.25`).
    pub name: String,
    /// `sha256:…` of the manifest — for a multi-platform image, the index.
    pub digest: String,
    pub media_type: String,
    /// The platforms an index offers; empty for a single-platform image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    version: u32,
    #[serde(default)]
    images: BTreeMap<String, Pin>,
}

/// Whether `text` is `sha256:` and 64 lowercase hex digits: the only
/// digest a lock may hold, as it lands in `FROM` lines.
fn valid_digest(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl Lock {
    /// Reads the lock at `path`; `None` when there is none.
    pub fn read(path: &Path) -> Result<Option<Lock>> {
        // As every input: a regular file, not a link out of its directory.
        let Some(bytes) = crate::input::read_file(path, &crate::manifest::load::context_dir(path))?
        else {
            return Ok(None);
        };
        let text = String::from_utf8(bytes)
            .with_context(|| format!("cannot read `{}`: it is not UTF-8", path.display()))?;
        Lock::parse(&text, &path.display().to_string()).map(Some)
    }

    pub fn parse(text: &str, name: &str) -> Result<Lock> {
        let file: LockFile = toml::from_str(text).map_err(|error| {
            let at = error.span().map_or(String::new(), |span| {
                let (line, column) = crate::diagnostic::line_col(text, span.start);
                format!(" (at {name}:{line}:{column})")
            });
            anyhow::anyhow!(
                "`{name}` is not a shipit lock: {}{at}; run `shipit lock --update` to write it again",
                error.message().trim_end()
            )
        })?;
        if file.version != VERSION {
            anyhow::bail!(
                "`{name}` has lock format version {}, this shipit reads version {VERSION}; upgrade shipit or run `shipit lock --update`",
                file.version
            );
        }
        for (reference, pin) in &file.images {
            if !valid_digest(&pin.digest) {
                anyhow::bail!(
                    "`{name}`: the digest of `{reference}` is `{}`, not `sha256:` and 64 hex digits; run `shipit lock --update`",
                    pin.digest
                );
            }
            if reference.contains('@') || reference.trim() != reference || reference.is_empty() {
                anyhow::bail!(
                    "`{name}`: `{reference}` is not an image reference shipit writes; run `shipit lock --update`"
                );
            }
        }
        Ok(Lock {
            images: file.images,
        })
    }

    /// The lock as its file: sorted by reference, the same bytes for the
    /// same pins.
    pub fn to_toml(&self) -> String {
        let file = LockFile {
            version: VERSION,
            images: self.images.clone(),
        };
        let body = toml::to_string(&file).expect("a lock serialises");
        format!("{HEADER}{body}")
    }

    /// `reference@digest` when the lock pins `reference`.
    pub fn pinned(&self, reference: &str) -> Option<String> {
        self.images
            .get(reference)
            .map(|pin| format!("{reference}@{}", pin.digest))
    }

    /// Pins the plan's images: the builder, the runtime base, and every
    /// string in the language's settings that is a locked reference (a
    /// helper image such as uv's).
    pub fn apply(&self, plan: &mut Plan) {
        let helpers = plan.build.helpers.values_mut();
        for image in [&mut plan.build.image, &mut plan.runtime.base]
            .into_iter()
            .chain(helpers)
        {
            if let Some(pinned) = self.pinned(image) {
                *image = pinned;
            }
        }
        self.apply_value(&mut plan.settings);
    }

    fn apply_value(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => {
                if let Some(pinned) = self.pinned(text) {
                    *text = pinned;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.apply_value(v)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.apply_value(v)),
            _ => {}
        }
    }
}

/// An image a Dockerfile pulls, and the line (1-based) it is named on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUse {
    pub reference: String,
    pub line: usize,
}

/// Every image a Dockerfile pulls: `FROM` bases, `COPY --from=` and
/// `RUN --mount=from=` images — not its own stages, not `scratch`, and not
/// references built from `ARG`s, which only the build can resolve. In
/// order, each once.
pub fn image_uses(dockerfile: &str) -> Vec<ImageUse> {
    let mut stages: HashSet<String> = HashSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut uses = Vec::new();
    for (line, instruction) in instructions(dockerfile) {
        let words: Vec<&str> = instruction.split_whitespace().collect();
        let Some(keyword) = words.first() else {
            continue;
        };
        let mut images: Vec<&str> = Vec::new();
        match keyword.to_ascii_uppercase().as_str() {
            "FROM" => {
                let mut rest = words[1..].iter().skip_while(|w| w.starts_with("--"));
                if let Some(image) = rest.next() {
                    images.push(image);
                }
                if let (Some(as_), Some(name)) = (rest.next(), rest.next())
                    && as_.eq_ignore_ascii_case("as")
                {
                    // The stage name is known only after its own FROM.
                    let image = images.pop();
                    if let Some(image) = image
                        && is_image(image, &stages)
                    {
                        push(&mut uses, &mut seen, image, line);
                    }
                    stages.insert(name.to_ascii_lowercase());
                    continue;
                }
            }
            "COPY" | "ADD" => {
                images.extend(words[1..].iter().filter_map(|w| w.strip_prefix("--from=")))
            }
            "RUN" => {
                for mount in words[1..].iter().filter_map(|w| w.strip_prefix("--mount=")) {
                    images.extend(mount.split(',').filter_map(|kv| kv.strip_prefix("from=")));
                }
            }
            _ => {}
        }
        for image in images {
            if is_image(image, &stages) {
                push(&mut uses, &mut seen, image, line);
            }
        }
    }
    uses
}

fn push(uses: &mut Vec<ImageUse>, seen: &mut HashSet<String>, image: &str, line: usize) {
    let image = image.trim_matches('"');
    if seen.insert(image.to_string()) {
        uses.push(ImageUse {
            reference: image.to_string(),
            line,
        });
    }
}

fn is_image(word: &str, stages: &HashSet<String>) -> bool {
    let word = word.trim_matches('"');
    !word.is_empty()
        && word != "scratch"
        && !word.contains('$')
        && !word.bytes().all(|b| b.is_ascii_digit())
        && !stages.contains(&word.to_ascii_lowercase())
}

/// The instructions of a Dockerfile with their first line: continuation
/// lines joined, comments and blank lines dropped.
fn instructions(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_none()) {
            continue;
        }
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (trimmed, false),
        };
        let entry = current.get_or_insert_with(|| (index + 1, String::new()));
        entry.1.push_str(body);
        entry.1.push(' ');
        if !continues && let Some(done) = current.take() {
            out.push(done);
        }
    }
    out.extend(current);
    out
}

/// Whether a reference carries its digest.
pub fn is_pinned(reference: &str) -> bool {
    reference.contains("@sha256:")
}

/// The images of a rendered Dockerfile that no digest pins.
pub fn unpinned(dockerfile: &str) -> Vec<ImageUse> {
    image_uses(dockerfile)
        .into_iter()
        .filter(|u| !is_pinned(&u.reference))
        .collect()
}

/// What the OCI base-image labels say about a pinned runtime base: its
/// fully qualified name without the digest, and the digest. `None` for
/// `scratch` or a base no digest pins.
pub fn base_image(base: &str) -> Option<(String, String)> {
    let (_, digest) = base.split_once('@')?;
    if !valid_digest(digest) {
        return None;
    }
    let reference: oci_client::Reference = base.parse().ok()?;
    let mut name = format!("{}/{}", reference.registry(), reference.repository());
    if let Some(tag) = reference.tag() {
        name.push(':');
        name.push_str(tag);
    }
    Some((name, digest.to_string()))
}

/// The fully qualified name of a reference: the key `lock --all` looks
/// each image up by, once.
pub(crate) fn qualified(reference: &str) -> String {
    reference
        .parse::<oci_client::Reference>()
        .map(|r| r.whole())
        .unwrap_or_else(|_| reference.to_string())
}

/// What `check` and `render` say about images a lock does not pin.
pub fn unpinned_message(unpinned: &[ImageUse], lock: &Path, manifest: &Path) -> String {
    let list = unpinned
        .iter()
        .map(|u| format!("`{}`", u.reference))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "`{}` does not pin {list}; run `shipit lock -m {}`",
        lock.display(),
        manifest.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn image_uses_skips_stages_scratch_and_args() {
        let text = "# syntax=docker/dockerfile:1\n\
            FROM --platform=$BUILDPLATFORM golang:1.25 AS build\n\
            RUN --mount=type=cache,target=/x \\\n    --mount=type=bind,from=ghcr.io/astral-sh/uv:0.8,source=/uv,target=/uv \\\n    true\n\
            FROM build AS test\n\
            FROM ${BASE}\n\
            FROM scratch\n\
            COPY --from=build /a /a\n\
            COPY --from=0 /b /b\n\
            COPY --from=alpine:3.22 /etc/ssl /etc/ssl\n";
        let uses: Vec<(String, usize)> = image_uses(text)
            .into_iter()
            .map(|u| (u.reference, u.line))
            .collect();
        assert_eq!(
            uses,
            [
                ("golang:1.25".to_string(), 2),
                ("ghcr.io/astral-sh/uv:0.8".to_string(), 3),
                ("alpine:3.22".to_string(), 11),
            ]
        );
    }

    #[test]
    fn lock_round_trips_sorted_and_refuses_bad_digests() {
        let mut lock = Lock::default();
        for name in ["node:22-alpine", "alpine:3.22"] {
            lock.images.insert(
                name.into(),
                Pin {
                    name: qualified(name),
                    digest: DIGEST.into(),
                    media_type: "application/vnd.oci.image.index.v1+json".into(),
                    platforms: vec!["linux/amd64".into()],
                },
            );
        }
        let text = lock.to_toml();
        assert!(text.find("alpine:3.22").unwrap() < text.find("node:22-alpine").unwrap());
        assert_eq!(Lock::parse(&text, "shipit.lock").unwrap(), lock);
        let bad = text.replacen(DIGEST, "sha256:abc\nRUN evil", 1);
        assert!(Lock::parse(&bad, "shipit.lock").is_err());
        let future = text.replace("version = 1", "version = 2");
        assert!(
            Lock::parse(&future, "shipit.lock")
                .unwrap_err()
                .to_string()
                .contains("version 2")
        );
    }

    #[test]
    fn base_image_is_qualified_without_the_digest() {
        assert_eq!(
            base_image(&format!("alpine:3.22@{DIGEST}")),
            Some(("docker.io/library/alpine:3.22".into(), DIGEST.into()))
        );
        assert_eq!(
            base_image(&format!("127.0.0.1:5000/x/y:1@{DIGEST}")).map(|b| b.0),
            Some("127.0.0.1:5000/x/y:1".into())
        );
        assert_eq!(base_image("alpine:3.22"), None);
        assert_eq!(base_image("scratch"), None);
    }
}
