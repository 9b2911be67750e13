//! `init` for Python: what starts the app, from what the project says —
//! a Procfile's `web:` line, `[tool.fastapi]`, Django's `manage.py`, the
//! module that creates the Flask or FastAPI `app` — and the port it serves.

use crate::languages::support::Draft;

/// The port every drafted server binds.
const PORT: i64 = 8000;

/// The production server drafted for a Flask app that names none.
const GUNICORN: &str = "gunicorn==23.0.0";

fn words(list: &[&str]) -> toml::Value {
    toml::Value::Array(list.iter().map(|w| toml::Value::from(*w)).collect())
}

fn serve(draft: &mut Draft, command: &[&str], port: Option<i64>) {
    draft.runtime("entrypoint", words(command));
    if let Some(port) = port {
        draft.runtime("ports", toml::Value::Array(vec![port.into()]));
    }
}

/// Drafts `runtime.entrypoint` (and `runtime.ports`, `runtime.env`) from
/// the dependency file's `text` (its TOML `parsed`, if it is TOML).
pub(super) fn draft_server(
    dir: &std::path::Path,
    text: &str,
    parsed: Option<&toml::Table>,
    steps_free: bool,
    draft: &mut Draft,
) {
    // Package names as whole tokens: `uvicorn[standard]` and
    // `Flask==3.1` count, `flask-cors` is not flask.
    let deps = text.to_lowercase();
    let tokens: Vec<&str> = deps
        .split(|c: char| !(c.is_ascii_alphanumeric() || "_-".contains(c)))
        .collect();
    let has = |package: &str| tokens.contains(&package);
    // FastAPI's documented install brings uvicorn (and its CLI) along.
    let uvicorn =
        has("uvicorn") || deps.contains("fastapi[standard") || deps.contains("fastapi[all");
    if procfile(dir, draft) || fastapi(dir, parsed, uvicorn, draft) || django(dir, &has, draft) {
        return;
    }
    let app = super::app::flaskenv(dir, draft)
        .or_else(|| super::app::find(dir, draft))
        .unwrap_or_else(|| fallback(dir, draft));
    let target = app.target();
    let gunicorn = |draft: &mut Draft| {
        let mut command = vec!["gunicorn", "--bind", "0.0.0.0:8000"];
        if !app.root.is_empty() {
            command.extend(["--chdir", app.root]);
        }
        command.push(&target);
        serve(draft, &command, Some(PORT));
    };
    if has("gunicorn") {
        draft.reason("gunicorn in the dependencies → served by gunicorn");
        gunicorn(draft);
    } else if uvicorn {
        draft.reason("uvicorn in the dependencies → served by uvicorn");
        let mut command = vec!["uvicorn", "--host", "0.0.0.0", "--port", "8000"];
        if !app.root.is_empty() {
            command.extend(["--app-dir", app.root]);
        }
        let factory = target.trim_end_matches("()").to_string();
        if app.factory() {
            command.push("--factory");
        }
        command.push(&factory);
        serve(draft, &command, Some(PORT));
    } else if has("flask") && steps_free {
        // Flask's own server is for development (Flask's deployment
        // guide): gunicorn, pinned, joins the venv at build time.
        draft.reason(format!(
            "flask in the dependencies, no production server: {GUNICORN} installed at build time and serving `{target}` (add gunicorn to the dependencies to lock it)"
        ));
        draft.build(
            "steps",
            toml::Value::Array(vec![
                format!("pip install --no-cache-dir {GUNICORN}").into(),
            ]),
        );
        gunicorn(draft);
    } else if has("flask") {
        draft.reason("flask in the dependencies → `flask run` (a development server: add gunicorn to the dependencies for production)");
        serve(
            draft,
            &["flask", "run", "--host=0.0.0.0", "--port=8000"],
            Some(PORT),
        );
        let mut env = toml::Table::new();
        env.insert("FLASK_APP".into(), target.clone().into());
        draft.runtime("env", toml::Value::Table(env));
    } else {
        draft.reason(format!("no known server → `python {}`", app.file));
        serve(draft, &["python", &app.file], None);
    }
}

/// No module makes the app: the first of `app.py`, `main.py`, `wsgi.py`,
/// `server.py` that exists (else `main.py`), said so.
fn fallback(dir: &std::path::Path, draft: &mut Draft) -> super::app::App {
    let module = ["app", "main", "wsgi", "server"]
        .into_iter()
        .find(|m| crate::languages::support::file_in(dir, &format!("{m}.py")))
        .unwrap_or("main");
    let file = format!("{module}.py");
    let exists = crate::languages::support::file_in(dir, &file);
    draft.reason(match exists {
        true => format!("warning: no module makes the app: `{file}` is taken to hold `app`; check `runtime.entrypoint`"),
        false => format!("warning: no module makes the app and `{file}` does not exist: set `runtime.entrypoint`"),
    });
    super::app::App {
        module: module.to_string(),
        attribute: "app".to_string(),
        root: "",
        file,
    }
}

