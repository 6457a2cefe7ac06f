//! The upload section of the HTML report: the figures and the timeline chart (inline SVG).

use super::Lang;
use crate::inert::html as esc;
use crate::model::Report;
use crate::report::messages::{M, msg};
use serde_json::Value;
use std::fmt::Write;

/// The upload timeline (kbit/s over time) as an inline SVG line chart, with the latency
/// measured while uploading as dots on a second scale (ms, right).
pub fn upload_chart(
    timeline: &[(f64, f64)],
    latency: &[(f64, f64)],
    needed_kbps: Option<f64>,
    l: Lang,
) -> String {
    let (w, h, left, bottom) = (640.0, 200.0, 48.0, 24.0);
    let right = if latency.is_empty() { 8.0 } else { 44.0 };
    let tmax = timeline
        .iter()
        .chain(latency)
        .map(|p| p.0)
        .fold(1.0_f64, f64::max);
    let vmax = timeline
        .iter()
        .map(|p| p.1)
        .chain(needed_kbps)
        .fold(1.0_f64, f64::max)
        * 1.15;
    let x = |t: f64| left + (t / tmax) * (w - left - right);
    let y = |v: f64| (h - bottom) - (v / vmax) * (h - bottom - 8.0);
    let mut s = format!(
        "<svg role=img aria-label=\"{}\" viewBox=\"0 0 {w} {h}\" width=\"100%\" style=\"max-width:{w}px\">",
        esc(msg(l, M::UploadRateDuringThe))
    );
    let _ = write!(
        s,
        "<line x1={left} y1={} x2={} y2={} stroke=\"#d0d7de\"/><line x1={left} y1=8 x2={left} y2={} stroke=\"#d0d7de\"/>",
        h - bottom,
        w - right,
        h - bottom,
        h - bottom
    );
    for i in 0..=4 {
        let v = vmax / 4.0 * i as f64;
        let _ = write!(s, "<text x=4 y={:.0}>{:.1}</text>", y(v) + 4.0, v / 1000.0);
    }
    let _ = write!(
        s,
        "<text x={left} y={h}>0 s</text><text x={:.0} y={h} text-anchor=end>{} s — Mbit/s</text>",
        w - right,
        l.dec(tmax / 1000.0, 1)
    );
    if let Some(n) = needed_kbps {
        let _ = write!(
            s,
            "<line x1={left} y1={y:.1} x2={} y2={y:.1} stroke=\"#b35900\" stroke-dasharray=\"6 4\"/><text x={} y={:.1} text-anchor=end style=\"fill:#b35900\">{}</text>",
            w - right,
            w - right - 2.0,
            y(n) - 4.0,
            esc(msg(l, M::NeededWord)),
            y = y(n)
        );
    }
    let pts: Vec<String> = timeline
        .iter()
        .map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v)))
        .collect();
    let _ = write!(
        s,
        "<polyline fill=none stroke=\"#0969da\" stroke-width=2 points=\"{}\"/>",
        pts.join(" ")
    );
    if !latency.is_empty() {
        // Latency under load: its own scale on the right.
        let lmax = latency.iter().map(|p| p.1).fold(1.0_f64, f64::max) * 1.15;
        let ly = |v: f64| (h - bottom) - (v / lmax) * (h - bottom - 8.0);
        for i in [0.0, 0.5, 1.0] {
            let v = lmax * i;
            let _ = write!(
                s,
                "<text x={:.0} y={:.0} style=\"fill:#8250df\">{} ms</text>",
                w - right + 4.0,
                ly(v) + 4.0,
                crate::report::text::ms(v, l)
            );
        }
        for (t, v) in latency {
            let _ = write!(
                s,
                "<circle cx={:.1} cy={:.1} r=3 fill=\"#8250df\"/>",
                x(*t),
                ly(*v)
            );
        }
        let _ = write!(
            s,
            "<text x={:.0} y=16 text-anchor=end style=\"fill:#8250df\">● {}</text>",
            w - right - 2.0,
            esc(msg(l, M::LatencyWhileUploading))
        );
    }
    s.push_str("</svg>");
    s
}

pub(super) fn bandwidth(s: &mut String, r: &Report, l: Lang) {
    let Some(b) = &r.bandwidth else { return };
    let _ = write!(
        s,
        "<h2>{}</h2><div class=figs>",
        msg(l, M::UploadAndPathQuality)
    );
    let fig = |s: &mut String, label: &str, value: String| {
        let _ = write!(
            s,
            "<div class=fig><span class=small>{}</span><b>{}</b></div>",
            esc(label),
            esc(&value)
        );
    };
    if let Some(u) = b.upload_kbps {
        fig(
            s,
            msg(l, M::Upload),
            format!("{} Mbit/s", l.dec(u / 1000.0, 1)),
        );
    }
    if let Some(n) = b.needed_kbps {
        fig(
            s,
            msg(l, M::EstimatedNeed),
            format!("{} Mbit/s", l.dec(n / 1000.0, 1)),
        );
    }
    if let Some(v) = b.extra.get("idle_rtt_ms").and_then(Value::as_f64) {
        fig(
            s,
            msg(l, M::IdleLatency),
            format!("{} ms", crate::report::text::ms(v, l)),
        );
    }
    if let Some(v) = b.loaded_rtt_ms {
        fig(
            s,
            msg(l, M::LoadedLatency),
            format!("{} ms", crate::report::text::ms(v, l)),
        );
    }
    for p in &r.platforms {
        if let Some((_, Some([lo, j, m, _]))) = crate::report::quality_of(p) {
            fig(
                s,
                &format!(
                    "{} — {} ({})",
                    msg(l, M::UDPPath),
                    p.name,
                    msg(l, M::LossJitterRTT)
                ),
                format!(
                    "{} % / {} ms / {} ms",
                    l.dec(lo, 1),
                    crate::report::text::ms(j, l),
                    crate::report::text::ms(m, l)
                ),
            );
        }
    }
    s.push_str("</div>");
    if let Some(f) = &b.fits {
        let _ = write!(s, "<p>{}</p>", esc(f));
    }
    if let Some(m) = crate::report::media_udp(b, l) {
        let _ = write!(s, "<p>{}</p>", esc(&m));
    }
    let timeline: Vec<(f64, f64)> = b.timeline.iter().map(|p| (p.t_ms, p.kbps)).collect();
    let latency: Vec<(f64, f64)> = (b.latency_timeline.iter())
        .map(|p| (p.t_ms, p.rtt_ms))
        .collect();
    if timeline.len() >= 2 {
        s.push_str(&upload_chart(&timeline, &latency, b.needed_kbps, l));
    }
    if let Some(p) = &b.peer {
        let _ = write!(s, "<p class=small>{} {}</p>", msg(l, M::MeasuredTo), esc(p));
    }
}
