//! `shipit.lock` without a registry: what a committed lock may change in a
//! render, what counts as pinned, which files `lock` may replace, and that
//! whatever a lock writes its reader reads back.

mod common;

use std::path::Path;

use common::{shipit, stderr, stdout};
use proptest::prelude::*;
use shipit::lock::{Lock, Pin};

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// A Go project in `dir` (the go-hello example) with `image` as its
/// builder when given.
fn go_project(dir: &Path, image: Option<&str>) {
    let example = common::root().join("examples/go-hello");
    for file in ["go.mod", "main.go", "shipit.toml"] {
        std::fs::copy(example.join(file), dir.join(file)).unwrap();
    }
    if let Some(image) = image {
        let manifest = std::fs::read_to_string(dir.join("shipit.toml")).unwrap();
        let manifest = manifest.replace(
            "version = \"1.22\"",
            &format!("version = \"1.22\"\nimage = \"{image}\""),
        );
        std::fs::write(dir.join("shipit.toml"), manifest).unwrap();
    }
}

fn lock_of(references: &[&str]) -> Lock {
    let mut lock = Lock::default();
    for reference in references {
        lock.images.insert(
            reference.to_string(),
            Pin {
                name: reference.to_string(),
                digest: DIGEST.into(),
                media_type: INDEX.into(),
                platforms: vec!["linux/amd64".into()],
            },
        );
    }
    lock
}

#[test]
fn a_lock_pins_only_image_references_and_names_keys_it_does_not_use() {
    let dir = tempfile::tempdir().unwrap();
    go_project(dir.path(), None);
    std::fs::write(
        dir.path().join("shipit.lock"),
        lock_of(&[".", "golang:1.22"]).to_toml(),
    )
    .unwrap();
    let output = shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(&format!("golang:1.22@{DIGEST}")),
        "the builder is pinned:\n{text}"
    );
    assert!(!text.contains(".@sha256"), "a setting was pinned:\n{text}");
    assert!(
        stderr(&output).contains("`.`") && stderr(&output).contains("shipit.lock"),
        "the unused key is not reported: {}",
        stderr(&output)
    );
}

