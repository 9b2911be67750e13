//! The minijinja environment: organisation template directories first, then
//! the built-in templates embedded from `templates/` at compile time.
//! Also the filters that make each manifest value safe for its position.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, OnceLock};

use anyhow::Result;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

use crate::manifest::load::{LoadedManifest, context_dir};

/// Every built-in template, by name: the shared ones, then each
/// language's `<key>.Dockerfile.j2`.
pub static BUILTIN: LazyLock<Vec<(String, &'static str)>> = LazyLock::new(|| {
    let shared = [
        (
            "base.Dockerfile.j2",
            include_str!("../templates/base.Dockerfile.j2"),
        ),
        ("macros.j2", include_str!("../templates/macros.j2")),
        (
            "dockerignore.j2",
            include_str!("../templates/dockerignore.j2"),
        ),
    ];
    let mut all: Vec<(String, &'static str)> = shared
        .into_iter()
        .map(|(name, source)| (name.to_string(), source))
        .collect();
    all.extend(
        crate::manifest::Language::ALL
            .iter()
            .map(|l| (l.template_name(), l.template())),
    );
    all.sort();
    all
});

/// The template of the `.dockerignore` written beside the Dockerfile.
pub const DOCKERIGNORE: &str = "dockerignore.j2";

/// Names under this prefix always mean the embedded original, so an
/// organisation template can extend the template it replaces.
pub const BUILTIN_PREFIX: &str = "builtin/";

pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(builtin_name, _)| builtin_name == name)
        .map(|(_, source)| *source)
}

/// Where a template comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    Dir(PathBuf),
}

/// The template search path, and the environment that loads from it,
/// built once and shared (compiled templates are cached inside it).
#[derive(Debug, Clone, Default)]
pub struct Templates {
    dirs: Vec<PathBuf>,
    environment: OnceLock<Environment<'static>>,
}

/// A template found on the search path: its name, where it came from, and
/// its source.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub name: String,
    pub origin: Origin,
    pub source: String,
}

impl Templates {
    pub fn new(dirs: Vec<PathBuf>) -> Self {
        Templates {
            dirs,
            environment: OnceLock::new(),
        }
    }

    /// The same search path with `dir` searched last (before the built-ins).
    pub fn with_dir(&self, dir: PathBuf) -> Templates {
        let mut dirs = self.dirs.clone();
        dirs.push(dir);
        Templates::new(dirs)
    }

    /// Finds a template: the first organisation directory that has it,
    /// then the built-ins.
    pub fn find(&self, name: &str) -> Result<Option<Loaded>, Error> {
        if let Some(builtin_name) = name.strip_prefix(BUILTIN_PREFIX) {
            return Ok(builtin(builtin_name).map(|source| Loaded {
                name: name.to_string(),
                origin: Origin::Builtin,
                source: source.to_string(),
            }));
        }
        for dir in &self.dirs {
            if !safe_name(name) {
                continue;
            }
            let path = dir.join(name);
            // Only regular files inside the directory: an `{% include %}`
            // of a link cannot reach outside it.
            let fail = |message: String| Error::new(ErrorKind::InvalidOperation, message);
            let bytes = match crate::input::read_file(&path, dir) {
                Ok(Some(bytes)) => bytes,
                Ok(None) => continue,
                Err(error) => return Err(fail(format!("{error:#}"))),
            };
            let source = String::from_utf8(bytes).map_err(|_| {
                fail(format!(
                    "cannot read template `{}`: not UTF-8 text",
                    path.display()
                ))
            })?;
            return Ok(Some(Loaded {
                name: name.to_string(),
                origin: Origin::Dir(dir.clone()),
                source,
            }));
        }
        Ok(builtin(name).map(|source| Loaded {
            name: name.to_string(),
            origin: Origin::Builtin,
            source: source.to_string(),
        }))
    }

    /// The environment that loads through [`Templates::find`].
    pub fn environment(&self) -> &Environment<'static> {
        self.environment.get_or_init(|| self.build_environment())
    }

    fn build_environment(&self) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid");
        env.set_syntax(syntax);
        let search = Templates::new(self.dirs.clone());
        env.set_loader(move |name| {
            let Some(template) = search.find(name)? else {
                return Ok(None);
            };
            if let Origin::Dir(dir) = &template.origin {
                lint_child(&template.source, &dir.join(name), &search)?;
            }
            Ok(Some(template.source))
        });
        env.add_filter("sh", sh);
        env.add_filter("dq", dq);
        env.add_filter("exec", exec);
        env.add_filter("args", args);
        env
    }
}

