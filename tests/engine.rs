//! The probe engine end to end: the binary, driven with `--server`, `--resolver` and `--ca-file`,
//! against real peers on loopback (DNS, HTTPS + WebSocket answering like BigBlueButton, TURN over
//! UDP, TCP and TLS on 443) and against peers that fail or misbehave in each way a school network
//! or a broken server does. Each test has a loopback address of its own; as root the peers listen
//! on the real ports (443, 3478) and the bundled `bbb` profile is used unchanged; otherwise an
//! overriding profile moves the same checks to free ports.

mod support;

use support::proxy;
use support::stun;
use support::venue::{Cert, HOST, Names, Setup};
use support::web;

#[test]
fn open_network_is_ready() {
    let lab = Setup::default().start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    assert_eq!(r.code, Some(0));
    for p in r.probes() {
        assert_eq!(p["status"], "ok", "{p:#}");
    }
    let https = r.probe("https", None);
    assert_eq!(https["data"]["http_status"], 200);
    assert_eq!(https["data"]["bbb_version"], "3.0.4");
    let tls = r.probe("tls", None);
    assert!(
        tls["data"]["issuer"]
            .as_str()
            .unwrap()
            .contains("preflight test CA"),
        "{tls:#}"
    );
    // 3.0: /graphql upgrades without a session; /bbb-webrtc-sfu is refused by the server
    // itself (nginx auth_request), which proves the path; the 2.x socket is not counted.
    assert_eq!(
        r.find("bbb", "websocket", "/graphql")["data"]["upgrade"],
        "101"
    );
    let sfu = r.find("bbb", "websocket", "/bbb-webrtc-sfu");
    assert_eq!(sfu["data"]["http_status"], 401, "{sfu:#}");
    assert_eq!(sfu["data"]["needs_session"], true, "{sfu:#}");
    assert_eq!(
        r.find("bbb", "websocket", "/html5client/sockjs")["data"]["not_counted"],
        "other_version"
    );
    for t in ["udp", "tcp", "tls"] {
        let turn = r.probe("turn", Some(t));
        assert_eq!(turn["data"]["error_code"], 401, "{turn:#}");
        assert_eq!(turn["data"]["realm"], stun::REALM, "{turn:#}");
    }
    assert_eq!(r.probe("turn", Some("tls"))["data"]["alpn"], "stun.turn");
    assert_eq!(r.report["firewall"]["family"], "none");
    assert!(
        r.report["support"].is_null(),
        "no ticket on a ready network"
    );
    // DNS once per host, however many probes use the name (A and AAAA: two questions).
    assert!(lab.dns.queries.load(std::sync::atomic::Ordering::Relaxed) <= 4);
}

