//! `preflight check`: options -> profiles -> plan -> runner -> diagnosis -> report.

use crate::diagnose::{firewall, support, verdict};
use crate::model::{Firewall, Network, Report, SCHEMA, Tool, Venue, Verdict};
use crate::plan;
use crate::probe::{Env, dns::Dns, dns::IpNet, tls::Trust};
use crate::profile::{self, Profile, ProfileError};
use crate::report::{self, Lang};
use crate::runner::{self, Observer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Whose stream the upload is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    Speaker,
    Attendee,
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub platforms: Vec<String>,
    pub profiles: Vec<PathBuf>,
    pub server: Option<String>,
    pub resolver: Option<SocketAddr>,
    pub ca_file: Option<PathBuf>,
    pub venue: Venue,
    pub role: Role,
    pub bandwidth_url: Option<String>,
    pub no_bandwidth: bool,
    pub duration: Duration,
    pub timeout: Duration,
    pub lang: Lang,
    /// Networks whose addresses are not sinkholes (labs on loopback or private ranges).
    pub lab_nets: Vec<IpNet>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            platforms: vec![],
            profiles: vec![],
            server: None,
            resolver: None,
            ca_file: None,
            venue: Venue::default(),
            role: Role::Speaker,
            bandwidth_url: None,
            no_bandwidth: false,
            duration: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
            lang: Lang::En,
            lab_nets: vec![],
        }
    }
}

/// The tool could not run as asked (exit code 3).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{0}")]
    Profile(#[from] ProfileError),
    #[error("{0}")]
    Usage(String),
}

/// The department of a UAI (`0921234X` -> `92`, `9711234A` -> `971`).
pub fn department_of_uai(uai: &str) -> Result<String, String> {
    let u = uai.trim().to_ascii_uppercase();
    let ok = u.len() == 8
        && u[..7].chars().all(|c| c.is_ascii_digit())
        && u.as_bytes()[7].is_ascii_alphabetic();
    if !ok {
        return Err(format!(
            "--uai {uai}: a UAI has 7 digits and a letter, like 0921234X"
        ));
    }
    Ok(if let Some(rest) = u.strip_prefix('0') {
        rest[..2].to_string()
    } else {
        u[..3].to_string()
    })
}

