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

use crate::probe::tls::provider;
use crate::reply::{json, text};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use rtc_stun::attributes::ATTR_SOFTWARE;
use rtc_stun::message::{BINDING_SUCCESS, CLASS_REQUEST, METHOD_BINDING, Message, Setter};
use rtc_stun::textattrs::TextAttribute;
use rtc_stun::xoraddr::XorMappedAddress;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

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

/// One address for the per-address cap: an IPv4 address, or an IPv6 /64 (what one subscriber
/// usually holds).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// Counts the connections open, in all and per address, and the ndt7 sessions.
struct Gate {
    limits: Limits,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
    sessions: Arc<tokio::sync::Semaphore>,
    /// When a refusal was last logged, per address (one line per address every 10 s).
    refused: Mutex<HashMap<IpAddr, Instant>>,
}

/// A connection's place under the caps, given back when dropped.
struct Pass {
    gate: Arc<Gate>,
    key: IpAddr,
}

impl Drop for Pass {
    fn drop(&mut self) {
        if let Ok(mut open) = self.gate.open.lock() {
            open.0 = open.0.saturating_sub(1);
            if let Some(n) = open.1.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    open.1.remove(&self.key);
                }
            }
        }
    }
}

impl Gate {
    fn new(limits: Limits) -> Arc<Gate> {
        Arc::new(Gate {
            limits,
            open: Mutex::new((0, HashMap::new())),
            sessions: Arc::new(tokio::sync::Semaphore::new(limits.sessions)),
            refused: Mutex::new(HashMap::new()),
        })
    }

    /// A place for a connection from `ip`, or why there is none.
    fn enter(self: &Arc<Self>, ip: IpAddr) -> Result<Pass, &'static str> {
        let key = address_key(ip);
        let mut open = self.open.lock().map_err(|_| "internal error")?;
        if open.0 >= self.limits.connections {
            return Err("every connection in use (--max-connections)");
        }
        let mine = open.1.entry(key).or_insert(0);
        if *mine >= self.limits.per_address {
            return Err("this address is at its cap (--max-per-address)");
        }
        *mine += 1;
        open.0 += 1;
        Ok(Pass {
            gate: self.clone(),
            key,
        })
    }

    /// Log a refusal, at most once per address every 10 s.
    fn refuse(&self, from: SocketAddr, why: &str, log: &Log) {
        let key = address_key(from.ip());
        let Ok(mut last) = self.refused.lock() else {
            return;
        };
        let now = Instant::now();
        if last.len() > 10_000 {
            last.retain(|_, t| now.duration_since(*t) < Duration::from_secs(10));
        }
        if last
            .get(&key)
            .is_none_or(|t| now.duration_since(*t) >= Duration::from_secs(10))
        {
            last.insert(key, now);
            log(format!("{from} refused: {why}"));
        }
    }
}

/// Where a started server listens.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub http: SocketAddr,
    pub stun: Option<SocketAddr>,
}

type Log = Arc<dyn Fn(String) + Send + Sync>;

