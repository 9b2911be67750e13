//! `[[build.assets]]`: a frontend built in a Node stage of its own and
//! copied into every language's final stage (and a compiled language's
//! build stage), parsed by BuildKit's parser and linted by hadolint; its
//! values refused where they are wrong; its image pinned by a lock.
//! (A real build: tests/e2e/run.sh, variant python-options.)

mod common;

use common::{Instruction, project};
use shipit::templates::Templates;

const FRONTEND: (&str, &str) = (
    "frontend/package.json",
    "{\"name\": \"f\", \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"7.0.0\"}}\n",
);
const LOCK: (&str, &str) = ("frontend/package-lock.json", "{\"lockfileVersion\": 3}\n");
const ASSETS: &str = "[[build.assets]]\nlanguage = \"node\"\nworkdir = \"frontend\"\noutput = \"dist\"\ninto = \"static\"\n";

/// A project: its label, its files, its manifest.
type Project = (&'static str, Vec<(&'static str, &'static str)>, String);

/// One project per final stage, each with a frontend.
fn projects() -> Vec<Project> {
    let with = |head: &str, tail: &str| format!("{head}{ASSETS}{tail}");
    vec![
        (
            "python",
            vec![("requirements.txt", "flask\n"), FRONTEND, LOCK],
            with(
                "name = \"a\"\nlanguage = \"python\"\n",
                "[runtime]\nentrypoint = [\"python\", \"app.py\"]\n",
            ),
        ),
        (
            "go on scratch",
            vec![("go.mod", "module x\n\ngo 1.22\n"), FRONTEND, LOCK],
            with(
                "name = \"a\"\nlanguage = \"go\"\n",
                "[runtime]\nworkdir = \"/srv\"\n",
            ),
        ),
        (
            "node runtime",
            vec![
                ("package.json", "{\"name\": \"a\"}\n"),
                ("package-lock.json", "{}\n"),
                ("server.js", ""),
                FRONTEND,
                LOCK,
            ],
            with(
                "name = \"a\"\nlanguage = \"node\"\n",
                "[node]\nmode = \"runtime\"\nentry = \"server.js\"\n",
            ),
        ),
        (
            "rust",
            vec![
                (
                    "Cargo.toml",
                    "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("Cargo.lock", "version = 3\n"),
                ("src/main.rs", "fn main() {}\n"),
                FRONTEND,
                LOCK,
            ],
            with(
                "name = \"a\"\nlanguage = \"rust\"\n",
                "[runtime]\nworkdir = \"/srv\"\n",
            ),
        ),
        (
            "c",
            vec![("main.c", "int main(void) { return 0; }\n"), FRONTEND, LOCK],
            with(
                "name = \"a\"\nlanguage = \"c\"\n",
                "[runtime]\nworkdir = \"/srv\"\n[c]\nsources = [\"main.c\"]\n",
            ),
        ),
    ]
}

fn render(files: &[(&str, &str)], manifest: &str) -> String {
    let dir = project(files, manifest);
    shipit::render_manifest(&dir.path().join("shipit.toml"), &Templates::default())
        .unwrap_or_else(|e| panic!("{manifest}: {e:#}"))
        .1
        .text
}

fn stages(instructions: &[Instruction]) -> Vec<&[Instruction]> {
    let starts: Vec<usize> = instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.cmd == "FROM")
        .map(|(at, _)| at)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| &instructions[start..*starts.get(n + 1).unwrap_or(&instructions.len())])
        .collect()
}

