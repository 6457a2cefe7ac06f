//! UDP at the speaker's media rate: a network may carry TCP at 20 Mbit/s and police UDP to
//! 500 kbit/s, and the webcam then freezes. After half a second at twice the rate (to use up a
//! policer's allowance for bursts), for a second and a half the client sends UDP packets paced
//! at the role's media rate (the speaker's default webcam quality and microphone, from the most
//! demanding selected platform) to the measurement peer's STUN port, and `preflight serve`
//! acknowledges each one with the time it arrived: loss, interarrival jitter (RFC 3550 §6.4.1,
//! one way: on the arrival times against the send times), and the rate that got through.
//!
//! Only a `preflight serve` peer gets the stream, never a platform or M-Lab: the client first
//! sends one STUN Binding request, and only an answer whose SOFTWARE says `preflight serve`
//! with `media echo` is followed by the stream. The acknowledgement is smaller than the packet
//! it answers, so the echo cannot amplify a spoofed flood.
//!
//! A queue that grows (the one-way delay rising by 40 ms) means the uplink itself is thinner
//! than the media rate: the stream stops there, before it disturbs the other measurements, and
//! the loss is congestion, not policing.

use crate::probe::dns::Dns;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The peer's STUN port when `--bandwidth-url` names no other.
pub const DEFAULT_PORT: u16 = 3478;
/// How long the stream is measured, after its warm-up.
pub const SECONDS: f64 = 1.5;
/// The warm-up: half a second at twice the rate, not counted. A policer lets a first burst
/// through (a token bucket's allowance: nftables' passes 2 s at 890 kbit/s over 500 kbit/s
/// with 8 % loss, 8 s with 38 %); a call lasts longer than any allowance.
const WARMUP: f64 = 0.5;
const WARMUP_RATE: f64 = 2.0;
/// What `preflight serve` says in its STUN answers' SOFTWARE when it echoes media packets.
pub const SOFTWARE_MARK: &str = "media echo";
const MAGIC: &[u8; 4] = b"PFMU";
const ACK: &[u8; 4] = b"PFMA";
/// A media packet: magic, sequence number, send time (µs) and padding.
const HEAD: usize = 16;
/// The acknowledgement: magic, sequence number, arrival time (µs), size received.
const ACK_LEN: usize = 18;
/// Video-sized packets at most; audio-sized (one every 20 ms) at low rates.
const MAX_PACKET: usize = 1200;
const MIN_PACKET: usize = 64;
const PACKET_TIME: f64 = 0.02;
const TICK: Duration = Duration::from_millis(5);
/// Acknowledgements are awaited this long after the last packet.
const GRACE: Duration = Duration::from_millis(500);
/// The one-way delay rising this much (median of the last acknowledgements) is a queue
/// building up: the uplink is thinner than the rate.
const CONGESTED_MS: f64 = 40.0;
/// Above this, the stream is capped (a profile's figure is not a reason to flood).
const MAX_KBPS: f64 = 20_000.0;
/// Loss above this at the media rate, with TCP carrying the rate, is UDP policing.
pub const POLICED_LOSS_PCT: f64 = 5.0;

/// What to send: the rate and whose stream it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub kbps: f64,
    /// The platform whose stream sets the rate (the most demanding selected one).
    pub platform: String,
}

impl Plan {
    /// The stream of the platform whose media rate is the highest for `role`.
    pub fn most_demanding<'a>(
        platforms: impl Iterator<Item = (&'a str, &'a crate::profile::Needs)>,
        role: crate::options::Participant,
    ) -> Option<Plan> {
        platforms
            .map(|(id, n)| Plan {
                kbps: super::needs::media_kbps(n, role),
                platform: id.to_string(),
            })
            .max_by(|a, b| a.kbps.total_cmp(&b.kbps))
    }
}

pub use crate::model::{MediaStats as Stats, NotMeasured};

/// The `bandwidth.media_udp` measurement: stats, or why it was not measured.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaUdp {
    pub target_kbps: f64,
    pub platform: String,
    pub peer: String,
    pub result: Result<Stats, NotMeasured>,
}

impl MediaUdp {
    pub fn not_measured(plan: &Plan, peer: &str, why: NotMeasured) -> MediaUdp {
        MediaUdp {
            target_kbps: plan.kbps.round(),
            platform: plan.platform.clone(),
            peer: peer.to_string(),
            result: Err(why),
        }
    }
}

