//! The Windows build (`x86_64-pc-windows-gnu`), run under Wine against the same loopback peers
//! as the other tests: version and profiles, a check (TLS, DNS, TURN through Windows sockets),
//! the system proxy read from the registry, and the double-click started from another folder.
//!
//! `bash tests/windows/run.sh` builds `preflight.exe` and the test-only `bcryptprimitives.dll`
//! into a folder and runs this file with `PREFLIGHT_WINDOWS_DIR` naming it; `.ci/run` calls that
//! script. Without the variable these tests say so and pass (`PREFLIGHT_REQUIRE_WINDOWS` makes
//! that a failure).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use support::collect::Collecting;
use support::proxy::{self, ProxyServer};
use support::venue::{Names, Setup};

/// One Wine run at a time: the registry (the system proxy) is shared by all of them.
static WINE: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    WINE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The folder holding `preflight.exe` and the DLL shim, when the Windows build is to be tested.
fn build() -> Option<PathBuf> {
    match std::env::var_os("PREFLIGHT_WINDOWS_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            assert!(
                d.join("preflight.exe").exists(),
                "no preflight.exe in {d:?}"
            );
            Some(d)
        }
        None => {
            assert!(
                std::env::var_os("PREFLIGHT_REQUIRE_WINDOWS").is_none(),
                "PREFLIGHT_REQUIRE_WINDOWS is set but PREFLIGHT_WINDOWS_DIR is not"
            );
            eprintln!("PREFLIGHT_WINDOWS_DIR is not set: the Windows build is not tested here");
            None
        }
    }
}

/// `wine64` with this run's prefix, quiet.
fn wine() -> Command {
    let bin = std::env::var_os("PREFLIGHT_WINE").unwrap_or("/usr/lib/wine/wine64".into());
    let mut c = Command::new(bin);
    c.env("WINEDEBUG", "-all");
    if std::env::var_os("WINEPREFIX").is_none() {
        c.env(
            "WINEPREFIX",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine"),
        );
    }
    support::without_proxy_env(&mut c);
    c
}

fn exe(dir: &Path) -> Command {
    let mut c = wine();
    c.arg(dir.join("preflight.exe"));
    c
}

fn utf8(bytes: &[u8], what: &str) -> String {
    String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| panic!("{what} is not UTF-8: {e}"))
}

