//! `preflight check`: options -> profiles -> plan -> runner -> diagnosis -> report.

use crate::diagnose::{desk, firewall, verdict};
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
    /// A directory whose profile files override or add to the built-in ones (`--profiles-dir`).
    pub profiles_dir: Option<PathBuf>,
    pub server: Option<String>,
    /// The meeting link (`--link`): its platform and host.
    pub link: Option<String>,
    /// TURN relays of the BigBlueButton server (`--turn`), when not on the server itself.
    pub turn: Vec<crate::profile::Relay>,
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
    /// Addresses tried without DNS instead of profiles/network.toml's (labs and tests).
    pub lab_control: Vec<SocketAddr>,
    /// The JSON report is written to a file (the ticket says it is attached).
    pub json_attached: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            platforms: vec![],
            profiles: vec![],
            profiles_dir: None,
            server: None,
            link: None,
            turn: vec![],
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
            lab_control: vec![],
            json_attached: false,
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
    // Bytes, not characters, are counted and sliced below: only ASCII gets there.
    let ok = u.is_ascii()
        && u.len() == 8
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
    // The meeting link (or what was given to --server) names the host, and its platform when
    // its domain belongs to one; --link alone checks that platform only.
    let mut platforms = opts.platforms.clone();
    let mut server: Option<String> = None;
    for (option, value) in [("--server", &opts.server), ("--link", &opts.link)] {
        let Some(v) = value else { continue };
        let link =
            crate::link::parse(option, v, all).map_err(|e| CheckError::Usage(e.to_string()))?;
        match link.platform {
            Some(id) => {
                if opts.platforms.is_empty() && !platforms.contains(&id) {
                    platforms.push(id);
                }
            }
            None => {
                server = Some(link.server);
                if option == "--link" && opts.platforms.is_empty() {
                    platforms.extend(
                        all.iter()
                            .filter(|p| p.needs_server())
                            .map(|p| p.id.clone()),
                    );
                }
            }
        }
    }
    let wanted: Vec<&Profile> = if platforms.is_empty() {
        all.iter().collect()
    } else {
        let mut v = Vec::new();
        for id in &platforms {
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
        match server.as_deref().or(p.default_server.as_deref()) {
            Some(s) => {
                // Relays named with --turn, else those the profile names, else the server's own.
                let mut relays = opts.turn.clone();
                if relays.is_empty() {
                    relays = p.turn.iter().filter_map(|t| t.parse().ok()).collect();
                }
                out.push(p.with_server(s).with_relays(&relays));
            }
            None if platforms.contains(&p.id) => {
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
    if !opts.turn.is_empty() && !wanted_server(&out, all) {
        return Err(CheckError::Usage(
            "--turn names the TURN relay of a BigBlueButton server: add --server HOST (the host in the meeting link)".into(),
        ));
    }
    Ok((out, notes))
}

/// Is one of the selected platforms a server named with --server (the only ones --turn is for)?
fn wanted_server(selected: &[Profile], all: &[Profile]) -> bool {
    selected
        .iter()
        .any(|p| all.iter().any(|q| q.id == p.id && q.needs_server()))
}

/// Everything checked before any socket is opened: bad input fails here, with exit code 3.
pub struct Prepared {
    pub opts: CheckOptions,
    pub profiles: Vec<Profile>,
    pub notes: Vec<String>,
    pub fingerprints: firewall::Fingerprints,
    pub desks: desk::Desks,
    pub network: crate::diagnose::network::NetworkFacts,
}

pub fn prepare(mut opts: CheckOptions) -> Result<Prepared, CheckError> {
    let library = profile::Library::load(opts.profiles_dir.as_deref(), &opts.profiles)?;
    let (profiles, notes) = select(&library.platforms, &opts)?;
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
    let profile::Library {
        fingerprints,
        desks,
        mut network,
        ..
    } = library;
    if !opts.lab_control.is_empty() {
        network.control = opts.lab_control.clone();
    }
    Ok(Prepared {
        opts,
        profiles,
        notes,
        fingerprints,
        desks,
        network,
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

    /// The flag itself, for a measurement that stops early and keeps what it has.
    pub fn receiver(&self) -> tokio::sync::watch::Receiver<bool> {
        self.0.clone()
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
        page_signs: Arc::new(prep.fingerprints.page_signs()),
    };
    // The proxy a browser here would use, and what it betrays. Discovery (WPAD, PAC) runs
    // beside the direct probes, so that a network that drops everything costs one deadline,
    // not two; the probes through a found proxy run once it is known.
    let dns = Arc::new(dns);
    let domains = crate::probe::proxy::search_domains();
    // A guest Wi-Fi's portal answers plain HTTP with a redirect to its sign-in page: asked of
    // the first platform host, beside the rest.
    let portal_host = prep
        .profiles
        .iter()
        .flat_map(|p| p.https.iter())
        .find_map(|c| url::Url::parse(&c.url).ok()?.host_str().map(str::to_string));
    let discovering = async {
        let portal = async {
            let host = portal_host.as_deref()?;
            let (_, ips) = dns.probe(host).await;
            if ips.is_empty() {
                return None;
            }
            Some(crate::probe::http::portal(host, &ips, env.timeout).await)
        };
        let proxy = async {
            let (discovery, proxy) = crate::probe::proxy::discover(&dns, &domains, &env).await;
            let mut network_probes = vec![discovery];
            if let Some(px) = &proxy {
                network_probes.push(crate::probe::proxy::e2guardian_test(px, env.timeout).await);
            }
            (network_probes, proxy)
        };
        let (portal, (mut network_probes, proxy)) = tokio::join!(portal, proxy);
        network_probes.extend(portal);
        (network_probes, proxy)
    };
    let discovering = async {
        tokio::select! {
            r = discovering => r,
            _ = cancel.clone().wait() => (vec![], None),
        }
    };
    let direct_plan = plan::build(&prep.profiles, None);
    // Path quality starts as soon as a probe shows UDP reaching a relay (see measure::EarlyQuality).
    let early = (!opts.no_bandwidth).then(|| crate::measure::EarlyQuality::new(observer.clone()));
    let direct = runner::run(
        &direct_plan,
        dns.clone(),
        env.clone(),
        match &early {
            Some(e) => e.clone(),
            None => observer.clone(),
        },
        cancel.clone().wait(),
    );
    let (direct, (network_probes, proxy)) = tokio::join!(direct, discovering);
    let plan = plan::build(&prep.profiles, proxy.as_ref());
    let mut done: std::collections::HashMap<plan::StepKey, crate::model::Outcome> = direct_plan
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
        let via = runner::run(
            &via_plan,
            dns.clone(),
            env.clone(),
            observer.clone(),
            cancel.clone().wait(),
        )
        .await;
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
                        .with("cause", "interrupted")
                })
            })
            .collect(),
        interrupted,
        duration: wall.elapsed(),
    };
    result.interrupted |= cancel.is_set();
    mark_proxy_required(&plan, &mut result.outcomes);
    let outcomes = &result.outcomes;
    // No name resolved: is there an internet at all? Asked of a few addresses without DNS,
    // only then (and only what is needed: a network where names resolve never sends these).
    let mut network_probes = network_probes;
    let lookups = outcomes
        .iter()
        .filter(|o| o.kind == crate::model::ProbeKind::Dns && !o.data.contains_key("literal"));
    let no_name = lookups.clone().count() > 0 && lookups.clone().all(|o| !o.works());
    if no_name && !cancel.is_set() {
        let tries = prep.network.control.iter().map(|addr| async move {
            let mut o = crate::model::Outcome::new(
                crate::model::ProbeKind::Tcp,
                addr.to_string(),
                Some(crate::model::Transport::Tcp),
            )
            .with("control", true);
            let start = std::time::Instant::now();
            o = match crate::probe::tcp::connect(&[addr.ip()], addr.port(), env.timeout).await {
                Ok(_) => o,
                Err(e) => o.failed(e),
            };
            o.duration_ms = start.elapsed().as_millis() as u64;
            o
        });
        network_probes.extend(futures_util::future::join_all(tries).await);
    }
    let mut evidence_outcomes = outcomes.clone();
    evidence_outcomes.extend(network_probes.iter().cloned());
    // A run stopped by Ctrl-C has not seen enough to say anything about the network itself.
    let network_finding = if result.interrupted || cancel.is_set() {
        None
    } else {
        crate::diagnose::network::finding(&evidence_outcomes)
    };

    // The measurements, once connectivity is known: path quality to each platform's UDP
    // relay, then the upload with latency idle and under load.
    let mut notes = prep.notes.clone();
    // Nothing reached at all (a network that drops everything): there is nothing to measure
    // against, and looking for a peer would only cost another deadline.
    let nothing_works = !outcomes.iter().any(|o| o.works()) || network_finding.is_some();
    if nothing_works && !opts.no_bandwidth {
        notes.push(
            opts.lang
                .t(
                    "Débit montant non mesuré : rien n'est joignable depuis ce réseau.",
                    "Upload not measured: nothing is reachable from this network.",
                )
                .to_string(),
        );
    }
    let measured = if opts.no_bandwidth || cancel.is_set() || nothing_works {
        None
    } else {
        observer.phase(opts.lang.t(
            "mesure de la qualité du chemin et du débit montant…",
            "measuring path quality and upload…",
        ));
        let m = measure_all(
            &plan,
            outcomes,
            &dns,
            &env,
            proxy.as_ref(),
            opts,
            &cancel,
            early,
        )
        .await;
        observer.phase("");
        if cancel.is_set() {
            result.interrupted = true;
        }
        m
    };
    let mut platforms = Vec::new();
    // What connectivity alone says, before the measurements: a thin uplink is no firewall's doing.
    let mut connectivity = Vec::new();
    for (i, p) in plan.platforms.iter().enumerate() {
        let d = verdict::platform(p, outcomes);
        connectivity.push(d.verdict);
        let mut pr = report::platform_report(p, &d, outcomes, network_finding.as_ref(), opts.lang);
        if let Some((qualities, bw)) = &measured {
            let judged = bw.kbps().map(|k| {
                let fit = crate::measure::needs::judge(&p.profile.needs, opts.role, k, opts.lang);
                (crate::measure::judged(bw, &fit), fit)
            });
            crate::diagnose::measures::apply(&mut pr, qualities[i].clone(), judged, opts.lang);
        }
        if result.interrupted && pr.probes.iter().any(report::interrupted) {
            // Stopped before it could tell: not blocked, not ready.
            pr.verdict = Verdict::Incomplete;
            pr.summary = opts
                .lang
                .t(
                    "Interrompu (Ctrl-C) avant la fin des tests : rien n'est conclu.",
                    "Interrupted (Ctrl-C) before every test ran: nothing is concluded.",
                )
                .to_string();
        }
        platforms.push(pr);
    }
    let bandwidth = measured.as_ref().map(|(_, bw)| {
        if bw.kbps().is_none() {
            network_probes.push(bw.outcome.clone());
            notes.push(format!(
                "{} {}",
                opts.lang
                    .t("Débit montant non mesuré :", "Upload not measured:"),
                bw.outcome
                    .error
                    .as_ref()
                    .map(|e| e.message.as_str())
                    .unwrap_or("")
            ));
        }
        bandwidth_report(bw, &platforms, opts)
    });
    let overall = if result.interrupted {
        Verdict::Incomplete
    } else {
        verdict::overall(&platforms.iter().map(|p| p.verdict).collect::<Vec<_>>())
    };
    let public_ip = outcomes
        .iter()
        .find_map(|o| o.data_str("mapped_address"))
        .map(|m| {
            m.rsplit_once(':')
                .map(|(ip, _)| ip.trim_matches(|c| c == '[' || c == ']'))
                .unwrap_or(m)
                .to_string()
        });
    // A firewall is claimed only where something it does is in the way: not for a ready run,
    // nor for one degraded only by its measurements (bandwidth, path quality).
    let firewall: Firewall =
        if overall == Verdict::Ready || verdict::overall(&connectivity) == Verdict::Ready {
            report::evidence::firewall(&firewall::none(&prep.fingerprints), opts.lang)
        } else {
            report::evidence::firewall(
                &firewall::identify(&prep.fingerprints, &evidence_outcomes),
                opts.lang,
            )
        };
    let report_so_far = Report {
        schema: SCHEMA.to_string(),
        tool: Tool {
            name: "preflight".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        started_at,
        duration_ms: wall.elapsed().as_millis() as u64,
        lang: opts.lang.code().into(),
        venue: opts.venue.clone(),
        verdict: overall,
        partial: result.interrupted,
        platforms,
        network: Network {
            public_ip,
            resolver: Some(resolver_desc.clone()),
            proxy: proxy
                .as_ref()
                .map(|p| format!("{} ({})", p.label, p.source)),
            probes: network_probes,
            finding: network_finding
                .as_ref()
                .map(|f| crate::model::NetworkFinding {
                    class: f.class.as_str().to_string(),
                    message: report::network_message(f, &resolver_desc, opts.lang),
                    portal: f.portal.clone(),
                }),
        },
        bandwidth,
        firewall,
        support: None,
        notes,
    };
    // No ticket for a run that is ready, nor for one stopped before it could tell.
    let support = if matches!(overall, Verdict::Ready | Verdict::Incomplete) {
        None
    } else {
        let choice = desk::choose(
            &prep.desks,
            report_so_far.venue.department.as_deref(),
            report_so_far.venue.kind.as_deref(),
            &report_so_far.firewall.family,
        );
        Some(report::ticket::support(
            &choice,
            &report_so_far,
            opts.json_attached,
            opts.lang,
        ))
    };
    // The report as recorded: every string in it inert (what probes, files and options put
    // there was already; what was composed from them is checked again).
    Ok(Report {
        support,
        ..report_so_far
    }
    .inert())
}

/// Path quality per platform (each distinct server measured once, all at the same time, most
/// already started during the probes), then the upload; its preparation (connection, idle
/// latency, UDP at media rate) runs beside the path quality.
#[allow(clippy::too_many_arguments)]
async fn measure_all(
    plan: &plan::Plan,
    outcomes: &[crate::model::Outcome],
    dns: &Dns,
    env: &crate::probe::Env,
    proxy: Option<&crate::probe::proxy::Proxy>,
    opts: &CheckOptions,
    cancel: &Cancel,
    early: Option<Arc<crate::measure::EarlyQuality>>,
) -> Option<(Vec<Option<crate::model::Outcome>>, crate::measure::Measured)> {
    use crate::measure::{QUALITY_SECONDS, quality, quality_not_measured, quality_target};
    // Per platform: nothing when it has no UDP relay; else where its path quality is measured
    // (None: UDP reaches none of its relays).
    let targets: Vec<Option<Option<(String, SocketAddr)>>> = plan
        .platforms
        .iter()
        .map(|p| {
            let has_udp = p
                .profile
                .ice
                .iter()
                .any(|c| c.transport == crate::model::Transport::Udp);
            has_udp.then(|| {
                let os: Vec<&crate::model::Outcome> =
                    p.entries.iter().map(|e| &outcomes[e.probe]).collect();
                quality_target(&os)
            })
        })
        .collect();
    let mut distinct: Vec<(String, SocketAddr)> = Vec::new();
    for t in targets.iter().flatten().flatten() {
        if !distinct.iter().any(|d| d.1 == t.1) {
            distinct.push(t.clone());
        }
    }
    let (ready, gate) = tokio::sync::oneshot::channel::<()>();
    let qualities = async {
        let r = tokio::select! {
            r = futures_util::future::join_all(distinct.iter().map(|(target, addr)| async {
                match &early {
                    Some(e) => match e.take(*addr).await {
                        Some(o) => o,
                        None => quality::probe(target, *addr, QUALITY_SECONDS).await,
                    },
                    None => quality::probe(target, *addr, QUALITY_SECONDS).await,
                }
            })) => Some(r),
            // Stopped during the path quality: nothing measured yet is worth a figure.
            _ = cancel.clone().wait() => None,
        };
        // Measurements nobody takes stop here; the upload may start.
        drop(early);
        let _ = ready.send(());
        r
    };
    let asked = crate::measure::Asked {
        url: opts.bandwidth_url.as_deref(),
        duration: opts.duration,
        media: crate::measure::media::Plan::most_demanding(
            plan.platforms
                .iter()
                .map(|p| (p.profile.id.as_str(), &p.profile.needs)),
            opts.role,
        ),
    };
    let upload = crate::measure::bandwidth(asked, dns, env, proxy, cancel.receiver(), async {
        let _ = gate.await;
    });
    let (results, bw) = tokio::join!(qualities, upload);
    let results = results?;
    let qualities = targets
        .iter()
        .map(|t| match t {
            None => None,
            Some(None) => Some(quality_not_measured()),
            Some(Some((_, addr))) => distinct
                .iter()
                .position(|d| d.1 == *addr)
                .map(|i| results[i].clone()),
        })
        .collect();
    Some((qualities, bw))
}

/// The report's `bandwidth` block: the contract's fields for the most demanding platform, and
/// each platform's judgement, the timeline and the latencies beside them.
fn bandwidth_report(
    m: &crate::measure::Measured,
    platforms: &[crate::model::PlatformReport],
    opts: &CheckOptions,
) -> crate::model::Bandwidth {
    use serde_json::{Value, json};
    let judged: Vec<&crate::model::Outcome> = platforms
        .iter()
        .filter_map(|p| {
            p.probes
                .iter()
                .find(|o| o.kind == crate::model::ProbeKind::Bandwidth)
        })
        .collect();
    let worst = judged.iter().max_by(|a, b| {
        let n = |o: &&&crate::model::Outcome| o.data.get("needed_kbps").and_then(Value::as_f64);
        n(a).unwrap_or(0.0).total_cmp(&n(b).unwrap_or(0.0))
    });
    let mut extra = serde_json::Map::new();
    extra.insert("method".into(), json!(m.upload.method));
    extra.insert("stopped".into(), json!(m.upload.ended.as_str()));
    if !m.upload.send_queue.is_empty() {
        extra.insert("send_queue".into(), json!(m.upload.send_queue));
    }
    if let Some(u) = &m.media {
        extra.insert("media_udp".into(), u.json());
    }
    extra.insert(
        "role".into(),
        json!(match opts.role {
            Role::Speaker => "speaker",
            Role::Attendee => "attendee",
        }),
    );
    if let Some(v) = m.idle_rtt_ms {
        extra.insert("idle_rtt_ms".into(), json!(v));
    }
    extra.insert("bytes_sent".into(), json!(m.upload.bytes_sent));
    if let Some(c) = m.upload.counts.last() {
        extra.insert("bytes_received".into(), json!(c.bytes));
    }
    extra.insert(
        "timeline".into(),
        Value::Array(
            m.upload
                .timeline()
                .iter()
                .map(|s| json!({"t_ms": s.t_ms, "kbps": s.kbps}))
                .collect(),
        ),
    );
    extra.insert(
        "latency_timeline".into(),
        Value::Array(
            m.loaded
                .iter()
                .map(|(t, ms)| json!({"t_ms": t, "rtt_ms": ms}))
                .collect(),
        ),
    );
    if let Some(p) = &m.via {
        extra.insert("via_proxy".into(), json!(p));
    }
    if m.upload.sender_counted {
        extra.insert("sender_counted".into(), json!(true));
    }
    if let Some(e) = &m.outcome.error {
        extra.insert(
            "error".into(),
            json!({"class": e.class.as_str(), "message": e.message}),
        );
    }
    extra.insert(
        "platforms".into(),
        Value::Array(
            platforms
                .iter()
                .filter_map(|p| {
                    let o = p
                        .probes
                        .iter()
                        .find(|o| o.kind == crate::model::ProbeKind::Bandwidth)?;
                    Some(json!({
                        "id": p.id,
                        "needed_kbps": o.data.get("needed_kbps"),
                        "fits": o.data.get("fits"),
                        "advice": o.data.get("advice"),
                    }))
                })
                .collect(),
        ),
    );
    crate::model::Bandwidth {
        upload_kbps: m.kbps(),
        peer: Some(m.peer.clone()),
        duration_ms: Some(m.upload.sending.as_millis() as u64),
        loaded_rtt_ms: m.loaded_rtt_ms,
        needed_kbps: worst.and_then(|o| o.data.get("needed_kbps").and_then(Value::as_f64)),
        fits: worst.and_then(|o| o.data_str("advice").map(str::to_string)),
        extra,
    }
}