#[test]
fn any_digest_algorithm_counts_as_pinned() {
    assert!(shipit::lock::is_pinned(&format!(
        "golang:1.22@sha512:{}",
        "ab".repeat(64)
    )));
    assert!(!shipit::lock::is_pinned("golang:1.22"));
    assert!(!shipit::lock::is_pinned("golang:1.22@latest"));
    // `lock` has nothing to look up (the registry does not exist) and
    // writes a lock its reader reads.
    let dir = tempfile::tempdir().unwrap();
    let image = format!("127.0.0.1:1/golang:1.22@sha512:{}", "ab".repeat(64));
    go_project(dir.path(), Some(&image));
    let output = shipit(
        dir.path(),
        &["lock", "--update", "--insecure-registry", "127.0.0.1:1"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lock = std::fs::read_to_string(dir.path().join("shipit.lock")).unwrap();
    assert!(!lock.contains("sha512"), "{lock}");
    let output = shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains(&image));
}

/// `lock` and `lock --update` in `dir`: refused (exit 2, a message naming
/// `what`), nothing written, and `render` gives no `--update` hint.
fn refused(dir: &Path, manifest: &str, what: &str, kept: &[&str]) {
    let before: Vec<Vec<u8>> = kept
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    for args in [
        &["lock", "-m", manifest][..],
        &["lock", "--update", "-m", manifest],
    ] {
        let output = shipit(dir, args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(what),
            "{args:?}: {}",
            stderr(&output)
        );
        for (file, bytes) in kept.iter().zip(&before) {
            assert_eq!(&std::fs::read(dir.join(file)).unwrap(), bytes, "{file}");
        }
    }
    let output = shipit(dir, &["render", "-m", manifest]);
    assert!(
        !stderr(&output).contains("--update"),
        "render: {}",
        stderr(&output)
    );
}

#[test]
fn lock_never_replaces_the_manifest_or_a_source_file() {
    // Images pinned by digest: `lock` needs no registry to write.
    let image = format!("golang:1.22@{DIGEST}");

    let dir = tempfile::tempdir().unwrap();
    go_project(dir.path(), Some(&image));
    std::os::unix::fs::symlink("shipit.toml", dir.path().join("shipit.lock")).unwrap();
    refused(dir.path(), "shipit.toml", "manifest", &["shipit.toml"]);

    let dir = tempfile::tempdir().unwrap();
    go_project(dir.path(), Some(&image));
    std::os::unix::fs::symlink("main.go", dir.path().join("shipit.lock")).unwrap();
    refused(dir.path(), "shipit.toml", "symbolic link", &["main.go"]);

    let dir = tempfile::tempdir().unwrap();
    go_project(dir.path(), Some(&image));
    std::fs::write(dir.path().join("shipit.lock"), "notes, not a lock\n").unwrap();
    refused(
        dir.path(),
        "shipit.toml",
        "not a shipit lock",
        &["shipit.lock"],
    );

    // A manifest named `svc.lock`: its lock is not itself.
    let dir = tempfile::tempdir().unwrap();
    go_project(dir.path(), Some(&image));
    std::fs::rename(dir.path().join("shipit.toml"), dir.path().join("svc.lock")).unwrap();
    let manifest = std::fs::read(dir.path().join("svc.lock")).unwrap();
    let output = shipit(dir.path(), &["lock", "-m", "svc.lock"]);
    assert_eq!(
        std::fs::read(dir.path().join("svc.lock")).unwrap(),
        manifest
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = shipit(dir.path(), &["render", "-m", "svc.lock"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    // A lock shipit wrote, broken: `--update` replaces it.
    let dir = tempfile::tempdir().unwrap();
    go_project(dir.path(), Some(&image));
    let broken = lock_of(&["x"]).to_toml().replace(DIGEST, "sha256:abc");
    std::fs::write(dir.path().join("shipit.lock"), broken).unwrap();
    let output = shipit(dir.path(), &["lock", "--update"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_lock_the_reader_would_refuse_is_not_written() {
    let mut lock = lock_of(&["golang:1.22"]);
    assert!(lock.validate().is_ok());
    lock.images.get_mut("golang:1.22").unwrap().media_type = "text/html".into();
    assert!(lock.validate().is_err());
    let mut lock = lock_of(&["golang:1.22"]);
    lock.images.get_mut("golang:1.22").unwrap().platforms = vec!["linux/amd64\n".into()];
    assert!(lock.validate().is_err());
    let mut lock = lock_of(&["golang:1.22"]);
    lock.images.get_mut("golang:1.22").unwrap().platforms = vec!["linux/amd64".into(); 65];
    assert!(lock.validate().is_err());
    let mut lock = lock_of(&["golang:1.22"]);
    lock.images.get_mut("golang:1.22").unwrap().name = "x".repeat(5 << 20);
    assert!(lock.validate().is_err());
}

fn pin() -> impl Strategy<Value = Pin> {
    (
        any::<String>(),
        "[0-9a-f]{64}",
        prop::sample::select(&shipit::lock::MEDIA_TYPES[..]),
        prop::collection::vec(
            "[a-z0-9._-]{1,32}/[a-z0-9._-]{1,32}(/[a-z0-9._-]{1,32})?",
            0..8,
        ),
    )
        .prop_map(|(name, hex, media_type, platforms)| Pin {
            name,
            digest: format!("sha256:{hex}"),
            media_type: media_type.to_string(),
            platforms,
        })
}

proptest! {
    #[test]
    fn whatever_lock_writes_render_reads(
        images in prop::collection::btree_map(
            any::<String>().prop_filter("a reference", |r| shipit::lock::valid_reference(r)),
            pin(),
            0..6,
        )
    ) {
        let lock = Lock { images };
        prop_assert!(lock.validate().is_ok(), "{:?}", lock.validate());
        let text = lock.to_toml();
        prop_assert_eq!(Lock::parse(&text, "shipit.lock").unwrap(), lock);
    }
}

#[test]
fn lock_suggests_a_render_that_works_when_pasted() {
    // Dropping a pin nothing uses writes the lock without a lookup, so the
    // hint after it can be run here, offline.
    let dir = tempfile::tempdir().unwrap();
    go_project(dir.path(), None);
    let output = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lock = lock_of(&["golang:1.22", "alpine:3.19"]);
    std::fs::write(dir.path().join("shipit.lock"), lock.to_toml()).unwrap();
    // Both kinds of file `render -o` refuses: a Dockerfile edited by hand,
    // and a `.dockerignore` someone wrote themselves.
    let dockerfile = dir.path().join("Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    std::fs::write(&dockerfile, format!("{text}# ours\n")).unwrap();
    std::fs::write(dir.path().join(".dockerignore"), ".git\n.env\n").unwrap();

    let output = shipit(dir.path(), &["lock"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    let next = message
        .lines()
        .find_map(|line| line.strip_prefix("next: "))
        .expect("a next step");
    assert!(
        next.ends_with(" --no-dockerignore --force"),
        "the render needs both: {message}"
    );
    common::run_hint(dir.path(), next);
    assert_eq!(shipit(dir.path(), &["check"]).status.code(), Some(0));
    let kept = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert_eq!(kept, ".git\n.env\n");
}

#[test]
fn the_command_that_drops_an_unused_pin_works_in_a_directory_with_a_space() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("my app");
    std::fs::create_dir(&project).unwrap();
    go_project(&project, None);
    let lock = lock_of(&["golang:1.22", "alpine:3.19"]);
    std::fs::write(project.join("shipit.lock"), lock.to_toml()).unwrap();
    let output = shipit(dir.path(), &["render", "-m", "my app/shipit.toml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    let (_, command) = message
        .split_once("`shipit lock")
        .expect("a command that drops the pin");
    let command = format!("shipit lock{}", command.split('`').next().unwrap());
    assert_eq!(command, "shipit lock -m 'my app/shipit.toml'", "{message}");
    common::run_hint(dir.path(), &command);
    let text = std::fs::read_to_string(project.join("shipit.lock")).unwrap();
    assert!(!text.contains("alpine"), "{text}");
}
