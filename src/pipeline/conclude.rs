//! The end of a check, a pure function of what was gathered: the diagnosis (verdicts,
//! measurements, network finding, firewall, desk) and the report that words it. No socket here:
//! tests/diagnosis.rs runs it on made-up outcomes.

use crate::diagnose::{desk, firewall, verdict};
use crate::measure::Measured;
use crate::model::{Firewall, Network, NetworkFinding, Outcome, Report, SCHEMA, Tool, Verdict};
use crate::options::Prepared;
use crate::plan::Plan;
use crate::report;

/// What a run gathered: the plan's outcomes, the network's own probes, the measurements.
pub struct Gathered<'a> {
    pub plan: &'a Plan,
    /// One outcome per planned probe, in plan order.
    pub outcomes: &'a [Outcome],
    /// Proxy discovery, the portal check, the addresses tried without DNS.
    pub network_probes: Vec<Outcome>,
    pub network_finding: Option<crate::diagnose::network::NetworkFinding>,
    /// Path quality per platform, and the upload.
    pub measured: Option<(Vec<Option<Outcome>>, Measured)>,
    /// Ctrl-C stopped the run.
    pub interrupted: bool,
    pub notes: Vec<String>,
    pub started_at: String,
    pub duration_ms: u64,
    /// The resolver used, as shown.
    pub resolver: String,
    /// The proxy a browser here would use, as shown (`host:port (source)`).
    pub proxy: Option<String>,
}

/// Diagnose what was gathered and write the report.
pub fn conclude(prep: &Prepared, mut g: Gathered) -> Report {
    let opts = &prep.opts;
    let l = opts.lang;
    let mut evidence = g.outcomes.to_vec();
    evidence.extend(g.network_probes.iter().cloned());
    let mut platforms = Vec::new();
    // What connectivity alone says, before the measurements: a thin uplink is no firewall's doing.
    let mut connectivity = Vec::new();
    for (i, p) in g.plan.platforms.iter().enumerate() {
        let d = verdict::platform(p, g.outcomes);
        connectivity.push(d.verdict);
        let mut pr =
            report::platform_report(p, &d, g.outcomes, g.network_finding.as_ref(), opts.lang);
        if let Some((qualities, bw)) = &g.measured {
            let judged = bw.kbps().map(|k| {
                let fit = crate::measure::needs::judge(&p.profile.needs, opts.role, k);
                let advice = report::needs::advice(&fit, l);
                (crate::measure::judged(bw, &fit, &advice), fit)
            });
            report::measures::add(&mut pr, qualities[i].clone(), judged, opts.lang);
        }
        if g.interrupted && pr.probes.iter().any(report::interrupted) {
            // Stopped before it could tell: not blocked, not ready.
            pr.verdict = Verdict::Incomplete;
            pr.summary = report::i18n::interrupted(l).to_string();
        }
        platforms.push(pr);
    }
    let bandwidth = g.measured.as_ref().map(|(_, bw)| {
        if bw.kbps().is_none() {
            g.network_probes.push(bw.outcome.clone());
            let why = bw.outcome.error.as_ref().map(|e| e.message.as_str());
            g.notes.push(report::i18n::upload_not_measured(
                Some(why.unwrap_or("")),
                l,
            ));
        }
        report::bandwidth::bandwidth(bw, &platforms, opts.role)
    });
    let overall = if g.interrupted {
        Verdict::Incomplete
    } else {
        verdict::overall(&platforms.iter().map(|p| p.verdict).collect::<Vec<_>>())
    };
    let public_ip = g
        .outcomes
        .iter()
        .find_map(|o| o.facts.mapped)
        .map(|m| m.ip().to_string());
    // A firewall is claimed only where something it does is in the way: not for a ready run,
    // nor for one degraded only by its measurements (bandwidth, path quality).
    let firewall: Firewall =
        if overall == Verdict::Ready || verdict::overall(&connectivity) == Verdict::Ready {
            report::evidence::firewall(&firewall::none(&prep.fingerprints), opts.lang)
        } else {
            report::evidence::firewall(
                &firewall::identify(&prep.fingerprints, &evidence),
                opts.lang,
            )
        };
    let report_so_far = Report {
        schema: SCHEMA.to_string(),
        tool: Tool {
            name: "preflight".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        started_at: g.started_at,
        duration_ms: g.duration_ms,
        lang: opts.lang.code().into(),
        venue: opts.venue.clone(),
        verdict: overall,
        partial: g.interrupted,
        platforms,
        network: Network {
            public_ip,
            resolver: Some(g.resolver.clone()),
            proxy: g.proxy,
            probes: g.network_probes,
            finding: g.network_finding.as_ref().map(|f| NetworkFinding {
                class: f.class.as_str().to_string(),
                message: report::network_message(f, &g.resolver, opts.lang),
                portal: f.portal.clone(),
            }),
        },
        bandwidth,
        firewall,
        support: None,
        notes: g.notes,
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
    Report {
        support,
        ..report_so_far
    }
    .inert()
}
