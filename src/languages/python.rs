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
