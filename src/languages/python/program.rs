//! What the image runs, checked against the project: a script, or the
//! module a WSGI/ASGI server imports, that exists in neither the project
//! nor its `src/` fails only when the container starts. A warning, never
//! an error: the module may come from an installed package.

use crate::plan::context::Cx;

/// Servers that import `module:attribute`, and their options that take a
/// value (a directory the module is imported from is one of them).
const SERVERS: [&str; 3] = ["gunicorn", "uvicorn", "hypercorn"];
const APP_DIRS: [&str; 3] = ["--app-dir", "--chdir", "--root-path"];

/// Warns about `runtime.entrypoint` and `runtime.cmd`.
pub(super) fn warn_missing_program(cx: &mut Cx) {
    let runtime = &cx.manifest.runtime;
    let commands = [
        ("runtime.entrypoint", runtime.entrypoint.clone()),
        ("runtime.cmd", runtime.cmd.clone()),
    ];
    for (key, words) in commands {
        let Some(words) = words else { continue };
        let Some((shown, candidates)) = target(&words) else {
            continue;
        };
        if candidates.iter().any(|file| cx.exists(file)) {
            continue;
        }
        let looked: Vec<String> = candidates.iter().map(|f| format!("`{f}`")).collect();
        cx.warn(
            key,
            format!(
                "`{key}` runs `{shown}`, but the project has no {}: the container would fail at start",
                looked.join(" or ")
            ),
            "name the file or module that exists (`shipit init --force` drafts one from the project); ignore this if it comes from an installed package",
        );
    }
}

/// Warns when the script the image runs (`python app.py`, with no
/// argument after it) exits without an argument.
pub(super) fn warn_needs_argument(cx: &mut Cx) {
    let runtime = &cx.manifest.runtime;
    let words: Vec<String> = runtime
        .entrypoint
        .iter()
        .chain(runtime.cmd.iter())
        .flatten()
        .cloned()
        .collect();
    // Only `python app.py` as it is: anything after the script is its
    // arguments, the author's to know.
    let [_, file] = words.as_slice() else {
        return;
    };
    if target(&words).is_some_and(|(script, _)| &script == file) {
        crate::languages::arguments::warn_needs_argument(cx, std::slice::from_ref(file), false);
    }
}

/// What a command needs from the project, as it shows it, and the files
/// any of which would do: `python app.py`, `fastapi run app/main.py`, or
/// the `module:app` a server imports.
fn target(words: &[String]) -> Option<(String, Vec<String>)> {
    let program = words.first()?.rsplit('/').next()?;
    let rest = &words[1..];
    // An absolute path is where the image has it, not the project's.
    if program.starts_with("python") {
        let script = rest
            .first()
            .filter(|w| !w.starts_with(['-', '/']) && w.ends_with(".py"))?;
        return Some((script.clone(), vec![script.clone()]));
    }
    if program == "fastapi" {
        let file = rest
            .get(1)
            .filter(|_| rest.first().is_some_and(|w| w == "run" || w == "dev"))?;
        return (file.ends_with(".py") && !file.starts_with('/'))
            .then(|| (file.clone(), vec![file.clone()]));
    }
    if !SERVERS.contains(&program) {
        return None;
    }
    let app = rest.iter().rev().find(|w| is_app(w))?;
    let module = app.split(':').next()?.replace('.', "/");
    let app_dir = rest
        .windows(2)
        .find(|pair| APP_DIRS.contains(&pair[0].as_str()))
        .map(|pair| pair[1].trim_end_matches('/').to_string());
    if app_dir
        .as_deref()
        .is_some_and(|dir| dir.starts_with('/') || dir.contains(".."))
    {
        return None;
    }
    let roots: Vec<String> = match app_dir {
        Some(dir) if !dir.is_empty() && dir != "." => vec![format!("{dir}/")],
        _ => vec![String::new(), "src/".to_string()],
    };
    let candidates = roots
        .iter()
        .flat_map(|root| {
            [
                format!("{root}{module}.py"),
                format!("{root}{module}/__init__.py"),
            ]
        })
        .collect();
    Some((app.clone(), candidates))
}

/// `package.module:attribute` (or `:factory()`), not an address such as
/// `0.0.0.0:8000`.
fn is_app(word: &str) -> bool {
    let Some((module, attribute)) = word.split_once(':') else {
        return false;
    };
    let identifier = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    module.split('.').all(identifier)
        && identifier(
            attribute
                .trim_end_matches("()")
                .split('(')
                .next()
                .unwrap_or(""),
        )
}
