//! TCP connect: `refused` (RST), `reset`, `timeout` (dropped), `unreachable`.

use super::ms_f;
use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// Connect to the first address that accepts, trying each in turn within `deadline`.
/// On failure, the error of the last attempt is returned with its class.
pub async fn connect(
    addrs: &[IpAddr],
    port: u16,
    deadline: Duration,
) -> Result<(TcpStream, SocketAddr, Duration), ProbeError> {
    if addrs.is_empty() {
        return Err(ProbeError::new(
            ErrorClass::Local,
            "no address to connect to",
        ));
    }
    let start = Instant::now();
    let mut last = None;
    // IPv4 first: school networks rarely route IPv6 well, and the browser falls back anyway.
    let mut ordered: Vec<IpAddr> = addrs.iter().copied().filter(IpAddr::is_ipv4).collect();
    ordered.extend(addrs.iter().copied().filter(IpAddr::is_ipv6));
    for ip in ordered {
        let left = deadline.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        let sa = SocketAddr::new(ip, port);
        let t0 = Instant::now();
        match tokio::time::timeout(left, TcpStream::connect(sa)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok((s, sa, t0.elapsed()));
            }
            Ok(Err(e)) => last = Some(ProbeError::from(e).context(format_args!("TCP {sa}")).at(sa)),
            Err(_) => {
                last = Some(
                    ProbeError::new(
                        ErrorClass::Timeout,
                        format!(
                            "TCP {sa}: no answer in {} ms (packets dropped)",
                            left.as_millis()
                        ),
                    )
                    .at(sa),
                )
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        ProbeError::new(
            ErrorClass::Timeout,
            format!("TCP port {port}: no answer in time (packets dropped)"),
        )
    }))
}

/// The `tcp` probe for `host:port`.
pub async fn probe(host: &str, addrs: &[IpAddr], port: u16, deadline: Duration) -> Outcome {
    let start = Instant::now();
    let out = Outcome::new(
        ProbeKind::Tcp,
        format!("{host}:{port}"),
        Some(Transport::Tcp),
    );
    let mut out = match connect(addrs, port, deadline).await {
        Ok((_s, sa, rtt)) => out.answered_by(sa).with("connect_ms", ms_f(rtt)),
        Err(e) => out.failed(e),
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}
