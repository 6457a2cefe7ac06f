//! A test day, live, on loopback: checks send their reports with `--send` to the real
//! `preflight serve --collect`, which stores them, shows them on its live page (rendered in
//! headless Chromium) and leaves a folder that `merge DIR` reads; junk, oversized bodies and
//! wrong tokens are refused and leave nothing behind; a report that cannot be sent stays on disk.

mod support;

use std::process::Command;
use support::chromium::chromium;
use support::collect::Collecting;
use support::proxy::{self, ProxyServer};
use support::venue::{Names, Setup};

const TOKEN: &str = "jour-J-2026";

#[test]
fn two_sent_reports_are_in_the_folder_on_the_live_page_and_in_merge() {
    let server = Collecting::start(Some(TOKEN));
    let send = server.send_url();
    let ready = Setup::default().start();
    let r1 = ready.run(&["--venue", "École A", "--send", &send]);
    assert_eq!(r1.code, Some(0), "{}", r1.explain());
    assert!(
        r1.stderr.contains("Report sent to http://") && r1.stderr.contains("/reports (stored as"),
        "{}",
        r1.stderr
    );
    assert!(
        !r1.stderr.contains(TOKEN),
        "the token is not shown: {}",
        r1.stderr
    );
    let blocked = Setup {
        names: Names::Missing,
        ..Setup::default()
    }
    .start();
    let r2 = blocked.run(&["--venue", "Collège C", "--lang", "fr", "--send", &send]);
    assert_eq!(r2.code, Some(2), "{}", r2.explain());
    assert!(r2.stderr.contains("Rapport envoyé à"), "{}", r2.stderr);

    // The folder: two reports, stored under names made by the server, equal to what was sent.
    let stored = server.stored();
    assert_eq!(
        stored.len(),
        2,
        "{stored:?}\n{}",
        server.log.lock().unwrap()
    );
    let names: Vec<String> = stored
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.contains("_Ecole-A_")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("_College-C_")), "{names:?}");
    for p in &stored {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        support::venue::validate(&v);
    }
    let kept: serde_json::Value = stored
        .iter()
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .find(|v: &serde_json::Value| v["venue"]["label"] == "École A")
        .unwrap();
    assert_eq!(kept, r1.report, "stored as sent");

    // Sent again (a retry): stored once.
    let same = std::fs::read(&stored[0]).unwrap();
    let (status, body) = server.request(
        "POST",
        "/",
        &[
            &format!("Authorization: Bearer {TOKEN}"),
            "Content-Type: application/json",
        ],
        &same,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"duplicate\":true"), "{body}");
    assert_eq!(server.stored().len(), 2);

    // The live page: the merge table, blocked room first, reloading itself.
    let (status, page) = server.request(
        "GET",
        &format!("/?token={TOKEN}"),
        &["Accept-Language: fr-FR,fr;q=0.9"],
        b"",
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("http-equiv=refresh"), "{page}");
    assert!(
        page.contains("2 rapport(s) reçu(s) — 1 salle(s) bloquée(s)"),
        "{page}"
    );
    let (c, e) = (
        page.find("Collège C").unwrap(),
        page.find("École A").unwrap(),
    );
    assert!(c < e, "blocked first");
    if let Some(dom) = chromium(&["--dump-dom", &server.page_url()]) {
        let dom = String::from_utf8_lossy(&dom.stdout);
        assert!(dom.contains("id=\"live\""), "live page in the DOM:\n{dom}");
        assert!(
            dom.contains("Collège C") && dom.contains("École A"),
            "{dom}"
        );
        assert!(
            dom.contains("class=\"s-fail\"") && dom.contains("class=\"s-ok\""),
            "{dom}"
        );
        assert!(dom.find("Collège C") < dom.find("École A"), "blocked first");
    }

    // The same folder, merged afterwards.
    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["merge", "--lang", "en"])
        .arg(server.folder())
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{table}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[1].starts_with("Collège C"), "{table}");
    assert!(lines[2].starts_with("École A"), "{table}");
    assert!(table.contains("2 venue(s) — 1 blocked"), "{table}");
}

