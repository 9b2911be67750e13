//! Organisation templates: the search order, extending one block, eject,
//! list/show, broken templates, and template changes as drift.

mod common;

use std::path::Path;
use std::process::Command;

use common::{shipit, stderr, stdout};

const MANIFEST: &str = "name = \"demo\"\nlanguage = \"go\"\n";

/// An org directory whose Go template marks the header with `marker`.
fn org_dir(path: &Path, marker: &str) {
    std::fs::create_dir_all(path).unwrap();
    std::fs::write(
        path.join("go.Dockerfile.j2"),
        format!("{{% extends \"builtin/go.Dockerfile.j2\" %}}\n{{% block header %}}\n{{{{ super() -}}}}\n# {marker}\n{{% endblock %}}\n"),
    )
    .unwrap();
}

fn render_with(dir: &Path, args: &[&str], env: Option<&str>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shipit"));
    command
        .arg("render")
        .args(args)
        .current_dir(dir)
        .env_remove("SHIPIT_TEMPLATES");
    if let Some(value) = env {
        command.env("SHIPIT_TEMPLATES", value);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn precedence_is_flag_then_env_then_manifest_key_then_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in ["flag", "env", "key"] {
        org_dir(&root.join(name), &format!("from {name}"));
    }
    std::fs::write(
        root.join("shipit.toml"),
        format!("{MANIFEST}templates = \"key\"\n"),
    )
    .unwrap();

    let marker = |text: &str| text.lines().nth(2).unwrap_or_default().to_string();
    assert_eq!(
        marker(&render_with(root, &["--templates", "flag"], Some("env"))),
        "# from flag"
    );
    assert_eq!(marker(&render_with(root, &[], Some(":env:"))), "# from env");
    assert_eq!(marker(&render_with(root, &[], None)), "# from key");

    std::fs::write(root.join("shipit.toml"), MANIFEST).unwrap();
    let builtin = render_with(root, &[], None);
    assert!(!builtin.contains("# from"), "{builtin}");
    // Several flags: the first that has the template wins.
    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_eq!(
        marker(&render_with(
            root,
            &["--templates", "empty", "--templates", "env"],
            None
        )),
        "# from env"
    );
}

#[test]
fn extending_one_block_changes_only_that_block() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("shipit.toml"), MANIFEST).unwrap();
    std::fs::create_dir_all(root.join("org")).unwrap();
    std::fs::write(
        root.join("org/go.Dockerfile.j2"),
        "{% extends \"builtin/go.Dockerfile.j2\" %}\n{% block user %}\nUSER 10001:10001\n{% endblock %}\n",
    )
    .unwrap();
    let builtin = render_with(root, &[], None);
    let extended = render_with(root, &["--templates", "org"], None);
    let changed: Vec<(&str, &str)> = builtin
        .lines()
        .zip(extended.lines())
        .filter(|(a, b)| a != b && !a.contains("(digest "))
        .collect();
    assert_eq!(changed, [("USER 65532:65532", "USER 10001:10001")]);
    assert_eq!(builtin.lines().count(), extended.lines().count());
}

