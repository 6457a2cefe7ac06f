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
    // English unless a test asks otherwise (`--lang`, or its own LANG), whatever this machine's
    // locale: the messages follow the language.
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C");
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
fn bad_values_are_said_in_the_users_language() {
    // Checked by the program (--uai), by clap's value parser (--resolver, --turn), and before
    // the run (--json's folder): each in French with --lang fr, in English with --lang en.
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["--uai", "92X"],
            "--uai 92X : un code UAI a 7 chiffres et une lettre, par exemple 0921234X",
            "--uai 92X: a UAI has 7 digits and a letter, like 0921234X",
        ),
        (
            &["--resolver", "dns.example"],
            "« dns.example » n'est ni une adresse IP ni IP:PORT",
            "`dns.example` is not an IP address or IP:PORT",
        ),
        (
            &["--server", "bbb.example.test", "--turn", "relay:99999"],
            "« relay:99999 » : « 99999 » n'est pas un port (par ex. relay.example.org",
            "`relay:99999`: `99999` is not a port (e.g. relay.example.org",
        ),
        (
            &["--json", "/nonexistent/x.json"],
            "--json /nonexistent/x.json : le dossier /nonexistent n'existe pas",
            "--json /nonexistent/x.json: the folder /nonexistent does not exist",
        ),
    ];
    for (args, fr, en) in cases {
        for (lang, says, not) in [("fr", fr, en), ("en", en, fr)] {
            let out = preflight()
                .args(args)
                .args(["--platform", "webinaire", "--no-bandwidth", "--lang", lang])
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{args:?} {lang}: {err}");
            assert!(err.contains(says), "{args:?} {lang}: {err}");
            assert!(!err.contains(not), "{args:?} {lang}: {err}");
            // In French every line is ours (clap's too are reworded), with French spacing.
            if lang == "fr" {
                assert!(err.starts_with("preflight : "), "{args:?} {lang}: {err}");
            }
        }
    }
    // No --lang: the environment's language.
    let out = preflight()
        .args(["--uai", "92X"])
        .env("LANG", "fr_FR.UTF-8")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("7 chiffres et une lettre"));
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
    // Interrupted is not blocked: incomplete, exit 130, no ticket, the tests not run say why.
    assert_eq!(status.code(), Some(130));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(r["partial"], true);
    assert_eq!(r["verdict"], "incomplete");
    assert_eq!(r["platforms"][0]["verdict"], "incomplete");
    assert!(r["support"].is_null(), "{:#}", r["support"]);
    let probes = r["platforms"][0]["probes"].as_array().unwrap();
    let skipped: Vec<_> = probes.iter().filter(|p| p["status"] == "skipped").collect();
    assert!(!skipped.is_empty());
    assert!(
        skipped.iter().all(|p| p["data"]["cause"] == "interrupted"),
        "{skipped:#?}"
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

/// The binary checking webinaire against `resolver` (a silent one makes the run last until
/// `timeout`), without measurements, in English, output piped (used by the Unix-only tests).
#[cfg(unix)]
fn webinaire(resolver: &str, timeout: &str) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_preflight"));
    c.args(["--platform", "webinaire", "--resolver", resolver])
        .args(["--timeout", timeout, "--no-bandwidth", "--lang", "en"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    c
}

#[cfg(unix)]
#[test]
fn ctrl_c_text_says_interrupted_and_the_code_it_returns() {
    let (_u, _t, addr) = silent_dns();
    let child = webinaire(&addr, "30").spawn().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not run: interrupted (Ctrl-C)"), "{text}");
    assert!(
        !text.contains("because a step before them failed"),
        "{text}"
    );
    assert!(!text.contains("Ticket"), "{text}");
    let last = text.trim_end().lines().last().unwrap();
    assert!(
        last.contains("incomplete") && last.contains("exit code 130"),
        "{last}"
    );
}

/// Ctrl-C at the "press Enter" prompt (what a double-click shows, `--pause` here) ends the
/// program: in a terminal (a pseudo-terminal), as a person would.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_at_the_enter_prompt_ends_the_program() {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    let (_u, _t, addr) = silent_dns();
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes the two descriptors it opens.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0);
    // SAFETY: each descriptor is owned once: the slave by the child's three streams (dup'ed),
    // the master by this test.
    let (tty, mut master) = unsafe {
        (
            std::fs::File::from_raw_fd(slave),
            std::fs::File::from_raw_fd(master),
        )
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["--pause", "--platform", "webinaire", "--resolver", &addr])
        .args(["--timeout", "1", "--no-bandwidth", "--lang", "en"])
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .stdin(tty.try_clone().unwrap())
        .stdout(tty.try_clone().unwrap())
        .stderr(tty)
        .spawn()
        .unwrap();
    // Read the terminal until the prompt (a reader thread: the master blocks).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&seen).contains("Press Enter") && Instant::now() < deadline {
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.extend(b);
        }
    }
    let prompt = String::from_utf8_lossy(&seen).contains("Press Enter");
    let mut ended = None;
    if prompt {
        std::thread::sleep(Duration::from_millis(200));
        let sent = Instant::now();
        // SAFETY: signalling the child this test started.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        while sent.elapsed() < Duration::from_secs(5) {
            if let Some(s) = child.try_wait().unwrap() {
                ended = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    if ended.is_none() {
        let _ = child.kill();
    }
    let _ = child.wait();
    assert!(prompt, "no prompt: {}", String::from_utf8_lossy(&seen));
    assert!(
        ended.is_some(),
        "Ctrl-C at the prompt did not end the program"
    );
}

#[test]
fn non_ascii_in_every_option_is_a_clear_error_not_a_panic() {
    let cases: &[&[&str]] = &[
        &["--uai", "092123é"],
        &["--uai", "é"],
        &["--department", "9é"],
        &["--server", "bbb.é xample"],
        &["--platform", "é"],
        &["--profile", "é.toml"],
        &["--resolver", "é"],
        &["--ca-file", "é.pem"],
        &["--kind", "é"],
        &["--role", "é"],
        &["--bandwidth-url", "ws://é é/"],
        &["--bandwidth-url", "é"],
        &["--duration", "é"],
        &["--timeout", "é"],
        &["--lang", "é"],
        &["--lab-net", "é"],
        &["--turn", "é"],
        &["--json", "/é/x.json"],
        &["--html", "/é/x.html"],
        &["merge", "é.json"],
        &["merge", "a.json", "--csv", "/é/x.csv"],
        &["profiles", "show", "é"],
        &["serve", "--listen", "é"],
        &["serve", "--stun", "é"],
        &["serve", "--tls-cert", "é", "--tls-key", "é"],
        &["serve", "--max-connections", "é"],
        &["serve", "--idle-timeout", "é"],
    ];
    for args in cases {
        let out = preflight().args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.trim().len() > 10, "{args:?}: no message");
    }
    // Not ASCII where it is legitimate: an international server name is written in ASCII.
    let (_u, _t, addr) = silent_dns();
    let out = preflight()
        .args(["--platform", "bbb", "--server", "visio.académie.fr"])
        .args([
            "--resolver",
            &addr,
            "--timeout",
            "1",
            "--no-bandwidth",
            "--json",
        ])
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dns = &r["platforms"][0]["probes"][0];
    assert_eq!(dns["target"], "visio.xn--acadmie-eya.fr", "{dns:#}");
}

