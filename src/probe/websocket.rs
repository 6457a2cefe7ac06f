//! WebSocket upgrade with tokio-tungstenite over our own TCP/TLS stream.
//! `101` is success. An HTTP answer from the service itself (401/403 from nginx's
//! `auth_request`, because the probe has no meeting session) proves the path works up to the
//! service. A refusal by a proxy (its markers in the answer) is `upgrade_refused`.

use super::Env;
use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
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
    /// An HTTP answer instead (its status and headers).
    Answered {
        status: u16,
        headers: Vec<(String, String)>,
    },
}

/// A proxy's or a filter's mark on an answer: a `Via` header (every HTTP intermediary adds one,
/// RFC 9110 §7.6.3), or a header sign of `profiles/firewalls.toml` (`X-Squid-Error`, `Server`,
/// `Location`), as `Name: value`.
pub fn proxy_marker(
    headers: &[(String, String)],
    signs: &[super::http::PageSign],
) -> Option<String> {
    use crate::profile::firewalls::ClueKind;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let signed = |kind: ClueKind| {
        let name = kind.header()?;
        let v = header(name)?;
        let lower = v.to_lowercase();
        let marked = kind == ClueKind::Via
            || signs
                .iter()
                .any(|s| s.field == name && lower.contains(&s.needle));
        marked.then(|| format!("{}: {v}", title_case(name)))
    };
    [
        ClueKind::SquidError,
        ClueKind::Via,
        ClueKind::Server,
        ClueKind::Location,
    ]
    .into_iter()
    .find_map(signed)
}

/// `x-squid-error` -> `X-Squid-Error`.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Attempt the upgrade over an established stream.
pub async fn upgrade<S>(stream: S, url: &str, host: &str) -> Result<Upgrade, ProbeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut req = url
        .into_client_request()
        .map_err(|e| ProbeError::new(ErrorClass::Local, format!("WebSocket request: {e}")))?;
    let origin = format!("https://{host}");
    if let Ok(v) = origin.parse() {
        req.headers_mut().insert("Origin", v);
    }
    if let Ok(v) = super::fetch::USER_AGENT.parse() {
        req.headers_mut().insert("User-Agent", v);
    }
    let mut cfg = WebSocketConfig::default();
    cfg.max_message_size = Some(64 * 1024);
    cfg.max_frame_size = Some(64 * 1024);
    let (class, message) = match tokio_tungstenite::client_async_with_config(req, stream, Some(cfg)).await {
        Ok((mut ws, _resp)) => {
            let _ = ws.close(None).await;
            return Ok(Upgrade::Switched);
        }
        Err(tungstenite::Error::Http(resp)) => {
            return Ok(Upgrade::Answered {
                status: resp.status().as_u16(),
                headers: resp
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                    .collect(),
            });
        }
        Err(tungstenite::Error::Io(e)) => match super::classify_io(&e) {
            ErrorClass::Reset | ErrorClass::Closed => (
                ErrorClass::UpgradeRefused,
                format!("the connection was cut after the WebSocket upgrade request ({e}): a filter refuses WebSockets"),
            ),
            c => (c, format!("WebSocket: {e}")),
        },
        Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => (
            ErrorClass::UpgradeRefused,
            "the connection was closed after the WebSocket upgrade request: a filter refuses WebSockets".into(),
        ),
        Err(tungstenite::Error::Capacity(e)) => (ErrorClass::TooLarge, format!("WebSocket: {e}")),
        Err(e @ (tungstenite::Error::HttpFormat(_) | tungstenite::Error::Protocol(_))) => {
            (ErrorClass::Malformed, format!("WebSocket: the answer is not a valid upgrade ({e})"))
        }
        Err(e) => (ErrorClass::Malformed, format!("WebSocket: {e}")),
    };
    Err(ProbeError::new(class, message))
}

