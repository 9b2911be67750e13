//! Python: dependencies installed into a virtualenv in `python:<v>`, the
//! venv and the app copied onto `python:<v>-slim` of the same Debian release.

mod app;
mod dependencies;
mod detect;
mod program;
mod server;

pub(crate) use app::names_path;

use serde::Serialize;

use crate::manifest::{Artifact, PythonManager};
use crate::plan::context::{Cx, LanguageDefaults};
use crate::plan::image::DEBIAN;
use dependencies::{Dependencies, Installer, uv_workspace, workspace_dependencies};
use detect::{DETECTED, detect, recognises};

pub(crate) struct Python;

impl crate::languages::support::Support for Python {
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
        crate::languages::support::read(&dir.join("pyproject.toml"))
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
    ) -> anyhow::Result<crate::languages::support::Draft> {
        detect(dir, root, manager)
    }
}

const VERSION: &str = "3.13";

/// Where the builder creates the virtualenv; the same path in the runtime,
/// since a venv's interpreter link is absolute.
const VENV: &str = "/opt/venv";

/// pipenv, pinned: it exports the lock in the builder and never reaches the
/// runtime, so only the builder's behaviour depends on it.
const PIPENV: &str = "pipenv==2026.10.3";

/// poetry, pinned, likewise.
const POETRY: &str = "poetry==2.5.1";

/// uv, copied from its official image (a pinned version) as uv's Docker
/// guide does.
const UV_IMAGE: &str = "ghcr.io/astral-sh/uv:0.13.9";

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
    files: Vec<crate::languages::support::CopyGroup>,
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
    program::warn_missing_program(cx);
    program::warn_needs_argument(cx);
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
            files: crate::languages::support::copy_groups(&deps.files),
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

/// `.python-version` (its minor version), else pyproject's
/// `requires-python` or Pipfile's `python_version`, resolved to the default
/// when it allows it, else the newest release it allows.
fn project_version(cx: &Cx) -> Option<(String, String)> {
    // Where uv and pyenv look: the project's directory, then each one
    // above it up to the workspace root (the build context).
    let member = cx.member_dir();
    let mut dirs = vec![(cx.context.clone(), String::new())];
    let mut parts: Vec<&str> = member.split('/').filter(|p| !p.is_empty()).collect();
    while parts.pop().is_some() {
        let relative = parts.join("/");
        let shown = match relative.as_str() {
            "" => "the workspace root's ".to_string(),
            dir => format!("{dir}/"),
        };
        dirs.push((cx.root.join(&relative), shown));
    }
    for (dir, shown) in dirs {
        let Some(text) = crate::languages::support::read(&dir.join(".python-version")) else {
            continue;
        };
        let written = text.lines().next().unwrap_or("").trim();
        if let Some(minor) =
            crate::languages::versions::version_prefix(written, 2).filter(|v| v.contains('.'))
        {
            return Some((minor, format!("{shown}.python-version: {written}")));
        }
    }
    let read = |file: &str| -> Option<toml::Table> {
        toml::from_str(&crate::languages::support::read(&cx.context.join(file))?).ok()
    };
    if let Some(pyproject) = read("pyproject.toml")
        && let Some(range) = pyproject
            .get("project")
            .and_then(|p| p.get("requires-python"))
            .and_then(|r| r.as_str())
    {
        let default: u32 = VERSION.trim_start_matches("3.").parse().unwrap_or(13);
        let minor = crate::languages::versions::choose(
            default,
            &crate::languages::versions::PYTHON_MINORS,
            |m| crate::languages::versions::python_specifiers_allow(range, m),
        )?;
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

/// Whether `dir`'s pyproject.toml is built by maturin: a Rust crate
/// packaged for PyPI.
pub(crate) fn built_by_maturin(dir: &std::path::Path) -> bool {
    crate::languages::support::read(&dir.join("pyproject.toml"))
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|table| {
            table
                .get("build-system")
                .and_then(|b| b.get("build-backend"))
                .and_then(|b| b.as_str())
                == Some("maturin")
        })
}
