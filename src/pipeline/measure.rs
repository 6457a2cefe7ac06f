//! The measurements of a check, once connectivity is known: path quality to each platform's UDP
//! relay and the upload, overlapping where they do not disturb each other. The path quality's
//! outcome carries, like every probe's, an English message (the report's wording).

use crate::options::CheckOptions;
use crate::plan;
use crate::probe::dns::Dns;
use crate::runner::Cancel;
use std::net::SocketAddr;
use std::sync::Arc;

/// Path quality per platform (each distinct server measured once, all at the same time, most
/// already started during the probes), then the upload; its preparation (connection, idle
/// latency, UDP at media rate) runs beside the path quality.
#[allow(clippy::too_many_arguments)]
pub(super) async fn measure_all(
    plan: &plan::Plan,
    outcomes: &[crate::model::Outcome],
    dns: &Dns,
    env: &crate::probe::Env,
    proxy: Option<&crate::probe::proxy::Proxy>,
    opts: &CheckOptions,
    cancel: &Cancel,
    early: Option<Arc<crate::measure::EarlyQuality>>,
    default_levels: &crate::profile::network::QualityLimits,
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
    // Each platform judges the figures against its own levels (its profile's, or the default).
    let qualities = targets
        .iter()
        .zip(&plan.platforms)
        .map(|(t, p)| match t {
            None => None,
            Some(None) => Some(quality_not_measured()),
            Some(Some((_, addr))) => distinct.iter().position(|d| d.1 == *addr).map(|i| {
                let levels = p.profile.quality.as_ref().unwrap_or(default_levels);
                results[i].judged(levels, |j| {
                    crate::report::measures::path_quality(j, crate::lang::Lang::En)
                })
            }),
        })
        .collect();
    Some((qualities, bw))
}
