//! Profiles + options -> the list of probes to run. One DNS lookup per host, one TCP connect
//! and one TLS handshake per endpoint, shared by every platform that needs them.

use crate::model::{ProbeKind, Transport};
use crate::profile::{HttpsCheck, IceCheck, Profile, WebsocketCheck};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Dns { host: String },
    Tcp { host: String, port: u16 },
    Tls { host: String, port: u16 },
    Https { host: String, check: HttpsCheck },
    Websocket { host: String, check: WebsocketCheck },
    Ice { check: IceCheck },
}

impl Step {
    pub fn kind(&self) -> ProbeKind {
        match self {
            Step::Dns { .. } => ProbeKind::Dns,
            Step::Tcp { .. } => ProbeKind::Tcp,
            Step::Tls { .. } => ProbeKind::Tls,
            Step::Https { .. } => ProbeKind::Https,
            Step::Websocket { .. } => ProbeKind::Websocket,
            Step::Ice { check } => match check.scheme {
                crate::profile::IceScheme::Stun => ProbeKind::Stun,
                crate::profile::IceScheme::Turn => ProbeKind::Turn,
            },
        }
    }

    pub fn host(&self) -> &str {
        match self {
            Step::Dns { host } | Step::Tcp { host, .. } | Step::Tls { host, .. } => host,
            Step::Https { host, .. } | Step::Websocket { host, .. } => host,
            Step::Ice { check } => &check.host,
        }
    }

    /// The `target` written in the report.
    pub fn target(&self) -> String {
        match self {
            Step::Dns { host } => host.clone(),
            Step::Tcp { host, port } | Step::Tls { host, port } => format!("{host}:{port}"),
            Step::Https { check, .. } => check.url.clone(),
            Step::Websocket { check, .. } => check.url.clone(),
            Step::Ice { check } => check.url.clone(),
        }
    }

    pub fn transport(&self) -> Option<Transport> {
        match self {
            Step::Dns { .. } => Some(Transport::Udp),
            Step::Tcp { .. } => Some(Transport::Tcp),
            Step::Tls { .. } => Some(Transport::Tls),
            Step::Https { check, .. } => Some(if check.url.starts_with("https:") {
                Transport::Tls
            } else {
                Transport::Tcp
            }),
            Step::Websocket { check, .. } => Some(if check.url.starts_with("wss:") {
                Transport::Tls
            } else {
                Transport::Tcp
            }),
            Step::Ice { check } => Some(check.transport),
        }
    }