#[test]
fn bigbluebutton_2_7_uses_its_own_data_socket() {
    let lab = Setup {
        web: Some(web::Mode::Bbb27),
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    assert_eq!(r.probe("https", None)["data"]["bbb_version"], "2.7.9");
    assert_eq!(
        r.find("bbb", "websocket", "/html5client/sockjs")["data"]["upgrade"],
        "101"
    );
    // No /graphql on 2.x: its 404 is normal, not a finding.
    let graphql = r.find("bbb", "websocket", "/graphql");
    assert_eq!(graphql["data"]["http_status"], 404, "{graphql:#}");
    assert_eq!(
        graphql["data"]["not_counted"], "other_version",
        "{graphql:#}"
    );
    assert_eq!(r.report["firewall"]["family"], "none");
}

#[test]
fn a_missing_data_socket_on_a_3_0_server_is_not_blamed_on_the_network() {
    // The server itself (trusted certificate) answers 404 where the profile expects an
    // upgrade: reached, the profile may be stale; not blocked, no firewall.
    let lab = Setup {
        web: Some(web::Mode::NeedsSession),
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    let graphql = r.find("bbb", "websocket", "/graphql");
    assert_eq!(graphql["status"], "ok", "{graphql:#}");
    assert_eq!(
        graphql["data"]["unexpected_answer"]["status"], 404,
        "{graphql:#}"
    );
    assert!(
        r.notes("bbb").contains("profile may be out of date"),
        "{}",
        r.explain()
    );
    assert_eq!(r.report["firewall"]["family"], "none");
}

#[test]
fn turn_udp_closed_is_degraded() {
    let lab = Setup {
        turn_udp: false,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "degraded", "{}", r.explain());
    assert_eq!(r.code, Some(1));
    let udp = r.probe("turn", Some("udp"));
    assert_eq!(udp["status"], "fail");
    // A closed UDP port answers ICMP port unreachable: refused, not a timeout.
    assert_eq!(r.class("turn", Some("udp")), "refused", "{udp:#}");
    assert_eq!(r.probe("turn", Some("tcp"))["status"], "ok");
    let summary = r.report["platforms"][0]["summary"].as_str().unwrap();
    assert!(!summary.is_empty());
}

#[test]
fn only_tls_443_left_is_still_degraded() {
    let lab = Setup {
        turn_udp: false,
        turn_tcp: false,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "degraded", "{}", r.explain());
    assert_eq!(r.probe("turn", Some("tls"))["status"], "ok");
    assert_eq!(r.class("turn", Some("tcp")), "refused");
}

#[test]
fn https_server_stopped_is_blocked() {
    let lab = Setup {
        web: None,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "blocked", "{}", r.explain());
    assert_eq!(r.code, Some(2));
    assert_eq!(r.class("tcp", None), "refused", "{}", r.explain());
    // What needed 443 is not retried blindly: it is skipped with its cause.
    assert_eq!(r.class("https", None), "refused", "{}", r.explain());
    assert_eq!(r.class("turn", Some("tls")), "refused", "{}", r.explain());
    let support = &r.report["support"];
    assert!(
        support["ticket"].as_str().unwrap().contains(HOST),
        "{support:#}"
    );
}

#[test]
fn interception_names_the_vendor_ca() {
    let lab = Setup {
        cert: Cert::Intercepted,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("tls", None), "tls_interception", "{}", r.explain());
    let tls = r.probe("tls", None);
    assert!(
        tls["data"]["issuer"]
            .as_str()
            .unwrap()
            .contains("Fortinet_CA_SSL"),
        "{tls:#}"
    );
    assert_ne!(r.verdict(), "ready");
    let fw = &r.report["firewall"];
    assert_eq!(fw["family"], "fortinet", "{fw:#}");
    assert!(
        fw["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("Fortinet_CA_SSL")),
        "{fw:#}"
    );
}

#[test]
fn expired_certificate_is_cert_invalid() {
    let lab = Setup {
        cert: Cert::Expired,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("tls", None), "cert_invalid", "{}", r.explain());
    assert_eq!(r.verdict(), "blocked");
}

#[test]
fn filter_page_is_a_block_page_with_its_title() {
    // e2guardian's stock French page, served by a TLS inspection box this computer trusts.
    let lab = Setup {
        web: Some(web::Mode::BlockPage),
        cert: Cert::Inspected,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("https", None), "block_page", "{}", r.explain());
    assert_eq!(
        r.probe("https", None)["data"]["title"],
        "e2guardian - Acc&eagrav;s interdit"
    );
    // A filter's page in answer to a WebSocket upgrade is not the server asking for a session.
    assert_eq!(
        r.find("bbb", "websocket", "/graphql")["error"]["class"],
        "upgrade_refused",
        "{}",
        r.explain()
    );
    assert_eq!(r.verdict(), "blocked");
    // The box's authority (Fortinet) and the page (e2guardian) are both named.
    let evidence = r.report["firewall"]["evidence"].to_string();
    assert!(evidence.contains("e2guardian"), "{}", r.explain());
    assert!(evidence.contains("Fortinet_CA_SSL"), "{}", r.explain());
}

#[test]
fn the_same_page_from_the_service_itself_is_not_a_block_page() {
    // A trusted certificate for the exact name: the operator answered, whatever its words.
    let lab = Setup {
        web: Some(web::Mode::BlockPage),
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_ne!(r.class("https", None), "block_page", "{}", r.explain());
    assert_eq!(r.probe("https", None)["status"], "ok", "{}", r.explain());
    assert!(
        r.notes("bbb").contains("profile may be out of date"),
        "{}",
        r.explain()
    );
    assert_eq!(r.report["firewall"]["family"], "none", "{}", r.explain());
}

#[test]
fn proxy_refusing_websocket_upgrade_is_upgrade_refused() {
    // Behind a TLS inspection box: squid's refusal of the upgrade, with its headers.
    let lab = Setup {
        web: Some(web::Mode::RefuseUpgrade),
        cert: Cert::Inspected,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.probe("https", None)["status"], "warn", "{}", r.explain());
    let ws = r.find("bbb", "websocket", "/graphql");
    assert_eq!(ws["error"]["class"], "upgrade_refused", "{}", r.explain());
    assert!(
        ws["data"]["proxy_marker"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("squid"),
        "{ws:#}"
    );
    assert_eq!(r.verdict(), "blocked");
}

#[test]
fn inspection_that_lets_the_service_through_is_degraded_and_named() {
    let lab = Setup {
        cert: Cert::Inspected,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "degraded", "{}", r.explain());
    assert_eq!(r.class("tls", None), "tls_interception", "{}", r.explain());
    assert_eq!(
        r.report["firewall"]["family"],
        "fortinet",
        "{}",
        r.explain()
    );
    // The service's own answers, relayed by the box, are no evidence against it.
    assert!(
        !r.report["firewall"]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("nginx")),
        "{}",
        r.explain()
    );
}

#[test]
fn unknown_name_is_nxdomain_and_blocks() {
    let lab = Setup {
        names: Names::Missing,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("dns", None), "nxdomain", "{}", r.explain());
    assert_eq!(r.verdict(), "blocked");
    // The address tried without DNS answers: the internet is there, the name is not.
    assert!(r.report["network"]["finding"].is_null(), "{}", r.explain());
    let skipped = r
        .probes()
        .iter()
        .filter(|p| p["status"] == "skipped")
        .count();
    assert!(
        skipped >= 5,
        "probes after a failed name are skipped: {}",
        r.explain()
    );
}

#[test]
fn sinkholed_name_is_dns_sinkhole() {
    let lab = Setup {
        names: Names::Sinkhole,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("dns", None), "dns_sinkhole", "{}", r.explain());
    assert_eq!(r.verdict(), "blocked");
}

#[test]
fn a_lost_dns_datagram_is_tried_again() {
    let lab = Setup {
        names: Names::Lossy,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.probe("dns", None)["status"], "ok", "{}", r.explain());
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    assert!(lab.dns.queries.load(std::sync::atomic::Ordering::Relaxed) >= 4);
}

#[test]
fn failing_resolver_is_servfail() {
    let lab = Setup {
        names: Names::Servfail,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("dns", None), "servfail", "{}", r.explain());
}

#[test]
fn silent_resolver_is_a_timeout_and_the_run_stays_bounded() {
    let lab = Setup {
        names: Names::Silent,
        ..Setup::default()
    }
    .start();
    let started = std::time::Instant::now();
    let r = lab.run(&[]);
    assert_eq!(r.class("dns", None), "timeout", "{}", r.explain());
    assert_eq!(r.verdict(), "blocked");
    assert_eq!(
        r.report["network"]["finding"]["class"],
        "no_dns",
        "{}",
        r.explain()
    );
    // Not a benchmark: a guard against a hang (per-probe deadline 2 s, global cap 7 s).
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn garbage_from_the_turn_server_is_malformed() {
    let lab = Setup {
        turn_mode: stun::Mode::Garbage,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("turn", Some("udp")), "malformed", "{}", r.explain());
    assert_eq!(r.class("turn", Some("tcp")), "malformed", "{}", r.explain());
    // TURN over TLS (on the web server) is still fine: degraded, not blocked.
    assert_eq!(r.verdict(), "degraded", "{}", r.explain());
}

#[test]
fn silent_turn_server_times_out() {
    let lab = Setup {
        turn_mode: stun::Mode::Silent,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("turn", Some("udp")), "timeout", "{}", r.explain());
    assert_eq!(r.class("turn", Some("tcp")), "timeout", "{}", r.explain());
}

#[test]
fn endless_headers_are_too_large_not_a_hang() {
    let lab = Setup {
        web: Some(web::Mode::EndlessHeaders),
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    let c = r.class("https", None);
    assert!(c == "too_large" || c == "malformed", "{}", r.explain());
}

#[test]
fn endless_body_is_cut_and_judged() {
    let lab = Setup {
        web: Some(web::Mode::EndlessBody),
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    let https = r.probe("https", None);
    // 256 KiB at most were read; what was read is not the service's usual answer, but it
    // comes from the service's operator (trusted certificate): reached, never a block.
    assert_eq!(https["data"]["body_truncated"], true, "{}", r.explain());
    assert_eq!(https["status"], "ok", "{https:#}");
    assert!(https["data"]["unexpected_answer"].is_object(), "{https:#}");
}

#[test]
fn reset_after_request_is_classified() {
    let lab = Setup {
        web: Some(web::Mode::ResetAfterRequest),
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    let c = r.class("https", None);
    assert!(c == "reset" || c == "closed", "{}", r.explain());
}

#[test]
fn silent_tls_server_times_out() {
    let lab = Setup {
        web: Some(web::Mode::SilentTls),
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.class("tls", None), "timeout", "{}", r.explain());
    assert_eq!(r.verdict(), "blocked");
}

#[test]
fn french_report_on_stderr_names_the_verdict() {
    let lab = Setup {
        turn_udp: false,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&["--lang", "fr"]);
    assert!(r.stderr.contains("BigBlueButton"), "{}", r.stderr);
    assert!(r.stderr.to_lowercase().contains("dégradé"), "{}", r.stderr);
    assert_eq!(r.report["lang"], "fr");
}

#[test]
fn proxy_from_the_environment_carries_the_web_probes() {
    let lab = Setup::default().start();
    let r = lab.run_through(proxy::Mode::Tunnel);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    assert!(
        r.report["network"]["proxy"]
            .as_str()
            .unwrap()
            .contains("environment"),
        "{}",
        r.explain()
    );
    for kind in ["https", "websocket", "turn"] {
        assert_eq!(r.via_proxy(kind)["status"], "ok", "{}", r.explain());
    }
}

#[test]
fn proxy_asking_for_credentials_is_proxy_auth() {
    let lab = Setup::default().start();
    let r = lab.run_through(proxy::Mode::Auth);
    let https = r.via_proxy("https");
    assert_eq!(https["error"]["class"], "proxy_auth", "{}", r.explain());
    assert!(
        https["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Proxy Etablissement"),
        "{https:#}"
    );
    assert_ne!(r.verdict(), "ready");
}

#[test]
fn proxy_refusing_tunnels_is_proxy_refused_and_looks_like_squid() {
    let lab = Setup::default().start();
    let r = lab.run_through(proxy::Mode::Forbid);
    assert_eq!(
        r.via_proxy("https")["error"]["class"],
        "proxy_refused",
        "{}",
        r.explain()
    );
    assert_eq!(r.verdict(), "blocked");
    let fw = &r.report["firewall"];
    assert!(
        fw["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("squid")),
        "{fw:#}"
    );
}

#[test]
fn e2guardian_behind_the_proxy_points_to_amon() {
    // UDP closed: something is in the way, so the firewall is looked for (a network where
    // everything works claims none).
    let lab = Setup {
        turn_udp: false,
        ..Setup::default()
    }
    .start();
    let r = lab.run_through(proxy::Mode::E2guardian);
    let test = r.report["network"]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["target"]
                .as_str()
                .unwrap()
                .contains("internal.test.e2guardian.org")
        })
        .unwrap_or_else(|| panic!("no e2guardian test: {}", r.explain()));
    assert_eq!(test["data"]["e2guardian"], true, "{test:#}");
    assert_eq!(r.report["firewall"]["family"], "amon", "{}", r.explain());
    assert!(
        r.report["firewall"]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("e2guardian's own test page")),
        "{}",
        r.explain()
    );
}

#[test]
fn a_profiles_directory_changes_the_filters_test_page() {
    // The test page and the words of its answer are data: with other words, the same proxy
    // is no longer taken for e2guardian by its test page (its Server header still says so).
    let lab = Setup {
        turn_udp: false,
        ..Setup::default()
    }
    .start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("firewalls.toml"),
        "[[family]]\nid = \"amon\"\nname = \"AMON (local)\"\n\
         [[family.test]]\nproduct = \"e2guardian\"\nurl = \"http://internal.test.e2guardian.org/\"\n\
         answer = \"words e2guardian never says\"\nweight = 0.6\n",
    )
    .unwrap();
    let px = proxy::ProxyServer::start(proxy::Mode::E2guardian, lab.web_addr);
    let r = lab.run_env(
        &["--profiles-dir", dir.path().to_str().unwrap()],
        &[("HTTPS_PROXY", format!("http://{}", px.addr))],
    );
    let test = r.report["network"]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["target"].as_str().unwrap().contains("internal.test"))
        .unwrap_or_else(|| panic!("no test page asked: {}", r.explain()));
    assert_eq!(test["data"]["e2guardian"], false, "{test:#}");
    assert!(test["data"].get("filter_test").is_none(), "{test:#}");
    // The family was replaced without its signs, and its test did not answer: nothing names it.
    assert_ne!(r.report["firewall"]["family"], "amon", "{}", r.explain());
}

#[test]
fn a_profiles_directory_names_a_local_filter_and_its_desk() {
    // A referent adds what the built-in files do not know: the town's filter, whose page says
    // "... interdit" (weighed above the inspection box's authority), and the town's desk for
    // its écoles.
    let lab = Setup {
        web: Some(web::Mode::BlockPage),
        cert: Cert::Inspected,
        ..Setup::default()
    }
    .start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("firewalls.toml"),
        "[[family]]\nid = \"filtre-mairie\"\nname = \"Filtre de la mairie\"\n\
         [[family.sign]]\nin = \"title\"\ncontains = \"interdit\"\nweight = 0.9\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("desks.toml"),
        "[[desk]]\nid = \"mairie-test\"\nname = \"Mairie de Test, service informatique\"\n\
         contact = \"01 23 45 67 89\"\ndepartments = [\"78\"]\nkinds = [\"ecole\"]\n\
         why_fr = \"La mairie gère le filtre des écoles.\"\nwhy_en = \"The town runs the schools' filter.\"\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let r = lab.run(&["--profiles-dir", d, "--department", "78", "--kind", "ecole"]);
    assert_eq!(r.verdict(), "blocked", "{}", r.explain());
    assert_eq!(
        r.report["firewall"]["family"],
        "filtre-mairie",
        "{}",
        r.explain()
    );
    assert_eq!(
        r.report["support"]["desk"],
        "Mairie de Test, service informatique",
        "{}",
        r.explain()
    );
    // A bad file in it: exit 3, naming the file, the line and the field.
    std::fs::write(
        dir.path().join("desks.toml"),
        "[[desk]]\nid = \"x\"\nname = \"X\"\nwhy_fr = \"a\"\nwhy_en = \"b\"\ntelephone = \"1\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["check", "--no-bandwidth", "--profiles-dir", d])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("desks.toml:6") && stderr.contains("telephone"),
        "{stderr}"
    );
}
