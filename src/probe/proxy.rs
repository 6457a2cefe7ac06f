//! HTTP proxies, as a browser on this machine would find and use them: the environment
//! (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`), the system settings (Windows: a fixed proxy or a
//! PAC address), then WPAD (`http://wpad.<search domain>/wpad.dat`,
//! its `PROXY host:port` lines). Through a proxy, a tunnel is asked with `CONNECT`; the answer
//! (200, 407 with its realm, 403, an e2guardian redirect...) is evidence about the firewall.

use super::{Env, ms_f};
use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use crate::probe::dns::Dns;
use crate::profile::firewalls::FilterTest;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest CONNECT answer head read.
const MAX_HEAD: usize = 16 * 1024;

/// A proxy the browser would use.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Proxy {
    pub addr: SocketAddr,
    /// As written where it was found (`proxy.etab.lab:3128`).
    pub label: String,
    /// `environment`, `system settings` or `wpad`.
    pub source: String,
}

/// The head of a proxy's answer.
#[derive(Debug, Clone, Default)]
pub struct Head {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn record(&self, out: &mut Outcome) {
        out.set("proxy_status", self.status);
        super::fetch::keep_headers(&self.headers, &["proxy-authenticate"], out);
    }
}

/// A tunnel the proxy did not open: why, and the head of its answer when it gave one.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct TunnelError {
    pub error: ProbeError,
    pub head: Option<Head>,
}

impl From<ProbeError> for TunnelError {
    fn from(error: ProbeError) -> Self {
        TunnelError { error, head: None }
    }
}

/// Read an HTTP answer head (up to the blank line) without reading past it.
async fn read_head(s: &mut TcpStream) -> Result<Head, ProbeError> {
    let mut buf = Vec::with_capacity(1024);
    let mut byte = [0u8; 1];
    loop {
        let n = s
            .read(&mut byte)
            .await
            .map_err(|e| ProbeError::from(e).context("proxy"))?;
        if n == 0 {
            return Err(ProbeError::new(
                ErrorClass::Closed,
                "the proxy closed the connection without an answer",
            ));
        }
        buf.push(byte[0]);
        if buf.ends_with(b"\r\n\r\n") {
            break;
        }
        if buf.len() > MAX_HEAD {
            return Err(ProbeError::new(
                ErrorClass::TooLarge,
                "the proxy's answer head is too large",
            ));
        }
    }
    parse_head(&buf)
        .map(|(h, _)| h)
        .ok_or_else(|| ProbeError::new(ErrorClass::Malformed, "the proxy's answer is not HTTP"))
}

/// An HTTP answer's head, and where its body starts; None when `buf` does not hold a whole,
/// valid head.
pub fn parse_head(buf: &[u8]) -> Option<(Head, usize)> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(buf) {
        Ok(httparse::Status::Complete(body_at)) => Some((
            Head {
                status: resp.code.unwrap_or(0),
                reason: resp.reason.unwrap_or("").to_string(),
                headers: resp
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect(),
            },
            body_at,
        )),
        _ => None,
    }
}

/// Ask `proxy` for a tunnel to `host:port`. On success the stream carries the tunnel.
pub async fn tunnel(
    proxy: &Proxy,
    host: &str,
    port: u16,
    deadline: Duration,
) -> Result<(TcpStream, Head), TunnelError> {
    let at_proxy = |e: std::io::Error| {
        ProbeError::from(e)
            .context(format_args!("proxy {}", proxy.label))
            .at(proxy.addr)
    };
    let run = async {
        let mut s = TcpStream::connect(proxy.addr).await.map_err(at_proxy)?;
        let _ = s.set_nodelay(true);
        let req = format!(
            "CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: {}\r\nProxy-Connection: keep-alive\r\n\r\n",
            super::fetch::USER_AGENT
        );
        s.write_all(req.as_bytes()).await.map_err(at_proxy)?;
        let head = read_head(&mut s)
            .await
            .map_err(|e| TunnelError::from(e.at(proxy.addr)))?;
        if head.status == 200 {
            return Ok((s, head));
        }
        let (class, why) = match head.status {
            407 => (
                ErrorClass::ProxyAuth,
                format!(
                    "the proxy {} asks for credentials ({})",
                    proxy.label,
                    head.header("proxy-authenticate").unwrap_or("407")
                ),
            ),
            _ => {
                let server = head
                    .header("server")
                    .map(|s| format!(", Server: {s}"))
                    .unwrap_or_default();
                let loc = head
                    .header("location")
                    .map(|l| format!(", to {l}"))
                    .unwrap_or_default();
                (
                    ErrorClass::ProxyRefused,
                    format!(
                        "the proxy {} refuses the tunnel to {host}:{port} (HTTP {}{server}{loc})",
                        proxy.label, head.status
                    ),
                )
            }
        };
        Err(TunnelError {
            error: ProbeError::new(class, why).at(proxy.addr),
            head: Some(head),
        })
    };
    match tokio::time::timeout(deadline, run).await {
        Ok(r) => r,
        Err(_) => Err(ProbeError::new(
            ErrorClass::Timeout,
            format!("proxy {}: no answer to CONNECT in time", proxy.label),
        )
        .at(proxy.addr)
        .into()),
    }
}