#[cfg(unix)]
#[test]
fn outputs_are_checked_before_the_run_and_each_attempted() {
    let (_u, _t, addr) = silent_dns();
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let start = Instant::now();
    let out = webinaire(&addr, "5")
        .args(["--json", "/nonexistent/x.json", "--html"])
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "not checked first"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the folder /nonexistent does not exist"),
        "{err}"
    );
    assert!(!html.exists());
    // A folder given as the file.
    let out = preflight()
        .args(["--platform", "webinaire", "--html"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));

    // The JSON's folder disappears during the run: the HTML is still written, the exit code
    // is 3 and the text says so.
    let gone = dir.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    let child = webinaire(&addr, "2")
        .arg("--json")
        .arg(gone.join("x.json"))
        .arg("--html")
        .arg(&html)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    std::fs::remove_dir(&gone).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(html.exists(), "the HTML was not written");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("exit code 3"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--json"));
    // Written whole: no temporary file left beside it.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn hostile_venue_label_reaches_no_terminal_and_no_file_raw() {
    let (_u, _t, addr) = silent_dns();
    let out = preflight()
        .args([
            "--platform",
            "webinaire",
            "--resolver",
            &addr,
            "--timeout",
            "1",
        ])
        .args(["--no-bandwidth", "--lang", "en", "--venue"])
        .arg("\x1b[2J\x1b[1;32m[OK] ALL READY\u{9b}8m")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains('\x1b') && !text.contains('\u{9b}'),
        "{text:?}"
    );
    assert!(text.contains("[2J[1;32m[OK] ALL READY8m"), "{text}");
}
