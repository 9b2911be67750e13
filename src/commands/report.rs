//! How `check` reports: one [`CheckReport`] per manifest, written as text,
//! JSON or GitHub Actions workflow commands.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::env::{EXIT_DRIFT, EXIT_ERROR, EXIT_OK, Env};
use crate::check;
use crate::text::shown;

/// The result of checking one manifest.
#[derive(Debug, Default, Serialize)]
pub(crate) struct CheckReport {
    pub manifest: String,
    pub dockerfile: String,
    pub status: Status,
    /// Why it drifted: `manifest-changed`, `edited-by-hand`, `no-digest`,
    /// `missing`, `unpinned` (a lock exists and misses an image),
    /// `ignore-overridden` (a builder reads another ignore file instead).
    pub reason: Option<&'static str>,
    pub message: String,
    pub diff: Option<String>,
    /// For annotations: the line to point at, in `dockerfile` for drift and
    /// in `manifest` for errors.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What the user should know although it is not drift: a
    /// `.dockerignore` left to its owner and not compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// On drift, the command that fixes it, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The render's warnings (the plan's, a lock's unused pins), as
    /// `render` prints them on stderr.
    #[serde(skip)]
    pub warnings: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    #[default]
    Ok,
    Drift,
    Error,
}

impl Status {
    pub(crate) fn exit_code(self) -> i32 {
        match self {
            Status::Ok => EXIT_OK,
            Status::Drift => EXIT_DRIFT,
            Status::Error => EXIT_ERROR,
        }
    }
}

pub(crate) fn write_text(
    reports: &[CheckReport],
    all: bool,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let paint = |diff: &str| {
        if env.color_stdout {
            check::colorize(diff)
        } else {
            diff.to_string()
        }
    };
    if !all {
        for report in reports {
            match report.status {
                Status::Ok => writeln!(err, "ok: {}", shown(&report.message))?,
                Status::Drift => {
                    if let Some(diff) = &report.diff {
                        out.write_all(paint(diff).as_bytes())?;
                    }
                    writeln!(err, "drift: {}", shown(&report.message))?;
                }
                Status::Error => writeln!(err, "{}", shown(&report.message))?,
            }
            if let Some(note) = &report.note {
                writeln!(err, "note: {}", shown(note))?;
            }
        }
        return Ok(());
    }

    let mut counts = [0usize; 3];
    for report in reports {
        match report.status {
            Status::Ok => {
                counts[0] += 1;
                writeln!(out, "ok     {}", shown(&report.manifest))?;
            }
            Status::Drift => {
                counts[1] += 1;
                writeln!(
                    out,
                    "drift  {}  ({})",
                    shown(&report.manifest),
                    report.reason.unwrap_or("drift")
                )?;
                if let Some(diff) = &report.diff {
                    out.write_all(paint(diff).as_bytes())?;
                }
                // No command fixes it: what to do by hand.
                if report.fix.is_none() {
                    writeln!(err, "drift: {}", shown(&report.message))?;
                }
            }
            Status::Error => {
                counts[2] += 1;
                writeln!(out, "error  {}", shown(&report.manifest))?;
                writeln!(err, "{}", shown(&report.message))?;
            }
        }
        if let Some(note) = &report.note {
            writeln!(err, "note: {}", shown(note))?;
        }
    }
    let total = reports.len();
    let noun = if total == 1 { "manifest" } else { "manifests" };
    writeln!(
        out,
        "{total} {noun}: {} ok, {} drift, {} error",
        counts[0], counts[1], counts[2]
    )?;
    write_fix_all(reports, err)
}

/// One command that fixes every drift a command can fix: each manifest's
/// own fix, joined with `&&` (one per line, so it pastes as it reads).
/// Hand edits that `--force` would replace are named first.
fn write_fix_all(reports: &[CheckReport], err: &mut dyn Write) -> Result<()> {
    let fixes: Vec<&CheckReport> = reports.iter().filter(|r| r.fix.is_some()).collect();
    if fixes.is_empty() {
        return Ok(());
    }
    let forced: Vec<String> = fixes
        .iter()
        .filter(|r| r.fix.as_deref().is_some_and(|f| f.ends_with(" --force")))
        .map(|r| format!("`{}`", shown(&r.manifest)))
        .collect();
    if forced.is_empty() {
        writeln!(err, "fix all: run")?;
    } else {
        writeln!(
            err,
            "fix all: `--force` replaces files shipit did not write or that were edited by hand, beside {}: move what they hold into the manifest (and `build.ignore`) first, then run",
            forced.join(", ")
        )?;
    }
    let commands: Vec<String> = fixes
        .iter()
        .filter_map(|r| r.fix.as_deref())
        .map(|fix| format!("  {}", shown(fix)))
        .collect();
    writeln!(err, "{}", commands.join(" &&\n"))?;
    Ok(())
}

/// GitHub Actions workflow commands: one `::error` per problem.
pub(crate) fn write_github(reports: &[CheckReport], out: &mut dyn Write) -> Result<()> {
    for report in reports {
        let (file, line, column) = match report.status {
            Status::Ok => continue,
            Status::Drift => (&report.dockerfile, report.line, None),
            Status::Error => (&report.manifest, report.line, report.column),
        };
        let mut properties = format!("file={}", escape_property(&shown(file)));
        if let Some(line) = line {
            properties.push_str(&format!(",line={line}"));
        }
        if let Some(column) = column {
            properties.push_str(&format!(",col={column}"));
        }
        let title = match report.status {
            Status::Drift => "shipit: Dockerfile drift",
            _ => "shipit: manifest error",
        };
        properties.push_str(&format!(",title={}", escape_property(title)));
        writeln!(
            out,
            "::error {properties}::{}",
            escape_data(&shown(&report.message))
        )?;
    }
    Ok(())
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_newlines_and_separators() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