/// A media packet of `len` bytes (at least [`HEAD`]).
pub fn packet(seq: u32, send_us: u64, len: usize) -> Vec<u8> {
    let mut p = Vec::with_capacity(len.max(HEAD));
    p.extend_from_slice(MAGIC);
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&send_us.to_be_bytes());
    p.resize(len.max(HEAD), 0);
    p
}

/// The peer's side (`preflight serve`): the acknowledgement of a media packet that arrived at
/// `now_us`, or None when `bytes` is not one. Always smaller than what it answers.
pub fn echo(bytes: &[u8], now_us: u64) -> Option<Vec<u8>> {
    if bytes.len() < HEAD.max(ACK_LEN + 1) || &bytes[..4] != MAGIC {
        return None;
    }
    let mut a = Vec::with_capacity(ACK_LEN);
    a.extend_from_slice(ACK);
    a.extend_from_slice(&bytes[4..8]);
    a.extend_from_slice(&now_us.to_be_bytes());
    a.extend_from_slice(&(bytes.len().min(u16::MAX as usize) as u16).to_be_bytes());
    Some(a)
}

/// An acknowledgement: (sequence number, arrival µs, size).
fn parse_ack(b: &[u8]) -> Option<(u32, u64, usize)> {
    if b.len() != ACK_LEN || &b[..4] != ACK {
        return None;
    }
    let seq = u32::from_be_bytes(b[4..8].try_into().ok()?);
    let at = u64::from_be_bytes(b[8..16].try_into().ok()?);
    let len = u16::from_be_bytes(b[16..18].try_into().ok()?) as usize;
    Some((seq, at, len))
}

/// The packet size for a rate: one packet every 20 ms, within 64 and 1200 bytes.
pub fn packet_size(kbps: f64) -> usize {
    ((kbps * 1000.0 / 8.0 * PACKET_TIME) as usize).clamp(MIN_PACKET, MAX_PACKET)
}

/// Loss, RFC 3550 jitter and the rate that got through, from each packet's send time and,
/// when it was acknowledged, its arrival time (µs, the peer's clock) and size.
pub fn stats(sent: &[(u64, Option<(u64, usize)>)], packet_bytes: usize) -> Stats {
    let got: Vec<(u64, u64, usize)> = sent
        .iter()
        .filter_map(|(s, a)| a.map(|(r, n)| (*s, r, n)))
        .collect();
    let mut jitter = 0.0_f64;
    for w in got.windows(2) {
        let d = (w[1].1 as f64 - w[0].1 as f64) - (w[1].0 as f64 - w[0].0 as f64);
        jitter += (d.abs() / 1000.0 - jitter) / 16.0;
    }
    let span = match (got.first(), got.last()) {
        (Some(a), Some(b)) if b.1 > a.1 => (b.1 - a.1) as f64 / 1e6,
        _ => 0.0,
    };
    // The first packet's bytes arrived before the span starts.
    let bytes: usize = got.iter().skip(1).map(|g| g.2).sum();
    let round = |x: f64| (x * 10.0).round() / 10.0;
    Stats {
        sent: sent.len(),
        received: got.len(),
        packet_bytes,
        loss_pct: if sent.is_empty() {
            0.0
        } else {
            round(100.0 * (sent.len() - got.len()) as f64 / sent.len() as f64)
        },
        jitter_ms: round(jitter),
        received_kbps: if span > 0.0 {
            (bytes as f64 * 8.0 / span / 1000.0).round()
        } else {
            0.0
        },
        duration_ms: 0,
        congested: false,
        garbage: 0,
    }
}

