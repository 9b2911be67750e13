//! The walks shipit makes through a project's own files (go.work `use`,
//! go.mod `replace`, requirements includes, workspace members, Cargo
//! members, toolchain files): they never leave the build context through a
//! symbolic link, they stay one walk however the patterns are written, and
//! a broken workspace root is blamed at its own line and column.

mod common;

use std::path::Path;
use std::process::Output;

use common::{shipit, stderr, stdout};

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn link(target: &Path, root: &Path, path: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// An error exit whose message contains every one of `needles`.
fn refused(output: &Output, needles: &[&str]) {
    let message = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{message}\n{}",
        stdout(output)
    );
    for needle in needles {
        assert!(message.contains(needle), "no `{needle}` in:\n{message}");
    }
}

const MEMBER: &str = "[build]\ncontext = \"../..\"\n";

// 1. Module walks never leave the build context through a link ------------

fn go_workspace(root: &Path, outside: &Path) {
    write(
        root,
        "go.work",
        "go 1.22\n\nuse (\n\t./services/api\n\t./libs/x\n)\n",
    );
    write(
        root,
        "services/api/go.mod",
        "module example.com/api\n\ngo 1.22\n",
    );
    write(
        root,
        "services/api/main.go",
        "package main\n\nfunc main() {}\n",
    );
    write(
        root,
        "services/api/shipit.toml",
        &format!("name = \"api\"\nlanguage = \"go\"\n{MEMBER}"),
    );
    write(
        outside,
        "x/go.mod",
        "module example.com/x\n\ngo 1.22\n\nreplace example.com/y => ../y\n",
    );
    write(outside, "y/go.mod", "module example.com/y\n\ngo 1.22\n");
}

#[test]
fn a_go_work_use_through_a_linked_directory_is_refused_not_followed() {
    let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    go_workspace(dir.path(), outside.path());
    link(outside.path(), dir.path(), "libs");
    let output = shipit(dir.path(), &["render", "-m", "services/api/shipit.toml"]);
    refused(&output, &["go.work:5", "`libs`", "symbolic link"]);
    assert!(!stdout(&output).contains("libs/"), "{}", stdout(&output));
}

#[test]
fn a_go_mod_replace_through_a_linked_directory_is_refused_not_followed() {
    let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let root = dir.path();
    write(
        root,
        "go.mod",
        "module example.com/app\n\ngo 1.22\n\nreplace example.com/x => ./vendor/x\n",
    );
    write(root, "main.go", "package main\n\nfunc main() {}\n");
    write(root, "shipit.toml", "name = \"app\"\nlanguage = \"go\"\n");
    write(outside.path(), "x/go.mod", "module example.com/x\n");
    link(outside.path(), root, "vendor");
    let output = shipit(root, &["render"]);
    refused(&output, &["go.mod:5", "`vendor`", "symbolic link"]);
}

#[test]
fn a_requirements_include_through_a_linked_directory_is_refused() {
    let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let root = dir.path();
    write(root, "requirements.txt", "flask\n-r sub/base.txt\n");
    write(
        root,
        "shipit.toml",
        "name = \"app\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"gunicorn\", \"app:app\"]\n",
    );
    write(outside.path(), "base.txt", "requests\n");
    link(outside.path(), root, "sub");
    let output = shipit(root, &["render"]);
    refused(&output, &["requirements.txt:2", "`sub`", "symbolic link"]);
}

