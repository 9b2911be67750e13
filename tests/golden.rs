//! Golden files: every example's committed Dockerfile is exactly what its
//! manifest renders now, and rendering is deterministic.

mod common;

use shipit::templates::Templates;

#[test]
fn every_example_matches_its_committed_dockerfile() {
    let manifests = common::example_manifests();
    assert!(manifests.len() >= 6, "examples/ lost its examples");
    let mut failures = Vec::new();
    for manifest in &manifests {
        let (_, rendered) = shipit::render_manifest(manifest, &Templates::default())
            .unwrap_or_else(|e| panic!("{}: {e:#}", manifest.display()));
        let committed_path = manifest.with_file_name("Dockerfile");
        let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
        if committed != rendered.text {
            failures.push(format!(
                "{} differs from its render (run `cargo run -- render -m {} -o {}`):\n{}",
                committed_path.display(),
                manifest.display(),
                committed_path.display(),
                shipit::check::unified_diff(
                    &committed,
                    &rendered.text,
                    "Dockerfile",
                    "shipit.toml"
                )
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_language_has_an_example() {
    let manifests = common::example_manifests();
    for language in shipit::manifest::Language::ALL.iter().copied() {
        let found = manifests.iter().any(|m| {
            shipit::load_manifest(m).is_ok_and(|loaded| loaded.manifest.language == language)
        });
        assert!(found, "no example for `{}`", language.key());
    }
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    for manifest in common::example_manifests() {
        let first = shipit::render_manifest(&manifest, &Templates::default())
            .unwrap()
            .1
            .text;
        let second = shipit::render_manifest(&manifest, &Templates::default())
            .unwrap()
            .1
            .text;
        assert_eq!(first, second, "{}", manifest.display());
        // The binary prints the same bytes as the library.
        let output = common::shipit(manifest.parent().unwrap(), &["render", "-m", "shipit.toml"]);
        assert_eq!(common::stdout(&output), first, "{}", manifest.display());
    }
}

#[test]
fn key_order_and_comments_do_not_change_the_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    let a = dir.path().join("a/shipit.toml");
    let b = dir.path().join("b/shipit.toml");
    std::fs::write(
        &a,
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nports = [8080]\nenv = { B = \"2\", A = \"1\" }\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "# a comment\nlanguage = \"go\" # another\nname = \"demo\"\n[runtime]\nenv = { A = \"1\", B = \"2\" }\nports = [8080]\n",
    )
    .unwrap();
    let render = |p| {
        shipit::render_manifest(p, &Templates::default())
            .unwrap()
            .1
            .text
    };
    assert_eq!(render(&a), render(&b));
}

#[test]
fn the_readme_manifest_example_renders() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let start = readme
        .find("```toml\n")
        .expect("a TOML example in the README")
        + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("shipit.toml");
    std::fs::write(&manifest, &readme[start..end]).unwrap();
    let (plan, rendered) = shipit::render_manifest(&manifest, &Templates::default())
        .unwrap_or_else(|e| panic!("the README's manifest: {}", shipit::report_error(&e, false)));
    assert_eq!(plan.build.image, "golang:1.23");
    assert!(
        rendered.text.contains(
            "HEALTHCHECK --interval=30s CMD [\"/usr/local/bin/href-counter\", \"health\"]"
        )
    );
}

/// shipit ships itself: the repository's own Dockerfile and ignore file are
/// what its shipit.toml renders (`shipit check` in the repository root).
#[test]
fn the_repository_dockerfile_is_current() {
    let output = common::shipit(&common::root(), &["check"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "run `cargo run -- render -o Dockerfile` in the repository root:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest = std::fs::read_to_string(common::root().join("shipit.toml")).unwrap();
    assert!(manifest.contains("language = \"rust\""), "{manifest}");
}
