//! DNS with hickory-resolver: the system configuration, or the server named by `--resolver`.
//! One lookup per host; the answers, their TTL and the time are kept; a public name answered
//! with a bogon address (0.0.0.0, loopback, private, ...) is a sinkhole.

use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// The resolver every DNS probe shares, and how to describe it in the report.
pub struct Dns {
    /// None when this computer has no resolver configured (Wi-Fi off, no network): every
    /// lookup then fails as such, and the run still reports.
    resolver: Option<TokioResolver>,
    pub description: String,
    /// Networks whose addresses are legitimate answers even though they are bogons
    /// (hidden `--lab-net`: test labs on loopback or private ranges).
    pub allowed: Vec<IpNet>,
    deadline: Duration,
}

/// A small IPv4/IPv6 prefix, enough for bogon tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix.min(32))
                };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix.min(128))
                };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Why a text is not an `address/prefix` (worded in `report/errors.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpNetError {
    /// The part before `/` is not an IP address.
    NotAnAddress,
    /// The prefix length is not a number up to 32 (IPv4) or 128 (IPv6).
    BadPrefix,
}

/// The DNS client could not be built: for `--resolver` (`server`), or for the system's
/// configuration (None); hickory's reason as it gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsError {
    pub server: Option<SocketAddr>,
    pub detail: String,
}

impl std::str::FromStr for IpNet {
    type Err = IpNetError;
    fn from_str(s: &str) -> Result<Self, IpNetError> {
        let (a, p) = s.split_once('/').unwrap_or((s, ""));
        let addr: IpAddr = a.parse().map_err(|_| IpNetError::NotAnAddress)?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if p.is_empty() {
            max
        } else {
            p.parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or(IpNetError::BadPrefix)?
        };
        Ok(IpNet { addr, prefix })
    }
}

const BOGONS: &[&str] = &[
    "0.0.0.0/8",
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "::/128",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
];

/// True for addresses a public platform name never resolves to.
pub fn is_bogon(ip: IpAddr) -> bool {
    BOGONS
        .iter()
        .filter_map(|b| b.parse::<IpNet>().ok())
        .any(|n| n.contains(ip))
}

impl Dns {
    /// `server`: `--resolver IP[:PORT]`, or None for the system configuration (a system without
    /// any resolver configured is not an error: its lookups fail, and say why).
    pub fn new(
        server: Option<SocketAddr>,
        timeout: Duration,
        allowed: Vec<IpNet>,
    ) -> Result<Dns, DnsError> {
        let mut opts = ResolverOpts::default();
        opts.cache_size = 0;
        opts.attempts = 1;
        opts.timeout = timeout;
        let (resolver, description) = match server {
            Some(addr) => {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                for c in &mut ns.connections {
                    c.port = addr.port();
                }
                let cfg = ResolverConfig::from_parts(None, vec![], vec![ns]);
                opts.use_hosts_file = ResolveHosts::Never;
                let r = Resolver::builder_with_config(cfg, TokioRuntimeProvider::default())
                    .with_options(opts)
                    .build()
                    .map_err(|e| DnsError {
                        server: Some(addr),
                        detail: e.to_string(),
                    })?;
                (Some(r), addr.to_string())
            }
            None => match hickory_resolver::system_conf::read_system_conf() {
                Err(e) => (None, format!("none configured ({e})")),
                Ok((cfg, sys_opts)) => {
                    let servers: Vec<String> = cfg
                        .name_servers()
                        .iter()
                        .map(|n| n.ip.to_string())
                        .collect();
                    // Keep the system's own options (search list, ndots) but no cache, one try.
                    let mut o = sys_opts;
                    o.cache_size = 0;
                    o.attempts = 1;
                    o.timeout = timeout;
                    let r = Resolver::builder_with_config(cfg, TokioRuntimeProvider::default())
                        .with_options(o)
                        .build()
                        .map_err(|e| DnsError {
                            server: None,
                            detail: e.to_string(),
                        })?;
                    (Some(r), format!("system ({})", servers.join(", ")))
                }
            },
        };
        Ok(Dns {
            resolver,
            description,
            allowed,
            deadline: timeout,
        })
    }

    /// Resolve `host` (A and AAAA). An IP literal resolves to itself without a query.
    pub async fn probe(&self, host: &str) -> (Outcome, Vec<IpAddr>) {
        let start = Instant::now();
        let out = Outcome::new(ProbeKind::Dns, host, Some(Transport::Udp));
        if let Ok(ip) = host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
        {
            let mut o = out
                .with("addresses", vec![ip.to_string()])
                .with("literal", true);
            o.duration_ms = 0;
            return (o, vec![ip]);
        }
        let fqdn = if host.ends_with('.') {
            host.to_string()
        } else {
            format!("{host}.")
        };
        let Some(resolver) = &self.resolver else {
            let mut o = out.with("resolver", self.description.clone()).fail(
                ErrorClass::Local,
                "no DNS server is configured on this computer (no network connection?)",
            );
            o.set("no_resolver", true);
            return (o, vec![]);
        };
        let result =
            match tokio::time::timeout(self.deadline, resolver.lookup_ip(fqdn.as_str())).await {
                Ok(r) => r,
                Err(_) => Err(NetError::Timeout),
            };
        let elapsed = start.elapsed();
        let mut out = out.with("resolver", self.description.clone());
        out.duration_ms = elapsed.as_millis() as u64;
        match result {
            Ok(lookup) => {
                let ips: Vec<IpAddr> = lookup.iter().collect();
                let mut ttl: Option<u32> = None;
                let mut cnames = Vec::new();
                for rec in lookup.as_lookup().answers() {
                    ttl = Some(ttl.map_or(rec.ttl, |t: u32| t.min(rec.ttl)));
                    if let RData::CNAME(c) = &rec.data {
                        cnames.push(c.0.to_string());
                    }
                }
                out.set(
                    "addresses",
                    ips.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
                );
                if let Some(t) = ttl {
                    out.set("ttl", t);
                }
                if !cnames.is_empty() {
                    out.set("cnames", cnames);
                }
                let bogus: Vec<String> = ips
                    .iter()
                    .filter(|ip| is_bogon(**ip) && !self.allowed.iter().any(|n| n.contains(**ip)))
                    .map(|ip| ip.to_string())
                    .collect();
                if ips.is_empty() {
                    (
                        out.fail(ErrorClass::NoAnswer, format!("{host} has no address")),
                        ips,
                    )
                } else if bogus.len() == ips.len() {
                    (
                        out.fail(
                            ErrorClass::DnsSinkhole,
                            format!(
                                "{host} resolves to {}, an address a public service never has: the DNS is filtered",
                                bogus.join(", ")
                            ),
                        ),
                        ips,
                    )
                } else {
                    (out, ips)
                }
            }
            Err(e) => (out.failed(classify(&e, host)), vec![]),
        }
    }
}

fn classify(e: &NetError, host: &str) -> ProbeError {
    if e.is_nx_domain() {
        return ProbeError::new(
            ErrorClass::Nxdomain,
            format!("{host} does not exist (NXDOMAIN)"),
        );
    }
    if e.is_no_records_found() {
        return ProbeError::new(
            ErrorClass::NoAnswer,
            format!("{host} has no address record"),
        );
    }
    match e {
        NetError::Timeout => {
            ProbeError::new(ErrorClass::Timeout, "the DNS server did not answer in time")
        }
        NetError::Io(io) => ProbeError::new(super::classify_io(io), format!("DNS: {io}")),
        NetError::NoConnections => {
            ProbeError::new(ErrorClass::Unreachable, "no DNS server could be reached")
        }
        other => {
            let text = other.to_string();
            let lower = text.to_ascii_lowercase();
            if lower.contains("timed out") || lower.contains("timeout") {
                ProbeError::new(ErrorClass::Timeout, format!("DNS: {text}"))
            } else {
                ProbeError::new(
                    ErrorClass::Servfail,
                    format!("the DNS server failed: {text}"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bogons() {
        for b in [
            "0.0.0.0",
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.20.0.1",
            "::1",
            "fd00::1",
        ] {
            assert!(is_bogon(b.parse().unwrap()), "{b}");
        }
        for g in ["198.18.0.1", "8.8.8.8", "2001:db8::1", "172.32.0.1"] {
            assert!(!is_bogon(g.parse().unwrap()), "{g}");
        }
        let n: IpNet = "127.0.0.0/8".parse().unwrap();
        assert!(n.contains("127.9.9.9".parse().unwrap()));
        assert!("1.2.3.4/33".parse::<IpNet>().is_err());
    }
}