fn pnpm_workspace(root: &Path, patterns: &str) {
    write(
        root,
        "package.json",
        "{\"private\": true, \"packageManager\": \"pnpm@9.15.9\"}\n",
    );
    write(
        root,
        "pnpm-workspace.yaml",
        &format!("packages:\n{patterns}"),
    );
    write(root, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    write(root, "apps/web/package.json", "{\"name\": \"web\"}\n");
    write(root, "apps/web/index.js", "");
    write(
        root,
        "apps/web/shipit.toml",
        &format!("name = \"web\"\nlanguage = \"node\"\n{MEMBER}[node]\nmode = \"runtime\"\n"),
    );
}

#[test]
fn a_workspace_member_whose_package_json_is_a_link_is_refused() {
    let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let root = dir.path();
    pnpm_workspace(root, "  - \"apps/*\"\n  - \"packages/*\"\n");
    write(outside.path(), "package.json", "{\"name\": \"evil\"}\n");
    link(
        &outside.path().join("package.json"),
        root,
        "packages/evil/package.json",
    );
    let output = shipit(root, &["render", "-m", "apps/web/shipit.toml"]);
    refused(
        &output,
        &[
            "pnpm-workspace.yaml",
            "`packages/evil/package.json`",
            "symbolic link",
        ],
    );
}

#[test]
fn a_file_dependency_whose_package_json_is_a_link_is_refused() {
    let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let root = dir.path();
    pnpm_workspace(root, "  - \"apps/*\"\n");
    write(
        root,
        "apps/web/package.json",
        "{\"name\": \"web\", \"dependencies\": {\"v\": \"file:../../vendor/v\"}}\n",
    );
    write(
        outside.path(),
        "package.json",
        "{\"name\": \"v\", \"dependencies\": {\"w\": \"file:../w\"}}\n",
    );
    link(
        &outside.path().join("package.json"),
        root,
        "vendor/v/package.json",
    );
    let output = shipit(root, &["render", "-m", "apps/web/shipit.toml"]);
    refused(
        &output,
        &[
            "apps/web/package.json",
            "`vendor/v/package.json`",
            "symbolic link",
        ],
    );
}

#[test]
fn a_cargo_member_or_toolchain_file_that_is_a_link_is_refused() {
    let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n",
    );
    write(root, "Cargo.lock", "version = 4\n");
    write(
        root,
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    write(root, "crates/app/src/main.rs", "fn main() {}\n");
    write(
        root,
        "crates/app/shipit.toml",
        &format!("name = \"app\"\nlanguage = \"rust\"\n{MEMBER}"),
    );
    write(
        outside.path(),
        "Cargo.toml",
        "[package]\nname = \"evil\"\nversion = \"0.1.0\"\n",
    );
    write(
        outside.path(),
        "rust-toolchain.toml",
        "[toolchain]\nchannel = \"1.90\"\n",
    );
    link(
        &outside.path().join("Cargo.toml"),
        root,
        "crates/evil/Cargo.toml",
    );
    let output = shipit(root, &["render", "-m", "crates/app/shipit.toml"]);
    refused(
        &output,
        &["Cargo.toml", "`crates/evil/Cargo.toml`", "symbolic link"],
    );

    std::fs::remove_file(root.join("crates/evil/Cargo.toml")).unwrap();
    link(
        &outside.path().join("rust-toolchain.toml"),
        root,
        "rust-toolchain.toml",
    );
    let output = shipit(root, &["render", "-m", "crates/app/shipit.toml"]);
    refused(&output, &["`rust-toolchain.toml`", "symbolic link"]);
}

// 2. Walks that stay one walk -----------------------------------------------

/// Runs shipit, killing it after `seconds`: `None` when it did not finish.
fn shipit_within(dir: &Path, args: &[&str], seconds: u64) -> Option<Output> {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHIPIT_TEMPLATES")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(child.wait_with_output());
    });
    match receive.recv_timeout(std::time::Duration::from_secs(seconds)) {
        Ok(output) => Some(output.unwrap()),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &id.to_string()])
                .status();
            None
        }
    }
}

