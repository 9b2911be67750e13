//! `init` for Python: what starts the app, from what the project says —
//! a Procfile's `web:` line, `[tool.fastapi]`, Django's `manage.py`, the
//! module that creates the Flask or FastAPI `app` — and the port it serves.

use crate::languages::support::Draft;

/// The port every drafted server binds.
const PORT: i64 = 8000;

/// The production server drafted for a Flask app that names none.
const GUNICORN: &str = "gunicorn==23.0.0";

/// How many top-level `.py` files are read to find the app module.
const MAX_SCANNED: usize = 64;

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
    if procfile(dir, draft) || fastapi(dir, parsed, &has, draft) || django(dir, &has, draft) {
        return;
    }
    let found = app_module(dir, draft);
    let module = found.clone().unwrap_or_else(|| {
        ["app", "main", "wsgi", "server"]
            .into_iter()
            .find(|m| dir.join(format!("{m}.py")).is_file())
            .unwrap_or("main")
            .to_string()
    });
    if found.is_none() && !dir.join(format!("{module}.py")).is_file() {
        draft.reason(format!(
            "warning: no module creates the app and `{module}.py` does not exist: set `runtime.entrypoint`"
        ));
    }
    let target = format!("{module}:app");
    if has("gunicorn") {
        draft.reason("gunicorn in the dependencies → served by gunicorn");
        serve(
            draft,
            &["gunicorn", "--bind", "0.0.0.0:8000", &target],
            Some(PORT),
        );
    } else if has("uvicorn") {
        draft.reason("uvicorn in the dependencies → served by uvicorn");
        let command = ["uvicorn", "--host", "0.0.0.0", "--port", "8000", &target];
        serve(draft, &command, Some(PORT));
    } else if has("flask") && steps_free {
        // Flask's own server is for development (Flask's deployment
        // guide): gunicorn, pinned, joins the venv at build time.
        draft.reason(format!(
            "flask in the dependencies, no production server: {GUNICORN} installed at build time and serving `{target}` (add gunicorn to the dependencies to lock it)"
        ));
        draft.build(
            "steps",
            toml::Value::Array(vec![format!("pip install {GUNICORN}").into()]),
        );
        serve(
            draft,
            &["gunicorn", "--bind", "0.0.0.0:8000", &target],
            Some(PORT),
        );
    } else if has("flask") {
        draft.reason("flask in the dependencies → `flask run` (a development server: add gunicorn to the dependencies for production)");
        serve(
            draft,
            &["flask", "run", "--host=0.0.0.0", "--port=8000"],
            Some(PORT),
        );
        let mut env = toml::Table::new();
        env.insert("FLASK_APP".into(), format!("{module}.py").into());
        draft.runtime("env", toml::Value::Table(env));
    } else {
        draft.reason(format!("no known server → `python {module}.py`"));
        serve(draft, &["python", &format!("{module}.py")], None);
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
    let mut args: Vec<String> = command
        .split_whitespace()
        .map(|w| w.replace("${PORT}", "8000").replace("$PORT", "8000"))
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
    has: &dyn Fn(&str) -> bool,
    draft: &mut Draft,
) -> bool {
    let Some(entrypoint) =
        parsed.and_then(|t| t.get("tool")?.get("fastapi")?.get("entrypoint")?.as_str())
    else {
        return false;
    };
    let Some((module, _)) = entrypoint.split_once(':') else {
        return false;
    };
    let module_file = format!("{}.py", module.replace('.', "/"));
    // The `src` layout keeps the package one directory down: uvicorn
    // imports it from there (`--app-dir`), whether or not it is installed.
    let Some(root) = ["", "src"]
        .into_iter()
        .find(|root| dir.join(root).join(&module_file).is_file())
    else {
        draft.reason(format!(
            "warning: `[tool.fastapi] entrypoint = \"{entrypoint}\"`, but neither `{module_file}` nor `src/{module_file}` exists"
        ));
        return false;
    };
    let file = if root.is_empty() {
        module_file
    } else {
        format!("{root}/{module_file}")
    };
    if has("uvicorn") {
        draft.reason(format!(
            "[tool.fastapi]: `{entrypoint}` in `{file}`, uvicorn in the dependencies → served by uvicorn"
        ));
        let mut command = vec!["uvicorn", "--host", "0.0.0.0", "--port", "8000"];
        if !root.is_empty() {
            command.extend(["--app-dir", root]);
        }
        command.push(entrypoint);
        serve(draft, &command, Some(PORT));
    } else {
        draft.reason(format!(
            "[tool.fastapi]: `{entrypoint}` → `fastapi run {file}`"
        ));
        serve(
            draft,
            &["fastapi", "run", &file, "--port", "8000"],
            Some(PORT),
        );
    }
    true
}

