//! The fuzz targets' corpus and every crash they ever found, replayed through the same target
//! bodies on the stable toolchain (`cargo fuzz` itself needs nightly: `scripts/fuzz.sh`).

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::path::Path;

#[test]
fn corpus_and_past_crashes_replay_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, target) in targets::ALL {
        let mut n = 0;
        for dir in [
            root.join("corpus").join(name),
            root.join("regressions").join(name),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let bytes = std::fs::read(e.path()).unwrap();
                let r = std::panic::catch_unwind(|| target(&bytes));
                assert!(r.is_ok(), "{name}: {} panics", e.path().display());
                n += 1;
            }
        }
        assert!(n > 0, "no corpus for the fuzz target {name}");
    }
}
