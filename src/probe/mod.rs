//! Probes: each talks over real sockets, never prints, and returns an [`Outcome`] whose failure
//! is classified. Deadlines are applied by the runner around every probe.

pub mod dns;
pub mod http;
pub mod proxy;
pub mod stun;
pub mod sysproxy;
pub mod tcp;
pub mod tls;
pub mod websocket;

use crate::model::ErrorClass;
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

/// Milliseconds since `start`, rounded, for `duration_ms` fields.
pub fn ms_since(start: Instant) -> u64 {
    start.elapsed().as_millis() as u64
}

/// Milliseconds with a tenth of precision, for RTTs and phase timings in `data`.
pub fn ms_f(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}
