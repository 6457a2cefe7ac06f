//! Which certificates are trusted, as a browser on this machine would (the public roots plus
//! `--ca-file`, and the names of known interception authorities), and the verifier that lets
//! a handshake finish so the whole chain is recorded and judged afterwards (`probe::tls`).

use crate::model::{ErrorClass, ProbeError};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsConnector;

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

    pub(super) fn connector(&self, alpn: &[&[u8]]) -> TlsConnector {
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

/// `host` as the name a TLS client sends.
pub(super) fn tls_name(host: &str) -> Result<ServerName<'static>, ProbeError> {
    ServerName::try_from(host.to_string()).map_err(|_| {
        ProbeError::new(
            ErrorClass::Local,
            format!("`{host}` is not a valid TLS name"),
        )
    })
}
