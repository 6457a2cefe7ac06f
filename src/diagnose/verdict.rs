//! The verdict of one platform: a pure function of the plan and the outcomes.
//!
//! Endpoints of one group are alternatives (the browser's fallback chain). A group works if one
//! member works; it works *only through a fallback* when no member of the preferred tier works
//! (e.g. TURN over TLS 443 carries the media because UDP 3478 is closed). A required group that
//! does not work blocks the platform; an optional one degrades it.
//!
//! A claim needs positive evidence, so some failures count for nothing:
//! - an endpoint of another BigBlueButton version than the one the server announces;
//! - a published name that does not exist while a sibling name of the same domain resolves (the
//!   published list is stale);
//! - an endpoint whose fact is unverified: it may be the profile that is wrong;
//! - a TURN relay that is not on the meeting host (its own trusted web server refuses the TURN
//!   protocol on 443 and the host itself refuses 3478): the relay is elsewhere, not blocked.
//!
//! Informational endpoints are never counted.

use crate::model::{ErrorClass, Outcome, ProbeKind, Status, Transport, Verdict};
use crate::plan::{Entry, PlatformPlan, Role};

#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// No member of a group works. `required` groups block the platform.
    Down {
        group: String,
        required: bool,
        failed: Vec<usize>,
    },
    /// The group works only through `used`, a fallback; `failed` are the preferred ones.
    Fallback {
        group: String,
        used: usize,
        failed: Vec<usize>,
    },
    /// The endpoint works, with a warning (e.g. inspected TLS).
    Warned { probe: usize },
    /// The meeting host runs no TURN relay: its trusted web server refuses the TURN protocol
    /// on 443 and the host refuses 3478. The relay is elsewhere (`--turn`); nothing is blocked.
    NoRelay { group: String, host: String },
    /// Published names that do not exist while a sibling resolves: the list is stale.
    Stale { group: String, probes: Vec<usize> },
    /// Only unverified endpoints failed: maybe the profile, maybe the network; not counted.
    Unconfirmed { group: String, failed: Vec<usize> },
    /// An endpoint of another BigBlueButton version than the server's.
    NotApplicable { probe: usize, version: String },
}

