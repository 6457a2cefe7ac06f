//! The report's `bandwidth` block, from the measurement and each platform's judgement.

use crate::lang::Lang;
use crate::options::Participant;

/// The report's `bandwidth` block: the contract's fields for the most demanding platform, and
/// each platform's judgement, the timeline and the latencies beside them.
pub fn bandwidth(
    m: &crate::measure::Measured,
    platforms: &[crate::model::PlatformReport],
    role: Participant,
) -> crate::model::Bandwidth {
    use crate::model::{RatePoint, RttPoint};
    use serde_json::{Value, json};
    let judged: Vec<&crate::model::Outcome> = platforms
        .iter()
        .filter_map(|p| {
            p.probes
                .iter()
                .find(|o| o.kind == crate::model::ProbeKind::Bandwidth)
        })
        .collect();
    let worst = judged.iter().max_by(|a, b| {
        let n = |o: &&&crate::model::Outcome| o.data.get("needed_kbps").and_then(Value::as_f64);
        n(a).unwrap_or(0.0).total_cmp(&n(b).unwrap_or(0.0))
    });
    let mut extra = serde_json::Map::new();
    extra.insert("method".into(), json!(m.upload.method));
    extra.insert("stopped".into(), json!(m.upload.ended.as_str()));
    if !m.upload.send_queue.is_empty() {
        extra.insert("send_queue".into(), json!(m.upload.send_queue));
    }
    extra.insert(
        "role".into(),
        json!(match role {
            Participant::Speaker => "speaker",
            Participant::Attendee => "attendee",
        }),
    );
    if let Some(v) = m.idle_rtt_ms {
        extra.insert("idle_rtt_ms".into(), json!(v));
    }
    extra.insert("bytes_sent".into(), json!(m.upload.bytes_sent));
    if let Some(c) = m.upload.counts.last() {
        extra.insert("bytes_received".into(), json!(c.bytes));
    }
    if let Some(p) = &m.via {
        extra.insert("via_proxy".into(), json!(p));
    }
    if m.upload.sender_counted {
        extra.insert("sender_counted".into(), json!(true));
    }
    if let Some(e) = &m.outcome.error {
        extra.insert(
            "error".into(),
            json!({"class": e.class.as_str(), "message": e.message}),
        );
    }
    extra.insert(
        "platforms".into(),
        Value::Array(
            platforms
                .iter()
                .filter_map(|p| {
                    let o = p
                        .probes
                        .iter()
                        .find(|o| o.kind == crate::model::ProbeKind::Bandwidth)?;
                    Some(json!({
                        "id": p.id,
                        "needed_kbps": o.data.get("needed_kbps"),
                        "fits": o.data.get("fits"),
                        "advice": o.data.get("advice"),
                    }))
                })
                .collect(),
        ),
    );
    crate::model::Bandwidth {
        upload_kbps: m.kbps(),
        peer: Some(m.peer.clone()),
        duration_ms: Some(m.upload.sending.as_millis() as u64),
        loaded_rtt_ms: m.loaded_rtt_ms,
        needed_kbps: worst.and_then(|o| o.data.get("needed_kbps").and_then(Value::as_f64)),
        fits: worst.and_then(|o| o.data_str("advice").map(str::to_string)),
        media_udp: m.media.as_ref().map(|u| crate::model::MediaUdpReport {
            target_kbps: u.target_kbps,
            platform: u.platform.clone(),
            peer: u.peer.clone(),
            stats: u.result.as_ref().ok().cloned(),
            // English, as the rest of the report's machine-read fields.
            not_measured: (u.result.as_ref().err())
                .map(|why| super::errors::not_measured(why, Lang::En)),
            why: u.result.as_ref().err().cloned(),
        }),
        timeline: (m.upload.timeline().iter())
            .map(|s| RatePoint {
                t_ms: s.t_ms,
                kbps: s.kbps,
            })
            .collect(),
        latency_timeline: (m.loaded.iter())
            .map(|&(t_ms, rtt_ms)| RttPoint { t_ms, rtt_ms })
            .collect(),
        extra,
    }
}
