//! The repository's GitHub Action (action.yml): it installs the release
//! of a version tag or builds shipit from its own checkout, locked
//! (scripts/action-install.sh, exercised by scripts/test-install.sh), and
//! its check step fails the job on drift with annotations. The check step's script runs here for real, with the
//! built binary where the install step puts it.

mod common;

use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn action() -> Yaml {
    let text = std::fs::read_to_string(common::root().join("action.yml")).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn step<'a>(action: &'a Yaml, name: &str) -> &'a Yaml {
    action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step `{name}` in action.yml"))
}

#[test]
fn the_action_installs_a_release_or_builds_locked_from_its_own_checkout() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let release = step(&action, "Install shipit");
    assert_eq!(release["shell"].as_str(), Some("bash"));
    assert_eq!(
        release["run"].as_str(),
        Some("\"$GITHUB_ACTION_PATH/scripts/action-install.sh\" release")
    );
    assert_eq!(
        release["env"]["SHIPIT_ACTION_REF"].as_str(),
        Some("${{ github.action_ref }}")
    );
    for run in action["runs"]["steps"].as_vec().unwrap().iter() {
        if let Some(script) = run["run"].as_str() {
            assert!(
                !script.contains("${{"),
                "data reaches scripts through env: {script}"
            );
        }
    }
    let cache = step(&action, "Cache the source build");
    assert!(
        cache["uses"]
            .as_str()
            .unwrap()
            .starts_with("actions/cache@")
    );
    assert_eq!(
        cache["with"]["key"].as_str(),
        Some("${{ steps.release.outputs.cache-key }}")
    );
    let source = step(&action, "Build shipit from source");
    assert_eq!(
        source["run"].as_str(),
        Some("\"$GITHUB_ACTION_PATH/scripts/action-install.sh\" source")
    );
    let condition = source["if"].as_str().unwrap();
    assert!(
        condition.contains("steps.release.outputs.installed != 'true'")
            && condition.contains("steps.cache.outputs.cache-hit != 'true'"),
        "{condition}"
    );
    // The fallback builds locked, from the action's own checkout, into the
    // root the check step runs from.
    let script = std::fs::read_to_string(common::root().join("scripts/action-install.sh")).unwrap();
    assert!(
        script.contains("cargo install --locked --quiet --path \"$action_path\" --root \"$root\""),
        "{script}"
    );
    assert!(script.contains("root=${SHIPIT_ROOT:-${RUNNER_TEMP:?"));
}

/// Runs the check step's script as the runner would: bash, with the
/// input in the environment and shipit in `$RUNNER_TEMP/shipit/bin`.
fn run_check_step(path: &std::path::Path) -> std::process::Output {
    let action = action();
    let check = step(&action, "shipit check --all");
    let script = check["run"].as_str().unwrap();
    assert!(
        !script.contains("${{"),
        "inputs reach the script through the environment: {script}"
    );
    let input = check["env"]["SHIPIT_CHECK_PATH"].as_str().unwrap();
    assert_eq!(input, "${{ inputs.path }}");
    let runner_temp = tempfile::tempdir().unwrap();
    let bin = runner_temp.path().join("shipit/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_shipit"), bin.join("shipit")).unwrap();
    Command::new("bash")
        .args(["-e", "-c", script])
        .env("RUNNER_TEMP", runner_temp.path())
        .env("SHIPIT_CHECK_PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_check_step_passes_a_current_tree_and_annotates_drift() {
    let tree = tempfile::tempdir().unwrap();
    let service = tree.path().join("services/api");
    std::fs::create_dir_all(&service).unwrap();
    std::fs::write(
        service.join("go.mod"),
        "module example.com/api\n\ngo 1.22\n",
    )
    .unwrap();
    std::fs::write(
        service.join("shipit.toml"),
        "name = \"api\"\nlanguage = \"go\"\n",
    )
    .unwrap();
    let render = common::shipit(&service, &["render", "-o", "Dockerfile"]);
    assert!(render.status.success(), "{render:?}");

    let current = run_check_step(tree.path());
    assert_eq!(current.status.code(), Some(0), "{current:?}");

    let dockerfile = service.join("Dockerfile");
    let edited = std::fs::read_to_string(&dockerfile).unwrap() + "RUN echo by hand\n";
    std::fs::write(&dockerfile, edited).unwrap();
    let drift = run_check_step(tree.path());
    assert_eq!(drift.status.code(), Some(1), "{drift:?}");
    let annotations = String::from_utf8_lossy(&drift.stdout);
    assert!(
        annotations.contains("::error file=") && annotations.contains("services/api/Dockerfile"),
        "{annotations}"
    );
}
