//! `preflight serve`: a measurement peer an académie can host (and that the tests use).
//!
//! - `GET /ndt/v7/upload` (WebSocket, subprotocol `net.measurementlab.ndt.v7`): reads what the
//!   client sends and answers, every 250 ms, an ndt7 measurement counting the bytes read from
//!   the connection (`AppInfo.NumBytes`, frames included, as they arrive rather than per whole
//!   message); stops after 15 s whatever the client does.
//! - `POST /upload`: a sink; answers `{"bytes": N, "elapsed_ms": T, "kbps": R}` once the body ends.
//! - `GET /echo`: the request as received (method, path, headers), to see what a proxy changed.
//! - STUN Binding over UDP and TCP (`--stun`), answered with the mapped address.
//!
//! HTTPS/WSS with `--tls-cert`/`--tls-key`, or plain HTTP behind a reverse proxy. One log line
//! per test on stderr. Hostile clients are bounded: header size and time, body time, message size.

use crate::probe::tls::provider;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use rtc_stun::message::{BINDING_SUCCESS, CLASS_REQUEST, METHOD_BINDING, Message, Setter};
use rtc_stun::xoraddr::XorMappedAddress;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message as WsMessage, handshake::derive_accept_key};

/// The longest upload a client may run (ndt7 cuts at 13 s; a little margin).
pub const MAX_TEST: Duration = Duration::from_secs(15);
/// The POST sink accepts bodies for this long at most.
pub const MAX_POST: Duration = Duration::from_secs(60);
const MEASURE_EVERY: Duration = Duration::from_millis(250);
const MAX_HEAD: usize = 16 * 1024;
/// Largest ndt7 message the spec allows (2^24 bytes).
const MAX_MESSAGE: usize = 1 << 24;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub stun: Option<SocketAddr>,
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

/// Bind every listener, then serve in the background until the runtime stops.
/// Errors (address in use, bad certificate) come back before anything is served.
pub async fn start(opts: &ServeOptions, log: Log) -> Result<Bound, String> {
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
            tokio::spawn(stun_tcp(tcp, log.clone()));
            Some(bound)
        }
        None => None,
    };
    tokio::spawn(async move {
        loop {
            let Ok((tcp, from)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let log = log.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                match acceptor {
                    None => serve_http(tcp, from, log).await,
                    Some(a) => {
                        match tokio::time::timeout(Duration::from_secs(10), a.accept(tcp)).await {
                            Ok(Ok(tls)) => serve_http(tls, from, log).await,
                            _ => log(format!("{from} TLS handshake failed")),
                        }
                    }
                }
            });
        }
    });
    Ok(Bound { http, stun })
}

async fn serve_http<S>(io: S, from: SocketAddr, log: Log)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req| route(req, from, log.clone()));
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .max_buf_size(MAX_HEAD.max(8192))
        .serve_connection(TokioIo::new(io), svc)
        .with_upgrades();
    let _ = conn.await;
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r
}

