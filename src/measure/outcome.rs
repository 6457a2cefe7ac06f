//! The `bandwidth` outcome: what the upload measurement found, assembled once it ends, and
//! as one platform shows it, judged against its needs (with UDP policed below its media rate).

use super::{media, needs, upload};
use crate::model::{ErrorClass, Outcome, ProbeError, Status};

/// Loaded minus idle latency above this hurts live audio (the M365 test's bufferbloat insight).
pub const BUFFERBLOAT_MS: f64 = 100.0;

/// What the upload measurement found, for the report.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The `bandwidth` outcome (status, class, data).
    pub outcome: Outcome,
    pub upload: upload::Upload,
    pub peer: String,
    pub idle_rtt_ms: Option<f64>,
    pub loaded_rtt_ms: Option<f64>,
    /// The loaded latency samples: (ms since the upload started, handshake ms).
    pub loaded: Vec<(f64, f64)>,
    /// The measurement went through this proxy: the figure is the path to the proxy.
    pub via: Option<String>,
    /// UDP at the media rate to the same peer (None when not asked for).
    pub media: Option<media::MediaUdp>,
}

impl Measured {
    pub fn kbps(&self) -> Option<f64> {
        self.upload.kbps().map(|k| k.round())
    }
}

/// The outcome of the measurement `m` (its upload, latencies and proxy), begun as `out`.
pub(super) fn assemble(mut out: Outcome, m: &Measured) -> Outcome {
    let up = &m.upload;
    let kbps = up.kbps().map(|k| k.round());
    out.set("method", up.method);
    out.set("ended", up.ended.as_str());
    out.set("send_queue", up.send_queue);
    out.set("bytes_sent", up.bytes_sent);
    if let Some(c) = up.counts.last() {
        out.set("bytes_received", c.bytes);
    }
    if let Some(k) = kbps {
        out.set("upload_kbps", k);
    }
    if let Some(v) = m.idle_rtt_ms {
        out.set("idle_rtt_ms", v);
    }
    if let Some(v) = m.loaded_rtt_ms {
        out.set("loaded_rtt_ms", v);
    }
    if let Some(label) = &m.via {
        out.set(
            "note",
            format!("measured through the proxy {label}: the figure is the path to the proxy"),
        );
    }
    match (&up.error, kbps) {
        (Some(e), Some(_)) => out.warned(ProbeError {
            message: format!("{} (figure measured until then)", e.message),
            ..e.clone()
        }),
        (Some(e), None) => out.failed(e.clone()),
        (None, _) if up.sender_counted => out.warn(
            ErrorClass::NoResponse,
            "the peer sent no count of what it received: figure counted by the sender, it may overstate",
        ),
        (None, None) => out.fail(ErrorClass::NoResponse, "nothing could be measured"),
        (None, Some(_)) => match (m.idle_rtt_ms, m.loaded_rtt_ms) {
            (Some(i), Some(l)) if l - i > BUFFERBLOAT_MS => out.warn(
                ErrorClass::LatencyUnderLoad,
                format!(
                    "latency rises from {i:.0} ms to {l:.0} ms while uploading: live audio will lag whenever the link is busy"
                ),
            ),
            _ => out,
        },
    }
}

/// The bandwidth outcome one platform shows: the measurement, judged against its needs.
/// `advice`: the fit in one sentence for the speaker (worded by the report).
pub fn judged(m: &Measured, fit: &needs::Fit, advice: &str) -> Outcome {
    let mut o = m
        .outcome
        .clone()
        .with("needed_kbps", fit.needed_kbps)
        .with("fits", fit.fits)
        .with("advice", advice);
    if let Some(b) = &fit.best {
        o.set("best_fit_kbps", b.kbps);
    }
    // Not enough upload is the finding that matters most; a latency rise stays in `data`.
    let latency = o.class() == Some(ErrorClass::LatencyUnderLoad);
    if fit.fits != "fits" && (o.status == Status::Ok || latency) {
        if let Some(e) = o.error.take() {
            o.set("latency_under_load", e.message);
        }
        o = o.warn(ErrorClass::Insufficient, advice);
    }
    if let Some(p) = policed(m, fit) {
        let why = format!(
            "UDP is policed below this platform's media rate: {} % lost at {} kbit/s, {} kbit/s got through",
            p["loss_pct"], p["target_kbps"], p["received_kbps"]
        );
        o.set("udp_policed", p);
        let latency = o.class() == Some(ErrorClass::LatencyUnderLoad);
        if o.status == Status::Ok || latency {
            if let Some(e) = o.error.take() {
                o.set("latency_under_load", e.message);
            }
            o = o.warn(ErrorClass::PoorQuality, why);
        }
    }
    o
}

