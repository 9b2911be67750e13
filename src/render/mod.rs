//! Plan → Dockerfile text. The language's template renders from the plan;
//! the output carries a digest of itself so `check` can tell a hand edit
//! from a changed manifest.

pub mod outputs;

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Result;
use minijinja::Value;
use minijinja::value::Serde;
use sha2::{Digest, Sha256};

use crate::lock::Lock;
use crate::plan::Plan;
use crate::templates::{Loaded, Origin, Templates};

/// What the digest is hashed as: the header's digest reads this while the
/// digest is computed (and when `check` recomputes it).
const DIGEST_PLACEHOLDER: &str = "<digest>";
/// What the template sees as `digest` while rendering: a control
/// character, which no manifest value and no filtered value can contain,
/// so only the template's own `{{ digest }}` is replaced afterwards — never
/// a value that happens to read `<digest>`.
const DIGEST_SENTINEL: &str = "\u{1}digest\u{1}";
/// Hex digits of the digest kept in the header.
const DIGEST_LEN: usize = 16;

/// A rendered Dockerfile.
#[derive(Debug)]
pub struct Rendered {
    pub text: String,
}

/// Renders a plan with its language's template. `manifest_name` is what
/// the header says the file was generated from.
pub fn render(plan: &Plan, manifest_name: &str, templates: &Templates) -> Result<Rendered> {
    render_locked(plan, None, manifest_name, templates)
}

/// [`render`] with the manifest's lock: the plan's images are already
/// pinned ([`Lock::apply`]); the lock also backs the templates' `pin()`
/// function, for an image a template writes literally.
pub fn render_locked(
    plan: &Plan,
    lock: Option<&Lock>,
    manifest_name: &str,
    templates: &Templates,
) -> Result<Rendered> {
    let name = format!("{}.Dockerfile.j2", plan.language.key());
    render_template(
        plan,
        lock,
        manifest_name,
        "Dockerfile",
        templates,
        &name,
        None,
    )
}

/// The build context root's own `.dockerignore`, which BuildKit does not
/// read when a workspace member's `<Dockerfile>.dockerignore` is there:
/// the member's file carries its patterns over.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ContextIgnore {
    /// The file, relative to the manifest's directory.
    pub file: String,
    /// Its patterns, comments and blank lines left out.
    pub patterns: Vec<String>,
}

/// Renders the ignore file that goes beside the Dockerfile, which is named
/// `dockerfile_name` (it keeps that file out of the build context), with
/// the context root's patterns for a workspace member.
pub fn render_dockerignore(
    plan: &Plan,
    manifest_name: &str,
    dockerfile_name: &str,
    context_ignore: Option<&ContextIgnore>,
    templates: &Templates,
) -> Result<Rendered> {
    check_file_name("Dockerfile's", dockerfile_name)?;
    let extra = ("context_ignore", Value::from(Serde(context_ignore)));
    render_template(
        plan,
        None,
        manifest_name,
        dockerfile_name,
        templates,
        crate::templates::DOCKERIGNORE,
        Some(extra),
    )
}

fn render_template(
    plan: &Plan,
    lock: Option<&Lock>,
    manifest_name: &str,
    dockerfile_name: &str,
    templates: &Templates,
    name: &str,
    more: Option<(&str, Value)>,
) -> Result<Rendered> {
    let env = templates.environment();
    let fail = |error| template_error(error, templates);
    let template = env.get_template(name).map_err(fail)?;

    check_file_name("manifest's", manifest_name)?;
    let mut extra: BTreeMap<String, Value> = BTreeMap::new();
    extra.insert(
        plan.language.key().to_string(),
        Value::from(Serde(&plan.settings)),
    );
    // The OCI base-image labels: what a pinned runtime base is, by name
    // and digest (none for `scratch` or an unpinned base).
    let base_image = crate::lock::base_image(&plan.runtime.base)
        .map(|(name, digest)| BTreeMap::from([("name", name), ("digest", digest)]));
    extra.insert("base_image".into(), Value::from(Serde(&base_image)));
    // `pin("registry.example.com/tools:1")`: the reference with its digest
    // when the lock pins it, as written otherwise.
    let pins: Arc<Lock> = Arc::new(lock.cloned().unwrap_or_default());
    extra.insert(
        "pin".into(),
        Value::from_function(move |reference: String| pins.pinned(&reference).unwrap_or(reference)),
    );
    extra.insert("manifest".into(), Value::from(manifest_name));
    // The lock beside the manifest: pinned references are in the
    // Dockerfile already, the file itself never needs to reach a build.
    let lock_name = crate::lock::lock_path(std::path::Path::new(manifest_name));
    extra.insert(
        "lock".into(),
        Value::from(lock_name.to_string_lossy().into_owned()),
    );
    extra.insert("dockerfile".into(), Value::from(dockerfile_name));
    extra.insert("digest".into(), Value::from(DIGEST_SENTINEL));
    if let Some((key, value)) = more {
        extra.insert(key.into(), value);
    }
    // The plan's fields at the top level, straight from serde (no JSON
    // in between); the names above take precedence.
    let context = minijinja::context! { ..Value::from(extra), ..Value::from(Serde(plan)) };

    let text = template.render(&context).map_err(fail)?;
    let text = normalise(&text);
    let digest = digest_of(&text.replace(DIGEST_SENTINEL, DIGEST_PLACEHOLDER));
    let text = text.replace(DIGEST_SENTINEL, &digest);
    Ok(Rendered { text })
}

