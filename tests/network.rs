//! What is wrong with the network itself, said first: a silent resolver (`no_dns`), a resolver
//! that knows no name and no address that answers (`no_internet`), none configured at all (the
//! report is still written), a captive portal (plain HTTP redirected to its sign-in page while
//! HTTPS goes nowhere). Real peers on loopback; the resolver-less computer needs a mount
//! namespace (root), the portal port 80 (root): without them those tests say why they did not
//! run, and fail under CI.

mod support;

use support::venue::{Names, Setup};

/// A test that needs root here says so, and fails under CI where it must run.
fn needs_root(what: &str) -> bool {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !root {
        support::skip(&format!("{what} needs root (CI runs as root)"));
    }
    root
}

#[test]
fn a_silent_resolver_is_no_dns_said_first_with_one_request() {
    let lab = Setup {
        names: Names::Silent,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&["--lang", "fr"]);
    let f = &r.report["network"]["finding"];
    assert_eq!(f["class"], "no_dns", "{}", r.explain());
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains(&lab.dns.addr.to_string()),
        "the resolver's address is named: {f:#}"
    );
    // The text report says it first, one line per platform, and a short ticket.
    let top: Vec<&str> = r.stderr.lines().take(4).collect();
    assert!(
        top[3].contains("DNS"),
        "said right after the verdict:\n{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("BigBlueButton : non testé : pas de réseau"),
        "{}",
        r.stderr
    );
    let ticket = r.report["support"]["ticket"].as_str().unwrap();
    assert!(ticket.lines().count() <= 15, "{ticket}");
    assert!(!ticket.contains("UDP 0"), "{ticket}");
    assert!(!ticket.contains("résoudre normalement le nom"), "{ticket}");
}

#[test]
fn no_name_and_no_address_is_no_internet() {
    let lab = Setup {
        names: Names::Missing,
        internet: false,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&["--lang", "en"]);
    assert_eq!(
        r.report["network"]["finding"]["class"],
        "no_internet",
        "{}",
        r.explain()
    );
    let ticket = r.report["support"]["ticket"].as_str().unwrap();
    assert!(ticket.lines().count() <= 15, "{ticket}");
    assert!(!ticket.contains("resolve the name"), "{ticket}");
}

#[test]
fn names_resolve_but_nothing_answers_is_no_internet() {
    let lab = Setup {
        web: None,
        turn_udp: false,
        turn_tcp: false,
        internet: false,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(
        r.report["network"]["finding"]["class"],
        "no_internet",
        "{}",
        r.explain()
    );
}

#[test]
fn an_open_network_has_no_network_finding() {
    let lab = Setup::default().start();
    let r = lab.run(&[]);
    assert!(r.report["network"]["finding"].is_null(), "{}", r.explain());
}

#[test]
fn a_computer_without_any_resolver_still_writes_its_report() {
    if !needs_root("hiding /etc/resolv.conf in a mount namespace") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("resolv.conf");
    std::fs::write(&empty, "").unwrap();
    let json = dir.path().join("r.json");
    let html = dir.path().join("r.html");
    let script = format!(
        "mount --bind {} /etc/resolv.conf && exec {} check --platform livestorm --no-bandwidth --timeout 1 --lab-control 127.0.0.1:9 --lang en --json {} --html {}",
        empty.display(),
        env!("CARGO_BIN_EXE_preflight"),
        json.display(),
        html.display()
    );
    let out = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env("LANG", "C")
        .output()
        .expect("unshare (util-linux)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    support::venue::validate(&r);
    assert_eq!(r["network"]["finding"]["class"], "no_dns", "{r:#}");
    assert!(
        r["network"]["finding"]["message"]
            .as_str()
            .unwrap()
            .contains("No DNS server is configured"),
        "{r:#}"
    );
    assert!(html.exists());
    assert!(text.contains("No DNS server is configured"), "{text}");
}

#[test]
fn a_captive_portal_says_to_sign_in_first_with_its_address() {
    if !needs_root("a portal on port 80") {
        return;
    }
    let lab = Setup {
        web: None,
        turn_udp: false,
        turn_tcp: false,
        portal: true,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&["--lang", "fr"]);
    let f = &r.report["network"]["finding"];
    assert_eq!(f["class"], "captive_portal", "{}", r.explain());
    assert_eq!(f["portal"], support::venue::PORTAL_LOGIN, "{f:#}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains(support::venue::PORTAL_LOGIN),
        "{f:#}"
    );
    let ticket = r.report["support"]["ticket"].as_str().unwrap();
    assert!(ticket.lines().count() <= 15, "{ticket}");
}