/// Django: `manage.py` and the one `<project>/wsgi.py` beside it.
fn django(dir: &std::path::Path, has: &dyn Fn(&str) -> bool, draft: &mut Draft) -> bool {
    if !dir.join("manage.py").is_file() {
        return false;
    }
    let mut projects: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join("wsgi.py").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
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

/// Django's production path for static files: `collectstatic` gathers
/// them into `STATIC_ROOT` at build time (WhiteNoise or a proxy serves
/// them from there). The command fails without `STATIC_ROOT`, and exists
/// only with `django.contrib.staticfiles` installed.
fn collectstatic(dir: &std::path::Path, project: &str, draft: &mut Draft) {
    let settings = [
        format!("{project}/settings.py"),
        format!("{project}/settings/__init__.py"),
        format!("{project}/settings/base.py"),
        format!("{project}/settings/production.py"),
    ];
    let text: String = settings
        .iter()
        .filter_map(|file| crate::languages::support::read(&dir.join(file)))
        .collect::<Vec<_>>()
        .join("\n");
    if !text.contains("django.contrib.staticfiles") {
        return;
    }
    let defines_root = text.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("STATIC_ROOT") && line["STATIC_ROOT".len()..].trim_start().starts_with('=')
    });
    if defines_root {
        draft.reason(format!(
            "Django: `{project}` settings set STATIC_ROOT → `manage.py collectstatic` at build time"
        ));
        draft.build(
            "steps",
            toml::Value::Array(vec!["python manage.py collectstatic --noinput".into()]),
        );
    } else {
        draft.reason(format!(
            "Django: staticfiles is installed but `{project}` settings set no STATIC_ROOT: set it (and serve it with WhiteNoise) to collect static files at build time"
        ));
    }
}

/// The module that holds the app: `.flaskenv`'s `FLASK_APP`, else the
/// top-level `.py` file (sorted, at most [`MAX_SCANNED`]) that assigns
/// `app = Flask(` or `app = FastAPI(`.
fn app_module(dir: &std::path::Path, draft: &mut Draft) -> Option<String> {
    let flaskenv = crate::languages::support::read(&dir.join(".flaskenv"))
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix("FLASK_APP=").map(str::to_string))
        })
        .map(|v| {
            v.trim_matches(['"', '\''])
                .trim_end_matches(".py")
                .to_string()
        })
        .filter(|m| dir.join(format!("{m}.py")).is_file());
    if let Some(module) = flaskenv {
        draft.reason(format!(".flaskenv: FLASK_APP → `{module}.py`"));
        return Some(module);
    }
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "py") && path.is_file())
        .collect();
    files.sort();
    files.into_iter().take(MAX_SCANNED).find_map(|path| {
        let text = crate::languages::support::read(&path)?;
        let creates = text.lines().any(|line| {
            let line = line.replace(' ', "");
            [
                "app=Flask(",
                "app=flask.Flask(",
                "app=FastAPI(",
                "app=fastapi.FastAPI(",
            ]
            .iter()
            .any(|c| line.starts_with(c))
        });
        let module = path.file_stem()?.to_string_lossy().into_owned();
        creates.then(|| {
            draft.reason(format!("`{module}.py` creates the app"));
            module
        })
    })
}