/// The manifest's file name lands in the Dockerfile's header comment and,
/// as a pattern, in `.dockerignore`, as does the Dockerfile's: only names
/// that are plain there.
fn check_file_name(whose: &str, name: &str) -> Result<()> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
        && !name.starts_with('-');
    if !plain {
        let (into, example) = match whose {
            "manifest's" => ("the Dockerfile header or `.dockerignore`", "shipit.toml"),
            _ => (
                "`.dockerignore` (or pass `--no-dockerignore`)",
                "Dockerfile",
            ),
        };
        anyhow::bail!(
            "the {whose} file name `{}` cannot be written into {into}; rename it with letters, digits, `.`, `_`, `+` and `-` (e.g. `{example}`)",
            name.escape_debug()
        );
    }
    Ok(())
}

/// Template errors name the template file (its path, for an
/// organisation template) and line, and show the source around it.
fn template_error(error: minijinja::Error, templates: &Templates) -> anyhow::Error {
    let file = error.name().map(|name| match templates.find(name) {
        Ok(Some(Loaded {
            origin: Origin::Dir(dir),
            ..
        })) => dir.join(name).display().to_string(),
        _ => format!("{name} (built-in)"),
    });
    let what = match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    };
    let mut message = match (file, error.line()) {
        (Some(file), Some(line)) => format!("template error in `{file}` line {line}: {what}"),
        (Some(file), None) => format!("template error in `{file}`: {what}"),
        _ => format!("template error: {what}"),
    };
    let detail = error.display_debug_info().to_string();
    if !detail.trim().is_empty() {
        message.push('\n');
        message.push_str(detail.trim_end());
    }
    // An include cycle nests the same error dozens of times: one line per
    // distinct cause, with a count.
    let mut causes: Vec<(String, usize)> = Vec::new();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let text = cause.to_string();
        match causes.last_mut() {
            Some((last, count)) if *last == text => *count += 1,
            _ => causes.push((text, 1)),
        }
        source = cause.source();
    }
    for (cause, count) in &causes {
        message.push_str(&format!("\ncaused by: {cause}"));
        if *count > 1 {
            message.push_str(&format!(" ({count} times)"));
        }
    }
    if causes
        .last()
        .is_some_and(|(cause, _)| cause.contains("recursion limit exceeded"))
    {
        message.push_str(
            "\nhelp: a template includes, imports or extends itself, directly or through another",
        );
    }
    anyhow::anyhow!(message)
}

/// At most one blank line in a row, none at the start, exactly one newline
/// at the end: templates stay readable without whitespace gymnastics.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = true;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The digest of a text whose digest occurrences read [`DIGEST_PLACEHOLDER`].
fn digest_of(text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    hash.iter()
        .take(DIGEST_LEN / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a Dockerfile still has the content its header digest was made
/// from. `None` when it carries no digest.
pub fn digest_matches(text: &str) -> Option<bool> {
    let digest = find_digest(text)?;
    let original = text.replace(digest, DIGEST_PLACEHOLDER);
    Some(digest_of(&original) == digest)
}

/// The digest in the header: `digest ` followed by 16 hex digits, within
/// the first lines.
fn find_digest(text: &str) -> Option<&str> {
    let head_end = text
        .match_indices('\n')
        .nth(9)
        .map_or(text.len(), |(index, _)| index);
    let head = &text[..head_end];
    head.match_indices("digest ").find_map(|(index, marker)| {
        let start = index + marker.len();
        let candidate = head.get(start..start + DIGEST_LEN)?;
        candidate
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .then_some(candidate)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_collapses_blank_lines() {
        assert_eq!(normalise("\n\nA\n\n\n\nB  \n\n"), "A\n\nB\n");
    }

    #[test]
    fn a_value_reading_digest_placeholder_is_left_alone() {
        let text = format!("# x (digest {DIGEST_SENTINEL})\nLABEL a=\"{DIGEST_PLACEHOLDER}\"\n");
        let digest = digest_of(&text.replace(DIGEST_SENTINEL, DIGEST_PLACEHOLDER));
        let text = text.replace(DIGEST_SENTINEL, &digest);
        assert!(text.contains("LABEL a=\"<digest>\""), "{text}");
        assert_eq!(digest_matches(&text), Some(true));
    }

    #[test]
    fn manifest_names_must_be_plain() {
        assert!(check_file_name("manifest's", "shipit.toml").is_ok());
        assert!(check_file_name("manifest's", "app-1.shipit.toml").is_ok());
        for bad in [
            "x\nUSER root\n#.toml",
            "*.toml",
            "!x",
            "#x",
            "a b",
            "-x",
            "[a].toml",
            "é.toml",
        ] {
            assert!(check_file_name("manifest's", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn digest_detects_edits() {
        let body = format!("# x (digest {DIGEST_PLACEHOLDER})\nFROM a\n");
        let text = body.replace(DIGEST_PLACEHOLDER, &digest_of(&body));
        assert_eq!(digest_matches(&text), Some(true));
        assert_eq!(
            digest_matches(&text.replace("FROM a", "FROM b")),
            Some(false)
        );
        assert_eq!(digest_matches("FROM a\n"), None);
    }
}
