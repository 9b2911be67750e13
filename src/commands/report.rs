//! How `check` reports: one [`CheckReport`] per manifest, written as text,
//! JSON or GitHub Actions workflow commands.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::env::{EXIT_DRIFT, EXIT_ERROR, EXIT_OK, Env};
use crate::check;
use crate::text::shown;

/// The result of checking one manifest.
#[derive(Debug, Serialize)]
pub(crate) struct CheckReport {
    pub manifest: String,
    pub dockerfile: String,
    pub status: Status,
    /// Why it drifted: `manifest-changed`, `edited-by-hand`, `no-digest`,
    /// `missing`, `unpinned` (a lock exists and misses an image).
    pub reason: Option<&'static str>,
    pub message: String,
    pub diff: Option<String>,
    /// For annotations: the line to point at, in `dockerfile` for drift and
    /// in `manifest` for errors.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
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
            }
            Status::Error => {
                counts[2] += 1;
                writeln!(out, "error  {}", shown(&report.manifest))?;
                writeln!(err, "{}", shown(&report.message))?;
            }
        }
    }
    let total = reports.len();
    let noun = if total == 1 { "manifest" } else { "manifests" };
    writeln!(
        out,
        "{total} {noun}: {} ok, {} drift, {} error",
        counts[0], counts[1], counts[2]
    )?;
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
