//! The measurements in a platform's report: the probes they add, and the findings of
//! `diagnose::measures` worded (the heaviest becomes the headline when it changes the verdict).

use crate::diagnose::measures::{self, MeasureFinding};
use crate::lang::Lang;
use crate::measure::needs::Fit;
use crate::measure::quality::{Judgement, Measure};
use crate::model::{Outcome, PlatformReport};
use crate::report::messages::{M, msg, words};

/// Add the measurements to one platform's report, with the verdict they give.
pub fn add(
    pr: &mut PlatformReport,
    quality: Option<Outcome>,
    bandwidth: Option<(Outcome, Fit)>,
    l: Lang,
) {
    let connectivity = pr.verdict;
    let findings = measures::judge(quality.as_ref(), bandwidth.as_ref().map(|(o, f)| (o, f)));
    let lines: Vec<String> = findings
        .iter()
        .map(|(_, f)| line(f, quality.as_ref(), bandwidth.as_ref(), l))
        .collect();
    pr.verdict = measures::verdict(connectivity, &findings);
    if pr.verdict > connectivity
        && let Some(first) = lines.first()
    {
        // The measurement is now the headline.
        pr.summary = first.clone();
    }
    pr.reasons.extend(lines);
    pr.probes.extend(quality);
    pr.probes.extend(bandwidth.map(|(o, _)| o));
}

fn line(f: &MeasureFinding, q: Option<&Outcome>, b: Option<&(Outcome, Fit)>, l: Lang) -> String {
    match (f, q, b) {
        (MeasureFinding::PathQuality, Some(q), _) => {
            let figures = match (
                q.data.get("loss_pct").and_then(|v| v.as_f64()),
                q.data.get("jitter_ms").and_then(|v| v.as_f64()),
                q.data.get("rtt_median_ms").and_then(|v| v.as_f64()),
            ) {
                (Some(lo), Some(j), Some(r)) => format!(
                    " ({})",
                    words(l).quality_figures(
                        &l.dec(lo, 1),
                        &super::text::ms(j, l),
                        &super::text::ms(r, l)
                    )
                ),
                _ => String::new(),
            };
            let what = msg(l, M::UdpPathQualityLabel);
            match &q.facts.quality {
                // Which of the platform's levels the figures crossed, and what that means.
                Some(j) => format!("{what} — {}", path_quality(j, l)),
                None => format!("{what} — {}{figures}", super::why(q, l)),
            }
        }
        (MeasureFinding::UdpPoliced, _, Some((b, _))) => format!(
            "{} — {}",
            msg(l, M::UDPAtMediaRate),
            policed(
                b.data
                    .get("udp_policed")
                    .unwrap_or(&serde_json::Value::Null),
                l
            )
        ),
        (MeasureFinding::UploadShort, _, Some((_, fit))) => {
            format!("{} — {}", msg(l, M::Upload), super::needs::advice(fit, l))
        }
        (MeasureFinding::UploadWarned, _, Some((b, _))) => {
            format!("{} — {}", msg(l, M::Upload), super::why(b, l))
        }
        _ => String::new(),
    }
}

/// The path quality judgement worded: which levels the figures crossed, and what it means for
/// live media. In English it is the `udp_quality` outcome's message in the JSON.
pub fn path_quality(j: &Judgement, l: Lang) -> String {
    let (critical, crossed) = match j {
        Judgement::NoAnswer => (true, Vec::new()),
        Judgement::Poor { critical, crossed } => (*critical, crossed.clone()),
    };
    let figures: Vec<String> = crossed
        .iter()
        .map(|c| {
            // The level as written in the profile (`1`, `0.5`).
            let (v, good) = (c.value, l.num(c.good));
            match c.measure {
                Measure::Loss => words(l).loss_crossed(&l.dec(v, 1), &good),
                Measure::Jitter => words(l).jitter_crossed(&l.dec(v, 1), &good),
                Measure::Rtt => words(l).rtt_crossed(&l.dec(v, 0), &good),
            }
        })
        .collect();
    let what = if figures.is_empty() {
        msg(l, M::NoAnswerToAny).to_string()
    } else {
        figures.join(", ")
    };
    let means = match critical {
        true => msg(l, M::LiveAudioAndVideo),
        false => msg(l, M::AudioMayBreakUp),
    };
    format!("{what}{}{means}", msg(l, M::Colon))
}

