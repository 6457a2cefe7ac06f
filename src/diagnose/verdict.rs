//! The verdict of one platform: a pure function of the plan and the outcomes.
//!
//! Endpoints of one group are alternatives (the browser's fallback chain). A group works if one
//! member works; it works *only through a fallback* when no member of the preferred tier works
//! (e.g. TURN over TLS 443 carries the media because UDP and TCP 3478 are closed). A required
//! group that does not work blocks the platform; an optional one degrades it.

use crate::model::{Outcome, Status, Verdict};
use crate::plan::{PlatformPlan, Role};

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
}

impl Finding {
    pub fn severity(&self) -> Verdict {
        match self {
            Finding::Down { required: true, .. } => Verdict::Blocked,
            _ => Verdict::Degraded,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

/// `outcomes` is indexed like `Plan::probes`.
pub fn platform(p: &PlatformPlan, outcomes: &[Outcome]) -> Diagnosis {
    // Groups in order of first appearance.
    // (probe, required, tier) of each member.
    type Member = (usize, bool, u8);
    let mut groups: Vec<(String, Vec<Member>)> = Vec::new();
    for e in &p.entries {
        if let Role::Endpoint {
            required,
            group,
            tier,
            ..
        } = &e.role
        {
            match groups.iter_mut().find(|(g, _)| g == group) {
                Some((_, m)) => m.push((e.probe, *required, *tier)),
                None => groups.push((group.clone(), vec![(e.probe, *required, *tier)])),
            }
        }
    }
    let mut findings = Vec::new();
    for (group, members) in groups {
        let required = members.iter().any(|m| m.1);
        let works = |i: usize| outcomes.get(i).is_some_and(Outcome::works);
        let working: Vec<&Member> = members.iter().filter(|m| works(m.0)).collect();
        if working.is_empty() {
            findings.push(Finding::Down {
                group,
                required,
                failed: members.iter().map(|m| m.0).collect(),
            });
            continue;
        }
        let best_tier = members.iter().map(|m| m.2).min().unwrap_or(0);
        let best_working = working.iter().map(|m| m.2).min().unwrap_or(0);
        let used = working
            .iter()
            .filter(|m| m.2 == best_working)
            .map(|m| m.0)
            .find(|i| outcomes[*i].status == Status::Ok)
            .unwrap_or_else(|| {
                working
                    .iter()
                    .find(|m| m.2 == best_working)
                    .map(|m| m.0)
                    .unwrap_or(working[0].0)
            });
        if best_working > best_tier {
            findings.push(Finding::Fallback {
                group,
                used,
                failed: members
                    .iter()
                    .filter(|m| m.2 < best_working)
                    .map(|m| m.0)
                    .collect(),
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

    fn ep(probe: usize, group: &str, tier: u8, required: bool) -> Entry {
        Entry {
            probe,
            role: Role::Endpoint {
                required,
                group: group.into(),
                tier,
                what: String::new(),
                what_fr: String::new(),
            },
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
            Entry {
                probe: 4,
                role: Role::Support,
            },
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
