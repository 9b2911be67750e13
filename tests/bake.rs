//! `shipit bake`: one Buildx Bake target per manifest in a generated
//! monorepo, drift detection, and refusals that write nothing.

use std::path::Path;
use std::process::{Command, Output};

fn shipit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run shipit")
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A monorepo: two Go services, a Python one with `[image]`, a C tool, and
/// an ignored directory whose manifest must not become a target.
fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", "vendor/\n");
    for service in ["services/api", "services/worker"] {
        let name = service.rsplit('/').next().unwrap();
        write(
            root,
            &format!("{service}/go.mod"),
            &format!("module example.com/{name}\n\ngo 1.22\n"),
        );
        write(
            root,
            &format!("{service}/main.go"),
            "package main\n\nfunc main() {}\n",
        );
        write(
            root,
            &format!("{service}/shipit.toml"),
            &format!("name = \"{name}\"\nlanguage = \"go\"\n"),
        );
    }
    write(root, "apps/web/requirements.txt", "flask==3.0.0\n");
    write(root, "apps/web/app.py", "print('hi')\n");
    write(
        root,
        "apps/web/shipit.toml",
        "name = \"web\"\nlanguage = \"python\"\n\n[runtime]\ncmd = [\"python\", \"app.py\"]\n\n[image]\nrepository = \"ghcr.io/acme/web\"\nplatforms = [\"linux/amd64\", \"linux/arm/v7\"]\n",
    );
    write(
        root,
        "tools/hello/hello.c",
        "int main(void) { return 0; }\n",
    );
    write(
        root,
        "tools/hello/shipit.toml",
        "name = \"hello\"\nlanguage = \"c\"\n\n[c]\nsources = [\"hello.c\"]\n",
    );
    write(
        root,
        "vendor/x/shipit.toml",
        "name = \"api\"\nlanguage = \"go\"\n",
    );
    dir
}

fn json(text: &[u8]) -> serde_json::Value {
    serde_json::from_slice(text).expect("bake output is JSON")
}

