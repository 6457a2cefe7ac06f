//! HTTPS: status, headers, at most 256 KiB of body, and the profile's "real answer" test.
//! A page that is not the service is `block_page` (its title is kept in `data`).

use super::{Env, ms_f};
use crate::model::{ErrorClass, Outcome, ProbeKind, Transport};
use crate::profile::HttpsCheck;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::net::IpAddr;
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
        let mut kept = serde_json::Map::new();
        for name in [
            "server",
            "via",
            "x-squid-error",
            "x-cache",
            "location",
            "content-type",
            "proxy-authenticate",
        ] {
            if let Some(v) = self.header(name) {
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
) -> Result<Answer, (ErrorClass, String)>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let start = Instant::now();
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(MAX_HEAD)
        .handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
        .await
        .map_err(|e| (ErrorClass::Local, format!("HTTP: {e}")))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::get(path)
        .header(hyper::header::HOST, host_header)
        .header(hyper::header::USER_AGENT, USER_AGENT)
        .header(hyper::header::ACCEPT, "*/*")
        .body(Empty::<Bytes>::new())
        .map_err(|e| (ErrorClass::Local, format!("HTTP request: {e}")))?;
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

fn classify_hyper(e: hyper::Error) -> (ErrorClass, String) {
    let text = e.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return (super::classify_io(io), format!("HTTP: {io}"));
        }
        source = s.source();
    }
    if e.is_parse() && text.contains("too large") {
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
    }
}

/// Judge an answer against what the service really answers.
pub fn judge(check: &HttpsCheck, a: &Answer) -> Result<(), (ErrorClass, String)> {
    let title = a.title();
    let what = match &title {
        Some(t) => format!("a page titled “{t}”"),
        None => "a page".to_string(),
    };
    if !check.expect_status.contains(&a.status) {
        // A 3xx/4xx/5xx with an HTML page from something else is a block page; a bare status
        // is an HTTP error of the service or of a proxy.
        let html = a.header("content-type").is_some_and(|c| c.contains("html")) || title.is_some();
        return Err(
            if html
                && check
                    .expect_body
                    .iter()
                    .all(|m| !a.body_text().contains(m.as_str()))
                && a.status != 404
            {
                (
                    ErrorClass::BlockPage,
                    format!("HTTP {}: {what} answered instead of the service", a.status),
                )
            } else {
                (
                    ErrorClass::HttpStatus,
                    format!(
                        "HTTP {} where the service answers {}",
                        a.status,
                        check
                            .expect_status
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                )
            },
        );
    }
    let text = a.body_text();
    if let Some(missing) = check
        .expect_body
        .iter()
        .find(|m| !text.contains(m.as_str()))
    {
        return Err((
            ErrorClass::BlockPage,
            format!(
                "HTTP {}: {what} answered, without “{missing}” that the real service sends: something on the path answers in its place",
                a.status
            ),
        ));
    }
    Ok(())
}

/// The `https` probe: TCP, TLS (chain judged), GET, real-answer test.
pub async fn probe(
    check: &HttpsCheck,
    host: &str,
    addrs: &[IpAddr],
    env: &Env,
    via: Option<&super::proxy::Proxy>,
) -> Outcome {
    let start = Instant::now();
    let mut out = Outcome::new(ProbeKind::Https, check.url.clone(), Some(Transport::Tls));
    let url = match url::Url::parse(&check.url) {
        Ok(u) => u,
        Err(e) => return out.fail(ErrorClass::Local, format!("bad URL: {e}")),
    };
    let tls = url.scheme() == "https";
    if !tls {
        out.transport = Some(Transport::Tcp);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let host_header = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    let deadline = env.timeout;
    let run = async {
        let tcp = super::proxy::open(via, addrs, host, port, deadline, &mut out).await?;
        let left = deadline.saturating_sub(start.elapsed());
        if tls {
            let (stream, facts) =
                super::tls::handshake(tcp, host, &[b"http/1.1"], &env.trust).await?;
            facts.record(&mut out);
            let answer = get(stream, &host_header, &path, left).await?;
            Ok::<_, (ErrorClass, String)>((answer, Some(facts)))
        } else {
            Ok((get(tcp, &host_header, &path, left).await?, None))
        }
    };
    let result = tokio::time::timeout(deadline, run).await;
    out = match result {
        Err(_) => {
            let stage = if out.data.contains_key("tls_ms") {
                "no HTTP answer"
            } else if out.data.contains_key("connect_ms") {
                "no TLS handshake"
            } else {
                "no connection"
            };
            out.fail(
                ErrorClass::Timeout,
                format!("{}: {stage} in time", check.url),
            )
        }
        Ok(Err((c, m))) => out.fail(c, m),
        Ok(Ok((answer, facts))) => {
            answer.record(&mut out);
            // An untrusted chain is the finding even if a page came back (kept as evidence).
            match facts.as_ref().map(|f| &f.judgement) {
                Some(Err((c, m))) => out.fail(*c, m.clone()),
                _ => match judge(check, &answer) {
                    Err((c, m)) => out.fail(c, m),
                    Ok(()) => match facts {
                        Some(f) => f.apply(out),
                        None => out,
                    },
                },
            }
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: &[u16], body: &[&str]) -> HttpsCheck {
        HttpsCheck {
            url: "https://h/".into(),
            what: String::new(),
            what_fr: String::new(),
            expect_status: status.to_vec(),
            expect_body: body.iter().map(|s| s.to_string()).collect(),
            required: true,
            group: None,
        }
    }

    fn answer(status: u16, ctype: &str, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type".into(), ctype.into())],
            body: body.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn titles() {
        assert_eq!(
            html_title("<html><TITLE>\n e2guardian - Acc&eagrav;s   interdit</title>").as_deref(),
            Some("e2guardian - Acc&eagrav;s interdit")
        );
        assert_eq!(html_title("<title></title>"), None);
        assert_eq!(html_title("no html"), None);
    }

    #[test]
    fn real_answer_passes() {
        let c = check(&[200], &["<returncode>SUCCESS</returncode>"]);
        let a = answer(
            200,
            "text/xml",
            "<response><returncode>SUCCESS</returncode></response>",
        );
        assert!(judge(&c, &a).is_ok());
    }

    #[test]
    fn filter_page_with_200_is_a_block_page() {
        let c = check(&[200], &["<returncode>SUCCESS</returncode>"]);
        let a = answer(
            200,
            "text/html",
            "<title>e2guardian - Accès interdit</title>",
        );
        assert_eq!(judge(&c, &a).unwrap_err().0, ErrorClass::BlockPage);
    }

    #[test]
    fn wrong_status() {
        let c = check(&[200], &[]);
        assert_eq!(
            judge(&c, &answer(502, "text/plain", "bad gateway"))
                .unwrap_err()
                .0,
            ErrorClass::HttpStatus
        );
        assert_eq!(
            judge(
                &c,
                &answer(403, "text/html", "<title>Access denied</title>")
            )
            .unwrap_err()
            .0,
            ErrorClass::BlockPage
        );
        assert_eq!(
            judge(&c, &answer(404, "text/html", "<title>Not found</title>"))
                .unwrap_err()
                .0,
            ErrorClass::HttpStatus
        );
    }
}
