//! The code's structure, drawn from its own imports (`scripts/imports.py`): no circle, and no
//! module using one from a layer above it.

mod support;

#[test]
fn imports_have_no_circle_and_never_run_upwards() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = match std::process::Command::new("python3")
        .arg(format!("{root}/scripts/imports.py"))
        .output()
    {
        Ok(out) => out,
        Err(e) => return support::skip(&format!("python3 could not run ({e})")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("no circle"), "{text}");
    assert!(text.contains("no import runs upwards"), "{text}");
}
