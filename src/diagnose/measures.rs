//! What the measurements change in a platform's verdict: a pure function of the path quality
//! outcome and the upload judged against the platform's stream (no sockets).
//!
//! - the upload fits: no change; tight, or only a leaner stream fits: `degraded`, with what to
//!   turn down; not even the microphone fits: `blocked`;
//! - path quality beyond the good thresholds (loss, jitter, RTT): `degraded`;
//! - UDP policed below this platform's media rate while TCP carries it: `degraded`, with the
//!   webcam quality that fits;
//! - latency under load, a measurement that failed or was not possible: a line in the report,
//!   no change (the connectivity verdict stands).

use crate::measure::needs::Fit;
use crate::model::{Outcome, Status, Verdict};

/// What one measurement says about a platform, and how much it weighs on its verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureFinding {
    /// Loss, jitter or RTT beyond the good thresholds (the outcome holds the figures).
    PathQuality,
    /// UDP policed below the media rate while TCP carries it (`udp_policed` in the upload's data).
    UdpPoliced,
    /// The upload does not carry the whole stream (the fit says what does).
    UploadShort,
    /// The upload measurement itself warned (latency under load, figure counted by the sender...).
    UploadWarned,
}

/// The findings of the measurements for one platform, the heaviest first.
pub fn judge(
    quality: Option<&Outcome>,
    bandwidth: Option<(&Outcome, &Fit)>,
) -> Vec<(Verdict, MeasureFinding)> {
    let mut out = Vec::new();
    if let Some(q) = quality
        && matches!(q.status, Status::Warn | Status::Fail)
    {
        // No answer at all is a connectivity matter the probes already judged.
        let level = if q.data.get("received").is_some() {
            Verdict::Degraded
        } else {
            Verdict::Ready
        };
        out.push((level, MeasureFinding::PathQuality));
    }
    if let Some((b, fit)) = bandwidth {
        let policed = b.data.get("udp_policed").is_some();
        if policed {
            out.push((Verdict::Degraded, MeasureFinding::UdpPoliced));
        }
        if fit.level > Verdict::Ready {
            out.push((fit.level, MeasureFinding::UploadShort));
        } else if b.status == Status::Warn && !policed {
            out.push((Verdict::Ready, MeasureFinding::UploadWarned));
        }
    }
    out.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
    out
}

/// The verdict once the measurements are counted: never better than connectivity's.
pub fn verdict(connectivity: Verdict, findings: &[(Verdict, MeasureFinding)]) -> Verdict {
    findings
        .iter()
        .map(|(v, _)| *v)
        .fold(connectivity, Verdict::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::needs;
    use crate::measure::needs::tests::bbb;
    use crate::model::{ErrorClass, ProbeKind, Transport};
    use crate::options::Participant;

    fn quality(loss: f64) -> Outcome {
        let o = Outcome::new(ProbeKind::UdpQuality, "turn:x", Some(Transport::Udp))
            .with("received", 150)
            .with("loss_pct", loss);
        if loss >= 1.0 {
            o.warn(ErrorClass::PoorQuality, "bad")
        } else {
            o
        }
    }

    #[test]
    fn levels_of_each_measurement() {
        let fit = |k| needs::judge(&bbb(), Participant::Speaker, k);
        let up = Outcome::new(ProbeKind::Bandwidth, "ws://peer", None);
        assert!(judge(Some(&quality(0.0)), Some((&up, &fit(20_000.0)))).is_empty());
        assert_eq!(
            judge(Some(&quality(4.0)), None),
            [(Verdict::Degraded, MeasureFinding::PathQuality)]
        );
        // A quality probe that got no answer at all: the probes judged that already.
        let silent = Outcome::new(ProbeKind::UdpQuality, "turn:x", Some(Transport::Udp))
            .fail(ErrorClass::Timeout, "x");
        assert_eq!(
            judge(Some(&silent), None),
            [(Verdict::Ready, MeasureFinding::PathQuality)]
        );
        assert_eq!(
            judge(None, Some((&up, &fit(30.0))))[0],
            (Verdict::Blocked, MeasureFinding::UploadShort)
        );
        let policed = up.clone().with("udp_policed", serde_json::json!({}));
        assert_eq!(
            judge(Some(&quality(4.0)), Some((&policed, &fit(20_000.0)))),
            [
                (Verdict::Degraded, MeasureFinding::PathQuality),
                (Verdict::Degraded, MeasureFinding::UdpPoliced)
            ]
        );
        assert_eq!(
            verdict(Verdict::Ready, &judge(None, Some((&up, &fit(30.0))))),
            Verdict::Blocked
        );
        assert_eq!(verdict(Verdict::Blocked, &[]), Verdict::Blocked);
    }
}
