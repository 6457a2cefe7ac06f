//! Upload measurement: the ndt7 upload protocol (WebSocket, subprotocol
//! `net.measurementlab.ndt.v7`), or a plain HTTP POST sink. The rate is what the *receiver*
//! says it got, never what was handed to the socket (which overstates slow uplinks).
//!
//! ndt7 (m-lab/ndt-server `spec/ndt7-protocol.md`): the client sends binary messages of random
//! bytes, starting at 8 KiB and doubling while a message is at most 1/16 of what is already
//! queued, up to 1 MiB here, and never more than about 250 ms at the rate measured so far; the
//! server sends JSON measurements (`AppInfo.NumBytes`, `TCPInfo.BytesReceived`, `ElapsedTime` in
//! µs) while it reads.
//!
//! On a thin uplink with a long queue (bufferbloat), the kernel would hold seconds of data: its
//! unsent queue is kept to about 100 ms at the measured rate ([`SendQueue`]), so the end of the
//! sending is the end of the test. The test stops when the receiver's rate is stable (the last
//! 2 s within 3 % of the whole, after at least 4 s), at the latest after its duration; it is
//! stalled only when neither the socket nor the receiver's counts have moved for 2 s.
//!
//! Here: the two clients (`ndt7.rs`, `post.rs`), the receiver's counts with the figure and the
//! stability rule (`counts.rs`), the stall rule (`progress.rs`), the socket's queue
//! (`send_queue.rs`), the counting stream (`metered.rs`); the result, [`Upload`], below.

mod counts;
mod metered;
mod ndt7;
mod post;
mod progress;
mod send_queue;
#[cfg(test)]
mod tests;

pub use counts::{Count, Counts, check_counts};
pub use metered::Metered;
pub use ndt7::{MIN_TEST, NDT7_PROTOCOL, ndt7, parse_measurement};
pub use post::{parse_post_answer, post};
pub use send_queue::SendQueue;

use crate::model::{ErrorClass, ProbeError};
use counts::figure;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};

/// Largest text message (a measurement) accepted from the server.
const MAX_TEXT: usize = 64 * 1024;

/// Turns true when the user stops the run (Ctrl-C): the measurement ends there and keeps
/// what it measured.
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// Resolves when `stop` turns true; never if nobody can set it any more.
pub(crate) async fn stopped(mut stop: Stop) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn interrupted(after: Duration) -> ProbeError {
    ProbeError::new(
        ErrorClass::Interrupted,
        format!("stopped by the user after {:.1} s", after.as_secs_f64()),
    )
}

/// Any byte stream the measurement can run over (TCP, TLS, a proxy tunnel).
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One point of the throughput timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub t_ms: f64,
    pub kbps: f64,
}

/// Why the sending ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ended {
    /// Not run.
    #[default]
    None,
    /// The receiver's rate was stable.
    Stable,
    /// The duration asked for was reached.
    Duration,
    /// The measurement failed or was stopped (see `error`).
    Error,
}

impl Ended {
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::None => "none",
            Ended::Stable => "stable",
            Ended::Duration => "duration",
            Ended::Error => "error",
        }
    }
}

/// The measurement, also when it failed half-way (what was measured until then is kept).
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub method: &'static str,
    /// Bytes the client handed over for sending (the last message may be cut by the deadline).
    pub bytes_sent: u64,
    /// The receiver's counts, in order (a bounded sample).
    pub counts: Vec<Count>,
    /// Sending time (from the first byte to the deadline or the failure).
    pub sending: Duration,
    pub error: Option<ProbeError>,
    /// The rate comes from the sender's own count (the receiver sent none): may overstate.
    pub sender_counted: bool,
    /// Why the sending ended.
    pub ended: Ended,
    /// How the kernel's queue was kept small (`tcp_notsent_lowat`, `so_sndbuf`, `none`).
    pub send_queue: &'static str,
}

impl Upload {
    /// The receiver's counts up to the one where everything had arrived: counts after it only
    /// add idle time (the peer waiting for a close that the full send buffer delays).
    fn flowing(&self) -> &[Count] {
        let last = self.counts.last().map(|c| c.bytes).unwrap_or(0);
        let end = self
            .counts
            .iter()
            .position(|c| c.bytes == last)
            .map(|i| i + 1)
            .unwrap_or(0);
        &self.counts[..end]
    }

    /// kbit/s from the receiver's counts until the last byte had arrived (see [`figure`]),
    /// or the sender's own count, flagged.
    pub fn kbps(&self) -> Option<f64> {
        let f = self.flowing();
        match figure(f, f.last().map_or(0, |c| c.elapsed_us)) {
            Some(r) => Some(r * 8.0 / 1000.0),
            _ if self.sender_counted && !self.sending.is_zero() => {
                Some(self.bytes_sent as f64 * 8.0 / self.sending.as_secs_f64() / 1000.0)
            }
            _ => None,
        }
    }

    /// The rate between successive counts, one point per ~250 ms.
    pub fn timeline(&self) -> Vec<Sample> {
        let mut out = Vec::new();
        let mut prev = Count {
            elapsed_us: 0,
            bytes: 0,
        };
        for c in self.flowing() {
            let dt = c.elapsed_us.saturating_sub(prev.elapsed_us);
            if dt < 200_000 {
                continue;
            }
            let kbps = c.bytes.saturating_sub(prev.bytes) as f64 * 8.0 * 1000.0 / dt as f64;
            out.push(Sample {
                t_ms: (c.elapsed_us as f64 / 1000.0).round(),
                kbps: (kbps * 10.0).round() / 10.0,
            });
            prev = *c;
        }
        out
    }
}

/// Random-looking bytes (xorshift), so that nothing on the way can compress them.
pub fn payload(len: usize) -> bytes::Bytes {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ (Instant::now().elapsed().as_nanos() as u64);
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    bytes::Bytes::from(v)
}

/// Shared end of both methods: a lying peer is a failure; no count at all is flagged.
fn finish(up: &mut Upload) {
    if let Err(e) = check_counts(&up.counts, up.bytes_sent) {
        up.error = Some(e);
        up.ended = Ended::Error;
        up.counts.clear();
        return;
    }
    if up.counts.is_empty() && up.error.is_none() && up.bytes_sent > 0 {
        up.sender_counted = true;
    }
}