/// Is the peer at `addr` a `preflight serve` that echoes media packets? One STUN Binding
/// request (sent again after 250 and 500 ms), its answer's SOFTWARE says.
async fn is_echo(
    sock: &tokio::net::UdpSocket,
    peer: &str,
    wait: Duration,
) -> Result<(), NotMeasured> {
    let peer = || peer.to_string();
    let req = crate::probe::stun::request(crate::profile::IceScheme::Stun);
    let mut buf = [0u8; 1500];
    let deadline = tokio::time::Instant::now() + wait;
    let mut next = tokio::time::Instant::now();
    let mut sends = 0;
    loop {
        if sends < 3 && tokio::time::Instant::now() >= next {
            let _ = sock.send(&req.raw).await;
            sends += 1;
            next += Duration::from_millis(250);
        }
        let until = if sends < 3 {
            next.min(deadline)
        } else {
            deadline
        };
        match tokio::time::timeout_at(until, sock.recv(&mut buf)).await {
            Ok(Ok(n)) => {
                if let Ok(r) = crate::probe::stun::decode(&req, &buf[..n]) {
                    return match r.software {
                        Some(s) if s.contains("preflight") && s.contains(SOFTWARE_MARK) => Ok(()),
                        // What a server calls itself is the network's words: made inert.
                        software => Err(NotMeasured::NotEcho {
                            peer: peer(),
                            software: software.map(|s| crate::inert::line(&s)),
                        }),
                    };
                }
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Err(NotMeasured::Refused { peer: peer() });
            }
            Ok(Err(_)) => {}
            Err(_) if tokio::time::Instant::now() >= deadline => {
                return Err(NotMeasured::NoAnswer { peer: peer() });
            }
            Err(_) => {}
        }
    }
}

/// The stream to a peer known to echo: `seconds` at `kbps`.
async fn stream(sock: &tokio::net::UdpSocket, kbps: f64, seconds: f64) -> Stats {
    let size = packet_size(kbps);
    let bytes_per_s = kbps * 1000.0 / 8.0;
    // Bytes due after `t` seconds: the warm-up at twice the rate, then the rate.
    let due_bytes = |t: f64| bytes_per_s * (WARMUP_RATE * t.min(WARMUP) + (t - WARMUP).max(0.0));
    let warm = (due_bytes(WARMUP) as usize / size).max(1);
    let total = (due_bytes(WARMUP + seconds) as usize / size).max(warm + 10);
    let mut sent: Vec<(u64, Option<(u64, usize)>)> = Vec::with_capacity(total);
    let mut garbage = 0;
    let mut congested = false;
    // One-way delay (arrival minus send time, two clocks: only its changes mean something).
    let mut base: Option<i64> = None;
    let mut recent: std::collections::VecDeque<i64> = std::collections::VecDeque::new();
    let start = Instant::now();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut buf = [0u8; 1500];
    let mut end: Option<tokio::time::Instant> = None;
    let mut acked = 0usize;
    loop {
        let stop = super::until(end);
        tokio::select! {
            _ = tick.tick(), if end.is_none() => {
                // Paced: as many packets as the rate allows by now.
                let due = (due_bytes(start.elapsed().as_secs_f64()) as usize / size + 1).min(total);
                while sent.len() < due {
                    let us = start.elapsed().as_micros() as u64;
                    let p = packet(sent.len() as u32, us, size);
                    if sock.send(&p).await.is_err() {
                        // A refusal (ICMP) or a full buffer: counted as sent, not acknowledged.
                    }
                    sent.push((us, None));
                }
                if sent.len() >= total || congested {
                    end = Some(tokio::time::Instant::now() + GRACE);
                }
            }
            r = sock.recv(&mut buf) => {
                let Ok(n) = r else { continue };
                match parse_ack(&buf[..n]) {
                    Some((seq, at, len)) if (seq as usize) < sent.len() && sent[seq as usize].1.is_none() => {
                        let slot = &mut sent[seq as usize];
                        slot.1 = Some((at, len));
                        acked += 1;
                        let owd = at as i64 - slot.0 as i64;
                        let b = *base.get_or_insert(owd);
                        if owd < b {
                            base = Some(owd);
                        }
                        recent.push_back(owd);
                        if recent.len() > 5 {
                            recent.pop_front();
                        }
                        let mut r: Vec<i64> = recent.iter().copied().collect();
                        r.sort_unstable();
                        let rise = (r[r.len() / 2] - base.unwrap_or(owd)) as f64 / 1000.0;
                        if recent.len() == 5 && rise > CONGESTED_MS && end.is_none() {
                            congested = true;
                            end = Some(tokio::time::Instant::now() + GRACE);
                        }
                        if end.is_some() && acked == sent.len() {
                            break;
                        }
                    }
                    _ => garbage += 1,
                }
            }
            _ = stop => break,
        }
    }
    // The warm-up packets only emptied a policer's allowance: they are not counted.
    let mut s = stats(&sent[warm.min(sent.len())..], size);
    s.duration_ms = start.elapsed().as_millis() as u64;
    s.congested = congested;
    s.garbage = garbage;
    s
}

