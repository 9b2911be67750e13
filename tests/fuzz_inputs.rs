//! Replays the fuzz target's seeds and every saved crash input
//! (fuzz/regressions/) through parse → resolve → render with the fuzz
//! target's invariants, so a fixed crash stays fixed without cargo-fuzz.

use std::path::Path;

use shipit::diagnostic::Source;
use shipit::templates::Templates;

fn replay(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let source = Source {
        name: "shipit.toml".into(),
        text: text.to_string(),
    };
    let Ok((manifest, spans)) = shipit::manifest::parse(&source) else {
        return;
    };
    let Ok(plan) = shipit::plan::resolve(&manifest, &spans, Path::new("/nonexistent")) else {
        return;
    };
    let text = shipit::render::render(&plan, "shipit.toml", &Templates::default())
        .expect("a resolved plan renders with the built-in templates")
        .text;
    assert!(text.ends_with('\n'));
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
    assert_eq!(text.lines().filter(|l| l.starts_with("FROM ")).count(), 2);
    assert_eq!(shipit::render::digest_matches(&text), Some(true));
}

#[test]
fn fuzz_seeds_and_regressions_hold_the_invariants() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            replay(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 20, "the seeds are there: {replayed}");
}