fn json(v: serde_json::Value) -> Response<Full<Bytes>> {
    let mut r = text(StatusCode::OK, v.to_string());
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn route(
    req: Request<Incoming>,
    from: SocketAddr,
    log: Log,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let path = req.uri().path().to_string();
    Ok(match (req.method().as_str(), path.as_str()) {
        ("GET", "/ndt/v7/upload") => ndt7_upgrade(req, from, log),
        ("POST", "/upload") => post_sink(req, from, log).await,
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

fn ndt7_upgrade(req: Request<Incoming>, from: SocketAddr, log: Log) -> Response<Full<Bytes>> {
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
    tokio::spawn(async move {
        match hyper::upgrade::on(req).await {
            Ok(up) => {
                let mut cfg = WebSocketConfig::default();
                cfg.max_message_size = Some(MAX_MESSAGE);
                cfg.max_frame_size = Some(MAX_MESSAGE);
                // Count what is read from the connection, not whole messages: a 1 MiB
                // message on a thin uplink takes seconds to complete.
                let received = Arc::new(AtomicU64::new(0));
                let io = Counting {
                    inner: TokioIo::new(up),
                    read: received.clone(),
                };
                let ws = WebSocketStream::from_raw_socket(io, Role::Server, Some(cfg)).await;
                ndt7_session(ws, received, from, log).await;
            }
            Err(e) => log(format!("{from} ndt7 upgrade failed: {e}")),
        }
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

fn measurement(start: Instant, bytes: u64) -> WsMessage {
    let us = start.elapsed().as_micros() as u64;
    WsMessage::text(
        serde_json::json!({
            "AppInfo": {"ElapsedTime": us, "NumBytes": bytes},
            "Origin": "server",
            "Test": "upload",
        })
        .to_string(),
    )
}

/// A stream that counts the bytes read from it.
struct Counting<S> {
    inner: S,
    read: Arc<AtomicU64>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counting<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        self.read.fetch_add(n, Ordering::Relaxed);
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counting<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

async fn ndt7_session<S>(
    ws: WebSocketStream<S>,
    received: Arc<AtomicU64>,
    from: SocketAddr,
    log: Log,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut sink, mut source) = ws.split();
    let start = Instant::now();
    let bytes = || received.load(Ordering::Relaxed);
    let mut tick = tokio::time::interval(MEASURE_EVERY);
    tick.tick().await;
    let hard_stop = tokio::time::sleep(MAX_TEST);
    tokio::pin!(hard_stop);
    let mut how = "closed by the client";
    loop {
        tokio::select! {
            m = source.next() => match m {
                Some(Ok(WsMessage::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(_)) => { how = "broken by the client"; break; }
            },
            _ = tick.tick() => {
                // A client that does not read our measurements must not block the count.
                if tokio::time::timeout(Duration::from_secs(1), sink.send(measurement(start, bytes()))).await.is_err() {
                    how = "client stopped reading";
                    break;
                }
            }
            _ = &mut hard_stop => { how = "stopped at the time limit"; break; }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        sink.send(measurement(start, bytes())).await?;
        sink.send(WsMessage::Close(None)).await
    })
    .await;
    let secs = start.elapsed().as_secs_f64();
    let bytes = bytes();
    log(format!(
        "{from} ndt7 upload: {bytes} bytes in {secs:.1} s = {:.2} Mbit/s ({how})",
        bytes as f64 * 8.0 / secs.max(1e-6) / 1e6
    ));
}

async fn post_sink(req: Request<Incoming>, from: SocketAddr, log: Log) -> Response<Full<Bytes>> {
    let mut body = req.into_body();
    let mut bytes: u64 = 0;
    let mut first: Option<Instant> = None;
    let start = Instant::now();
    let mut how = "complete";
    loop {
        let left = MAX_POST.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, body.frame()).await {
            Err(_) => {
                how = "cut at the time limit";
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
    ];
    m.build(&setters).ok()?;
    Some(m.raw)
}

async fn stun_udp(sock: UdpSocket, log: Log) {
    let mut buf = [0u8; 2048];
    let mut last_log: Option<(SocketAddr, Instant)> = None;
    loop {
        let Ok((n, from)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        if let Some(a) = stun_answer(&buf[..n], from) {
            let _ = sock.send_to(&a, from).await;
            // One line per client and test, not per packet.
            if last_log.is_none_or(|(f, t)| f != from || t.elapsed() > Duration::from_secs(10)) {
                log(format!("{from} STUN over UDP"));
                last_log = Some((from, Instant::now()));
            }
        }
    }
}

async fn stun_tcp(listener: TcpListener, log: Log) {
    loop {
        let Ok((mut s, from)) = listener.accept().await else {
            continue;
        };
        let log = log.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(30), async {
                loop {
                    let mut head = [0u8; 20];
                    s.read_exact(&mut head).await?;
                    let len = u16::from_be_bytes([head[2], head[3]]) as usize;
                    if len > 2048 {
                        return Ok::<_, std::io::Error>(());
                    }
                    let mut msg = head.to_vec();
                    msg.resize(20 + len, 0);
                    s.read_exact(&mut msg[20..]).await?;
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
