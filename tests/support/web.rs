//! An HTTPS + WebSocket server on loopback that answers like BigBlueButton (the API index with
//! SUCCESS, WebSocket upgrades on /bbb-webrtc-sfu and /graphql), optionally TURN over TLS on the
//! same port with ALPN `stun.turn` (haproxy's routing on a BigBlueButton server), and the ways a
//! filter or a broken server answers instead.

use super::pki::Leaf;
use super::{Task, rt, stun};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

pub const API_OK: &str = "<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>3.0.4</bbbVersion></response>";
pub const BLOCK_TITLE: &str = "e2guardian - Accès interdit";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The real service.
    Bbb,
    /// A filter's page for every request, with status 200 (what e2guardian does).
    BlockPage,
    /// The API works but a proxy refuses WebSocket upgrades (403 from squid).
    RefuseUpgrade,
    /// WebSocket paths answer 404 from the web server itself (reachable, needs a session).
    NeedsSession,
    /// Header lines forever after the status line.
    EndlessHeaders,
    /// A 200 whose body never ends.
    EndlessBody,
    /// Reads the request, then resets the connection.
    ResetAfterRequest,
    /// Accepts TCP and never speaks TLS.
    SilentTls,
}

#[derive(Clone)]
pub struct WebOptions {
    pub mode: Mode,
    /// Also answer TURN over TLS (ALPN stun.turn) on this port.
    pub turn: bool,
}

impl Default for WebOptions {
    fn default() -> Self {
        WebOptions {
            mode: Mode::Bbb,
            turn: true,
        }
    }
}

pub struct WebServer {
    pub addr: SocketAddr,
    _task: Task,
}

impl WebServer {
    pub fn start(addr: SocketAddr, leaf: &Leaf, opts: WebOptions) -> std::io::Result<WebServer> {
        let mut cfg = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(leaf.chain.clone(), leaf.key())
            .expect("server certificate");
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        if opts.turn {
            cfg.alpn_protocols.push(b"stun.turn".to_vec());
        }
        let acceptor = TlsAcceptor::from(Arc::new(cfg));
        let listener = rt().block_on(TcpListener::bind(addr))?;
        let addr = listener.local_addr()?;
        let task = rt().spawn(async move {
            while let Ok((tcp, from)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let mode = opts.mode;
                tokio::spawn(async move {
                    if mode == Mode::SilentTls {
                        let _keep = tcp;
                        tokio::time::sleep(Duration::from_secs(120)).await;
                        return;
                    }
                    let Ok(Ok(tls)) =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                    else {
                        return;
                    };
                    let alpn = tls.get_ref().1.alpn_protocol().map(|a| a.to_vec());
                    if alpn.as_deref() == Some(b"stun.turn") {
                        stun::serve_stream(tls, from, stun::Mode::Good).await;
                    } else {
                        let _ = serve_http(tls, mode).await;
                    }
                });
            }
        });
        Ok(WebServer {
            addr,
            _task: Task(vec![task]),
        })
    }
}

/// Read one request head (at most 16 KiB).
async fn read_head<S: AsyncRead + Unpin>(
    s: &mut S,
) -> Option<(String, String, Vec<(String, String)>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 16 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    req.parse(&buf).ok()?;
    let h = req
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Some((req.method?.to_string(), req.path?.to_string(), h))
}

fn response(status: &str, extra: &str, ctype: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// What nginx answers for a path it does not serve.
fn not_found() -> String {
    response(
        "404 Not Found",
        "Server: nginx\r\n",
        "text/html",
        "<html><head><title>404 Not Found</title></head></html>",
    )
}

async fn serve_http<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    mode: Mode,
) -> std::io::Result<()> {
    let Some((_method, path, headers)) = read_head(&mut s).await else {
        return Ok(());
    };
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let upgrade = header("upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    match mode {
        Mode::BlockPage => {
            let page = format!(
                "<html><head><title>{BLOCK_TITLE}</title></head><body><h1>Accès interdit</h1><p>Le site {path} est bloqué par le filtre.</p></body></html>"
            );
            s.write_all(response("200 ", "", "text/html; charset=utf-8", &page).as_bytes())
                .await
        }
        Mode::EndlessHeaders => {
            s.write_all(b"HTTP/1.1 200 OK\r\n").await?;
            let line = format!("X-Padding: {}\r\n", "a".repeat(1000));
            loop {
                s.write_all(line.as_bytes()).await?;
            }
        }
        Mode::EndlessBody => {
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n")
                .await?;
            let chunk = vec![b'a'; 16 * 1024];
            loop {
                s.write_all(&chunk).await?;
            }
        }
        Mode::ResetAfterRequest => Ok(()), // dropped unread: the peer sees the connection cut
        Mode::SilentTls => Ok(()),
        Mode::Bbb | Mode::RefuseUpgrade | Mode::NeedsSession if upgrade => {
            let ws_path = path == "/bbb-webrtc-sfu" || path == "/graphql";
            match (mode, header("sec-websocket-key")) {
                (Mode::RefuseUpgrade, _) => {
                    let page = "<html><head><title>ERROR: The requested URL could not be retrieved</title></head></html>";
                    s.write_all(
                        response(
                            "403 Forbidden",
                            "Server: squid/5.7\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nVia: 1.1 proxy (squid/5.7)\r\n",
                            "text/html",
                            page,
                        )
                        .as_bytes(),
                    )
                    .await
                }
                (Mode::Bbb, Some(key)) if ws_path => {
                    let accept = derive_accept_key(key.trim().as_bytes());
                    s.write_all(
                        format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n")
                            .as_bytes(),
                    )
                    .await?;
                    let mut ws =
                        tokio_tungstenite::WebSocketStream::from_raw_socket(s, Role::Server, None)
                            .await;
                    use futures_util::StreamExt;
                    let _ = tokio::time::timeout(Duration::from_secs(5), async {
                        while let Some(Ok(_)) = ws.next().await {}
                    })
                    .await;
                    Ok(())
                }
                _ => s.write_all(not_found().as_bytes()).await,
            }
        }
        Mode::Bbb | Mode::RefuseUpgrade | Mode::NeedsSession => {
            if path.starts_with("/bigbluebutton/api") {
                s.write_all(response("200 OK", "Server: nginx\r\n", "text/xml", API_OK).as_bytes())
                    .await
            } else {
                s.write_all(not_found().as_bytes()).await
            }
        }
    }
}
