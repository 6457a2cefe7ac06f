//! Reading a TOML file so that every error names the file, the line and the field.

use super::*;

pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
}

impl Ctx<'_> {
    pub(super) fn err(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> ProfileError {
        let (line, column) = line_col(self.text, span.start);
        ProfileError {
            file: self.file.to_string(),
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The span of `key = ...` for the n-th `[[table]]` (best effort: the table header).
    pub(super) fn table_span(&self, table: &str, index: usize) -> std::ops::Range<usize> {
        let header = format!("[[{table}]]");
        let mut seen = 0;
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            if line.trim() == header {
                if seen == index {
                    return offset..offset + line.len();
                }
                seen += 1;
            }
            offset += line.len();
        }
        0..0
    }

    pub(super) fn key_span(&self, key: &str) -> std::ops::Range<usize> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
                return offset..offset + line.len();
            }
            offset += line.len();
        }
        0..0
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map(|i| offset - i).unwrap_or(offset + 1);
    (line, column)
}

/// Deserialize a TOML file; errors name the file, the line and the field.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, ProfileError> {
    let ctx = Ctx { file, text };
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        ctx.err(span, "(syntax)", e.message().to_string())
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let span = inner.span().unwrap_or(0..0);
        // Spanned<T> adds a private key to the path; users want the field they wrote.
        let path = path
            .split(".$__serde_spanned")
            .next()
            .unwrap_or_default()
            .to_string();
        let field = if path == "." {
            "(top)".to_string()
        } else {
            path
        };
        ctx.err(span, &field, inner.message().to_string())
    })
}

/// Why a text is not a `stun:` / `turn:` / `turns:` URI (worded in `report/errors.rs`; its
/// English is what a profile file's error says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IceUriError {
    /// No `scheme:` at all.
    NoScheme {
        url: String,
    },
    BadPort {
        url: String,
        port: String,
    },
    BadHost {
        url: String,
    },
    /// A query other than `?transport=udp` / `?transport=tcp`.
    BadTransport {
        url: String,
    },
    /// `turns:` asked over UDP.
    TurnsOverUdp {
        url: String,
    },
    UnknownScheme {
        url: String,
        scheme: String,
    },
}

/// Parse `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`, `turns:host[:port][?transport=tcp]`.
pub fn parse_ice_url(
    url: &str,
) -> Result<(IceScheme, String, u16, crate::model::Transport), IceUriError> {
    use crate::model::Transport;
    let u = || url.to_string();
    let (scheme, rest) = url
        .split_once(':')
        .ok_or_else(|| IceUriError::NoScheme { url: u() })?;
    let (hostport, query) = match rest.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (rest, None),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
            let port: u16 = p.parse().map_err(|_| IceUriError::BadPort {
                url: u(),
                port: p.to_string(),
            })?;
            (h.trim_matches(|c| c == '[' || c == ']').to_string(), port)
        }
        _ => (hostport.to_string(), 0),
    };
    if host.is_empty() || host.contains('/') {
        return Err(IceUriError::BadHost { url: u() });
    }
    let transport_q = match query {
        None => None,
        Some(q) => match q.strip_prefix("transport=") {
            Some("udp") => Some(Transport::Udp),
            Some("tcp") => Some(Transport::Tcp),
            _ => return Err(IceUriError::BadTransport { url: u() }),
        },
    };
    let (scheme, transport, default_port) = match scheme {
        "stun" => (IceScheme::Stun, transport_q.unwrap_or(Transport::Udp), 3478),
        "turn" => (IceScheme::Turn, transport_q.unwrap_or(Transport::Udp), 3478),
        "turns" => {
            if transport_q == Some(Transport::Udp) {
                return Err(IceUriError::TurnsOverUdp { url: u() });
            }
            (IceScheme::Turn, Transport::Tls, 5349)
        }
        other => {
            return Err(IceUriError::UnknownScheme {
                url: u(),
                scheme: other.to_string(),
            });
        }
    };
    Ok((
        scheme,
        host,
        if port == 0 { default_port } else { port },
        transport,
    ))
}
