//! Profiles + options -> the list of probes to run. One DNS lookup per host, one TCP connect
//! and one TLS handshake per endpoint, shared by every platform that needs them.

use crate::model::{ProbeKind, Transport};
use crate::probe::proxy::Proxy;
use crate::profile::{Facts, HttpsCheck, IceCheck, Profile, WebsocketCheck};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Dns {
        host: String,
    },
    Tcp {
        host: String,
        port: u16,
    },
    Tls {
        host: String,
        port: u16,
    },
    Https {
        host: String,
        check: HttpsCheck,
        via: Option<Proxy>,
    },
    Websocket {
        host: String,
        check: WebsocketCheck,
        via: Option<Proxy>,
    },
    Ice {
        check: IceCheck,
        via: Option<Proxy>,
    },
}

impl Step {
    pub fn kind(&self) -> ProbeKind {
        match self {
            Step::Dns { .. } => ProbeKind::Dns,
            Step::Tcp { .. } => ProbeKind::Tcp,
            Step::Tls { .. } => ProbeKind::Tls,
            Step::Https { .. } => ProbeKind::Https,
            Step::Websocket { .. } => ProbeKind::Websocket,
            Step::Ice { check, .. } => match check.scheme {
                crate::profile::IceScheme::Stun => ProbeKind::Stun,
                crate::profile::IceScheme::Turn => ProbeKind::Turn,
            },
        }
    }

    pub fn host(&self) -> &str {
        match self {
            Step::Dns { host } | Step::Tcp { host, .. } | Step::Tls { host, .. } => host,
            Step::Https { host, .. } | Step::Websocket { host, .. } => host,
            Step::Ice { check, .. } => &check.host,
        }
    }

    /// The port the step connects to (none for DNS).
    pub fn port(&self) -> Option<u16> {
        match self {
            Step::Dns { .. } => None,
            Step::Tcp { port, .. } | Step::Tls { port, .. } => Some(*port),
            Step::Https { check, .. } => url::Url::parse(&check.url)
                .ok()
                .and_then(|u| u.port_or_known_default()),
            Step::Websocket { check, .. } => url::Url::parse(&check.url)
                .ok()
                .and_then(|u| u.port_or_known_default()),
            Step::Ice { check, .. } => Some(check.port),
        }
    }

    /// The host and port the step aims at (none for DNS).
    pub fn aim(&self) -> Option<(String, u16)> {
        Some((self.host().to_string(), self.port()?))
    }

    /// An outcome for this step, before anything happened: its kind, target, transport and aim.
    pub fn outcome(&self) -> crate::model::Outcome {
        let o = crate::model::Outcome::new(self.kind(), self.target(), self.transport());
        match self.aim() {
            Some((h, p)) => o.aimed_at(&h, p),
            None => o,
        }
    }

    /// The `target` written in the report.
    pub fn target(&self) -> String {
        match self {
            Step::Dns { host } => host.clone(),
            Step::Tcp { host, port } | Step::Tls { host, port } => format!("{host}:{port}"),
            Step::Https { check, .. } => check.url.clone(),
            Step::Websocket { check, .. } => check.url.clone(),
            Step::Ice { check, .. } => check.url.clone(),
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
            Step::Ice { check, .. } => Some(check.transport),
        }
    }

    /// The proxy this probe goes through, if any.
    pub fn via(&self) -> Option<&Proxy> {
        match self {
            Step::Https { via, .. } | Step::Websocket { via, .. } | Step::Ice { via, .. } => {
                via.as_ref()
            }
            _ => None,
        }
    }

    /// Identity of a probe: two steps with the same key are the same probe.
    pub fn key(&self) -> StepKey {
        StepKey {
            kind: self.kind(),
            target: self.target(),
            transport: self.transport(),
            via: self.via().map(|p| p.label.clone()),
        }
    }
}

/// What makes two steps the same probe: its kind, target, transport and proxy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepKey {
    kind: ProbeKind,
    target: String,
    transport: Option<Transport>,
    via: Option<String>,
}

/// The tier of media relayed through the proxy's CONNECT: after every direct way.
pub const THROUGH_PROXY: u8 = 3;

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
    /// working member has a higher tier than the group's best. What the profile says of it
    /// (required, informational, versions, source) is in `facts`.
    Endpoint {
        group: String,
        tier: u8,
        facts: Box<Facts>,
    },
}

