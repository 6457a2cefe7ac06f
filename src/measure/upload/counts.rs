//! What the receiver counted: the bounded sample of its counts, the figure drawn from them,
//! the stability rule that ends an adaptive test, and the check that they are not lies.

use crate::model::{ErrorClass, ProbeError};
use std::time::{Duration, Instant};

/// Stable: the rate over the last this long ...
pub(super) const STABLE_WINDOW: Duration = Duration::from_secs(2);
/// ... is within this fraction of the rate over the whole test.
const STABLE_WITHIN: f64 = 0.03;
/// At most this many receiver counts are kept (a bounded sample, whatever the peer sends) ...
pub(super) const MAX_COUNTS: usize = 1024;
/// ... and counts arriving closer together than this replace each other.
const COUNT_GAP: Duration = Duration::from_millis(50);

/// What the receiver said: bytes received after `elapsed` since its start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Count {
    pub elapsed_us: u64,
    pub bytes: u64,
}

/// The receiver's counts as they arrive, as a bounded sample: counts arriving within
/// [`COUNT_GAP`] of the last kept one replace it, and past [`MAX_COUNTS`] every other one is
/// dropped (the last is always kept). A count that goes backwards, or whose clock runs far
/// from ours, is a lie.
#[derive(Debug, Default)]
pub struct Counts {
    pub(super) kept: Vec<Count>,
    kept_at: Option<Instant>,
}

impl Counts {
    /// Add a count that arrived `since` after the sending started.
    pub fn push(&mut self, c: Count, now: Instant, since: Duration) -> Result<(), ProbeError> {
        if let Some(p) = self.kept.last()
            && (c.bytes < p.bytes || c.elapsed_us < p.elapsed_us)
        {
            return Err(lie(format!(
                "the peer's counts go backwards ({} bytes at {} µs, then {} at {} µs)",
                p.bytes, p.elapsed_us, c.bytes, c.elapsed_us
            )));
        }
        // The peer's clock starts at the upgrade, a little before ours; a count may wait a
        // while in a slow downlink. Beyond that, its clock is not a clock.
        let ours = since.as_micros() as u64;
        if c.elapsed_us > ours + 5_000_000 || c.elapsed_us + 2_000_000 < ours / 2 {
            return Err(lie(format!(
                "the peer's clock does not run like ours ({:.1} s by its count, {:.1} s here)",
                c.elapsed_us as f64 / 1e6,
                since.as_secs_f64()
            )));
        }
        let close = self
            .kept_at
            .is_some_and(|t| now.saturating_duration_since(t) < COUNT_GAP);
        if close && self.kept.len() >= 2 {
            let n = self.kept.len();
            self.kept[n - 1] = c;
        } else {
            self.kept.push(c);
            self.kept_at = Some(now);
        }
        if self.kept.len() > MAX_COUNTS {
            let last = *self.kept.last().expect("not empty");
            let mut i = 0;
            self.kept.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            if self.kept.last() != Some(&last) {
                self.kept.push(last);
            }
        }
        Ok(())
    }

    pub fn as_slice(&self) -> &[Count] {
        &self.kept
    }

    /// The receiver's rate (bytes/s) over the last `window` of its counts (all of them when
    /// shorter), None before two counts a quarter second apart.
    pub fn recent_rate(&self, window: Duration) -> Option<f64> {
        let last = self.kept.last()?;
        let from = last.elapsed_us.saturating_sub(window.as_micros() as u64);
        let first = self
            .kept
            .iter()
            .rev()
            .find(|c| c.elapsed_us <= from)
            .or(self.kept.first())?;
        let dt = last.elapsed_us.checked_sub(first.elapsed_us)?;
        (dt >= 250_000).then(|| (last.bytes - first.bytes) as f64 * 1e6 / dt as f64)
    }

    /// Stable: the figure (see [`figure`]) moved by at most [`STABLE_WITHIN`] over the last
    /// [`STABLE_WINDOW`]: the rate of those seconds is that of the whole test, and going on
    /// would not change it.
    pub fn stable(&self) -> bool {
        let Some(last) = self.kept.last() else {
            return false;
        };
        let (t, w) = (last.elapsed_us, STABLE_WINDOW.as_micros() as u64);
        if t < 2 * w {
            return false;
        }
        match (figure(&self.kept, t), figure(&self.kept, t - w)) {
            (Some(now), Some(before)) => {
                now > 0.0 && (now - before).abs() <= STABLE_WITHIN * before
            }
            _ => false,
        }
    }
}

/// The figure at the count `to` (µs): the median, over the counts of the last
/// [`STABLE_WINDOW`] before it, of the receiver's average rate since its start. A median,
/// because a receiver counts what it could read: after a loss, TCP holds back what follows the
/// missing segment until it is sent again, a round trip later, so a count lags, then catches
/// up; and a shaper's token bucket lets a burst through after an idle moment.
pub(super) fn figure(counts: &[Count], to: u64) -> Option<f64> {
    let from = to.saturating_sub(STABLE_WINDOW.as_micros() as u64);
    let mut rates: Vec<f64> = counts
        .iter()
        .filter(|c| c.elapsed_us >= from && c.elapsed_us <= to && c.elapsed_us > 0)
        .map(|c| c.bytes as f64 * 1e6 / c.elapsed_us as f64)
        .collect();
    if rates.is_empty() {
        return None;
    }
    rates.sort_by(f64::total_cmp);
    let n = rates.len();
    Some(if n % 2 == 1 {
        rates[n / 2]
    } else {
        (rates[n / 2 - 1] + rates[n / 2]) / 2.0
    })
}

/// Check the receiver's counts against what was sent: a count that goes back in time or
/// claims more than was sent is a lie, not a measurement.
pub fn check_counts(counts: &[Count], sent: u64) -> Result<(), ProbeError> {
    // TCPInfo counts headers of the WebSocket frames too: allow their few bytes per message.
    let allowance = sent / 50 + 64 * 1024;
    for w in counts.windows(2) {
        if w[1].bytes < w[0].bytes || w[1].elapsed_us < w[0].elapsed_us {
            return Err(lie(format!(
                "the peer's counts go backwards ({} bytes at {} µs, then {} at {} µs)",
                w[0].bytes, w[0].elapsed_us, w[1].bytes, w[1].elapsed_us
            )));
        }
    }
    if let Some(last) = counts.last()
        && last.bytes > sent + allowance
    {
        return Err(lie(format!(
            "the peer claims {} bytes received but only {sent} were sent",
            last.bytes
        )));
    }
    Ok(())
}

/// A count that cannot be true: the peer lies or talks garbage.
fn lie(why: String) -> ProbeError {
    ProbeError::new(ErrorClass::Malformed, why)
}
