//! What a Python project installs and with which tool: its dependency
//! files (requirements, Pipfile, pyproject, locks), uv workspaces and
//! local path dependencies.

use serde::Serialize;

use crate::plan::context::Cx;

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(super) enum Installer {
    /// `pip install -r FILE`
    Requirements,
    /// `pipenv requirements --hash` exported, then pip-installed
    Pipenv,
    /// `[project] dependencies`, then the project itself when it is a package
    Pyproject,
    /// `uv sync --locked`: the dependencies, then the project
    Uv,
    /// `poetry install --only main`: the dependencies, then the project
    Poetry,
}

/// What the dependency file says about the install, read from the build
/// context.
#[derive(Default)]
pub(super) struct Dependencies {
    /// Context-relative files the install reads, in order, without repeats.
    pub(super) files: Vec<String>,
    pub(super) local: bool,
    pub(super) package: bool,
}

impl Dependencies {
    pub(super) fn read(cx: &mut Cx, file: &str, installer: Installer) -> Dependencies {
        let mut deps = Dependencies::default();
        if !cx.exists(file) {
            // Detection found nothing (reported), or the manifest names a
            // file that is not there.
            if cx
                .manifest
                .python
                .as_ref()
                .is_some_and(|p| p.requirements.is_some())
            {
                cx.error(
                    "python.requirements",
                    format!("`python.requirements` = `{file}`: no such file in the build context"),
                    "give the path of the dependency file relative to the manifest",
                );
            }
            deps.files.push(file.to_string());
            return deps;
        }
        match installer {
            Installer::Requirements => deps.requirements(cx, file, None),
            Installer::Pipenv => deps.pipfile(cx, file),
            Installer::Pyproject => deps.pyproject(cx, file),
            Installer::Uv => deps.locked_pyproject(cx, file, "uv.lock", "uv lock"),
            Installer::Poetry => deps.locked_pyproject(cx, file, "poetry.lock", "poetry lock"),
        }
        deps
    }

    /// A requirements file and, recursively, what it includes: `-r` and
    /// `-c` name files relative to the including file, as pip reads them.
    /// `included`: where the including file names it and how deep the
    /// includes go; an included file is read through
    /// [`crate::input::read_inside`], never through a link.
    pub(super) fn requirements(
        &mut self,
        cx: &mut Cx,
        file: &str,
        included: Option<(String, usize)>,
    ) {
        if self.files.iter().any(|f| f == file) {
            return;
        }
        self.files.push(file.to_string());
        let depth = included.as_ref().map_or(0, |(_, depth)| *depth);
        let text = match &included {
            None => crate::languages::support::read(&cx.context.join(file)),
            Some((at, _)) => match crate::input::read_inside(&cx.root, &cx.in_context(file)) {
                Ok(text) => text,
                Err(refused) => {
                    let refusal = crate::languages::support::refusal(at, &refused);
                    cx.diagnostics.push(refusal);
                    return;
                }
            },
        };
        let Some(text) = text else {
            return;
        };
        let base = file.rfind('/').map_or("", |cut| &file[..cut]);
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split(" #").next().unwrap_or("").trim();
            let words: Vec<&str> = line.split_whitespace().collect();
            let (option, value) = match words.as_slice() {
                [
                    option @ ("-r" | "--requirement" | "-c" | "--constraint"),
                    value,
                    ..,
                ] => (Some(*option), *value),
                [word, ..] => match word.split_once('=') {
                    Some((option @ ("--requirement" | "--constraint"), value)) => {
                        (Some(option), value)
                    }
                    _ => (None, *word),
                },
                [] => continue,
            };
            match option {
                Some(_) => {
                    match crate::languages::support::join_relative(base, value) {
                        Some(path) if crate::plan::rules::safe_relative(&path) && depth < 16 => {
                            let at = format!("{file}:{}:{}", index + 1, column(raw, value));
                            self.requirements(cx, &path, Some((at, depth + 1)))
                        }
                        _ => cx.diagnostics.push(
                            crate::diagnostic::Diagnostic::new(format!(
                                "`{file}:{}:{}`: the included file `{}` is not inside the build context",
                                index + 1,
                                column(raw, value),
                                crate::text::shown_value(value)
                            ))
                            .with_help("a Dockerfile can only copy from its context: keep included requirement files under the manifest's directory"),
                        ),
                    }
                }
                None => {
                    let target = match value {
                        "-e" | "--editable" => words.get(1).copied().unwrap_or(""),
                        other => other.strip_prefix("--editable=").unwrap_or(other),
                    };
                    if is_local(target) {
                        self.local = true;
                    }
                }
            }
        }
    }

    /// A Pipfile installs from its lock, which must be there: a build
    /// that locks anew is not reproducible.
    pub(super) fn pipfile(&mut self, cx: &mut Cx, file: &str) {
        let lock = format!("{file}.lock");
        self.files.push(file.to_string());
        self.files.push(lock.clone());
        if !cx.exists(&lock) {
            cx.diagnostics.push(
                crate::diagnostic::Diagnostic::new(format!(
                    "`{file}` has no `{lock}` beside it: the image would install whatever resolves today"
                ))
                .with_help("run `pipenv lock` and commit Pipfile.lock; the build installs exactly what it pins, with hashes"),
            );
        }
        let parsed: Option<toml::Table> = crate::languages::support::read(&cx.context.join(file))
            .and_then(|text| toml::from_str(&text).ok());
        self.local = parsed.as_ref().is_some_and(|pipfile| {
            ["packages"].iter().any(|section| {
                pipfile
                    .get(*section)
                    .and_then(|s| s.as_table())
                    .is_some_and(|packages| {
                        packages.values().any(|spec| {
                            spec.get("path").is_some()
                                || spec
                                    .get("file")
                                    .is_some_and(|f| f.as_str().is_some_and(is_local))
                        })
                    })
            })
        });
    }

    /// uv and poetry install from their lock, which must be beside the
    /// pyproject.toml.
    pub(super) fn locked_pyproject(&mut self, cx: &mut Cx, file: &str, lock: &str, command: &str) {
        self.pyproject(cx, file);
        let dir = file.rfind('/').map_or("", |cut| &file[..=cut]);
        let lock = format!("{dir}{lock}");
        if !cx.exists(&lock) {
            cx.diagnostics.push(
                crate::diagnostic::Diagnostic::new(format!(
                    "`{file}` has no `{lock}` beside it: the image would install whatever resolves today"
                ))
                .with_help(format!("run `{command}` and commit the lockfile; the build installs exactly what it pins")),
            );
        }
        self.files.push(lock);
    }

    pub(super) fn pyproject(&mut self, cx: &mut Cx, file: &str) {
        self.files.push(file.to_string());
        let parsed: Option<toml::Table> = crate::languages::support::read(&cx.context.join(file))
            .and_then(|text| toml::from_str(&text).ok());
        match parsed {
            Some(pyproject) => self.package = pyproject.contains_key("build-system"),
            None => cx.diagnostics.push(
                crate::diagnostic::Diagnostic::new(format!("`{file}` is not valid TOML"))
                    .with_help("fix the file: shipit reads it to tell a package (with `[build-system]`) from an application"),
            ),
        }
    }
}

