//! Python: dependencies installed into a virtualenv in `python:<v>`, the
//! venv and the app copied onto `python:<v>-slim` of the same Debian release.

use serde::Serialize;

use super::DEBIAN;
use crate::manifest::{Artifact, PythonManager};
use crate::plan::{Cx, LanguageDefaults};

pub(crate) struct Python;

impl super::Support for Python {
    fn defaults(&self, cx: &mut Cx) -> LanguageDefaults {
        defaults(cx)
    }

    fn recognises(&self, dir: &std::path::Path) -> bool {
        recognises(dir)
    }

    fn looked_for(&self) -> &'static str {
        "`requirements.txt`, `Pipfile`, `pyproject.toml`, `uv.lock` or `poetry.lock`"
    }

    fn starter(&self) -> &'static str {
        "pip freeze > requirements.txt"
    }

    fn chooses_manager(&self) -> bool {
        true
    }

    fn workspace_root(&self, dir: &std::path::Path) -> bool {
        super::read(&dir.join("pyproject.toml"))
            .and_then(|text| text.parse::<toml::Table>().ok())
            .is_some_and(|pyproject| {
                pyproject
                    .get("tool")
                    .and_then(|t| t.get("uv"))
                    .and_then(|u| u.get("workspace"))
                    .is_some()
            })
    }

    fn detect(
        &self,
        dir: &std::path::Path,
        root: &std::path::Path,
        manager: Option<&str>,
    ) -> anyhow::Result<super::Draft> {
        detect(dir, root, manager)
    }
}

const VERSION: &str = "3.13";
/// Where the builder creates the virtualenv; the same path in the runtime,
/// since a venv's interpreter link is absolute.
const VENV: &str = "/opt/venv";
/// What is looked for beside the manifest when neither `python.manager` nor
/// `python.requirements` says, in order: lockfiles first.
const DETECTED: [(&str, PythonManager, &str); 5] = [
    ("uv.lock", PythonManager::Uv, "pyproject.toml"),
    ("poetry.lock", PythonManager::Poetry, "pyproject.toml"),
    ("Pipfile", PythonManager::Pipenv, "Pipfile"),
    ("requirements.txt", PythonManager::Pip, "requirements.txt"),
    ("pyproject.toml", PythonManager::Pip, "pyproject.toml"),
];

