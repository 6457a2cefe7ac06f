//! `preflight check`, top to bottom: the prepared options -> a plan of probes -> the runner
//! (direct, and through the proxy a browser here would use) -> the measurements -> the diagnosis
//! -> the report.

use crate::model::Report;
use crate::options::{CheckError, Prepared};
use crate::plan;
use crate::probe::{Env, dns::Dns, tls::Trust};
use crate::report;
use crate::runner::{self, Cancel, Observer};
use std::sync::Arc;

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
    .map_err(CheckError::Trust)?;
    let dns =
        Dns::new(opts.resolver, opts.timeout, opts.lab_nets.clone()).map_err(CheckError::Dns)?;
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
                for test in prep.fingerprints.tests() {
                    network_probes
                        .push(crate::probe::proxy::filter_test(px, test, env.timeout).await);
                }
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
                    p.step
                        .outcome()
                        .skipped("the run was interrupted before this probe started")
                        .skipped_for(Some(crate::model::ErrorClass::Interrupted), None)
                })
            })
            .collect(),
        interrupted,
        duration: wall.elapsed(),
    };
    result.interrupted |= cancel.is_set();
    crate::diagnose::proxy::mark_proxy_required(&plan, &mut result.outcomes);
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
    let l = opts.lang;
    let mut notes: Vec<String> = prep
        .untested
        .iter()
        .map(|name| report::i18n::untested_needs_server(name, l))
        .collect();
    // Nothing reached at all (a network that drops everything): there is nothing to measure
    // against, and looking for a peer would only cost another deadline.
    let nothing_works = !outcomes.iter().any(|o| o.works()) || network_finding.is_some();
    if nothing_works && !opts.no_bandwidth {
        notes.push(report::i18n::upload_not_measured(None, l));
    }
    let measured = if opts.no_bandwidth || cancel.is_set() || nothing_works {
        None
    } else {
        observer.phase(report::i18n::measuring(l));
        let m = measure_all(
            &plan,
            outcomes,
            &dns,
            &env,
            proxy.as_ref(),
            opts,
            &cancel,
            early,
            &prep.network.quality,
        )
        .await;
        observer.phase("");
        if cancel.is_set() {
            result.interrupted = true;
        }
        m
    };
    Ok(conclude(
        &prep,
        Gathered {
            plan: &plan,
            outcomes,
            network_probes,
            network_finding,
            measured,
            interrupted: result.interrupted,
            notes,
            started_at,
            duration_ms: wall.elapsed().as_millis() as u64,
            resolver: resolver_desc,
            proxy: proxy
                .as_ref()
                .map(|p| format!("{} ({})", p.label, p.source)),
        },
    ))
}

mod conclude;
mod measure;
pub use conclude::{Gathered, conclude};
use measure::measure_all;