/// UDP policed for this platform's media: the stream at media rate lost more than a few
/// percent without queueing (not congestion) while TCP carried more than that rate, and what got
/// through is less than this platform's stream. With the figures, and the fullest webcam
/// quality that fits in what got through.
fn policed(m: &Measured, fit: &needs::Fit) -> Option<serde_json::Value> {
    let md = m.media.as_ref()?;
    let s = md.result.as_ref().ok()?;
    let tcp = m.kbps()?;
    if s.congested
        || s.loss_pct <= media::POLICED_LOSS_PCT
        || tcp < md.target_kbps
        || s.received_kbps >= fit.media_kbps
    {
        return None;
    }
    let webcam = fit
        .webcams
        .iter()
        .find(|(_, k)| *k <= s.received_kbps * needs::HEADROOM)
        .map(|w| w.0.clone());
    Some(serde_json::json!({
        "loss_pct": s.loss_pct,
        "target_kbps": md.target_kbps,
        "received_kbps": s.received_kbps,
        "media_kbps": fit.media_kbps,
        "upload_kbps": tcp,
        "webcam": webcam,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProbeKind;
    use crate::options::Participant;

    /// An upload of `tcp` kbit/s, and the stream at media rate with `loss` % lost and `got`
    /// kbit/s through.
    fn measured_at(tcp: u64, loss: f64, got: f64, congested: bool) -> Measured {
        let counts = (1..=16u64)
            .map(|i| upload::Count {
                elapsed_us: i * 250_000,
                bytes: i * tcp * 1000 / 8 / 4,
            })
            .collect();
        Measured {
            outcome: Outcome::new(ProbeKind::Bandwidth, "ws://peer", None),
            upload: upload::Upload {
                counts,
                bytes_sent: 11_000_000,
                ..upload::Upload::default()
            },
            peer: "ws://peer".into(),
            idle_rtt_ms: None,
            loaded_rtt_ms: None,
            loaded: vec![],
            via: None,
            media: Some(media::MediaUdp {
                target_kbps: 890.0,
                platform: "bbb".into(),
                peer: "peer:3478".into(),
                result: Ok(media::Stats {
                    sent: 400,
                    received: 220,
                    packet_bytes: 1200,
                    loss_pct: loss,
                    jitter_ms: 1.0,
                    received_kbps: got,
                    duration_ms: 2000,
                    congested,
                    garbage: 0,
                }),
            }),
        }
    }

    fn measured(loss: f64, got: f64, congested: bool) -> Measured {
        measured_at(20_000, loss, got, congested)
    }

    #[test]
    fn policed_udp_is_judged_per_platform() {
        let mut hd = needs::tests::bbb();
        hd.webcam_default = "hd".into();
        let fit = needs::judge(&hd, Participant::Speaker, 20_000.0);
        assert_eq!(fit.media_kbps, 890.0);
        let o = judged(&measured(45.0, 490.0, false), &fit, "");
        assert_eq!(o.class(), Some(ErrorClass::PoorQuality), "{o:?}");
        let p = &o.data["udp_policed"];
        assert_eq!(p["loss_pct"], 45.0);
        // 490 × 0.75 = 367: the microphone with the 'medium' webcam (260) fits, 'high' (575) not.
        assert_eq!(p["webcam"], "medium");
        // The same loss is no finding for a platform whose stream gets through.
        let bbb = needs::judge(&needs::tests::bbb(), Participant::Speaker, 20_000.0);
        assert!(
            judged(&measured(45.0, 490.0, false), &bbb, "")
                .data
                .get("udp_policed")
                .is_none()
        );
        // Nor a queue building up (the uplink itself is too thin), nor a few lost packets.
        assert!(
            judged(&measured(45.0, 490.0, true), &fit, "")
                .data
                .get("udp_policed")
                .is_none()
        );
        assert!(
            judged(&measured(3.0, 860.0, false), &fit, "")
                .data
                .get("udp_policed")
                .is_none()
        );
        // Nor loss at a rate TCP does not carry either (the upload finding says it).
        let m = measured_at(700, 45.0, 490.0, false);
        assert_eq!(m.kbps(), Some(700.0));
        assert!(judged(&m, &fit, "").data.get("udp_policed").is_none());
    }
}