#[test]
fn every_final_stage_ships_the_assets_from_their_own_stage() {
    let projects = projects();
    let texts: Vec<String> = projects.iter().map(|(_, f, m)| render(f, m)).collect();
    let parsed = common::parse_dockerfiles(&texts);
    for (((label, _, _), text), parsed) in projects.iter().zip(&texts).zip(parsed) {
        let instructions =
            parsed.unwrap_or_else(|e| panic!("{label}: BuildKit cannot parse it: {e}\n{text}"));
        let stages = stages(&instructions);
        // The asset stage comes first, on the build platform, named.
        let assets = stages[0];
        assert_eq!(
            assets[0].value,
            ["node:22-trixie", "AS", "assets-1"],
            "{label}\n{text}"
        );
        assert!(
            assets[0]
                .flags
                .contains(&"--platform=$BUILDPLATFORM".to_string()),
            "{label}"
        );
        // Only the dependency files before the install; the source after.
        let copies: Vec<&Instruction> = assets.iter().filter(|i| i.cmd == "COPY").collect();
        assert_eq!(
            copies[0].value,
            ["frontend/package.json", "frontend/package-lock.json*", "./"],
            "{label}"
        );
        assert_eq!(copies[1].value, ["frontend/", "./"], "{label}");
        let runs: Vec<&Instruction> = assets.iter().filter(|i| i.cmd == "RUN").collect();
        assert!(
            runs[0].value[0].contains("npm ci;"),
            "{label}: {:?}",
            runs[0].value
        );
        assert!(
            runs[0]
                .flags
                .contains(&"--mount=type=cache,target=/root/.npm".to_string()),
            "{label}"
        );
        // The default step: package.json has a `build` script.
        assert_eq!(runs.last().unwrap().value, ["npm run build"], "{label}");
        // The final stage copies the output into the runtime workdir.
        let last = stages.last().unwrap();
        let copy = last
            .iter()
            .find(|i| i.cmd == "COPY" && i.flags == ["--from=assets-1"])
            .unwrap_or_else(|| {
                panic!("{label}: no COPY --from=assets-1 in the final stage\n{text}")
            });
        let workdir = if *label == "python" || *label == "node runtime" {
            "/app"
        } else {
            "/srv"
        };
        assert_eq!(
            copy.value,
            ["/assets/dist/", &format!("{workdir}/static/")],
            "{label}"
        );
        // Compiled languages also find them in their build stage, after
        // the source (the dependency layer stays), before the build.
        let build = stages
            .iter()
            .find(|s| {
                s[0].value
                    .ends_with(&["AS".to_string(), "build".to_string()])
            })
            .unwrap();
        let at = build.iter().position(|i| i.flags == ["--from=assets-1"]);
        if ["go on scratch", "rust", "c"].contains(label) {
            let at = at.unwrap_or_else(|| panic!("{label}: not in the build stage\n{text}"));
            assert_eq!(
                build[at - 1].value,
                [".", "."],
                "{label}: not right after `COPY . .`"
            );
            assert!(build[at].value[1].ends_with("/static/"), "{label}");
            assert!(
                build[at + 1..].iter().any(|i| i.cmd == "RUN"),
                "{label}: no build after it"
            );
        } else if *label == "python" {
            // For build steps that read them (collectstatic), after the
            // source.
            let at = at.unwrap_or_else(|| panic!("{label}: not in the build stage\n{text}"));
            let source = build
                .iter()
                .position(|i| i.cmd == "COPY" && i.value == [".", "."]);
            assert!(source.is_some_and(|source| source < at), "{label}\n{text}");
            assert!(build[at].value[1].ends_with("/static/"), "{label}");
        } else {
            assert!(
                at.is_none(),
                "{label}: a Node app gets them in the final stage only"
            );
        }
    }
}

