//! Verdicts of whole platforms from made-up outcomes.

use super::*;
use crate::model::{ErrorClass, ProbeKind};
use crate::plan::{Entry, PlatformPlan};
use crate::profile::Facts;

fn facts(required: bool) -> Facts {
    Facts {
        required,
        source: "test".into(),
        ..Facts::default()
    }
}

fn ep_with(probe: usize, group: &str, tier: u8, facts: Facts, host: &str) -> Entry {
    Entry {
        probe,
        role: Role::Endpoint {
            group: group.into(),
            tier,
            facts: Box::new(facts),
        },
        host: host.into(),
        port: None,
    }
}

fn ep(probe: usize, group: &str, tier: u8, required: bool) -> Entry {
    ep_with(probe, group, tier, facts(required), "h")
}

fn support(probe: usize, host: &str) -> Entry {
    Entry {
        probe,
        role: Role::Support,
        host: host.into(),
        port: None,
    }
}

fn ok() -> Outcome {
    Outcome::new(ProbeKind::Turn, "t", None)
}
fn fail(c: ErrorClass) -> Outcome {
    Outcome::new(ProbeKind::Turn, "t", None).fail(c, "x")
}

fn plat(entries: Vec<Entry>) -> PlatformPlan {
    let profile = crate::profile::load_all(&[]).unwrap().remove(0);
    PlatformPlan { profile, entries }
}

fn media() -> PlatformPlan {
    plat(vec![
        ep(0, "web", 0, true),
        ep(1, "media", 0, true),
        ep(2, "media", 1, true),
        ep(3, "media", 2, true),
        support(4, "h"),
    ])
}

#[test]
fn everything_works_is_ready() {
    let d = platform(&media(), &[ok(), ok(), ok(), ok(), ok()]);
    assert_eq!(
        d,
        Diagnosis {
            verdict: Verdict::Ready,
            findings: vec![]
        }
    );
}

#[test]
fn only_tls_turn_is_degraded() {
    let o = [
        ok(),
        fail(ErrorClass::Timeout),
        fail(ErrorClass::Refused),
        ok(),
        ok(),
    ];
    let d = platform(&media(), &o);
    assert_eq!(d.verdict, Verdict::Degraded);
    assert_eq!(
        d.findings,
        vec![Finding::Fallback {
            group: "media".into(),
            used: 3,
            failed: vec![1, 2]
        }]
    );
}

#[test]
fn udp_down_tcp_up_is_degraded() {
    let o = [ok(), fail(ErrorClass::Timeout), ok(), ok(), ok()];
    let d = platform(&media(), &o);
    assert_eq!(d.verdict, Verdict::Degraded);
    assert!(matches!(&d.findings[0], Finding::Fallback { used: 2, .. }));
}

#[test]
fn no_media_path_is_blocked() {
    let o = [
        ok(),
        fail(ErrorClass::Timeout),
        fail(ErrorClass::Timeout),
        fail(ErrorClass::TlsInterception),
        ok(),
    ];
    let d = platform(&media(), &o);
    assert_eq!(d.verdict, Verdict::Blocked);
}

#[test]
fn web_down_is_blocked_and_support_failures_do_not_count_alone() {
    let o = [
        fail(ErrorClass::BlockPage),
        ok(),
        ok(),
        ok(),
        fail(ErrorClass::Timeout),
    ];
    assert_eq!(platform(&media(), &o).verdict, Verdict::Blocked);
    let o = [ok(), ok(), ok(), ok(), fail(ErrorClass::Timeout)];
    assert_eq!(platform(&media(), &o).verdict, Verdict::Ready);
}

#[test]
fn skipped_endpoint_does_not_work() {
    let skipped = Outcome::new(ProbeKind::Https, "u", None).skipped("dns failed");
    let o = [skipped, ok(), ok(), ok(), ok()];
    assert_eq!(platform(&media(), &o).verdict, Verdict::Blocked);
}

#[test]
fn optional_endpoint_down_degrades() {
    let p = plat(vec![ep(0, "app", 0, true), ep(1, "cdn", 0, false)]);
    let d = platform(&p, &[ok(), fail(ErrorClass::Nxdomain)]);
    assert_eq!(d.verdict, Verdict::Degraded);
    assert!(matches!(
        d.findings[0],
        Finding::Down {
            required: false,
            ..
        }
    ));
}

#[test]
fn warned_endpoint_degrades() {
    let p = plat(vec![ep(0, "web", 0, true)]);
    let w =
        Outcome::new(ProbeKind::Https, "u", None).warn(ErrorClass::TlsInterception, "inspected");
    let d = platform(&p, &[w]);
    assert_eq!(d.verdict, Verdict::Degraded);
    assert_eq!(d.findings, vec![Finding::Warned { probe: 0 }]);
}

#[test]
fn any_member_of_a_group_of_alternatives_is_enough() {
    let p = plat(vec![ep(0, "nodes", 0, true), ep(1, "nodes", 0, true)]);
    assert_eq!(
        platform(&p, &[fail(ErrorClass::Timeout), ok()]).verdict,
        Verdict::Ready
    );
}

#[test]
fn overall_is_the_worst() {
    assert_eq!(
        overall(&[Verdict::Ready, Verdict::Degraded]),
        Verdict::Degraded
    );
    assert_eq!(
        overall(&[Verdict::Blocked, Verdict::Ready]),
        Verdict::Blocked
    );
    assert_eq!(overall(&[]), Verdict::Ready);
}
