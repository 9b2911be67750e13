//! One small file per language: its defaults and its own checks. Adding a
//! language is one file here, one arm below, and one template.

mod c;
mod go;
mod node;
mod python;
mod versions;

use crate::manifest::{Artifact, Language};
use crate::plan::{Cx, LanguageDefaults};

/// The Debian release that builder and runtime images share where a binary
/// links against glibc, so both sides have the same libc.
pub(crate) const DEBIAN: &str = "trixie";

pub(crate) fn defaults(cx: &mut Cx) -> LanguageDefaults {
    match cx.manifest.language {
        Language::Go => go::defaults(cx),
        Language::Node => node::defaults(cx),
        Language::Python => python::defaults(cx),
        Language::C => c::defaults(cx),
    }
}

/// Whether `dir` looks like a project in `language`.
pub(crate) fn recognises(language: Language, dir: &std::path::Path) -> bool {
    match language {
        Language::Go => go::recognises(dir),
        Language::Node => node::recognises(dir),
        Language::Python => python::recognises(dir),
        Language::C => c::recognises(dir),
    }
}

/// A starter manifest for the project in `dir`.
pub(crate) fn detect(
    language: Language,
    dir: &std::path::Path,
    manager: Option<&str>,
) -> anyhow::Result<crate::init::Draft> {
    match (language, manager) {
        (Language::Python, manager) => python::detect(dir, manager),
        (Language::Node, manager) => node::detect(dir, manager),
        (language, Some(manager)) => anyhow::bail!(
            "`--manager {manager}` does not apply to `{}`: only python and node projects have a package manager to choose",
            language.key()
        ),
        (Language::Go, None) => go::detect(dir),
        (Language::C, None) => c::detect(dir),
    }
}

/// Files copied into one directory before an install: `COPY FILES... DIR`.
#[derive(serde::Serialize)]
pub(crate) struct CopyGroup {
    /// The destination, `./` or `sub/dir/`.
    dir: String,
    files: Vec<String>,
}

/// Context-relative files grouped by directory, in first-seen order: one
/// `COPY` each, so every file lands where it is in the context.
pub(crate) fn copy_groups(files: &[String]) -> Vec<CopyGroup> {
    let mut groups: Vec<CopyGroup> = Vec::new();
    for file in files {
        let dir = file
            .rfind('/')
            .map_or("./".to_string(), |cut| file[..=cut].to_string());
        match groups.iter_mut().find(|g| g.dir == dir) {
            Some(group) => group.files.push(file.clone()),
            None => groups.push(CopyGroup {
                dir,
                files: vec![file.clone()],
            }),
        }
    }
    groups
}

/// A path relative to the build context that needs no quoting in `COPY`
/// and `RUN` and is no tool's option: no leading `/` or `-`, no `..`, only
/// letters, digits and `._/@+-`.
pub(crate) fn safe_relative(path: &str) -> bool {
    crate::plan::made_of(path, "._/@+-")
        && !path.starts_with(['/', '-'])
        && !path.split('/').any(|part| part == "..")
}

/// `base/rel` with `.` and `..` resolved, or `None` when it is absolute or
/// climbs out of the context.
pub(crate) fn join_relative(base: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// A file's text, or `None` when it cannot be read. Only a regular file
/// (a FIFO would block), of a sane size, not a link out of its directory.
pub(crate) fn read(path: &std::path::Path) -> Option<String> {
    let root = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    let bytes = crate::input::read_file(path, root).ok()??;
    String::from_utf8(bytes).ok()
}

/// What `init` looks for to recognise a project in `language`.
pub(crate) fn looked_for(language: Language) -> &'static str {
    match language {
        Language::Go => "`go.mod`",
        Language::Node => "`package.json`",
        Language::Python => {
            "`requirements.txt`, `Pipfile`, `pyproject.toml`, `uv.lock` or `poetry.lock`"
        }
        Language::C => "a `Makefile` or `*.c` files",
    }
}

/// The usual single artifact: one program built to `/out/<file>` and
/// installed as `/usr/local/bin/<file>`, which is also the entrypoint.
pub(crate) fn program(file: &str) -> (Vec<Artifact>, Vec<String>) {
    let installed = format!("/usr/local/bin/{file}");
    let artifacts = vec![Artifact {
        from: format!("/out/{file}"),
        to: installed.clone(),
    }];
    (artifacts, vec![installed])
}
