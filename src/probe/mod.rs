//! Probes: each talks over real sockets, never prints, and returns an [`Outcome`] whose failure
//! is classified. Deadlines are applied by the runner around every probe.

pub mod dns;
pub mod fetch;
pub mod http;
pub mod proxy;
pub mod stun;
pub mod sysproxy;
pub mod tcp;
pub mod tls;
pub mod trust;
pub mod websocket;

use crate::model::{ErrorClass, ProbeError};
use std::io;
use std::time::{Duration, Instant};

/// What every probe may use: the trust store and the limits.
#[derive(Clone)]
pub struct Env {
    pub trust: std::sync::Arc<tls::Trust>,
    /// Per-probe deadline (`--timeout`).
    pub timeout: Duration,
    /// What betrays a filter's own answer (from `profiles/firewalls.toml`).
    pub page_signs: std::sync::Arc<Vec<http::PageSign>>,
}

/// Map an I/O error to the class a network engineer would name.
pub fn classify_io(e: &io::Error) -> ErrorClass {
    use io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => ErrorClass::Refused,
        ConnectionReset | ConnectionAborted | BrokenPipe => ErrorClass::Reset,
        TimedOut | WouldBlock => ErrorClass::Timeout,
        UnexpectedEof => ErrorClass::Closed,
        HostUnreachable | NetworkUnreachable | AddrNotAvailable => ErrorClass::Unreachable,
        InvalidData => ErrorClass::Malformed,
        _ => match e.raw_os_error() {
            // EHOSTUNREACH / ENETUNREACH on Linux and macOS; WSAEHOSTUNREACH / WSAENETUNREACH on Windows.
            Some(113) | Some(101) | Some(65) | Some(51) | Some(10065) | Some(10051) => {
                ErrorClass::Unreachable
            }
            _ => ErrorClass::Local,
        },
    }
}

/// An I/O error as a probe's failure, classed by [`classify_io`]; add what was being done with
/// [`ProbeError::context`].
impl From<io::Error> for ProbeError {
    fn from(e: io::Error) -> Self {
        ProbeError::new(classify_io(&e), e.to_string())
    }
}

/// Milliseconds since `start`, rounded, for `duration_ms` fields.
pub fn ms_since(start: Instant) -> u64 {
    start.elapsed().as_millis() as u64
}

/// Milliseconds with a tenth of precision, for RTTs and phase timings in `data`.
pub fn ms_f(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Outcome, ProbeKind};

    #[test]
    fn an_io_error_is_a_classed_probe_error_and_the_report_keeps_class_and_message() {
        let at: std::net::SocketAddr = "192.0.2.1:443".parse().unwrap();
        let e = ProbeError::from(io::Error::from(io::ErrorKind::ConnectionRefused))
            .context(format_args!("TCP {at}"))
            .at(at);
        assert_eq!(e.class, ErrorClass::Refused);
        assert_eq!(e.addr, Some(at));
        assert!(e.to_string().starts_with("TCP 192.0.2.1:443: "), "{e}");
        let o = Outcome::new(ProbeKind::Tcp, "x:443", None).failed(e);
        let json = serde_json::to_value(&o).unwrap();
        let mut keys: Vec<&String> = json["error"].as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["class", "message"], "{json}");
        assert_eq!(json["error"]["class"], "refused");
        let back: Outcome = serde_json::from_value(json).unwrap();
        assert_eq!(back.class(), Some(ErrorClass::Refused));
        assert_eq!(back.error.unwrap().addr, None);
    }
}