/// A piece of template source: text, an expression (`{{ }}`) or a tag
/// (`{% %}`, its words), each with its byte offset. Comments are dropped.
enum Piece<'a> {
    Text(usize, &'a str),
    Expr(usize),
    Tag(usize, Vec<&'a str>),
}

fn pieces(source: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    while let Some(found) = source[at..].find('{') {
        let open = at + found;
        let close = match source.as_bytes().get(open + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                at = open + 1;
                continue;
            }
        };
        out.push(Piece::Text(text_start, &source[text_start..open]));
        let end = source[open + 2..]
            .find(close)
            .map_or(source.len(), |i| open + 2 + i);
        let inner = &source[open + 2..end];
        match close {
            "}}" => out.push(Piece::Expr(open)),
            "%}" => {
                let words: Vec<&str> = inner
                    .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace())
                    .split_whitespace()
                    .collect();
                let raw = words.first() == Some(&"raw");
                out.push(Piece::Tag(open, words));
                if raw {
                    // Everything up to `{% endraw %}` is text.
                    let body = (end + 2).min(source.len());
                    let stop = source[body..]
                        .find("endraw")
                        .map_or(source.len(), |i| body + i);
                    out.push(Piece::Text(body, &source[body..stop]));
                    let after = source[stop..]
                        .find("%}")
                        .map_or(source.len(), |i| stop + i + 2);
                    at = after;
                    text_start = after;
                    continue;
                }
            }
            _ => {}
        }
        at = (end + 2).min(source.len());
        text_start = at;
    }
    out.push(Piece::Text(text_start, &source[text_start..]));
    out
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// The template a source `{% extends %}` (a string literal), and the
/// blocks it defines.
fn outline(source: &str) -> (Option<String>, Vec<(String, usize)>) {
    let mut parent = None;
    let mut blocks = Vec::new();
    for piece in pieces(source) {
        if let Piece::Tag(at, words) = piece {
            match words.as_slice() {
                ["extends", target, ..] => {
                    parent = Some(target.trim_matches(['"', '\'']).to_string());
                }
                ["block", name, ..] => blocks.push((name.to_string(), line_of(source, at))),
                _ => {}
            }
        }
    }
    (parent, blocks)
}

/// Mistakes Jinja forgives silently in a template that `{% extends %}`
/// another: text or expressions outside a block are never rendered, and a
/// block the parent does not define (`{% block usr %}`) does nothing.
fn lint_child(source: &str, path: &Path, search: &Templates) -> Result<(), Error> {
    let (Some(parent), blocks) = outline(source) else {
        return Ok(());
    };
    let fail = |line: usize, message: String| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("`{}` line {line}: {message}", path.display()),
        )
    };
    let mut depth = 0usize;
    for piece in pieces(source) {
        match piece {
            Piece::Tag(_, words) if words.first() == Some(&"block") => depth += 1,
            Piece::Tag(_, words) if words.first() == Some(&"endblock") => {
                depth = depth.saturating_sub(1)
            }
            Piece::Text(at, text) if depth == 0 && !text.trim().is_empty() => {
                let first = at + (text.len() - text.trim_start().len());
                return Err(fail(
                    line_of(source, first),
                    format!(
                        "text outside a block is never rendered in a template that extends `{parent}`; put it inside one, e.g. `{{% block runtime %}}{{{{ super() }}}}...{{% endblock %}}`"
                    ),
                ));
            }
            Piece::Expr(at) if depth == 0 => {
                return Err(fail(
                    line_of(source, at),
                    format!(
                        "an expression outside a block is never rendered in a template that extends `{parent}`; put it inside a block"
                    ),
                ));
            }
            _ => {}
        }
    }

    // Every block the parent chain defines.
    let mut known: Vec<String> = Vec::new();
    let mut next = Some(parent.clone());
    let mut seen = Vec::new();
    while let Some(name) = next.take() {
        if seen.contains(&name) || seen.len() > 16 {
            break;
        }
        let Some(loaded) = search.find(&name)? else {
            return Ok(()); // minijinja reports the missing parent
        };
        let (grandparent, parent_blocks) = outline(&loaded.source);
        known.extend(parent_blocks.into_iter().map(|(block, _)| block));
        seen.push(name);
        next = grandparent;
    }
    for (block, line) in blocks {
        if !known.contains(&block) {
            let mut candidates: Vec<&str> = known.iter().map(String::as_str).collect();
            candidates.sort_unstable();
            candidates.dedup();
            let help = match crate::suggest::closest(&block, &candidates) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("its blocks: {}", crate::suggest::backticked(&candidates)),
            };
            return Err(fail(
                line,
                format!(
                    "block `{block}` is not a block of `{parent}`, so it would never be rendered; {help}"
                ),
            ));
        }
    }
    Ok(())
}

