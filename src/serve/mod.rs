//! `preflight serve`: a measurement peer an académie can host (and that the tests use).
//!
//! - `GET /ndt/v7/upload` (WebSocket, subprotocol `net.measurementlab.ndt.v7`): reads what the
//!   client sends and answers, every 250 ms, an ndt7 measurement counting the bytes read from
//!   the connection (`AppInfo.NumBytes`, frames included, as they arrive rather than per whole
//!   message); stops after 15 s whatever the client does.
//! - `POST /upload`: a sink; answers `{"bytes": N, "elapsed_ms": T, "kbps": R}` once the body ends.
//! - `GET /echo`: the request as received (method, path, headers), to see what a proxy changed.
//! - STUN Binding over UDP and TCP (`--stun`), answered with the mapped address (and SOFTWARE
//!   naming preflight serve); on the same UDP port, the client's media-rate packets are each
//!   acknowledged with their arrival time (see `measure::media`).
//!
//! HTTPS/WSS with `--tls-cert`/`--tls-key`, or plain HTTP behind a reverse proxy. One log line
//! per test on stderr.
//!
//! Hostile clients are bounded ([`Limits`]): connections open at once, in all and per address
//! (an IPv6 /64 counts as one), so that one client holding sockets cannot starve the others;
//! ndt7 uploads at once; an idle deadline on every read and a total one on every connection
//! (HTTP, WebSocket, STUN over TCP); header size; and at most a 64 KiB buffer per upload: ndt7
//! frames are counted as they arrive and thrown away, never assembled into 16 MiB messages.
//! The soft file limit is raised to the hard one at start, and the connection cap kept below it.

use crate::errors::{Listener, PemProblem, ServeError};
use crate::probe::tls::provider;
use crate::reply::{json, text};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UdpSocket};

mod gate;
mod ndt7;
mod post;
mod stun;
use gate::{Gate, Pass};
use ndt7::ndt7_upgrade;
use post::post_sink;
pub use stun::stun_answer;
use stun::{stun_tcp, stun_udp};

/// The longest upload a client may run (ndt7 cuts at 13 s; a little margin).
pub const MAX_TEST: Duration = Duration::from_secs(15);
/// The POST sink accepts bodies for this long at most.
pub const MAX_POST: Duration = Duration::from_secs(60);
const MEASURE_EVERY: Duration = Duration::from_millis(250);
const MAX_HEAD: usize = 16 * 1024;
/// Largest ndt7 message the spec allows (2^24 bytes).
const MAX_MESSAGE: u64 = 1 << 24;
/// What an upload's frames are read through (and thrown away): the memory one upload holds.
const READ_BUF: usize = 64 * 1024;
/// The longest any connection lives (the POST sink's limit and a margin): keep-alive included.
pub const MAX_CONNECTION: Duration = Duration::from_secs(75);
/// File descriptors kept out of the connection cap (listeners, the runtime, logs).
const RESERVED_FILES: usize = 64;

/// What `serve` accepts at once, and how long it waits (the `serve` options of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, every address together (HTTP, WebSocket, STUN over TCP).
    pub connections: usize,
    /// Connections open at once from one address (an IPv6 /64 counts as one address).
    pub per_address: usize,
    /// ndt7 uploads running at once.
    pub sessions: usize,
    /// A connection that sends nothing for this long is closed.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connections: 1000,
            per_address: 64,
            sessions: 32,
            idle: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub stun: Option<SocketAddr>,
    pub limits: Limits,
    /// Test day: receive reports and show them live (`--collect`).
    pub collect: Option<Arc<crate::collect::Collector>>,
}

/// Raise the soft limit on open files to the hard one; the limit now in force (None where
/// there is no such limit, as on Windows).
pub fn raise_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct given.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 {
                return None;
            }
            if r.rlim_cur < r.rlim_max {
                let want = libc::rlimit {
                    rlim_cur: r.rlim_max.min(1 << 20),
                    rlim_max: r.rlim_max,
                };
                if want.rlim_cur > r.rlim_cur && libc::setrlimit(libc::RLIMIT_NOFILE, &want) == 0 {
                    r.rlim_cur = want.rlim_cur;
                }
            }
        }
        #[allow(clippy::unnecessary_cast)] // rlim_t is not u64 everywhere
        Some(r.rlim_cur as u64)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Where a started server listens.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub http: SocketAddr,
    pub stun: Option<SocketAddr>,
}

