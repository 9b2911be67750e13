//! Which toolchain a build uses, read where the tools themselves read it,
//! named by tags that exist, and the same in every stage.

mod common;

use common::{shipit, stderr, stdout};

fn write(root: &std::path::Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn froms(dockerfile: &str) -> Vec<String> {
    dockerfile
        .lines()
        .filter_map(|l| l.strip_prefix("FROM "))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect()
}

#[test]
fn a_uv_workspace_members_python_is_the_roots_python_version() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".python-version", "3.12\n");
    write(
        root,
        "pyproject.toml",
        "[project]\nname = \"ws\"\nversion = \"0\"\nrequires-python = \">=3.11\"\n\n[tool.uv.workspace]\nmembers = [\"apps/*\"]\n",
    );
    write(root, "uv.lock", "version = 1\n");
    write(
        root,
        "apps/api/pyproject.toml",
        "[project]\nname = \"api\"\nversion = \"0\"\nrequires-python = \">=3.11\"\n",
    );
    write(
        root,
        "apps/api/shipit.toml",
        "name = \"api\"\nlanguage = \"python\"\n\n[build]\ncontext = \"../..\"\n\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\n",
    );
    let member = root.join("apps/api");
    let output = shipit(&member, &["render"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        froms(&stdout(&output)),
        ["python:3.12-trixie", "python:3.12-slim-trixie"]
    );
    // What a version file says is shown, never sent, where `plan` names it.
    write(root, ".python-version", "3.12\u{1b}[2J\n");
    let output = shipit(&member, &["plan", "--format", "toml"]);
    let plan = stdout(&output);
    assert!(!plan.contains('\u{1b}'), "{plan}");

    // The member's own file wins over the root's, as it does for uv.
    write(root, "apps/api/.python-version", "3.11\n");
    let output = shipit(&member, &["render"]);
    assert_eq!(froms(&stdout(&output))[0], "python:3.11-trixie");
}

fn node_project(nvmrc: &str, table: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", "{\"name\": \"a\"}\n");
    write(dir.path(), "index.js", "\n");
    write(dir.path(), ".nvmrc", nvmrc);
    write(
        dir.path(),
        "shipit.toml",
        &format!("name = \"a\"\nlanguage = \"node\"\n{table}"),
    );
    dir
}

#[test]
fn node_builders_are_named_by_tags_that_exist() {
    let sea = "\n[node]\nmode = \"sea\"\n";
    for (nvmrc, builder, runtime) in [
        // Trixie tags started with 20.19.4, 22.18.0 and 24.5.0.
        (
            "v20.11.1\n",
            "node:20.11.1-bookworm",
            "debian:bookworm-slim",
        ),
        ("20.11\n", "node:20.11-bookworm", "debian:bookworm-slim"),
        ("20.19.4\n", "node:20.19.4-trixie", "debian:trixie-slim"),
        ("22\n", "node:22-trixie", "debian:trixie-slim"),
        ("22.17.1\n", "node:22.17.1-bookworm", "debian:bookworm-slim"),
        ("24.5.0\n", "node:24.5.0-trixie", "debian:trixie-slim"),
        ("25\n", "node:25-trixie", "debian:trixie-slim"),
    ] {
        let dir = node_project(nvmrc, sea);
        let output = shipit(dir.path(), &["render"]);
        assert!(output.status.success(), "{nvmrc}: {}", stderr(&output));
        assert_eq!(froms(&stdout(&output)), [builder, runtime], "{nvmrc}");
    }
}

