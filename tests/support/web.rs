//! An HTTPS + WebSocket server on loopback that answers like the real services do, per their
//! published code (shared/research/platforms-verified.md): BigBlueButton 3.0 and 2.7 as
//! bbb-install sets them up (the API with its version, /graphql or /html5client/sockjs upgrading
//! without a session, /bbb-webrtc-sfu answering 401 from nginx's auth_request), and, by host
//! name, b3desk's portal, Scalelite and Livestorm's hosts. Optionally TURN on the same port: over
//! TLS with ALPN `stun.turn` (haproxy's routing on a BigBlueButton server) and over plain TCP
//! (webinaire's relays on 443). And the ways a filter or a broken server answers instead.

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
pub const API_27: &str = "<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>2.7.9</bbbVersion></response>";
/// Scalelite's API index: no bbbVersion.
pub const API_SCALELITE: &str =
    "<response><returncode>SUCCESS</returncode><version>2.0</version></response>";
/// Where b3desk sends an anonymous visitor of /welcome (the State's sign-in provider).
pub const SIGN_IN: &str = "https://auth.proconnect.gouv.fr/api/v2/authorize?client_id=b3desk";
pub const BLOCK_TITLE: &str = "e2guardian - Accès interdit";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// BigBlueButton 3.0 as bbb-install sets it up.
    Bbb,
    /// BigBlueButton 2.7.
    Bbb27,
    /// Every platform, chosen by the Host header: b3desk's portal, Scalelite, BigBlueButton
    /// nodes (bbb-dinum-w1 3.0, w2 2.7), Livestorm's app, API and CDN; anything else is
    /// BigBlueButton 3.0.
    Platforms,
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
    /// Also answer TURN on this port: over TLS with ALPN stun.turn, and over plain TCP.
    pub turn: bool,
    /// The services' pages were reworded (b3desk's portal no longer says "Webinaire").
    pub reworded: bool,
    /// A filter holds TURN on this port: the connection (and over TLS the ALPN stun.turn
    /// handshake) completes, nothing answers.
    pub hold_turn: bool,
}

impl Default for WebOptions {
    fn default() -> Self {
        WebOptions {
            mode: Mode::Bbb,
            turn: true,
            reworded: false,
            hold_turn: false,
        }
    }
}

pub struct WebServer {
    pub addr: SocketAddr,
    _task: Task,
}

impl WebServer {
    pub fn start(addr: SocketAddr, leaf: &Leaf, opts: WebOptions) -> std::io::Result<WebServer> {
        Self::on(std::net::TcpListener::bind(addr)?, leaf, opts)
    }