#[test]
fn version_and_profiles() {
    let Some(dir) = build() else { return };
    let _one = lock();
    let out = exe(&dir).arg("--version").output().unwrap();
    assert_eq!(
        utf8(&out.stdout, "stdout").trim(),
        format!("preflight {}", env!("CARGO_PKG_VERSION")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = exe(&dir).args(["profiles", "list"]).output().unwrap();
    let s = utf8(&out.stdout, "stdout");
    assert_eq!(out.status.code(), Some(0), "{s}");
    for id in ["bbb", "webinaire", "livestorm"] {
        assert!(s.lines().any(|l| l.starts_with(id)), "{s}");
    }
    let out = exe(&dir).args(["--platform", "zoom"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "exit codes cross over");
}

#[test]
fn check_against_loopback_peers() {
    let Some(dir) = build() else { return };
    let _one = lock();
    let lab = Setup::default().start();
    let r = lab.run_program(exe(&dir), &["--lang", "fr"], &[]);
    assert_eq!(r.code, Some(0), "{}", r.explain());
    assert_eq!(r.verdict(), "ready");
    for kind in ["dns", "tls", "https", "websocket"] {
        assert_eq!(r.probe(kind, None)["status"], "ok", "{}", r.explain());
    }
    assert_eq!(
        r.probe("turn", Some("udp"))["status"],
        "ok",
        "{}",
        r.explain()
    );
    // The human report (on stderr, as --json takes stdout): accents intact, no colour codes
    // in a pipe.
    assert!(
        r.stderr.contains("[OK] BigBlueButton : prêt"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("répond depuis ce réseau"), "{}", r.stderr);
    assert!(!r.stderr.contains('\u{1b}'), "{}", r.stderr);

    let blocked = Setup {
        names: Names::Missing,
        ..Setup::default()
    }
    .start();
    let r = blocked.run_program(exe(&dir), &["--lang", "en"], &[]);
    assert_eq!(r.code, Some(2), "{}", r.explain());
    assert_eq!(r.class("dns", None), "nxdomain", "{}", r.explain());
}

/// Sets the Internet Settings proxy for this Wine prefix; removes it when dropped.
struct RegistryProxy;

const INTERNET_SETTINGS: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings";

impl RegistryProxy {
    fn set(server: &str) -> RegistryProxy {
        for (name, kind, data) in [
            ("ProxyServer", "REG_SZ", server),
            ("ProxyEnable", "REG_DWORD", "1"),
        ] {
            let out = wine()
                .args(["reg", "add", INTERNET_SETTINGS, "/v", name, "/t", kind])
                .args(["/d", data, "/f"])
                .output()
                .unwrap();
            assert!(out.status.success(), "reg add {name}: {out:?}");
        }
        RegistryProxy
    }
}

impl Drop for RegistryProxy {
    fn drop(&mut self) {
        for name in ["ProxyServer", "ProxyEnable"] {
            let _ = wine()
                .args(["reg", "delete", INTERNET_SETTINGS, "/v", name, "/f"])
                .output();
        }
    }
}

#[test]
fn system_proxy_is_read_from_the_registry() {
    let Some(dir) = build() else { return };
    let _one = lock();
    let lab = Setup::default().start();
    let px = ProxyServer::start(proxy::Mode::Tunnel, lab.web_addr);
    let hp = px.addr.to_string();
    let r = {
        let _set = RegistryProxy::set(&format!("http={hp};https={hp}"));
        lab.run_program(exe(&dir), &[], &[])
    };
    let named = r.report["network"]["proxy"].as_str().unwrap_or("");
    assert!(
        named.contains(&hp) && named.contains("system settings"),
        "{}",
        r.explain()
    );
    let found = r.report["network"]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "proxy")
        .unwrap();
    assert_eq!(found["data"]["source"], "system settings", "{found:#}");
    assert_eq!(r.via_proxy("https")["status"], "ok", "{}", r.explain());

    // Removed again: no proxy.
    let r = lab.run_program(exe(&dir), &[], &[]);
    assert!(r.report["network"]["proxy"].is_null(), "{}", r.explain());
}

#[test]
fn double_click_from_another_folder_writes_next_to_the_program() {
    let Some(dir) = build() else { return };
    let _one = lock();
    let lab = Setup::default().start();
    let server = Collecting::start(None);
    let kit = tempfile::tempdir().unwrap();
    for f in ["preflight.exe", "bcryptprimitives.dll"] {
        std::fs::copy(dir.join(f), kit.path().join(f)).unwrap();
    }
    std::fs::write(
        kit.path().join("preflight.toml"),
        format!(
            "{}venue = \"Salle polyvalente, école Jules Ferry\"\nlang = \"fr\"\nsend = \"{}\"\n",
            lab.sidecar(),
            server.send_url()
        ),
    )
    .unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let out: Output = exe(kit.path())
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    let stdout = utf8(&out.stdout, "stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("Réglages lus dans"), "{stdout}");
    assert!(stdout.contains("Rapport envoyé à"), "{stdout}");
    assert!(stdout.contains("Rapports enregistrés :"), "{stdout}");
    let here: Vec<String> = std::fs::read_dir(kit.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let venue = "Salle-polyvalente-ecole-Jules-Ferry";
    for ext in ["json", "html"] {
        assert!(
            here.iter()
                .any(|n| n.starts_with("preflight_") && n.ends_with(&format!("_{venue}.{ext}"))),
            "{here:?}\n{stdout}"
        );
    }
    assert!(
        std::fs::read_dir(elsewhere.path())
            .unwrap()
            .next()
            .is_none(),
        "nothing in the current folder"
    );
    assert_eq!(server.stored().len(), 1, "{}", server.log.lock().unwrap());
}

/// A console, as a double-click gives one: Wine attached to a terminal (`script` makes one)
/// is alone in its console, so the program takes the double-click path; it turns virtual
/// terminal processing on and colours the verdict, accents come out right, and it waits for
/// Enter before the window would close.
#[test]
fn in_a_console_colours_accents_and_the_pause() {
    let Some(dir) = build() else { return };
    let _one = lock();
    let lab = Setup::default().start();
    let kit = tempfile::tempdir().unwrap();
    for f in ["preflight.exe", "bcryptprimitives.dll"] {
        std::fs::copy(dir.join(f), kit.path().join(f)).unwrap();
    }
    std::fs::write(
        kit.path().join("preflight.toml"),
        format!("{}venue = \"Bibliothèque\"\nlang = \"fr\"\n", lab.sidecar()),
    )
    .unwrap();
    let w = wine();
    let line = format!(
        "{} {}",
        w.get_program().to_string_lossy(),
        kit.path().join("preflight.exe").display()
    );
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .envs(w.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("LANG", "C.UTF-8")
        .env_remove("CI")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // Read the screen as it comes; press Enter once the pause asks for it (input typed earlier
    // is dropped while Wine sets up the console).
    let screen = std::sync::Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut stdout = child.stdout.take().unwrap();
    let sink = screen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut input = child.stdin.take().unwrap();
    let start = std::time::Instant::now();
    let shown = |what: &str| String::from_utf8_lossy(&screen.lock().unwrap()).contains(what);
    // Pressed again each second until it ends: a key that arrives while the console switches
    // modes can be lost.
    let mut pressed: Option<std::time::Instant> = None;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if pressed.is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(1))
            && shown("pour fermer.")
        {
            let _ = std::io::Write::write_all(&mut input, b"\r");
            pressed = Some(std::time::Instant::now());
        }
        if start.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "no end in 120 s (Enter pressed: {}):\n{}",
                pressed.is_some(),
                String::from_utf8_lossy(&screen.lock().unwrap())
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let _ = reader.join();
    let out = std::process::Output {
        status,
        stdout: screen.lock().unwrap().clone(),
        stderr: vec![],
    };
    let screen = utf8(&out.stdout, "the console");
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("\u{1b}[1;32m[OK]"),
        "coloured verdict:\n{screen:?}"
    );
    assert!(screen.contains("prêt"), "{screen}");
    assert!(
        screen.contains("Appuyez sur Entrée pour fermer."),
        "{screen}"
    );
}
