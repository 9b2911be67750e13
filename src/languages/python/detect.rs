//! `init` for Python: which dependency file and manager a project has,
//! and the starter manifest for it.

use crate::manifest::PythonManager;

/// What is looked for beside the manifest when neither `python.manager` nor
/// `python.requirements` says, in order: lockfiles first.
pub(super) const DETECTED: [(&str, PythonManager, &str); 5] = [
    ("uv.lock", PythonManager::Uv, "pyproject.toml"),
    ("poetry.lock", PythonManager::Poetry, "pyproject.toml"),
    ("Pipfile", PythonManager::Pipenv, "Pipfile"),
    ("requirements.txt", PythonManager::Pip, "requirements.txt"),
    ("pyproject.toml", PythonManager::Pip, "pyproject.toml"),
];

pub(super) fn recognises(dir: &std::path::Path) -> bool {
    DETECTED.iter().any(|(file, _, _)| dir.join(file).is_file())
}

/// The manager: `--manager`, else the one lockfile beside the sources
/// (several are ambiguous: the user chooses), else pip.
pub(super) fn detect_manager(
    dir: &std::path::Path,
    chosen: Option<&str>,
    draft: &mut crate::languages::support::Draft,
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
pub(super) fn detect(
    dir: &std::path::Path,
    root: &std::path::Path,
    manager: Option<&str>,
) -> anyhow::Result<crate::languages::support::Draft> {
    let mut draft = crate::languages::support::Draft::default();
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
    let text = crate::languages::support::read(&path)
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

    let pinned = crate::languages::support::read(&dir.join(".python-version"))
        .and_then(|v| crate::languages::versions::version_prefix(v.trim(), 2))
        .map(|v| (v, ".python-version"));
    if let Some((version, from)) = pinned {
        draft.reason(format!("{from}: Python {version}"));
        draft.build("version", version);
    } else if let Some(version) = parsed
        .as_ref()
        .and_then(|t| t.get("requires")?.get("python_version")?.as_str())
        .and_then(|v| crate::languages::versions::version_prefix(v, 2))
    {
        // Pipfile's python_version is one version, which pipenv requires.
        draft.reason(format!("{file}: Python {version}"));
        draft.build("version", version);
    } else if let Some(range) = parsed
        .as_ref()
        .and_then(|t| t.get("project")?.get("requires-python")?.as_str())
    {
        // The plan reads it and picks a Python it allows: written down,
        // the lower bound of `>=3.8` would freeze a Python with no image.
        draft.reason(format!(
            "{file}: Python `{}`: the build picks the Python it allows (no `build.version`)",
            crate::text::shown_value(range)
        ));
    }

    // The servers among the dependencies, included files too
    // (`-r requirements/production.txt`).
    let text = match file {
        "requirements.txt" => with_includes(dir, file, text),
        _ => text,
    };
    // `build.steps` replace the install of a pyproject package (pip).
    let steps_free = !(manager == PythonManager::Pip && file == "pyproject.toml");
    super::server::draft_server(dir, &text, parsed.as_ref(), steps_free, &mut draft);
    draft.table("manager", manager.key());
    draft.table("requirements", file);
    Ok(draft)
}

/// A requirements file's text with the text of the files it includes
/// (`-r`, `--requirement`), relative to each including file, read inside
/// the project through no link; at most 32 files.
fn with_includes(dir: &std::path::Path, file: &str, text: String) -> String {
    let mut files = vec![file.to_string()];
    let mut texts = vec![text];
    let mut next = 0;
    while next < texts.len() {
        let base = files[next]
            .rfind('/')
            .map_or("", |cut| &files[next][..cut])
            .to_string();
        let included: Vec<String> = texts[next]
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                let named = line
                    .strip_prefix("-r ")
                    .or_else(|| line.strip_prefix("--requirement "))
                    .or_else(|| line.strip_prefix("--requirement="))?;
                crate::languages::support::join_relative(&base, named.trim())
            })
            .collect();
        for file in included {
            if files.len() < 32
                && !files.contains(&file)
                && let Some(text) = crate::languages::support::read_in(dir, &file)
            {
                files.push(file);
                texts.push(text);
            }
        }
        next += 1;
    }
    texts.join("\n")
}
