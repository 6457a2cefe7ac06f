//! Path quality started early: measured as soon as a connectivity probe shows UDP reaching a
//! platform's STUN/TURN server, while the other probes go on.

use super::quality;
use crate::model::{Outcome, ProbeKind, Transport};
use crate::plan::Step;
use crate::runner::Observer;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Seconds of audio-like packets for the path quality: 125 packets, one loss is 0.8 %, under
/// the 1 % threshold.
pub const QUALITY_SECONDS: f64 = 2.5;

/// Where the path quality of a platform is measured: the first STUN/TURN server that answered
/// over UDP (its address is in the outcome). None when UDP gets through nowhere.
pub fn quality_target(outcomes: &[&Outcome]) -> Option<(String, SocketAddr)> {
    outcomes
        .iter()
        .filter(|o| {
            matches!(o.kind, ProbeKind::Stun | ProbeKind::Turn)
                && o.transport == Some(Transport::Udp)
                && o.works()
        })
        .find_map(|o| {
            let a = o.facts.address?;
            Some((o.target.clone(), a))
        })
}

/// Path quality started early: an observer of the connectivity probes that starts measuring a
/// STUN/TURN server as soon as a probe got an answer from it over UDP, while the other probes
/// go on (a few small packets every 20 ms do not disturb them). Measurements nobody takes are
/// stopped when this is dropped.
pub struct EarlyQuality {
    inner: Arc<dyn Observer>,
    running: Mutex<HashMap<SocketAddr, tokio::task::JoinHandle<quality::PathQuality>>>,
}

impl EarlyQuality {
    pub fn new(inner: Arc<dyn Observer>) -> Arc<EarlyQuality> {
        Arc::new(EarlyQuality {
            inner,
            running: Mutex::default(),
        })
    }

    /// The path quality of `addr`, if it was started early.
    pub async fn take(&self, addr: SocketAddr) -> Option<quality::PathQuality> {
        let h = self.running.lock().unwrap().remove(&addr)?;
        h.await.ok()
    }
}

impl Observer for EarlyQuality {
    fn started(&self, total: usize) {
        self.inner.started(total);
    }
    fn finished(&self, index: usize, step: &Step, outcome: &Outcome) {
        self.inner.finished(index, step, outcome);
        if let Some((target, addr)) = quality_target(&[outcome]) {
            self.running.lock().unwrap().entry(addr).or_insert_with(|| {
                tokio::spawn(async move { quality::probe(&target, addr, QUALITY_SECONDS).await })
            });
        }
    }
    fn phase(&self, what: &str) {
        self.inner.phase(what);
    }
}

impl Drop for EarlyQuality {
    fn drop(&mut self) {
        for (_, h) in self.running.lock().unwrap().drain() {
            h.abort();
        }
    }
}

/// The `udp_quality` outcome of a platform whose UDP does not get through.
pub fn quality_not_measured() -> Outcome {
    Outcome::new(ProbeKind::UdpQuality, "udp", Some(Transport::Udp)).skipped(
        "UDP reaches no STUN/TURN server of this platform: media goes over the TCP/TLS fallback, path quality over UDP not measured",
    )
}