    fn key(&self) -> String {
        format!("{:?}|{}", self.kind(), self.target())
            + match self {
                Step::Ice { check } => check.transport.as_str(),
                _ => "",
            }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedProbe {
    pub step: Step,
    /// Probes that must have worked before this one runs (indices into `Plan::probes`).
    pub deps: Vec<usize>,
}

/// How one probe counts for one platform's verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// A step on the way (DNS, TCP, TLS): its failure shows in the probes that need it.
    Support,
    /// A service endpoint: `group` members are alternatives; lower `tier` is preferred
    /// (UDP 0, TCP 1, TLS 2 for TURN); a group works only through a fallback when its best
    /// working member has a higher tier than the group's best.
    Endpoint {
        required: bool,
        group: String,
        tier: u8,
        what: String,
        what_fr: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub probe: usize,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlatformPlan {
    pub profile: Profile,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub probes: Vec<PlannedProbe>,
    pub platforms: Vec<PlatformPlan>,
}

struct Builder {
    plan: Plan,
    index: HashMap<String, usize>,
}

impl Builder {
    fn add(&mut self, step: Step, deps: Vec<usize>) -> usize {
        let key = step.key();
        if let Some(i) = self.index.get(&key) {
            return *i;
        }
        let i = self.plan.probes.len();
        self.plan.probes.push(PlannedProbe { step, deps });
        self.index.insert(key, i);
        i
    }

    fn dns(&mut self, host: &str) -> usize {
        self.add(
            Step::Dns {
                host: host.to_string(),
            },
            vec![],
        )
    }

    fn tcp(&mut self, host: &str, port: u16) -> usize {
        let d = self.dns(host);
        self.add(
            Step::Tcp {
                host: host.to_string(),
                port,
            },
            vec![d],
        )
    }

    fn tls(&mut self, host: &str, port: u16) -> usize {
        let t = self.tcp(host, port);
        self.add(
            Step::Tls {
                host: host.to_string(),
                port,
            },
            vec![t],
        )
    }
}

/// Where a web URL goes: host, port, TLS or not.
fn url_endpoint(url: &str) -> Option<(String, u16, bool)> {
    let u = url::Url::parse(url).ok()?;
    let host = u
        .host_str()?
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let port = u.port_or_known_default()?;
    Some((host, port, matches!(u.scheme(), "https" | "wss")))
}

/// Build the plan for the selected profiles (already given their server, if any).
pub fn build(profiles: &[Profile]) -> Plan {
    let mut b = Builder {
        plan: Plan::default(),
        index: HashMap::new(),
    };
    for p in profiles {
        let mut entries = Vec::new();
        let support = |b: &mut Builder,
                       entries: &mut Vec<Entry>,
                       host: &str,
                       port: u16,
                       tls: bool|
         -> usize {
            let d = b.dns(host);
            let t = b.tcp(host, port);
            let mut last = t;
            for i in [d, t] {
                push_support(entries, i);
            }
            if tls {
                last = b.tls(host, port);
                push_support(entries, last);
            }
            last
        };
        for (n, c) in p.https.iter().enumerate() {
            let Some((host, port, tls)) = url_endpoint(&c.url) else {
                continue;
            };
            let dep = support(&mut b, &mut entries, &host, port, tls);
            let i = b.add(
                Step::Https {
                    host: host.clone(),
                    check: c.clone(),
                },
                vec![dep],
            );
            entries.push(Entry {
                probe: i,
                role: Role::Endpoint {
                    required: c.required,
                    group: c.group.clone().unwrap_or_else(|| format!("https{n}")),
                    tier: 0,
                    what: c.what.clone(),
                    what_fr: c.what_fr.clone(),
                },
            });
        }
        for (n, c) in p.websocket.iter().enumerate() {
            let Some((host, port, tls)) = url_endpoint(&c.url) else {
                continue;
            };
            let dep = support(&mut b, &mut entries, &host, port, tls);
            let i = b.add(
                Step::Websocket {
                    host: host.clone(),
                    check: c.clone(),
                },
                vec![dep],
            );
            entries.push(Entry {
                probe: i,
                role: Role::Endpoint {
                    required: c.required,
                    group: c.group.clone().unwrap_or_else(|| format!("websocket{n}")),
                    tier: 0,
                    what: c.what.clone(),
                    what_fr: c.what_fr.clone(),
                },
            });
        }
        for (n, c) in p.ice.iter().enumerate() {
            let d = b.dns(&c.host);
            push_support(&mut entries, d);
            let dep = match c.transport {
                Transport::Udp => d,
                Transport::Tcp | Transport::Tls => {
                    let t = b.tcp(&c.host, c.port);
                    push_support(&mut entries, t);
                    t
                }
            };
            let i = b.add(Step::Ice { check: c.clone() }, vec![dep]);
            entries.push(Entry {
                probe: i,
                role: Role::Endpoint {
                    required: c.required,
                    group: c.group.clone().unwrap_or_else(|| format!("ice{n}")),
                    tier: match c.transport {
                        Transport::Udp => 0,
                        Transport::Tcp => 1,
                        Transport::Tls => 2,
                    },
                    what: c.what.clone(),
                    what_fr: c.what_fr.clone(),
                },
            });
        }
        b.plan.platforms.push(PlatformPlan {
            profile: p.clone(),
            entries,
        });
    }
    b.plan
}

fn push_support(entries: &mut Vec<Entry>, i: usize) {
    if !entries.iter().any(|e| e.probe == i) {
        entries.push(Entry {
            probe: i,
            role: Role::Support,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_dns_lookup_per_host_and_shared_endpoints() {
        let all = crate::profile::load_all(&[]).unwrap();
        let bbb = all[0].with_server("bbb.example.test");
        let plan = build(&[bbb.clone(), bbb]);
        let dns: Vec<_> = plan
            .probes
            .iter()
            .filter(|p| p.step.kind() == ProbeKind::Dns)
            .collect();
        assert_eq!(dns.len(), 1);
        // 443: one TCP, one TLS, shared by the API, both WebSockets and TURN over TLS.
        let tcp: Vec<_> = plan
            .probes
            .iter()
            .filter(|p| p.step.kind() == ProbeKind::Tcp)
            .map(|p| p.step.target())
            .collect();
        assert_eq!(tcp, ["bbb.example.test:443", "bbb.example.test:3478"]);
        assert_eq!(
            plan.probes
                .iter()
                .filter(|p| p.step.kind() == ProbeKind::Tls)
                .count(),
            1
        );
        assert_eq!(plan.platforms.len(), 2);
        // Every dependency points backwards (the runner relies on it).
        for (i, p) in plan.probes.iter().enumerate() {
            assert!(p.deps.iter().all(|d| *d < i));
        }
    }

    #[test]
    fn turn_transports_are_tiers_of_one_group() {
        let all = crate::profile::load_all(&[]).unwrap();
        let plan = build(&[all[0].with_server("h.test")]);
        let tiers: Vec<(String, u8)> = plan.platforms[0]
            .entries
            .iter()
            .filter_map(|e| match &e.role {
                Role::Endpoint { group, tier, .. } if group == "media" => {
                    Some((plan.probes[e.probe].step.target(), *tier))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            tiers,
            [
                ("turn:h.test:3478?transport=udp".to_string(), 0),
                ("turn:h.test:3478?transport=tcp".to_string(), 1),
                ("turns:h.test:443?transport=tcp".to_string(), 2)
            ]
        );
    }
}
