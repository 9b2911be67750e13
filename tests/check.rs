//! `shipit check`: exit codes, the diff, the reason, `--all`, the
//! machine formats, and that checking never touches a file.

mod common;

use std::path::Path;

use common::{shipit, stderr, stdout};

const MANIFEST: &str = "name = \"demo\"\nlanguage = \"go\"\n\n[runtime]\nports = [8080]\n";

/// A project directory with a manifest and its freshly rendered Dockerfile.
fn project(dir: &Path, manifest: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("shipit.toml"), manifest).unwrap();
    let output = shipit(dir, &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn check_exits_0_on_a_fresh_render() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    let output = shipit(dir.path(), &["render", "--check"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn check_exits_1_and_prints_diff_on_hand_edit() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    let file = dir.path().join("Dockerfile");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("EXPOSE 8080", "EXPOSE 9090")).unwrap();

    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    let diff = stdout(&output);
    assert!(diff.contains("--- Dockerfile (on disk)"), "{diff}");
    assert!(
        diff.contains("+++ Dockerfile (rendered from shipit.toml)"),
        "{diff}"
    );
    assert!(diff.contains("\n-EXPOSE 9090\n"), "{diff}");
    assert!(diff.contains("\n+EXPOSE 8080\n"), "{diff}");
    assert!(!diff.contains('\x1b'), "no colour off a terminal");
    assert!(
        stderr(&output).contains("edited by hand"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_exits_1_with_manifest_changed_reason() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    std::fs::write(
        dir.path().join("shipit.toml"),
        MANIFEST.replace("8080", "8081"),
    )
    .unwrap();
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("+EXPOSE 8081"));
    assert!(
        stderr(&output).contains("the manifest, a project file it reads"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn comment_or_key_order_change_is_not_drift() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    std::fs::write(
        dir.path().join("shipit.toml"),
        "# the demo service\nlanguage = \"go\"\nname = \"demo\" # its image\n\n[runtime]\nports = [8080]\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn missing_dockerfile_is_drift_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shipit.toml"), MANIFEST).unwrap();
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("not found: `Dockerfile`; run `shipit render -m shipit.toml -o Dockerfile`"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("Dockerfile").exists());
}

#[test]
fn check_of_a_broken_manifest_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"demo\"\nlanguage = \"go\"\nportz = 1\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("shipit.toml:3:1"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn check_leaves_every_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, "FROM alpine:3.22\n").unwrap();
    let snapshot = |p: &Path| {
        let mut entries: Vec<_> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let m = e.metadata().unwrap();
                (
                    e.file_name(),
                    std::fs::read(e.path()).unwrap(),
                    m.modified().unwrap(),
                )
            })
            .collect();
        entries.sort();
        entries
    };
    let before = snapshot(dir.path());
    for args in [
        &["check"][..],
        &["render", "--check"],
        &["check", "--all", "."],
        &["check", "--format", "json"],
    ] {
        let output = shipit(dir.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
    }
    assert_eq!(before, snapshot(dir.path()));
}

/// A tree with one clean, one drifted, one broken and one git-ignored
/// manifest.
fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    project(&root.join("services/clean"), MANIFEST);
    project(&root.join("services/drifted"), MANIFEST);
    std::fs::write(
        root.join("services/drifted/shipit.toml"),
        MANIFEST.replace("8080", "9000"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("services/broken")).unwrap();
    std::fs::write(
        root.join("services/broken/shipit.toml"),
        "name = \"demo\"\nlanguage = \"go\"\nportz = 1\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("vendor/ignored")).unwrap();
    std::fs::write(root.join("vendor/ignored/shipit.toml"), "this is not toml").unwrap();
    std::fs::write(root.join(".gitignore"), "vendor/\n").unwrap();
    dir
}

#[test]
fn check_all_reports_each_manifest_and_the_worst_status() {
    let dir = monorepo();
    let output = shipit(dir.path(), &["check", "--all"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let out = stdout(&output);
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with(['-', '+', '@', ' ']))
        .collect();
    assert_eq!(
        lines,
        [
            "error  ./services/broken/shipit.toml",
            "ok     ./services/clean/shipit.toml",
            "drift  ./services/drifted/shipit.toml  (manifest-changed)",
            "3 manifests: 1 ok, 1 drift, 1 error",
        ],
        "{out}"
    );
    assert!(!out.contains("vendor"), "git-ignored manifests are skipped");
    assert!(stderr(&output).contains("unknown key `portz`"));

    // Without the broken one, the worst is drift.
    std::fs::remove_dir_all(dir.path().join("services/broken")).unwrap();
    let output = shipit(dir.path(), &["check", "--all", "services"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn check_json_reports_every_field() {
    let dir = monorepo();
    let output = shipit(dir.path(), &["check", "--all", ".", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reports.len(), 3);

    let broken = &reports[0];
    assert_eq!(broken["manifest"], "./services/broken/shipit.toml");
    assert_eq!(broken["status"], "error");
    assert_eq!(broken["line"], 3);
    assert_eq!(broken["column"], 1);
    assert!(
        broken["message"]
            .as_str()
            .unwrap()
            .contains("unknown key `portz`")
    );

    let clean = &reports[1];
    assert_eq!(clean["status"], "ok");
    assert_eq!(clean["dockerfile"], "./services/clean/Dockerfile");
    assert!(clean["reason"].is_null() && clean["diff"].is_null());

    let drifted = &reports[2];
    assert_eq!(drifted["status"], "drift");
    assert_eq!(drifted["reason"], "manifest-changed");
    assert!(drifted["diff"].as_str().unwrap().contains("+EXPOSE 9000"));
    let line = drifted["line"].as_u64().unwrap() as usize;
    let on_disk = std::fs::read_to_string(dir.path().join("services/drifted/Dockerfile")).unwrap();
    assert_eq!(
        on_disk.lines().nth(line - 1),
        Some("EXPOSE 8080"),
        "line points at the change"
    );
}

#[test]
fn check_github_prints_error_annotations() {
    let dir = monorepo();
    let output = shipit(dir.path(), &["check", "--all", ".", "--format", "github"]);
    assert_eq!(output.status.code(), Some(2));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("::error file=./services/broken/shipit.toml,line=3,col=1,title=shipit%3A manifest error::error: unknown key `portz`"),
        "{out}"
    );
    assert!(!lines[0].contains('\n'));
    assert!(
        lines[1].starts_with("::error file=./services/drifted/Dockerfile,line="),
        "{out}"
    );
    assert!(
        lines[1]
            .contains("title=shipit%3A Dockerfile drift::the manifest, a project file it reads"),
        "{out}"
    );
}

#[test]
fn diff_is_coloured_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    std::fs::write(
        dir.path().join("shipit.toml"),
        MANIFEST.replace("8080", "8081"),
    )
    .unwrap();
    let manifest = dir.path().join("shipit.toml");
    let args = ["shipit", "check", "-m", manifest.to_str().unwrap()].map(std::ffi::OsString::from);
    for color in [false, true] {
        let env = shipit::Env {
            color_stdout: color,
            ..shipit::Env::default()
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = shipit::run_with(args.clone(), &env, &mut out, &mut err);
        assert_eq!(code, 1);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.contains("\x1b[32m+EXPOSE 8081\x1b[0m"), color, "{out}");
    }
}

#[test]
fn check_all_refuses_ignore_files_it_cannot_read_bounded_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in ["a", "b", "c"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(
        root.join("a/shipit.toml"),
        "name = \"a\"\nlanguage = \"go\"\n",
    )
    .unwrap();
    // A FIFO would hang a reader; megabytes of patterns take gigabytes.
    let fifo = root.join("b/.gitignore");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::write(root.join("c/.gitignore"), "x\n".repeat(3 * 1024 * 1024)).unwrap();

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(["check", "--all", "."])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("check --all hangs on an ignore file that is a FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(2), "{out}{err}");
    assert!(
        err.contains("b/.gitignore") && err.contains("not a regular file"),
        "{err}"
    );
    assert!(
        err.contains("c/.gitignore") && err.contains("bytes"),
        "{err}"
    );
    // The rest of the tree is still checked.
    assert!(out.contains("./a/shipit.toml"), "{out}");

    // A link out of its directory (`/proc/self/pagemap` reads as an endless
    // regular file) is refused; one that stays inside is read.
    std::fs::remove_file(&fifo).unwrap();
    std::fs::remove_file(root.join("c/.gitignore")).unwrap();
    std::os::unix::fs::symlink("/proc/self/pagemap", root.join("b/.gitignore")).unwrap();
    std::fs::write(root.join("c/ignored"), "x\n").unwrap();
    std::os::unix::fs::symlink("ignored", root.join("c/.gitignore")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(["check", "--all", "."])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("b/.gitignore") && err.contains("link out of its directory"),
        "{err}"
    );
    assert!(!err.contains("c/.gitignore"), "{err}");
}

/// The command a drift message tells the user to run, as arguments.
fn suggested_fix(message: &str) -> Vec<String> {
    let start = message
        .find("`shipit render ")
        .unwrap_or_else(|| panic!("no fix suggested: {message}"));
    let command = &message[start + 1..];
    let command = &command[..command.find('`').unwrap()];
    command
        .split_whitespace()
        .skip(1)
        .map(String::from)
        .collect()
}

/// Runs the fix a drifting `check` suggests; afterwards `check` passes.
fn suggested_fix_works(dir: &Path) {
    let output = shipit(dir, &["check"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let fix = suggested_fix(&stderr(&output));
    let args: Vec<&str> = fix.iter().map(String::as_str).collect();
    let output = shipit(dir, &args);
    assert!(output.status.success(), "{fix:?}: {}", stderr(&output));
    let output = shipit(dir, &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn check_leaves_a_hand_written_dockerignore_to_its_owner() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shipit.toml"), MANIFEST).unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "secrets/\n").unwrap();
    let output = shipit(
        dir.path(),
        &["render", "-o", "Dockerfile", "--no-dockerignore"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("`.dockerignore`"), "{message}");
    assert!(message.contains("not compared"), "{message}");
    // Insisting compares it, and the fix it names works.
    let output = shipit(dir.path(), &["check", "--dockerignore"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let fix = suggested_fix(&stderr(&output));
    assert!(fix.contains(&"--force".to_string()), "{fix:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(),
        "secrets/\n"
    );
}

#[test]
fn drift_messages_suggest_a_fix_that_works() {
    // A manifest change beside a hand-written .dockerignore.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shipit.toml"), MANIFEST).unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "secrets/\n").unwrap();
    shipit(
        dir.path(),
        &["render", "-o", "Dockerfile", "--no-dockerignore"],
    );
    std::fs::write(
        dir.path().join("shipit.toml"),
        MANIFEST.replace("8080", "9090"),
    )
    .unwrap();
    suggested_fix_works(dir.path());
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(),
        "secrets/\n",
        "the user's own file is kept"
    );

    // A hand-written Dockerfile.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shipit.toml"), MANIFEST).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM alpine:3.22\n").unwrap();
    suggested_fix_works(dir.path());

    // A Dockerfile and a shipit .dockerignore, each edited by hand.
    for file in ["Dockerfile", ".dockerignore"] {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path(), MANIFEST);
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text + "# mine\n").unwrap();
        suggested_fix_works(dir.path());
    }

    // `--no-dockerignore` beside an edited shipit .dockerignore.
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    let ignore = dir.path().join(".dockerignore");
    let text = std::fs::read_to_string(&ignore).unwrap();
    std::fs::write(&ignore, text + "secrets/\n").unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        MANIFEST.replace("8080", "9090"),
    )
    .unwrap();
    let output = shipit(dir.path(), &["check", "--no-dockerignore"]);
    assert_eq!(output.status.code(), Some(1));
    let fix = suggested_fix(&stderr(&output));
    let args: Vec<&str> = fix.iter().map(String::as_str).collect();
    let output = shipit(dir.path(), &args);
    assert!(output.status.success(), "{fix:?}: {}", stderr(&output));
    assert!(
        std::fs::read_to_string(&ignore)
            .unwrap()
            .ends_with("secrets/\n"),
        "the edited file is kept"
    );
}

/// The command a `fix all:` paragraph of `check --all` names: its lines
/// after the heading, joined as a shell reads them.
fn fix_all(stderr: &str) -> String {
    let (_, after) = stderr.split_once("fix all:").expect("a fix-all command");
    after
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn check_all_prints_one_command_that_fixes_every_drift() {
    let dir = tempfile::tempdir().unwrap();
    // One whose manifest changed, one edited by hand, one missing its
    // Dockerfile, one in a directory with a space and a hand-written
    // .dockerignore (left to its owner): the command fixes them all.
    for (name, port) in [
        ("changed", 1),
        ("edited", 2),
        ("missing", 3),
        ("with space", 4),
    ] {
        let manifest = MANIFEST.replace("8080", &format!("{port}"));
        project(&dir.path().join(name), &manifest);
    }
    let changed = dir.path().join("changed/shipit.toml");
    std::fs::write(&changed, MANIFEST.replace("8080", "9000")).unwrap();
    let edited = dir.path().join("edited/Dockerfile");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{text}# ours\n")).unwrap();
    std::fs::remove_file(dir.path().join("missing/Dockerfile")).unwrap();
    let spaced = dir.path().join("with space");
    std::fs::write(spaced.join(".dockerignore"), ".git\n.env\n").unwrap();
    std::fs::write(spaced.join("shipit.toml"), MANIFEST.replace("8080", "5")).unwrap();

    let output = shipit(dir.path(), &["check", "--all"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    let command = fix_all(&message);
    assert_eq!(command.matches("shipit render").count(), 4, "{message}");
    assert!(message.contains("`--force` replaces"), "{message}");
    assert!(
        command.contains("'./with space/shipit.toml'") && command.contains("--no-dockerignore"),
        "{message}"
    );
    common::run_hint(dir.path(), &command);

    let output = shipit(dir.path(), &["check", "--all"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("fix all"), "{}", stderr(&output));
    let kept = std::fs::read_to_string(spaced.join(".dockerignore")).unwrap();
    assert_eq!(kept, ".git\n.env\n", "the user's own ignore file is kept");
}

#[test]
fn check_suggests_a_render_that_works_when_pasted() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    let ignore = dir.path().join(".dockerignore");
    let text = std::fs::read_to_string(&ignore).unwrap();
    std::fs::write(&ignore, format!("{text}secrets/\n")).unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        MANIFEST.replace("8080", "81"),
    )
    .unwrap();
    let output = shipit(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    let (_, fix) = message.split_once("run `").expect("a command");
    let fix = fix.split('`').next().unwrap();
    assert!(fix.ends_with(" --force"), "{message}");
    common::run_hint(dir.path(), fix);
    assert_eq!(shipit(dir.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn check_json_names_the_fix_and_the_note() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    std::fs::write(dir.path().join(".dockerignore"), ".git\n").unwrap();
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    let output = shipit(dir.path(), &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        reports[0]["fix"],
        "shipit render -m shipit.toml -o Dockerfile --no-dockerignore"
    );
    assert!(
        reports[0]["note"]
            .as_str()
            .unwrap()
            .contains("left to its owner")
    );
}

#[test]
fn a_diff_shows_escape_sequences_from_the_file_on_disk_never_sends_them() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), MANIFEST);
    let file = dir.path().join("Dockerfile");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("EXPOSE 8080", "# \x1b]0;owned\x07 title\nEXPOSE 8080"),
    )
    .unwrap();
    for args in [&["check"][..], &["check", "--format", "json"]] {
        let output = shipit(dir.path(), args);
        assert_eq!(output.status.code(), Some(1));
        let out = stdout(&output);
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out}");
        assert!(out.contains("<U+001B>]0;owned<U+0007>"), "{out}");
    }
}
