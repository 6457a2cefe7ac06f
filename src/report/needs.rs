//! The upload advice: what the measured upload allows the speaker (or an attendee), worded
//! from `measure::needs`'s typed judgement.

use crate::lang::Lang;
use crate::measure::needs::{Fit, Reading, Way, WayKind};
use crate::report::messages::{M, msg, words};

/// A way of speaking, as the speaker reads it.
pub fn way(w: &Way, l: Lang) -> String {
    match &w.kind {
        WayKind::Full { webcam } => words(l).way_full(webcam),
        WayKind::ScreenCameraOff => msg(l, M::MicrophoneScreenSharingCamera).to_string(),
        WayKind::Webcam { quality } => words(l).way_webcam(quality),
        WayKind::Microphone => msg(l, M::MicrophoneOnly).to_string(),
        WayKind::AttendeeMicrophone => msg(l, M::Microphone).to_string(),
    }
}

/// One sentence for the speaker: what the upload allows.
pub fn advice(fit: &Fit, l: Lang) -> String {
    let mbps = |k: f64| format!("{} Mbit/s", l.dec(k / 1000.0, 1));
    let up = mbps(fit.upload_kbps);
    let full = fit.full.as_ref().map(|w| way(w, l)).unwrap_or_default();
    let need = mbps(fit.full.as_ref().map_or(0.0, |w| w.kbps));
    let w = words(l);
    match &fit.reading {
        Reading::Totals { hi, .. } if fit.upload_kbps >= *hi => {
            w.upload_reaches_recommended(&up, &mbps(*hi))
        }
        Reading::Totals { lo, hi } if fit.upload_kbps >= *lo => {
            w.upload_above_minimum(&up, &mbps(*lo), &mbps(*hi))
        }
        Reading::Totals { lo, .. } => w.upload_below_minimum(&up, &mbps(*lo)),
        Reading::Fits => w.upload_fits(&up, &full, &need),
        Reading::Tight { plan } => w.upload_tight(&full, &need, &up, &way(plan, l)),
        Reading::Short { plan } => w.upload_short(&full, &need, &up, &way(plan, l)),
        Reading::VeryTight { leanest } => w.upload_very_tight(*leanest, &up),
        Reading::NotEvenAudio { leanest } => w.upload_not_even_audio(&up, *leanest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::needs::judge;
    use crate::measure::needs::tests::{bbb, livestorm};
    use crate::options::Participant;

    #[test]
    fn advice_in_each_language() {
        let n = bbb();
        let a = |k, l| advice(&judge(&n, Participant::Speaker, k), l);
        assert_eq!(
            a(10_000.0, Lang::Fr),
            "le débit montant (10,0 Mbit/s) suffit pour micro + webcam « medium » + partage d'écran (1,8 Mbit/s)"
        );
        assert!(a(2_300.0, Lang::En).contains("camera off"));
        assert!(
            a(1_000.0, Lang::Fr)
                .contains("prévoyez micro + webcam « medium », sans partage d'écran")
        );
        assert!(a(60.0, Lang::En).starts_with("very tight"));
        assert!(a(40.0, Lang::Fr).contains("ne suffit même pas pour le micro (50 kbit/s)"));
        let t = advice(
            &judge(&livestorm(), Participant::Speaker, 8_000.0),
            Lang::Fr,
        );
        assert!(
            t.contains("(5,0 Mbit/s), sans atteindre le recommandé (15,0 Mbit/s)"),
            "{t}"
        );
    }
}