#[test]
fn a_pattern_listed_twenty_thousand_times_gives_the_members_of_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    pnpm_workspace(root, "  - '**'\n");
    for group in 0..20 {
        for package in 0..5 {
            write(
                root,
                &format!("packages/g{group}/p{package}/package.json"),
                &format!("{{\"name\": \"p{group}-{package}\"}}\n"),
            );
        }
    }
    // web depends on every member: it ships each one it was found.
    let all: Vec<String> = (0..100)
        .map(|n| format!("\"p{}-{}\": \"workspace:*\"", n / 5, n % 5))
        .collect();
    write(
        root,
        "apps/web/package.json",
        &format!(
            "{{\"name\": \"web\", \"dependencies\": {{{}}}}}\n",
            all.join(", ")
        ),
    );
    let once = shipit(root, &["render", "-m", "apps/web/shipit.toml"]);
    assert!(once.status.success(), "{}", stderr(&once));
    assert_eq!(
        stdout(&once).matches(" packages/g").count(),
        100,
        "{}",
        stdout(&once)
    );
    write(
        root,
        "pnpm-workspace.yaml",
        &format!("packages:\n{}", "  - '**'\n".repeat(20_000)),
    );
    let many = shipit_within(root, &["render", "-m", "apps/web/shipit.toml"], 30)
        .expect("20,000 copies of one pattern are one walk, not 20,000");
    assert!(many.status.success(), "{}", stderr(&many));
    assert_eq!(stdout(&many), stdout(&once));
}

#[test]
fn check_all_over_a_workspace_checks_every_member_against_its_own_dockerfile() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    pnpm_workspace(root, "  - \"apps/*\"\n  - \"packages/*\"\n");
    for app in ["api", "cli"] {
        write(
            root,
            &format!("apps/{app}/package.json"),
            &format!("{{\"name\": \"{app}\", \"dependencies\": {{\"lib\": \"workspace:*\"}}}}\n"),
        );
        write(root, &format!("apps/{app}/index.js"), "");
        write(
            root,
            &format!("apps/{app}/shipit.toml"),
            &format!("name = \"{app}\"\nlanguage = \"node\"\n{MEMBER}[node]\nmode = \"runtime\"\n"),
        );
    }
    write(root, "packages/lib/package.json", "{\"name\": \"lib\"}\n");
    for app in ["api", "cli", "web"] {
        let manifest = format!("apps/{app}/shipit.toml");
        let dockerfile = format!("apps/{app}/Dockerfile");
        let output = shipit(root, &["render", "-m", &manifest, "-o", &dockerfile]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let output = shipit(root, &["check", "--all", "."]);
    assert!(output.status.success(), "{}", stdout(&output));
    // One process, three members: each still gets its own Dockerfile.
    let api = std::fs::read_to_string(root.join("apps/api/Dockerfile")).unwrap();
    let web = std::fs::read_to_string(root.join("apps/web/Dockerfile")).unwrap();
    assert!(api.contains("{apps/api}..."), "{api}");
    assert_ne!(api, web);
}

// 3. A broken workspace root is blamed at its own line and column ---------

#[test]
fn a_broken_root_package_json_is_an_error_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    pnpm_workspace(root, "  - \"apps/*\"\n");
    write(
        root,
        "package.json",
        "{\n  \"private\": true,\n  \"packageManager\": \"pnpm@9.15.9\",\n}\n",
    );
    let output = shipit(root, &["render", "-m", "apps/web/shipit.toml"]);
    let root_file = root.join("package.json").canonicalize().unwrap();
    refused(
        &output,
        &[&format!("{}:4:1", root_file.display()), "not valid JSON"],
    );
    assert!(
        !stderr(&output).contains("apps/web/package.json"),
        "{}",
        stderr(&output)
    );
    // npm: the root's `workspaces` lost to the comma is not blamed on the
    // member as a workspace that does not list it.
    write(
        root,
        "package.json",
        "{\n  \"private\": true,\n  \"workspaces\": [\"apps/*\"],\n}\n",
    );
    std::fs::remove_file(root.join("pnpm-lock.yaml")).unwrap();
    std::fs::remove_file(root.join("pnpm-workspace.yaml")).unwrap();
    write(root, "package-lock.json", "{}\n");
    let output = shipit(root, &["render", "-m", "apps/web/shipit.toml"]);
    refused(&output, &[&format!("{}:4:1", root_file.display())]);
    assert!(
        !stderr(&output).contains("not a member"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_broken_uv_workspace_root_is_an_error_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"apps/*\"\n",
    );
    write(root, "uv.lock", "version = 1\n");
    write(
        root,
        "apps/worker/pyproject.toml",
        "[project]\nname = \"worker\"\nversion = \"0.1.0\"\n",
    );
    write(
        root,
        "apps/worker/shipit.toml",
        &format!(
            "name = \"worker\"\nlanguage = \"python\"\n{MEMBER}[runtime]\nentrypoint = [\"worker\"]\n"
        ),
    );
    let output = shipit(root, &["render", "-m", "apps/worker/shipit.toml"]);
    let root_file = root.join("pyproject.toml").canonicalize().unwrap();
    refused(
        &output,
        &[&format!("{}:2:20", root_file.display()), "not valid TOML"],
    );
}

#[test]
fn a_broken_root_cargo_toml_is_an_error_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\",,]\n",
    );
    write(root, "Cargo.lock", "version = 4\n");
    write(
        root,
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n",
    );
    write(root, "crates/app/src/main.rs", "fn main() {}\n");
    write(
        root,
        "crates/app/shipit.toml",
        &format!("name = \"app\"\nlanguage = \"rust\"\n{MEMBER}"),
    );
    let output = shipit(root, &["render", "-m", "crates/app/shipit.toml"]);
    let root_file = root.join("Cargo.toml").canonicalize().unwrap();
    refused(
        &output,
        &[&format!("{}:2:23", root_file.display()), "not valid TOML"],
    );
}

