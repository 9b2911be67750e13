//! The ways in without Rust, as files: the wheel's pyproject.toml, the
//! pre-commit hook, and the README that tells users which version to pin.
//! scripts/test-install.sh runs them for real; these keep them in step
//! with the crate on every `cargo test`.

mod common;

use yaml_rust2::YamlLoader;

fn read(path: &str) -> String {
    std::fs::read_to_string(common::root().join(path)).unwrap()
}

fn crate_version() -> String {
    let cargo: toml::Table = toml::from_str(&read("Cargo.toml")).unwrap();
    cargo["package"]["version"].as_str().unwrap().to_owned()
}

#[test]
fn the_wheel_is_the_binary_with_the_crate_version() {
    let pyproject: toml::Table = toml::from_str(&read("pyproject.toml")).unwrap();
    let project = pyproject["project"].as_table().unwrap();
    assert_eq!(project["name"].as_str(), Some("shipit-dockerfile"));
    assert!(
        !project.contains_key("version"),
        "the version is Cargo.toml's alone"
    );
    let dynamic = project["dynamic"].as_array().unwrap();
    assert!(dynamic.iter().any(|v| v.as_str() == Some("version")));
    assert_eq!(
        pyproject["tool"]["maturin"]["bindings"].as_str(),
        Some("bin")
    );
    assert_eq!(
        pyproject["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );
}

#[test]
fn the_pre_commit_hook_installs_as_python_and_watches_what_the_readme_shows() {
    let hooks = YamlLoader::load_from_str(&read(".pre-commit-hooks.yaml"))
        .unwrap()
        .remove(0);
    let hook = &hooks[0];
    assert_eq!(hook["id"].as_str(), Some("shipit-check"));
    assert_eq!(hook["language"].as_str(), Some("python"));
    assert_eq!(hook["entry"].as_str(), Some("shipit check --all"));
    assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
    let files = hook["files"].as_str().unwrap();
    let readme = read("README.md");
    assert!(
        readme.contains(&format!("files: {files}\n")),
        "the README's hook watches other files than .pre-commit-hooks.yaml's"
    );
}

#[test]
fn the_readme_pins_the_current_version_everywhere() {
    let version = crate_version();
    let readme = read("README.md");
    let mut found = 0;
    for pattern in [
        r"shipit-dockerfile==([0-9][^\s\x22\]]*)",
        r"rev: v([0-9][^\s`]*)",
        r"OWNER/shipit@v([0-9][^\s`]*)",
        r"ghcr\.io/OWNER/shipit:([0-9][^\s`]*)",
        r"\bv=([0-9][^\s]*)",
    ] {
        let re = regex::Regex::new(pattern).unwrap();
        for pin in re.captures_iter(&readme) {
            found += 1;
            assert_eq!(
                &pin[1], version,
                "the README pins {} but Cargo.toml is {version}",
                &pin[0]
            );
        }
    }
    assert!(found >= 5, "the README shows each pinned install ({found})");
}
