//! The corpus (issue #26): projects shaped like real repositories, under
//! `tests/corpus/<name>/`, each as its repository holds it. For every one,
//! `shipit init` with no flags and then `shipit render` must succeed, and
//! what they write is the golden `tests/golden/corpus/<name>.txt` (init's
//! messages, the manifest, the Dockerfile). tests/e2e/run.sh then builds
//! each image from exactly that output and checks the running program
//! against `tests/corpus/expect.txt`.
//!
//! After an intended change: `SHIPIT_BLESS=1 cargo test --test corpus`,
//! then read the diff.

mod common;

use std::path::{Path, PathBuf};

use common::{shipit, stderr};

fn corpus() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(common::root().join("tests/corpus"))
        .expect("tests/corpus exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `init` then `render` in a copy of the project: init's messages, the
/// manifest and the Dockerfile, as one text.
fn init_and_render(project: &Path) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join(project.file_name().unwrap());
    copy_tree(project, &work);
    let init = shipit(&work, &["init"]);
    let messages = stderr(&init).replace(&work.display().to_string(), "<project>");
    assert!(
        init.status.success(),
        "{}: init failed:\n{messages}",
        project.display()
    );
    let render = shipit(&work, &["render", "-o", "Dockerfile"]);
    assert!(
        render.status.success(),
        "{}: render failed:\n{}",
        project.display(),
        stderr(&render)
    );
    let manifest = std::fs::read_to_string(work.join("shipit.toml")).unwrap();
    let dockerfile = std::fs::read_to_string(work.join("Dockerfile")).unwrap();
    let text = format!(
        "== shipit init\n{messages}\n== shipit.toml\n{manifest}\n== Dockerfile\n{dockerfile}"
    );
    (text, dockerfile)
}

#[test]
fn every_corpus_project_inits_and_renders_as_its_golden_says() {
    let projects = corpus();
    let bless = std::env::var_os("SHIPIT_BLESS").is_some();
    let golden_dir = common::root().join("tests/golden/corpus");
    let mut dockerfiles = Vec::new();
    let mut stale = Vec::new();
    for project in &projects {
        let name = project.file_name().unwrap().to_string_lossy().into_owned();
        let (text, dockerfile) = init_and_render(project);
        let golden = golden_dir.join(format!("{name}.txt"));
        if bless {
            std::fs::create_dir_all(&golden_dir).unwrap();
            std::fs::write(&golden, &text).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(text.as_str()) {
            let old = std::fs::read_to_string(&golden).unwrap_or_default();
            let diff = similar::TextDiff::from_lines(&old, &text);
            stale.push(format!(
                "{}:\n{}",
                golden.display(),
                diff.unified_diff().context_radius(2)
            ));
        }
        dockerfiles.push((name, dockerfile));
    }
    assert!(
        stale.is_empty(),
        "stale corpus goldens (SHIPIT_BLESS=1 cargo test --test corpus, then read the diff):\n{}",
        stale.join("\n")
    );
    assert!(
        projects.len() >= 8,
        "the corpus has {} projects",
        projects.len()
    );
    let texts: Vec<String> = dockerfiles.iter().map(|(_, text)| text.clone()).collect();
    for ((name, _), parsed) in dockerfiles.iter().zip(common::parse_dockerfiles(&texts)) {
        if let Err(error) = parsed {
            panic!("{name}: BuildKit's parser refuses the Dockerfile: {error}");
        }
    }
}

#[test]
fn every_corpus_project_has_an_expectation_and_every_expectation_a_project() {
    let text = std::fs::read_to_string(common::root().join("tests/corpus/expect.txt")).unwrap();
    let mut named: Vec<String> = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split(" | ").collect();
        assert_eq!(fields.len(), 3, "tests/corpus/expect.txt: `{line}`");
        let how = fields[1];
        assert!(
            how.starts_with("http /") || how == "run" || how.starts_with("run "),
            "tests/corpus/expect.txt: `{how}` is neither `http /PATH` nor `run [ARGS]`"
        );
        assert!(!fields[2].trim().is_empty(), "`{line}` expects nothing");
        named.push(fields[0].to_string());
    }
    let mut projects: Vec<String> = corpus()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    named.sort();
    named.dedup();
    projects.sort();
    assert_eq!(
        named, projects,
        "tests/corpus/expect.txt and tests/corpus/*/"
    );
}
