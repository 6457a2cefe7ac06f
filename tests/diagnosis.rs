//! The diagnosis end to end without sockets: options -> bundled profiles -> plan -> made-up
//! outcomes of a filtered school network -> the real diagnosis and report (verdicts, firewall,
//! desk, ticket, text report: snapshots).

use preflight::diagnose::network;
use preflight::options::{self, CheckOptions};
use preflight::pipeline::{self, Gathered};
use preflight::plan::{self, Step};
use preflight::report::{Lang, text};
use preflight::runner;
use preflight::*;
use serde_json::json;

/// An AMON-like collège network: UDP closed, TCP 3478 closed, TLS 443 open; Livestorm's
/// app host answered by e2guardian's block page.
fn outcome_for(step: &Step) -> Outcome {
    let mut o = Outcome::new(step.kind(), step.target(), step.transport());
    o.duration_ms = 12;
    match step {
        Step::Dns { .. } => o.with("addresses", vec!["198.18.1.10"]),
        Step::Ice { check, .. } if check.transport == Transport::Udp => o.fail(
            ErrorClass::Timeout,
            "UDP: no answer in 5000 ms (UDP dropped on the way)",
        ),
        Step::Tcp { port: 3478, .. } => o.fail(ErrorClass::Refused, "TCP: connection refused"),
        Step::Ice { check, .. } if check.transport == Transport::Tcp => o,
        Step::Https { host, .. } if host == "app.livestorm.co" => {
            o.set("title", "e2guardian - Acc&eagrav;s interdit");
            o.set("http_status", 200);
            o.fail(ErrorClass::BlockPage, "HTTP 200: a page titled “e2guardian - Acc&eagrav;s interdit” answered instead of the service")
        }
        _ => o,
    }
}

/// The real end of a check (`pipeline::conclude`: diagnosis and report) on the real plan of
/// the bundled profiles, with the runner's own rule for skipped probes (`runner::settle`); only
/// the outcomes are made up.
fn build(lang: Lang) -> Report {
    let prep = options::prepare(CheckOptions {
        server: Some("bbb.ac-test.fr".into()),
        venue: Venue {
            label: Some("CDI".into()),
            uai: Some("0781234A".into()),
            department: None,
            kind: Some("college".into()),
        },
        lang,
        json_attached: true,
        no_bandwidth: true,
        ..CheckOptions::default()
    })
    .unwrap();
    let plan = plan::build(&prep.profiles, None);
    let outcomes = runner::settle(&plan, outcome_for);
    pipeline::conclude(
        &prep,
        Gathered {
            plan: &plan,
            outcomes: &outcomes,
            network_probes: vec![],
            network_finding: network::finding(&outcomes),
            measured: None,
            interrupted: false,
            notes: vec![],
            started_at: "2026-11-24T14:03:00Z".into(),
            duration_ms: 5123,
            resolver: "198.18.0.53:53".into(),
            proxy: None,
        },
    )
}

#[test]
fn filtered_college_report() {
    let r = build(Lang::Fr);
    assert_eq!(r.verdict, Verdict::Blocked);
    // Making a report inert loses nothing the program reads (the typed facts not on the wire
    // come back), and a report without hostile strings stays what it was.
    assert!(
        r.platforms
            .iter()
            .flat_map(|p| &p.probes)
            .any(|o| o.facts.aim.is_some())
    );
    assert_eq!(r.inert(), r);
    let v: Vec<(&str, Verdict)> = r
        .platforms
        .iter()
        .map(|p| (p.id.as_str(), p.verdict))
        .collect();
    assert_eq!(
        v,
        [
            ("bbb", Verdict::Degraded),
            // webinaire's relays answer on 443 (its published path); UDP 3478 on them is not
            // confirmed by the service, so its silence is said, not counted.
            ("webinaire", Verdict::Ready),
            ("livestorm", Verdict::Blocked)
        ]
    );
    assert_eq!(r.firewall.family, "amon");
    assert!(r.support.as_ref().unwrap().desk.contains("CARIINA"));
    let ticket = r.support.as_ref().unwrap().ticket.clone().unwrap();
    assert!(
        ticket.contains("autoriser HTTPS 443 vers app.livestorm.co\n"),
        "{ticket}"
    );
    // TCP 3478 is never given to browsers: not asked for.
    assert!(
        ticket.contains("autoriser UDP 3478 vers bbb.ac-test.fr (relais média TURN"),
        "{ticket}"
    );
    assert!(!ticket.contains("TCP 3478"), "{ticket}");
    assert!(
        r.platforms[1]
            .notes
            .iter()
            .any(|n| n.contains("non vérifié")),
        "{:?}",
        r.platforms[1].notes
    );
    insta::assert_snapshot!(
        "text_fr",
        text::render(&r, Lang::Fr, text::Style { color: false })
    );
}

#[test]
fn filtered_college_report_in_english() {
    let r = build(Lang::En);
    insta::assert_snapshot!(
        "text_en",
        text::render(&r, Lang::En, text::Style { color: false })
    );
    // The JSON contract's fixed names.
    let j = serde_json::to_value(&r).unwrap();
    for k in [
        "schema",
        "tool",
        "started_at",
        "duration_ms",
        "venue",
        "verdict",
        "platforms",
        "network",
        "firewall",
        "support",
    ] {
        assert!(j.get(k).is_some(), "missing {k}");
    }
    assert_eq!(
        j["platforms"][2]["probes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["status"] == "fail")
            .count(),
        // The block page, and UDP 3478 towards a public STUN server.
        2
    );
    assert_eq!(
        j["firewall"]["evidence"][0],
        json!("page “e2guardian - Acc&eagrav;s interdit” (https https://app.livestorm.co/)")
    );
}