impl Finding {
    pub fn severity(&self) -> Verdict {
        match self {
            Finding::Down { required: true, .. } => Verdict::Blocked,
            Finding::Down { .. } | Finding::Fallback { .. } | Finding::Warned { .. } => {
                Verdict::Degraded
            }
            Finding::NoRelay { .. }
            | Finding::Stale { .. }
            | Finding::Unconfirmed { .. }
            | Finding::NotApplicable { .. } => Verdict::Ready,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

/// Why a probe did not work: its class, or for a probe skipped because a step before it
/// failed, the class it inherited.
pub fn root_class(o: &Outcome) -> Option<ErrorClass> {
    o.class().or_else(|| {
        o.data_str("cause")
            .and_then(|c| serde_json::from_value(c.into()).ok())
    })
}

/// The BigBlueButton version a host announced in its API answer.
fn version_of<'a>(p: &PlatformPlan, outcomes: &'a [Outcome], host: &str) -> Option<&'a str> {
    p.entries
        .iter()
        .filter(|e| e.host == host)
        .find_map(|e| outcomes.get(e.probe)?.data_str("bbb_version"))
}

/// The parent domain of a name (`w3.visio.example.fr` -> `visio.example.fr`).
fn parent(host: &str) -> &str {
    host.split_once('.').map(|(_, p)| p).unwrap_or(host)
}

/// A name that does not exist while another name of the same domain, in the same platform,
/// resolves: the published list is stale (a DNS filter would not single out one node).
fn stale_name(p: &PlatformPlan, outcomes: &[Outcome], e: &Entry) -> bool {
    // The name's own lookup says it does not exist (the endpoint itself may have gone through
    // a proxy, which then answered whatever it answers for a name it cannot resolve).
    let missing = p.entries.iter().any(|d| {
        d.host == e.host
            && outcomes.get(d.probe).is_some_and(|x| {
                x.kind == ProbeKind::Dns && x.class() == Some(ErrorClass::Nxdomain)
            })
    });
    if !missing {
        return false;
    }
    p.entries.iter().any(|o| {
        o.host != e.host
            && parent(&o.host) == parent(&e.host)
            && outcomes
                .get(o.probe)
                .is_some_and(|x| x.kind == ProbeKind::Dns && x.works())
    })
}

/// The meeting host has no relay: every TURN member on `host` failed the way a host without a
/// relay answers, its web endpoints work, and its TLS on 443 is the service's own (trusted, not
/// inspected).
fn no_relay_on(p: &PlatformPlan, outcomes: &[Outcome], members: &[&Entry]) -> Option<String> {
    let host = members.first()?.host.clone();
    if members.iter().any(|m| m.host != host) {
        return None;
    }
    let web_works = p.entries.iter().any(|e| {
        e.host == host
            && matches!(e.role, Role::Endpoint { .. })
            && outcomes.get(e.probe).is_some_and(|o| {
                matches!(o.kind, ProbeKind::Https | ProbeKind::Websocket) && o.works()
            })
    });
    let own_tls = p.entries.iter().any(|e| {
        e.host == host
            && outcomes.get(e.probe).is_some_and(|o| {
                o.kind == ProbeKind::Tls && o.status == Status::Ok && o.target.ends_with(":443")
            })
    });
    let mut refused_tls = false;
    let all_like_no_relay = members.iter().all(|m| {
        let o = &outcomes[m.probe];
        match o.transport {
            Some(Transport::Udp) => root_class(o) == Some(ErrorClass::Refused),
            Some(Transport::Tcp) => {
                matches!(root_class(o), Some(ErrorClass::Refused | ErrorClass::Reset))
            }
            Some(Transport::Tls) => {
                let no_turn = o.class() == Some(ErrorClass::NoRelay);
                refused_tls |= no_turn;
                no_turn
            }
            None => false,
        }
    });
    (web_works && own_tls && refused_tls && all_like_no_relay).then_some(host)
}

/// `outcomes` is indexed like `Plan::probes`.
pub fn platform(p: &PlatformPlan, outcomes: &[Outcome]) -> Diagnosis {
    // Groups in order of first appearance; informational endpoints are never counted.
    let mut groups: Vec<(String, Vec<&Entry>)> = Vec::new();
    let mut findings = Vec::new();
    for e in &p.entries {
        let Role::Endpoint { group, facts, .. } = &e.role else {
            continue;
        };
        if facts.informational {
            continue;
        }
        if let Some(v) = version_of(p, outcomes, &e.host)
            && !facts.applies_to_version(v)
        {
            findings.push(Finding::NotApplicable {
                probe: e.probe,
                version: v.to_string(),
            });
            continue;
        }
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, m)) => m.push(e),
            None => groups.push((group.clone(), vec![e])),
        }
    }
    let works = |i: usize| outcomes.get(i).is_some_and(Outcome::works);
    let tier = |e: &Entry| match &e.role {
        Role::Endpoint { tier, .. } => *tier,
        Role::Support => 0,
    };
    let verified = |e: &Entry| e.role.facts().is_some_and(|f| f.verified());
    for (group, all) in groups {
        let required = all
            .iter()
            .any(|m| m.role.facts().is_some_and(|f| f.required));
        let (stale, members): (Vec<&Entry>, Vec<&Entry>) = all
            .iter()
            .partition(|m| !works(m.probe) && stale_name(p, outcomes, m));
        if !stale.is_empty() {
            findings.push(Finding::Stale {
                group: group.clone(),
                probes: stale.iter().map(|m| m.probe).collect(),
            });
        }
        if members.is_empty() {
            continue;
        }
        let working: Vec<&Entry> = members.iter().copied().filter(|m| works(m.probe)).collect();
        if working.is_empty() {
            let failed: Vec<usize> = members.iter().map(|m| m.probe).collect();
            if !members.iter().any(|m| verified(m)) {
                findings.push(Finding::Unconfirmed { group, failed });
            } else if let Some(host) = no_relay_on(p, outcomes, &members) {
                findings.push(Finding::NoRelay { group, host });
            } else {
                findings.push(Finding::Down {
                    group,
                    required,
                    failed,
                });
            }
            continue;
        }
        // The preferred tier is the best one the profile vouches for: an unverified member
        // that fails cannot make the group a fallback.
        let best_tier = members
            .iter()
            .filter(|m| verified(m))
            .map(|m| tier(m))
            .min()
            .unwrap_or(0);
        let best_working = working.iter().map(|m| tier(m)).min().unwrap_or(0);
        let at_best: Vec<usize> = working
            .iter()
            .filter(|m| tier(m) == best_working)
            .map(|m| m.probe)
            .collect();
        let used = at_best
            .iter()
            .copied()
            .find(|i| outcomes[*i].status == Status::Ok)
            .unwrap_or(at_best[0]);
        if best_working > best_tier {
            findings.push(Finding::Fallback {
                group: group.clone(),
                used,
                failed: members
                    .iter()
                    .filter(|m| tier(m) < best_working && verified(m))
                    .map(|m| m.probe)
                    .collect(),
            });
        }
        // Unverified members that failed: said, never counted (nor asked for).
        let unconfirmed: Vec<usize> = members
            .iter()
            .filter(|m| !verified(m) && !works(m.probe))
            .map(|m| m.probe)
            .collect();
        if !unconfirmed.is_empty() {
            findings.push(Finding::Unconfirmed {
                group: group.clone(),
                failed: unconfirmed,
            });
        }
        if outcomes[used].status == Status::Warn {
            findings.push(Finding::Warned { probe: used });
        }
    }
    let verdict = findings
        .iter()
        .map(Finding::severity)
        .max()
        .unwrap_or(Verdict::Ready);
    Diagnosis { verdict, findings }
}

/// The overall verdict: the worst of the platforms checked.
pub fn overall(platforms: &[Verdict]) -> Verdict {
    platforms.iter().copied().max().unwrap_or(Verdict::Ready)
}

#[cfg(test)]
mod tests {
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
        let w = Outcome::new(ProbeKind::Https, "u", None)
            .warn(ErrorClass::TlsInterception, "inspected");
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
}

#[cfg(test)]
mod rules {
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
        let api = |v: &str| {
            o(ProbeKind::Https, "https://h/bigbluebutton/api", None).with("bbb_version", v)
        };
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

    fn skipped_by(class: &str) -> Outcome {
        o(ProbeKind::Https, "https://x/", None)
            .skipped("dns failed")
            .with("cause", class)
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
                skipped_by("nxdomain"),
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
                skipped_by("nxdomain"),
                skipped_by("nxdomain"),
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
        let inspected = o(ProbeKind::Tls, "h:443", Some(Transport::Tls))
            .warn(ErrorClass::TlsInterception, "box");
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
}
