//! The double-click kit, on this machine: the program alone in a folder with an organiser's
//! `preflight.toml`, started without options from another folder (what a double-click does).
//! It reads the file, checks what it says, writes its reports next to itself under names with
//! the date, the time to the second and the venue, and sends the report where the file says.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::collect::Collecting;
use support::venue::Setup;

/// A kit folder holding the program (a hard link to the test build) and `sidecar`.
fn kit(sidecar: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let exe = dir.path().join("preflight");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_preflight"), &exe).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_preflight"), &exe).unwrap();
    }
    std::fs::write(dir.path().join("preflight.toml"), sidecar).unwrap();
    (dir, exe)
}

/// Started with no options from `cwd`.
fn double_click(exe: &Path, cwd: &Path) -> Output {
    let mut cmd = Command::new(exe);
    support::without_proxy_env(&mut cmd);
    cmd.current_dir(cwd).env("LANG", "C").output().unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `preflight_2026-05-14_14h03m27s_CDI-college-Jean-Moulin.json`
fn is_report_name(name: &str, venue: &str, ext: &str) -> bool {
    let Some(rest) = name.strip_prefix("preflight_") else {
        return false;
    };
    let Some(stamp) = rest.strip_suffix(&format!("_{venue}.{ext}")) else {
        return false;
    };
    let shape = "dddd-dd-dd_ddhddmdds";
    stamp.len() == shape.len()
        && stamp
            .chars()
            .zip(shape.chars())
            .all(|(c, s)| if s == 'd' { c.is_ascii_digit() } else { c == s })
}

#[test]
fn double_click_reads_the_sidecar_writes_next_to_the_program_and_sends() {
    let lab = Setup::default().start();
    let server = Collecting::start(Some("t0ken"));
    let (dir, exe) = kit(&format!(
        "# the organiser's file\n{}venue = \"CDI, collège Jean Moulin\"\nlang = \"fr\"\nsend = \"{}\"\n",
        lab.sidecar(),
        server.send_url()
    ));
    let elsewhere = tempfile::tempdir().unwrap();
    let out = double_click(&exe, elsewhere.path());
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("Réglages lus dans"), "{stdout}");
    assert!(stdout.contains("[OK] BigBlueButton : prêt"), "{stdout}");
    assert!(stdout.contains("Rapport envoyé à"), "{stdout}");
    assert!(stdout.contains("Rapports enregistrés :"), "{stdout}");

    assert!(
        files(elsewhere.path()).is_empty(),
        "nothing in the current folder"
    );
    let here = files(dir.path());
    let json = here
        .iter()
        .find(|n| is_report_name(n, "CDI-college-Jean-Moulin", "json"))
        .unwrap_or_else(|| panic!("{here:?}"));
    assert!(
        here.iter()
            .any(|n| is_report_name(n, "CDI-college-Jean-Moulin", "html")),
        "{here:?}"
    );
    assert!(
        stdout.contains(&dir.path().join(json).display().to_string()),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(json)).unwrap()).unwrap();
    support::venue::validate(&report);
    assert_eq!(report["venue"]["label"], "CDI, collège Jean Moulin");
    assert_eq!(report["platforms"][0]["id"], "bbb");
    assert_eq!(server.stored().len(), 1, "{}", server.log.lock().unwrap());
}

#[test]
fn double_click_keeps_the_report_it_could_not_send() {
    let lab = Setup::default().start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/reports", closed.local_addr().unwrap());
    drop(closed);
    let (dir, exe) = kit(&format!(
        "{}uai = \"0921234X\"\nsend = \"{url}\"\nlang = \"en\"\n",
        lab.sidecar()
    ));
    let out = double_click(&exe, dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let json = files(dir.path())
        .into_iter()
        .find(|n| is_report_name(n, "0921234X", "json"))
        .unwrap();
    assert!(stdout.contains("Report NOT sent to"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "send it to the organiser: {}",
            dir.path().join(&json).display()
        )),
        "{stdout}"
    );
}

#[test]
fn a_wrong_sidecar_stops_with_its_line_and_key() {
    let (dir, exe) = kit("venue = \"CDI\"\nkind = \"universite\"\n");
    let out = double_click(&exe, dir.path());
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("preflight.toml:2:") && err.contains("`kind`"),
        "{err}"
    );
    assert_eq!(
        files(dir.path()),
        ["preflight", "preflight.toml"],
        "no report"
    );
}
