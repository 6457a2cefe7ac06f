//! `check --send URL`: the report posted to a collecting server (through the venue's proxy when it
//! has one), and what the run says about it.

use crate::errors::SendError;
use crate::model::Report;
use crate::options::OptionError;
use crate::report::Lang;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A `--send` URL: http(s) with a host.
pub fn check_url(url: &str) -> Result<url::Url, OptionError> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(u),
        _ => Err(OptionError::BadSendUrl {
            text: crate::inert::line(url),
        }),
    }
}

/// The URL as shown: without its query (where the token is).
pub fn shown(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

/// POST `json` to `url` (through `proxy`, `host:port`, when the run found one); the name the
/// server stored it under, or why it did not arrive.
pub async fn send(
    url: &str,
    json: String,
    ca_file: Option<&Path>,
    proxy: Option<&str>,
    deadline: Duration,
) -> Result<String, SendError> {
    let u = check_url(url).map_err(SendError::Url)?;
    let host = u.host_str().unwrap_or_default().to_string();
    let port = u.port_or_known_default().unwrap_or(443);
    let tls = u.scheme() == "https";
    let path = &u[url::Position::BeforePath..url::Position::AfterQuery];
    let run = async {
        let tcp = match proxy {
            Some(p) => {
                let addr = tokio::net::lookup_host(p)
                    .await
                    .ok()
                    .and_then(|mut a| a.next())
                    .ok_or_else(|| SendError::ProxyUnresolved {
                        proxy: p.to_string(),
                    })?;
                let via = crate::probe::proxy::Proxy {
                    addr,
                    label: p.to_string(),
                    source: "report".into(),
                };
                crate::probe::proxy::tunnel(&via, &host, port, deadline)
                    .await
                    .map(|(s, _)| s)
                    .map_err(|e| SendError::Connect(e.error.message))?
            }
            None => {
                let ips: Vec<std::net::IpAddr> = tokio::net::lookup_host((host.as_str(), port))
                    .await
                    .map_err(|e| SendError::Unresolved {
                        host: host.clone(),
                        os: e.to_string(),
                    })?
                    .map(|a| a.ip())
                    .collect();
                crate::probe::tcp::connect(&ips, port, deadline)
                    .await
                    .map(|(s, _, _)| s)
                    .map_err(|e| SendError::Connect(e.message))?
            }
        };
        let stream: Box<dyn crate::measure::upload::Io> = if tls {
            let trust = crate::probe::tls::Trust::new(ca_file, vec![]).map_err(SendError::Trust)?;
            let (s, facts) = crate::probe::tls::handshake(tcp, &host, &[b"http/1.1"], &trust)
                .await
                .map_err(|e| SendError::Connect(e.message))?;
            if let Err(why) = facts.judgement {
                return Err(SendError::Untrusted(why.message));
            }
            Box::new(s)
        } else {
            Box::new(tcp)
        };
        post(stream, &host, path, json).await
    };
    tokio::time::timeout(deadline, run)
        .await
        .map_err(|_| SendError::Timeout {
            secs: deadline.as_secs(),
        })?
}

pub(super) async fn post(
    stream: Box<dyn crate::measure::upload::Io>,
    host: &str,
    path: &str,
    json: String,
) -> Result<String, SendError> {
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .handshake::<_, Full<Bytes>>(hyper_util::rt::TokioIo::new(stream))
        .await
        .map_err(|e| SendError::Http(e.to_string()))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::post(path)
        .header(hyper::header::HOST, host)
        .header(hyper::header::USER_AGENT, crate::probe::fetch::USER_AGENT)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(json)))
        .map_err(|e| SendError::Http(e.to_string()))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| SendError::Http(e.to_string()))?;
    let status = resp.status();
    let body = http_body_util::Limited::new(resp.into_body(), 64 * 1024)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    match (status.as_u16(), v["stored"].as_str(), v["error"].as_str()) {
        (200 | 201, Some(name), _) => Ok(name.to_string()),
        (_, _, Some(why)) => Err(SendError::Refused {
            status: status.to_string(),
            why: crate::inert::line(why),
        }),
        _ => Err(SendError::NotCollector {
            status: status.to_string(),
        }),
    }
}

/// The proxy the run found and used (`host:port`, from its discovery probe): the report goes
/// the way the browser's traffic goes.
pub(super) fn proxy_of(report: &Report) -> Option<String> {
    report.network.proxy.as_ref()?;
    report
        .network
        .probes
        .iter()
        .find(|o| o.kind == crate::model::ProbeKind::Proxy)
        .and_then(|o| o.data_str("proxy"))
        .map(str::to_string)
}

/// `--send`: post the report, and say whether it arrived. A report that could not be sent
/// stays on disk: the `--json` file, or one written here in the current folder.
pub async fn send_and_say(
    report: &Report,
    url: &str,
    ca_file: Option<&Path>,
    kept: Option<&Path>,
    lang: Lang,
    to_stderr: bool,
) {
    let shown_url = check_url(url).map(|u| shown(&u)).unwrap_or_default();
    let json = match serde_json::to_string_pretty(report) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("preflight: {e}");
            return;
        }
    };
    let got = send(
        url,
        json.clone(),
        ca_file,
        proxy_of(report).as_deref(),
        Duration::from_secs(20),
    )
    .await;
    let line = match got {
        Ok(name) => crate::report::console::report_sent(&shown_url, &name, lang),
        Err(why) => {
            let file = match kept {
                Some(p) => Ok(p.to_path_buf()),
                None => {
                    let p = PathBuf::from(format!(
                        "{}.json",
                        crate::naming::report_stem(
                            crate::naming::now(),
                            report.venue.label.as_deref(),
                            report.venue.uai.as_deref()
                        )
                    ));
                    std::fs::write(&p, format!("{json}\n"))
                        .map(|()| p)
                        .map_err(|e| e.to_string())
                }
            };
            let kept = match file {
                Ok(p) => crate::report::console::report_kept(p.display(), lang),
                Err(e) => crate::report::console::report_not_kept(e, lang),
            };
            let why = crate::report::errors::send(&why, lang);
            crate::report::console::report_not_sent(&shown_url, why, &kept, lang)
        }
    };
    if to_stderr {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}
