//! Measurements beside and after the connectivity probes: path quality (a paced UDP stream to
//! each platform's STUN/TURN server, started as soon as a probe shows UDP reaching it), then
//! upload bandwidth (ndt7 or a POST sink) with latency idle and under load, and UDP at the
//! speaker's media rate to the measurement peer. What does not disturb each other overlaps:
//! while path quality runs, the upload's connection is made, idle latency is sampled and the
//! media-rate stream runs; the upload itself starts once path quality is done. Like the probes,
//! they never print, each has a deadline, and a failure is an outcome with its class and
//! whatever was measured until then.

//!
//! Here: the orchestration of the upload ([`bandwidth`]); the peer found and connected to
//! (`peer.rs`); the `bandwidth` outcome assembled and judged per platform (`outcome.rs`); path
//! quality started early (`early_quality.rs`); each measurement in its own module.

mod early_quality;
pub mod latency;
pub mod media;
pub mod needs;
mod outcome;
mod peer;
pub mod quality;
pub mod upload;

pub use early_quality::{EarlyQuality, QUALITY_SECONDS, quality_not_measured, quality_target};
pub use outcome::{BUFFERBLOAT_MS, Measured, judged};
pub use peer::MLAB_LOCATE;

use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind};
use crate::probe::{Env, dns::Dns, proxy::Proxy};
use peer::{connect, locate};
use std::time::{Duration, Instant};

/// Resolves at `end`, never when there is none (a stream's grace after its last packet).
async fn until(end: Option<tokio::time::Instant>) {
    match end {
        Some(e) => tokio::time::sleep_until(e).await,
        None => std::future::pending().await,
    }
}

/// What the upload measurement is asked to do.
#[derive(Debug, Clone, Default)]
pub struct Asked<'a> {
    /// `--bandwidth-url` (None: the nearest M-Lab server).
    pub url: Option<&'a str>,
    /// The longest upload (`--duration`): it stops earlier once the rate is stable.
    pub duration: Duration,
    /// UDP at this media rate to the peer, when it is a `preflight serve`.
    pub media: Option<media::Plan>,
}

