//! The upload advice: what the measured upload allows the speaker (or an attendee), worded
//! from `measure::needs`'s typed judgement.

use crate::lang::Lang;
use crate::measure::needs::{Fit, Reading, Way, WayKind};
use crate::report::messages::{M, msg};

/// A way of speaking, as the speaker reads it.
pub fn way(w: &Way, l: Lang) -> String {
    match (&w.kind, l) {
        (WayKind::Full { webcam }, Lang::Fr) => {
            format!("micro + webcam « {webcam} » + partage d'écran")
        }
        (WayKind::Full { webcam }, Lang::En) => {
            format!("microphone + webcam '{webcam}' + screen sharing")
        }
        (WayKind::ScreenCameraOff, _) => msg(l, M::MicrophoneScreenSharingCamera).to_string(),
        (WayKind::Webcam { quality }, Lang::Fr) => {
            format!("micro + webcam « {quality} », sans partage d'écran")
        }
        (WayKind::Webcam { quality }, Lang::En) => {
            format!("microphone + webcam '{quality}', no screen sharing")
        }
        (WayKind::Microphone, _) => msg(l, M::MicrophoneOnly).to_string(),
        (WayKind::AttendeeMicrophone, _) => msg(l, M::Microphone).to_string(),
    }
}

/// One sentence for the speaker: what the upload allows.
pub fn advice(fit: &Fit, l: Lang) -> String {
    let mbps = |k: f64| format!("{} Mbit/s", l.dec(k / 1000.0, 1));
    let up = mbps(fit.upload_kbps);
    let full = fit.full.as_ref().map(|w| way(w, l)).unwrap_or_default();
    let need = mbps(fit.full.as_ref().map_or(0.0, |w| w.kbps));
    match (&fit.reading, l) {
        (Reading::Totals { hi, .. }, Lang::Fr) if fit.upload_kbps >= *hi => format!(
            "le débit montant ({up}) atteint ce que la plateforme recommande pour un intervenant ({})",
            mbps(*hi)
        ),
        (Reading::Totals { hi, .. }, Lang::En) if fit.upload_kbps >= *hi => format!(
            "the upload ({up}) reaches what the platform recommends for a presenter ({})",
            mbps(*hi)
        ),
        (Reading::Totals { lo, hi }, Lang::Fr) if fit.upload_kbps >= *lo => format!(
            "le débit montant ({up}) dépasse le minimum de la plateforme pour un intervenant ({}), sans atteindre le recommandé ({}) : évitez de partager une vidéo",
            mbps(*lo),
            mbps(*hi)
        ),
        (Reading::Totals { lo, hi }, Lang::En) if fit.upload_kbps >= *lo => format!(
            "the upload ({up}) is above the platform's minimum for a presenter ({}), below its recommendation ({}): avoid sharing a video",
            mbps(*lo),
            mbps(*hi)
        ),
        (Reading::Totals { lo, .. }, Lang::Fr) => format!(
            "le débit montant ({up}) est sous le minimum de la plateforme pour un intervenant ({}) : prévoyez de couper la caméra, ou intervenez depuis un autre réseau",
            mbps(*lo)
        ),
        (Reading::Totals { lo, .. }, Lang::En) => format!(
            "the upload ({up}) is below the platform's minimum for a presenter ({}): plan to turn the camera off, or speak from another network",
            mbps(*lo)
        ),
        (Reading::Fits, Lang::Fr) => format!("le débit montant ({up}) suffit pour {full} ({need})"),
        (Reading::Fits, Lang::En) => format!("the upload ({up}) fits {full} ({need})"),
        (Reading::Tight { plan }, Lang::Fr) => format!(
            "juste : {full} demande {need} des {up} mesurés ; prévoyez {}",
            way(plan, l)
        ),
        (Reading::Tight { plan }, Lang::En) => format!(
            "tight: {full} needs {need} of the {up} measured; plan for {}",
            way(plan, l)
        ),
        (Reading::Short { plan }, Lang::Fr) => format!(
            "insuffisant pour {full} (il faut {need}, mesuré {up}) : prévoyez {}",
            way(plan, l)
        ),
        (Reading::Short { plan }, Lang::En) => format!(
            "not enough for {full} (needs {need}, measured {up}): plan for {}",
            way(plan, l)
        ),
        (Reading::VeryTight { leanest }, Lang::Fr) => format!(
            "très juste : même le micro seul ({leanest:.0} kbit/s) prend presque tout le débit montant ({up})"
        ),
        (Reading::VeryTight { leanest }, Lang::En) => format!(
            "very tight: even the microphone alone ({leanest:.0} kbit/s) takes nearly all the upload ({up})"
        ),
        (Reading::NotEvenAudio { leanest }, Lang::Fr) => format!(
            "le débit montant ({up}) ne suffit même pas pour le micro ({leanest:.0} kbit/s)"
        ),
        (Reading::NotEvenAudio { leanest }, Lang::En) => {
            format!("the upload ({up}) is not enough even for the microphone ({leanest:.0} kbit/s)")
        }
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