type Log = Arc<dyn Fn(String) + Send + Sync>;

fn tls_acceptor(cert: &PathBuf, key: &PathBuf) -> Result<tokio_rustls::TlsAcceptor, ServeError> {
    let pem = |p: &PathBuf, problem| ServeError::Pem {
        path: crate::inert::line(&p.display().to_string()),
        problem,
    };
    let read =
        |p: &PathBuf| std::fs::read(p).map_err(|e| pem(p, PemProblem::Unreadable(e.to_string())));
    let certs: Vec<_> = rustls_pemfile::certs(&mut &read(cert)?[..])
        .collect::<Result<_, _>>()
        .map_err(|e| pem(cert, PemProblem::BadPem(e.to_string())))?;
    if certs.is_empty() {
        return Err(pem(cert, PemProblem::NoCertificate));
    }
    let key = rustls_pemfile::private_key(&mut &read(key)?[..])
        .map_err(|e| pem(key, PemProblem::BadPem(e.to_string())))?
        .ok_or_else(|| pem(key, PemProblem::NoKey))?;
    let cfg = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    let mut cfg = cfg;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
}

/// The caps in force: the connection cap kept below the file limit (`files`).
pub fn effective(limits: Limits, files: Option<u64>) -> Limits {
    let mut l = limits;
    if let Some(f) = files {
        let room = (f as usize).saturating_sub(RESERVED_FILES).max(1);
        l.connections = l.connections.min(room);
    }
    l.per_address = l.per_address.min(l.connections);
    l
}

/// Bind every listener, then serve in the background until the runtime stops.
/// Errors (address in use, bad certificate) come back before anything is served.
/// STUN's UDP socket and, on the same port, its TCP listener (as STUN servers do). For port 0
/// the system picks the UDP port, which TCP may already use: then another port is picked (a
/// few times), rather than failing on a collision the user did not ask for.
async fn bind_stun(
    addr: SocketAddr,
) -> Result<(UdpSocket, TcpListener, SocketAddr), (Listener, SocketAddr, std::io::Error)> {
    let mut tries = if addr.port() == 0 { 16 } else { 1 };
    loop {
        tries -= 1;
        let udp = UdpSocket::bind(addr)
            .await
            .map_err(|e| (Listener::StunUdp, addr, e))?;
        let bound = udp.local_addr().map_err(|e| (Listener::StunUdp, addr, e))?;
        match TcpListener::bind(bound).await {
            Ok(tcp) => return Ok((udp, tcp, bound)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && tries > 0 => continue,
            Err(e) => return Err((Listener::StunTcp, bound, e)),
        }
    }
}

pub async fn start(opts: &ServeOptions, log: Log) -> Result<Bound, ServeError> {
    let gate = Gate::new(opts.limits);
    let acceptor = match &opts.tls {
        Some((c, k)) => Some(tls_acceptor(c, k)?),
        None => None,
    };
    let bind = |what, addr| {
        move |e: std::io::Error| ServeError::Bind {
            what,
            addr,
            os: e.to_string(),
        }
    };
    let listener = TcpListener::bind(opts.listen)
        .await
        .map_err(bind(Listener::Http, opts.listen))?;
    let http = listener
        .local_addr()
        .map_err(bind(Listener::Http, opts.listen))?;
    let stun = match opts.stun {
        Some(addr) => {
            let (udp, tcp, bound) = bind_stun(addr)
                .await
                .map_err(|(what, at, e)| bind(what, at)(e))?;
            tokio::spawn(stun_udp(udp, log.clone()));
            tokio::spawn(stun_tcp(tcp, gate.clone(), log.clone()));
            Some(bound)
        }
        None => None,
    };
    let collect = opts.collect.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, from)) = listener.accept().await else {
                // Out of file descriptors, most likely: let connections close.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            // Over a cap: closed at once (left in the backlog, it would hold up the clients
            // queued behind it).
            let pass = match gate.enter(from.ip()) {
                Ok(p) => Arc::new(p),
                Err(why) => {
                    gate.refuse(from, why, &log);
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let log = log.clone();
            let acceptor = acceptor.clone();
            let gate = gate.clone();
            let collect = collect.clone();
            tokio::spawn(async move {
                let idle = gate.limits.idle;
                let _ = tokio::time::timeout(MAX_CONNECTION, async move {
                    match acceptor {
                        None => serve_http(tcp, from, log, pass, gate, collect).await,
                        Some(a) => match tokio::time::timeout(idle, a.accept(tcp)).await {
                            Ok(Ok(tls)) => serve_http(tls, from, log, pass, gate, collect).await,
                            _ => log(format!("{from} TLS handshake failed")),
                        },
                    }
                })
                .await;
            });
        }
    });
    Ok(Bound { http, stun })
}