fn tls_acceptor(cert: &PathBuf, key: &PathBuf) -> Result<tokio_rustls::TlsAcceptor, String> {
    let read = |p: &PathBuf| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let certs: Vec<_> = rustls_pemfile::certs(&mut &read(cert)?[..])
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{}: no certificate in this PEM file",
            cert.display()
        ));
    }
    let key = rustls_pemfile::private_key(&mut &read(key)?[..])
        .map_err(|e| format!("{}: {e}", key.display()))?
        .ok_or_else(|| format!("{}: no private key in this PEM file", key.display()))?;
    let cfg = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("certificate and key: {e}"))?;
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
pub async fn start(opts: &ServeOptions, log: Log) -> Result<Bound, String> {
    let gate = Gate::new(opts.limits);
    let acceptor = match &opts.tls {
        Some((c, k)) => Some(tls_acceptor(c, k)?),
        None => None,
    };
    let listener = TcpListener::bind(opts.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
    let http = listener.local_addr().map_err(|e| e.to_string())?;
    let stun = match opts.stun {
        Some(addr) => {
            let udp = UdpSocket::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on UDP {addr}: {e}"))?;
            let bound = udp.local_addr().map_err(|e| e.to_string())?;
            // TCP on the same port as UDP (as STUN servers do).
            let tcp = TcpListener::bind(bound)
                .await
                .map_err(|e| format!("cannot listen on TCP {bound}: {e}"))?;
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

fn ndt7_upgrade(
    req: Request<Incoming>,
    from: SocketAddr,
    log: Log,
    pass: Arc<Pass>,
    gate: &Gate,
) -> Response<Full<Bytes>> {
    let h = req.headers();
    let is_ws = h
        .get(hyper::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let key = h
        .get("sec-websocket-key")
        .map(|k| derive_accept_key(k.as_bytes()));
    let proto_ok = h
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == crate::measure::upload::NDT7_PROTOCOL);
    let (Some(key), true, true) = (key, is_ws, proto_ok) else {
        return text(
            StatusCode::BAD_REQUEST,
            "ndt7 upload: a WebSocket upgrade with subprotocol net.measurementlab.ndt.v7 is expected\n",
        );
    };
    let Ok(session) = gate.sessions.clone().try_acquire_owned() else {
        log(format!(
            "{from} ndt7 refused: {} uploads already running (--max-sessions)",
            gate.limits.sessions
        ));
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "ndt7 upload: too many uploads at once, try again in a minute\n",
        );
    };
    let idle = gate.limits.idle;
    tokio::spawn(async move {
        // The connection's place and the session's are held until the upload ends.
        let _held = (pass, session);
        let _ = tokio::time::timeout(MAX_TEST + Duration::from_secs(5), async move {
            match hyper::upgrade::on(req).await {
                Ok(up) => {
                    // Count what is read from the connection, not whole messages: a 1 MiB
                    // message on a thin uplink takes seconds to complete.
                    let io = crate::measure::upload::Metered::new(TokioIo::new(up));
                    let received = io.read.clone();
                    ndt7_session(io, received, from, log, idle).await;
                }
                Err(e) => log(format!("{from} ndt7 upgrade failed: {e}")),
            }
        })
        .await;
    });
    let mut r = text(StatusCode::SWITCHING_PROTOCOLS, Bytes::new());
    let hs = r.headers_mut();
    hs.insert(hyper::header::UPGRADE, "websocket".parse().unwrap());
    hs.insert(hyper::header::CONNECTION, "Upgrade".parse().unwrap());
    hs.insert("Sec-WebSocket-Accept", key.parse().unwrap());
    hs.insert(
        "Sec-WebSocket-Protocol",
        crate::measure::upload::NDT7_PROTOCOL.parse().unwrap(),
    );
    r
}

/// An ndt7 measurement, as a WebSocket text frame from the server (unmasked).
fn measurement(start: Instant, bytes: u64) -> Vec<u8> {
    let us = start.elapsed().as_micros() as u64;
    let m = serde_json::json!({
        "AppInfo": {"ElapsedTime": us, "NumBytes": bytes},
        "Origin": "server",
        "Test": "upload",
    })
    .to_string();
    frame(0x1, m.as_bytes())
}

/// A final WebSocket frame from the server.
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    match payload.len() {
        n @ 0..=125 => f.push(n as u8),
        n @ 126..=0xffff => {
            f.push(126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(payload);
    f
}

/// Read a client's WebSocket frames (RFC 6455 §5.2) until it closes, throwing payloads away
/// as they arrive: only `READ_BUF` bytes are held, whatever the message size. Every read
/// waits at most `idle`. Ok: how the upload ended; Err: what the client did wrong.
async fn discard_frames<R: AsyncRead + Unpin>(
    r: &mut R,
    idle: Duration,
) -> Result<&'static str, &'static str> {
    let mut buf = vec![0u8; READ_BUF];
    let mut message: u64 = 0;
    loop {
        let mut head = [0u8; 2];
        read_idle(r, &mut head, idle).await?;
        let opcode = head[0] & 0x0f;
        if head[1] & 0x80 == 0 {
            return Err("an unmasked frame from the client");
        }
        let len = match head[1] & 0x7f {
            126 => {
                let mut l = [0u8; 2];
                read_idle(r, &mut l, idle).await?;
                u16::from_be_bytes(l) as u64
            }
            127 => {
                let mut l = [0u8; 8];
                read_idle(r, &mut l, idle).await?;
                u64::from_be_bytes(l)
            }
            n => n as u64,
        };
        let mut mask = [0u8; 4];
        read_idle(r, &mut mask, idle).await?;
        match opcode {
            // Continuation, text, binary: one message may span frames.
            0x0..=0x2 => {
                message = if opcode == 0 {
                    message.saturating_add(len)
                } else {
                    len
                };
                if message > MAX_MESSAGE {
                    return Err("a message larger than ndt7 allows (16 MiB)");
                }
            }
            // Close, ping, pong.
            0x8..=0xa if len <= 125 => {}
            _ => return Err("an invalid frame"),
        }
        let mut left = len;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            let got = match tokio::time::timeout(idle, r.read(&mut buf[..n])).await {
                Err(_) => return Err("idle"),
                Ok(Err(_)) | Ok(Ok(0)) => return Err("cut mid-frame"),
                Ok(Ok(k)) => k,
            };
            left -= got as u64;
        }
        if opcode == 0x8 {
            return Ok("closed by the client");
        }
    }
}

/// Fill `buf`, each read waiting at most `idle`.
async fn read_idle<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut [u8],
    idle: Duration,
) -> Result<(), &'static str> {
    match tokio::time::timeout(idle, r.read_exact(buf)).await {
        Err(_) => Err("idle"),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err("closed"),
        Ok(Err(_)) => Err("broken"),
        Ok(Ok(_)) => Ok(()),
    }
}

async fn ndt7_session<S>(
    io: S,
    received: Arc<AtomicU64>,
    from: SocketAddr,
    log: Log,
    idle: Duration,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut source, mut sink) = tokio::io::split(io);
    let start = Instant::now();
    let bytes = || received.load(Ordering::Relaxed);
    let mut tick = tokio::time::interval(MEASURE_EVERY);
    tick.tick().await;
    let hard_stop = tokio::time::sleep(MAX_TEST);
    tokio::pin!(hard_stop);
    let reading = discard_frames(&mut source, idle);
    tokio::pin!(reading);
    let how;
    loop {
        tokio::select! {
            r = &mut reading => {
                how = match r {
                    Ok(h) => h,
                    Err("closed") => "closed by the client",
                    Err("idle") => "the client went idle",
                    Err(_) => "broken by the client",
                };
                break;
            },
            _ = tick.tick() => {
                // A client that does not read our measurements must not block the count.
                let m = measurement(start, bytes());
                if tokio::time::timeout(Duration::from_secs(1), sink.write_all(&m)).await.is_err() {
                    how = "client stopped reading";
                    break;
                }
            }
            _ = &mut hard_stop => { how = "stopped at the time limit"; break; }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        sink.write_all(&measurement(start, bytes())).await?;
        sink.write_all(&frame(0x8, &1000u16.to_be_bytes())).await?;
        sink.flush().await
    })
    .await;
    let secs = start.elapsed().as_secs_f64();
    let bytes = bytes();
    log(format!(
        "{from} ndt7 upload: {bytes} bytes in {secs:.1} s = {:.2} Mbit/s ({how})",
        bytes as f64 * 8.0 / secs.max(1e-6) / 1e6
    ));
}

async fn post_sink(
    req: Request<Incoming>,
    from: SocketAddr,
    log: Log,
    idle: Duration,
) -> Response<Full<Bytes>> {
    let mut body = req.into_body();
    let mut bytes: u64 = 0;
    let mut first: Option<Instant> = None;
    let start = Instant::now();
    let mut how = "complete";
    loop {
        let left = MAX_POST.saturating_sub(start.elapsed());
        match tokio::time::timeout(left.min(idle), body.frame()).await {
            Err(_) if left <= idle => {
                how = "cut at the time limit";
                break;
            }
            Err(_) => {
                how = "the client went idle";
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                how = "broken by the client";
                break;
            }
            Ok(Some(Ok(f))) => {
                if let Some(d) = f.data_ref() {
                    first.get_or_insert_with(Instant::now);
                    bytes += d.len() as u64;
                }
            }
        }
    }
    let elapsed = first.map(|f| f.elapsed()).unwrap_or_default();
    let ms = (elapsed.as_secs_f64() * 1000.0).max(0.001);
    let kbps = bytes as f64 * 8.0 / ms;
    log(format!(
        "{from} POST upload: {bytes} bytes in {:.1} s = {:.2} Mbit/s ({how})",
        ms / 1000.0,
        kbps / 1000.0
    ));
    json(
        serde_json::json!({"bytes": bytes, "elapsed_ms": (ms * 10.0).round() / 10.0, "kbps": kbps.round()}),
    )
}

/// The answer to a STUN Binding request from `from` (None: not one).
pub fn stun_answer(bytes: &[u8], from: SocketAddr) -> Option<Vec<u8>> {
    let mut req = Message::new();
    req.unmarshal_binary(bytes).ok()?;
    if req.typ.class != CLASS_REQUEST || req.typ.method != METHOD_BINDING {
        return None;
    }
    let mut m = Message::new();
    let setters: Vec<Box<dyn Setter>> = vec![
        Box::new(req.transaction_id),
        Box::new(BINDING_SUCCESS),
        Box::new(XorMappedAddress {
            ip: from.ip(),
            port: from.port(),
        }),
        // Tells preflight's client that this peer echoes media packets on this port.
        Box::new(TextAttribute::new(
            ATTR_SOFTWARE,
            format!(
                "preflight serve {} ({})",
                env!("CARGO_PKG_VERSION"),
                crate::measure::media::SOFTWARE_MARK
            ),
        )),
    ];
    m.build(&setters).ok()?;
    Some(m.raw)
}

async fn stun_udp(sock: UdpSocket, log: Log) {
    let mut buf = [0u8; 2048];
    let mut last_log: Option<(SocketAddr, Instant, bool)> = None;
    let started = Instant::now();
    loop {
        let Ok((n, from)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        // A STUN Binding request, or a packet of the client's UDP test at media rate,
        // acknowledged with its arrival time.
        let (answer, media) = match stun_answer(&buf[..n], from) {
            Some(a) => (Some(a), false),
            None => (
                crate::measure::media::echo(&buf[..n], started.elapsed().as_micros() as u64),
                true,
            ),
        };
        let Some(a) = answer else { continue };
        let _ = sock.send_to(&a, from).await;
        // One line per client and test, not per packet.
        if last_log.is_none_or(|(f, t, m)| {
            f != from || m != media || t.elapsed() > Duration::from_secs(10)
        }) {
            log(format!(
                "{from} {}",
                if media {
                    "UDP at media rate (echo)"
                } else {
                    "STUN over UDP"
                }
            ));
            last_log = Some((from, Instant::now(), media));
        }
    }
}

async fn stun_tcp(listener: TcpListener, gate: Arc<Gate>, log: Log) {
    loop {
        let Ok((mut s, from)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let pass = match gate.enter(from.ip()) {
            Ok(p) => p,
            Err(why) => {
                gate.refuse(from, why, &log);
                continue;
            }
        };
        let log = log.clone();
        let idle = gate.limits.idle;
        tokio::spawn(async move {
            let _pass = pass;
            let _ = tokio::time::timeout(Duration::from_secs(30), async {
                loop {
                    let mut head = [0u8; 20];
                    if read_idle(&mut s, &mut head, idle).await.is_err() {
                        return Ok::<_, std::io::Error>(());
                    }
                    let len = u16::from_be_bytes([head[2], head[3]]) as usize;
                    if len > 2048 {
                        return Ok(());
                    }
                    let mut msg = head.to_vec();
                    msg.resize(20 + len, 0);
                    if read_idle(&mut s, &mut msg[20..], idle).await.is_err() {
                        return Ok(());
                    }
                    match stun_answer(&msg, from) {
                        Some(a) => s.write_all(&a).await?,
                        None => return Ok(()),
                    }
                    log(format!("{from} STUN over TCP"));
                }
            })
            .await;
        });
    }
}