/// `PROXY host:port` entries of a PAC file, in order (DIRECT and SOCKS are not HTTP proxies).
pub fn pac_proxies(pac: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in pac.match_indices("PROXY") {
        let rest = &pac[i + 5..];
        let rest = rest.trim_start_matches([' ', '\t']);
        let hp: String = rest
            .chars()
            .take_while(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_')
            })
            .collect();
        if !hp.is_empty() && hp.contains(':') && !out.contains(&hp) {
            out.push(hp);
        }
    }
    out
}

/// `http://host:port/` or `host:port` from an environment variable.
fn env_proxy() -> Option<String> {
    for var in [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ] {
        if let Ok(v) = std::env::var(var) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let hp = v
                .trim_start_matches("http://")
                .trim_start_matches("https://")
                .trim_end_matches('/');
            let hp = hp.rsplit_once('@').map(|(_, h)| h).unwrap_or(hp);
            return Some(if hp.contains(':') {
                hp.to_string()
            } else {
                format!("{hp}:80")
            });
        }
    }
    None
}

/// The DNS search domains of this machine (for `wpad.<domain>`).
pub fn search_domains() -> Vec<String> {
    match hickory_resolver::system_conf::read_system_conf() {
        Ok((cfg, _)) => {
            let mut v: Vec<String> = cfg.domain().map(|d| d.to_string()).into_iter().collect();
            v.extend(cfg.search().iter().map(|d| d.to_string()));
            v.iter()
                .map(|d| d.trim_end_matches('.').to_string())
                .filter(|d| !d.is_empty())
                .fold(Vec::new(), |mut acc, d| {
                    if !acc.contains(&d) {
                        acc.push(d);
                    }
                    acc
                })
        }
        Err(_) => vec![],
    }
}

async fn resolve(dns: &Dns, hp: &str) -> Result<SocketAddr, ProbeError> {
    let local = |m: String| ProbeError::new(ErrorClass::Local, m);
    let (host, port) = hp
        .rsplit_once(':')
        .ok_or_else(|| local(format!("`{hp}` has no port")))?;
    let port: u16 = port
        .parse()
        .map_err(|_| local(format!("`{hp}`: bad port")))?;
    let (o, ips) = dns.probe(host).await;
    match ips.first() {
        Some(ip) if o.works() => Ok(SocketAddr::new(*ip, port)),
        _ => Err(local(format!("cannot resolve {host}"))),
    }
}

/// Find the proxy this machine's browser would use. The outcome (kind `proxy`) says where it
/// was looked for and what was found; no proxy is not a failure.
pub async fn discover(dns: &Dns, domains: &[String], env: &Env) -> (Outcome, Option<Proxy>) {
    let start = Instant::now();
    let mut out = Outcome::new(ProbeKind::Proxy, "discovery", Some(Transport::Tcp));
    let mut tried = Vec::new();
    let system = super::sysproxy::system_proxy();
    let fixed = env_proxy()
        .map(|hp| (hp, "environment"))
        .or(system.server.map(|hp| (hp, "system settings")));
    if let Some((hp, source)) = fixed {
        tried.push(format!("{source}: {hp}"));
        out.set("tried", tried);
        let found = resolve(dns, &hp).await;
        out.duration_ms = start.elapsed().as_millis() as u64;
        return match found {
            Ok(addr) => {
                out.set("proxy", hp.clone());
                out.set("source", source);
                (
                    out,
                    Some(Proxy {
                        addr,
                        label: hp,
                        source: source.into(),
                    }),
                )
            }
            Err(e) => (
                out.warned(e.context(format_args!("proxy from the {source}"))),
                None,
            ),
        };
    }
    // PAC files: the one the system names, then WPAD in each search domain.
    let mut pacs: Vec<(String, u16, String, &str)> = Vec::new();
    if let Some(u) = system
        .pac_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        && let Some(h) = u.host_str()
    {
        let port = u.port_or_known_default().unwrap_or(80);
        pacs.push((h.to_string(), port, u.path().to_string(), "system settings"));
    }
    for d in domains {
        pacs.push((format!("wpad.{d}"), 80, "/wpad.dat".into(), "wpad"));
    }
    for (host, port, path, source) in pacs {
        let pac_url = format!("http://{host}:{port}{path}");
        tried.push(pac_url.clone());
        let (o, ips) = dns.probe(&host).await;
        if !o.works() || ips.is_empty() {
            continue;
        }
        let left = env.timeout.saturating_sub(start.elapsed());
        let fetched = async {
            let (tcp, _, _) = super::tcp::connect(&ips, port, left).await?;
            super::fetch::get(tcp, &host, &path, left).await
        };
        match tokio::time::timeout(left, fetched).await {
            Ok(Ok(a)) if a.status == 200 => {
                let pac = a.body_text();
                out.set("pac_url", pac_url);
                let found = pac_proxies(&pac);
                out.set("pac_proxies", found.clone());
                for hp in found {
                    if let Ok(addr) = resolve(dns, &hp).await {
                        out.set("proxy", hp.clone());
                        out.set("source", source);
                        out.set("tried", tried);
                        out.duration_ms = start.elapsed().as_millis() as u64;
                        return (
                            out,
                            Some(Proxy {
                                addr,
                                label: hp,
                                source: source.into(),
                            }),
                        );
                    }
                }
            }
            Ok(Ok(a)) => tried.push(format!("  -> HTTP {}", a.status)),
            Ok(Err(e)) => tried.push(format!("  -> {}", e.class.as_str())),
            Err(_) => tried.push("  -> timeout".into()),
        }
    }
    out.set("tried", tried);
    out.set(
        "note",
        "no proxy configured or announced (WPAD): the browser goes direct",
    );
    out.duration_ms = start.elapsed().as_millis() as u64;
    (out, None)
}

