//! The diagnosis end to end without sockets: bundled profiles -> plan -> made-up outcomes of a
//! filtered school network -> verdicts, firewall, desk, ticket -> the text report (snapshots).

use preflight::diagnose::{desk, firewall, verdict};
use preflight::plan::{self, Step};
use preflight::report::{self, Lang, text};
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

fn build(lang: Lang) -> Report {
    let all = profile::load_all(&[]).unwrap();
    let selected: Vec<_> = all
        .iter()
        .map(|p| {
            if p.needs_server() {
                p.with_server("bbb.ac-test.fr")
            } else {
                p.clone()
            }
        })
        .collect();
    let plan = plan::build(&selected, None);
    let mut outcomes: Vec<Outcome> = plan.probes.iter().map(|p| outcome_for(&p.step)).collect();
    // What the runner does for probes whose prerequisite failed.
    for (i, p) in plan.probes.iter().enumerate() {
        if p.deps.iter().any(|d| outcomes[*d].status == Status::Fail) {
            let d = p.deps[0];
            let cause = outcomes[d].class().unwrap().as_str().to_string();
            outcomes[i] = Outcome::new(p.step.kind(), p.step.target(), p.step.transport())
                .skipped(format!("tcp {} failed", outcomes[d].target))
                .with("cause", cause)
                .with("cause_probe", format!("tcp {}", outcomes[d].target));
        }
    }
    let platforms: Vec<PlatformReport> = plan
        .platforms
        .iter()
        .map(|p| {
            report::platform_report(p, &verdict::platform(p, &outcomes), &outcomes, None, lang)
        })
        .collect();
    let overall = verdict::overall(&platforms.iter().map(|p| p.verdict).collect::<Vec<_>>());
    let fw = report::evidence::firewall(
        &firewall::identify(&firewall::Fingerprints::bundled().unwrap(), &outcomes),
        lang,
    );
    let mut r = Report {
        schema: SCHEMA.into(),
        tool: Tool {
            name: "preflight".into(),
            version: "0.1.0".into(),
        },
        started_at: "2026-11-24T14:03:00Z".into(),
        duration_ms: 5123,
        lang: lang.code().into(),
        venue: Venue {
            label: Some("CDI".into()),
            uai: Some("0781234A".into()),
            department: Some("78".into()),
            kind: Some("college".into()),
        },
        verdict: overall,
        partial: false,
        platforms,
        network: Network::default(),
        bandwidth: None,
        firewall: fw,
        support: None,
        notes: vec![],
    };
    let desks = desk::Desks::bundled().unwrap();
    let choice = desk::choose(&desks, Some("78"), Some("college"), &r.firewall.family);
    r.support = Some(report::ticket::support(&choice, &r, true, lang));
    r
}

#[test]
fn filtered_college_report() {
    let r = build(Lang::Fr);
    assert_eq!(r.verdict, Verdict::Blocked);
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