#[test]
fn asset_stages_are_clean_for_hadolint() {
    let hadolint = common::tool("SHIPIT_HADOLINT", "bin/hadolint", "hadolint");
    let mut failures = Vec::new();
    for (label, files, manifest) in projects() {
        let text = render(&files, &manifest);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Dockerfile");
        std::fs::write(&file, &text).unwrap();
        let output = std::process::Command::new(&hadolint)
            .args(["--no-color", "--failure-threshold", "warning"])
            .args(["--ignore", "DL3008", "--ignore", "DL3018"])
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("cannot run `{hadolint}`: {e}"));
        if !output.status.success() {
            failures.push(format!(
                "{label}:\n{}",
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_asset_directory_decides_its_node_version_and_manager() {
    let text = render(
        &[
            ("go.mod", "module x\n\ngo 1.22\n"),
            (
                "web/package.json",
                "{\"packageManager\": \"pnpm@9.15.9\", \"engines\": {\"node\": \">=20\"}}\n",
            ),
            ("web/pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            ("web/.nvmrc", "20\n"),
            // The app's own version files are not the assets'.
            (".nvmrc", "18\n"),
        ],
        "name = \"a\"\nlanguage = \"go\"\n[build]\nversion = \"1.22\"\nssh = true\nsecrets = [{ id = \"npmrc\", target = \"/root/.npmrc\" }]\n[[build.assets]]\nlanguage = \"node\"\nworkdir = \"web/\"\nsteps = [\"pnpm exec vite build --outDir out\"]\noutput = \"out\"\ninto = \"ui\"\n[runtime]\nworkdir = \"/srv\"\n",
    );
    for want in [
        "FROM --platform=$BUILDPLATFORM node:20-trixie AS assets-1\nWORKDIR /assets\n",
        "npm install --global corepack@",
        "COPY web/package.json web/pnpm-lock.yaml ./\n",
        // The build's secrets and SSH agent reach the install and the steps.
        "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \\\n    --mount=type=ssh \\\n    --mount=type=cache,target=/root/.local/share/pnpm/store \\\n    pnpm install --frozen-lockfile\n",
        "COPY web/ ./\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc \\\n    --mount=type=ssh \\\n    pnpm exec vite build --outDir out\n",
        "COPY --from=assets-1 /assets/out/ /src/ui/\n",
        "COPY --from=assets-1 /assets/out/ /srv/ui/\n",
    ] {
        assert!(text.contains(want), "no `{want}` in:\n{text}");
    }
    assert!(
        !text.contains("--prod"),
        "the assets' build needs their devDependencies\n{text}"
    );
}

#[test]
fn a_local_build_output_stays_out_of_the_context() {
    let dir = project(
        &[("requirements.txt", "flask\n"), FRONTEND, LOCK],
        &projects()[0].2,
    );
    let output = common::shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let ignore = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "frontend/dist"), "{ignore}");
    assert!(ignore.lines().any(|l| l == "**/node_modules"), "{ignore}");
}

fn refused(files: &[(&str, &str)], assets: &str, tail: &str, message: &str) {
    let manifest = format!(
        "name = \"a\"\nlanguage = \"python\"\n{assets}[runtime]\nentrypoint = [\"python\", \"app.py\"]\n{tail}"
    );
    common::refused(files, &manifest, message);
}

fn asset(workdir: &str, output: &str, into: &str, more: &str) -> String {
    format!(
        "[[build.assets]]\nlanguage = \"node\"\nworkdir = {workdir:?}\noutput = {output:?}\ninto = {into:?}\n{more}"
    )
}

#[test]
fn asset_paths_stay_inside_the_context_and_the_runtime_workdir() {
    let files = [("requirements.txt", "flask\n"), FRONTEND, LOCK];
    for (workdir, output, into, key) in [
        ("../frontend", "dist", "static", "build.assets[0].workdir"),
        ("/frontend", "dist", "static", "build.assets[0].workdir"),
        ("frontend", "../dist", "static", "build.assets[0].output"),
        ("frontend", "dist", "../etc", "build.assets[0].into"),
        ("frontend", "dist", "/etc", "build.assets[0].into"),
        ("frontend", "dist", "st atic", "build.assets[0].into"),
        ("frontend", "di$st", "static", "build.assets[0].output"),
        ("frontend", "dist", "-static", "build.assets[0].into"),
        ("frontend/./x", "dist", "static", "build.assets[0].workdir"),
    ] {
        refused(
            &files,
            &asset(workdir, output, into, ""),
            "",
            &format!("`{key}` = `"),
        );
    }
    refused(
        &files,
        &asset("frontend", ".", "static", ""),
        "",
        "`build.assets[0].output` = `.` would ship all of `frontend`, its node_modules included",
    );
    refused(
        &files,
        &asset("client", "dist", "static", ""),
        "",
        "`build.assets[0].workdir` = `client` is not a directory of the build context",
    );
    refused(
        &files,
        &format!(
            "{}{}",
            asset("frontend", "dist", "static", ""),
            asset("frontend", "build", "static/", "")
        ),
        "",
        "`build.assets[1].into` = `static` is where an earlier asset stage lands",
    );
    let many: String = (0..17)
        .map(|_| asset("frontend", "dist", "static", ""))
        .collect();
    refused(&files, &many, "", "`build.assets` lists 17 stages");
}

#[test]
fn asset_steps_default_only_to_a_build_script_and_are_checked() {
    refused(
        &[
            ("requirements.txt", "x\n"),
            ("frontend/package.json", "{}\n"),
        ],
        &asset("frontend", "dist", "static", ""),
        "",
        "`build.assets[0]` has no `steps`, and `frontend/package.json` has no `build` script",
    );
    let files = [("requirements.txt", "x\n"), FRONTEND, LOCK];
    refused(
        &files,
        &asset("frontend", "dist", "static", "steps = []\n"),
        "",
        "`build.assets[0].steps` is empty",
    );
    refused(
        &files,
        &asset("frontend", "dist", "static", "steps = [\"cat <<EOF\"]\n"),
        "",
        "`build.assets[0].steps[0]` contains a heredoc",
    );
    refused(
        &files,
        &asset(
            "frontend",
            "dist",
            "static",
            "steps = [\"npm run build \\\\\"]\n",
        ),
        "",
        "`build.assets[0].steps[0]` ends with `\\`",
    );
}

#[test]
fn an_asset_manager_without_its_lockfile_is_refused_at_the_workdir() {
    refused(
        &[
            ("requirements.txt", "x\n"),
            (
                "frontend/package.json",
                "{\"packageManager\": \"pnpm@9.15.9\", \"scripts\": {\"build\": \"x\"}}\n",
            ),
        ],
        &asset("frontend", "dist", "static", ""),
        "",
        "pnpm installs from `pnpm-lock.yaml`, and there is none in `frontend`",
    );
    refused(
        &[
            ("requirements.txt", "x\n"),
            ("frontend/package.json", "{\"scripts\": "),
        ],
        &asset("frontend", "dist", "static", ""),
        "",
        "is not valid JSON",
    );
}

#[cfg(unix)]
#[test]
fn asset_paths_never_pass_a_link() {
    let files = [("requirements.txt", "flask\n"), FRONTEND, LOCK];
    for (link, target, workdir, output, into, key) in [
        (
            "web",
            "/etc",
            "web",
            "dist",
            "static",
            "build.assets[0].workdir",
        ),
        (
            "frontend/dist",
            "/etc",
            "frontend",
            "dist",
            "static",
            "build.assets[0].output",
        ),
        (
            "static",
            "/etc",
            "frontend",
            "dist",
            "static",
            "build.assets[0].into",
        ),
    ] {
        let manifest = format!(
            "name = \"a\"\nlanguage = \"python\"\n{}[runtime]\nentrypoint = [\"python\", \"app.py\"]\n",
            asset(workdir, output, into, "")
        );
        let dir = project(&files, &manifest);
        std::os::unix::fs::symlink(target, dir.path().join(link)).unwrap();
        let output = common::shipit(dir.path(), &["render"]);
        let stderr = common::stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{key}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "`{key}` passes through the symbolic link `{link}`"
            )),
            "{key}: {stderr}"
        );
    }
}

