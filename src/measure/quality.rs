//! Path quality: a paced UDP stream shaped like live audio (one small STUN Binding request every
//! 20 ms, like an Opus packet with `ptime 20`) to a STUN/TURN server, then loss, jitter computed
//! the RTP way (RFC 3550 §6.4.1, on the round-trip times) and RTT median and 95th percentile.
//!
//! Thresholds: good when loss < 1 %, jitter < 30 ms and RTT < 100 ms (Microsoft Teams network
//! requirements, also the M365 connectivity test); beyond BigBlueButton's own connection-status
//! "critical" levels (loss 20 %, RTT 2000 ms) live media does not work.

use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use crate::probe::ms_f;
use rtc_stun::message::Message;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub const INTERVAL: Duration = Duration::from_millis(20);
/// How long answers are awaited after the last packet.
const GRACE: Duration = Duration::from_millis(1000);

pub const GOOD_LOSS_PCT: f64 = 1.0;
pub const GOOD_JITTER_MS: f64 = 30.0;
pub const GOOD_RTT_MS: f64 = 100.0;
pub const CRITICAL_LOSS_PCT: f64 = 20.0;
pub const CRITICAL_RTT_MS: f64 = 2000.0;

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

/// The judgement: `None` when good, else the class and what it means.
pub fn judge(s: &Stats) -> Option<(bool, String)> {
    if s.received == 0 {
        return Some((true, "no answer to any packet".into()));
    }
    let mut bad = Vec::new();
    let mut critical = false;
    if s.loss_pct >= GOOD_LOSS_PCT {
        bad.push(format!(
            "loss {:.1} % (good < {GOOD_LOSS_PCT} %)",
            s.loss_pct
        ));
        critical |= s.loss_pct >= CRITICAL_LOSS_PCT;
    }
    if s.jitter_ms >= GOOD_JITTER_MS {
        bad.push(format!(
            "jitter {:.1} ms (good < {GOOD_JITTER_MS} ms)",
            s.jitter_ms
        ));
    }
    if s.rtt_median_ms >= GOOD_RTT_MS {
        bad.push(format!(
            "RTT {:.0} ms (good < {GOOD_RTT_MS} ms)",
            s.rtt_median_ms
        ));
        critical |= s.rtt_median_ms >= CRITICAL_RTT_MS;
    }
    if bad.is_empty() {
        None
    } else {
        Some((critical, bad.join(", ")))
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
pub async fn probe(target: &str, server: SocketAddr, seconds: f64) -> Outcome {
    let start = Instant::now();
    let count = ((seconds * 1000.0) / INTERVAL.as_millis() as f64)
        .round()
        .max(5.0) as usize;
    let out = Outcome::new(ProbeKind::UdpQuality, target, Some(Transport::Udp))
        .answered_by(server)
        .with("interval_ms", INTERVAL.as_millis() as u64);
    let mut out = match measure(server, count).await {
        Err(e) => out.failed(e),
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
            match judge(&s) {
                None => out,
                Some((true, why)) => out.fail(
                    ErrorClass::PoorQuality,
                    format!("{why}: live audio and video will not hold"),
                ),
                Some((false, why)) => out.warn(
                    ErrorClass::PoorQuality,
                    format!("{why}: audio may break up, video may freeze"),
                ),
            }
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[Option<u64>]) -> Vec<Option<Duration>> {
        v.iter().map(|x| x.map(Duration::from_millis)).collect()
    }

    #[test]
    fn loss_jitter_percentiles() {
        // Steady 10 ms: no jitter.
        let s = stats(&ms(&[Some(10); 100]), 0);
        assert_eq!((s.loss_pct, s.jitter_ms, s.rtt_median_ms), (0.0, 0.0, 10.0));
        assert!(judge(&s).is_none());
        // Alternating 10/50 ms: |D| = 40 each time, J converges to 40 (RFC 3550 J += (|D|-J)/16).
        let alt: Vec<Option<u64>> = (0..200)
            .map(|i| Some(if i % 2 == 0 { 10 } else { 50 }))
            .collect();
        let s = stats(&ms(&alt), 0);
        assert!((s.jitter_ms - 40.0).abs() < 0.5, "{s:?}");
        assert_eq!(s.rtt_p95_ms, 50.0);
        let (critical, why) = judge(&s).unwrap();
        assert!(!critical && why.contains("jitter"), "{why}");
        // 3 lost of 100: warn; 30 of 100: critical.
        let mut v = vec![Some(10); 97];
        v.extend([None; 3]);
        let s = stats(&ms(&v), 0);
        assert_eq!(s.loss_pct, 3.0);
        assert!(!judge(&s).unwrap().0);
        let mut v = vec![Some(10); 70];
        v.extend([None; 30]);
        assert!(judge(&stats(&ms(&v), 0)).unwrap().0);
    }
}