#[test]
fn a_node_version_file_with_a_variant_suffix_names_tags_that_exist() {
    // The variant is shipit's to add: a suffix in the version file is
    // dropped, never doubled (`22.1.0-alpine-alpine`).
    let runtime = "\n[node]\nmode = \"runtime\"\n";
    for (nvmrc, tag) in [
        ("22.1.0-alpine\n", "node:22.1.0-alpine"),
        ("v20.11.1-alpine3.19\n", "node:20.11.1-alpine"),
        ("20-bookworm\n", "node:20-alpine"),
        ("v20.11.1\n", "node:20.11.1-alpine"),
        ("20.x\n", "node:20-alpine"),
        ("lts/*\n", "node:22-alpine"),
        ("lts/iron\n", "node:20-alpine"),
    ] {
        let dir = node_project(nvmrc, runtime);
        let output = shipit(dir.path(), &["render"]);
        assert!(output.status.success(), "{nvmrc}: {}", stderr(&output));
        assert_eq!(froms(&stdout(&output)), [tag, tag], "{nvmrc}");
    }
    // On a glibc builder too: `node:22.1.0-bookworm`, not `-alpine-bookworm`.
    let dir = node_project("22.1.0-alpine\n", "\n[node]\nmode = \"sea\"\n");
    let output = shipit(dir.path(), &["render"]);
    assert_eq!(
        froms(&stdout(&output)),
        ["node:22.1.0-bookworm", "debian:bookworm-slim"]
    );
}

#[test]
fn a_node_builder_follows_the_runtimes_debian_release() {
    let dir = node_project(
        "22\n",
        "\n[runtime]\nbase = \"node:22-bookworm-slim\"\n\n[node]\nmode = \"runtime\"\n",
    );
    let output = shipit(dir.path(), &["render"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        froms(&stdout(&output)),
        ["node:22-bookworm", "node:22-bookworm-slim"]
    );
    // Built on the runtime's release: no glibc warning.
    assert!(!stderr(&output).contains("glibc"), "{}", stderr(&output));
}

#[test]
fn sea_refuses_an_es_module_entry_with_what_to_do() {
    for (package, entry) in [
        ("{\"name\": \"a\", \"type\": \"module\"}\n", "index.js"),
        ("{\"name\": \"a\"}\n", "main.mjs"),
    ] {
        let dir = node_project(
            "22\n",
            &format!("\n[node]\nmode = \"sea\"\nentry = \"{entry}\"\n"),
        );
        write(dir.path(), "package.json", package);
        write(dir.path(), entry, "await 1;\n");
        let output = shipit(dir.path(), &["render"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{entry}: {}",
            stdout(&output)
        );
        let message = stderr(&output);
        assert!(
            message.contains("ES module") && message.contains("node.mode = \"runtime\""),
            "{message}"
        );
    }
    // A CommonJS entry of an ES module package is fine.
    let dir = node_project("22\n", "\n[node]\nmode = \"sea\"\nentry = \"main.cjs\"\n");
    write(
        dir.path(),
        "package.json",
        "{\"name\": \"a\", \"type\": \"module\"}\n",
    );
    write(dir.path(), "main.cjs", "\n");
    let output = shipit(dir.path(), &["render"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn rusts_pinned_toolchain_is_in_place_before_anything_runs_cargo() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(root, "Cargo.lock", "version = 4\n");
    write(root, "src/main.rs", "fn main() {}\n");
    write(
        root,
        "rust-toolchain.toml",
        "[toolchain]\nchannel = \"1.91\"\n",
    );
    write(
        root,
        "shipit.toml",
        "name = \"app\"\nlanguage = \"rust\"\n\n[rust]\nstatic = true\n",
    );
    let output = shipit(root, &["render"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let copy = text
        .find("COPY rust-toolchain.toml ./\n")
        .unwrap_or_else(|| panic!("no toolchain copy:\n{text}"));
    for later in [
        "cargo install",
        "rustup target add",
        "cargo chef cook",
        "cargo build",
    ] {
        let at = text.find(later).unwrap_or_else(|| panic!("no `{later}`"));
        assert!(
            copy < at,
            "`{later}` runs before the toolchain is in place:\n{text}"
        );
    }
    // Without one, nothing is copied.
    std::fs::remove_file(root.join("rust-toolchain.toml")).unwrap();
    let output = shipit(root, &["render"]);
    assert!(
        !stdout(&output).contains("rust-toolchain"),
        "{}",
        stdout(&output)
    );
}