/// Template names are relative paths without `..`.
fn safe_name(name: &str) -> bool {
    !Path::new(name).is_absolute() && !name.split(['/', '\\']).any(|part| part == "..")
}

fn strings(value: &Value) -> Result<Vec<String>, Error> {
    if value.is_undefined() || value.is_none() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "expected a list of strings, got an undefined value or none",
        ));
    }
    let iter = value.try_iter().map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("expected a list of strings, got {}", value.kind()),
        )
    })?;
    iter.map(|item| {
        item.as_str().map(str::to_string).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("expected a string, got {}", item.kind()),
            )
        })
    })
    .collect()
}

/// Refuses what [`crate::text::refused`] refuses: the filters are the
/// last line, so a template can never place a newline, a Unicode space or
/// an invisible character, whatever it is given.
fn one_line(value: &str) -> Result<&str, Error> {
    if let Some((_, c, why)) = crate::text::first_refused(value) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "a value containing {} ({why}) cannot be placed in a Dockerfile",
                crate::text::code_point(c)
            ),
        ));
    }
    Ok(value)
}

/// Strict undefined behaviour stops `{{ nope }}`, but a filter is handed
/// the undefined value and would print it as nothing.
fn defined(value: &Value, filter: &str) -> Result<(), Error> {
    if value.is_undefined() || value.is_none() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("the value given to the `{filter}` filter is undefined or none"),
        ));
    }
    Ok(())
}

/// A shell word for `RUN`: as is when it needs no quoting, else
/// single-quoted.
pub fn sh(value: &Value) -> Result<String, Error> {
    defined(value, "sh")?;
    let text = value.to_string();
    let text = one_line(&text)?;
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./@%+=:,-".contains(c));
    if plain {
        Ok(text.to_string())
    } else {
        Ok(format!("'{}'", text.replace('\'', r"'\''")))
    }
}