#[test]
fn assets_need_a_runtime_workdir() {
    let dir = project(
        &[("go.mod", "module x\n\ngo 1.22\n"), FRONTEND, LOCK],
        &format!("name = \"a\"\nlanguage = \"go\"\n{ASSETS}"),
    );
    let output = common::shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::stderr(&output)
            .contains("`build.assets` land under the runtime workdir, and there is none"),
        "{}",
        common::stderr(&output)
    );
}

#[test]
fn plan_shows_each_asset_stage() {
    let dir = project(
        &[("requirements.txt", "flask\n"), FRONTEND, LOCK],
        &projects()[0].2,
    );
    let output = common::shipit(dir.path(), &["plan"]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let text = common::stdout(&output);
    for want in [
        "stage = \"assets-1\"",
        "image = \"node:22-trixie\"",
        "manager = \"npm\"",
        "steps = [\"npm run build\"]",
        "into = \"/app/static\"",
        "version_from = \"default\"",
    ] {
        assert!(text.contains(want), "no `{want}` in:\n{text}");
    }
}

#[test]
fn a_lock_pins_the_asset_image() {
    let dir = project(
        &[("requirements.txt", "flask\n"), FRONTEND, LOCK],
        &projects()[0].2,
    );
    let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let mut lock = String::from("version = 1\n");
    for reference in [
        "node:22-trixie",
        "python:3.13-trixie",
        "python:3.13-slim-trixie",
    ] {
        lock.push_str(&format!(
            "\n[images.\"{reference}\"]\nname = \"docker.io/library/{reference}\"\ndigest = \"{digest}\"\nmedia-type = \"application/vnd.oci.image.index.v1+json\"\n"
        ));
    }
    std::fs::write(dir.path().join("shipit.lock"), lock).unwrap();
    let output = common::shipit(dir.path(), &["render"]);
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        common::stdout(&output).contains(&format!(
            "FROM --platform=$BUILDPLATFORM node:22-trixie@{digest} AS assets-1\n"
        )),
        "{}",
        common::stdout(&output)
    );
    assert!(!stderr.contains("does not pin"), "{stderr}");
    assert!(!stderr.contains("not used"), "{stderr}");
}