#[test]
fn an_ejected_template_renders_byte_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for example in common::example_manifests() {
        let text = std::fs::read_to_string(&example).unwrap();
        let loaded = shipit::load_manifest(&example).unwrap();
        if loaded.manifest.templates.is_some() {
            continue; // its own org template outranks only the built-ins
        }
        let language = loaded.manifest.language.key();
        let project = root.join(example.parent().unwrap().file_name().unwrap());
        // Copy the example so its context (requirements.txt, org/) is there.
        copy_dir(example.parent().unwrap(), &project);
        std::fs::write(project.join("shipit.toml"), &text).unwrap();

        let output = shipit(
            &project,
            &["templates", "eject", language, "--to", "ejected"],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            project
                .join(format!("ejected/{language}.Dockerfile.j2"))
                .is_file()
        );

        let builtin = render_with(&project, &[], None);
        let ejected = render_with(&project, &["--templates", "ejected"], None);
        assert_eq!(builtin, ejected, "{}", example.display());
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn eject_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert!(
        shipit(root, &["templates", "eject", "python"])
            .status
            .success()
    );
    let file = root.join("templates/python.Dockerfile.j2");
    std::fs::write(&file, "edited\n").unwrap();
    let output = shipit(root, &["templates", "eject", "python"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("pass `--force`"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "edited\n");
    assert!(
        shipit(root, &["templates", "eject", "python", "--force"])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        shipit::templates::builtin("python.Dockerfile.j2").unwrap()
    );
    assert_eq!(
        shipit(root, &["templates", "eject", "java"]).status.code(),
        Some(2)
    );
}

#[test]
fn list_and_show_tell_which_file_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    org_dir(&root.join("org"), "ours");
    let output = shipit(root, &["templates", "list", "--templates", "org"]);
    assert!(output.status.success());
    let listing = stdout(&output);
    assert!(
        listing.contains("go.Dockerfile.j2       org/go.Dockerfile.j2\n"),
        "{listing}"
    );
    assert!(
        listing.contains("node.Dockerfile.j2     built-in\n"),
        "{listing}"
    );
    assert_eq!(listing.lines().count(), shipit::templates::BUILTIN.len());

    let output = shipit(root, &["templates", "show", "go", "--templates", "org"]);
    assert!(stdout(&output).contains("# ours"));
    let output = shipit(root, &["templates", "show", "c"]);
    assert_eq!(
        stdout(&output),
        shipit::templates::builtin("c.Dockerfile.j2").unwrap()
    );
}

#[test]
fn broken_org_templates_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("shipit.toml"), MANIFEST).unwrap();
    std::fs::create_dir_all(root.join("org")).unwrap();
    for (source, problem) in [
        ("FROM x\n{% if %}\n", "syntax error"),
        ("FROM x\n\nFROM {{ runtime.bsae }}\n", "undefined"),
        (
            "{% extends \"builtin/nope.Dockerfile.j2\" %}\n",
            "template not found",
        ),
        (
            "{% extends \"builtin/go.Dockerfile.j2\" %}\n{% block runtime %}{{ m.nope() }}{% endblock %}\n",
            "no method named nope",
        ),
    ] {
        std::fs::write(root.join("org/go.Dockerfile.j2"), source).unwrap();
        let output = shipit(root, &["render", "--templates", "org", "-o", "Dockerfile"]);
        assert_eq!(output.status.code(), Some(2), "{source}");
        let message = stderr(&output);
        assert!(
            message.contains("`org/go.Dockerfile.j2` line "),
            "{source}: {message}"
        );
        assert!(message.contains(problem), "{source}: {message}");
        assert!(!root.join("Dockerfile").exists());
    }
    // A line number that is right, not just present.
    std::fs::write(
        root.join("org/go.Dockerfile.j2"),
        "FROM x\n\nFROM {{ runtime.bsae }}\n",
    )
    .unwrap();
    let output = shipit(root, &["render", "--templates", "org"]);
    assert!(
        stderr(&output).contains("`org/go.Dockerfile.j2` line 3"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_missing_templates_directory_is_an_error_at_its_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        format!("{MANIFEST}templates = \"nope\"\n"),
    )
    .unwrap();
    let output = shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("shipit.toml:3:13"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_template_change_is_drift() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    org_dir(&root.join("org"), "v1");
    std::fs::write(
        root.join("shipit.toml"),
        format!("{MANIFEST}templates = \"org\"\n"),
    )
    .unwrap();
    assert!(
        shipit(root, &["render", "-o", "Dockerfile"])
            .status
            .success()
    );
    assert_eq!(shipit(root, &["check"]).status.code(), Some(0));
    org_dir(&root.join("org"), "v2");
    let output = shipit(root, &["check"]);
    assert_eq!(output.status.code(), Some(1));
    let diff = stdout(&output);
    assert!(
        diff.contains(
            "
-# v1
"
        ) && diff.contains(
            "
+# v2
"
        ),
        "{diff}"
    );
    assert!(stderr(&output).contains("the manifest, a project file it reads"));
}