/// A double-quoted `ENV`/`LABEL` value: `\`, `"` and `$` escaped, so the
/// value is literal.
pub fn dq(value: &Value) -> Result<String, Error> {
    defined(value, "dq")?;
    let text = value.to_string();
    let text = one_line(&text)?;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// The exec (JSON array) form of `ENTRYPOINT`, `CMD` and `HEALTHCHECK`.
pub fn exec(value: &Value) -> Result<String, Error> {
    let words = strings(value)?;
    for word in &words {
        one_line(word)?;
    }
    let quoted: Result<Vec<String>, _> = words.iter().map(serde_json::to_string).collect();
    let quoted =
        quoted.map_err(|error| Error::new(ErrorKind::InvalidOperation, error.to_string()))?;
    Ok(format!("[{}]", quoted.join(", ")))
}

/// `COPY` sources and destination: space-separated when every word is
/// made of characters no Dockerfile parser reads specially, else the JSON
/// array form. So a space, a quote, `[`, `<<` (a heredoc), a leading `-`
/// (a flag) or any non-ASCII character never reaches the shell-like form.
pub fn args(value: &Value) -> Result<String, Error> {
    let words = strings(value)?;
    for word in &words {
        one_line(word)?;
    }
    let plain = words.iter().all(|w| {
        w.starts_with(|c: char| c.is_ascii_alphanumeric() || "/._".contains(c))
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._+@%:=,*?~-".contains(c))
    });
    if plain {
        Ok(words.join(" "))
    } else {
        exec(value)
    }
}

/// The template search path: `--templates` flags, then `$SHIPIT_TEMPLATES`.
/// A directory that does not exist is an error, as it is for the
/// manifest's `templates` key: a typo must not fall back to the built-ins.
pub fn template_dirs(flags: &[PathBuf], env_path: Option<&OsStr>) -> Result<Templates> {
    let mut dirs = Vec::new();
    for dir in flags {
        if !dir.is_dir() {
            anyhow::bail!(
                "`--templates {}`: no directory `{}`; give a directory of organisation templates",
                dir.display(),
                dir.display()
            );
        }
        dirs.push(dir.clone());
    }
    if let Some(path) = env_path {
        for dir in std::env::split_paths(path).filter(|p| !p.as_os_str().is_empty()) {
            if !dir.is_dir() {
                anyhow::bail!(
                    "`SHIPIT_TEMPLATES` names `{}`, which is not a directory; fix or unset it",
                    dir.display()
                );
            }
            dirs.push(dir);
        }
    }
    Ok(Templates::new(dirs))
}

/// The search path for one manifest: `templates` plus the manifest's own
/// `templates` key, if it has one.
pub fn manifest_templates(loaded: &LoadedManifest, templates: &Templates) -> Option<Templates> {
    loaded
        .manifest
        .templates
        .as_ref()
        .map(|dir| templates.with_dir(context_dir(&loaded.path).join(dir)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sh_quotes_only_what_needs_it() {
        assert_eq!(sh(&Value::from("./cmd/app")).unwrap(), "./cmd/app");
        assert_eq!(sh(&Value::from("a b")).unwrap(), "'a b'");
        assert_eq!(sh(&Value::from("it's")).unwrap(), r"'it'\''s'");
        assert_eq!(sh(&Value::from("$HOME")).unwrap(), "'$HOME'");
        assert!(sh(&Value::from("a\nb")).is_err());
    }

    #[test]
    fn dq_makes_values_literal() {
        assert_eq!(
            dq(&Value::from(r#"a "b" $c \d"#)).unwrap(),
            r#""a \"b\" \$c \\d""#
        );
    }

    #[test]
    fn args_switch_to_json_for_spaces() {
        let plain = Value::from(vec!["/out/app", "/usr/local/bin/app"]);
        assert_eq!(args(&plain).unwrap(), "/out/app /usr/local/bin/app");
        let spaced = Value::from(vec!["/out/my app", "/app"]);
        assert_eq!(args(&spaced).unwrap(), r#"["/out/my app", "/app"]"#);
    }

    #[test]
    fn args_never_leave_a_heredoc_or_a_unicode_space_in_shell_form() {
        for hostile in [
            "/out/demo <<EOF",
            "/out/<<EOF",
            "/out/é",
            "--chown=0",
            "/a[b]",
        ] {
            let text = args(&Value::from(vec![hostile, "/app"])).unwrap();
            assert!(text.starts_with('['), "{hostile}: {text}");
        }
        for hostile in [
            "/out/demo\u{a0}<<EOF",
            "/out/a\u{2028}b",
            "/out/\u{202e}x",
            "/a\u{3000}b",
        ] {
            assert!(
                args(&Value::from(vec![hostile, "/app"])).is_err(),
                "{hostile}"
            );
            assert!(exec(&Value::from(vec![hostile])).is_err(), "{hostile}");
            assert!(sh(&Value::from(hostile)).is_err(), "{hostile}");
            assert!(dq(&Value::from(hostile)).is_err(), "{hostile}");
        }
    }

    #[test]
    fn outline_finds_the_parent_and_the_blocks() {
        let (parent, blocks) = outline(
            "{# c #}{% extends \"builtin/go.Dockerfile.j2\" %}\n{%- block user -%}\nUSER 1\n{% endblock %}\n{% raw %}{% block x %}{% endraw %}",
        );
        assert_eq!(parent.as_deref(), Some("builtin/go.Dockerfile.j2"));
        assert_eq!(blocks, [("user".to_string(), 2)]);
    }

    #[test]
    fn every_language_has_a_builtin_template() {
        for language in crate::manifest::Language::ALL {
            assert!(builtin(&language.template_name()).is_some());
        }
    }
}