async fn serve_http<S>(
    io: S,
    from: SocketAddr,
    log: Log,
    pass: Arc<Pass>,
    gate: Arc<Gate>,
    collect: Option<Arc<crate::collect::Collector>>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let idle = gate.limits.idle;
    let svc = hyper::service::service_fn(move |req| {
        route(
            req,
            from,
            log.clone(),
            pass.clone(),
            gate.clone(),
            collect.clone(),
        )
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // Starts as soon as the connection waits for a request: the idle deadline.
        .header_read_timeout(idle)
        .max_buf_size(MAX_HEAD.max(8192))
        .serve_connection(TokioIo::new(io), svc)
        .with_upgrades();
    let _ = conn.await;
}

async fn route(
    req: Request<Incoming>,
    from: SocketAddr,
    log: Log,
    pass: Arc<Pass>,
    gate: Arc<Gate>,
    collect: Option<Arc<crate::collect::Collector>>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let path = req.uri().path().to_string();
    if let Some(c) = collect
        && crate::collect::Collector::handles(req.method(), &path)
    {
        return Ok(c.handle(req, from, &log).await);
    }
    Ok(match (req.method().as_str(), path.as_str()) {
        ("GET", "/ndt/v7/upload") => ndt7_upgrade(req, from, log, pass, &gate),
        ("POST", "/upload") => post_sink(req, from, log, gate.limits.idle).await,
        (_, "/echo") => {
            let headers: Vec<serde_json::Value> = req
                .headers()
                .iter()
                .map(|(k, v)| {
                    serde_json::json!([k.as_str(), String::from_utf8_lossy(v.as_bytes())])
                })
                .collect();
            log(format!("{from} echo {} {}", req.method(), req.uri()));
            json(serde_json::json!({
                "method": req.method().as_str(),
                "uri": req.uri().to_string(),
                "version": format!("{:?}", req.version()),
                "from": from.to_string(),
                "headers": headers,
            }))
        }
        ("GET", "/") => text(
            StatusCode::OK,
            "preflight serve: ndt7 upload on /ndt/v7/upload, POST sink on /upload, header echo on /echo\n",
        ),
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stun_takes_one_port_for_udp_and_tcp_and_names_a_taken_one() {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let (udp, tcp, bound) = bind_stun(any).await.unwrap();
        assert_eq!(udp.local_addr().unwrap(), bound);
        assert_eq!(tcp.local_addr().unwrap(), bound);
        // A port asked for by the user whose TCP side is taken: said, not replaced.
        let taken = TcpListener::bind(any).await.unwrap();
        let port = taken.local_addr().unwrap();
        match bind_stun(port).await {
            Err((Listener::StunTcp, at, e)) => {
                assert_eq!(at, port);
                assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
            }
            // The UDP port may be taken too, by chance: then UDP says so.
            Err((Listener::StunUdp, ..)) => {}
            other => panic!("{:?}", other.map(|(_, _, b)| b)),
        }
    }
}
