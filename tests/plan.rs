//! `shipit plan` (both formats), `shipit completions`, `shipit man`.

mod common;

use common::{shipit, stdout};

#[test]
fn plan_json_gives_values_sources_and_templates() {
    let root = common::root();
    let output = shipit(
        &root,
        &[
            "plan",
            "-m",
            "examples/go-hello/shipit.toml",
            "--format",
            "json",
        ],
    );
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["manifest"], "examples/go-hello/shipit.toml");
    let plan = &json["plan"];
    assert_eq!(plan["name"], "go-hello");
    assert_eq!(plan["build"]["image"], "golang:1.22");
    assert_eq!(plan["runtime"]["base"], "scratch");
    assert_eq!(plan["runtime"]["user"], "65532:65532");
    assert_eq!(plan["runtime"]["ports"], serde_json::json!([8080]));
    assert_eq!(plan["go"]["package"], ".");
    assert_eq!(plan["artifacts"][0]["to"], "/usr/local/bin/go-hello");
    let sources = &json["sources"];
    assert_eq!(sources["build.version"], "manifest");
    assert_eq!(sources["build.image"], "default");
    assert_eq!(sources["runtime.ports"], "manifest");
    assert_eq!(sources["runtime.env"], "manifest");
    assert_eq!(sources["runtime.user"], "default");
    assert_eq!(sources["runtime.scratch"], "derived");
    assert_eq!(sources["go.package"], "default");
    assert_eq!(json["templates"]["go.Dockerfile.j2"], "built-in");

    let output = shipit(
        &root,
        &[
            "plan",
            "-m",
            "examples/org-templates/shipit.toml",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["templates"]["go.Dockerfile.j2"],
        "examples/org-templates/org/go.Dockerfile.j2"
    );
}

#[test]
fn plan_toml_annotates_each_value_and_parses_as_toml() {
    let root = common::root();
    let output = shipit(&root, &["plan", "-m", "examples/python-flask/shipit.toml"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.contains("\nimage = \"python:3.12-trixie\"  # default\n"),
        "{text}"
    );
    assert!(
        text.contains("\nversion = \"3.12\"  # manifest\n"),
        "{text}"
    );
    assert!(
        text.contains("\nrequirements = \"requirements.txt\"  # manifest\n"),
        "{text}"
    );
    assert!(
        text.contains("\ninstaller = \"requirements\"  # derived\n"),
        "{text}"
    );
    assert!(text.contains("\n[runtime]\n"), "{text}");
    let parsed: toml::Table = toml::from_str(&text).expect("the plan is TOML");
    assert_eq!(
        parsed["runtime"]["base"].as_str(),
        Some("python:3.12-slim-trixie")
    );
    assert_eq!(
        parsed["templates"]["python.Dockerfile.j2"].as_str(),
        Some("built-in")
    );
}

#[test]
fn plan_of_a_broken_manifest_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shipit.toml"), "name = \"x\"\n").unwrap();
    let output = shipit(dir.path(), &["plan"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[test]
fn completions_and_man_page() {
    let root = common::root();
    for (shell, marker) in [
        ("bash", "_shipit()"),
        ("zsh", "#compdef shipit"),
        ("fish", "complete -c shipit"),
    ] {
        let output = shipit(&root, &["completions", shell]);
        assert!(output.status.success(), "{shell}");
        let script = stdout(&output);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("render") && script.contains("check"),
            "{shell}"
        );
    }
    let output = shipit(&root, &["man"]);
    let page = stdout(&output);
    assert!(page.starts_with(".ie"), "{page}");
    assert!(page.contains(".TH shipit"), "{page}");
    assert_eq!(
        shipit(&root, &["completions", "tcsh"]).status.code(),
        Some(2)
    );
}
