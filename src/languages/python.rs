//! Python: dependencies installed into a virtualenv in `python:<v>`, the
//! venv and the app copied onto `python:<v>-slim` of the same Debian release.

use serde::Serialize;

use super::DEBIAN;
use crate::manifest::Artifact;
use crate::plan::{Cx, LanguageDefaults};

const VERSION: &str = "3.13";
/// Where the builder creates the virtualenv; the same path in the runtime,
/// since a venv's interpreter link is absolute.
const VENV: &str = "/opt/venv";
/// Dependency files, in the order they are looked for.
const DETECTED: [&str; 3] = ["requirements.txt", "Pipfile", "pyproject.toml"];

/// pipenv, pinned: it exports the lock in the builder and never reaches the
/// runtime, so only the builder's behaviour depends on it.
const PIPENV: &str = "pipenv==2026.10.3";

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Installer {
    /// `pip install -r FILE`
    Requirements,
    /// `pipenv requirements --hash` exported, then pip-installed
    Pipenv,
    /// `[project] dependencies`, then the project itself when it is a package
    Pyproject,
}

/// Files copied into one directory before the install.
#[derive(Serialize)]
struct CopyGroup {
    /// The destination, `./` or `sub/dir/`.
    dir: String,
    files: Vec<String>,
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
    files: Vec<CopyGroup>,
    /// The dependencies name local paths (`-e .`, `./lib`): those install
    /// only once the source is copied.
    local: bool,
    /// A pyproject with a `[build-system]`: the project is a package and
    /// is installed itself; without one it is an application whose
    /// dependencies alone are installed.
    package: bool,
    pipenv: &'static str,
}

pub(crate) fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.python.clone().unwrap_or_default();
    let version = cx.version(VERSION);
    let requirements = match table.requirements {
        Some(file) => {
            cx.context_path("python.requirements", &file);
            file
        }
        None => match DETECTED.iter().find(|file| cx.exists(file)) {
            Some(file) => file.to_string(),
            None => {
                let context = cx.context.display().to_string();
                cx.error(
                    "language",
                    format!("no Python dependency file found in `{context}`"),
                    format!(
                        "looked for {}; add one, or set `python.requirements`",
                        crate::suggest::backticked(&DETECTED)
                    ),
                );
                DETECTED[0].to_string()
            }
        },
    };
    let file_name = requirements.rsplit('/').next().unwrap_or(&requirements);
    let installer = match file_name {
        "Pipfile" => Installer::Pipenv,
        "pyproject.toml" => Installer::Pyproject,
        _ => Installer::Requirements,
    };
    let dir = requirements
        .rfind('/')
        .map(|cut| requirements[..=cut].to_string())
        .unwrap_or_default();

    let deps = Dependencies::read(cx, &requirements, installer);
    let (build_workdir, workdir) = cx.app_dirs();
    LanguageDefaults {
        builder_image: format!("python:{version}-{DEBIAN}"),
        runtime_base: format!("python:{version}-slim-{DEBIAN}"),
        build_workdir: build_workdir.clone(),
        build_env: Default::default(),
        build_packages: Vec::new(),
        runtime_packages: Vec::new(),
        artifacts: vec![
            Artifact {
                from: VENV.into(),
                to: VENV.into(),
            },
            Artifact {
                from: build_workdir,
                to: workdir.clone(),
            },
        ],
        entrypoint: None,
        runtime_workdir: Some(workdir),
        init: true,
        links_libc: true,
        version,
        settings: serde_json::to_value(Settings {
            dir,
            requirements,
            installer,
            venv: VENV,
            files: deps.groups(),
            local: deps.local,
            package: deps.package,
            pipenv: PIPENV,
        })
        .unwrap_or_default(),
    }
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

    /// The files grouped by directory, in first-seen order, for one `COPY`
    /// each.
    fn groups(&self) -> Vec<CopyGroup> {
        let mut groups: Vec<CopyGroup> = Vec::new();
        for file in &self.files {
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
}

/// A requirement that is a local path rather than a package from an index.
fn is_local(requirement: &str) -> bool {
    requirement == "."
        || requirement.starts_with("./")
        || requirement.starts_with("../")
        || requirement.starts_with('/')
        || requirement.starts_with("file:")
}

pub(crate) fn recognises(dir: &std::path::Path) -> bool {
    DETECTED.iter().any(|file| dir.join(file).is_file())
}

/// From the dependency file: the version (`.python-version`,
/// `requires-python` or Pipfile's `python_version`) and the server to
/// start (gunicorn, uvicorn, flask), else `python <module>.py`.
pub(crate) fn detect(dir: &std::path::Path) -> anyhow::Result<crate::init::Draft> {
    let mut draft = crate::init::Draft::default();
    let file = DETECTED
        .iter()
        .find(|file| dir.join(file).is_file())
        .copied()
        .unwrap_or(DETECTED[0]);
    let text = super::read(&dir.join(file)).unwrap_or_default();
    draft.reason(format!("dependencies: {file}"));
    let parsed: Option<toml::Table> = (file != "requirements.txt")
        .then(|| toml::from_str(&text).ok())
        .flatten();
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
    draft.table("requirements", file);
    Ok(draft)
}
