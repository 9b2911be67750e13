//! One renderer for every error shipit reports: a message, and where the
//! source is known, `--> file:line:col`, the line and a caret, then help.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A file's display name and its text.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// One problem, optionally pinned to a byte range of its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub span: Option<Range<usize>>,
    pub label: Option<String>,
    pub help: Vec<String>,
    /// A warning: reported, but nothing stops.
    pub warning: bool,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            span: None,
            label: None,
            help: Vec::new(),
            warning: false,
        }
    }

    pub fn with_span(mut self, span: Option<Range<usize>>) -> Self {
        self.span = span;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }
}

/// Orders diagnostics as they appear in the file (those without a place
/// last), so output never depends on hash order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        d.span
            .as_ref()
            .map_or((usize::MAX, usize::MAX), |s| (s.start, s.end))
    });
}

/// Diagnostics about one source file; travels inside `anyhow::Error` and is
/// rendered by [`render`] at the edge.
#[derive(Debug)]
pub struct Report {
    pub source: Source,
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(self, false))
    }
}

impl std::error::Error for Report {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Renders every diagnostic of a report, in order, rustc style.
pub fn render(report: &Report, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Line and paragraph separators and invisible formatting characters
    // would break or reorder the shown line: each becomes U+FFFD, which is
    // as long in UTF-8 (3 bytes), so the spans stay where they were.
    let text = &report
        .source
        .text
        .chars()
        .map(|c| match crate::text::refused(c) {
            Some(_) if c.len_utf8() == 3 => '\u{FFFD}',
            _ => c,
        })
        .collect::<String>();
    let name = crate::text::shown(&report.source.name);
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        let level = if diagnostic.warning {
            Level::WARNING
        } else {
            Level::ERROR
        };
        // Messages quote names read from project files: nothing in them
        // may move the cursor or recolour the terminal.
        let message = crate::text::shown(&diagnostic.message);
        let label = diagnostic.label.as_deref().map(crate::text::shown);
        let helps: Vec<_> = diagnostic
            .help
            .iter()
            .map(|h| crate::text::shown(h))
            .collect();
        let mut group = Group::with_title(level.primary_title(message.as_ref()));
        match &diagnostic.span {
            Some(span) => {
                let start = floor_char_boundary(text, span.start.min(text.len()));
                let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
                let mut annotation = AnnotationKind::Primary.span(start..end);
                if let Some(label) = &label {
                    annotation = annotation.label(label.as_ref());
                }
                group = group.element(
                    Snippet::source(text.as_str())
                        .path(name.as_ref())
                        .annotation(annotation),
                );
            }
            None if text.is_empty() => {
                group =
                    group.element(Level::NOTE.message(format!("{name}:1:1: the file is empty")));
            }
            None => {
                group = group.element(Level::NOTE.message(format!("in {name}")));
            }
        }
        for help in &helps {
            group = group.element(Level::HELP.message(help.as_ref()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push('\n');
    }
    let count = report.diagnostics.iter().filter(|d| !d.warning).count();
    if count > 1 {
        out.push_str(&format!("error: {name} has {count} problems\n"));
    }
    out
}

/// Renders any error for stderr: manifest reports with source excerpts,
/// everything else as `error: ...` with its causes.
pub fn report_error(error: &anyhow::Error, color: bool) -> String {
    if let Some(report) = error.downcast_ref::<Report>() {
        return render(report, color);
    }
    let mut text = format!("error: {}\n", crate::text::shown(&error.to_string()));
    for cause in error.chain().skip(1) {
        text.push_str(&format!(
            "  caused by: {}\n",
            crate::text::shown(&cause.to_string())
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_chars() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 9), (2, 3));
    }

    #[test]
    fn renders_location_line_and_help() {
        let report = Report {
            source: Source {
                name: "shipit.toml".into(),
                text: "name = \"x\"\nportz = 1\n".into(),
            },
            diagnostics: vec![
                Diagnostic::new("unknown key `portz`")
                    .with_span(Some(11..16))
                    .with_help("did you mean `ports`?"),
            ],
        };
        let out = render(&report, false);
        assert!(out.contains("error: unknown key `portz`"), "{out}");
        assert!(out.contains("--> shipit.toml:2:1"), "{out}");
        assert!(out.contains("portz = 1"), "{out}");
        assert!(out.contains("^^^^^"), "{out}");
        assert!(out.contains("help: did you mean `ports`?"), "{out}");
    }
}
