//! TLS with tokio-rustls. The handshake accepts any chain (signatures are still checked) so
//! that the whole chain is recorded; the chain is judged afterwards against the public roots
//! plus `--ca-file`. A chain not anchored in a trusted root is `tls_interception` (what a
//! filtering firewall does), with the issuer's name; an expired or wrong-name certificate is
//! `cert_invalid`. A trusted chain whose issuer is a known interception authority (the school
//! installed the firewall's CA on its PCs) is still reported, as a warning.

use super::ms_f;
use super::trust::tls_name;
pub use super::trust::{CaProblem, CertSummary, Trust, TrustError, provider, summarize};
use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use rustls::pki_types::CertificateDer;
use serde_json::{Value, json};
use std::net::IpAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::client::TlsStream;

/// Who answered behind a TLS handshake, as a browser would judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A chain valid for the exact name up to a public root or `--ca-file`, from no known
    /// inspection authority: the service's operator answered, whatever the answer says.
    Operator,
    /// A chain this computer trusts, but minted by a TLS inspection box: the box may answer.
    Inspected,
    /// A chain nothing trusts (interception by a box whose authority is not installed).
    Untrusted,
    /// No TLS at all: anyone on the path may answer.
    Plain,
}

/// What one handshake showed.
#[derive(Debug, Clone)]
pub struct TlsFacts {
    pub handshake: Duration,
    pub version: Option<String>,
    pub alpn: Option<String>,
    pub chain: Vec<CertSummary>,
    /// Ok when the chain is trusted for the host (with a warning when an inspection authority
    /// issued it); otherwise the class and the explanation.
    pub judgement: Result<Option<String>, ProbeError>,
}

impl TlsFacts {
    /// Write the facts into a probe's `data`.
    pub fn record(&self, out: &mut Outcome) {
        out.set("tls_ms", ms_f(self.handshake));
        if let Some(v) = &self.version {
            out.set("tls_version", v.clone());
        }
        if let Some(a) = &self.alpn {
            out.set("alpn", a.clone());
        }
        if let Some(leaf) = self.chain.first() {
            out.set("issuer", leaf.issuer_name());
            out.set("issuer_dn", leaf.issuer.clone());
            out.set("subject", leaf.subject.clone());
            out.set("not_before", leaf.not_before.clone());
            out.set("not_after", leaf.not_after.clone());
        }
        out.set(
            "chain",
            Value::Array(
                self.chain
                    .iter()
                    .map(|c| json!({"subject": c.subject, "issuer": c.issuer}))
                    .collect(),
            ),
        );
        out.set("trusted", self.judgement.is_ok());
    }

    pub fn origin(&self) -> Origin {
        match &self.judgement {
            Ok(None) => Origin::Operator,
            Ok(Some(_)) => Origin::Inspected,
            Err(_) => Origin::Untrusted,
        }
    }

    /// Apply the judgement to a probe: fail when untrusted, warn when inspected.
    pub fn apply(&self, out: Outcome) -> Outcome {
        match &self.judgement {
            Ok(None) => out,
            Ok(Some(why)) => out.warn(ErrorClass::TlsInterception, why.clone()),
            Err(e) => out.failed(e.clone()),
        }
    }
}

/// Run a TLS handshake over `stream` (a direct TCP connection or a proxy tunnel).
pub async fn handshake<S>(
    stream: S,
    host: &str,
    alpn: &[&[u8]],
    trust: &Trust,
) -> Result<(TlsStream<S>, TlsFacts), ProbeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let name = tls_name(host)?;
    let start = Instant::now();
    let tls = trust
        .connector(alpn)
        .connect(name, stream)
        .await
        .map_err(|e| classify_tls_error(&e, host, alpn))?;
    let handshake = start.elapsed();
    let (_, conn) = tls.get_ref();
    let chain: Vec<CertificateDer<'static>> = conn
        .peer_certificates()
        .map(|c| c.iter().map(|c| c.clone().into_owned()).collect())
        .unwrap_or_default();
    let facts = TlsFacts {
        handshake,
        version: conn.protocol_version().map(|v| format!("{v:?}")),
        alpn: conn
            .alpn_protocol()
            .map(|a| String::from_utf8_lossy(a).into_owned()),
        chain: chain.iter().filter_map(summarize).collect(),
        judgement: trust.judge(host, &chain),
    };
    Ok((tls, facts))
}

fn classify_tls_error(e: &std::io::Error, host: &str, alpn: &[&[u8]]) -> ProbeError {
    let text = e.to_string();
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        let (class, message) = match inner {
            // Offered only TURN's ALPN, told "no application protocol": a TLS server that is
            // no TURN relay (nginx answers so since 1.21.4).
            rustls::Error::AlertReceived(rustls::AlertDescription::NoApplicationProtocol)
                if alpn == [b"stun.turn".as_slice()] =>
            {
                (
                    ErrorClass::NoRelay,
                    format!(
                        "TLS to {host}: the server refuses the TURN protocol (ALPN stun.turn): it is not a TURN relay"
                    ),
                )
            }
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => (
                ErrorClass::Malformed,
                format!("TLS to {host}: the server does not speak TLS ({inner})"),
            ),
            rustls::Error::AlertReceived(a) => (
                ErrorClass::TlsHandshake,
                format!("TLS to {host}: the server refused the handshake ({a:?})"),
            ),
            _ => (ErrorClass::TlsHandshake, format!("TLS to {host}: {inner}")),
        };
        return ProbeError::new(class, message);
    }
    let (class, message) = match super::classify_io(e) {
        ErrorClass::Local if text.contains("corrupt message") => (
            ErrorClass::Malformed,
            format!("TLS to {host}: the server does not speak TLS ({text})"),
        ),
        ErrorClass::Local => (ErrorClass::TlsHandshake, format!("TLS to {host}: {text}")),
        ErrorClass::Closed => (
            ErrorClass::Reset,
            format!(
                "TLS to {host}: the connection was closed during the handshake (a firewall filtering on the server name does this)"
            ),
        ),
        c => (c, format!("TLS to {host}: {text}")),
    };
    ProbeError::new(class, message)
}

/// The `tls` probe for `host:port` (with ALPN, e.g. `http/1.1` or `stun.turn`).
pub async fn probe(
    host: &str,
    addrs: &[IpAddr],
    port: u16,
    alpn: &[&[u8]],
    trust: &Trust,
    deadline: Duration,
) -> Outcome {
    let start = Instant::now();
    let mut out = Outcome::new(
        ProbeKind::Tls,
        format!("{host}:{port}"),
        Some(Transport::Tls),
    );
    let result = async {
        let (tcp, sa, rtt) = super::tcp::connect(addrs, port, deadline).await?;
        let (_tls, facts) = handshake(tcp, host, alpn, trust).await?;
        Ok::<_, ProbeError>((sa, rtt, facts))
    };
    let left = deadline;
    out = match tokio::time::timeout(left, result).await {
        Err(_) => out.fail(
            ErrorClass::Timeout,
            format!("TLS to {host}:{port}: no handshake in time"),
        ),
        Ok(Err(e)) => out.failed(e),
        Ok(Ok((sa, rtt, facts))) => {
            out.facts.address = Some(sa);
            out.set("connect_ms", ms_f(rtt));
            facts.record(&mut out);
            facts.apply(out)
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}