    /// Serve on a listener bound beforehand (a port chosen and held, that no one can take).
    pub fn on(
        listener: std::net::TcpListener,
        leaf: &Leaf,
        opts: WebOptions,
    ) -> std::io::Result<WebServer> {
        let mut cfg = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(leaf.chain.clone(), leaf.key())
            .expect("server certificate");
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        if opts.turn {
            cfg.alpn_protocols.push(b"stun.turn".to_vec());
        }
        let acceptor = TlsAcceptor::from(Arc::new(cfg));
        listener.set_nonblocking(true)?;
        let listener = {
            let _in = rt().enter();
            TcpListener::from_std(listener)?
        };
        let addr = listener.local_addr()?;
        let task = rt().spawn(async move {
            while let Ok((tcp, from)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let (mode, reworded, hold_turn) = (opts.mode, opts.reworded, opts.hold_turn);
                let turn = opts.turn;
                tokio::spawn(async move {
                    if mode == Mode::SilentTls {
                        let _keep = tcp;
                        tokio::time::sleep(Duration::from_secs(120)).await;
                        return;
                    }
                    // Not a TLS ClientHello: TURN over plain TCP on the same port.
                    let mut first = [0u8; 1];
                    if turn
                        && matches!(
                            tokio::time::timeout(Duration::from_secs(10), tcp.peek(&mut first))
                                .await,
                            Ok(Ok(1))
                        )
                        && first[0] != 0x16
                    {
                        let mode = if hold_turn {
                            stun::Mode::Silent
                        } else {
                            stun::Mode::Good
                        };
                        stun::serve_stream(tcp, from, mode).await;
                        return;
                    }
                    let Ok(Ok(tls)) =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                    else {
                        return;
                    };
                    let alpn = tls.get_ref().1.alpn_protocol().map(|a| a.to_vec());
                    if alpn.as_deref() == Some(b"stun.turn") {
                        let mode = if hold_turn {
                            stun::Mode::Silent
                        } else {
                            stun::Mode::Good
                        };
                        stun::serve_stream(tls, from, mode).await;
                    } else {
                        let _ = serve_http(tls, mode, reworded).await;
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

/// Switch protocols, then hold the WebSocket until the client closes it.
async fn switch<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, key: &str) -> std::io::Result<()> {
    let accept = derive_accept_key(key.trim().as_bytes());
    s.write_all(
        format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n")
            .as_bytes(),
    )
    .await?;
    let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(s, Role::Server, None).await;
    use futures_util::StreamExt;
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    Ok(())
}

/// What nginx answers when `auth_request` finds no session.
fn unauthorized() -> String {
    response(
        "401 Unauthorized",
        "Server: nginx\r\n",
        "text/html",
        "<html><head><title>401 Authorization Required</title></head></html>",
    )
}

fn redirect(to: &str) -> String {
    response(
        "302 Found",
        &format!("Server: nginx\r\nLocation: {to}\r\n"),
        "text/html",
        "<html><head><title>302 Found</title></head></html>",
    )
}

/// What one platform host answers (None: the request is not for a WebSocket we upgrade).
fn answer(host: &str, mode: Mode, reworded: bool, path: &str, upgrade: bool) -> Result<String, ()> {
    let path = path.split('?').next().unwrap_or(path);
    let bbb = |version: u8| -> Result<String, ()> {
        let api = if version == 3 { API_OK } else { API_27 };
        Ok(match (upgrade, path) {
            (true, "/graphql") if version == 3 => return Err(()),
            (true, p) if version == 2 && p.starts_with("/html5client/sockjs") => return Err(()),
            (true, "/bbb-webrtc-sfu") => unauthorized(),
            (true, _) => not_found(),
            (false, p) if p.starts_with("/bigbluebutton/api") => {
                response("200 OK", "Server: nginx\r\n", "text/xml", api)
            }
            (false, "/html5client/") => response(
                "200 OK",
                "Server: nginx\r\n",
                "text/html",
                "<html><head><title>BigBlueButton</title></head><body></body></html>",
            ),
            (false, "/pad/") => unauthorized(),
            _ => not_found(),
        })
    };
    match (mode, host) {
        (Mode::Bbb27, _) | (Mode::Platforms, "bbb-dinum-w2.visio.education.fr") => bbb(2),
        (Mode::Platforms, "webinaire.numerique.gouv.fr") => Ok(match path {
            "/" => redirect("/home"),
            "/home" => {
                let title = if reworded {
                    "Accueil - Visio de l'État"
                } else {
                    "Accueil - Webinaire"
                };
                response(
                    "200 OK",
                    "Server: nginx\r\n",
                    "text/html; charset=utf-8",
                    &format!("<html><head><title>{title}</title></head><body></body></html>"),
                )
            }
            "/welcome" => redirect(SIGN_IN),
            _ => not_found(),
        }),
        (Mode::Platforms, "bbb-dinum-scalelite.visio.education.fr") => {
            Ok(if path.starts_with("/bigbluebutton/api") {
                response("200 OK", "Server: nginx\r\n", "text/xml", API_SCALELITE)
            } else {
                not_found()
            })
        }
        (Mode::Platforms, "app.livestorm.co") => Ok(match (upgrade, path) {
            (false, "/") => redirect("/login"),
            _ => not_found(),
        }),
        (Mode::Platforms, "api.livestorm.co") => Ok(response(
            "401 Unauthorized",
            "",
            "application/json",
            r#"{"errors":[{"title":"Unauthorized"}]}"#,
        )),
        (Mode::Platforms, "cdn.ireland.production.livestorm.io") => Ok(response(
            "403 Forbidden",
            "Server: AmazonS3\r\n",
            "application/xml",
            "<Error><Code>AccessDenied</Code></Error>",
        )),
        _ => bbb(3),
    }
}

async fn serve_http<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    mode: Mode,
    reworded: bool,
) -> std::io::Result<()> {
    let Some((_method, path, headers)) = read_head(&mut s).await else {
        return Ok(());
    };
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let upgrade = header("upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let host = header("host")
        .map(|h| h.rsplit_once(':').map(|(h, _)| h.to_string()).unwrap_or(h))
        .unwrap_or_default()
        .to_ascii_lowercase();
    match mode {
        Mode::BlockPage => {
            // e2guardian's stock French page: status line with an empty reason phrase, title
            // with its misspelled entity.
            let page = format!(
                "<html><head><title>e2guardian - Acc&eagrav;s interdit</title></head><body><h1>{BLOCK_TITLE}</h1><p>Le site {path} est bloqué par le filtre.</p></body></html>"
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
        Mode::RefuseUpgrade if upgrade => {
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
        Mode::NeedsSession if upgrade => s.write_all(not_found().as_bytes()).await,
        Mode::Bbb | Mode::Bbb27 | Mode::Platforms | Mode::RefuseUpgrade | Mode::NeedsSession => {
            match (
                answer(&host, mode, reworded, &path, upgrade),
                header("sec-websocket-key"),
            ) {
                (Ok(a), _) => s.write_all(a.as_bytes()).await,
                (Err(()), Some(key)) => switch(s, &key).await,
                (Err(()), None) => s.write_all(not_found().as_bytes()).await,
            }
        }
    }
}

/// A guest Wi-Fi's portal on plain HTTP: every request is redirected to its sign-in page.
pub fn portal(addr: SocketAddr, login: &'static str) -> Task {
    let listener = rt()
        .block_on(TcpListener::bind(addr))
        .expect("the portal's port 80 (root)");
    Task(vec![rt().spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                if read_head(&mut tcp).await.is_some() {
                    let _ = tcp.write_all(redirect(login).as_bytes()).await;
                }
            });
        }
    })])
}
