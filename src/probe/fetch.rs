//! One HTTP/1.1 GET over an established stream (TLS, plain, or a proxy's tunnel), within limits:
//! status, headers, at most 256 KiB of body. The HTTPS probe, the captive-portal check, the
//! proxy's PAC and test pages and the bandwidth peer's locator all fetch with it.

use super::ms_f;
use crate::model::{ErrorClass, Outcome, ProbeError};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};

/// Most body bytes kept from an answer.
pub const MAX_BODY: usize = 256 * 1024;
/// Largest response head accepted (hyper's buffer); more is `too_large`.
pub const MAX_HEAD: usize = 64 * 1024;

pub const USER_AGENT: &str = concat!("preflight/", env!("CARGO_PKG_VERSION"));

/// What came back from one request.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub truncated: bool,
    pub ttfb: Duration,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn title(&self) -> Option<String> {
        html_title(&self.body_text())
    }

    /// Write what a diagnosis needs into `data`.
    pub fn record(&self, out: &mut Outcome) {
        out.set("http_status", self.status);
        out.set("ttfb_ms", ms_f(self.ttfb));
        out.set("body_bytes", self.body.len());
        if self.truncated {
            out.set("body_truncated", true);
        }
        if let Some(t) = self.title() {
            out.set("title", t);
        }
        keep_headers(
            &self.headers,
            &["x-cache", "content-type", "proxy-authenticate"],
            out,
        );
    }
}

/// Keep in `data.headers` (at most 300 characters each) the headers a filter's clues are read
/// from ([`CLUE_HEADERS`](crate::profile::firewalls::CLUE_HEADERS)), then `extra`.
pub fn keep_headers(headers: &[(String, String)], extra: &[&str], out: &mut Outcome) {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let clues = crate::profile::firewalls::CLUE_HEADERS.map(|(h, _)| h);
    let mut kept = serde_json::Map::new();
    for name in clues.iter().chain(extra) {
        if let Some(v) = header(name) {
            kept.insert(
                name.to_string(),
                v.chars().take(300).collect::<String>().into(),
            );
        }
    }
    if !kept.is_empty() {
        out.set("headers", serde_json::Value::Object(kept));
    }
}

/// The `<title>` of an HTML page, whitespace-collapsed, at most 200 characters.
pub fn html_title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let close = lower[open_end..].find("</title")? + open_end;
    let t: String = body[open_end..close]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if t.is_empty() {
        None
    } else {
        Some(t.chars().take(200).collect())
    }
}

/// Send `GET path` over an established stream (TLS or plain) and read the answer within limits.
pub async fn get<S>(
    stream: S,
    host_header: &str,
    path: &str,
    deadline: Duration,
) -> Result<Answer, ProbeError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let start = Instant::now();
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(MAX_HEAD)
        .handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
        .await
        .map_err(|e| ProbeError::new(ErrorClass::Local, format!("HTTP: {e}")))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::get(path)
        .header(hyper::header::HOST, host_header)
        .header(hyper::header::USER_AGENT, USER_AGENT)
        .header(hyper::header::ACCEPT, "*/*")
        .body(Empty::<Bytes>::new())
        .map_err(|e| ProbeError::new(ErrorClass::Local, format!("HTTP request: {e}")))?;
    let resp = sender.send_request(req).await.map_err(classify_hyper)?;
    let ttfb = start.elapsed();
    let mut answer = Answer {
        status: resp.status().as_u16(),
        reason: resp.status().canonical_reason().unwrap_or("").to_string(),
        headers: resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        ttfb,
        ..Default::default()
    };
    let mut body = resp.into_body();
    loop {
        let left = deadline.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, body.frame()).await {
            Err(_) => {
                // Slow drip: keep what came, say the body did not end.
                answer.truncated = true;
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                if answer.body.is_empty() {
                    driver.abort();
                    return Err(classify_hyper(e));
                }
                answer.truncated = true;
                break;
            }
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let room = MAX_BODY - answer.body.len();
                    answer.body.extend_from_slice(&data[..data.len().min(room)]);
                    if answer.body.len() >= MAX_BODY {
                        answer.truncated = true;
                        break;
                    }
                }
            }
        }
    }
    driver.abort();
    Ok(answer)
}

fn classify_hyper(e: hyper::Error) -> ProbeError {
    let text = e.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return ProbeError::new(super::classify_io(io), format!("HTTP: {io}"));
        }
        source = s.source();
    }
    let (class, message) = if e.is_parse() && text.contains("too large") {
        (
            ErrorClass::TooLarge,
            format!("HTTP: the answer's headers exceed {} KiB", MAX_HEAD / 1024),
        )
    } else if e.is_parse() {
        (
            ErrorClass::Malformed,
            format!("HTTP: the answer is not HTTP ({text})"),
        )
    } else if e.is_incomplete_message() || e.is_closed() {
        (
            ErrorClass::Closed,
            "HTTP: the connection closed before an answer".into(),
        )
    } else if e.is_timeout() {
        (ErrorClass::Timeout, "HTTP: no answer in time".into())
    } else {
        (ErrorClass::Closed, format!("HTTP: {text}"))
    };
    ProbeError::new(class, message)
}