/// The 1-based column, in characters, of `word` in `line`.
fn column(line: &str, word: &str) -> usize {
    line.find(word).map_or(0, |at| line[..at].chars().count()) + 1
}

/// A requirement that is a local path rather than a package from an index.
pub(super) fn is_local(requirement: &str) -> bool {
    requirement == "."
        || requirement.starts_with("./")
        || requirement.starts_with("../")
        || requirement.starts_with('/')
        || requirement.starts_with("file:")
}

/// A member of a uv workspace: `build.context` is above the manifest and
/// the context root has uv.lock and a pyproject.toml with
/// `[tool.uv.workspace]`. Its `members` globs, minus `exclude`.
pub(super) fn uv_workspace(cx: &mut Cx) -> Option<Vec<String>> {
    if cx.member.is_empty() {
        return None;
    }
    let path = cx.root.join("pyproject.toml");
    let text = crate::languages::support::read(&path)?;
    let root: toml::Table = match toml::from_str(&text) {
        Ok(root) => root,
        Err(error) => {
            let at = error.span().map_or(String::new(), |span| {
                let (line, column) = crate::diagnostic::line_col(&text, span.start);
                format!(":{line}:{column}")
            });
            cx.error(
                "build.context",
                format!(
                    "the workspace's `{}{at}` is not valid TOML: {}",
                    path.display(),
                    error.message().trim_end()
                ),
                "fix it: the workspace root's pyproject.toml says whether this is a uv workspace",
            );
            return None;
        }
    };
    let workspace = root.get("tool")?.get("uv")?.get("workspace")?;
    // Without the workspace lock, installing the member on its own would
    // fetch its workspace dependencies from an index by name.
    if !cx.root_exists("uv.lock") {
        cx.error(
            "build.context",
            "the uv workspace at `build.context` has no uv.lock",
            "run `uv lock` at the workspace root and commit uv.lock",
        );
        return None;
    }
    let list = |key: &str| -> Vec<String> {
        workspace
            .get(key)
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut patterns = list("members");
    patterns.extend(list("exclude").into_iter().map(|p| format!("!{p}")));
    Some(patterns)
}

/// A uv workspace member installs at the root, from the workspace lock:
/// the root pyproject.toml, uv.lock and every member's pyproject.toml are
/// what `uv sync --locked` reads. Returns them and the member's package
/// name, from its own pyproject.toml.
pub(super) fn workspace_dependencies(
    cx: &mut Cx,
    patterns: Vec<String>,
) -> (Dependencies, Option<String>) {
    let members = crate::languages::members::copied_members(
        cx,
        &patterns,
        "pyproject.toml",
        (
            "pyproject.toml",
            "the root pyproject.toml's `[tool.uv.workspace].members`",
        ),
    );
    let own = cx.member_dir().to_string();
    let pyproject: Option<toml::Table> =
        crate::languages::support::read(&cx.context.join("pyproject.toml"))
            .and_then(|text| toml::from_str(&text).ok());
    let name = pyproject
        .as_ref()
        .and_then(|p| p.get("project"))
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    let name = match name {
        // PEP 508: a letter or digit at both ends, so never a flag.
        Some(name)
            if crate::plan::rules::made_of(&name, "._-")
                && name.starts_with(|c: char| c.is_ascii_alphanumeric())
                && name.ends_with(|c: char| c.is_ascii_alphanumeric()) =>
        {
            name
        }
        _ => {
            cx.error(
                "build.context",
                format!("`{own}/pyproject.toml` has no `[project] name` that `uv sync --package` can take"),
                "give the member a `[project]` table with a PEP 508 `name`: letters, digits, `.`, `_`, `-`, starting and ending with a letter or digit",
            );
            String::new()
        }
    };
    let mut files = vec!["pyproject.toml".to_string(), "uv.lock".to_string()];
    files.extend(members.iter().map(|m| format!("{m}/pyproject.toml")));
    let deps = Dependencies {
        files,
        local: false,
        package: pyproject.is_some_and(|p| p.contains_key("build-system")),
    };
    (deps, Some(name))
}
