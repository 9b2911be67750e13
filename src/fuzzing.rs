//! The fuzz target's body and its invariants, shared by `fuzz/` and the
//! test that replays saved inputs, so both hold the same line.

use std::path::Path;
use std::sync::OnceLock;

use crate::diagnostic::Source;
use crate::templates::Templates;

/// Arbitrary bytes through parse → resolve → render. Anything may be
/// rejected; nothing may panic, and whatever renders must be a well-formed
/// two-stage Dockerfile with no stray control characters and a digest that
/// matches.
pub fn render_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source {
        name: "shipit.toml".into(),
        text: text.to_string(),
    };
    let Ok((manifest, spans)) = crate::manifest::parse::parse(&source) else {
        return;
    };
    // A context directory with no files: detection finds nothing.
    let Ok(plan) = crate::plan::resolve(&manifest, &spans, Path::new("/nonexistent")) else {
        return;
    };
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(Templates::default);
    let text = crate::render::render(&plan, "shipit.toml", templates)
        .expect("a resolved plan renders with the built-in templates")
        .text;
    assert!(text.ends_with('\n'));
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    let stages = text.lines().filter(|l| l.starts_with("FROM ")).count();
    assert_eq!(stages, 2, "{text}");
    assert_eq!(crate::render::digest_matches(&text), Some(true));
    let skeleton = skeleton(&text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    assert_skeleton(&skeleton, &text);
}

/// One instruction as BuildKit's parser splits it: the keyword, its flag
/// names (`--from`, `--mount`), and the rest of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub keyword: String,
    pub flags: Vec<String>,
    pub rest: String,
}

/// A Dockerfile's instructions, read the way BuildKit reads them: `\`
/// joins lines, `#` lines are comments, words split on every Unicode
/// space. An error for what a shipit render must never contain: a
/// character BuildKit would split on or break a line at, or a heredoc
/// (`<<WORD` outside quotes) in `RUN`, `COPY` or `ADD`, which would
/// swallow the instructions after it.
pub fn skeleton(text: &str) -> Result<Vec<Step>, String> {
    if let Some((at, c, why)) = crate::text::first_refused(&text.replace('\n', " ")) {
        return Err(format!(
            "{} ({why}) at byte {at}",
            crate::text::code_point(c)
        ));
    }
    let mut steps = Vec::new();
    let mut logical = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if logical.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if !logical.is_empty() && trimmed.starts_with('#') {
            continue; // a comment inside a continued instruction
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                logical.push_str(head);
                logical.push(' ');
            }
            None => {
                logical.push_str(line);
                steps.push(step(&logical)?);
                logical.clear();
            }
        }
    }
    if !logical.trim().is_empty() {
        steps.push(step(&logical)?);
    }
    Ok(steps)
}

fn step(line: &str) -> Result<Step, String> {
    let mut rest = line.trim_start();
    let keyword_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let keyword = rest[..keyword_end].to_ascii_uppercase();
    rest = rest[keyword_end..].trim_start();
    let mut flags = Vec::new();
    while rest.starts_with("--") {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let flag = &rest[..end];
        flags.push(flag.split('=').next().unwrap_or(flag).to_string());
        rest = rest[end..].trim_start();
    }
    if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD")
        && !rest.starts_with('[')
        && shell_words(rest)
            .iter()
            .any(|w| w.starts_with("<<") && !w.starts_with("<<<"))
    {
        return Err(format!("a heredoc opens in `{}`", line.trim()));
    }
    Ok(Step {
        keyword,
        flags,
        rest: rest.trim_end().to_string(),
    })
}

/// Words as BuildKit's heredoc detection sees them: split on whitespace
/// outside quotes, quotes kept.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (None, '\\') => {
                word.push(c);
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                word.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                word.push(c);
            }
            (Some('"'), '\\') => {
                word.push(c);
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The structure every shipit render has, whatever the values: known
/// instructions only, each with only the flags a template gives it, two
/// stages, one USER at the end, exec form (JSON arrays of strings) for
/// ENTRYPOINT, CMD and HEALTHCHECK, and no instruction hidden in a value.
fn assert_skeleton(steps: &[Step], text: &str) {
    let allowed: &[(&str, &[&str])] = &[
        ("FROM", &["--platform"]),
        ("RUN", &["--mount"]),
        ("COPY", &["--from", "--chown"]),
        ("WORKDIR", &[]),
        ("ENV", &[]),
        ("LABEL", &[]),
        ("ARG", &[]),
        ("EXPOSE", &[]),
        ("USER", &[]),
        (
            "HEALTHCHECK",
            &["--interval", "--timeout", "--start-period", "--retries"],
        ),
        ("ENTRYPOINT", &[]),
        ("CMD", &[]),
    ];
    let count = |keyword: &str| steps.iter().filter(|s| s.keyword == keyword).count();
    for step in steps {
        let Some((_, flags)) = allowed.iter().find(|(k, _)| *k == step.keyword) else {
            panic!("unexpected instruction `{}`\n{text}", step.keyword);
        };
        for flag in &step.flags {
            assert!(
                flags.contains(&flag.as_str()),
                "`{}` has the flag `{flag}`\n{text}",
                step.keyword
            );
        }
        let exec = match step.keyword.as_str() {
            "ENTRYPOINT" | "CMD" => Some(step.rest.as_str()),
            "HEALTHCHECK" => Some(step.rest.strip_prefix("CMD ").unwrap_or("not exec form")),
            _ => None,
        };
        if let Some(exec) = exec {
            let words: Result<Vec<String>, _> = serde_json::from_str(exec);
            assert!(words.is_ok(), "`{}` is not exec form\n{text}", step.keyword);
        }
    }
    assert_eq!(count("FROM"), 2, "{text}");
    assert_eq!(count("USER"), 1, "{text}");
    for keyword in ["ENTRYPOINT", "CMD", "HEALTHCHECK"] {
        assert!(count(keyword) <= 1, "{keyword}\n{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_reads_instructions_flags_and_continuations() {
        let steps = skeleton(
            "# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM golang:1 AS build\nRUN --mount=type=cache,target=/x \\\n    go build 'a <<b'\nCOPY --from=build [\"/a <<EOF\", \"/b\"]\n",
        )
        .unwrap();
        let shape: Vec<(&str, Vec<String>)> = steps
            .iter()
            .map(|s| (s.keyword.as_str(), s.flags.clone()))
            .collect();
        assert_eq!(
            shape,
            [
                ("FROM", vec!["--platform".to_string()]),
                ("RUN", vec!["--mount".to_string()]),
                ("COPY", vec!["--from".to_string()]),
            ]
        );
    }

    #[test]
    fn skeleton_refuses_heredocs_and_unicode_spaces() {
        assert!(skeleton("COPY --from=build /out/demo <<EOF /usr/local/bin/demo\n").is_err());
        assert!(skeleton("RUN cat <<-X\n").is_err());
        assert!(skeleton("RUN grep x <<< y\n").is_ok());
        assert!(skeleton("COPY /a\u{a0}b /c\n").is_err());
        assert!(skeleton("LABEL a=\"b\u{2028}c\"\n").is_err());
    }
}