/// pipenv, pinned: it exports the lock in the builder and never reaches the
/// runtime, so only the builder's behaviour depends on it.
const PIPENV: &str = "pipenv==2026.10.3";
/// poetry, pinned, likewise.
const POETRY: &str = "poetry==2.5.1";
/// uv, copied from its official image (a pinned version) as uv's Docker
/// guide does.
const UV_IMAGE: &str = "ghcr.io/astral-sh/uv:0.13.9";

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Installer {
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

#[derive(Serialize)]
struct Settings {
    requirements: String,
    /// The directory holding the dependency file, with a trailing `/`, or
    /// `""` for the context root.
    dir: String,
    installer: Installer,
    venv: &'static str,
    /// What the dependency step needs from the context, by directory: the
    /// dependency file and every file it includes (`-r`, `-c`), or the
    /// Pipfile and its lock.
    files: Vec<super::CopyGroup>,
    /// The dependencies name local paths (`-e .`, `./lib`): those install
    /// only once the source is copied.
    local: bool,
    /// A pyproject with a `[build-system]`: the project is a package and
    /// is installed itself; without one it is an application whose
    /// dependencies alone are installed.
    package: bool,
    pipenv: &'static str,
    poetry: &'static str,
    manager: PythonManager,
    /// A uv workspace member: its package name (`uv sync --package`).
    uv_package: Option<String>,
}

fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.python.clone().unwrap_or_default();
    let version = cx.version(VERSION, project_version(cx));
    let workspace = uv_workspace(cx);
    let (manager, requirements) = match &workspace {
        Some(_) if table.manager.is_none_or(|m| m == PythonManager::Uv) => {
            (PythonManager::Uv, "pyproject.toml".to_string())
        }
        _ => choose(cx, &table),
    };
    let installer = match manager {
        PythonManager::Pipenv => Installer::Pipenv,
        PythonManager::Uv => Installer::Uv,
        PythonManager::Poetry => Installer::Poetry,
        PythonManager::Pip if requirements.rsplit('/').next() == Some("pyproject.toml") => {
            Installer::Pyproject
        }
        PythonManager::Pip => Installer::Requirements,
    };
    let dir = requirements
        .rfind('/')
        .map(|cut| requirements[..=cut].to_string())
        .unwrap_or_default();

    let (deps, uv_package) = match workspace {
        Some(members) if installer == Installer::Uv => workspace_dependencies(cx, members),
        _ => {
            let mut deps = Dependencies::read(cx, &requirements, installer);
            deps.files = deps.files.iter().map(|f| cx.in_context(f)).collect();
            (deps, None)
        }
    };
    // What the Dockerfile names is relative to the context root.
    let dir = match (&uv_package, dir.as_str()) {
        (Some(_), _) => String::new(),
        (None, dir) => cx.in_context(dir),
    };
    let requirements = cx.in_context(&requirements);
    let (build_workdir, app_workdir) = cx.app_dirs();
    // A workspace member runs from its own directory in the tree.
    let workdir = cx.member_workdir(&app_workdir);
    LanguageDefaults {
        builder_image: format!("python:{version}-{DEBIAN}"),
        runtime_base: format!("python:{version}-slim-{DEBIAN}"),
        build_workdir: build_workdir.clone(),
        build_env: Default::default(),
        helpers: match installer {
            Installer::Uv => [("uv".to_string(), UV_IMAGE.to_string())].into(),
            _ => Default::default(),
        },
        build_packages: Vec::new(),
        runtime_packages: Vec::new(),
        artifacts: vec![
            Artifact {
                from: VENV.into(),
                to: VENV.into(),
            },
            Artifact {
                from: build_workdir,
                to: app_workdir,
            },
        ],
        entrypoint: None,
        runtime_workdir: Some(workdir),
        init: true,
        links_libc: true,
        version,
        ignore: vec![
            "**/__pycache__".into(),
            "**/*.py[cod]".into(),
            "**/.venv".into(),
            format!("{}venv", cx.member),
            "**/.pytest_cache".into(),
            "**/.mypy_cache".into(),
            "**/.ruff_cache".into(),
            "**/*.egg-info".into(),
            format!("{}build", cx.member),
            format!("{}dist", cx.member),
        ],
        settings: serde_json::to_value(Settings {
            dir,
            requirements,
            installer,
            venv: VENV,
            files: super::copy_groups(&deps.files),
            local: deps.local,
            package: deps.package,
            pipenv: PIPENV,
            poetry: POETRY,
            manager,
            uv_package,
        })
        .unwrap_or_default(),
    }
}

