//! What the sender watches while sending: the stall rule, and the rate the send queue and
//! the messages are sized with.

use super::counts::Counts;
use crate::model::{ErrorClass, ProbeError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Neither the socket nor the receiver's counts moved for this long: the peer stopped reading.
const STALL: Duration = Duration::from_secs(2);
/// How often the sender looks at its progress.
pub(super) const TICK: Duration = Duration::from_millis(100);

/// What the sender watches while sending: the socket's progress and the receiver's counts.
pub(super) struct Progress {
    written: Arc<AtomicU64>,
    pub(super) counts: Arc<Mutex<Counts>>,
    pub(super) start: Instant,
    seen: (u64, u64, Option<u64>),
    moved_at: Instant,
}

impl Progress {
    pub(super) fn new(written: Arc<AtomicU64>, counts: Arc<Mutex<Counts>>) -> Progress {
        let now = Instant::now();
        Progress {
            written,
            counts,
            start: now,
            seen: (0, 0, None),
            moved_at: now,
        }
    }

    /// Note what moved (what the program wrote, the receiver's count, what the kernel still
    /// holds: `outstanding`); true when nothing did for [`STALL`].
    pub(super) fn stalled(&mut self, now: Instant, outstanding: Option<u64>) -> bool {
        let w = self.written.load(Ordering::Relaxed);
        let c = self
            .counts
            .lock()
            .unwrap()
            .as_slice()
            .last()
            .map_or(0, |c| c.bytes);
        if (w, c, outstanding) != self.seen {
            self.seen = (w, c, outstanding);
            self.moved_at = now;
        }
        now.duration_since(self.moved_at) >= STALL
    }

    /// The rate (bytes/s) to size the send queue and the messages with: the receiver's
    /// average since its start (steadier than any recent rate: a loss makes the count lag,
    /// a shaper lets bursts through), and before its first count what the socket took less
    /// what it may still hold (`held`), so that the start does not overshoot.
    pub(super) fn rate(&self, now: Instant, held: usize) -> f64 {
        if let Some(c) = self.counts.lock().unwrap().as_slice().last()
            && c.elapsed_us >= 200_000
        {
            return c.bytes as f64 * 1e6 / c.elapsed_us as f64;
        }
        let t = now.duration_since(self.start).as_secs_f64();
        if t < 0.05 {
            return 0.0;
        }
        self.written
            .load(Ordering::Relaxed)
            .saturating_sub(held as u64) as f64
            / t
    }
}

pub(super) fn stalled_error() -> ProbeError {
    ProbeError::new(
        ErrorClass::Stalled,
        format!(
            "the peer stopped reading: nothing left the socket and the peer counted nothing more for {} s",
            STALL.as_secs()
        ),
    )
}
