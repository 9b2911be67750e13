//! `shipit init`: detection per language, the messages, refusals, and
//! that every example can be re-created from its sources.

mod common;

use std::path::Path;

use common::{shipit, stderr, tree};

fn init(dir: &Path, args: &[&str]) -> (std::process::Output, String) {
    let mut all = vec!["init", "."];
    all.extend_from_slice(args);
    let output = shipit(dir, &all);
    let manifest = std::fs::read_to_string(dir.join("shipit.toml")).unwrap_or_default();
    (output, manifest)
}

#[test]
fn go_from_go_mod_and_cmd() {
    let dir = tree(&[
        (
            "go.mod",
            "module github.com/acme/Href-Counter\n\ngo 1.23.4\n",
        ),
        ("cmd/server/main.go", "package main\nfunc main() {}\n"),
    ]);
    let (output, manifest) = init(dir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        manifest,
        "#:schema ./shipit.schema.json\nname = \"href-counter\"\nlanguage = \"go\"\n\n[go]\npackage = \"./cmd/server\"\n"
    );
    let message = stderr(&output);
    assert!(message.contains("detected go:"), "{message}");
    assert!(
        message.contains("go.mod: module `github.com/acme/Href-Counter`"),
        "{message}"
    );
    assert!(
        message.contains("main package: `./cmd/server`"),
        "{message}"
    );
    assert!(
        message.contains("next: shipit render -m ./shipit.toml -o ./Dockerfile"),
        "{message}"
    );
    // The schema the directive names is written beside it, and current.
    let schema = std::fs::read_to_string(dir.path().join("shipit.schema.json")).unwrap();
    assert_eq!(schema, shipit::schema::schema_json());
    assert!(shipit(dir.path(), &["render"]).status.success());
}

