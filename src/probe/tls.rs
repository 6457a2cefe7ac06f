//! TLS with tokio-rustls. The handshake accepts any chain (signatures are still checked) so
//! that the whole chain is recorded; the chain is judged afterwards against the public roots
//! plus `--ca-file`. A chain not anchored in a trusted root is `tls_interception` (what a
//! filtering firewall does), with the issuer's name; an expired or wrong-name certificate is
//! `cert_invalid`. A trusted chain whose issuer is a known interception authority (the school
//! installed the firewall's CA on its PCs) is still reported, as a warning.

use super::ms_f;
use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde_json::{Value, json};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The roots a browser on this machine would trust, plus names of interception authorities.
pub struct Trust {
    /// The public roots (a browser's built-in list) plus `--ca-file`.
    verifier: Arc<WebPkiServerVerifier>,
    /// The roots this computer trusts beyond the public ones (its system store): a chain that
    /// only they vouch for goes through a non-public authority, usually a firewall's.
    system: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    /// Issuer names (CN or O) of known TLS-inspection authorities, lower case.
    pub interception_names: Vec<String>,
    /// Where the extra roots came from, for the report.
    pub extra: Option<String>,
}

/// The roots could not be set up (worded in `report/errors.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustError {
    /// `--ca-file` (its path, inert) cannot be used.
    CaFile { path: String, problem: CaProblem },
    /// The trust store could not be built (rustls's reason).
    Store(String),
}

/// What is wrong with a `--ca-file`; the library's or the system's own reason where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaProblem {
    Unreadable {
        kind: std::io::ErrorKind,
        os: String,
    },
    BadPem(String),
    NotCa(String),
    NoCertificate,
}

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Trust {
    pub fn new(
        ca_file: Option<&Path>,
        interception_names: Vec<String>,
    ) -> Result<Trust, TrustError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = ca_file {
            let ca = |problem| TrustError::CaFile {
                path: crate::inert::line(&path.display().to_string()),
                problem,
            };
            let pem = std::fs::read(path).map_err(|e| {
                ca(CaProblem::Unreadable {
                    kind: e.kind(),
                    os: e.to_string(),
                })
            })?;
            let mut n = 0;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.map_err(|e| ca(CaProblem::BadPem(e.to_string())))?;
                roots
                    .add(cert)
                    .map_err(|e| ca(CaProblem::NotCa(e.to_string())))?;
                n += 1;
            }
            if n == 0 {
                return Err(ca(CaProblem::NoCertificate));
            }
        }
        let provider = provider();
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| TrustError::Store(e.to_string()))?;
        // The system store may be unreadable or empty (a minimal container): then only the
        // public roots and --ca-file count, as before.
        let mut system_roots = RootCertStore::empty();
        for c in rustls_native_certs::load_native_certs().certs {
            let _ = system_roots.add(c);
        }
        let system = (!system_roots.is_empty())
            .then(|| {
                WebPkiServerVerifier::builder_with_provider(
                    Arc::new(system_roots),
                    provider.clone(),
                )
                .build()
                .ok()
            })
            .flatten();
        Ok(Trust {
            verifier,
            system,
            provider,
            interception_names: interception_names
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
            extra: ca_file.map(|p| p.display().to_string()),
        })
    }

    fn connector(&self, alpn: &[&[u8]]) -> TlsConnector {
        let recorder = Arc::new(AcceptAndRecord {
            algs: self.provider.signature_verification_algorithms,
        });
        let mut cfg = rustls::ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .dangerous()
            .with_custom_certificate_verifier(recorder)
            .with_no_client_auth();
        cfg.alpn_protocols = alpn.iter().map(|a| a.to_vec()).collect();
        TlsConnector::from(Arc::new(cfg))
    }

    /// Judge a chain (leaf first) for `host`. `Ok(Some(why))`: trusted, but issued by a known
    /// inspection authority (a warning: the browser works, the firewall reads the traffic).
    pub fn judge(
        &self,
        host: &str,
        chain: &[CertificateDer<'static>],
    ) -> Result<Option<String>, ProbeError> {
        let Some((leaf, rest)) = chain.split_first() else {
            return Err(ProbeError::new(
                ErrorClass::TlsHandshake,
                "the server sent no certificate",
            ));
        };
        let name = tls_name(host)?;
        let summaries: Vec<CertSummary> = chain.iter().filter_map(|c| summarize(c)).collect();
        let issuer = summaries
            .first()
            .map(|s| s.issuer_name())
            .unwrap_or_else(|| "?".into());
        match self.verifier.verify_server_cert(leaf, rest, &name, &[], UnixTime::now()) {
            Ok(_) => {
                Ok(summaries.iter().find_map(|s| self.interception_hit(s)).map(|hit| {
                    format!(
                        "the certificate is issued by `{hit}`, a TLS inspection authority trusted by this computer: the firewall decrypts this traffic"
                    )
                }))
            }
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer))
                if self.system.as_ref().is_some_and(|v| {
                    v.verify_server_cert(leaf, rest, &name, &[], UnixTime::now())
                        .is_ok()
                }) =>
            {
                Ok(Some(format!(
                    "the certificate for {host} is issued by `{issuer}`, an authority this computer trusts but that is not a public one: a firewall inspects (decrypts) this traffic"
                )))
            }
            Err(rustls::Error::InvalidCertificate(ce)) => {
                let (class, message) = match ce {
                CertificateError::UnknownIssuer
                | CertificateError::BadSignature
                | CertificateError::UnhandledCriticalExtension => (
                    ErrorClass::TlsInterception,
                    format!(
                        "the certificate for {host} is issued by `{issuer}`, which no trusted authority vouches for: something on the path (a filtering firewall) replaces the server's certificate"
                    ),
                ),
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => (
                    ErrorClass::CertInvalid,
                    format!("the certificate for {host} has expired"),
                ),
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
                    ErrorClass::CertInvalid,
                    format!("the certificate for {host} is not valid yet (check the computer's clock)"),
                ),
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => (
                    ErrorClass::CertInvalid,
                    format!("the certificate is not issued for {host}"),
                ),
                other => (
                    ErrorClass::CertInvalid,
                    format!("the certificate for {host} is invalid: {other:?}"),
                ),
                };
                Err(ProbeError::new(class, message))
            }
            Err(e) => Err(ProbeError::new(
                ErrorClass::CertInvalid,
                format!("certificate for {host}: {e}"),
            )),
        }
    }

    fn interception_hit(&self, s: &CertSummary) -> Option<String> {
        let names = [
            s.issuer_cn.as_deref(),
            s.issuer_org.as_deref(),
            s.subject_cn.as_deref(),
        ];
        for n in names.into_iter().flatten() {
            let low = n.to_lowercase();
            if self
                .interception_names
                .iter()
                .any(|k| !k.is_empty() && low.contains(k.as_str()))
            {
                return Some(n.to_string());
            }
        }
        None
    }
}

