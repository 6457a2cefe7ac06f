//! Measurements after the connectivity probes: path quality (a paced UDP stream to each
//! platform's STUN/TURN server), upload bandwidth (ndt7 or a POST sink) with latency idle and
//! under load. Like the probes, they never print, each has a deadline, and a failure is an
//! outcome with its class and whatever was measured until then.

pub mod latency;
pub mod needs;
pub mod quality;
pub mod upload;

use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Status, Transport};
use crate::probe::{Env, dns::Dns, proxy::Proxy};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// M-Lab's locate API: the nearest ndt7 server, with access tokens in its URLs.
pub const MLAB_LOCATE: &str = "https://locate.measurementlab.net/v2/nearest/ndt/ndt7";
/// Seconds of audio-like packets for the path quality.
pub const QUALITY_SECONDS: f64 = 3.0;
/// Loaded minus idle latency above this hurts live audio (the M365 test's bufferbloat insight).
pub const BUFFERBLOAT_MS: f64 = 100.0;

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
    let (stream, _) = connect(dns, env, via, &host, 443, true, &mut scratch).await?;
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
) -> Result<(Box<dyn upload::Io>, Option<SocketAddr>), ProbeError> {
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
        if !tls {
            return Ok((Box::new(tcp) as Box<dyn upload::Io>, hop));
        }
        let (s, facts) =
            crate::probe::tls::handshake(tcp, host, &[b"http/1.1"], &env.trust).await?;
        if let Some(why) = facts.judgement? {
            out.set("tls_inspected", why);
        }
        Ok((Box::new(s) as Box<dyn upload::Io>, hop))
    };
    tokio::time::timeout(env.timeout, run).await.map_err(|_| {
        ProbeError::new(
            ErrorClass::Timeout,
            format!("{host}:{port}: no connection in time"),
        )
    })?
}

/// Measure the upload for `duration`, with latency idle and under load.
pub async fn bandwidth(
    url: Option<&str>,
    dns: &Dns,
    env: &Env,
    via: Option<&Proxy>,
    duration: Duration,
    stop: upload::Stop,
) -> Measured {
    let start = Instant::now();
    let mut out = Outcome::new(ProbeKind::Bandwidth, url.unwrap_or(MLAB_LOCATE), None);
    let mut m = Measured {
        outcome: out.clone(),
        upload: upload::Upload::default(),
        peer: crate::inert::line(url.unwrap_or(MLAB_LOCATE)),
        idle_rtt_ms: None,
        loaded_rtt_ms: None,
        loaded: vec![],
        via: via.map(|p| p.label.clone()),
    };
    let peer = match url {
        Some(u) => Ok(u.to_string()),
        None => locate(dns, env, via).await,
    };
    let peer = match peer {
        Ok(p) => p,
        Err(e) => {
            m.outcome = out.failed(e.context("no measurement peer"));
            m.outcome.duration_ms = start.elapsed().as_millis() as u64;
            return m;
        }
    };
    // The peer as shown: without M-Lab's access token, nor credentials.
    m.peer = crate::inert::line(peer.split('?').next().unwrap_or(&peer));
    out.target = m.peer.clone();
    let parsed = match url::Url::parse(&peer) {
        Ok(u)
            if matches!(u.scheme(), "ws" | "wss" | "http" | "https") && u.host_str().is_some() =>
        {
            u
        }
        _ => {
            m.outcome = out.fail(
                ErrorClass::Local,
                format!("--bandwidth-url {peer}: use ws(s)://HOST/ndt/v7/upload or http(s)://HOST/upload"),
            );
            return m;
        }
    };
    let host = parsed.host_str().unwrap_or_default().to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let tls = matches!(parsed.scheme(), "wss" | "https");
    let (stream, first_hop) = match connect(dns, env, via, &host, port, tls, &mut out).await {
        Ok(s) => s,
        Err(e) => {
            m.outcome = out.failed(e);
            m.outcome.duration_ms = start.elapsed().as_millis() as u64;
            return m;
        }
    };
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
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let loaded = async {
        match &hop {
            Some(h) => latency::during(h, stop_rx).await,
            None => vec![],
        }
    };
    let measuring = async {
        let up = if matches!(parsed.scheme(), "ws" | "wss") {
            upload::ndt7(stream, &peer, duration, stop).await
        } else {
            let path = &parsed[url::Position::BeforePath..url::Position::AfterQuery];
            upload::post(stream, &host, path, duration, stop).await
        };
        let _ = stop_tx.send(true);
        up
    };
    let (up, loaded) = tokio::join!(measuring, loaded);
    m.idle_rtt_ms = latency::median(&idle);
    m.loaded_rtt_ms = latency::median(&loaded.iter().map(|s| s.1).collect::<Vec<_>>());
    m.loaded = loaded;
    let kbps = up.kbps().map(|k| k.round());
    out.set("method", up.method);
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
        (Some((c, msg)), Some(_)) => out.warn(*c, format!("{msg} (figure measured until then)")),
        (Some((c, msg)), None) => out.fail(*c, msg.clone()),
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
    o
}