/// Choose the platforms to check and give BigBlueButton-like profiles their server.
pub fn select(
    all: &[Profile],
    opts: &CheckOptions,
) -> Result<(Vec<Profile>, Vec<String>), CheckError> {
    let l = opts.lang;
    let mut notes = Vec::new();
    let wanted: Vec<&Profile> = if opts.platforms.is_empty() {
        all.iter().collect()
    } else {
        let mut v = Vec::new();
        for id in &opts.platforms {
            match all.iter().find(|p| &p.id == id) {
                Some(p) => v.push(p),
                None => {
                    return Err(CheckError::Usage(format!(
                        "unknown platform `{id}`; valid ids: {}",
                        all.iter()
                            .map(|p| p.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
        v
    };
    let mut out = Vec::new();
    for p in wanted {
        if !p.needs_server() {
            out.push(p.clone());
            continue;
        }
        match opts.server.as_deref().or(p.default_server.as_deref()) {
            Some(s) => out.push(p.with_server(s)),
            None if opts.platforms.contains(&p.id) => {
                return Err(CheckError::Usage(format!(
                    "platform `{}` needs the server's name: add --server HOST (the host in the meeting link)",
                    p.id
                )));
            }
            None => notes.push(format!(
                "{} {}",
                p.name,
                l.t(
                    ": non testé — indiquez le serveur avec --server HOTE (le nom dans le lien de la réunion)",
                    ": not tested — name the server with --server HOST (the host in the meeting link)"
                )
            )),
        }
    }
    if out.is_empty() {
        return Err(CheckError::Usage(
            "nothing to check: every selected platform needs --server HOST".into(),
        ));
    }
    Ok((out, notes))
}

/// Everything checked before any socket is opened: bad input fails here, with exit code 3.
pub struct Prepared {
    pub opts: CheckOptions,
    pub profiles: Vec<Profile>,
    pub notes: Vec<String>,
    pub fingerprints: firewall::Fingerprints,
    pub desks: support::Desks,
}

pub fn prepare(mut opts: CheckOptions) -> Result<Prepared, CheckError> {
    let all = profile::load_all(&opts.profiles)?;
    let (profiles, notes) = select(&all, &opts)?;
    if let Some(uai) = opts.venue.uai.clone() {
        let dep = department_of_uai(&uai).map_err(CheckError::Usage)?;
        opts.venue.uai = Some(uai.trim().to_ascii_uppercase());
        if opts.venue.department.is_none() {
            opts.venue.department = Some(dep);
        }
    }
    if opts.timeout.is_zero() || opts.timeout > Duration::from_secs(120) {
        return Err(CheckError::Usage(
            "--timeout must be between 1 and 120 seconds".into(),
        ));
    }
    let fingerprints = firewall::Fingerprints::bundled().map_err(CheckError::Profile)?;
    let desks = support::Desks::bundled().map_err(CheckError::Profile)?;
    Ok(Prepared {
        opts,
        profiles,
        notes,
        fingerprints,
        desks,
    })
}

/// A direct connection that fails where the same host answers through the proxy is not a
/// dead server: the network requires the proxy (`proxy_required`).
pub fn mark_proxy_required(plan: &plan::Plan, outcomes: &mut [crate::model::Outcome]) {
    use crate::model::ErrorClass::*;
    // Where the proxy got through: (host, port). Only what rides on TCP can take the proxy:
    // UDP that does not get through stays a UDP finding.
    let through_proxy: Vec<(String, Option<u16>)> = plan
        .probes
        .iter()
        .zip(outcomes.iter())
        .filter(|(p, o)| p.step.via().is_some() && o.works())
        .map(|(p, _)| (p.step.host().to_string(), p.step.port()))
        .collect();
    for (p, o) in plan.probes.iter().zip(outcomes.iter_mut()) {
        let direct_failure = p.step.via().is_none()
            && p.step.transport() != Some(crate::model::Transport::Udp)
            && matches!(
                o.class(),
                Some(Timeout | Refused | Reset | Unreachable | Closed)
            );
        let reached = through_proxy
            .iter()
            .any(|(h, port)| h == p.step.host() && *port == p.step.port());
        if direct_failure && reached {
            let was = o.class().map(|c| c.as_str()).unwrap_or("");
            let msg = format!(
                "direct connection fails ({was}) but the proxy reaches {}: this network requires its proxy",
                p.step.host()
            );
            *o = o.clone().fail(ProxyRequired, msg);
        }
    }
}

/// A Ctrl-C (or any stop request) that every stage can wait on.
#[derive(Clone)]
pub struct Cancel(tokio::sync::watch::Receiver<bool>);

impl Cancel {
    pub fn new() -> (tokio::sync::watch::Sender<bool>, Cancel) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        (tx, Cancel(rx))
    }

    /// Resolves when the stop was asked (never if the sender is kept and unused).
    pub async fn wait(mut self) {
        if self.0.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }
}

/// Run the check. `cancel` (Ctrl-C) stops the probes and yields a partial report.
pub async fn run(
    prep: Prepared,
    observer: Arc<dyn Observer>,
    cancel: Cancel,
) -> Result<Report, CheckError> {
    let opts = &prep.opts;
    let wall = std::time::Instant::now();
    let started_at = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let trust = Trust::new(
        opts.ca_file.as_deref(),
        prep.fingerprints.interception_names(),
    )
    .map_err(CheckError::Usage)?;
    let dns =
        Dns::new(opts.resolver, opts.timeout, opts.lab_nets.clone()).map_err(CheckError::Usage)?;
    let resolver_desc = dns.description.clone();
    let env = Env {
        trust: Arc::new(trust),
        timeout: opts.timeout,
    };
    // The proxy a browser here would use, and what it betrays. Discovery (WPAD, PAC) runs
    // beside the direct probes, so that a network that drops everything costs one deadline,
    // not two; the probes through a found proxy run once it is known.
    let dns = Arc::new(dns);
    let domains = crate::probe::proxy::search_domains();
    let discovering = async {
        let (discovery, proxy) = crate::probe::proxy::discover(&dns, &domains, &env).await;
        let mut network_probes = vec![discovery];
        if let Some(px) = &proxy {
            network_probes.push(crate::probe::proxy::e2guardian_test(px, env.timeout).await);
        }
        (network_probes, proxy)
    };
    let discovering = async {
        tokio::select! {
            r = discovering => r,
            _ = cancel.clone().wait() => (vec![], None),
        }
    };
    let direct_plan = plan::build(&prep.profiles, None);
    let direct = runner::run(
        &direct_plan,
        dns.clone(),
        env.clone(),
        observer.clone(),
        cancel.clone().wait(),
    );
    let (direct, (network_probes, proxy)) = tokio::join!(direct, discovering);
    let plan = plan::build(&prep.profiles, proxy.as_ref());
    let mut done: std::collections::HashMap<String, crate::model::Outcome> = direct_plan
        .probes
        .iter()
        .map(|p| p.step.key())
        .zip(direct.outcomes)
        .collect();
    let mut interrupted = direct.interrupted;
    if proxy.is_some() && !cancel.is_set() {
        // Steps through the proxy need nothing else from the plan (no deps).
        let via_plan = plan::Plan {
            probes: plan
                .probes
                .iter()
                .filter(|p| p.step.via().is_some())
                .map(|p| plan::PlannedProbe {
                    step: p.step.clone(),
                    deps: vec![],
                })
                .collect(),
            platforms: vec![],
        };
        let via = runner::run(&via_plan, dns.clone(), env, observer, cancel.clone().wait()).await;
        interrupted |= via.interrupted;
        done.extend(
            via_plan
                .probes
                .iter()
                .map(|p| p.step.key())
                .zip(via.outcomes),
        );
    }
    let mut result = runner::RunResult {
        outcomes: plan
            .probes
            .iter()
            .map(|p| {
                done.remove(&p.step.key()).unwrap_or_else(|| {
                    crate::model::Outcome::new(p.step.kind(), p.step.target(), p.step.transport())
                        .skipped("the run was interrupted before this probe started")
                })
            })
            .collect(),
        interrupted,
        duration: wall.elapsed(),
    };
    result.interrupted |= cancel.is_set();
    mark_proxy_required(&plan, &mut result.outcomes);
    let outcomes = &result.outcomes;
    let mut evidence_outcomes = outcomes.clone();
    evidence_outcomes.extend(network_probes.iter().cloned());

    let mut platforms = Vec::new();
    for p in &plan.platforms {
        let d = verdict::platform(p, outcomes);
        platforms.push(report::platform_report(p, &d, outcomes, opts.lang));
    }
    let overall = verdict::overall(&platforms.iter().map(|p| p.verdict).collect::<Vec<_>>());
    let public_ip = outcomes
        .iter()
        .find_map(|o| o.data_str("mapped_address"))
        .map(|m| {
            m.rsplit_once(':')
                .map(|(ip, _)| ip.trim_matches(|c| c == '[' || c == ']'))
                .unwrap_or(m)
                .to_string()
        });
    let firewall: Firewall = firewall::identify(&prep.fingerprints, &evidence_outcomes, opts.lang);
    let report_so_far = Report {
        schema: SCHEMA.to_string(),
        tool: Tool {
            name: "preflight".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        started_at,
        duration_ms: result.duration.as_millis() as u64,
        lang: opts.lang.code().into(),
        venue: opts.venue.clone(),
        verdict: overall,
        partial: result.interrupted,
        platforms,
        network: Network {
            public_ip,
            resolver: Some(resolver_desc),
            proxy: proxy
                .as_ref()
                .map(|p| format!("{} ({})", p.label, p.source)),
            probes: network_probes,
        },
        bandwidth: None,
        firewall,
        support: None,
        notes: prep.notes.clone(),
    };
    let support = if overall == Verdict::Ready {
        None
    } else {
        Some(support::route(&prep.desks, &report_so_far, opts.lang))
    };
    Ok(Report {
        support,
        ..report_so_far
    })
}
