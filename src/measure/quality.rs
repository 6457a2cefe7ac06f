//! Path quality: a paced UDP stream shaped like live audio (one small STUN Binding request every
//! 20 ms, like an Opus packet with `ptime 20`) to a STUN/TURN server, then loss, jitter computed
//! the RTP way (RFC 3550 §6.4.1, on the round-trip times) and RTT median and 95th percentile.
//!
//! The levels it is judged against are data (`[quality]` in `profiles/network.toml`, or in a
//! platform's profile, with their sources); [`judge`] says which were crossed, with the figures,
//! and `report::measures` words it.

use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use crate::probe::ms_f;
use crate::profile::network::QualityLimits;
use rtc_stun::message::Message;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub const INTERVAL: Duration = Duration::from_millis(20);
/// How long answers are awaited after the last packet.
const GRACE: Duration = Duration::from_millis(1000);

/// What the stream saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub sent: usize,
    pub received: usize,
    /// Answers that were not STUN or not ours.
    pub garbage: usize,
    pub loss_pct: f64,
    pub jitter_ms: f64,
    pub rtt_median_ms: f64,
    pub rtt_p95_ms: f64,
}

/// Loss, RFC 3550 jitter and RTT percentiles from the RTTs of the answered packets, in the
/// order they were sent (None = lost).
pub fn stats(rtts: &[Option<Duration>], garbage: usize) -> Stats {
    let sent = rtts.len();
    let got: Vec<f64> = rtts.iter().flatten().map(|d| ms_f(*d)).collect();
    let received = got.len();
    let mut jitter = 0.0_f64;
    for w in got.windows(2) {
        let d = (w[1] - w[0]).abs();
        jitter += (d - jitter) / 16.0;
    }
    let mut sorted = got.clone();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[i]
    };
    let round = |x: f64| (x * 10.0).round() / 10.0;
    Stats {
        sent,
        received,
        garbage,
        loss_pct: if sent == 0 {
            0.0
        } else {
            round(100.0 * (sent - received) as f64 / sent as f64)
        },
        jitter_ms: round(jitter),
        rtt_median_ms: pct(0.5),
        rtt_p95_ms: pct(0.95),
    }
}

pub use crate::model::{Crossed, Judgement, Measure};

/// Judge the stream against `limits`: `None` when good.
pub fn judge(s: &Stats, limits: &QualityLimits) -> Option<Judgement> {
    if s.received == 0 {
        return Some(Judgement::NoAnswer);
    }
    let mut crossed = Vec::new();
    let mut critical = false;
    let mut check = |measure, value: f64, good: f64, worst: Option<f64>| {
        if value >= good {
            crossed.push(Crossed {
                measure,
                value,
                good,
            });
            critical |= worst.is_some_and(|w| value >= w);
        }
    };
    check(
        Measure::Loss,
        s.loss_pct,
        limits.good_loss_pct,
        Some(limits.critical_loss_pct),
    );
    check(Measure::Jitter, s.jitter_ms, limits.good_jitter_ms, None);
    check(
        Measure::Rtt,
        s.rtt_median_ms,
        limits.good_rtt_ms,
        Some(limits.critical_rtt_ms),
    );
    (!crossed.is_empty()).then_some(Judgement::Poor { critical, crossed })
}

/// The path quality to one server: the outcome with its figures (not yet judged: each platform
/// judges it against its own levels), and the figures themselves when packets came back.
#[derive(Debug, Clone)]
pub struct PathQuality {
    pub outcome: Outcome,
    pub stats: Option<Stats>,
}

impl PathQuality {
    /// The outcome judged against `limits`: warned when a figure reaches its good level, failed
    /// beyond a critical one, with `message` (the report's wording of the judgement).
    pub fn judged(
        &self,
        limits: &QualityLimits,
        message: impl Fn(&Judgement) -> String,
    ) -> Outcome {
        let out = self.outcome.clone();
        match self.stats.as_ref().and_then(|s| judge(s, limits)) {
            None => out,
            Some(j) => {
                let mut out = if j.critical() {
                    out.fail(ErrorClass::PoorQuality, message(&j))
                } else {
                    out.warn(ErrorClass::PoorQuality, message(&j))
                };
                out.facts.quality = Some(j);
                out
            }
        }
    }
}