/// A member of a uv workspace: `build.context` is above the manifest and
/// the context root has uv.lock and a pyproject.toml with
/// `[tool.uv.workspace]`. Its `members` globs, minus `exclude`.
fn uv_workspace(cx: &mut Cx) -> Option<Vec<String>> {
    if cx.member.is_empty() {
        return None;
    }
    let text = super::read(&cx.root.join("pyproject.toml"))?;
    let root: toml::Table = match toml::from_str(&text) {
        Ok(root) => root,
        Err(error) => {
            cx.error(
                "build.context",
                format!(
                    "the pyproject.toml at `build.context` is not valid TOML: {}",
                    error.message()
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
fn workspace_dependencies(cx: &mut Cx, patterns: Vec<String>) -> (Dependencies, Option<String>) {
    let members = super::copied_members(
        cx,
        &patterns,
        "pyproject.toml",
        "the root pyproject.toml's `[tool.uv.workspace].members`",
    );
    let own = cx.member_dir().to_string();
    let pyproject: Option<toml::Table> =
        super::read(&cx.context.join("pyproject.toml")).and_then(|text| toml::from_str(&text).ok());
    let name = pyproject
        .as_ref()
        .and_then(|p| p.get("project"))
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    let name = match name {
        // PEP 508: a letter or digit at both ends, so never a flag.
        Some(name)
            if crate::plan::made_of(&name, "._-")
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

/// What the dependency file says about the install, read from the build
/// context.
#[derive(Default)]
struct Dependencies {
    /// Context-relative files the install reads, in order, without repeats.
    files: Vec<String>,
    local: bool,
    package: bool,
}

/// `.python-version` (its minor version), else pyproject's
/// `requires-python` or Pipfile's `python_version`, resolved to the default
/// when it allows it, else the newest release it allows.
fn project_version(cx: &Cx) -> Option<(String, String)> {
    if let Some(text) = super::read(&cx.context.join(".python-version")) {
        let written = text.lines().next().unwrap_or("").trim();
        if let Some(minor) = crate::init::version_prefix(written, 2).filter(|v| v.contains('.')) {
            return Some((minor, format!(".python-version: {written}")));
        }
    }
    let read = |file: &str| -> Option<toml::Table> {
        toml::from_str(&super::read(&cx.context.join(file))?).ok()
    };
    if let Some(pyproject) = read("pyproject.toml")
        && let Some(range) = pyproject
            .get("project")
            .and_then(|p| p.get("requires-python"))
            .and_then(|r| r.as_str())
    {
        let default: u32 = VERSION.trim_start_matches("3.").parse().unwrap_or(13);
        let minor = super::versions::choose(default, &super::versions::PYTHON_MINORS, |m| {
            super::versions::python_specifiers_allow(range, m)
        })?;
        return Some((
            format!("3.{minor}"),
            format!("pyproject.toml: requires-python \"{range}\""),
        ));
    }
    let pipfile = read("Pipfile")?;
    let version = pipfile.get("requires")?.get("python_version")?.as_str()?;
    Some((
        version.to_string(),
        format!("Pipfile: python_version \"{version}\""),
    ))
}

/// The manager and its dependency file: as the manifest says, else from
/// the other of the two, else from what is beside the manifest.
fn choose(cx: &mut Cx, table: &crate::manifest::PythonTable) -> (PythonManager, String) {
    if let Some(file) = &table.requirements {
        cx.context_path("python.requirements", file);
    }
    let name = |file: &str| file.rsplit('/').next().unwrap_or(file).to_string();
    match (table.manager, &table.requirements) {
        (Some(manager), Some(file)) => {
            let expected = match manager {
                PythonManager::Pipenv => Some("Pipfile"),
                PythonManager::Uv | PythonManager::Poetry => Some("pyproject.toml"),
                PythonManager::Pip => None,
            };
            let fits = match expected {
                Some(expected) => name(file) == expected,
                None => name(file) != "Pipfile",
            };
            if !fits {
                cx.error(
                    "python.requirements",
                    format!("`python.manager = \"{}\"` does not install from `{file}`", manager.key()),
                    match expected {
                        Some(expected) => format!("{} reads `{expected}`: point `python.requirements` at it, or remove the key", manager.key()),
                        None => "pip reads a requirements file or a pyproject.toml; a Pipfile is pipenv's".to_string(),
                    },
                );
            }
            (manager, file.clone())
        }
        (Some(manager), None) => {
            let file = match manager {
                PythonManager::Pipenv => "Pipfile",
                PythonManager::Uv | PythonManager::Poetry => "pyproject.toml",
                PythonManager::Pip
                    if !cx.exists("requirements.txt") && cx.exists("pyproject.toml") =>
                {
                    "pyproject.toml"
                }
                PythonManager::Pip => "requirements.txt",
            };
            (manager, file.to_string())
        }
        (None, Some(file)) => {
            let dir = file.rfind('/').map_or("", |cut| &file[..=cut]);
            let manager = match name(file).as_str() {
                "Pipfile" => PythonManager::Pipenv,
                "pyproject.toml" if cx.exists(&format!("{dir}uv.lock")) => PythonManager::Uv,
                "pyproject.toml" if cx.exists(&format!("{dir}poetry.lock")) => {
                    PythonManager::Poetry
                }
                _ => PythonManager::Pip,
            };
            (manager, file.clone())
        }
        (None, None) => match DETECTED.iter().find(|(found, _, _)| cx.exists(found)) {
            Some((_, manager, file)) => (*manager, file.to_string()),
            None => {
                let context = cx.context.display().to_string();
                let looked: Vec<&str> = DETECTED.iter().map(|(file, _, _)| *file).collect();
                cx.error(
                    "language",
                    format!("no Python dependency file found in `{context}`"),
                    format!(
                        "looked for {}; add one, or set `python.requirements`",
                        crate::suggest::backticked(&looked)
                    ),
                );
                (PythonManager::Pip, "requirements.txt".to_string())
            }
        },
    }
}

impl Dependencies {
    fn read(cx: &mut Cx, file: &str, installer: Installer) -> Dependencies {
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
            Installer::Requirements => deps.requirements(cx, file, 0),
            Installer::Pipenv => deps.pipfile(cx, file),
            Installer::Pyproject => deps.pyproject(cx, file),
            Installer::Uv => deps.locked_pyproject(cx, file, "uv.lock", "uv lock"),
            Installer::Poetry => deps.locked_pyproject(cx, file, "poetry.lock", "poetry lock"),
        }
        deps
    }

    /// A requirements file and, recursively, what it includes: `-r` and
    /// `-c` name files relative to the including file, as pip reads them.
    fn requirements(&mut self, cx: &mut Cx, file: &str, depth: usize) {
        if self.files.iter().any(|f| f == file) {
            return;
        }
        self.files.push(file.to_string());
        let Some(text) = super::read(&cx.context.join(file)) else {
            return;
        };
        let base = file.rfind('/').map_or("", |cut| &file[..cut]);
        for (index, line) in text.lines().enumerate() {
            let line = line.split(" #").next().unwrap_or("").trim();
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
                    match super::join_relative(base, value) {
                        Some(path) if super::safe_relative(&path) && depth < 16 => {
                            self.requirements(cx, &path, depth + 1)
                        }
                        _ => cx.diagnostics.push(
                            crate::diagnostic::Diagnostic::new(format!(
                                "`{file}` line {}: the included file `{value}` is not inside the build context",
                                index + 1
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
    fn pipfile(&mut self, cx: &mut Cx, file: &str) {
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
        let parsed: Option<toml::Table> =
            super::read(&cx.context.join(file)).and_then(|text| toml::from_str(&text).ok());
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
    fn locked_pyproject(&mut self, cx: &mut Cx, file: &str, lock: &str, command: &str) {
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

    fn pyproject(&mut self, cx: &mut Cx, file: &str) {
        self.files.push(file.to_string());
        let parsed: Option<toml::Table> =
            super::read(&cx.context.join(file)).and_then(|text| toml::from_str(&text).ok());
        match parsed {
            Some(pyproject) => self.package = pyproject.contains_key("build-system"),
            None => cx.diagnostics.push(
                crate::diagnostic::Diagnostic::new(format!("`{file}` is not valid TOML"))
                    .with_help("fix the file: shipit reads it to tell a package (with `[build-system]`) from an application"),
            ),
        }
    }
}

/// A requirement that is a local path rather than a package from an index.
fn is_local(requirement: &str) -> bool {
    requirement == "."
        || requirement.starts_with("./")
        || requirement.starts_with("../")
        || requirement.starts_with('/')
        || requirement.starts_with("file:")
}

fn recognises(dir: &std::path::Path) -> bool {
    DETECTED.iter().any(|(file, _, _)| dir.join(file).is_file())
}

/// The manager: `--manager`, else the one lockfile beside the sources
/// (several are ambiguous: the user chooses), else pip.
fn detect_manager(
    dir: &std::path::Path,
    chosen: Option<&str>,
    draft: &mut super::Draft,
) -> anyhow::Result<PythonManager> {
    let all = [
        PythonManager::Pip,
        PythonManager::Pipenv,
        PythonManager::Poetry,
        PythonManager::Uv,
    ];
    if let Some(chosen) = chosen {
        let manager = all.into_iter().find(|m| m.key() == chosen).ok_or_else(|| {
            anyhow::anyhow!("`--manager {chosen}` is not a Python package manager; accepted: `pip`, `pipenv`, `poetry`, `uv`")
        })?;
        draft.reason(format!("--manager: {chosen}"));
        return Ok(manager);
    }
    let locks: Vec<&(&str, PythonManager, &str)> = DETECTED[..3]
        .iter()
        .filter(|(file, _, _)| dir.join(file).is_file())
        .collect();
    match locks.as_slice() {
        [] => {
            draft.reason("no uv.lock, poetry.lock or Pipfile: pip");
            Ok(PythonManager::Pip)
        }
        [(file, manager, _)] => {
            draft.reason(format!("{file} → manager {}", manager.key()));
            Ok(*manager)
        }
        several => anyhow::bail!(
            "`{}` has the files of several Python package managers ({}); pass `--manager` with one of {}",
            dir.display(),
            several
                .iter()
                .map(|(file, _, _)| format!("`{file}`"))
                .collect::<Vec<_>>()
                .join(", "),
            several
                .iter()
                .map(|(_, m, _)| format!("`{}`", m.key()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// From the dependency file: the manager, the version
/// (`.python-version`, `requires-python` or Pipfile's `python_version`)
/// and the server to start (gunicorn, uvicorn, flask), else `python
/// <module>.py`.
fn detect(
    dir: &std::path::Path,
    root: &std::path::Path,
    manager: Option<&str>,
) -> anyhow::Result<super::Draft> {
    let mut draft = super::Draft::default();
    // A workspace's lock is at its root.
    let manager = detect_manager(root, manager, &mut draft)?;
    let file = match manager {
        PythonManager::Pipenv => "Pipfile",
        PythonManager::Uv | PythonManager::Poetry => "pyproject.toml",
        PythonManager::Pip if dir.join("requirements.txt").is_file() => "requirements.txt",
        PythonManager::Pip if dir.join("pyproject.toml").is_file() => "pyproject.toml",
        PythonManager::Pip => "requirements.txt",
    };
    let path = dir.join(file);
    let text = super::read(&path)
        .ok_or_else(|| anyhow::anyhow!("cannot read `{}` as UTF-8 text", path.display()))?;
    draft.reason(format!("dependencies: {file}"));
    let parsed: Option<toml::Table> = if file == "requirements.txt" {
        None
    } else {
        let table = toml::from_str(&text).map_err(|error: toml::de::Error| {
            anyhow::anyhow!(
                "`{}` is not valid TOML: {}",
                path.display(),
                error.message().trim_end()
            )
        })?;
        Some(table)
    };
    if let Some(name) = parsed
        .as_ref()
        .and_then(|t| t.get("project")?.get("name")?.as_str().map(str::to_string))
    {
        draft.name = Some(name);
    }

    let pinned = super::read(&dir.join(".python-version"))
        .and_then(|v| crate::init::version_prefix(v.trim(), 2))
        .map(|v| (v, ".python-version"));
    let declared = parsed.as_ref().and_then(|t| {
        let requires_python = t.get("project").and_then(|p| p.get("requires-python"));
        let pipfile = t.get("requires").and_then(|r| r.get("python_version"));
        let constraint = requires_python.or(pipfile)?.as_str()?;
        crate::init::version_prefix(constraint, 2).map(|v| (v, file))
    });
    if let Some((version, from)) = pinned.or(declared) {
        draft.reason(format!("{from}: Python {version}"));
        draft.build("version", version);
    }

    let module = ["app", "main", "wsgi", "server"]
        .into_iter()
        .find(|m| dir.join(format!("{m}.py")).is_file())
        .unwrap_or("main");
    // Package names as whole tokens: `uvicorn[standard]` and
    // `Flask==3.1` count, `flask-cors` is not flask.
    let deps = text.to_lowercase();
    let tokens: Vec<&str> = deps
        .split(|c: char| !(c.is_ascii_alphanumeric() || "_-".contains(c)))
        .collect();
    let has = |package: &str| tokens.contains(&package);
    let words =
        |list: &[&str]| toml::Value::Array(list.iter().map(|w| toml::Value::from(*w)).collect());
    let target = format!("{module}:app");
    if has("gunicorn") {
        draft.reason("gunicorn in the dependencies → served by gunicorn");
        draft.runtime(
            "entrypoint",
            words(&["gunicorn", "--bind", "0.0.0.0:8000", &target]),
        );
        draft.runtime("ports", toml::Value::Array(vec![8000.into()]));
    } else if has("uvicorn") {
        draft.reason("uvicorn in the dependencies → served by uvicorn");
        draft.runtime(
            "entrypoint",
            words(&["uvicorn", "--host", "0.0.0.0", "--port", "8000", &target]),
        );
        draft.runtime("ports", toml::Value::Array(vec![8000.into()]));
    } else if has("flask") {
        draft.reason("flask in the dependencies → `flask run`");
        draft.runtime(
            "entrypoint",
            words(&["flask", "run", "--host=0.0.0.0", "--port=8000"]),
        );
        draft.runtime("ports", toml::Value::Array(vec![8000.into()]));
        let mut env = toml::Table::new();
        env.insert("FLASK_APP".into(), format!("{module}.py").into());
        draft.runtime("env", toml::Value::Table(env));
    } else {
        draft.reason(format!("no known server → `python {module}.py`"));
        draft.runtime("entrypoint", words(&["python", &format!("{module}.py")]));
    }
    draft.table("manager", manager.key());
    draft.table("requirements", file);
    Ok(draft)
}
