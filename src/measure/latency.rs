//! Latency idle and under load: the time of a TCP handshake to the measurement peer (through
//! an explicit proxy: the time of a CONNECT tunnel to it, which includes the proxy's own
//! handshake with the peer), on fresh connections, before the upload and every 500 ms during it
//! (about 0.5 % of a 1 Mbit/s uplink). A SYN waits in the same queues as the upload, so a
//! bloated uplink buffer shows here as it would in a call's audio.

use crate::model::ErrorClass;
use crate::probe::proxy::Proxy;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// What a latency sample reaches.
#[derive(Debug, Clone)]
pub enum Hop {
    Direct(SocketAddr),
    /// Through the proxy, to the peer: the path the upload takes.
    Tunnel {
        proxy: Proxy,
        host: String,
        port: u16,
    },
}

impl From<SocketAddr> for Hop {
    fn from(a: SocketAddr) -> Hop {
        Hop::Direct(a)
    }
}

const IDLE_SAMPLES: usize = 5;
const IDLE_GAP: Duration = Duration::from_millis(100);
const LOADED_GAP: Duration = Duration::from_millis(500);
/// A handshake slower than this is counted at this value (it did not answer in time).
const CAP: Duration = Duration::from_secs(3);

async fn once(to: &Hop, cap: Duration) -> Option<f64> {
    let t0 = Instant::now();
    // A timeout under load is a (large) latency, a refusal is not a measurement.
    let timed_out = match to {
        Hop::Direct(a) => match tokio::time::timeout(cap, TcpStream::connect(a)).await {
            Ok(Ok(_s)) => false,
            Err(_) => true,
            Ok(Err(_)) => return None,
        },
        Hop::Tunnel { proxy, host, port } => {
            match crate::probe::proxy::tunnel(proxy, host, *port, cap).await {
                Ok(_s) => false,
                Err(e) if e.error.class == ErrorClass::Timeout => true,
                Err(_) => return None,
            }
        }
    };
    Some(crate::probe::ms_f(if timed_out {
        cap
    } else {
        t0.elapsed()
    }))
}

/// A few handshakes before the upload.
pub async fn idle(to: &Hop, deadline: Duration) -> Vec<f64> {
    let cap = deadline.min(CAP);
    let mut v = Vec::new();
    for i in 0..IDLE_SAMPLES {
        if i > 0 {
            tokio::time::sleep(IDLE_GAP).await;
        }
        match once(to, cap).await {
            Some(ms) => v.push(ms),
            None => break,
        }
        // Nothing answers: one deadline is enough to know.
        if v.last().is_some_and(|&ms| ms >= crate::probe::ms_f(cap)) {
            break;
        }
    }
    v
}

/// Handshakes every 500 ms, in parallel with the upload, until `stop` turns true: (ms since
/// the upload started, handshake ms).
pub async fn during(to: &Hop, mut stop: tokio::sync::watch::Receiver<bool>) -> Vec<(f64, f64)> {
    let start = Instant::now();
    let mut pending = tokio::task::JoinSet::new();
    let mut tick = tokio::time::interval(LOADED_GAP);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let at = crate::probe::ms_f(start.elapsed());
                let to = to.clone();
                pending.spawn(async move { once(&to, CAP).await.map(|ms| (at, ms)) });
            }
            r = stop.wait_for(|s| *s) => { let _ = r; break; }
        }
    }
    // Handshakes still in flight when the upload stopped were under load: wait for them a bit
    // (the upload's own end, up to 300 ms, already gave them time).
    let mut v = Vec::new();
    let _ = tokio::time::timeout(Duration::from_millis(200), async {
        while let Some(r) = pending.join_next().await {
            if let Ok(Some(sample)) = r {
                v.push(sample);
            }
        }
    })
    .await;
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// The median, rounded to a tenth of a millisecond.
pub fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    };
    Some((m * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn median() {
        assert_eq!(super::median(&[]), None);
        assert_eq!(super::median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(super::median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
