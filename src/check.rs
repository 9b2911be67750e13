//! Drift: compare the Dockerfile on disk with what the manifest renders
//! now, say why they differ, and show a unified diff.

use similar::TextDiff;

use crate::render;

/// Why a Dockerfile on disk differs from the fresh render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The file is as shipit last wrote it: the manifest or the templates
    /// changed since.
    InputsChanged,
    /// The file's content no longer matches its own digest.
    EditedByHand,
    /// The file has no shipit digest (never generated, or header removed).
    NoDigest,
    /// There is no file.
    Missing,
}

impl Reason {
    pub fn key(self) -> &'static str {
        match self {
            Reason::InputsChanged => "manifest-changed",
            Reason::EditedByHand => "edited-by-hand",
            Reason::NoDigest => "no-digest",
            Reason::Missing => "missing",
        }
    }

    /// Why `file` drifted, and `fix`, the command that fixes it (which
    /// writes the Dockerfile and, unless told not to, the `.dockerignore`
    /// beside it).
    pub fn explain(self, file: &str, manifest: &str, fix: &str) -> String {
        match self {
            Reason::InputsChanged => format!(
                "the manifest, a project file it reads (go.mod, package.json, Cargo.toml, ...) or the templates changed since `{file}` was rendered; run `{fix}`"
            ),
            Reason::EditedByHand => format!(
                "`{file}` was edited by hand; change `{manifest}` (or an organisation template) instead, then run `{fix}`"
            ),
            Reason::NoDigest => format!(
                "`{file}` has no shipit header; was it written by hand? move what it needs into `{manifest}`, then run `{fix}`"
            ),
            Reason::Missing => format!("not found: `{file}`; run `{fix}`"),
        }
    }
}

/// The outcome of comparing one Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Same,
    Drift { reason: Reason, diff: String },
}

/// Compares the file on disk (`None`: missing) with the fresh render.
pub fn compare(on_disk: Option<&str>, rendered: &str, dockerfile: &str, manifest: &str) -> Outcome {
    let Some(on_disk) = on_disk else {
        return Outcome::Drift {
            reason: Reason::Missing,
            diff: unified_diff("", rendered, dockerfile, manifest),
        };
    };
    if on_disk == rendered {
        return Outcome::Same;
    }
    let reason = match render::digest_matches(on_disk) {
        Some(true) => Reason::InputsChanged,
        Some(false) => Reason::EditedByHand,
        None => Reason::NoDigest,
    };
    Outcome::Drift {
        reason,
        diff: unified_diff(on_disk, rendered, dockerfile, manifest),
    }
}

/// The first line (1-based) of the file on disk whose content differs from
/// the render, passing over the header's digest, which changes with any
/// change. `None` when only the digest differs.
pub fn first_changed_line(on_disk: &str, rendered: &str) -> Option<usize> {
    let mut old = on_disk.lines();
    let mut new = rendered.lines();
    let mut number = 0;
    loop {
        number += 1;
        match (old.next(), new.next()) {
            (None, None) => return None,
            (Some(a), Some(b)) if a == b || (a.contains("(digest ") && b.contains("(digest ")) => {}
            (Some(_), _) => return Some(number),
            // The file ends early: point at its last line.
            (None, Some(_)) => return Some((number - 1).max(1)),
        }
    }
}

/// A unified diff with 3 lines of context, from the file on disk to the
/// render.
pub fn unified_diff(on_disk: &str, rendered: &str, dockerfile: &str, manifest: &str) -> String {
    diff_with_headers(
        on_disk,
        rendered,
        &format!("{dockerfile} (on disk)"),
        &format!("{dockerfile} (rendered from {manifest})"),
    )
}

/// A unified diff with 3 lines of context and the given file headers.
/// What a file on disk holds is shown, never sent: an escape sequence in
/// a hand-edited Dockerfile reaches the terminal as `<U+001B>`.
pub fn diff_with_headers(old: &str, new: &str, old_header: &str, new_header: &str) -> String {
    let diff = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_header, new_header)
        .to_string();
    crate::text::shown(&diff).into_owned()
}

/// Colours a unified diff for a terminal.
pub fn colorize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let color = if line.starts_with("+++") || line.starts_with("---") {
            "\x1b[1m"
        } else if line.starts_with('+') {
            "\x1b[32m"
        } else if line.starts_with('-') {
            "\x1b[31m"
        } else if line.starts_with("@@") {
            "\x1b[36m"
        } else {
            ""
        };
        if color.is_empty() {
            out.push_str(line);
        } else {
            let (body, newline) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            out.push_str(color);
            out.push_str(body);
            out.push_str("\x1b[0m");
            out.push_str(newline);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_changed_line_passes_over_the_digest() {
        let old = "# x (digest aaaa)\nFROM a\nEXPOSE 1\n";
        let new = "# x (digest bbbb)\nFROM a\nEXPOSE 2\n";
        assert_eq!(first_changed_line(old, new), Some(3));
        assert_eq!(first_changed_line(old, old), None);
        assert_eq!(first_changed_line("FROM a\n", "FROM a\nUSER 1\n"), Some(1));
    }
}
