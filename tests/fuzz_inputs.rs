//! Replays the fuzz target's seeds and every saved crash input
//! (fuzz/regressions/) through the fuzz target's own body, so a fixed
//! crash stays fixed without cargo-fuzz.

use std::path::Path;

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
            shipit::fuzzing::render_bytes(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 20, "the seeds are there: {replayed}");
}