#[test]
fn a_yarn_berry_frontend_installs_everything_and_needs_no_focus_plugin() {
    let text = render(
        &[
            ("requirements.txt", "flask\n"),
            (
                "frontend/package.json",
                "{\"packageManager\": \"yarn@3.8.7\", \"scripts\": {\"build\": \"vite build\"}}\n",
            ),
            ("frontend/yarn.lock", ""),
            ("frontend/.yarnrc.yml", "nodeLinker: node-modules\n"),
        ],
        &projects()[0].2,
    );
    for want in [
        "COPY frontend/package.json frontend/.yarnrc.yml frontend/yarn.lock ./\n",
        "ENV YARN_NODE_LINKER=node-modules \\\n    YARN_ENABLE_GLOBAL_CACHE=true\nRUN --mount=type=cache,target=/root/.yarn/berry/cache \\\n    yarn install --immutable\n",
        "COPY frontend/ ./\nRUN yarn run build\n",
    ] {
        assert!(text.contains(want), "no `{want}` in:\n{text}");
    }
    assert!(!text.contains("focus"), "{text}");
}

#[test]
fn a_workspace_members_assets_land_in_its_own_directory_of_the_build_stage() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("go.work", "go 1.22\n\nuse ./svc\n"),
        ("svc/go.mod", "module example.com/svc\n\ngo 1.22\n"),
        ("svc/main.go", "package main\nfunc main() {}\n"),
        FRONTEND,
        LOCK,
        (
            "svc/shipit.toml",
            "name = \"svc\"\nlanguage = \"go\"\n[build]\ncontext = \"..\"\n[[build.assets]]\nlanguage = \"node\"\nworkdir = \"frontend\"\noutput = \"dist\"\ninto = \"static\"\n[runtime]\nworkdir = \"/srv\"\n",
        ),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let output = common::shipit(dir.path(), &["render", "-m", "svc/shipit.toml"]);
    let text = common::stdout(&output);
    assert!(output.status.success(), "{}", common::stderr(&output));
    // `//go:embed static` in svc/ finds it beside the package.
    assert!(
        text.contains("COPY --from=assets-1 /assets/dist/ /src/svc/static/\n"),
        "{text}"
    );

    // A committed link at the root where the member's copy lands is refused.
    std::os::unix::fs::symlink("/etc", dir.path().join("svc/static")).unwrap();
    let output = common::shipit(dir.path(), &["render", "-m", "svc/shipit.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", common::stdout(&output));
    assert!(
        common::stderr(&output).contains("symbolic link"),
        "{}",
        common::stderr(&output)
    );
}