/// Judge the upgrade the way a browser's view of the path allows. The service's operator (a
/// trusted chain for the exact name) answering without switching is reachable: its normal
/// answers (`answers`: 401 from nginx's `auth_request` without a meeting session) are expected,
/// others only mean the profile may be stale. Behind a box that can answer in the server's
/// place (TLS inspection, plain ws://), a proxy's mark or an answer the service never gives is
/// a refused upgrade.
pub fn judge(
    out: Outcome,
    check: &WebsocketCheck,
    up: Upgrade,
    facts: Option<&super::tls::TlsFacts>,
    signs: &[super::http::PageSign],
) -> Outcome {
    use super::tls::Origin;
    if let Some(Err(e)) = facts.map(|f| &f.judgement) {
        return out.failed(e.clone());
    }
    let origin = facts.map(|f| f.origin()).unwrap_or(Origin::Plain);
    let apply = |o: Outcome| match facts {
        Some(f) => f.apply(o),
        None => o,
    };
    let (status, headers) = match up {
        Upgrade::Switched => return apply(out.with("upgrade", "101")),
        Upgrade::Answered { status, headers } => (status, headers),
    };
    let normal = check.answers.contains(&status);
    let out = out.with("http_status", status);
    let behind = match origin {
        Origin::Operator => {
            return if normal {
                out.with("needs_session", true)
            } else {
                out.with("unexpected_answer", serde_json::json!({ "status": status }))
            };
        }
        Origin::Inspected => "from behind a TLS inspection box",
        Origin::Untrusted | Origin::Plain => "over an unencrypted path",
    };
    if let Some(p) = proxy_marker(&headers, signs) {
        return out.with("proxy_marker", p.clone()).fail(
            ErrorClass::UpgradeRefused,
            format!("a proxy refused the WebSocket upgrade (HTTP {status}, {p})"),
        );
    }
    if normal {
        // The service itself answers this way too: nothing shows the box refused.
        return apply(out.with("needs_session", true));
    }
    out.fail(
        ErrorClass::UpgradeRefused,
        format!(
            "HTTP {status} instead of switching protocols, {behind}, where the service switches: something on the path refuses WebSockets"
        ),
    )
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
            Ok::<_, ProbeError>((up, Some(facts)))
        } else {
            Ok((upgrade(tcp, &check.url, host).await?, None))
        }
    };
    out = match tokio::time::timeout(deadline, run).await {
        Err(_) => out.fail(
            ErrorClass::Timeout,
            format!("{}: no answer to the WebSocket upgrade in time", check.url),
        ),
        Ok(Err(e)) => out.failed(e),
        Ok(Ok((up, facts))) => judge(out, check, up, facts.as_ref(), &env.page_signs),
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
        let fp = crate::diagnose::firewall::Fingerprints::bundled().unwrap();
        let signs = fp.page_signs();
        assert!(proxy_marker(&h("Server", "squid/5.7"), &signs).is_some());
        assert!(proxy_marker(&h("server", "e2guardian"), &signs).is_some());
        assert!(proxy_marker(&h("X-Squid-Error", "ERR_ACCESS_DENIED 0"), &signs).is_some());
        assert!(proxy_marker(&h("Server", "nginx"), &signs).is_none());
        assert_eq!(
            proxy_marker(&h("x-squid-error", "ERR_ACCESS_DENIED 0"), &signs).as_deref(),
            Some("X-Squid-Error: ERR_ACCESS_DENIED 0")
        );
        // Which vendor's mark is which is data: without the fingerprints, a Server header
        // names nothing, and Via (any intermediary's) still marks a proxy.
        assert!(proxy_marker(&h("Server", "squid/5.7"), &[]).is_none());
        assert!(proxy_marker(&h("Via", "1.1 box"), &[]).is_some());
        let local = crate::profile::PageSign {
            field: "server",
            needle: "filtre-x".into(),
            family: "x".into(),
        };
        assert!(proxy_marker(&h("Server", "Filtre-X/2"), &[local]).is_some());
    }
}
