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
    o.class()
        .or_else(|| o.facts.skip.as_ref().and_then(|s| s.cause))
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
mod rules;
#[cfg(test)]
mod tests;
