//! The minijinja environment: organisation template directories first, then
//! the built-in templates embedded from `templates/` at compile time.
//! Also the filters that make each manifest value safe for its position.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

/// Every built-in template, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "base.Dockerfile.j2",
        include_str!("../templates/base.Dockerfile.j2"),
    ),
    ("macros.j2", include_str!("../templates/macros.j2")),
    (
        "go.Dockerfile.j2",
        include_str!("../templates/go.Dockerfile.j2"),
    ),
    (
        "node.Dockerfile.j2",
        include_str!("../templates/node.Dockerfile.j2"),
    ),
    (
        "python.Dockerfile.j2",
        include_str!("../templates/python.Dockerfile.j2"),
    ),
    (
        "c.Dockerfile.j2",
        include_str!("../templates/c.Dockerfile.j2"),
    ),
    (
        "dockerignore.j2",
        include_str!("../templates/dockerignore.j2"),
    ),
];

/// The template of the `.dockerignore` written beside the Dockerfile.
pub const DOCKERIGNORE: &str = "dockerignore.j2";

/// Names under this prefix always mean the embedded original, so an
/// organisation template can extend the template it replaces.
pub const BUILTIN_PREFIX: &str = "builtin/";

pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(builtin_name, _)| *builtin_name == name)
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
            let path = dir.join(name);
            if !safe_name(name) || !path.is_file() {
                continue;
            }
            let source = std::fs::read_to_string(&path).map_err(|error| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("cannot read template `{}`", path.display()),
                )
                .with_source(error)
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
        env.set_loader(move |name| Ok(search.find(name)?.map(|template| template.source)));
        env.add_filter("sh", sh);
        env.add_filter("dq", dq);
        env.add_filter("exec", exec);
        env.add_filter("args", args);
        env
    }
}

/// Template names are relative paths without `..`.
fn safe_name(name: &str) -> bool {
    !Path::new(name).is_absolute() && !name.split(['/', '\\']).any(|part| part == "..")
}

fn strings(value: &Value) -> Result<Vec<String>, Error> {
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

fn one_line(value: &str) -> Result<&str, Error> {
    if value.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "a value with a control character cannot be placed in a Dockerfile",
        ));
    }
    Ok(value)
}

/// A shell word for `RUN`: as is when it needs no quoting, else
/// single-quoted.
pub fn sh(value: &Value) -> Result<String, Error> {
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
    let quoted: Result<Vec<String>, _> = words.iter().map(serde_json::to_string).collect();
    let quoted =
        quoted.map_err(|error| Error::new(ErrorKind::InvalidOperation, error.to_string()))?;
    Ok(format!("[{}]", quoted.join(", ")))
}

/// `COPY` sources and destination: space-separated when no word has a
/// space or quote, else the JSON array form.
pub fn args(value: &Value) -> Result<String, Error> {
    let words = strings(value)?;
    for word in &words {
        one_line(word)?;
    }
    let plain = words
        .iter()
        .all(|w| !w.is_empty() && !w.contains([' ', '"', '\'', '[', '\\']));
    if plain {
        Ok(words.join(" "))
    } else {
        exec(value)
    }
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
    fn every_language_has_a_builtin_template() {
        for language in crate::manifest::Language::ALL {
            assert!(builtin(&format!("{}.Dockerfile.j2", language.key())).is_some());
        }
    }
}