#[test]
fn bake_writes_one_target_per_manifest_and_a_default_group() {
    let dir = monorepo();
    let output = shipit(dir.path(), &["bake"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = json(&output.stdout);
    assert_eq!(
        file["group"]["default"]["targets"],
        serde_json::json!(["api", "hello", "web", "worker"])
    );
    assert_eq!(
        file["target"]["api"],
        serde_json::json!({"context": "./services/api", "dockerfile": "Dockerfile", "tags": ["api:${TAG}"]})
    );
    assert_eq!(
        file["target"]["web"],
        serde_json::json!({
            "context": "./apps/web",
            "dockerfile": "Dockerfile",
            "platforms": ["linux/amd64", "linux/arm/v7"],
            "tags": ["ghcr.io/acme/web:${TAG}"],
        })
    );
    assert_eq!(file["variable"]["TAG"]["default"], "latest");
    // Only Bake's own top-level blocks.
    let keys: Vec<&String> = file.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["group", "target", "variable"]);
}

#[test]
fn bake_paths_are_relative_to_the_bake_file_and_output_is_deterministic() {
    let dir = monorepo();
    std::fs::create_dir(dir.path().join("ci")).unwrap();
    let first = shipit(dir.path(), &["bake", "services", "-o", "ci/bake.json"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = std::fs::read(dir.path().join("ci/bake.json")).unwrap();
    assert_eq!(
        json(&text)["target"]["worker"]["context"],
        "../services/worker"
    );
    let again = shipit(dir.path(), &["bake", "services"]);
    assert_eq!(
        json(&again.stdout)["target"]["worker"]["context"],
        "./services/worker"
    );
    shipit(dir.path(), &["bake", "services", "-o", "ci/bake.json"]);
    assert_eq!(
        std::fs::read(dir.path().join("ci/bake.json")).unwrap(),
        text
    );
}

#[test]
fn bake_check_exits_1_with_a_diff_on_drift_and_0_when_current() {
    let dir = monorepo();
    assert!(
        shipit(dir.path(), &["bake", "-o", "docker-bake.json"])
            .status
            .success()
    );
    let same = shipit(dir.path(), &["bake", "--check"]);
    assert_eq!(same.status.code(), Some(0));
    write(
        dir.path(),
        "services/billing/shipit.toml",
        "name = \"billing\"\nlanguage = \"go\"\n",
    );
    write(
        dir.path(),
        "services/billing/go.mod",
        "module example.com/billing\n\ngo 1.22\n",
    );
    let drift = shipit(dir.path(), &["bake", "--check"]);
    assert_eq!(drift.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&drift.stdout);
    assert!(diff.contains("+    \"billing\": {"), "{diff}");
    assert!(String::from_utf8_lossy(&drift.stderr).contains("run `shipit bake . -o "));
    std::fs::remove_file(dir.path().join("docker-bake.json")).unwrap();
    assert_eq!(
        shipit(dir.path(), &["bake", "--check"]).status.code(),
        Some(1)
    );
}

#[test]
fn duplicate_names_are_an_error_naming_both_files_and_write_nothing() {
    let dir = monorepo();
    write(
        dir.path(),
        "apps/api/shipit.toml",
        "name = \"api\"\nlanguage = \"go\"\n",
    );
    write(
        dir.path(),
        "apps/api/go.mod",
        "module example.com/api\n\ngo 1.22\n",
    );
    let output = shipit(dir.path(), &["bake", "-o", "docker-bake.json"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("apps/api/shipit.toml") && stderr.contains("services/api/shipit.toml"),
        "{stderr}"
    );
    assert!(!dir.path().join("docker-bake.json").exists());
}

#[test]
fn a_bad_image_table_is_an_error_at_its_key() {
    for (image, wanted) in [
        ("repository = \"ghcr.io/acme/web:1.0\"", "carries a tag"),
        ("repository = \"Ghcr.io/Acme\"", "not a repository"),
        ("platforms = [\"linux\"]", "is not a platform"),
        (
            "platforms = [\"linux/amd64\", \"linux/amd64\"]",
            "listed twice",
        ),
        ("platform = [\"linux/amd64\"]", "unknown key `platform`"),
    ] {
        let dir = monorepo();
        let manifest = format!("name = \"api\"\nlanguage = \"go\"\n\n[image]\n{image}\n");
        write(dir.path(), "services/api/shipit.toml", &manifest);
        assert!(
            shipit(dir.path(), &["bake", "-o", "docker-bake.json"])
                .status
                .code()
                == Some(2)
        );
        let output = shipit(dir.path(), &["render", "-m", "services/api/shipit.toml"]);
        assert_eq!(output.status.code(), Some(2), "{image}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(wanted) && stderr.contains("shipit.toml:5:"),
            "{image}: {stderr}"
        );
        assert!(!dir.path().join("docker-bake.json").exists());
    }
}

#[test]
fn interpolation_in_a_directory_name_reaches_bake_escaped() {
    let dir = monorepo();
    write(
        dir.path(),
        "odd/${HOME}/shipit.toml",
        "name = \"odd\"\nlanguage = \"go\"\n",
    );
    write(
        dir.path(),
        "odd/${HOME}/go.mod",
        "module example.com/odd\n\ngo 1.22\n",
    );
    let output = shipit(dir.path(), &["bake"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        json(&output.stdout)["target"]["odd"]["context"],
        "./odd/$${HOME}"
    );
}

#[test]
fn the_examples_bake_file_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = shipit(root, &["bake", "examples", "--check"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn bake_targets_forward_the_manifests_ssh_agent_and_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "api/go.mod", "module example.com/api\n\ngo 1.22\n");
    write(root, "api/main.go", "package main\n\nfunc main() {}\n");
    write(
        root,
        "api/shipit.toml",
        "name = \"api\"\nlanguage = \"go\"\n\n[build]\nssh = true\n\n[[build.secrets]]\nid = \"netrc\"\ntarget = \"/root/.netrc\"\n\n[[build.secrets]]\nid = \"npm-token\"\nenv = \"NPM_TOKEN\"\n\n[[build.secrets]]\nid = \"1pass.cfg\"\ntarget = \"/root/.1pass\"\n",
    );
    write(root, "web/go.mod", "module example.com/web\n\ngo 1.22\n");
    write(root, "web/main.go", "package main\n\nfunc main() {}\n");
    write(
        root,
        "web/shipit.toml",
        "name = \"web\"\nlanguage = \"go\"\n",
    );
    let out = shipit(root, &["bake"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bake: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let api = &bake["target"]["api"];
    assert_eq!(api["ssh"], serde_json::json!(["default"]));
    assert_eq!(
        api["secret"],
        serde_json::json!([
            "id=netrc,env=SHIPIT_SECRET_NETRC",
            "id=npm-token,env=SHIPIT_SECRET_NPM_TOKEN",
            "id=1pass.cfg,env=SHIPIT_SECRET_1PASS_CFG"
        ])
    );
    // A target without either has neither key.
    let web = bake["target"]["web"].as_object().unwrap();
    assert!(
        !web.contains_key("ssh") && !web.contains_key("secret"),
        "{web:?}"
    );
}