/// A Procfile's `web:` command, run without a shell: `$PORT` is 8000,
/// and gunicorn binds all interfaces.
fn procfile(dir: &std::path::Path, draft: &mut Draft) -> bool {
    let Some(text) = crate::languages::support::read(&dir.join("Procfile")) else {
        return false;
    };
    let Some(command) = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("web:"))
        .map(str::trim)
    else {
        return false;
    };
    if command.contains(['&', ';', '|', '>', '<', '`', '"', '\'']) {
        draft.reason("Procfile: the `web:` line needs a shell: not used");
        return false;
    }
    // `$PORT`, `${PORT}` and `${PORT:-N}` are the port the platform
    // gives: 8000 here.
    let mut args: Vec<String> = command
        .split_whitespace()
        .map(|w| {
            let mut w = w.replace("${PORT}", "8000").replace("$PORT", "8000");
            while let Some(at) = w.find("${PORT:-") {
                let Some(end) = w[at..].find('}') else { break };
                w.replace_range(at..at + end + 1, "8000");
            }
            w
        })
        .collect();
    if args.iter().any(|a| a.contains('$')) {
        draft.reason("Procfile: the `web:` line uses variables other than `$PORT`: not used");
        return false;
    }
    let Some(program) = args.first().cloned() else {
        return false;
    };
    let gunicorn = program == "gunicorn";
    match args.iter().position(|a| a == "-b" || a == "--bind") {
        Some(at) => {
            if let Some(address) = args.get_mut(at + 1)
                && address.starts_with(':')
            {
                *address = format!("0.0.0.0{address}");
            }
        }
        None if gunicorn => {
            args.splice(1..1, ["-b".to_string(), "0.0.0.0:8000".to_string()]);
        }
        None => {}
    }
    // uvicorn and `flask run` listen on 127.0.0.1 unless told: nothing
    // outside the container could reach them.
    let has_host = args
        .iter()
        .any(|a| a == "--host" || a == "-h" || a.starts_with("--host="));
    let flask_run = program == "flask" && args.get(1).is_some_and(|a| a == "run");
    if !has_host && (program == "uvicorn" || flask_run) {
        let at = if flask_run { 2 } else { 1 };
        args.splice(at..at, ["--host".to_string(), "0.0.0.0".to_string()]);
    }
    let port = bind_port(&args).or(gunicorn.then_some(PORT));
    draft.reason(format!("Procfile: `web: {command}` starts the app"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    serve(draft, &args, port);
    true
}

/// The port of `-b HOST:PORT`, `--bind`, `--port N` or `--port=N`.
fn bind_port(args: &[String]) -> Option<i64> {
    args.windows(2).find_map(|pair| match pair[0].as_str() {
        "-b" | "--bind" => pair[1].rsplit(':').next()?.parse().ok(),
        "--port" | "-p" => pair[1].parse().ok(),
        flag => flag.strip_prefix("--port=")?.parse().ok(),
    })
}

/// `[tool.fastapi] entrypoint = "pkg.main:app"`: uvicorn when the
/// dependencies name it, else `fastapi run` on the module's file.
fn fastapi(
    dir: &std::path::Path,
    parsed: Option<&toml::Table>,
    uvicorn: bool,
    draft: &mut Draft,
) -> bool {
    let Some(entrypoint) =
        parsed.and_then(|t| t.get("tool")?.get("fastapi")?.get("entrypoint")?.as_str())
    else {
        return false;
    };
    let Some(app) = super::app::named(dir, entrypoint).filter(|_| entrypoint.contains(':')) else {
        draft.reason(format!(
            "warning: `[tool.fastapi] entrypoint = \"{}\"` names no `module:app` of the project (in it or in `src/`)",
            crate::text::shown_value(entrypoint)
        ));
        return false;
    };
    let file = &app.file;
    let target = app.target();
    if uvicorn {
        draft.reason(format!(
            "[tool.fastapi]: `{target}` in `{file}`, uvicorn in the dependencies → served by uvicorn"
        ));
        let mut command = vec!["uvicorn", "--host", "0.0.0.0", "--port", "8000"];
        if !app.root.is_empty() {
            command.extend(["--app-dir", app.root]);
        }
        command.push(&target);
        serve(draft, &command, Some(PORT));
    } else {
        draft.reason(format!("[tool.fastapi]: `{target}` → `fastapi run {file}`"));
        serve(
            draft,
            &["fastapi", "run", file, "--port", "8000"],
            Some(PORT),
        );
    }
    true
}

/// Django: `manage.py` and the one `<project>/wsgi.py` beside it.
fn django(dir: &std::path::Path, has: &dyn Fn(&str) -> bool, draft: &mut Draft) -> bool {
    use crate::languages::support::file_in;
    if !file_in(dir, "manage.py") {
        return false;
    }
    let mut projects: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| super::app::identifier(name) && file_in(dir, &format!("{name}/wsgi.py")))
        .collect();
    projects.sort();
    let Some(project) = projects.first() else {
        draft.reason("Django: manage.py, but no `<project>/wsgi.py` beside it");
        return false;
    };
    let target = format!("{project}.wsgi:application");
    collectstatic(dir, project, draft);
    if has("gunicorn") {
        draft.reason(format!(
            "Django: manage.py and `{project}/wsgi.py`, gunicorn in the dependencies → `{target}`"
        ));
        serve(
            draft,
            &["gunicorn", "--bind", "0.0.0.0:8000", &target],
            Some(PORT),
        );
    } else {
        draft.reason(format!(
            "Django: manage.py and `{project}/wsgi.py`; no gunicorn in the dependencies → `manage.py runserver` (a development server)"
        ));
        let command = ["python", "manage.py", "runserver", "0.0.0.0:8000"];
        serve(draft, &command, Some(PORT));
    }
    true
}

