//! Where a platform's media relay is, when it is elsewhere than the profile says (`--turn`).

use super::*;

/// A TURN relay named by the user (`--turn`) or a profile: `host[:port]`, or a `turn:` /
/// `turns:` URI as BigBlueButton's `turn-stun-servers.xml` lists them.
#[derive(Debug, Clone, PartialEq)]
pub enum Relay {
    /// A host: tested the way bbb-install sets a relay up (UDP 3478, TLS on `tls_port` with
    /// ALPN `stun.turn`, TCP 3478 for information).
    Host { host: String, tls_port: u16 },
    /// One URI: exactly that transport.
    Uri(String),
}

impl std::str::FromStr for Relay {
    type Err = String;
    fn from_str(s: &str) -> Result<Relay, String> {
        let s = s.trim();
        let example = "e.g. relay.example.org, relay.example.org:443 or turns:relay.example.org:443?transport=tcp";
        if s.is_empty() {
            return Err(format!("a TURN relay is needed ({example})"));
        }
        if s.contains("://") || s.contains('/') {
            return Err(format!(
                "`{s}` is not a host name or a turn:/turns: URI ({example})"
            ));
        }
        if s.starts_with("turn:") || s.starts_with("turns:") || s.starts_with("stun:") {
            parse_ice_url(s).map_err(|e| format!("{e} ({example})"))?;
            return Ok(Relay::Uri(s.to_string()));
        }
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (
                h,
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("`{s}`: `{p}` is not a port ({example})"))?,
            ),
            _ => (s, 443),
        };
        let valid = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid {
            return Err(format!("`{s}` is not a host name ({example})"));
        }
        Ok(Relay::Host {
            host: host.to_ascii_lowercase(),
            tls_port: port,
        })
    }
}

impl Relay {
    /// The ICE URIs this relay is tested with, each with its transport.
    pub fn uris(&self) -> Vec<String> {
        match self {
            Relay::Host { host, tls_port } => vec![
                format!("turn:{host}:3478?transport=udp"),
                format!("turn:{host}:3478?transport=tcp"),
                format!("turns:{host}:{tls_port}?transport=tcp"),
            ],
            Relay::Uri(u) => vec![u.clone()],
        }
    }
}
