//! The rules that keep a working service from being called blocked, each with the case
//! where it must not apply.

use super::*;
use crate::model::{ErrorClass, ProbeKind, Transport};
use crate::plan::{Entry, PlatformPlan};
use crate::profile::Facts;

fn plat(entries: Vec<Entry>) -> PlatformPlan {
    let profile = crate::profile::load_all(&[]).unwrap().remove(0);
    PlatformPlan { profile, entries }
}

fn ep(probe: usize, group: &str, tier: u8, host: &str, f: Facts) -> Entry {
    Entry {
        probe,
        role: Role::Endpoint {
            group: group.into(),
            tier,
            facts: Box::new(f),
        },
        host: host.into(),
        port: None,
    }
}

fn sup(probe: usize, host: &str) -> Entry {
    Entry {
        probe,
        role: Role::Support,
        host: host.into(),
        port: None,
    }
}

fn verified() -> Facts {
    Facts {
        required: true,
        source: "bbb-install.sh".into(),
        ..Facts::default()
    }
}

fn o(kind: ProbeKind, target: &str, t: Option<Transport>) -> Outcome {
    Outcome::new(kind, target, t)
}

#[test]
fn endpoints_of_another_version_do_not_count() {
    let v3 = Facts {
        bbb_versions: vec!["3".into()],
        ..verified()
    };
    let v2 = Facts {
        bbb_versions: vec!["2".into()],
        ..verified()
    };
    let p = plat(vec![
        ep(0, "web", 0, "h", verified()),
        ep(1, "data", 0, "h", v3),
        ep(2, "data", 0, "h", v2),
    ]);
    let api =
        |v: &str| o(ProbeKind::Https, "https://h/bigbluebutton/api", None).with("bbb_version", v);
    let graphql_404 =
        o(ProbeKind::Websocket, "wss://h/graphql", None).fail(ErrorClass::HttpStatus, "404");
    let sockjs_ok = o(
        ProbeKind::Websocket,
        "wss://h/html5client/sockjs/websocket",
        None,
    );
    // A 2.7 server: /graphql does not exist there, and that is normal.
    let d = platform(&p, &[api("2.7.9"), graphql_404.clone(), sockjs_ok.clone()]);
    assert_eq!(d.verdict, Verdict::Ready, "{d:?}");
    assert!(d.findings.contains(&Finding::NotApplicable {
        probe: 1,
        version: "2.7.9".into()
    }));
    // A 3.0 server whose /graphql fails: that is a failure.
    let sockjs_404 = o(
        ProbeKind::Websocket,
        "wss://h/html5client/sockjs/websocket",
        None,
    )
    .fail(ErrorClass::HttpStatus, "404");
    let d = platform(&p, &[api("3.0.4"), graphql_404.clone(), sockjs_404.clone()]);
    assert_eq!(d.verdict, Verdict::Blocked, "{d:?}");
    // No version known (Scalelite's API): either data socket will do.
    let scalelite = o(ProbeKind::Https, "https://h/bigbluebutton/api", None);
    let d = platform(&p, &[scalelite, graphql_404, sockjs_ok]);
    assert_eq!(d.verdict, Verdict::Ready, "{d:?}");
}

fn dns(host: &str, class: Option<ErrorClass>) -> Outcome {
    let d = o(ProbeKind::Dns, host, Some(Transport::Udp));
    match class {
        Some(c) => d.fail(c, "x"),
        None => d,
    }
}

fn skipped_by(class: ErrorClass) -> Outcome {
    o(ProbeKind::Https, "https://x/", None)
        .skipped("dns failed")
        .skipped_for(Some(class), Some("dns x".into()))
}

#[test]
fn a_published_name_that_no_longer_exists_is_a_stale_list() {
    let p = plat(vec![
        sup(0, "w1.visio.example.fr"),
        sup(1, "w3.visio.example.fr"),
        ep(2, "nodes", 0, "w1.visio.example.fr", verified()),
        ep(3, "nodes", 0, "w3.visio.example.fr", verified()),
    ]);
    let ok = o(ProbeKind::Https, "https://w1/", None);
    let d = platform(
        &p,
        &[
            dns("w1.visio.example.fr", None),
            dns("w3.visio.example.fr", Some(ErrorClass::Nxdomain)),
            ok,
            skipped_by(ErrorClass::Nxdomain),
        ],
    );
    assert_eq!(d.verdict, Verdict::Ready);
    assert_eq!(
        d.findings,
        vec![Finding::Stale {
            group: "nodes".into(),
            probes: vec![3]
        }]
    );
    // Every name missing: no sibling vouches for the list, the names are really unreachable.
    let d = platform(
        &p,
        &[
            dns("w1.visio.example.fr", Some(ErrorClass::Nxdomain)),
            dns("w3.visio.example.fr", Some(ErrorClass::Nxdomain)),
            skipped_by(ErrorClass::Nxdomain),
            skipped_by(ErrorClass::Nxdomain),
        ],
    );
    assert_eq!(d.verdict, Verdict::Blocked, "{d:?}");
}