/// The UDP-policing finding, from the figures `measure::judged` put in `udp_policed`.
fn policed(p: &serde_json::Value, l: Lang) -> String {
    let f = |k: &str| p.get(k).and_then(|v| v.as_f64()).unwrap_or(0.0);
    let (loss, target, got) = (
        l.dec(f("loss_pct"), 1),
        f("target_kbps"),
        f("received_kbps"),
    );
    let up = l.dec(f("upload_kbps") / 1000.0, 1);
    let webcam = p.get("webcam").and_then(|v| v.as_str());
    words(l).udp_policed(&loss, target, &up, got, webcam)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::quality::Crossed;

    #[test]
    fn path_quality_names_the_levels_crossed_in_each_language() {
        let warn = Judgement::Poor {
            critical: false,
            crossed: vec![
                Crossed {
                    measure: Measure::Loss,
                    value: 3.0,
                    good: 1.0,
                },
                Crossed {
                    measure: Measure::Jitter,
                    value: 40.04,
                    good: 30.0,
                },
            ],
        };
        // The English is the JSON's message, as it was before the levels became data.
        assert_eq!(
            path_quality(&warn, Lang::En),
            "loss 3.0 % (good < 1 %), jitter 40.0 ms (good < 30 ms): audio may break up, video may freeze"
        );
        assert_eq!(
            path_quality(&warn, Lang::Fr),
            "perte 3,0 % (seuil : < 1 %), gigue 40,0 ms (seuil : < 30 ms) : l'audio peut hacher, la vidéo se figer"
        );
        let critical = Judgement::Poor {
            critical: true,
            crossed: vec![Crossed {
                measure: Measure::Rtt,
                value: 2400.0,
                good: 0.5,
            }],
        };
        assert_eq!(
            path_quality(&critical, Lang::En),
            "RTT 2400 ms (good < 0.5 ms): live audio and video will not hold"
        );
        assert_eq!(
            path_quality(&critical, Lang::Fr),
            "RTT 2400 ms (seuil : < 0,5 ms) : l'audio et la vidéo en direct ne tiendront pas"
        );
        assert_eq!(
            path_quality(&Judgement::NoAnswer, Lang::En),
            "no answer to any packet: live audio and video will not hold"
        );
    }
    use crate::measure::needs;
    use crate::measure::needs::tests::bbb;
    use crate::model::{ErrorClass, ProbeKind, Transport, Verdict};
    use crate::options::Participant;

    fn ready() -> PlatformReport {
        PlatformReport {
            id: "bbb".into(),
            name: "BigBlueButton".into(),
            verdict: Verdict::Ready,
            summary: "all good".into(),
            reasons: vec![],
            notes: vec![],
            probes: vec![],
        }
    }

    fn quality(loss: f64, jitter: f64, rtt: f64) -> Outcome {
        let o = Outcome::new(ProbeKind::UdpQuality, "turn:x", Some(Transport::Udp))
            .with("received", 150)
            .with("loss_pct", loss)
            .with("jitter_ms", jitter)
            .with("rtt_median_ms", rtt);
        if loss >= 1.0 || jitter >= 30.0 || rtt >= 100.0 {
            o.warn(ErrorClass::PoorQuality, "bad")
        } else {
            o
        }
    }

    fn bw(kbps: f64) -> (Outcome, Fit) {
        let fit = needs::judge(&bbb(), Participant::Speaker, kbps);
        let o = Outcome::new(ProbeKind::Bandwidth, "ws://peer", None).with("upload_kbps", kbps);
        (o, fit)
    }

    #[test]
    fn good_measures_keep_ready() {
        let mut pr = ready();
        add(
            &mut pr,
            Some(quality(0.0, 2.0, 20.0)),
            Some(bw(20_000.0)),
            Lang::En,
        );
        assert_eq!(pr.verdict, Verdict::Ready);
        assert_eq!(pr.summary, "all good");
        assert_eq!(pr.probes.len(), 2);
        assert!(pr.reasons.is_empty());
    }

    #[test]
    fn thin_upload_degrades_with_advice() {
        let mut pr = ready();
        add(&mut pr, None, Some(bw(2_300.0)), Lang::En);
        assert_eq!(pr.verdict, Verdict::Degraded);
        assert!(pr.summary.contains("camera off"), "{}", pr.summary);
    }

    #[test]
    fn no_upload_at_all_blocks() {
        let mut pr = ready();
        add(&mut pr, None, Some(bw(30.0)), Lang::Fr);
        assert_eq!(pr.verdict, Verdict::Blocked);
        assert!(pr.summary.contains("micro"), "{}", pr.summary);
    }

    #[test]
    fn poor_path_degrades_and_names_figures() {
        let mut pr = ready();
        add(&mut pr, Some(quality(4.0, 12.0, 40.0)), None, Lang::Fr);
        assert_eq!(pr.verdict, Verdict::Degraded);
        assert!(pr.summary.contains("perte 4,0 %"), "{}", pr.summary);
        // Judged against a platform's levels: the reason names the level crossed, in French.
        let mut judged = quality(4.0, 12.0, 40.0);
        judged.facts.quality = Some(Judgement::Poor {
            critical: false,
            crossed: vec![Crossed {
                measure: Measure::Loss,
                value: 4.0,
                good: 2.5,
            }],
        });
        let mut pr = ready();
        add(&mut pr, Some(judged), None, Lang::Fr);
        assert!(
            pr.summary
                .contains("perte 4,0 % (seuil : < 2,5 %) : l'audio peut hacher"),
            "{}",
            pr.summary
        );
    }

    #[test]
    fn policed_udp_degrades_with_a_webcam_quality() {
        let mut pr = ready();
        let (o, fit) = bw(20_000.0);
        let o = o.with(
            "udp_policed",
            serde_json::json!({"loss_pct": 44.5, "target_kbps": 890, "received_kbps": 494,
                "media_kbps": 890, "upload_kbps": 19_100, "webcam": "medium"}),
        );
        add(&mut pr, None, Some((o, fit)), Lang::Fr);
        assert_eq!(pr.verdict, Verdict::Degraded);
        assert!(
            pr.summary
                .contains("44,5 % des paquets perdus à 890 kbit/s")
                && pr.summary.contains("19,1 Mbit/s")
                && pr.summary.contains("« medium »"),
            "{}",
            pr.summary
        );
        // Without the finding, the same upload keeps the platform ready.
        let mut pr = ready();
        add(&mut pr, None, Some(bw(20_000.0)), Lang::En);
        assert_eq!(pr.verdict, Verdict::Ready);
    }

    #[test]
    fn a_blocked_platform_keeps_its_headline() {
        let mut pr = ready();
        pr.verdict = Verdict::Blocked;
        pr.summary = "API blocked".into();
        add(&mut pr, Some(quality(4.0, 12.0, 40.0)), None, Lang::En);
        assert_eq!(pr.verdict, Verdict::Blocked);
        assert_eq!(pr.summary, "API blocked");
        assert_eq!(pr.reasons.len(), 1);
    }
}
