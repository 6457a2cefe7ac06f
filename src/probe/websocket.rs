//! WebSocket upgrade with tokio-tungstenite over our own TCP/TLS stream.
//! `101` is success. An HTTP answer from the service itself (401/403 from nginx's
//! `auth_request`, because the probe has no meeting session) proves the path works up to the
//! service. A refusal by a proxy (its markers in the answer) is `upgrade_refused`.

use super::Env;
use crate::model::{ErrorClass, Outcome, ProbeKind, Transport};
use crate::profile::WebsocketCheck;
use std::net::IpAddr;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// What the upgrade attempt gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Upgrade {
    /// 101 Switching Protocols.
    Switched,
    /// The service answered over HTTP (status, and whether a proxy's markers are on it).
    Answered { status: u16, proxy: Option<String> },
}

/// Markers a proxy leaves on its own answers.
pub fn proxy_marker(headers: &[(String, String)]) -> Option<String> {
    for (k, v) in headers {
        let k = k.to_ascii_lowercase();
        let low = v.to_ascii_lowercase();
        if k == "x-squid-error" {
            return Some(format!("X-Squid-Error: {v}"));
        }
        if k == "server"
            && [
                "squid",
                "e2guardian",
                "dansguardian",
                "olfeo",
                "fortigate",
                "stormshield",
            ]
            .iter()
            .any(|p| low.contains(p))
        {
            return Some(format!("Server: {v}"));
        }
        if k == "via" {
            return Some(format!("Via: {v}"));
        }
    }
    None
}

/// Attempt the upgrade over an established stream.
pub async fn upgrade<S>(stream: S, url: &str, host: &str) -> Result<Upgrade, (ErrorClass, String)>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut req = url
        .into_client_request()
        .map_err(|e| (ErrorClass::Local, format!("WebSocket request: {e}")))?;
    let origin = format!("https://{host}");
    if let Ok(v) = origin.parse() {
        req.headers_mut().insert("Origin", v);
    }
    if let Ok(v) = super::http::USER_AGENT.parse() {
        req.headers_mut().insert("User-Agent", v);
    }
    let mut cfg = WebSocketConfig::default();
    cfg.max_message_size = Some(64 * 1024);
    cfg.max_frame_size = Some(64 * 1024);
    match tokio_tungstenite::client_async_with_config(req, stream, Some(cfg)).await {
        Ok((mut ws, _resp)) => {
            let _ = ws.close(None).await;
            Ok(Upgrade::Switched)
        }
        Err(tungstenite::Error::Http(resp)) => {
            let headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            Ok(Upgrade::Answered {
                status: resp.status().as_u16(),
                proxy: proxy_marker(&headers),
            })
        }
        Err(tungstenite::Error::Io(e)) => {
            let c = super::classify_io(&e);
            Err(match c {
                ErrorClass::Reset | ErrorClass::Closed => (
                    ErrorClass::UpgradeRefused,
                    format!("the connection was cut after the WebSocket upgrade request ({e}): a filter refuses WebSockets"),
                ),
                _ => (c, format!("WebSocket: {e}")),
            })
        }
        Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => Err((
            ErrorClass::UpgradeRefused,
            "the connection was closed after the WebSocket upgrade request: a filter refuses WebSockets".into(),
        )),
        Err(tungstenite::Error::Capacity(e)) => Err((ErrorClass::TooLarge, format!("WebSocket: {e}"))),
        Err(e @ (tungstenite::Error::HttpFormat(_) | tungstenite::Error::Protocol(_))) => {
            Err((ErrorClass::Malformed, format!("WebSocket: the answer is not a valid upgrade ({e})")))
        }
        Err(e) => Err((ErrorClass::Malformed, format!("WebSocket: {e}"))),
    }
}

/// The `websocket` probe.
pub async fn probe(
    check: &WebsocketCheck,
    host: &str,
    addrs: &[IpAddr],
    env: &Env,
    via: Option<&super::proxy::Proxy>,
) -> Outcome {
    let start = Instant::now();
    let mut out = Outcome::new(
        ProbeKind::Websocket,
        check.url.clone(),
        Some(Transport::Tls),
    );
    let url = match url::Url::parse(&check.url) {
        Ok(u) => u,
        Err(e) => return out.fail(ErrorClass::Local, format!("bad URL: {e}")),
    };
    let tls = url.scheme() == "wss";
    if !tls {
        out.transport = Some(Transport::Tcp);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let deadline = env.timeout;
    let run = async {
        let tcp = super::proxy::open(via, addrs, host, port, deadline, &mut out).await?;
        if tls {
            let (stream, facts) =
                super::tls::handshake(tcp, host, &[b"http/1.1"], &env.trust).await?;
            facts.record(&mut out);
            let up = upgrade(stream, &check.url, host).await?;
            Ok::<_, (ErrorClass, String)>((up, Some(facts)))
        } else {
            Ok((upgrade(tcp, &check.url, host).await?, None))
        }
    };
    out = match tokio::time::timeout(deadline, run).await {
        Err(_) => out.fail(
            ErrorClass::Timeout,
            format!("{}: no answer to the WebSocket upgrade in time", check.url),
        ),
        Ok(Err((c, m))) => out.fail(c, m),
        Ok(Ok((up, facts))) => {
            if let Some(Err((c, m))) = facts.as_ref().map(|f| &f.judgement) {
                out.fail(*c, m.clone())
            } else {
                // Behind a TLS inspection box, whatever answers instead of switching
                // protocols is the box, not the server.
                let inspected = facts
                    .as_ref()
                    .is_some_and(|f| matches!(f.judgement, Ok(Some(_))));
                let out = match up {
                    Upgrade::Switched => out.with("upgrade", "101"),
                    Upgrade::Answered { status, proxy: Some(p) } => out
                        .with("http_status", status)
                        .with("proxy_marker", p.clone())
                        .fail(
                            ErrorClass::UpgradeRefused,
                            format!("a proxy refused the WebSocket upgrade (HTTP {status}, {p})"),
                        ),
                    Upgrade::Answered { status, proxy: None } if inspected => out
                        .with("http_status", status)
                        .fail(
                            ErrorClass::UpgradeRefused,
                            format!("HTTP {status} instead of switching protocols, from behind a TLS inspection box: the firewall refuses WebSockets"),
                        ),
                    Upgrade::Answered { status, proxy: None } if status < 300 => out
                        .with("http_status", status)
                        .fail(
                            ErrorClass::UpgradeRefused,
                            format!("HTTP {status} instead of switching protocols: something on the path (a filter's page) answers in the server's place"),
                        ),
                    Upgrade::Answered { status, proxy: None } => out
                        .with("http_status", status)
                        .with("needs_session", true)
                        .with(
                            "note",
                            format!("the service answered HTTP {status}: reachable; a real upgrade needs a meeting session"),
                        ),
                };
                match &facts {
                    Some(f) if out.status == crate::model::Status::Ok => f.apply(out),
                    _ => out,
                }
            }
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_markers() {
        let h = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert!(proxy_marker(&h("Server", "squid/5.7")).is_some());
        assert!(proxy_marker(&h("server", "e2guardian")).is_some());
        assert!(proxy_marker(&h("X-Squid-Error", "ERR_ACCESS_DENIED 0")).is_some());
        assert!(proxy_marker(&h("Server", "nginx")).is_none());
    }
}