/// Measure the upload, with latency idle and under load, and UDP at the media rate. The peer
/// is found and connected, idle latency sampled and the media stream sent at once; the upload
/// itself waits for `ready` (the path quality, which it would disturb). Ctrl-C (`stop`)
/// before the upload ends it there; during the upload, the figure so far is kept.
pub async fn bandwidth(
    asked: Asked<'_>,
    dns: &Dns,
    env: &Env,
    via: Option<&Proxy>,
    stop: upload::Stop,
    ready: impl std::future::Future<Output = ()>,
) -> Measured {
    let start = Instant::now();
    let mut out = Outcome::new(ProbeKind::Bandwidth, asked.url.unwrap_or(MLAB_LOCATE), None);
    let mut m = Measured {
        outcome: out.clone(),
        upload: upload::Upload::default(),
        peer: crate::inert::line(asked.url.unwrap_or(MLAB_LOCATE)),
        idle_rtt_ms: None,
        loaded_rtt_ms: None,
        loaded: vec![],
        via: via.map(|p| p.label.clone()),
        media: asked.media.as_ref().map(|p| {
            let host = asked
                .url
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            media::MediaUdp::not_measured(p, &host, media::NotMeasured::Unreachable)
        }),
    };
    let prepared = tokio::select! {
        r = prepare(&asked, dns, env, via, &mut m, &mut out, ready) => r,
        _ = upload::stopped(stop.clone()) => Err(ProbeError::new(
            ErrorClass::Interrupted,
            "stopped by the user before the upload".to_string(),
        )),
    };
    let p = match prepared {
        Ok(p) => p,
        Err(e) => {
            m.outcome = out.failed(e);
            m.outcome.duration_ms = start.elapsed().as_millis() as u64;
            return m;
        }
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let loaded = async {
        match &p.hop {
            Some(h) => latency::during(h, stop_rx).await,
            None => vec![],
        }
    };
    let measuring = async {
        let up = if matches!(p.url.scheme(), "ws" | "wss") {
            upload::ndt7(p.stream, &p.peer, asked.duration, stop, p.queue).await
        } else {
            let path = &p.url[url::Position::BeforePath..url::Position::AfterQuery];
            upload::post(p.stream, &p.host, path, asked.duration, stop, p.queue).await
        };
        let _ = stop_tx.send(true);
        up
    };
    let (up, loaded) = tokio::join!(measuring, loaded);
    m.idle_rtt_ms = latency::median(&p.idle);
    m.loaded_rtt_ms = latency::median(&loaded.iter().map(|s| s.1).collect::<Vec<_>>());
    m.loaded = loaded;
    m.upload = up;
    m.outcome = outcome::assemble(out, &m);
    m.outcome.duration_ms = start.elapsed().as_millis() as u64;
    m
}

/// The upload, ready to start.
struct Prepared {
    /// The peer's full URL (with M-Lab's access token).
    peer: String,
    url: url::Url,
    host: String,
    stream: Box<dyn upload::Io>,
    queue: upload::SendQueue,
    hop: Option<latency::Hop>,
    idle: Vec<f64>,
}

/// Everything before the upload: the peer (located when not given), the connection, idle
/// latency, UDP at the media rate; then wait for `ready`.
async fn prepare(
    asked: &Asked<'_>,
    dns: &Dns,
    env: &Env,
    via: Option<&Proxy>,
    m: &mut Measured,
    out: &mut Outcome,
    ready: impl std::future::Future<Output = ()>,
) -> Result<Prepared, ProbeError> {
    let peer = match asked.url {
        Some(u) => u.to_string(),
        None => locate(dns, env, via)
            .await
            .map_err(|e| e.context("no measurement peer"))?,
    };
    // The peer as shown: without M-Lab's access token, nor credentials.
    m.peer = crate::inert::line(peer.split('?').next().unwrap_or(&peer));
    out.target = m.peer.clone();
    let url = match url::Url::parse(&peer) {
        Ok(u)
            if matches!(u.scheme(), "ws" | "wss" | "http" | "https") && u.host_str().is_some() =>
        {
            u
        }
        _ => {
            return Err(ProbeError::new(
                ErrorClass::Local,
                format!(
                    "--bandwidth-url {peer}: use ws(s)://HOST/ndt/v7/upload or http(s)://HOST/upload"
                ),
            ));
        }
    };
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let tls = matches!(url.scheme(), "wss" | "https");
    let (stream, first_hop, queue) = connect(dns, env, via, &host, port, tls, out).await?;
    // Latency is sampled on fresh connections along the upload's path: to the peer, or
    // through the proxy to the peer (a sample to the proxy alone would miss the school's uplink).
    let hop = match via {
        Some(p) => Some(latency::Hop::Tunnel {
            proxy: p.clone(),
            host: host.clone(),
            port,
        }),
        None => first_hop.map(latency::Hop::Direct),
    };
    let idle = match &hop {
        Some(h) => latency::idle(h, env.timeout).await,
        None => vec![],
    };
    // UDP at the media rate, after idle latency (which it must not load), before the upload.
    // Only to a peer named with --bandwidth-url, and only if it says it echoes.
    m.media = match (&asked.media, asked.url) {
        (None, _) => None,
        (Some(p), None) => Some(media::MediaUdp::not_measured(
            p,
            &host,
            media::NotMeasured::NoEchoAtMLab,
        )),
        (Some(p), Some(_)) => Some(
            media::measure(
                &host,
                media::DEFAULT_PORT,
                dns,
                p,
                env.timeout.min(Duration::from_secs(1)),
            )
            .await,
        ),
    };
    ready.await;
    let queue = queue.with_rtt(latency::median(&idle));
    Ok(Prepared {
        peer,
        url,
        host,
        stream,
        queue,
        hop,
        idle,
    })
}
