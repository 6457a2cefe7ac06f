//! The measurement peer: found (M-Lab's locate API, when `--bandwidth-url` does not name one)
//! and connected to (directly or through the proxy, TLS when asked).

use super::upload;
use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind};
use crate::probe::{Env, dns::Dns, proxy::Proxy};
use std::net::SocketAddr;

/// M-Lab's locate API: the nearest ndt7 server, with access tokens in its URLs.
pub const MLAB_LOCATE: &str = "https://locate.measurementlab.net/v2/nearest/ndt/ndt7";

/// The measurement peer: `--bandwidth-url`, or the nearest M-Lab ndt7 server.
pub(super) async fn locate(
    dns: &Dns,
    env: &Env,
    via: Option<&Proxy>,
) -> Result<String, ProbeError> {
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
pub(super) async fn connect(
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