/// The chain is judged after the handshake; signatures are still verified during it.
#[derive(Debug)]
struct AcceptAndRecord {
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAndRecord {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

/// What a certificate says, for the report and the firewall fingerprints.
#[derive(Debug, Clone, PartialEq)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    pub subject_cn: Option<String>,
    pub issuer_cn: Option<String>,
    pub issuer_org: Option<String>,
    pub not_before: String,
    pub not_after: String,
}

impl CertSummary {
    pub fn issuer_name(&self) -> String {
        self.issuer_cn
            .clone()
            .or_else(|| self.issuer_org.clone())
            .unwrap_or_else(|| self.issuer.clone())
    }
}

pub fn summarize(der: &CertificateDer<'_>) -> Option<CertSummary> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let first = |it: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue>| {
        it.next().and_then(|a| a.as_str().ok()).map(str::to_string)
    };
    let fmt = |t: &x509_parser::time::ASN1Time| {
        t.to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    Some(CertSummary {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        subject_cn: first(&mut cert.subject().iter_common_name()),
        issuer_cn: first(&mut cert.issuer().iter_common_name()),
        issuer_org: first(&mut cert.issuer().iter_organization()),
        not_before: fmt(&cert.validity().not_before),
        not_after: fmt(&cert.validity().not_after),
    })
}

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

/// `host` as the name a TLS client sends.
fn tls_name(host: &str) -> Result<ServerName<'static>, ProbeError> {
    ServerName::try_from(host.to_string()).map_err(|_| {
        ProbeError::new(
            ErrorClass::Local,
            format!("`{host}` is not a valid TLS name"),
        )
    })
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
