//! The data every stage shares: what a probe found ([`Outcome`]) and the JSON report
//! (`preflight-report/1`, see `shared/contract.md`). Field names here are the contract.

use serde::{Deserialize, Serialize};

/// JSON schema identifier written in every report.
pub const SCHEMA: &str = "preflight-report/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    Dns,
    Tcp,
    Tls,
    Https,
    Websocket,
    Stun,
    Turn,
    UdpQuality,
    Bandwidth,
    Proxy,
    /// Plain HTTP (the captive-portal check).
    Http,
}

impl ProbeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Dns => "dns",
            ProbeKind::Tcp => "tcp",
            ProbeKind::Tls => "tls",
            ProbeKind::Https => "https",
            ProbeKind::Websocket => "websocket",
            ProbeKind::Stun => "stun",
            ProbeKind::Turn => "turn",
            ProbeKind::UdpQuality => "udp_quality",
            ProbeKind::Bandwidth => "bandwidth",
            ProbeKind::Proxy => "proxy",
            ProbeKind::Http => "http",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    Skipped,
}

/// Why a probe failed. Each class is a finding the diagnosis can reason about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// No answer before the deadline (a firewall that drops).
    Timeout,
    /// TCP RST to the SYN, or ICMP port unreachable for UDP (a firewall that rejects).
    Refused,
    /// The connection was cut after it was established.
    Reset,
    /// No route to the host or network.
    Unreachable,
    /// The name does not exist (NXDOMAIN).
    Nxdomain,
    /// The resolver failed (SERVFAIL, REFUSED).
    Servfail,
    /// The name exists but has no address.
    NoAnswer,
    /// A public name answered with 0.0.0.0, loopback, private or other bogon addresses.
    DnsSinkhole,
    /// The certificate chain is not anchored in a trusted root, or its issuer is a known
    /// interception authority.
    TlsInterception,
    /// Expired, not yet valid, or issued for another name.
    CertInvalid,
    /// The TLS handshake failed for another reason (protocol alert, no common cipher, ...).
    TlsHandshake,
    /// An HTTP status the service never answers.
    HttpStatus,
    /// A page that is not the service (filter, captive portal, ...).
    BlockPage,
    /// Direct egress is closed: the network wants an HTTP proxy.
    ProxyRequired,
    /// The proxy asks for credentials (407).
    ProxyAuth,
    /// The proxy refused the tunnel (CONNECT answered 403, 302, ...).
    ProxyRefused,
    /// The WebSocket upgrade was refused by something other than the service.
    UpgradeRefused,
    /// The port answers, but not as a TURN relay: its TLS server refuses the TURN protocol
    /// (ALPN `stun.turn`) or a web server answers.
    NoRelay,
    /// The peer answered nothing usable (UDP silence, empty reply).
    NoResponse,
    /// The peer answered bytes that do not parse as the protocol.
    Malformed,
    /// The peer sent more than the probe accepts (endless headers, huge body).
    TooLarge,
    /// The peer closed the connection before answering.
    Closed,
    /// The probe could not be set up (bad URL, local socket error...).
    Local,
    /// The answer was understood but is below what the stream needs.
    Insufficient,
    /// The peer stopped reading what was sent (a measurement cannot go on).
    Stalled,
    /// Loss, jitter or round-trip time beyond what live audio and video tolerate.
    PoorQuality,
    /// Latency rises too much while the link is busy (bufferbloat).
    LatencyUnderLoad,
    /// The user stopped the run (Ctrl-C) before this measurement ended.
    Interrupted,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        use ErrorClass::*;
        match self {
            Timeout => "timeout",
            Refused => "refused",
            Reset => "reset",
            Unreachable => "unreachable",
            Nxdomain => "nxdomain",
            Servfail => "servfail",
            NoAnswer => "no_answer",
            DnsSinkhole => "dns_sinkhole",
            TlsInterception => "tls_interception",
            CertInvalid => "cert_invalid",
            TlsHandshake => "tls_handshake",
            HttpStatus => "http_status",
            BlockPage => "block_page",
            ProxyRequired => "proxy_required",
            ProxyAuth => "proxy_auth",
            ProxyRefused => "proxy_refused",
            UpgradeRefused => "upgrade_refused",
            NoRelay => "no_relay",
            NoResponse => "no_response",
            Malformed => "malformed",
            TooLarge => "too_large",
            Closed => "closed",
            Local => "local",
            Insufficient => "insufficient",
            Stalled => "stalled",
            PoorQuality => "poor_quality",
            LatencyUnderLoad => "latency_under_load",
            Interrupted => "interrupted",
        }
    }
}

/// Why a probe failed: its class, what happened in words and, where there is one, the address
/// it failed on. The report's `error` object carries the class and the message only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ProbeError {
    pub class: ErrorClass,
    pub message: String,
    /// The address the probe failed on (a peer, a proxy), for the program; not in the report.
    #[serde(skip)]
    pub addr: Option<std::net::SocketAddr>,
}

impl ProbeError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        ProbeError {
            class,
            message: message.into(),
            addr: None,
        }
    }

    /// The address it failed on.
    pub fn at(mut self, addr: std::net::SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// The message after what was being done: `TCP 192.0.2.1:443: Connection refused`.
    pub fn context(mut self, what: impl std::fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

mod outcome;
mod report;
pub use outcome::{Crossed, Facts, Judgement, Measure, Outcome, Skip, wire};
pub use report::*;

/// A verdict, per platform and overall. Ordered from best to worst; `Incomplete` (the run was
/// stopped before it could tell) outweighs the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    Degraded,
    Blocked,
    Incomplete,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::Degraded => "degraded",
            Verdict::Blocked => "blocked",
            Verdict::Incomplete => "incomplete",
        }
    }

    /// The process exit code of the contract.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Ready => 0,
            Verdict::Degraded => 1,
            Verdict::Blocked => 2,
            // 128 + SIGINT: what a shell reports for a command stopped by Ctrl-C.
            Verdict::Incomplete => 130,
        }
    }
}
