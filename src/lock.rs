//! `shipit.lock`: every image reference a render uses, pinned to the digest
//! it pointed at when `shipit lock` ran. Reading a lock and applying it to a
//! plan is pure (render and check do it, offline); `shipit lock`
//! (`commands::lock`) is the one path that asks registries.
//!
//! A lock pins the resolved plan's image fields (`build.image`,
//! `runtime.base`, `build.helpers`, the `[[build.assets]]` stages' images),
//! so a template keeps writing `FROM {{ build.image }}` and gets
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

/// The lock beside a manifest: `shipit.toml` → `shipit.lock`; never the
/// manifest's own name (`svc.lock` → `svc.lock.lock`).
pub fn lock_path(manifest: &Path) -> PathBuf {
    if manifest.extension().is_some_and(|e| e == "lock") {
        let mut name = manifest.as_os_str().to_os_string();
        name.push(".lock");
        return PathBuf::from(name);
    }
    manifest.with_extension("lock")
}

/// Why `shipit lock` must not replace the file at `lock` (the lock of
/// `manifest`), with what to do instead; `None` when there is no file
/// there or it is a regular file holding a shipit lock (it starts with
/// the lock's header, or is TOML with an integer `version` at the top),
/// however stale or broken.
pub fn not_replaceable(lock: &Path, manifest: &Path) -> Option<String> {
    let name = lock.display();
    let metadata = std::fs::symlink_metadata(lock).ok()?;
    let same = |a: &Path, b: &Path| {
        a.canonicalize()
            .ok()
            .is_some_and(|a| b.canonicalize().ok() == Some(a))
    };
    if same(lock, manifest) {
        return Some(format!(
            "`{name}` is the manifest `{}` itself; remove `{name}` (a link, or give the manifest another name such as `shipit.toml`) and run `shipit lock` again",
            manifest.display()
        ));
    }
    if metadata.file_type().is_symlink() {
        return Some(format!(
            "`{name}` is a symbolic link, and `shipit lock` writes its lock only as a regular file; remove the link (or replace it with a copy of the lock) and run `shipit lock` again"
        ));
    }
    if !metadata.is_file() {
        return Some(format!(
            "`{name}` is not a regular file; remove it and run `shipit lock` again"
        ));
    }
    let is_lock = std::fs::File::open(lock).ok().and_then(|file| {
        use std::io::Read as _;
        let mut bytes = Vec::new();
        file.take(crate::input::MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        // Any lock, however broken, has a top-level integer `version`.
        let versioned = toml::from_str::<toml::Table>(&text)
            .is_ok_and(|table| table.get("version").is_some_and(toml::Value::is_integer));
        Some(text.starts_with(HEADER) || versioned)
    });
    match is_lock {
        Some(true) => None,
        _ => Some(format!(
            "`{name}` is not a shipit lock (it does not start with the lock's header `{}`), and `shipit lock` does not replace other files; move it away and run `shipit lock` again",
            HEADER.lines().next().unwrap_or_default()
        )),
    }
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

/// What to do about a bad lock (unless `lock` would not replace it).
const UPDATE: &str = "run `shipit lock --update` to write it again";

/// The manifest kinds a pin may be: an OCI index, a Docker manifest list,
/// an OCI or a Docker v2 image manifest.
pub const MEDIA_TYPES: [&str; 4] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// The most platforms a pin lists.
pub const MAX_PLATFORMS: usize = 64;

/// A key a lock may hold: an image reference as a render writes it, never
/// with a digest (`@`), not empty, no space around it.
pub fn valid_reference(reference: &str) -> bool {
    !reference.is_empty() && !reference.contains('@') && reference.trim() == reference
}

/// `os/arch[/variant]`, each part 1 to 32 of `[a-z0-9._-]`.
fn valid_platform(platform: &str) -> bool {
    let parts: Vec<&str> = platform.split('/').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|part| {
            (1..=32).contains(&part.len())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        })
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
        Lock::read_or(path, None)
    }

    /// The lock of `manifest`, for `render` and `check`. An error names
    /// `shipit lock --update` only when that would replace the file.
    pub fn read_beside(manifest: &Path) -> Result<Option<Lock>> {
        let path = lock_path(manifest);
        let refused = not_replaceable(&path, manifest);
        if let Some(why) = refused
            .as_ref()
            .filter(|_| path.canonicalize().ok() == manifest.canonicalize().ok())
        {
            anyhow::bail!("cannot read the lock: {why}");
        }
        Lock::read_or(&path, refused.as_deref())
    }

    /// [`Lock::read`], with `instead` in place of the `--update` hint.
    fn read_or(path: &Path, instead: Option<&str>) -> Result<Option<Lock>> {
        // As every input: a regular file, not a link out of its directory.
        let Some(bytes) = crate::input::read_file(path, &crate::manifest::load::context_dir(path))?
        else {
            return Ok(None);
        };
        let text = String::from_utf8(bytes)
            .with_context(|| format!("cannot read `{}`: it is not UTF-8", path.display()))?;
        Lock::parse_or(
            &text,
            &path.display().to_string(),
            instead.unwrap_or(UPDATE),
        )
        .map(Some)
    }

    pub fn parse(text: &str, name: &str) -> Result<Lock> {
        Lock::parse_or(text, name, UPDATE)
    }

    /// [`Lock::parse`], with `hint` saying what to do about a bad lock.
    fn parse_or(text: &str, name: &str, hint: &str) -> Result<Lock> {
        let file: LockFile = toml::from_str(text).map_err(|error| {
            let at = error.span().map_or(String::new(), |span| {
                let (line, column) = crate::diagnostic::line_col(text, span.start);
                format!(" (at {name}:{line}:{column})")
            });
            anyhow::anyhow!(
                "`{name}` is not a shipit lock: {}{at}; {hint}",
                crate::text::shown_value(error.message().trim_end())
            )
        })?;
        if file.version != VERSION {
            anyhow::bail!(
                "`{name}` has lock format version {}, this shipit reads version {VERSION}; upgrade shipit or {hint}",
                file.version
            );
        }
        let lock = Lock {
            images: file.images,
        };
        lock.check_pins()
            .map_err(|why| anyhow::anyhow!("`{name}`: {why}; {hint}"))?;
        Ok(lock)
    }

    /// Whether the reader accepts this lock, checked before `shipit lock`
    /// writes it: every pin as [`Lock::parse`] wants it, and the file
    /// within the size every input is read up to.
    pub fn validate(&self) -> Result<(), String> {
        self.check_pins()?;
        let size = self.to_toml().len() as u64;
        if size > crate::input::MAX_BYTES {
            return Err(format!(
                "the lock would be {size} bytes, and a lock is read up to {} bytes; lock fewer images per manifest",
                crate::input::MAX_BYTES
            ));
        }
        Ok(())
    }

    /// What is wrong with the first pin that is not as a lock holds it.
    fn check_pins(&self) -> Result<(), String> {
        for (reference, pin) in &self.images {
            let shown = crate::text::shown_value(reference);
            if !valid_digest(&pin.digest) {
                return Err(format!(
                    "the digest of `{shown}` is `{}`, not `sha256:` and 64 hex digits",
                    crate::text::shown_value(&pin.digest)
                ));
            }
            if !valid_reference(reference) {
                return Err(format!(
                    "`{shown}` is not an image reference shipit writes (one without `@`, spaces around it or emptiness)"
                ));
            }
            if !MEDIA_TYPES.contains(&pin.media_type.as_str()) {
                return Err(format!(
                    "the media type of `{shown}` is `{}`, not one of {}",
                    crate::text::shown_value(&pin.media_type),
                    MEDIA_TYPES.map(|m| format!("`{m}`")).join(", ")
                ));
            }
            if pin.platforms.len() > MAX_PLATFORMS {
                return Err(format!(
                    "`{shown}` lists {} platforms, at most {MAX_PLATFORMS} are accepted",
                    pin.platforms.len()
                ));
            }
            if let Some(bad) = pin.platforms.iter().find(|p| !valid_platform(p)) {
                return Err(format!(
                    "`{shown}` lists the platform `{}`, not `os/arch[/variant]` of `[a-z0-9._-]` (1 to 32 characters a part)",
                    crate::text::shown_value(bad)
                ));
            }
        }
        Ok(())
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

    /// Pins the plan's images: the builder, the runtime base, the helper
    /// and the asset stages' images. Nothing else: a settings string that
    /// happens to equal a lock key (`"."`) is not an image.
    pub fn apply(&self, plan: &mut Plan) {
        let fixed = [&mut plan.build.image, &mut plan.runtime.base].into_iter();
        let assets = plan.assets.iter_mut().map(|asset| &mut asset.image);
        for image in fixed.chain(plan.build.helpers.values_mut()).chain(assets) {
            if let Some(pinned) = self.pinned(image) {
                *image = pinned;
            }
        }
    }

    /// The lock's keys that no image of `dockerfile` (rendered with the
    /// lock) is written as, pinned or not.
    pub fn unused(&self, dockerfile: &str) -> Vec<&str> {
        let used: HashSet<String> = image_uses(dockerfile)
            .into_iter()
            .map(|u| without_digest(&u.reference).to_string())
            .collect();
        self.images
            .keys()
            .filter(|key| !used.contains(key.as_str()))
            .map(String::as_str)
            .collect()
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

/// Whether a reference carries its digest: `@ALGORITHM:ENCODED` as the
/// OCI image spec writes a digest (`sha256:` and 64 hex digits, `sha512:`
/// and 128, or another algorithm), not only `@sha256:`.
pub fn is_pinned(reference: &str) -> bool {
    reference
        .rsplit_once('@')
        .is_some_and(|(name, digest)| !name.is_empty() && oci_digest(digest))
}

/// `reference` without its digest when it is pinned.
fn without_digest(reference: &str) -> &str {
    match reference.rsplit_once('@') {
        Some((name, _)) if is_pinned(reference) => name,
        _ => reference,
    }
}

/// The OCI digest grammar (`[a-z0-9]+` parts joined by `+._-`, `:`,
/// `[a-zA-Z0-9=_-]+`), with sha256 and sha512 as lowercase hex.
fn oci_digest(digest: &str) -> bool {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return false;
    };
    let parts_ok = algorithm.split(['+', '.', '_', '-']).all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    let encoded_ok = !encoded.is_empty()
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b));
    let hex = |len: usize| {
        encoded.len() == len
            && encoded
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    parts_ok
        && encoded_ok
        && match algorithm {
            "sha256" => hex(64),
            "sha512" => hex(128),
            _ => true,
        }
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
    let manifest = crate::text::shell_word(&manifest.display().to_string()).into_owned();
    format!(
        "`{}` does not pin {list}; run `shipit lock -m {manifest}`",
        lock.display()
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