#[test]
fn junk_oversized_and_wrong_tokens_are_refused_and_nothing_is_stored() {
    let server = Collecting::start(Some(TOKEN));
    let t = format!("/reports?token={TOKEN}");
    let junk: Vec<u8> = (0..5 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let (status, body) = server.request("POST", &t, &[], &junk);
    assert_eq!(status, 413, "5 MB of junk: {body}");
    // Announced too large and waiting for "100 Continue": refused before it is sent.
    let (status, _) = server.request("POST", &t, &["Expect: 100-continue"], &junk);
    assert_eq!(status, 413);
    let (status, body) = server.request("POST", &t, &[], b"not json at all");
    assert_eq!(status, 400, "{body}");
    let (status, body) = server.request(
        "POST",
        &t,
        &[],
        br#"{"schema":"preflight-report/1","verdict":"ready"}"#,
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("not a preflight report"), "{body}");

    // A real report, but without the token or with a wrong one.
    let lab = Setup::default().start();
    let report = serde_json::to_vec(&lab.run(&[]).report).unwrap();
    let (status, body) = server.request("POST", "/reports", &[], &report);
    assert_eq!(status, 401, "{body}");
    let (status, body) = server.request("POST", "/reports?token=guess", &[], &report);
    assert_eq!(status, 403, "{body}");
    let (status, _) = server.request("POST", "/", &["Authorization: Bearer guess"], &report);
    assert_eq!(status, 403);
    let wrong = lab.run(&[
        "--send",
        &format!("http://{}/reports?token=guess", server.addr),
    ]);
    assert!(
        wrong.stderr.contains("Report NOT sent") && wrong.stderr.contains("403"),
        "{}",
        wrong.stderr
    );
    let (status, _) = server.request("GET", "/", &[], b"");
    assert_eq!(status, 401, "the live page needs the token too");

    assert!(server.stored().is_empty(), "{:?}", server.stored());
    let log = server.log.lock().unwrap().clone();
    assert!(log.contains("report refused"), "{log}");

    // Other routes are serve's as before.
    let (status, body) = server.request("GET", "/echo", &[], b"");
    assert_eq!(status, 200, "{body}");
}

#[test]
fn the_report_goes_through_the_proxy_the_run_found() {
    let server = Collecting::start(None);
    let lab = Setup::default().start();
    // The proxy leads every tunnel to the collecting server; the URL's name resolves nowhere,
    // so only the way through the proxy can deliver it.
    let px = ProxyServer::start(proxy::Mode::Tunnel, server.addr);
    let url = format!(
        "http://collecte.example.test:{}/reports",
        server.addr.port()
    );
    let r = lab.run_env(
        &["--send", &url, "--venue", "Derrière le proxy"],
        &[("HTTPS_PROXY", format!("http://{}", px.addr))],
    );
    assert!(r.stderr.contains("Report sent to"), "{}", r.explain());
    assert_eq!(server.stored().len(), 1);
}

#[test]
fn a_report_that_cannot_be_sent_stays_on_disk() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/reports", closed.local_addr().unwrap());
    drop(closed);
    let lab = Setup::default().start();
    // `--json` without a file (as `run` does): the report went to stdout, so one is written here.
    let r = lab.run(&["--send", &url, "--venue", "Salle 4"]);
    assert_eq!(r.code, Some(0), "the verdict's code: {}", r.explain());
    assert!(r.stderr.contains("Report NOT sent to"), "{}", r.stderr);
    let kept = std::fs::read_dir(lab.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .ends_with("_Salle-4.json")
        })
        .unwrap_or_else(|| panic!("no report kept: {}", r.stderr));
    assert!(
        r.stderr
            .contains(&*kept.file_name().unwrap().to_string_lossy()),
        "{}",
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&kept).unwrap()).unwrap();
    support::venue::validate(&v);

    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["--send", "ftp://nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "a bad URL is a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--send ftp://nope"));
}

/// The live page of a small test day (a blocked collège behind a filter, a lycée whose UDP is
/// closed, an école where everything works), screenshot in Chromium from the server itself.
#[test]
#[ignore = "writes target/live-example/; run by scripts/live-screenshot.sh"]
fn write_live_page_example() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/live-example");
    std::fs::create_dir_all(&out).unwrap();
    let server = Collecting::start(None);
    let send = server.send_url();
    let rooms = [
        (
            // e2guardian's page from a TLS inspection box the school's computers trust.
            Setup {
                web: Some(support::web::Mode::BlockPage),
                cert: support::venue::Cert::Inspected,
                ..Setup::default()
            },
            vec![
                "--venue",
                "CDI, collège Jean Moulin",
                "--uai",
                "0921234X",
                "--kind",
                "college",
            ],
        ),
        (
            Setup {
                turn_udp: false,
                ..Setup::default()
            },
            vec![
                "--venue",
                "Salle 204, lycée Marie Curie",
                "--kind",
                "lycee",
                "--department",
                "91",
            ],
        ),
        (
            Setup::default(),
            vec![
                "--venue",
                "Salle polyvalente, école Jules Ferry",
                "--kind",
                "ecole",
            ],
        ),
    ];
    for (setup, args) in rooms {
        let lab = setup.start();
        let mut a = args.clone();
        a.extend(["--lang", "fr", "--send", &send]);
        let r = lab.run(&a);
        assert!(r.stderr.contains("Rapport envoyé"), "{}", r.stderr);
    }
    let (status, page) = server.request("GET", "/", &["Accept-Language: fr"], b"");
    assert_eq!(status, 200);
    std::fs::write(out.join("live.html"), page).unwrap();
    let png = out.join("live.png");
    let _ = std::fs::remove_file(&png);
    chromium(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=1100,330",
        &format!("http://{}/?lang=fr", server.addr),
    ])
    .expect("chromium");
    assert!(png.exists());
}
