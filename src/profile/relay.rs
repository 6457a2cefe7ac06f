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

/// Why a text is not a relay (worded in `report/errors.rs`, with an example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayError {
    Empty,
    /// A web address or a path, neither a host nor a turn:/turns: URI.
    NotHostOrUri,
    /// A turn:/turns:/stun: URI that does not parse.
    Uri(IceUriError),
    /// `host:port` whose port is not 1..=65535.
    BadPort {
        port: String,
    },
    NotHost,
}

impl std::str::FromStr for Relay {
    type Err = RelayError;
    fn from_str(s: &str) -> Result<Relay, RelayError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(RelayError::Empty);
        }
        if s.contains("://") || s.contains('/') {
            return Err(RelayError::NotHostOrUri);
        }
        if s.starts_with("turn:") || s.starts_with("turns:") || s.starts_with("stun:") {
            parse_ice_url(s).map_err(RelayError::Uri)?;
            return Ok(Relay::Uri(s.to_string()));
        }
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (
                h,
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| RelayError::BadPort {
                        port: p.to_string(),
                    })?,
            ),
            _ => (s, 443),
        };
        let valid = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid {
            return Err(RelayError::NotHost);
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
