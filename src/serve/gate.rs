//! The connection gate: how many connections are open, in all and per address, and the ndt7
//! sessions; a client over its share is refused.

use super::{Limits, Log};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One address for the per-address cap: an IPv4 address, or an IPv6 /64 (what one subscriber
/// usually holds).
pub(super) fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// Counts the connections open, in all and per address, and the ndt7 sessions.
pub(super) struct Gate {
    pub(super) limits: Limits,
    pub(super) open: Mutex<(usize, HashMap<IpAddr, usize>)>,
    pub(super) sessions: Arc<tokio::sync::Semaphore>,
    /// When a refusal was last logged, per address (one line per address every 10 s).
    pub(super) refused: Mutex<HashMap<IpAddr, Instant>>,
}

/// A connection's place under the caps, given back when dropped.
pub(super) struct Pass {
    pub(super) gate: Arc<Gate>,
    pub(super) key: IpAddr,
}

impl Drop for Pass {
    fn drop(&mut self) {
        if let Ok(mut open) = self.gate.open.lock() {
            open.0 = open.0.saturating_sub(1);
            if let Some(n) = open.1.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    open.1.remove(&self.key);
                }
            }
        }
    }
}

impl Gate {
    pub(super) fn new(limits: Limits) -> Arc<Gate> {
        Arc::new(Gate {
            limits,
            open: Mutex::new((0, HashMap::new())),
            sessions: Arc::new(tokio::sync::Semaphore::new(limits.sessions)),
            refused: Mutex::new(HashMap::new()),
        })
    }

    /// A place for a connection from `ip`, or why there is none.
    pub(super) fn enter(self: &Arc<Self>, ip: IpAddr) -> Result<Pass, &'static str> {
        let key = address_key(ip);
        let mut open = self.open.lock().map_err(|_| "internal error")?;
        if open.0 >= self.limits.connections {
            return Err("every connection in use (--max-connections)");
        }
        let mine = open.1.entry(key).or_insert(0);
        if *mine >= self.limits.per_address {
            return Err("this address is at its cap (--max-per-address)");
        }
        *mine += 1;
        open.0 += 1;
        Ok(Pass {
            gate: self.clone(),
            key,
        })
    }

    /// Log a refusal, at most once per address every 10 s.
    pub(super) fn refuse(&self, from: SocketAddr, why: &str, log: &Log) {
        let key = address_key(from.ip());
        let Ok(mut last) = self.refused.lock() else {
            return;
        };
        let now = Instant::now();
        if last.len() > 10_000 {
            last.retain(|_, t| now.duration_since(*t) < Duration::from_secs(10));
        }
        if last
            .get(&key)
            .is_none_or(|t| now.duration_since(*t) >= Duration::from_secs(10))
        {
            last.insert(key, now);
            log(format!("{from} refused: {why}"));
        }
    }
}