/// The settings module the server runs with: `wsgi.py`'s
/// `DJANGO_SETTINGS_MODULE` default (manage.py's may be a development
/// one), else `<project>.settings`.
fn settings_module(dir: &std::path::Path, project: &str) -> String {
    default_settings(dir, &format!("{project}/wsgi.py"))
        .unwrap_or_else(|| format!("{project}.settings"))
}

/// The `DJANGO_SETTINGS_MODULE` a file sets as its default.
fn default_settings(dir: &std::path::Path, file: &str) -> Option<String> {
    let text = crate::languages::support::read_in(dir, file)?;
    let at = text.find("DJANGO_SETTINGS_MODULE")?;
    let value = text[at..].split(['"', '\'']).nth(2)?.to_string();
    value
        .split('.')
        .all(super::app::identifier)
        .then_some(value)
}

/// Django's production path for static files: `collectstatic` gathers
/// them into `STATIC_ROOT` at build time (WhiteNoise or a proxy serves
/// them from there), with the settings the server runs with. The command
/// fails without `STATIC_ROOT`, and exists only with
/// `django.contrib.staticfiles` installed. Settings that require an
/// environment variable (`os.environ["DJANGO_SECRET_KEY"]`) get a
/// placeholder for that one step: collecting files needs no secret.
fn collectstatic(dir: &std::path::Path, project: &str, draft: &mut Draft) {
    let module = settings_module(dir, project);
    let path = module.replace('.', "/");
    // The settings module and, for a settings package, its siblings
    // (`from .base import *`).
    let mut files = vec![format!("{path}.py"), format!("{path}/__init__.py")];
    if let Some((package, _)) = path.rsplit_once('/') {
        for sibling in ["__init__", "base", "common", "production", "prod"] {
            files.push(format!("{package}/{sibling}.py"));
        }
    }
    files.dedup();
    let text: String = files
        .iter()
        .filter_map(|file| crate::languages::support::read_in(dir, file))
        .collect::<Vec<_>>()
        .join("\n");
    if !text.contains("django.contrib.staticfiles") {
        return;
    }
    let defines_root = text.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("STATIC_ROOT") && line["STATIC_ROOT".len()..].trim_start().starts_with('=')
    });
    if !defines_root {
        draft.reason(format!(
            "Django: staticfiles is installed but `{module}` sets no STATIC_ROOT: set it (and serve it with WhiteNoise) to collect static files at build time"
        ));
        return;
    }
    let mut required: Vec<String> = text
        .match_indices("os.environ[")
        .filter_map(|(at, call)| {
            let name = text[at + call.len()..].split(['"', '\'']).nth(1)?;
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            valid.then(|| name.to_string())
        })
        .collect();
    required.sort();
    required.dedup();
    // manage.py runs with its own default, which may be a development
    // module: the server's is named when they differ.
    let mut step = Vec::new();
    if default_settings(dir, "manage.py").as_deref() != Some(module.as_str()) {
        step.push(format!("DJANGO_SETTINGS_MODULE={module}"));
    }
    step.extend(
        required
            .iter()
            .map(|name| format!("{name}=collectstatic-only")),
    );
    step.push("python manage.py collectstatic --noinput".to_string());
    let step = step.join(" ");
    draft.reason(format!(
        "Django: `{module}` sets STATIC_ROOT → `manage.py collectstatic` at build time{}",
        match required.is_empty() {
            true => String::new(),
            false => format!(
                " (with a placeholder for {} it requires)",
                required.join(", ")
            ),
        }
    ));
    draft.build("steps", toml::Value::Array(vec![step.into()]));
}
