//! `shipit init` on the shapes of real repositories (issue #26): side
//! files that must not confuse detection, entrypoints and ports that exist,
//! programs that are not phony targets, and values left to the project.

mod common;

use std::path::Path;

use common::{run_hint, shipit, stderr, tree};

/// Runs `init` in `dir`; asserts it succeeds; the manifest and messages.
fn init_ok(dir: &Path) -> (String, String) {
    let output = shipit(dir, &["init", "."]);
    let message = stderr(&output);
    assert!(output.status.success(), "{message}");
    let manifest = std::fs::read_to_string(dir.join("shipit.toml")).unwrap();
    (manifest, message)
}

#[test]
fn a_makefile_beside_go_mod_or_cargo_toml_is_not_c() {
    let go = tree(&[
        ("go.mod", "module example.com/tool\n\ngo 1.23\n"),
        ("main.go", "package main\nfunc main() {}\n"),
        ("Makefile", "build:\n\tgo build -o bin/tool .\n"),
    ]);
    let (manifest, message) = init_ok(go.path());
    assert!(manifest.contains("language = \"go\""), "{manifest}");
    assert!(message.contains("`go.mod` is decisive"), "{message}");

    let rust = tree(&[
        (
            "Cargo.toml",
            "[package]\nname = \"tool\"\nversion = \"0.1.0\"\n",
        ),
        ("Cargo.lock", "version = 4\n"),
        ("src/main.rs", "fn main() {}\n"),
        ("Makefile", "all:\n\tcargo build --release\n"),
        ("vendor/shim.c", "int x;\n"),
    ]);
    let (manifest, _) = init_ok(rust.path());
    assert!(manifest.contains("language = \"rust\""), "{manifest}");

    // A Makefile alone, without C sources, is no C project.
    let make_only = tree(&[("Makefile", "all:\n\techo hi\n")]);
    let output = shipit(make_only.path(), &["init", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn a_maturin_pyproject_with_cargo_toml_is_rust() {
    let dir = tree(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"maturin>=1\"]\nbuild-backend = \"maturin\"\n\n[project]\nname = \"fast\"\n",
        ),
        (
            "Cargo.toml",
            "[package]\nname = \"fast\"\nversion = \"0.1.0\"\n",
        ),
        ("Cargo.lock", "version = 4\n"),
        ("src/main.rs", "fn main() {}\n"),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("language = \"rust\""), "{manifest}");
    assert!(message.contains("maturin"), "{message}");
}

#[test]
fn python_procfile_web_line_is_the_entrypoint() {
    let dir = tree(&[
        ("requirements.txt", "flask\ngunicorn\n"),
        ("Procfile", "web: gunicorn microblog:app\n"),
        (
            "microblog.py",
            "from app import create_app\napp = create_app()\n",
        ),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(
        manifest.contains(
            "entrypoint = [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"microblog:app\"]\nports = [8000]\n"
        ),
        "{manifest}"
    );
    assert!(message.contains("Procfile"), "{message}");
}

#[test]
fn python_flask_app_module_is_found_not_invented() {
    let dir = tree(&[
        ("requirements.txt", "Flask==3.1\n"),
        (
            "hello.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(!manifest.contains("main.py"), "{manifest}");
    assert!(message.contains("`hello.py`"), "{message}");
    // No production server among the dependencies: gunicorn, pinned,
    // installed at build time, serves the app (not Flask's dev server).
    assert!(
        manifest.contains("[build]\nsteps = [\"pip install --no-cache-dir gunicorn==23.0.0\"]\n")
            && manifest.contains(
                "entrypoint = [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"hello:app\"]"
            ),
        "{manifest}"
    );
    assert!(!manifest.contains("flask run"), "{manifest}");

    // A pyproject package installed by pip: steps would replace its
    // install, so Flask's server stays, and init says so.
    let package = tree(&[
        (
            "pyproject.toml",
            "[project]\nname = \"hello\"\ndependencies = [\"flask\"]\n",
        ),
        (
            "hello.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
    ]);
    let (manifest, message) = init_ok(package.path());
    assert!(manifest.contains("FLASK_APP = \"hello:app\""), "{manifest}");
    assert!(
        message.contains("add gunicorn to the dependencies"),
        "{message}"
    );

    let gunicorn = tree(&[
        ("requirements.txt", "flask\ngunicorn\n"),
        ("site.py", "import flask\napp = flask.Flask(__name__)\n"),
    ]);
    let (manifest, _) = init_ok(gunicorn.path());
    assert!(
        manifest
            .contains("entrypoint = [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"site:app\"]"),
        "{manifest}"
    );
}

#[test]
fn python_django_and_fastapi_entrypoints() {
    let django = tree(&[
        ("requirements.txt", "Django>=5\ngunicorn\n"),
        ("manage.py", "import os\n"),
        ("mysite/wsgi.py", "application = None\n"),
        ("mysite/__init__.py", ""),
    ]);
    let (manifest, message) = init_ok(django.path());
    assert!(
        manifest.contains(
            "entrypoint = [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi:application\"]\nports = [8000]\n"
        ),
        "{manifest}"
    );
    assert!(message.contains("Django"), "{message}");

    let fastapi = tree(&[
        (
            "pyproject.toml",
            "[project]\nname = \"svc\"\ndependencies = [\"fastapi[standard]\"]\n\n[tool.fastapi]\nentrypoint = \"svc.main:app\"\n",
        ),
        ("svc/__init__.py", ""),
        ("svc/main.py", "app = None\n"),
    ]);
    let (manifest, _) = init_ok(fastapi.path());
    assert!(
        manifest.contains(
            "entrypoint = [\"uvicorn\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\", \"svc.main:app\"]\nports = [8000]\n"
        ),
        "{manifest}"
    );
}

#[test]
fn node_entry_comes_from_start_and_must_exist() {
    let dir = tree(&[
        (
            "package.json",
            r#"{"name": "web", "main": "index.js", "scripts": {"start": "node app.js"}}"#,
        ),
        (
            "app.js",
            "const app = require('express')();\napp.listen(3000);\n",
        ),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("entry = \"app.js\""), "{manifest}");
    assert!(manifest.contains("ports = [3000]"), "{manifest}");
    assert!(message.contains("listen(3000)"), "{message}");

    let missing = tree(&[
        ("package.json", r#"{"name": "web", "main": "server.js"}"#),
        ("src/index.js", ""),
    ]);
    let output = shipit(missing.path(), &["init", "."]);
    let message = stderr(&output);
    assert!(message.contains("does not exist"), "{message}");
    let manifest = std::fs::read_to_string(missing.path().join("shipit.toml")).unwrap_or_default();
    assert!(!manifest.contains("server.js"), "{manifest}");
}

#[test]
fn c_program_is_not_a_phony_target() {
    let dir = tree(&[
        (
            "Makefile",
            ".PHONY: all clean\nall: linecount\nlinecount: main.c\n\tcc -o $@ $<\nclean:\n\trm -f linecount\n",
        ),
        ("main.c", "int main(){}"),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(
        manifest.contains("cp linecount /out/linecount"),
        "{manifest}"
    );
    assert!(manifest.contains("output = \"linecount\""), "{manifest}");
    assert!(message.contains("`all` builds `linecount`"), "{message}");

    let variable = tree(&[
        (
            "Makefile",
            "TARGET = tiny\nall:\n\t$(CC) -o $(TARGET) main.c\n",
        ),
        ("main.c", "int main(){}"),
    ]);
    let (manifest, _) = init_ok(variable.path());
    assert!(manifest.contains("output = \"tiny\""), "{manifest}");
}

#[test]
fn go_name_skips_the_major_version_suffix() {
    let dir = tree(&[
        (
            "go.mod",
            "module github.com/mccutchen/go-httpbin/v2\n\ngo 1.22\n",
        ),
        ("main.go", "package main\nfunc main() {}\n"),
    ]);
    let (manifest, _) = init_ok(dir.path());
    assert!(manifest.contains("name = \"go-httpbin\""), "{manifest}");
}

#[test]
fn versions_the_project_declares_are_not_frozen() {
    let dir = tree(&[
        (
            "go.mod",
            "module example.com/app\n\ngo 1.21\n\ntoolchain go1.21.1\n",
        ),
        ("main.go", "package main\nfunc main() {}\n"),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(!manifest.contains("version ="), "{manifest}");
    assert!(message.contains("1.21.1"), "{message}");
    let rendered = shipit(dir.path(), &["render"]);
    assert!(rendered.status.success(), "{}", stderr(&rendered));
    let dockerfile = String::from_utf8_lossy(&rendered.stdout);
    assert!(dockerfile.contains("golang:1.21.1"), "{dockerfile}");

    let python = tree(&[
        ("requirements.txt", "requests\n"),
        (".python-version", "3.12\n"),
        ("app.py", ""),
    ]);
    let (manifest, _) = init_ok(python.path());
    assert!(!manifest.contains("version ="), "{manifest}");

    // At a monorepo root, .nvmrc comes before engines.
    let node = tree(&[
        (".nvmrc", "22\n"),
        (
            "package.json",
            r#"{"name": "web", "engines": {"node": ">=18"}, "scripts": {"start": "node server.js"}}"#,
        ),
        ("server.js", ""),
    ]);
    let (manifest, _) = init_ok(node.path());
    assert!(!manifest.contains("version ="), "{manifest}");
}

#[test]
fn node_packages_that_are_no_single_executable_run_on_node() {
    let esm = tree(&[
        (
            "package.json",
            r#"{"name": "cli", "type": "module", "bin": "./bin/cli.js"}"#,
        ),
        ("bin/cli.js", "console.log(1)\n"),
    ]);
    let (manifest, _) = init_ok(esm.path());
    assert!(manifest.contains("mode = \"runtime\""), "{manifest}");

    let built = tree(&[
        (
            "package.json",
            r#"{"name": "cli", "bin": "./dist/cli.js", "main": "src/cli.js"}"#,
        ),
        ("src/cli.js", ""),
    ]);
    let (manifest, message) = init_ok(built.path());
    assert!(manifest.contains("mode = \"runtime\""), "{manifest}");
    assert!(message.contains("dist/cli.js"), "{message}");

    let serves = tree(&[
        ("package.json", r#"{"name": "site", "bin": "server.js"}"#),
        ("server.js", ""),
        ("public/index.html", ""),
    ]);
    let (manifest, _) = init_ok(serves.path());
    assert!(manifest.contains("mode = \"runtime\""), "{manifest}");
}

#[test]
fn init_says_when_the_project_has_its_own_dockerfile_and_how_to_replace_it() {
    let files = [
        ("go.mod", "module example.com/svc\n\ngo 1.22\n"),
        ("main.go", "package main\n\nfunc main() {}\n"),
        ("Dockerfile", "FROM golang:1.22\nRUN go build .\n"),
    ];
    let dir = tree(&files);
    let output = shipit(dir.path(), &["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("exists and was not written by shipit") && message.contains("--force"),
        "{message}"
    );
    // What it suggests works: rendering over it needs --force, and does it.
    assert_eq!(
        shipit(dir.path(), &["render", "-o", "Dockerfile"])
            .status
            .code(),
        Some(2)
    );
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile", "--force"]);
    assert!(output.status.success(), "{}", stderr(&output));

    // A Dockerfile shipit wrote and someone edited since is theirs too:
    // the same rule as `render -o`, which refuses it.
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), format!("{text}# ours\n")).unwrap();
    std::fs::remove_file(dir.path().join("shipit.toml")).unwrap();
    let output = shipit(dir.path(), &["init"]);
    let message = stderr(&output);
    assert!(
        message.contains("exists and was edited by hand since shipit wrote it"),
        "{message}"
    );
    let next = message
        .lines()
        .find_map(|line| line.split_once(", then ").map(|(_, then)| then))
        .expect("a command after the comparison");
    assert!(next.ends_with(" --force"), "{message}");
    assert!(run_hint(dir.path(), next).status.success());

    // Without a Dockerfile of its own, the plain next step.
    let dir = tree(&files[..2]);
    let output = shipit(dir.path(), &["init"]);
    let message = stderr(&output);
    assert!(!message.contains("not written"), "{message}");
    assert!(message.contains("next: shipit render -m"), "{message}");

    // Beside a `.dockerignore` of the project's own, the next step keeps it.
    let dir = tree(&[files[0], files[1], (".dockerignore", ".git\n.env\n")]);
    let output = shipit(dir.path(), &["init"]);
    let message = stderr(&output);
    let next = message
        .lines()
        .find_map(|line| line.strip_prefix("next: "))
        .expect("a next step");
    assert!(next.ends_with(" --no-dockerignore"), "{message}");
    run_hint(dir.path(), next);
    let kept = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert_eq!(kept, ".git\n.env\n");
}

#[test]
fn fastapi_entrypoint_in_a_src_layout_is_found_and_served_from_src() {
    let dir = tree(&[
        (
            "pyproject.toml",
            "[project]\nname = \"notes\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n\n[tool.fastapi]\nentrypoint = \"notes.main:app\"\n",
        ),
        ("src/notes/__init__.py", ""),
        ("src/notes/main.py", "app = None\n"),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(
        manifest.contains(
            "entrypoint = [\"uvicorn\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\", \"--app-dir\", \"src\", \"notes.main:app\"]"
        ),
        "{manifest}"
    );
    assert!(!message.contains("warning"), "{message}");
}

#[test]
fn django_collects_static_files_at_build_time_when_settings_allow() {
    let files = |settings: &'static str| {
        tree(&[
            ("requirements.txt", "Django>=5\ngunicorn\nwhitenoise\n"),
            (
                "manage.py",
                "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n",
            ),
            ("mysite/wsgi.py", "application = None\n"),
            ("mysite/settings.py", settings),
        ])
    };
    let with_root = files(
        "INSTALLED_APPS = [\"django.contrib.staticfiles\"]\nSTATIC_URL = \"static/\"\nSTATIC_ROOT = BASE_DIR / \"staticfiles\"\n",
    );
    let (manifest, message) = init_ok(with_root.path());
    assert!(
        manifest.contains("[build]\nsteps = [\"python manage.py collectstatic --noinput\"]\n"),
        "{manifest}"
    );
    assert!(
        message.contains("STATIC_ROOT → `manage.py collectstatic`"),
        "{message}"
    );

    // collectstatic fails without STATIC_ROOT: not drafted, and init says why.
    let without_root =
        files("INSTALLED_APPS = [\"django.contrib.staticfiles\"]\n# STATIC_ROOT = \"x\"\n");
    let (manifest, message) = init_ok(without_root.path());
    assert!(!manifest.contains("collectstatic"), "{manifest}");
    assert!(message.contains("sets no STATIC_ROOT"), "{message}");

    // Without the staticfiles app there is no collectstatic command.
    let no_app = files("INSTALLED_APPS = []\nSTATIC_ROOT = \"static\"\n");
    let (manifest, _) = init_ok(no_app.path());
    assert!(!manifest.contains("collectstatic"), "{manifest}");
}

#[test]
fn servers_that_name_their_port_in_source_get_it_exposed() {
    let go = tree(&[
        ("go.mod", "module example.com/svc/v2\n\ngo 1.22\n"),
        (
            "cmd/svc/main.go",
            "package main\n\n// serves on $PORT (default 9090 in the docs)\nfunc main() {\n\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"8080\"\n\t}\n}\n",
        ),
    ]);
    let (manifest, message) = init_ok(go.path());
    assert!(
        manifest.contains("[runtime]\nports = [8080]\n"),
        "{manifest}"
    );
    assert!(message.contains("`main.go`: listens on 8080"), "{message}");

    let c = tree(&[
        ("Makefile", "all: srv\n\nsrv: srv.c\n\tcc -o srv srv.c\n"),
        (
            "srv.c",
            "int main(int argc, char **argv) {\n    int port = argc > 1 ? atoi(argv[1]) : 8081;\n    int fd = socket(AF_INET, SOCK_STREAM, 0);\n    return 0;\n}\n",
        ),
    ]);
    let (manifest, message) = init_ok(c.path());
    assert!(
        manifest.contains("[runtime]\nports = [8081]\n"),
        "{manifest}"
    );
    assert!(message.contains("a server on 8081"), "{message}");
    // A port in a program that uses no socket is no server's.
    let tool = tree(&[(
        "tool.c",
        "int main(void) {\n    int port = 9000;\n    return port > 0;\n}\n",
    )]);
    let (manifest, message) = init_ok(tool.path());
    assert!(!manifest.contains("ports"), "{manifest}");
    assert!(!message.contains("a server on"), "{message}");

    // gin's address literal; a `report` is no port.
    let gin = tree(&[
        ("go.mod", "module example.com/g\n\ngo 1.22\n"),
        (
            "main.go",
            "package main\n\nconst reportEvery = 300 * time.Second\n\nfunc main() {\n\tr.Run(\":8082\")\n}\n",
        ),
    ]);
    let (manifest, _) = init_ok(gin.path());
    assert!(manifest.contains("ports = [8082]"), "{manifest}");

    // A program that names no port gets none.
    let cli = tree(&[
        ("go.mod", "module example.com/tool\n\ngo 1.22\n"),
        (
            "main.go",
            "package main\n\nfunc main() { println(\"argv[1]\") }\n",
        ),
    ]);
    let (manifest, _) = init_ok(cli.path());
    assert!(!manifest.contains("ports"), "{manifest}");
}

#[test]
fn node_entries_outside_the_project_are_never_read_nor_run() {
    for (key, value) in [
        ("main", "/etc/passwd"),
        ("main", "../outside.js"),
        ("bin", "/proc/kmsg"),
    ] {
        let dir = tree(&[
            (
                "package.json",
                &format!("{{\"name\": \"app\", \"{key}\": \"{value}\"}}"),
            ),
            ("server.js", "require('http').createServer().listen(3000)\n"),
        ]);
        let (manifest, message) = init_ok(dir.path());
        assert!(!manifest.contains(value), "{manifest}");
        assert!(
            message.contains(&format!("`{value}` is not a path inside the project")),
            "{message}"
        );
    }
}

#[test]
fn python_apps_in_packages_and_factories_are_found() {
    // Flask's tutorial: a factory in a package, no Procfile.
    let flaskr = tree(&[
        ("requirements.txt", "flask\ngunicorn\n"),
        (
            "flaskr/__init__.py",
            "from flask import Flask\n\ndef create_app(test_config=None):\n    app = Flask(__name__)\n    return app\n",
        ),
    ]);
    let (manifest, message) = init_ok(flaskr.path());
    assert!(
        manifest.contains("\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"flaskr:create_app()\"]"),
        "{manifest}"
    );
    assert!(
        message.contains("`flaskr/__init__.py` makes the app"),
        "{message}"
    );

    // FastAPI's "bigger applications": app/main.py, served by uvicorn.
    let bigger = tree(&[
        ("requirements.txt", "fastapi[standard]==0.115.6\n"),
        ("app/__init__.py", ""),
        (
            "app/main.py",
            "from fastapi import FastAPI\n\napp = FastAPI()\n",
        ),
    ]);
    let (manifest, _) = init_ok(bigger.path());
    assert!(
        manifest.contains(
            "\"uvicorn\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\", \"app.main:app\"]"
        ),
        "{manifest}"
    );

    // The name the module gives the app, and a FastAPI factory.
    let named = tree(&[
        ("requirements.txt", "flask\ngunicorn\nuvicorn\n"),
        (
            "wsgi.py",
            "from web import create_app\n\napplication = create_app()\n",
        ),
    ]);
    let (manifest, _) = init_ok(named.path());
    assert!(manifest.contains("\"wsgi:application\"]"), "{manifest}");
    let factory = tree(&[
        ("requirements.txt", "fastapi\nuvicorn\n"),
        (
            "service.py",
            "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n",
        ),
    ]);
    let (manifest, _) = init_ok(factory.path());
    assert!(
        manifest.contains("\"--factory\", \"service:create_app\"]"),
        "{manifest}"
    );
}

#[test]
fn python_module_names_from_project_files_are_identifiers_inside_the_project() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("evil.py"), "app = 1\n").unwrap();
    let far = outside.path().display().to_string();
    let dotted = far.trim_start_matches('/').replace('/', ".");
    for (file, text) in [
        (
            "pyproject.toml",
            format!(
                "[project]\nname = \"x\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n[tool.fastapi]\nentrypoint = \"..{dotted}.evil:app\"\n"
            ),
        ),
        (".flaskenv", format!("FLASK_APP={far}/evil\n")),
        (".flaskenv", "FLASK_APP=../../../../evil\n".to_string()),
        (".flaskenv", "FLASK_APP=--config=python:os\n".to_string()),
    ] {
        let mut files = vec![(file, text.as_str()), ("--config=python:os.py", "")];
        if file != "pyproject.toml" {
            files.push(("requirements.txt", "flask\ngunicorn\n"));
        }
        let dir = tree(&files);
        let (manifest, _) = init_ok(dir.path());
        assert!(
            !manifest.contains("evil")
                && !manifest.contains("--config")
                && !manifest.contains("//"),
            "{file}: {text}\n{manifest}"
        );
    }
}

#[test]
fn init_reads_no_file_through_a_directory_link() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("server.js"), "app.listen(4242)\n").unwrap();
    std::fs::write(
        outside.path().join("main.go"),
        "package main\nvar addr = \":4343\"\n",
    )
    .unwrap();
    let node = tree(&[(
        "package.json",
        "{\"name\": \"n\", \"main\": \"lib/server.js\"}",
    )]);
    std::os::unix::fs::symlink(outside.path(), node.path().join("lib")).unwrap();
    let (manifest, _) = init_ok(node.path());
    assert!(
        !manifest.contains("4242") && !manifest.contains("lib/server.js"),
        "{manifest}"
    );

    let go = tree(&[("go.mod", "module example.com/x\n\ngo 1.22\n")]);
    std::fs::create_dir(go.path().join("cmd")).unwrap();
    std::os::unix::fs::symlink(outside.path(), go.path().join("cmd/x")).unwrap();
    let (manifest, _) = init_ok(go.path());
    assert!(!manifest.contains("4343"), "{manifest}");
}

#[test]
fn django_collectstatic_runs_with_the_servers_settings_and_placeholders_for_required_variables() {
    let dir = tree(&[
        ("requirements.txt", "django\ngunicorn\nwhitenoise\n"),
        (
            "manage.py",
            "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings.local\")\n",
        ),
        (
            "config/wsgi.py",
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.production')\n",
        ),
        (
            "config/settings/base.py",
            "INSTALLED_APPS = [\"django.contrib.staticfiles\"]\nSTATIC_ROOT = BASE_DIR / \"staticfiles\"\n",
        ),
        (
            "config/settings/production.py",
            "from .base import *\nSECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\nDB = os.environ['DATABASE_URL']\n",
        ),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(
        manifest.contains("steps = [\"DJANGO_SETTINGS_MODULE=config.settings.production DATABASE_URL=collectstatic-only DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput\"]"),
        "{manifest}"
    );
    assert!(
        message.contains("placeholder for DATABASE_URL, DJANGO_SECRET_KEY"),
        "{message}"
    );
}

#[test]
fn procfile_servers_listen_on_every_interface_and_port_defaults_count_as_the_port() {
    for (line, expected) in [
        (
            "uvicorn main:app --port $PORT",
            "[\"uvicorn\", \"--host\", \"0.0.0.0\", \"main:app\", \"--port\", \"8000\"]",
        ),
        (
            "flask run --port $PORT",
            "[\"flask\", \"run\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]",
        ),
        (
            "gunicorn -b 0.0.0.0:${PORT:-5000} main:app",
            "[\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"main:app\"]",
        ),
        (
            "uvicorn main:app --host 127.0.0.2 --port ${PORT:-9000}",
            "[\"uvicorn\", \"main:app\", \"--host\", \"127.0.0.2\", \"--port\", \"8000\"]",
        ),
    ] {
        let dir = tree(&[
            ("requirements.txt", "flask\nuvicorn\ngunicorn\n"),
            ("main.py", "app = None\n"),
            ("Procfile", &format!("web: {line}\n")),
        ]);
        let (manifest, _) = init_ok(dir.path());
        assert!(
            manifest.contains(&format!("entrypoint = {expected}")),
            "{line}\n{manifest}"
        );
    }
}

#[test]
fn node_options_before_the_script_are_not_the_entry() {
    for start in [
        "node -r dotenv/config server.js",
        "node --require ./tracing.js server.js",
        "node --enable-source-maps --import tsx server.js",
    ] {
        let dir = tree(&[
            (
                "package.json",
                &format!("{{\"name\": \"app\", \"scripts\": {{\"start\": \"{start}\"}}}}"),
            ),
            ("server.js", "app.listen(3000)\n"),
            ("tracing.js", ""),
        ]);
        let (manifest, _) = init_ok(dir.path());
        assert!(
            manifest.contains("entry = \"server.js\""),
            "{start}\n{manifest}"
        );
    }
}

#[test]
fn go_chooses_the_command_named_like_the_module_or_serving() {
    let named = tree(&[
        ("go.mod", "module example.com/shop/orders\n\ngo 1.22\n"),
        ("cmd/migrate/main.go", "package main\nfunc main() {}\n"),
        ("cmd/orders/main.go", "package main\nfunc main() {}\n"),
    ]);
    let (manifest, _) = init_ok(named.path());
    assert!(
        manifest.contains("package = \"./cmd/orders\""),
        "{manifest}"
    );

    let serving = tree(&[
        ("go.mod", "module example.com/shop\n\ngo 1.22\n"),
        ("cmd/migrate/main.go", "package main\nfunc main() {}\n"),
        (
            "cmd/web/main.go",
            "package main\nfunc main() { http.ListenAndServe(addr, nil) }\n",
        ),
    ]);
    let (manifest, _) = init_ok(serving.path());
    assert!(manifest.contains("package = \"./cmd/web\""), "{manifest}");
}

#[test]
fn servers_in_included_requirements_count() {
    let dir = tree(&[
        ("requirements.txt", "-r requirements/production.txt\n"),
        (
            "requirements/production.txt",
            "-r base.txt\ngunicorn==23.0.0\n",
        ),
        ("requirements/base.txt", "django==5.1\n"),
        (
            "manage.py",
            "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n",
        ),
        ("shop/wsgi.py", "application = None\n"),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(
        manifest
            .contains("[\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"shop.wsgi:application\"]"),
        "{manifest}"
    );
    assert!(
        message.contains("gunicorn in the dependencies"),
        "{message}"
    );
}

#[test]
fn a_go_package_that_embeds_its_frontends_build_gets_the_assets_there() {
    let dir = tree(&[
        ("go.mod", "module example.com/orders\n\ngo 1.22\n"),
        (
            "main.go",
            "package main\n\nimport _ \"example.com/orders/web\"\n\nfunc main() {}\n",
        ),
        (
            "web/embed.go",
            "package web\n\nimport \"embed\"\n\n//go:embed all:dist\nvar Dist embed.FS\n",
        ),
        (
            "web/package.json",
            "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"7\"}}\n",
        ),
        ("web/package-lock.json", "{\"lockfileVersion\": 3}\n"),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("into = \"web/dist\""), "{manifest}");
    assert!(
        message.contains("`//go:embed` names `web/dist`"),
        "{message}"
    );
    let render = common::shipit(dir.path(), &["render"]);
    assert!(
        common::stdout(&render).contains("COPY --from=assets-1 /assets/dist/ /src/web/dist/\n"),
        "{}",
        common::stdout(&render)
    );
}

#[test]
fn a_django_app_that_reads_its_frontends_build_in_place_gets_the_assets_there() {
    let dir = tree(&[
        ("requirements.txt", "Django>=5\ngunicorn\n"),
        (
            "manage.py",
            "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n",
        ),
        ("mysite/wsgi.py", "application = None\n"),
        (
            "mysite/settings.py",
            "INSTALLED_APPS = [\"django.contrib.staticfiles\"]\nSTATIC_URL = \"static/\"\nSTATIC_ROOT = BASE_DIR / \"staticfiles\"\nSTATICFILES_DIRS = [BASE_DIR / \"frontend\" / \"dist\"]\n",
        ),
        (
            "frontend/package.json",
            "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"7\"}}\n",
        ),
        ("frontend/package-lock.json", "{\"lockfileVersion\": 3}\n"),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("into = \"frontend/dist\""), "{manifest}");
    assert!(
        message.contains("`mysite/settings.py` names `frontend/dist`"),
        "{message}"
    );
    assert!(!message.contains("`static`"), "{message}");
    // In the build stage before collectstatic gathers it, and in the image.
    let render = common::shipit(dir.path(), &["render"]);
    let dockerfile = common::stdout(&render);
    let copied = dockerfile
        .find("COPY --from=assets-1 /assets/dist/ /app/frontend/dist/\n")
        .unwrap_or_else(|| panic!("{dockerfile}"));
    let collected = dockerfile.find("collectstatic").unwrap();
    assert!(copied < collected, "{dockerfile}");
    assert_eq!(
        dockerfile
            .matches("COPY --from=assets-1 /assets/dist/ /app/frontend/dist/")
            .count(),
        2,
        "{dockerfile}"
    );
}

#[test]
fn c_sources_are_the_program_s_not_its_tests_or_other_programs() {
    let dir = tree(&[
        (
            "server.c",
            "#include \"util.h\"\nint main(void) {\n    return util();\n}\n",
        ),
        ("util.c", "int util(void) { return 0; }\n"),
        ("tests/run_tests.c", "int main(void) { return 0; }\n"),
        (
            "tools/gen.c",
            "int main(int argc, char **argv) {\n    if (argc < 2) { return 1; }\n    return 0;\n}\n",
        ),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(
        manifest.contains("sources = [\"server.c\", \"util.c\"]"),
        "{manifest}"
    );
    assert!(
        message.contains("`tests/run_tests.c` left out"),
        "{message}"
    );
    assert!(
        message.contains("`tools/gen.c` left out: a `main` of its own"),
        "{message}"
    );
    // Nothing warns about another program's arguments.
    let render = common::shipit(dir.path(), &["render"]);
    assert!(render.status.success(), "{}", common::stderr(&render));
    assert!(
        common::stderr(&render).is_empty(),
        "{}",
        common::stderr(&render)
    );
}
