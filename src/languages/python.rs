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

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Installer {
    /// `pip install -r FILE`
    Requirements,
    /// `pipenv requirements` exported, then pip-installed
    Pipenv,
    /// `pip install .`
    Pyproject,
}

#[derive(Serialize)]
struct Settings {
    requirements: String,
    /// The directory holding the dependency file, with a trailing `/`, or
    /// `""` for the context root.
    dir: String,
    installer: Installer,
    venv: &'static str,
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

    let workdir = cx
        .manifest
        .build
        .workdir
        .clone()
        .unwrap_or_else(|| "/app".into());
    LanguageDefaults {
        builder_image: format!("python:{version}-{DEBIAN}"),
        runtime_base: format!("python:{version}-slim-{DEBIAN}"),
        build_workdir: workdir.clone(),
        build_packages: Vec::new(),
        runtime_packages: Vec::new(),
        artifacts: vec![
            Artifact {
                from: VENV.into(),
                to: VENV.into(),
            },
            Artifact {
                from: workdir.clone(),
                to: "/app".into(),
            },
        ],
        entrypoint: None,
        runtime_workdir: Some("/app".into()),
        version,
        settings: serde_json::to_value(Settings {
            dir: requirements
                .rfind('/')
                .map(|cut| requirements[..=cut].to_string())
                .unwrap_or_default(),
            requirements,
            installer,
            venv: VENV,
        })
        .unwrap_or_default(),
    }
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
    draft.table("requirements", file);
    Ok(draft)
}