/// Ask the proxy for a filter's own test page (`[[family.test]]` in `profiles/firewalls.toml`):
/// only that product answers it with its words. The data says `<product>: true|false`; the
/// facts name the product when it answered (`filter_test` in the report).
pub async fn filter_test(proxy: &Proxy, test: &FilterTest, deadline: Duration) -> Outcome {
    let start = Instant::now();
    let url = test.url.as_str();
    let mut out = Outcome::new(
        ProbeKind::Proxy,
        format!("{url} via {}", proxy.label),
        Some(Transport::Tcp),
    );
    // The Host header: the name, and the port when the URL gives one.
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| {
            let h = u.host_str()?;
            Some(match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default();
    let run = async {
        let tcp = TcpStream::connect(proxy.addr).await.map_err(|e| {
            ProbeError::from(e)
                .context(format_args!("proxy {}", proxy.label))
                .at(proxy.addr)
        })?;
        // Absolute-form request, as a browser sends to a proxy.
        super::fetch::get(tcp, &host, url, deadline).await
    };
    out = match tokio::time::timeout(deadline, run).await {
        Err(_) => out.warn(
            ErrorClass::Timeout,
            "the proxy did not answer the test URL in time",
        ),
        Ok(Err(e)) => out.warned(e),
        Ok(Ok(a)) => {
            a.record(&mut out);
            let answered = a.body_text().contains(&test.answer);
            out.set(&test.product, answered);
            if answered {
                out.facts.filter_test = Some(test.product.clone());
            }
            out
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}

/// A direct-or-proxied TCP stream to `host:port`, for the probes.
pub async fn open(
    via: Option<&Proxy>,
    addrs: &[std::net::IpAddr],
    host: &str,
    port: u16,
    deadline: Duration,
    out: &mut Outcome,
) -> Result<TcpStream, ProbeError> {
    match via {
        None => {
            let (s, sa, rtt) = super::tcp::connect(addrs, port, deadline).await?;
            out.facts.address = Some(sa);
            out.set("connect_ms", ms_f(rtt));
            Ok(s)
        }
        Some(p) => {
            out.set("path", format!("proxy {}", p.label));
            let t0 = Instant::now();
            match tunnel(p, host, port, deadline).await {
                Ok((s, _)) => {
                    out.set("connect_ms", ms_f(t0.elapsed()));
                    Ok(s)
                }
                Err(TunnelError { error, head }) => {
                    if let Some(h) = head {
                        h.record(out);
                    }
                    Err(error)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pac_lines() {
        let pac = r#"function FindProxyForURL(url, host) {
  if (isInNet(host, "10.0.0.0", "255.0.0.0")) return "DIRECT";
  return "PROXY 10.1.2.3:3128; PROXY proxy.etab.lab:8080; DIRECT";
}"#;
        assert_eq!(pac_proxies(pac), ["10.1.2.3:3128", "proxy.etab.lab:8080"]);
        assert!(pac_proxies("return \"DIRECT\";").is_empty());
    }
}
