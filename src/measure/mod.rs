//! Measurements beside and after the connectivity probes: path quality (a paced UDP stream to
//! each platform's STUN/TURN server, started as soon as a probe shows UDP reaching it), then
//! upload bandwidth (ndt7 or a POST sink) with latency idle and under load, and UDP at the
//! speaker's media rate to the measurement peer. What does not disturb each other overlaps:
//! while path quality runs, the upload's connection is made, idle latency is sampled and the
//! media-rate stream runs; the upload itself starts once path quality is done. Like the probes,
//! they never print, each has a deadline, and a failure is an outcome with its class and
//! whatever was measured until then.

pub mod latency;
pub mod media;
pub mod needs;
pub mod quality;
pub mod upload;

use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Status, Transport};
use crate::plan::Step;
use crate::probe::{Env, dns::Dns, proxy::Proxy};
use crate::runner::Observer;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// M-Lab's locate API: the nearest ndt7 server, with access tokens in its URLs.
pub const MLAB_LOCATE: &str = "https://locate.measurementlab.net/v2/nearest/ndt/ndt7";
/// Seconds of audio-like packets for the path quality: 125 packets, one loss is 0.8 %, under
/// the 1 % threshold.
pub const QUALITY_SECONDS: f64 = 2.5;
/// Loaded minus idle latency above this hurts live audio (the M365 test's bufferbloat insight).
pub const BUFFERBLOAT_MS: f64 = 100.0;

/// Resolves at `end`, never when there is none (a stream's grace after its last packet).
async fn until(end: Option<tokio::time::Instant>) {
    match end {
        Some(e) => tokio::time::sleep_until(e).await,
        None => std::future::pending().await,
    }
}

/// Where the path quality of a platform is measured: the first STUN/TURN server that answered
/// over UDP (its address is in the outcome). None when UDP gets through nowhere.
pub fn quality_target(outcomes: &[&Outcome]) -> Option<(String, SocketAddr)> {
    outcomes
        .iter()
        .filter(|o| {
            matches!(o.kind, ProbeKind::Stun | ProbeKind::Turn)
                && o.transport == Some(Transport::Udp)
                && o.works()
        })
        .find_map(|o| {
            let a = o.data_str("address")?.parse().ok()?;
            Some((o.target.clone(), a))
        })
}

/// Path quality started early: an observer of the connectivity probes that starts measuring a
/// STUN/TURN server as soon as a probe got an answer from it over UDP, while the other probes
/// go on (a few small packets every 20 ms do not disturb them). Measurements nobody takes are
/// stopped when this is dropped.
pub struct EarlyQuality {
    inner: Arc<dyn Observer>,
    running: Mutex<HashMap<SocketAddr, tokio::task::JoinHandle<Outcome>>>,
}

impl EarlyQuality {
    pub fn new(inner: Arc<dyn Observer>) -> Arc<EarlyQuality> {
        Arc::new(EarlyQuality {
            inner,
            running: Mutex::default(),
        })
    }

    /// The path quality of `addr`, if it was started early.
    pub async fn take(&self, addr: SocketAddr) -> Option<Outcome> {
        let h = self.running.lock().unwrap().remove(&addr)?;
        h.await.ok()
    }
}

impl Observer for EarlyQuality {
    fn started(&self, total: usize) {
        self.inner.started(total);
    }
    fn finished(&self, index: usize, step: &Step, outcome: &Outcome) {
        self.inner.finished(index, step, outcome);
        if let Some((target, addr)) = quality_target(&[outcome]) {
            self.running.lock().unwrap().entry(addr).or_insert_with(|| {
                tokio::spawn(async move { quality::probe(&target, addr, QUALITY_SECONDS).await })
            });
        }
    }
    fn phase(&self, what: &str) {
        self.inner.phase(what);
    }
}

impl Drop for EarlyQuality {
    fn drop(&mut self) {
        for (_, h) in self.running.lock().unwrap().drain() {
            h.abort();
        }
    }
}