/// Send `count` Binding requests paced every 20 ms to `server` and collect the answers.
pub async fn measure(server: SocketAddr, count: usize) -> Result<Stats, ProbeError> {
    let sock = crate::probe::stun::udp_to(server).await?;
    let mut sent_at: HashMap<[u8; 12], (usize, Instant)> = HashMap::new();
    let mut rtts: Vec<Option<Duration>> = vec![None; count];
    let mut garbage = 0;
    let mut refused = false;
    let mut tick = tokio::time::interval(INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut next = 0;
    let mut buf = [0u8; 1500];
    let mut end: Option<tokio::time::Instant> = None;
    loop {
        let stop = super::until(end);
        tokio::select! {
            _ = tick.tick(), if next < count => {
                let m = crate::probe::stun::request(crate::profile::IceScheme::Stun);
                sent_at.insert(m.transaction_id.0, (next, Instant::now()));
                if let Err(e) = sock.send(&m.raw).await {
                    // ICMP port unreachable shows up on the next send on a connected socket.
                    if e.kind() == std::io::ErrorKind::ConnectionRefused {
                        refused = true;
                    }
                }
                next += 1;
                if next == count {
                    end = Some(tokio::time::Instant::now() + GRACE);
                }
            }
            r = sock.recv(&mut buf) => match r {
                Ok(n) => {
                    let mut m = Message::new();
                    let known = m.unmarshal_binary(&buf[..n]).ok().and_then(|_| sent_at.remove(&m.transaction_id.0));
                    match known {
                        Some((i, t)) => rtts[i] = Some(t.elapsed()),
                        None => garbage += 1,
                    }
                    if end.is_some() && sent_at.is_empty() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => refused = true,
                Err(_) => {}
            },
            _ = stop => break,
        }
    }
    let s = stats(&rtts, garbage);
    if s.received == 0 {
        let (class, message) = if refused {
            (
                ErrorClass::Refused,
                format!("UDP {server}: port unreachable (ICMP): refused"),
            )
        } else if garbage > 0 {
            (
                ErrorClass::Malformed,
                format!("UDP {server}: {garbage} answer(s), none of them STUN answers to ours"),
            )
        } else {
            (
                ErrorClass::Timeout,
                format!("UDP {server}: none of {count} packets answered (UDP dropped on the way)"),
            )
        };
        return Err(ProbeError::new(class, message).at(server));
    }
    Ok(s)
}

/// The `udp_quality` probe: `seconds` of audio-like packets to `server` (named `target`).
pub async fn probe(target: &str, server: SocketAddr, seconds: f64) -> PathQuality {
    let start = Instant::now();
    let count = ((seconds * 1000.0) / INTERVAL.as_millis() as f64)
        .round()
        .max(5.0) as usize;
    let out = Outcome::new(ProbeKind::UdpQuality, target, Some(Transport::Udp))
        .answered_by(server)
        .with("interval_ms", INTERVAL.as_millis() as u64);
    let (mut out, stats) = match measure(server, count).await {
        Err(e) => (out.failed(e), None),
        Ok(s) => {
            let out = out
                .with("sent", s.sent)
                .with("received", s.received)
                .with("loss_pct", s.loss_pct)
                .with("jitter_ms", s.jitter_ms)
                .with("rtt_median_ms", s.rtt_median_ms)
                .with("rtt_p95_ms", s.rtt_p95_ms);
            let out = if s.garbage > 0 {
                out.with("garbage", s.garbage)
            } else {
                out
            };
            (out, Some(s))
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    PathQuality {
        outcome: out,
        stats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[Option<u64>]) -> Vec<Option<Duration>> {
        v.iter().map(|x| x.map(Duration::from_millis)).collect()
    }

    /// `profiles/network.toml`'s levels.
    fn limits() -> QualityLimits {
        crate::profile::network::NetworkFacts::bundled()
            .unwrap()
            .quality
    }

    #[test]
    fn loss_jitter_percentiles() {
        let l = limits();
        // Steady 10 ms: no jitter.
        let s = stats(&ms(&[Some(10); 100]), 0);
        assert_eq!((s.loss_pct, s.jitter_ms, s.rtt_median_ms), (0.0, 0.0, 10.0));
        assert!(judge(&s, &l).is_none());
        // Alternating 10/50 ms: |D| = 40 each time, J converges to 40 (RFC 3550 J += (|D|-J)/16).
        let alt: Vec<Option<u64>> = (0..200)
            .map(|i| Some(if i % 2 == 0 { 10 } else { 50 }))
            .collect();
        let s = stats(&ms(&alt), 0);
        assert!((s.jitter_ms - 40.0).abs() < 0.5, "{s:?}");
        assert_eq!(s.rtt_p95_ms, 50.0);
        let Some(Judgement::Poor { critical, crossed }) = judge(&s, &l) else {
            panic!("{s:?}")
        };
        assert!(!critical);
        assert_eq!(crossed.len(), 1);
        assert_eq!(
            (crossed[0].measure, crossed[0].good),
            (Measure::Jitter, 30.0)
        );
        // 3 lost of 100: warn; 30 of 100: critical.
        let mut v = vec![Some(10); 97];
        v.extend([None; 3]);
        let s = stats(&ms(&v), 0);
        assert_eq!(s.loss_pct, 3.0);
        assert!(!judge(&s, &l).unwrap().critical());
        let mut v = vec![Some(10); 70];
        v.extend([None; 30]);
        assert!(judge(&stats(&ms(&v), 0), &l).unwrap().critical());
        assert_eq!(
            judge(&stats(&ms(&[None; 5]), 0), &l),
            Some(Judgement::NoAnswer)
        );
    }

    #[test]
    fn the_levels_are_the_platforms() {
        // 3 % lost, 150 ms: poor for the built-in levels, good for a platform that tolerates
        // 5 % and 200 ms, critical for one whose critical levels are 2 % and 120 ms.
        let mut v = vec![Some(150); 97];
        v.extend([None; 3]);
        let s = stats(&ms(&v), 0);
        let lenient = QualityLimits {
            good_loss_pct: 5.0,
            good_rtt_ms: 200.0,
            ..limits()
        };
        let strict = QualityLimits {
            critical_loss_pct: 2.0,
            critical_rtt_ms: 120.0,
            ..limits()
        };
        assert!(!judge(&s, &limits()).unwrap().critical());
        assert_eq!(judge(&s, &lenient), None);
        assert!(judge(&s, &strict).unwrap().critical());
        let q = PathQuality {
            outcome: Outcome::new(ProbeKind::UdpQuality, "turn:h", Some(Transport::Udp)),
            stats: Some(s),
        };
        let said = |j: &Judgement| format!("critical: {}", j.critical());
        assert_eq!(q.judged(&lenient, said).status, crate::model::Status::Ok);
        let o = q.judged(&strict, said);
        assert_eq!(o.status, crate::model::Status::Fail);
        assert_eq!(o.error.unwrap().message, "critical: true");
    }
}