#[test]
fn node_service_and_cli() {
    // The entry files exist: init never drafts one that does not.
    let service = tree(&[
        (
            "package.json",
            r#"{"name": "@acme/api", "engines": {"node": ">=20"}, "scripts": {"start": "node server.js"}}"#,
        ),
        ("server.js", ""),
    ]);
    let (output, manifest) = init(service.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(manifest.contains("name = \"api\"\n"), "{manifest}");
    // The plan resolves `>=20` itself: its lower bound is not frozen.
    assert!(!manifest.contains("version ="), "{manifest}");
    assert!(
        stderr(&output).contains("engines.node `>=20`: the build picks the Node it allows"),
        "{}",
        stderr(&output)
    );
    assert!(
        manifest.contains("[node]\nentry = \"server.js\"\nmode = \"runtime\"\n"),
        "{manifest}"
    );

    let cli = tree(&[
        (
            "package.json",
            r#"{"name": "tool", "bin": {"tool": "./bin/tool.js"}}"#,
        ),
        ("bin/tool.js", ""),
    ]);
    let (output, manifest) = init(cli.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        manifest.contains("[node]\nentry = \"bin/tool.js\"\nmode = \"pkg\"\n"),
        "{manifest}"
    );
    assert!(stderr(&output).contains("one executable (pkg)"));
}

#[test]
fn python_servers_and_versions() {
    let fastapi = tree(&[
        (
            "pyproject.toml",
            "[project]\nname = \"orders\"\nrequires-python = \">=3.11\"\ndependencies = [\"fastapi\", \"uvicorn[standard]\"]\n",
        ),
        ("main.py", "app = None\n"),
    ]);
    let (output, manifest) = init(fastapi.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(manifest.contains("name = \"orders\"\n"), "{manifest}");
    assert!(!manifest.contains("version ="), "{manifest}");
    assert!(
        manifest.contains("entrypoint = [\"uvicorn\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\", \"main:app\"]\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains("[python]\nmanager = \"pip\"\nrequirements = \"pyproject.toml\"\n"),
        "{manifest}"
    );

    let script = tree(&[
        ("requirements.txt", "requests==2.32.0\n"),
        ("app.py", "print(1)\n"),
    ]);
    let (output, manifest) = init(script.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        manifest.contains("entrypoint = [\"python\", \"app.py\"]\n"),
        "{manifest}"
    );
    assert!(
        stderr(&output).contains("no known server"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn c_sources_and_makefile() {
    let sources = tree(&[
        ("src/a.c", "int main(){}"),
        ("src/b.c", ""),
        (".git/x.c", ""),
    ]);
    let (output, manifest) = init(sources.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        manifest.contains("[c]\nsources = [\"src/a.c\", \"src/b.c\"]\n"),
        "{manifest}"
    );

    let make = tree(&[
        ("Makefile", "CC = gcc\nserver: main.c\n\t$(CC) -o $@ $<\n"),
        ("main.c", ""),
    ]);
    let (output, manifest) = init(make.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        manifest.contains(
            "steps = ['make -j\"$(nproc)\"', \"mkdir -p /out && cp server /out/server\"]\n"
        ),
        "{manifest}"
    );
    assert!(
        manifest.contains("[c]\noutput = \"server\"\n"),
        "{manifest}"
    );

    // An install target that ignores DESTDIR would install into the
    // builder's own /usr/local: build and copy the program instead.
    let ignores_destdir = tree(&[
        (
            "Makefile",
            "server: main.c\n\tcc -o $@ $<\ninstall: server\n\tcp server /usr/local/bin/\n",
        ),
        ("main.c", ""),
    ]);
    let (output, manifest) = init(ignores_destdir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the `install` target ignores `DESTDIR`"),
        "{}",
        stderr(&output)
    );
    assert!(!manifest.contains("make install"), "{manifest}");
    let honours_destdir = tree(&[
        (
            "Makefile",
            "server: main.c\n\tcc -o $@ $<\ninstall: server\n\tinstall -D server $(DESTDIR)$(PREFIX)/bin/server\n",
        ),
        ("main.c", ""),
    ]);
    let (_, manifest) = init(honours_destdir.path(), &[]);
    assert!(
        manifest.contains(
            "make -j\"$(nproc)\" install DESTDIR=/install PREFIX=/usr/local prefix=/usr/local"
        ),
        "{manifest}"
    );
}

#[test]
fn empty_ambiguous_and_existing() {
    let empty = tree(&[]);
    let (output, _) = init(empty.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("looked for `go.mod` (go), `package.json` (node)"),
        "{message}"
    );
    assert!(!empty.path().join("shipit.toml").exists());

    let both = tree(&[("go.mod", "module x\n"), ("package.json", "{}")]);
    let (output, _) = init(both.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("several projects (`go`, `node`)"),
        "{}",
        stderr(&output)
    );
    assert!(!both.path().join("shipit.toml").exists());
    let (output, manifest) = init(both.path(), &["--language", "node"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(manifest.contains("language = \"node\""));

    let (output, _) = init(both.path(), &["--language", "go"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("pass `--force`"));
    let (output, manifest) = init(both.path(), &["--language", "go", "--force"]);
    assert!(output.status.success());
    assert!(manifest.contains("language = \"go\""));
}

/// init on each example's sources renders the committed Dockerfile, but
/// for what the example's author chose by hand (listed with the reason).
#[test]
fn every_example_is_recreated_by_init() {
    let hand_written: &[(&str, &[&str])] = &[
        // -Wall is the author's choice; init keeps the default flags.
        (
            "c-hello",
            &["    && gcc -O2 -Wall -o /out/hello app/hello.c"],
        ),
        // Seed 004's technique by hand: a custom prefix and a clean-up step.
        (
            "c-make",
            &[
                "RUN make install DESTDIR=/install PREFIX=/opt/linecount",
                "RUN rm -rf /install/opt/linecount/share/linecount/src",
                "COPY --from=build /install/opt/linecount /opt/linecount",
                "ENTRYPOINT [\"/opt/linecount/bin/linecount\"]",
            ],
        ),
        // Environment and labels are not in a Go module (the port its
        // source names is).
        (
            "go-hello",
            &[
                "ENV PORT=\"8080\"",
                "LABEL org.opencontainers.image.description=\"A stdlib-only Go web server\"",
            ],
        ),
        ("node-hello", &[]),
        ("node-runtime", &[]),
        // The org template directory is a team's choice, not in the sources.
        (
            "org-templates",
            &[
                "COPY certs/company-ca.crt /usr/local/share/ca-certificates/company-ca.crt",
                "RUN update-ca-certificates",
                "LABEL com.example.owner=\"platform-team\"",
            ],
        ),
        ("python-flask", &[]),
        // The seeds chose 3.11 within their `>=3.11`; init leaves the
        // range to the plan, which picks the newest Python it allows.
        (
            "python-poetry",
            &[
                "FROM python:3.11-trixie AS build",
                "FROM python:3.11-slim-trixie",
            ],
        ),
        // The seed runs Flask's own server; init drafts gunicorn now.
        (
            "python-pipenv",
            &[
                "ENV FLASK_APP=\"app.py\"",
                "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"flask\", \"run\", \"--host=0.0.0.0\", \"--port=8000\"]",
            ],
        ),
        (
            "python-uv",
            &[
                "FROM python:3.11-trixie AS build",
                "FROM python:3.11-slim-trixie",
            ],
        ),
        ("node-pnpm", &[]),
        ("node-yarn", &[]),
        ("node-sea", &[]),
        // The description is the author's.
        (
            "rust-hello",
            &[
                "LABEL org.opencontainers.image.description=\"A Rust workspace binary on debian-slim\"",
            ],
        ),
    ];
    // Keys whose value init does not choose: the example's author did.
    let chosen_by_hand: &[(&str, &str, &str)] = &[
        // A `bin` package drafts pkg mode; Node's own single executable
        // is the author's choice.
        ("node-sea", "mode = \"pkg\"", "mode = \"sea\""),
    ];
    let manifests = common::example_manifests();
    assert_eq!(
        manifests.len(),
        hand_written.len(),
        "a new example needs its line here"
    );
    for manifest in manifests {
        let example = manifest.parent().unwrap();
        let name = example.file_name().unwrap().to_str().unwrap();
        let copy = tempfile::tempdir().unwrap();
        copy_sources(example, copy.path());
        let (output, _) = init(copy.path(), &[]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        for (_, drafted, chosen) in chosen_by_hand.iter().filter(|(n, _, _)| *n == name) {
            let path = copy.path().join("shipit.toml");
            let draft = std::fs::read_to_string(&path).unwrap();
            assert!(
                draft.contains(drafted),
                "{name}: init drafts {drafted}:\n{draft}"
            );
            std::fs::write(&path, draft.replace(drafted, chosen)).unwrap();
        }
        let (_, fresh) =
            shipit::render_manifest(&copy.path().join("shipit.toml"), &Default::default()).unwrap();
        let committed = std::fs::read_to_string(example.join("Dockerfile")).unwrap();

        let fresh_lines: Vec<&str> = fresh
            .text
            .lines()
            .filter(|l| !l.contains("(digest "))
            .collect();
        let only_committed: Vec<&str> = committed
            .lines()
            .filter(|l| !l.contains("(digest ") && !fresh_lines.contains(l))
            .collect();
        let expected = hand_written.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(
            only_committed, expected,
            "{name}: lines the example adds by hand"
        );
    }
}

fn copy_sources(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let generated = [
            "shipit.toml",
            "Dockerfile",
            ".dockerignore",
            "Dockerfile.dockerignore",
        ];
        if generated.contains(&name.to_str().unwrap()) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_sources(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_package_manager_comes_from_the_lockfile_and_is_written_down() {
    let uv = tree(&[
        ("pyproject.toml", "[project]\nname = \"svc\"\n"),
        ("uv.lock", "version = 1\n"),
        ("main.py", ""),
    ]);
    let (output, manifest) = init(uv.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("uv.lock → manager uv"),
        "{}",
        stderr(&output)
    );
    assert!(
        manifest.contains("[python]\nmanager = \"uv\"\nrequirements = \"pyproject.toml\"\n"),
        "{manifest}"
    );

    let pnpm = tree(&[
        (
            "package.json",
            "{\"name\": \"web\", \"main\": \"server.js\"}",
        ),
        ("pnpm-lock.yaml", ""),
    ]);
    let (output, manifest) = init(pnpm.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("pnpm-lock.yaml → pnpm"),
        "{}",
        stderr(&output)
    );
    assert!(manifest.contains("manager = \"pnpm\"\n"), "{manifest}");

    // package.json's packageManager wins over lockfiles.
    let yarn = tree(&[
        (
            "package.json",
            "{\"main\": \"a.js\", \"packageManager\": \"yarn@4.5.0\"}",
        ),
        ("yarn.lock", ""),
        ("package-lock.json", "{}"),
    ]);
    let (output, manifest) = init(yarn.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("packageManager `yarn@4.5.0` → yarn"),
        "{}",
        stderr(&output)
    );
    assert!(manifest.contains("manager = \"yarn\"\n"), "{manifest}");
}

#[test]
fn several_lockfiles_are_ambiguous_until_the_user_chooses() {
    let dir = tree(&[
        ("pyproject.toml", "[project]\nname = \"svc\"\n"),
        ("uv.lock", "version = 1\n"),
        ("poetry.lock", ""),
        ("main.py", ""),
    ]);
    let (output, manifest) = init(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("several Python package managers (`uv.lock`, `poetry.lock`); pass `--manager` with one of `uv`, `poetry`"),
        "{}",
        stderr(&output)
    );
    assert!(manifest.is_empty(), "nothing written");
    let (output, manifest) = init(dir.path(), &["--manager", "poetry"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(manifest.contains("manager = \"poetry\"\n"), "{manifest}");

    let node = tree(&[
        ("package.json", "{\"main\": \"a.js\"}"),
        ("yarn.lock", ""),
        ("package-lock.json", "{}"),
    ]);
    let (output, _) = init(node.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "(`yarn.lock`, `package-lock.json`); pass `--manager` with one of `yarn`, `npm`"
        ),
        "{}",
        stderr(&output)
    );
    let (output, _) = init(node.path(), &["--manager", "uv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`--manager uv` is not a Node.js package manager"),
        "{}",
        stderr(&output)
    );
    let go = tree(&[("go.mod", "module x\n")]);
    let (output, _) = init(go.path(), &["--manager", "npm"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("does not apply to `go`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn rust_from_cargo_toml_workspace_and_toolchain() {
    // A single package: its name, rust-toolchain.toml's pinned channel.
    let dir = tree(&[
        (
            "Cargo.toml",
            "[package]\nname = \"Svc_Api\"\nversion = \"0.1.0\"\nrust-version = \"1.85\"\n",
        ),
        ("Cargo.lock", "version = 4\n"),
        ("src/main.rs", "fn main() {}\n"),
        ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.96.0\"\n"),
    ]);
    let (output, manifest) = init(dir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(manifest.contains("name = \"svc_api\""), "{manifest}");
    assert!(manifest.contains("language = \"rust\""), "{manifest}");
    // The pinned channel is read from rust-toolchain.toml, not frozen.
    assert!(!manifest.contains("version ="), "{manifest}");
    assert!(stderr(&output).contains("1.96.0"), "{}", stderr(&output));
    assert!(!manifest.contains("[rust]"), "{manifest}");
    let render = shipit(dir.path(), &["render"]);
    assert!(render.status.success(), "{}", stderr(&render));

    // A virtual workspace: the member with binaries, and among its
    // binaries the one named after it; rust-version of the workspace.
    let dir = tree(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nrust-version = \"1.88\"\n",
        ),
        ("Cargo.lock", "version = 4\n"),
        ("crates/core/Cargo.toml", "[package]\nname = \"core\"\n"),
        ("crates/core/src/lib.rs", ""),
        ("crates/api/Cargo.toml", "[package]\nname = \"api\"\n"),
        ("crates/api/src/main.rs", ""),
        ("crates/api/src/bin/migrate.rs", ""),
    ]);
    let (output, manifest) = init(dir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(manifest.contains("name = \"api\""), "{manifest}");
    assert!(manifest.contains("package = \"api\""), "{manifest}");
    assert!(manifest.contains("bin = \"api\""), "{manifest}");
    // rust-version is a minimum the default builder meets: no pin.
    assert!(!manifest.contains("version ="), "{manifest}");

    // No lockfile: `--locked` could not build it, so nothing is written.
    let dir = tree(&[
        ("Cargo.toml", "[package]\nname = \"svc\"\n"),
        ("src/main.rs", ""),
    ]);
    let (output, _) = init(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no `Cargo.lock` in `.`"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("cargo generate-lockfile"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("shipit.toml").exists());

    // A member of a workspace: its lock is at the root, which becomes the
    // build's context.
    let dir = tree(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
        ("Cargo.lock", "version = 4\n"),
        ("crates/api/Cargo.toml", "[package]\nname = \"api\"\n"),
        ("crates/api/src/main.rs", ""),
    ]);
    let (output, manifest) = init(&dir.path().join("crates/api"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(manifest.contains("context = \"../..\""), "{manifest}");
    assert!(manifest.contains("package = \"api\""), "{manifest}");

    // Above the repository's root (`.git`), no workspace is looked for: the
    // member alone has no lock, which is explained.
    std::fs::create_dir(dir.path().join("crates/api/.git")).unwrap();
    std::fs::remove_file(dir.path().join("crates/api/shipit.toml")).unwrap();
    let (output, _) = init(&dir.path().join("crates/api"), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("is a member of the Cargo workspace at"),
        "{said}"
    );
    assert!(said.contains("`build.context = \"../..\"`"), "{said}");
    assert!(!dir.path().join("crates/api/shipit.toml").exists());

    // Nothing to ship: an error, and no manifest.
    let dir = tree(&[
        ("Cargo.toml", "[package]\nname = \"lib\"\n"),
        ("Cargo.lock", ""),
        ("src/lib.rs", ""),
    ]);
    let (output, _) = init(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!dir.path().join("shipit.toml").exists());
}

/// init in a workspace member finds the workspace above it (up to the
/// repository's root) and drafts a member built from there, with the
/// workspace's package manager: each member of the bundled monorepo is
/// recreated, but for what its author wrote by hand.
#[test]
fn every_monorepo_member_is_recreated_by_init() {
    let monorepo = common::root().join("examples/monorepo");
    let copy = tempfile::tempdir().unwrap();
    copy_sources(&monorepo, copy.path());
    // The repository's root: the search for a workspace stops there.
    std::fs::create_dir(copy.path().join(".git")).unwrap();
    // With the build steps, which are the author's, added to the draft.
    let members = [
        ("go/services/api", None),
        ("js/apps/web", None),
        ("npm/packages/hello", None),
        ("py/apps/worker", None),
        ("js/apps/admin", Some("cd apps/admin && node build.js")),
        (
            "npm/packages/other",
            Some("cd packages/other && node build.js"),
        ),
    ];
    for (member, steps) in members {
        let dir = copy.path().join(member);
        let (output, draft) = init(&dir, &[]);
        assert!(output.status.success(), "{member}: {}", stderr(&output));
        assert!(
            draft.contains("context = \"../..\"\n"),
            "{member}: a member builds from its workspace root:\n{draft}"
        );
        if let Some(steps) = steps {
            let draft = draft.replace(
                "context = \"../..\"\n",
                &format!("context = \"../..\"\nsteps = [\"{steps}\"]\n"),
            );
            std::fs::write(dir.join("shipit.toml"), draft).unwrap();
        }
        let (_, fresh) =
            shipit::render_manifest(&dir.join("shipit.toml"), &Default::default()).unwrap();
        let committed = std::fs::read_to_string(monorepo.join(member).join("Dockerfile")).unwrap();
        let digestless = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.contains("(digest "))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            digestless(&fresh.text),
            digestless(&committed),
            "{member}: init recreates it"
        );
    }
    // A directory below a workspace that does not list it builds on its own.
    let outside = copy.path().join("js/tools/script");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("package.json"), "{\"name\": \"script\"}\n").unwrap();
    std::fs::write(outside.join("index.js"), "console.log(1)\n").unwrap();
    let (output, draft) = init(&outside, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!draft.contains("context"), "{draft}");
    assert!(
        stderr(&output).contains("does not take this directory as a member: built on its own")
            || common::stdout(&output).contains("does not take this directory as a member"),
        "{}",
        stderr(&output)
    );
}

/// A package of a Cargo workspace builds from the workspace root, where
/// the lockfile is, with `rust.package` choosing it.
#[test]
fn a_cargo_workspace_package_is_drafted_as_a_member() {
    let example = common::root().join("examples/rust-hello");
    let copy = tempfile::tempdir().unwrap();
    copy_sources(&example, copy.path());
    let (output, draft) = init(&copy.path().join("crates/hello"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    for line in [
        "context = \"../..\"\n",
        "package = \"hello\"\n",
        "bin = \"hello\"\n",
    ] {
        assert!(draft.contains(line), "{line}{draft}");
    }
    let (_, fresh) = shipit::render_manifest(
        &copy.path().join("crates/hello/shipit.toml"),
        &Default::default(),
    )
    .unwrap();
    assert!(
        fresh
            .text
            .contains("cargo build --release --locked --package hello --bin hello"),
        "{}",
        fresh.text
    );
}

#[test]
fn a_frontend_beside_a_python_or_go_app_becomes_one_asset_stage() {
    let vite =
        "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"7.0.0\"}}\n";
    let dir = tree(&[
        ("requirements.txt", "flask\n"),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("frontend/package.json", vite),
        ("frontend/package-lock.json", "{}\n"),
    ]);
    let (output, manifest) = init(dir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        manifest.contains("\n[[build.assets]]\nlanguage = \"node\"\nworkdir = \"frontend\"\noutput = \"dist\"\ninto = \"static\"\n"),
        "{manifest}"
    );
    assert!(
        stderr(&output).contains("`frontend/package.json` has a `build` script (`vite build`) writing `dist` (Vite's default)"),
        "{}",
        stderr(&output)
    );
    let render = shipit(dir.path(), &["render"]);
    assert!(render.status.success(), "{}", stderr(&render));
    assert!(common::stdout(&render).contains("COPY --from=assets-1 /assets/dist/ /app/static/\n"));

    // Go: the output lands under a runtime workdir init adds; CRA's
    // `build`, or an `--outDir` the script names.
    for (script, deps, output_dir) in [
        (
            "react-scripts build",
            "{\"react-scripts\": \"5.0.1\"}",
            "build",
        ),
        ("tsc && vite build --outDir out", "{}", "out"),
    ] {
        let package =
            format!("{{\"scripts\": {{\"build\": \"{script}\"}}, \"dependencies\": {deps}}}\n");
        let dir = tree(&[
            ("go.mod", "module example.com/x\n\ngo 1.22\n"),
            ("main.go", "package main\nfunc main() {}\n"),
            ("web/package.json", &package),
        ]);
        let (output, manifest) = init(dir.path(), &[]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            manifest.contains(&format!(
                "workdir = \"web\"\noutput = \"{output_dir}\"\ninto = \"static\"\n"
            )) && manifest.contains("[runtime]\nworkdir = \"/app\"\n"),
            "{manifest}"
        );
        assert!(
            stderr(&output)
                .contains("`runtime.workdir = \"/app\"`: where the frontend's output lands")
        );
        assert!(shipit(dir.path(), &["render"]).status.success());
    }
}

#[test]
fn a_frontend_init_cannot_read_is_said_and_left_out() {
    for (files, said) in [
        (
            vec![(
                "frontend/package.json",
                "{\"scripts\": {\"build\": \"webpack\"}}\n",
            )],
            "`frontend/package.json` has a `build` script (`webpack`), but shipit cannot tell where it writes: no `[[build.assets]]` drafted",
        ),
        (
            vec![
                (
                    "client/package.json",
                    "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"7\"}}\n",
                ),
                (
                    "client/vite.config.ts",
                    "export default { build: { outDir: '../static' } }\n",
                ),
            ],
            "it writes to `../static` (`build.outDir` in `vite.config.ts`), which is not a path inside its directory",
        ),
        (
            vec![
                (
                    "client/package.json",
                    "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"7\"}}\n",
                ),
                (
                    "client/vite.config.js",
                    "// outDir: \"old\"\nexport default { build: { outDir: path.resolve(__dirname, \"../static/dist\") } }\n",
                ),
            ],
            "`build.outDir` in `vite.config.js` is not a plain string shipit can read",
        ),
        (
            vec![(
                "ui/package.json",
                "{\"packageManager\": \"pnpm@9.15.9\", \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"7\"}}\n",
            )],
            "the frontend's `[[build.assets]]` left out: pnpm installs from `pnpm-lock.yaml`, and there is none in `ui`",
        ),
    ] {
        let mut files = files;
        files.push(("requirements.txt", "flask\n"));
        files.push(("app.py", "from flask import Flask\napp = Flask(__name__)\n"));
        let dir = tree(&files);
        let (output, manifest) = init(dir.path(), &[]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(!manifest.contains("build.assets"), "{manifest}");
        assert!(stderr(&output).contains(said), "{}", stderr(&output));
        assert!(shipit(dir.path(), &["render"]).status.success());
    }
    // A Node app's own frontend directory is its own business.
    let dir = tree(&[
        (
            "package.json",
            "{\"name\": \"a\", \"main\": \"index.js\"}\n",
        ),
        ("index.js", ""),
        (
            "frontend/package.json",
            "{\"scripts\": {\"build\": \"vite build\"}}\n",
        ),
    ]);
    let (output, manifest) = init(dir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!manifest.contains("build.assets"), "{manifest}");
}