#[test]
fn an_unverified_endpoint_never_makes_the_verdict_worse_alone() {
    let unverified = Facts {
        source: "unverified: port not published".into(),
        ..verified()
    };
    let p = plat(vec![
        ep(0, "media", 0, "t", unverified.clone()),
        ep(1, "media", 2, "t", verified()),
    ]);
    let udp =
        o(ProbeKind::Turn, "turn:t:3478", Some(Transport::Udp)).fail(ErrorClass::Timeout, "x");
    let tls = o(ProbeKind::Turn, "turns:t:443", Some(Transport::Tls));
    let d = platform(&p, &[udp.clone(), tls.clone()]);
    assert_eq!(d.verdict, Verdict::Ready, "{d:?}");
    assert!(matches!(d.findings[0], Finding::Unconfirmed { .. }));
    // With a verified UDP member, the same failure is a fallback.
    let p2 = plat(vec![
        ep(0, "media", 0, "t", verified()),
        ep(1, "media", 2, "t", verified()),
    ]);
    assert_eq!(
        platform(&p2, &[udp.clone(), tls]).verdict,
        Verdict::Degraded
    );
    // A group of unverified endpoints that all fail is not a block either.
    let p3 = plat(vec![ep(0, "media", 0, "t", unverified)]);
    assert_eq!(platform(&p3, &[udp]).verdict, Verdict::Ready);
}

/// The meeting host `h`: web endpoints, TLS on 443, TURN on UDP/TLS (TCP informational).
fn meeting_host() -> PlatformPlan {
    let info = Facts {
        informational: true,
        ..verified()
    };
    plat(vec![
        sup(0, "h"),
        ep(1, "web", 0, "h", verified()),
        ep(2, "media", 0, "h", verified()),
        ep(3, "media", 1, "h", info),
        ep(4, "media", 2, "h", verified()),
    ])
}

fn web_ok() -> [Outcome; 2] {
    [
        o(ProbeKind::Tls, "h:443", Some(Transport::Tls)),
        o(
            ProbeKind::Https,
            "https://h/bigbluebutton/api",
            Some(Transport::Tls),
        ),
    ]
}

#[test]
fn a_host_without_a_relay_is_not_blocked() {
    let [tls, api] = web_ok();
    let udp = o(ProbeKind::Turn, "turn:h:3478", Some(Transport::Udp))
        .fail(ErrorClass::Refused, "port unreachable");
    let tcp = o(
        ProbeKind::Turn,
        "turn:h:3478?transport=tcp",
        Some(Transport::Tcp),
    )
    .fail(ErrorClass::Refused, "rst");
    let turns = o(ProbeKind::Turn, "turns:h:443", Some(Transport::Tls))
        .fail(ErrorClass::NoRelay, "no_application_protocol");
    let outcomes = [
        tls.clone(),
        api.clone(),
        udp.clone(),
        tcp.clone(),
        turns.clone(),
    ];
    let d = platform(&meeting_host(), &outcomes);
    assert_eq!(d.verdict, Verdict::Ready, "{d:?}");
    assert_eq!(
        d.findings,
        vec![Finding::NoRelay {
            group: "media".into(),
            host: "h".into()
        }]
    );
    // A firewall that drops 3478 is not "no relay here": it stays a block.
    let dropped =
        o(ProbeKind::Turn, "turn:h:3478", Some(Transport::Udp)).fail(ErrorClass::Timeout, "x");
    let d = platform(
        &meeting_host(),
        &[
            tls.clone(),
            api.clone(),
            dropped,
            tcp.clone(),
            turns.clone(),
        ],
    );
    assert_eq!(d.verdict, Verdict::Blocked, "{d:?}");
    // TLS on 443 inspected by a box (warn): the refusal may be the box's, it stays a block.
    let inspected =
        o(ProbeKind::Tls, "h:443", Some(Transport::Tls)).warn(ErrorClass::TlsInterception, "box");
    let d = platform(
        &meeting_host(),
        &[inspected, api.clone(), udp.clone(), tcp.clone(), turns],
    );
    assert_eq!(d.verdict, Verdict::Blocked, "{d:?}");
    // TURN over TLS that times out (a filter holding it): a block.
    let held =
        o(ProbeKind::Turn, "turns:h:443", Some(Transport::Tls)).fail(ErrorClass::Timeout, "x");
    let d = platform(&meeting_host(), &[tls, api, udp, tcp, held]);
    assert_eq!(d.verdict, Verdict::Blocked, "{d:?}");
}

#[test]
fn informational_endpoints_never_count() {
    let [tls, api] = web_ok();
    let udp = o(ProbeKind::Turn, "turn:h:3478", Some(Transport::Udp));
    let tcp = o(
        ProbeKind::Turn,
        "turn:h:3478?transport=tcp",
        Some(Transport::Tcp),
    )
    .fail(ErrorClass::Timeout, "x");
    let turns = o(ProbeKind::Turn, "turns:h:443", Some(Transport::Tls));
    let d = platform(&meeting_host(), &[tls, api, udp, tcp, turns]);
    assert_eq!(
        d,
        Diagnosis {
            verdict: Verdict::Ready,
            findings: vec![]
        }
    );
}