/// UDP at `plan`'s rate to `host:port`, if a `preflight serve` echoes there.
pub async fn measure(host: &str, port: u16, dns: &Dns, plan: &Plan, wait: Duration) -> MediaUdp {
    let peer = format!("{host}:{port}");
    let addr: SocketAddr = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, port),
        Err(_) => {
            let (d, addrs) = dns.probe(host).await;
            match (d.error, addrs.first()) {
                (None, Some(ip)) => SocketAddr::new(*ip, port),
                (e, _) => {
                    let why = NotMeasured::NoAddress {
                        host: host.to_string(),
                        why: e.map(|e| e.message),
                    };
                    return MediaUdp::not_measured(plan, &peer, why);
                }
            }
        }
    };
    let sock = match crate::probe::stun::udp_to(addr).await {
        Ok(s) => s,
        Err(e) => return MediaUdp::not_measured(plan, &peer, NotMeasured::Socket(e.message)),
    };
    if let Err(why) = is_echo(&sock, &peer, wait).await {
        return MediaUdp::not_measured(plan, &peer, why);
    }
    let kbps = plan.kbps.min(MAX_KBPS);
    MediaUdp {
        target_kbps: kbps.round(),
        platform: plan.platform.clone(),
        peer,
        result: Ok(stream(&sock, kbps, SECONDS).await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_is_smaller_and_round_trips() {
        let p = packet(7, 1234, 600);
        assert_eq!(p.len(), 600);
        let a = echo(&p, 99).unwrap();
        assert!(a.len() < p.len());
        assert_eq!(parse_ack(&a), Some((7, 99, 600)));
        // Not a media packet, or too small to answer without amplifying: no answer.
        assert_eq!(echo(b"PFMU", 1), None);
        assert_eq!(echo(&packet(1, 1, HEAD), 1), None);
        assert_eq!(echo(&[0u8; 100], 1), None);
    }

    #[test]
    fn the_most_demanding_platform_sets_the_rate() {
        let bbb = crate::measure::needs::tests::bbb();
        let mut hd = bbb.clone();
        hd.webcam_default = "hd".into();
        let all = [("bbb", &bbb), ("hd", &hd)];
        let p =
            Plan::most_demanding(all.into_iter(), crate::options::Participant::Speaker).unwrap();
        assert_eq!((p.platform.as_str(), p.kbps), ("hd", 890.0));
        // An attendee sends the microphone only, whatever the webcam.
        let p =
            Plan::most_demanding(all.into_iter(), crate::options::Participant::Attendee).unwrap();
        assert_eq!(p.kbps, 50.0);
    }

    #[test]
    fn sizes_follow_the_rate() {
        assert_eq!(packet_size(50.0), 125);
        assert_eq!(packet_size(260.0), 650);
        assert_eq!(packet_size(2700.0), 1200);
        assert_eq!(packet_size(1.0), 64);
    }

    #[test]
    fn loss_jitter_and_rate() {
        // 100 packets of 1000 bytes every 10 ms (800 kbit/s); every other one lost, the rest
        // arriving 5 ms after they left: no jitter, half the rate.
        let sent: Vec<(u64, Option<(u64, usize)>)> = (0..100u64)
            .map(|i| {
                (
                    i * 10_000,
                    (i % 2 == 0).then_some((i * 10_000 + 5_000, 1000)),
                )
            })
            .collect();
        let s = stats(&sent, 1000);
        assert_eq!((s.sent, s.received, s.loss_pct), (100, 50, 50.0));
        assert_eq!(s.jitter_ms, 0.0);
        assert_eq!(s.received_kbps, 400.0);
        // Arrivals alternating 0 and 20 ms late: |D| = 20 ms each time, J converges to 20.
        let sent: Vec<(u64, Option<(u64, usize)>)> = (0..300u64)
            .map(|i| (i * 10_000, Some((i * 10_000 + (i % 2) * 20_000, 1000))))
            .collect();
        let s = stats(&sent, 1000);
        assert!((s.jitter_ms - 20.0).abs() < 0.5, "{s:?}");
        assert_eq!(s.loss_pct, 0.0);
    }
}