/// The `udp_quality` outcome of a platform whose UDP does not get through.
pub fn quality_not_measured() -> Outcome {
    Outcome::new(ProbeKind::UdpQuality, "udp", Some(Transport::Udp)).skipped(
        "UDP reaches no STUN/TURN server of this platform: media goes over the TCP/TLS fallback, path quality over UDP not measured",
    )
}

/// What the upload measurement found, for the report.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The `bandwidth` outcome (status, class, data).
    pub outcome: Outcome,
    pub upload: upload::Upload,
    pub peer: String,
    pub idle_rtt_ms: Option<f64>,
    pub loaded_rtt_ms: Option<f64>,
    /// The loaded latency samples: (ms since the upload started, handshake ms).
    pub loaded: Vec<(f64, f64)>,
    /// The measurement went through this proxy: the figure is the path to the proxy.
    pub via: Option<String>,
    /// UDP at the media rate to the same peer (None when not asked for).
    pub media: Option<media::MediaUdp>,
}

impl Measured {
    pub fn kbps(&self) -> Option<f64> {
        self.upload.kbps().map(|k| k.round())
    }
}

/// The measurement peer: `--bandwidth-url`, or the nearest M-Lab ndt7 server.
async fn locate(dns: &Dns, env: &Env, via: Option<&Proxy>) -> Result<String, ProbeError> {
    let url = url::Url::parse(MLAB_LOCATE).expect("a valid URL");
    let host = url.host_str().unwrap_or_default().to_string();
    let mut scratch = Outcome::new(ProbeKind::Bandwidth, MLAB_LOCATE, None);
    let (stream, ..) = connect(dns, env, via, &host, 443, true, &mut scratch).await?;
    let answer = crate::probe::fetch::get(stream, &host, url.path(), env.timeout).await?;
    if answer.status == 204 {
        return Err(ProbeError::new(
            ErrorClass::NoResponse,
            "M-Lab has no ndt7 server with capacity right now (204)",
        ));
    }
    if answer.status != 200 {
        return Err(ProbeError::new(
            ErrorClass::HttpStatus,
            format!("M-Lab's locate API answered HTTP {}", answer.status),
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&answer.body).map_err(|e| {
        ProbeError::new(
            ErrorClass::Malformed,
            format!("M-Lab's locate answer is not JSON ({e})"),
        )
    })?;
    v["results"]
        .as_array()
        .and_then(|r| r.first())
        .and_then(|r| r["urls"]["wss:///ndt/v7/upload"].as_str())
        .map(str::to_string)
        .ok_or_else(|| {
            ProbeError::new(
                ErrorClass::Malformed,
                "M-Lab's locate answer names no ndt7 upload URL",
            )
        })
}

/// A stream to `host:port` (through `via` when a proxy is in use), TLS when `tls`, and the
/// address of its first hop (the peer, or the proxy). Connection and handshake share one
/// deadline, like the probes'.
async fn connect(
    dns: &Dns,
    env: &Env,
    via: Option<&Proxy>,
    host: &str,
    port: u16,
    tls: bool,
    out: &mut Outcome,
) -> Result<(Box<dyn upload::Io>, Option<SocketAddr>, upload::SendQueue), ProbeError> {
    let addrs = if via.is_some() {
        vec![]
    } else {
        let (d, addrs) = dns.probe(host).await;
        if let Some(e) = d.error {
            return Err(e);
        }
        addrs
    };
    let run = async {
        let tcp = crate::probe::proxy::open(via, &addrs, host, port, env.timeout, out).await?;
        let hop = tcp.peer_addr().ok();
        if let Some(a) = hop {
            out.set("first_hop", a.to_string());
        }
        let queue = upload::SendQueue::of(&tcp);
        if !tls {
            return Ok((Box::new(tcp) as Box<dyn upload::Io>, hop, queue));
        }
        let (s, facts) =
            crate::probe::tls::handshake(tcp, host, &[b"http/1.1"], &env.trust).await?;
        if let Some(why) = facts.judgement? {
            out.set("tls_inspected", why);
        }
        Ok((Box::new(s) as Box<dyn upload::Io>, hop, queue))
    };
    tokio::time::timeout(env.timeout, run).await.map_err(|_| {
        ProbeError::new(
            ErrorClass::Timeout,
            format!("{host}:{port}: no connection in time"),
        )
    })?
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
            media::MediaUdp::not_measured(p, &host, "the measurement peer could not be reached")
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
    let kbps = up.kbps().map(|k| k.round());
    out.set("method", up.method);
    out.set("ended", up.ended.as_str());
    out.set("send_queue", up.send_queue);
    out.set("bytes_sent", up.bytes_sent);
    if let Some(c) = up.counts.last() {
        out.set("bytes_received", c.bytes);
    }
    if let Some(k) = kbps {
        out.set("upload_kbps", k);
    }
    if let Some(v) = m.idle_rtt_ms {
        out.set("idle_rtt_ms", v);
    }
    if let Some(v) = m.loaded_rtt_ms {
        out.set("loaded_rtt_ms", v);
    }
    if let Some(p) = via {
        out.set(
            "note",
            format!(
                "measured through the proxy {}: the figure is the path to the proxy",
                p.label
            ),
        );
    }
    out = match (&up.error, kbps) {
        (Some(e), Some(_)) => out.warned(ProbeError {
            message: format!("{} (figure measured until then)", e.message),
            ..e.clone()
        }),
        (Some(e), None) => out.failed(e.clone()),
        (None, _) if up.sender_counted => out.warn(
            ErrorClass::NoResponse,
            "the peer sent no count of what it received: figure counted by the sender, it may overstate",
        ),
        (None, None) => out.fail(ErrorClass::NoResponse, "nothing could be measured"),
        (None, Some(_)) => match (m.idle_rtt_ms, m.loaded_rtt_ms) {
            (Some(i), Some(l)) if l - i > BUFFERBLOAT_MS => out.warn(
                ErrorClass::LatencyUnderLoad,
                format!(
                    "latency rises from {i:.0} ms to {l:.0} ms while uploading: live audio will lag whenever the link is busy"
                ),
            ),
            _ => out,
        },
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    m.outcome = out;
    m.upload = up;
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
            "M-Lab's servers have no UDP echo: host preflight serve and name it with --bandwidth-url",
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

/// The bandwidth outcome one platform shows: the measurement, judged against its needs.
pub fn judged(m: &Measured, fit: &needs::Fit) -> Outcome {
    let mut o = m
        .outcome
        .clone()
        .with("needed_kbps", fit.needed_kbps)
        .with("fits", fit.fits)
        .with("advice", fit.advice.clone());
    if let Some(b) = &fit.best {
        o.set("best_fit_kbps", b.kbps);
    }
    // Not enough upload is the finding that matters most; a latency rise stays in `data`.
    let latency = o.class() == Some(ErrorClass::LatencyUnderLoad);
    if fit.fits != "fits" && (o.status == Status::Ok || latency) {
        if let Some(e) = o.error.take() {
            o.set("latency_under_load", e.message);
        }
        o = o.warn(ErrorClass::Insufficient, fit.advice.clone());
    }
    if let Some(p) = policed(m, fit) {
        let why = format!(
            "UDP is policed below this platform's media rate: {} % lost at {} kbit/s, {} kbit/s got through",
            p["loss_pct"], p["target_kbps"], p["received_kbps"]
        );
        o.set("udp_policed", p);
        let latency = o.class() == Some(ErrorClass::LatencyUnderLoad);
        if o.status == Status::Ok || latency {
            if let Some(e) = o.error.take() {
                o.set("latency_under_load", e.message);
            }
            o = o.warn(ErrorClass::PoorQuality, why);
        }
    }
    o
}

/// UDP policed for this platform's media: the stream at media rate lost more than a few
/// percent without queueing (not congestion) while TCP carried more than that rate, and what got
/// through is less than this platform's stream. With the figures, and the fullest webcam
/// quality that fits in what got through.
fn policed(m: &Measured, fit: &needs::Fit) -> Option<serde_json::Value> {
    let md = m.media.as_ref()?;
    let s = md.result.as_ref().ok()?;
    let tcp = m.kbps()?;
    if s.congested
        || s.loss_pct <= media::POLICED_LOSS_PCT
        || tcp < md.target_kbps
        || s.received_kbps >= fit.media_kbps
    {
        return None;
    }
    let webcam = fit
        .webcams
        .iter()
        .find(|(_, k)| *k <= s.received_kbps * needs::HEADROOM)
        .map(|w| w.0.clone());
    Some(serde_json::json!({
        "loss_pct": s.loss_pct,
        "target_kbps": md.target_kbps,
        "received_kbps": s.received_kbps,
        "media_kbps": fit.media_kbps,
        "upload_kbps": tcp,
        "webcam": webcam,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Role;
    use crate::report::Lang;

    /// An upload of `tcp` kbit/s, and the stream at media rate with `loss` % lost and `got`
    /// kbit/s through.
    fn measured_at(tcp: u64, loss: f64, got: f64, congested: bool) -> Measured {
        let counts = (1..=16u64)
            .map(|i| upload::Count {
                elapsed_us: i * 250_000,
                bytes: i * tcp * 1000 / 8 / 4,
            })
            .collect();
        Measured {
            outcome: Outcome::new(ProbeKind::Bandwidth, "ws://peer", None),
            upload: upload::Upload {
                counts,
                bytes_sent: 11_000_000,
                ..upload::Upload::default()
            },
            peer: "ws://peer".into(),
            idle_rtt_ms: None,
            loaded_rtt_ms: None,
            loaded: vec![],
            via: None,
            media: Some(media::MediaUdp {
                target_kbps: 890.0,
                platform: "bbb".into(),
                peer: "peer:3478".into(),
                result: Ok(media::Stats {
                    sent: 400,
                    received: 220,
                    packet_bytes: 1200,
                    loss_pct: loss,
                    jitter_ms: 1.0,
                    received_kbps: got,
                    duration_ms: 2000,
                    congested,
                    garbage: 0,
                }),
            }),
        }
    }

    fn measured(loss: f64, got: f64, congested: bool) -> Measured {
        measured_at(20_000, loss, got, congested)
    }

    #[test]
    fn policed_udp_is_judged_per_platform() {
        let mut hd = needs::tests::bbb();
        hd.webcam_default = "hd".into();
        let fit = needs::judge(&hd, Role::Speaker, 20_000.0, Lang::En);
        assert_eq!(fit.media_kbps, 890.0);
        let o = judged(&measured(45.0, 490.0, false), &fit);
        assert_eq!(o.class(), Some(ErrorClass::PoorQuality), "{o:?}");
        let p = &o.data["udp_policed"];
        assert_eq!(p["loss_pct"], 45.0);
        // 490 × 0.75 = 367: the microphone with the 'medium' webcam (260) fits, 'high' (575) not.
        assert_eq!(p["webcam"], "medium");
        // The same loss is no finding for a platform whose stream gets through.
        let bbb = needs::judge(&needs::tests::bbb(), Role::Speaker, 20_000.0, Lang::En);
        assert!(
            judged(&measured(45.0, 490.0, false), &bbb)
                .data
                .get("udp_policed")
                .is_none()
        );
        // Nor a queue building up (the uplink itself is too thin), nor a few lost packets.
        assert!(
            judged(&measured(45.0, 490.0, true), &fit)
                .data
                .get("udp_policed")
                .is_none()
        );
        assert!(
            judged(&measured(3.0, 860.0, false), &fit)
                .data
                .get("udp_policed")
                .is_none()
        );
        // Nor loss at a rate TCP does not carry either (the upload finding says it).
        let m = measured_at(700, 45.0, 490.0, false);
        assert_eq!(m.kbps(), Some(700.0));
        assert!(judged(&m, &fit).data.get("udp_policed").is_none());
    }
}
