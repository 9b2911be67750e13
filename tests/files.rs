//! File safety: a failing render writes nothing and leaves an existing
//! Dockerfile byte-identical; a good one replaces it whole.

mod common;

use common::{shipit, stderr};

#[test]
fn failing_render_leaves_no_file_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nports = [0]\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["shipit.toml"], "nothing else was written");
}

#[test]
fn failing_render_over_an_existing_dockerfile_keeps_it_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let original = b"# hand-made\nFROM alpine:3.22\nCMD [\"true\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), original).unwrap();
    for broken in [
        "name = \"demo\"\nlanguage = \"go\"\nportz = 1\n",
        "name = \"demo\n",
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nbase = \"debian:latest\"\n",
    ] {
        std::fs::write(dir.path().join("shipit.toml"), broken).unwrap();
        let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
        assert_eq!(output.status.code(), Some(2), "{broken}");
        assert_eq!(
            std::fs::read(dir.path().join("Dockerfile")).unwrap(),
            original
        );
    }
}

#[test]
fn a_template_error_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("org");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("go.Dockerfile.j2"),
        "FROM {{ no_such_variable }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"demo\"\nlanguage = \"go\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "old\n").unwrap();
    let output = shipit(
        dir.path(),
        &["render", "--templates", "org", "-o", "Dockerfile"],
    );
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("go.Dockerfile.j2"), "{message}");
    assert!(message.contains("line 1"), "{message}");
    assert!(message.contains("undefined"), "{message}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        "old\n"
    );
}

#[test]
fn render_replaces_a_file_whole_and_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"demo\"\nlanguage = \"go\"\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert!(output.status.success());
    let file = dir.path().join("Dockerfile");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o644
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();
    std::fs::write(&file, "x".repeat(100_000)).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile", "--force"]);
    assert!(output.status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("# syntax=docker/dockerfile:1\n")
            && !text.contains('x'.to_string().repeat(10).as_str())
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o664
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let mut names: Vec<String> = names
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [".dockerignore", "Dockerfile", "shipit.toml"],
        "no temp file left"
    );
}

#[test]
fn render_refuses_a_hand_written_dockerfile_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"demo\"\nlanguage = \"go\"\n",
    )
    .unwrap();
    let original = b"# hand-made\nFROM alpine:3.22\nCMD [\"true\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), original).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("`Dockerfile` was not written by shipit"),
        "{message}"
    );
    assert!(message.contains("`--force`"), "{message}");
    assert!(message.contains("> Dockerfile.shipit"), "{message}");
    assert_eq!(
        std::fs::read(dir.path().join("Dockerfile")).unwrap(),
        original
    );
    assert!(
        !dir.path().join(".dockerignore").exists(),
        "nothing was written, not even the .dockerignore"
    );
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile", "--force"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.contains("# generated by shipit"), "{text}");
}

#[test]
fn render_refuses_a_dockerfile_edited_by_hand_since() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"demo\"\nlanguage = \"go\"\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let file = dir.path().join("Dockerfile");
    let edited = std::fs::read_to_string(&file).unwrap() + "LABEL mine=\"yes\"\n";
    std::fs::write(&file, &edited).unwrap();
    std::fs::remove_file(dir.path().join(".dockerignore")).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("edited by hand"), "{message}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);
    assert!(!dir.path().join(".dockerignore").exists());
    // As shipit wrote it: replaced without a word.
    std::fs::remove_file(&file).unwrap();
    assert!(
        shipit(dir.path(), &["render", "-o", "Dockerfile"])
            .status
            .success()
    );
    assert!(
        shipit(dir.path(), &["render", "-o", "Dockerfile"])
            .status
            .success()
    );
}

#[test]
fn refusing_a_hand_written_dockerfile_also_names_a_hand_written_dockerignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("go.mod"), "module x\n\ngo 1.22\n").unwrap();
    std::fs::write(
        root.join("shipit.toml"),
        "name = \"x\"\nlanguage = \"go\"\n",
    )
    .unwrap();
    std::fs::write(root.join("Dockerfile"), "FROM golang:1.22\n").unwrap();
    std::fs::write(root.join(".dockerignore"), "secrets/\n").unwrap();
    let output = common::shipit(root, &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    let message = common::stderr(&output);
    assert!(
        message.contains("`.dockerignore` was not written by shipit too")
            && message.contains("--no-dockerignore --force"),
        "{message}"
    );
    // What it suggests keeps the hand-written patterns.
    let output = common::shipit(
        root,
        &["render", "-o", "Dockerfile", "--no-dockerignore", "--force"],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert_eq!(
        std::fs::read_to_string(root.join(".dockerignore")).unwrap(),
        "secrets/\n"
    );
}