#[test]
fn a_broken_go_work_is_an_error_at_its_line_and_column() {
    let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let root = dir.path();
    go_workspace(root, outside.path());
    // A `use` block that is never closed: go refuses the file.
    write(root, "go.work", "go 1.22\n\nuse (\n\t./services/api\n");
    let output = shipit(root, &["render", "-m", "services/api/shipit.toml"]);
    refused(&output, &["go.work:3:5", "never closed"]);
    // A `use` with nothing to use.
    write(root, "go.work", "go 1.22\n\nuse ./services/api\nuse\n");
    let output = shipit(root, &["render", "-m", "services/api/shipit.toml"]);
    refused(&output, &["go.work:4:1", "`use`"]);
}

/// Source files init and plan read for a port, a path or an argument
/// guard, shaped to cost the square of their size: an entry of unclosed
/// `.listen(` calls, a line of thousands of strings, a C file that is all
/// guards. Each took hours (extrapolated from 12 s, 36 s and 890 s at a
/// fraction of these sizes); each is one pass now.
#[test]
fn sources_shaped_to_be_quadratic_are_read_in_one_pass() {
    let node = tempfile::tempdir().unwrap();
    write(
        node.path(),
        "package.json",
        r#"{"name": "x", "scripts": {"start": "node index.js"}}"#,
    );
    write(node.path(), "index.js", &"x.listen(".repeat(100_000));
    let output = shipit_within(node.path(), &["init"], 60).expect("init finished");
    assert!(output.status.success(), "{}", stderr(&output));

    let python = tempfile::tempdir().unwrap();
    write(python.path(), "requirements.txt", "flask\n");
    write(
        python.path(),
        "app.py",
        "from flask import Flask\napp = Flask(__name__)\n",
    );
    write(
        python.path(),
        "frontend/package.json",
        r#"{"scripts": {"build": "vite build"}, "devDependencies": {"vite": "5"}}"#,
    );
    write(
        python.path(),
        "site/big.py",
        &format!("x = [{}]\n", "'a',".repeat(200_000)),
    );
    let output = shipit_within(python.path(), &["init"], 60).expect("init finished");
    assert!(output.status.success(), "{}", stderr(&output));

    let c = tempfile::tempdir().unwrap();
    write(
        c.path(),
        "shipit.toml",
        "name = \"x\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\", \"b.c\", \"c.c\", \"d.c\"]\n",
    );
    for file in ["a.c", "b.c", "c.c", "d.c"] {
        write(c.path(), file, &"argc<2\n".repeat(500_000));
    }
    let output = shipit_within(c.path(), &["plan"], 60).expect("plan finished");
    assert!(output.status.success(), "{}", stderr(&output));
}
