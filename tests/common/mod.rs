//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `examples/*/shipit.toml`, sorted.
pub fn example_manifests() -> Vec<PathBuf> {
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable entry").path().join("shipit.toml"))
        .filter(|path| path.is_file())
        .collect();
    manifests.sort();
    manifests
}

/// Runs the real binary in `dir`, with no organisation templates and no
/// colour from the environment.
pub fn shipit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHIPIT_TEMPLATES")
        .env("NO_COLOR", "1")
        .output()
        .expect("the shipit binary runs")
}

/// Runs a command shipit suggested (`next: …`, a fix), as pasted into a
/// shell in `dir`, with `shipit` on the PATH being the binary under test.
pub fn run_hint(dir: &Path, command: &str) -> Output {
    let bin = tempfile::tempdir().expect("a temporary directory");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_shipit"), bin.path().join("shipit"))
        .expect("a link to the binary");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.path().to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let output = Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths).expect("a PATH"))
        .env_remove("SHIPIT_TEMPLATES")
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs");
    assert!(
        output.status.success(),
        "`{command}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A project in a new temporary directory: `files` (paths relative to it,
/// directories made) and `manifest` as its shipit.toml.
pub fn project(files: &[(&str, &str)], manifest: &str) -> tempfile::TempDir {
    let dir = tree(files);
    std::fs::write(dir.path().join("shipit.toml"), manifest).unwrap();
    dir
}

/// `files` (paths relative to it, directories made) in a new temporary
/// directory, with no manifest: a project for `init`.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// Renders `manifest` with `files` beside it through the real binary and
/// asserts that it is refused (exit 2, nothing on stdout) with `message`.
pub fn refused(files: &[(&str, &str)], manifest: &str, message: &str) {
    let dir = project(files, manifest);
    let output = shipit(dir.path(), &["render"]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{manifest}\n{stderr}");
    assert!(
        stderr.contains(message),
        "{manifest}: expected `{message}` in:\n{stderr}"
    );
    assert!(output.stdout.is_empty());
}

/// An external test tool: `$VAR` if set, else the copy scripts/test.sh
/// installs into target/test-tools, else `name` on the PATH.
pub fn tool(var: &str, installed: &str, name: &str) -> String {
    if let Ok(path) = std::env::var(var) {
        return path;
    }
    let local = root().join("target/test-tools").join(installed);
    if local.exists() {
        return local.display().to_string();
    }
    name.to_string()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One parsed instruction, as BuildKit's parser sees it.
#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
pub struct Instruction {
    pub cmd: String,
    pub flags: Vec<String>,
    pub json: bool,
    pub value: Vec<String>,
}

/// Parses Dockerfiles with BuildKit's own parser (the PyPI package
/// `dockerfile`, which wraps it). `$SHIPIT_PYTHON` names the interpreter
/// that has it (scripts/test.sh sets it up); default `python3`.
pub fn parse_dockerfiles(texts: &[String]) -> Vec<Result<Vec<Instruction>, String>> {
    let python = tool("SHIPIT_PYTHON", "bin/python", "python3");
    let script = r#"
import json, sys
try:
    import dockerfile
except ImportError:
    sys.exit("the PyPI package `dockerfile` is missing: run scripts/test.sh, or pip install dockerfile")
out = []
for text in json.load(sys.stdin):
    try:
        out.append({"ok": [{"cmd": c.cmd.upper(), "flags": list(c.flags), "json": c.json, "value": list(c.value)} for c in dockerfile.parse_string(text)]})
    except Exception as e:
        out.append({"err": str(e)})
json.dump(out, sys.stdout)
"#;
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{python}` for BuildKit's parser: {e}"));
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin
            .write_all(serde_json::to_string(texts).expect("json").as_bytes())
            .expect("write to the parser");
    }
    let output = child.wait_with_output().expect("the parser finishes");
    assert!(
        output.status.success(),
        "BuildKit's parser failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Parsed {
        Ok(Vec<Instruction>),
        Err(String),
    }
    let parsed: Vec<Parsed> =
        serde_json::from_slice(&output.stdout).expect("parser output is JSON");
    parsed
        .into_iter()
        .map(|p| match p {
            Parsed::Ok(instructions) => Ok(instructions),
            Parsed::Err(error) => Err(error),
        })
        .collect()
}
