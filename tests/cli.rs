//! The binary's outside contract: help, exit codes, bad input, Ctrl-C, a blackholed network.

use assert_cmd::Command;
use std::net::{TcpListener, UdpSocket};
use std::time::{Duration, Instant};

fn preflight() -> Command {
    let mut c = Command::cargo_bin("preflight").unwrap();
    c.env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy");
    c.env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env("NO_COLOR", "1");
    c
}

/// A DNS server that receives and never answers (UDP and TCP on one port): a blackhole.
fn silent_dns() -> (UdpSocket, TcpListener, String) {
    loop {
        let u = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = u.local_addr().unwrap().port();
        if let Ok(t) = TcpListener::bind(("127.0.0.1", port)) {
            return (u, t, format!("127.0.0.1:{port}"));
        }
    }
}

#[test]
fn help_is_stable() {
    let out = preflight().arg("--help").output().unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn help_in_french() {
    for args in [vec!["--lang", "fr", "--help"], vec!["--help"]] {
        let out = preflight()
            .args(&args)
            .env("LANG", if args.len() == 1 { "fr_FR.UTF-8" } else { "C" })
            .output()
            .unwrap();
        assert!(out.status.success());
        let s = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(s.contains("Utilisation : preflight"), "{s}");
        assert!(s.contains("Le serveur BigBlueButton à tester"), "{s}");
        assert!(s.contains("Afficher l'aide"), "{s}");
        assert!(!s.contains("Print help"), "{s}");
        insta::assert_snapshot!("help_fr", s);
    }
    let out = preflight()
        .args(["merge", "--help"])
        .env("LANG", "fr_FR.UTF-8")
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Écrire aussi le tableau en CSV"), "{s}");
    // Errors too.
    for (args, says) in [
        (
            vec!["--lang", "fr", "--role", "orateur"],
            "valeur invalide pour --role <ROLE> : « orateur »",
        ),
        (
            vec!["--lang", "fr", "--turn", "relay:99999"],
            "valeur invalide pour --turn <RELAIS>",
        ),
        (vec!["--lang", "fr", "--bogus"], "option inconnue : --bogus"),
    ] {
        let out = preflight().args(&args).env("LANG", "C").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(
            err.contains("Pour en savoir plus : preflight --help"),
            "{err}"
        );
    }
}

#[test]
fn version() {
    let out = preflight().arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("preflight {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_platform_exits_3_and_lists_the_ids() {
    let out = preflight().args(["--platform", "zoom"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bbb, webinaire, livestorm"), "{err}");
}

#[test]
fn bad_option_exits_3() {
    let out = preflight().arg("--no-such-option").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = preflight().args(["--uai", "92X"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("7 digits and a letter"));
}

#[test]
fn bbb_without_server_exits_3_and_says_how() {
    let out = preflight().args(["--platform", "bbb"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--server HOST"));
}

#[test]
fn invalid_profile_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(
        &path,
        "id = \"mine\"\nname = \"Mine\"\nengine = \"other\"\n\n[[ice]]\nurl = \"turn:h.example:99999\"\n\n[needs]\naudio = 30\nwebcam = { medium = 200 }\nwebcam_default = \"medium\"\nscreen = 1500\n",
    )
    .unwrap();
    let out = preflight()
        .arg("--profile")
        .arg(&path)
        .args(["--platform", "mine"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:6:", path.display())), "{err}");
    assert!(err.contains("field `ice[0].url`"), "{err}");
    assert!(err.contains("99999"), "{err}");

    let out = preflight()
        .args(["profiles", "show", "x", "--profile"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn profiles_list_and_show_describe_the_platforms() {
    let out = preflight().args(["profiles", "list"]).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    for id in ["bbb", "webinaire", "livestorm"] {
        assert!(s.lines().any(|l| l.starts_with(id)), "{s}");
    }
    let out = preflight()
        .args(["profiles", "show", "livestorm"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Not published by the platform"), "{s}");
    assert!(s.contains("https://app.livestorm.co/"));
    let out = preflight()
        .args(["profiles", "show", "bbb"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("turns:{server}:443?transport=tcp"), "{s}");
    assert!(s.contains("/bigbluebutton/api"));
    // What is tested, why it matters, where the fact comes from.
    assert!(
        s.contains("why: without it, no audio, webcam or screen sharing starts"),
        "{s}"
    );
    assert!(
        s.contains("source: bigbluebutton/bbb-install bbb-install.sh"),
        "{s}"
    );
    assert!(
        s.contains("for information (never changes the verdict)"),
        "{s}"
    );
    assert!(s.contains("BigBlueButton 3.x"), "{s}");
    let out = preflight()
        .args(["profiles", "show", "webinaire"])
        .env("LANG", "fr_FR.UTF-8")
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("source : unverified"), "{s}");
    assert!(
        s.contains("non vérifié : un échec seul n'aggrave pas le verdict"),
        "{s}"
    );
    assert!(s.contains("pourquoi :"), "{s}");
}

#[test]
fn turn_relays_are_checked_before_anything_runs() {
    for (args, says) in [
        (vec!["--server", "bbb.example.test", "--turn", ""], "--turn"),
        (
            vec!["--server", "bbb.example.test", "--turn", "relay:99999"],
            "not a port",
        ),
        (
            vec!["--server", "bbb.example.test", "--turn", "https://relay/"],
            "not a host name",
        ),
        (
            vec!["--platform", "webinaire", "--turn", "relay.example.org"],
            "--server",
        ),
    ] {
        let out = preflight()
            .args(&args)
            .args(["--no-bandwidth", "--lang", "en"])
            .env("LANG", "C")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn blackholed_dns_gives_blocked_within_the_global_cap() {
    let (_u, _t, addr) = silent_dns();
    let start = Instant::now();
    let out = preflight()
        .args([
            "--platform",
            "bbb",
            "--server",
            "bbb.example.test",
            "--lab-control",
            "127.0.0.1:9",
            "--resolver",
            &addr,
        ])
        .args(["--timeout", "2", "--no-bandwidth", "--json", "--lang", "en"])
        .output()
        .unwrap();
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(2));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["verdict"], "blocked");
    let probes = r["platforms"][0]["probes"].as_array().unwrap();
    let dns = probes.iter().find(|p| p["kind"] == "dns").unwrap();
    assert_eq!(dns["error"]["class"], "timeout", "{dns}");
    assert!(
        probes
            .iter()
            .filter(|p| p["kind"] != "dns")
            .all(|p| p["status"] == "skipped")
    );
    // The probes wait for DNS once (2 s), then are skipped: well under the 3x+1 s cap.
    assert!(took < Duration::from_secs(7), "took {took:?}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_still_writes_the_partial_report() {
    let (_u, _t, addr) = silent_dns();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args([
            "--platform",
            "bbb",
            "--server",
            "bbb.example.test",
            "--lab-control",
            "127.0.0.1:9",
            "--resolver",
            &addr,
        ])
        .args(["--timeout", "30", "--no-bandwidth", "--json"])
        .arg(&json)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let sent = Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "Ctrl-C was not honoured promptly"
    );
    assert_eq!(status.code(), Some(2));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(r["partial"], true);
    let probes = r["platforms"][0]["probes"].as_array().unwrap();
    assert!(
        probes.iter().any(|p| p["data"]["skipped"]
            .as_str()
            .is_some_and(|s| s.contains("interrupted"))),
        "{probes:?}"
    );
}

#[test]
fn meeting_links_pick_the_platform_and_the_host() {
    // What is checked is in the report's platforms; the names resolve nowhere (a resolver that
    // answers nothing is not even asked: --timeout 1 and an unroutable resolver keep it short).
    let run = |args: &[&str]| {
        let out = preflight()
            .args(args)
            .args([
                "--no-bandwidth",
                "--json",
                "--timeout",
                "1",
                "--lab-control",
                "127.0.0.1:9",
                "--resolver",
                "127.0.0.1:9",
            ])
            .env("LANG", "C")
            .output()
            .unwrap();
        let r: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        let ids: Vec<String> = r["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        let targets = r.to_string();
        (ids, targets)
    };
    let (ids, t) = run(&["--link", "https://bbb.example.org/b/abc-def-ghi"]);
    assert_eq!(ids, ["bbb"]);
    assert!(
        t.contains("https://bbb.example.org/bigbluebutton/api"),
        "{t}"
    );
    assert!(!t.contains("https://https"), "{t}");
    let (ids, _) = run(&["--link", "https://app.livestorm.co/academie/jeudi"]);
    assert_eq!(ids, ["livestorm"]);
    let (ids, _) = run(&[
        "--link",
        "https://webinaire.numerique.gouv.fr/meeting/signin/invite/1/creator/2/hash/x",
    ]);
    assert_eq!(ids, ["webinaire"]);
    // The meeting link given to --server: the host is taken from it; every platform is checked.
    let (ids, t) = run(&["--server", "https://bbb.example.org/rooms/abc-def-ghi/join"]);
    assert_eq!(ids, ["bbb", "webinaire", "livestorm"]);
    assert!(t.contains("wss://bbb.example.org/bbb-webrtc-sfu"), "{t}");
    for (args, says) in [
        (vec!["--server", ""], "--server `` is empty"),
        (
            vec!["--link", "https://"],
            "--link `https://` has no host name",
        ),
        (
            vec!["--server", "bbb.example.org:99999"],
            "--server `bbb.example.org:99999` has a port",
        ),
    ] {
        let out = preflight().args(&args).env("LANG", "C").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(err.contains("e.g."), "{args:?}: {err}");
    }
}