impl Role {
    /// The profile's facts for an endpoint (None for a step on the way).
    pub fn facts(&self) -> Option<&Facts> {
        match self {
            Role::Endpoint { facts, .. } => Some(facts),
            Role::Support => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub probe: usize,
    pub role: Role,
    /// The host and port the probe talks to (filled in when the platform's plan is complete).
    pub host: String,
    pub port: Option<u16>,
}

impl Entry {
    pub fn new(probe: usize, role: Role) -> Entry {
        Entry {
            probe,
            role,
            host: String::new(),
            port: None,
        }
    }
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
    index: HashMap<StepKey, usize>,
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
///
/// With a proxy (configured or announced by WPAD), the browser sends HTTPS and WebSocket
/// through it: those endpoints count through the proxy, and the direct attempts stay in the
/// report as evidence. TURN over TCP and TLS may go either way: both are alternatives.
pub fn build(profiles: &[Profile], proxy: Option<&Proxy>) -> Plan {
    let mut b = Builder {
        plan: Plan::default(),
        index: HashMap::new(),
    };
    for p in profiles {
        let mut entries = Vec::new();
        let endpoint = |facts: &Facts, default_group: String, tier: u8| Role::Endpoint {
            group: facts.group.clone().unwrap_or(default_group),
            tier,
            facts: Box::new(facts.clone()),
        };
        for (n, c) in p.https.iter().enumerate() {
            let Some((host, port, tls)) = url_endpoint(&c.url) else {
                continue;
            };
            let role = endpoint(&c.facts, format!("https{n}"), 0);
            let dep = b.support(&mut entries, &host, port, tls);
            let direct = b.add(
                Step::Https {
                    host: host.clone(),
                    check: c.clone(),
                    via: None,
                },
                vec![dep],
            );
            b.route(&mut entries, direct, role, proxy, |via| Step::Https {
                host: host.clone(),
                check: c.clone(),
                via,
            });
        }
        for (n, c) in p.websocket.iter().enumerate() {
            let Some((host, port, tls)) = url_endpoint(&c.url) else {
                continue;
            };
            let role = endpoint(&c.facts, format!("websocket{n}"), 0);
            let dep = b.support(&mut entries, &host, port, tls);
            let direct = b.add(
                Step::Websocket {
                    host: host.clone(),
                    check: c.clone(),
                    via: None,
                },
                vec![dep],
            );
            b.route(&mut entries, direct, role, proxy, |via| Step::Websocket {
                host: host.clone(),
                check: c.clone(),
                via,
            });
        }
        for (n, c) in p.ice.iter().enumerate() {
            let tier = match c.transport {
                Transport::Udp => 0,
                Transport::Tcp => 1,
                Transport::Tls => 2,
            };
            let role = endpoint(&c.facts, format!("ice{n}"), tier);
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
            let direct = b.add(
                Step::Ice {
                    check: c.clone(),
                    via: None,
                },
                vec![dep],
            );
            entries.push(Entry::new(direct, role.clone()));
            // Chrome sends TURN over TCP and TLS through the system's HTTP proxy (CONNECT): a
            // way out, but the last one (a tunnel through the proxy, which the services ask to
            // be exempted from).
            if let (Some(px), Transport::Tcp | Transport::Tls) = (proxy, c.transport) {
                let via = b.add(
                    Step::Ice {
                        check: c.clone(),
                        via: Some(px.clone()),
                    },
                    vec![],
                );
                entries.push(Entry::new(
                    via,
                    endpoint(&c.facts, format!("ice{n}"), THROUGH_PROXY),
                ));
            }
        }
        for e in &mut entries {
            let step = &b.plan.probes[e.probe].step;
            e.host = step.host().to_string();
            e.port = step.port();
        }
        b.plan.platforms.push(PlatformPlan {
            profile: p.clone(),
            entries,
        });
    }
    b.plan
}

impl Builder {
    /// DNS, TCP and (for TLS) the TLS handshake on the way to an endpoint; returns the last.
    fn support(&mut self, entries: &mut Vec<Entry>, host: &str, port: u16, tls: bool) -> usize {
        let d = self.dns(host);
        let t = self.tcp(host, port);
        push_support(entries, d);
        push_support(entries, t);
        if tls {
            let l = self.tls(host, port);
            push_support(entries, l);
            l
        } else {
            t
        }
    }

    /// Count a web endpoint the way the browser reaches it: direct, or through the proxy.
    fn route(
        &mut self,
        entries: &mut Vec<Entry>,
        direct: usize,
        role: Role,
        proxy: Option<&Proxy>,
        proxied: impl Fn(Option<Proxy>) -> Step,
    ) {
        match proxy {
            None => entries.push(Entry::new(direct, role)),
            Some(px) => {
                push_support(entries, direct);
                let via = self.add(proxied(Some(px.clone())), vec![]);
                entries.push(Entry::new(via, role));
            }
        }
    }
}

fn push_support(entries: &mut Vec<Entry>, i: usize) {
    if !entries.iter().any(|e| e.probe == i) {
        entries.push(Entry::new(i, Role::Support));
    }
}

#[cfg(test)]
mod tests;
