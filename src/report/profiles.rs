//! `preflight profiles show ID`: what a profile tests, why it matters to the user, and where
//! each fact comes from (or that it is unverified).

use super::Lang;
use crate::profile::{Facts, Profile};
use crate::report::messages::{M, msg, words};
use std::fmt::Write;

/// The lines every endpoint gets: why, source, how it counts.
fn facts_lines(s: &mut String, f: &Facts, l: Lang) {
    let why = l.pick(&f.why_fr, &f.why);
    if !why.is_empty() {
        let _ = writeln!(s, "      {} {why}", msg(l, M::Why));
    }
    let source = if f.source.trim().is_empty() {
        msg(l, M::UnverifiedNoSourceGiven)
    } else {
        f.source.as_str()
    };
    let _ = writeln!(s, "      {} {source}", msg(l, M::Source));
    let mut how = vec![if f.informational {
        msg(l, M::ForInformationNeverChanges).to_string()
    } else if f.required {
        msg(l, M::Required).to_string()
    } else {
        msg(l, M::Optional).to_string()
    }];
    if !f.verified() {
        how.push(msg(l, M::UnverifiedAFailureAlone).to_string());
    }
    if !f.bbb_versions.is_empty() {
        how.push(format!("BigBlueButton {}.x", f.bbb_versions.join(".x, ")));
    }
    if let Some(g) = &f.group {
        how.push(format!("{} {g}", msg(l, M::Group)));
    }
    let _ = writeln!(s, "      {}", how.join(" ; "));
}

/// `levels`: the network's path quality levels, which the profile's own `[quality]` replaces.
pub fn describe(p: &Profile, levels: &crate::profile::network::QualityLimits, l: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {} ({} {}, {} {})",
        p.id,
        p.name,
        msg(l, M::Engine),
        p.engine,
        msg(l, M::Profile),
        p.source
    );
    if !p.description.is_empty() {
        let _ = writeln!(s, "{}", p.description);
    }
    let what = |f: &Facts| l.pick(&f.what_fr, &f.what).to_string();
    if !p.https.is_empty() {
        let _ = writeln!(s, "\n{}", msg(l, M::HTTPSTheRealService));
        for c in &p.https {
            let _ = writeln!(s, "  GET {} — {}", c.url, what(&c.facts));
            let statuses: Vec<String> = c.expect_status.iter().map(|x| x.to_string()).collect();
            let body = if c.expect_body.is_empty() {
                String::new()
            } else {
                format!(" {} {:?}", msg(l, M::Containing), c.expect_body)
            };
            let _ = writeln!(
                s,
                "      {} HTTP {}{body}",
                msg(l, M::NormalAnswer),
                statuses.join(", ")
            );
            facts_lines(&mut s, &c.facts, l);
        }
    }
    if !p.websocket.is_empty() {
        let _ = writeln!(s, "\n{}", msg(l, M::WebSocket));
        for c in &p.websocket {
            let _ = writeln!(s, "  {} — {}", c.url, what(&c.facts));
            let answers: Vec<String> = c.answers.iter().map(|x| x.to_string()).collect();
            let _ = writeln!(
                s,
                "      {} HTTP {}",
                msg(l, M::TheServiceSNormal),
                answers.join(", ")
            );
            facts_lines(&mut s, &c.facts, l);
        }
    }
    if !p.ice.is_empty() {
        let _ = writeln!(s, "\n{}", msg(l, M::STUNTURNInA));
        for c in &p.ice {
            let _ = writeln!(
                s,
                "  {} — {} ({})",
                c.url,
                what(&c.facts),
                c.transport.as_str().to_uppercase()
            );
            facts_lines(&mut s, &c.facts, l);
        }
    }
    if !p.turn.is_empty() {
        let _ = writeln!(s, "\n{} {}", msg(l, M::TURNRelaysNamed), p.turn.join(", "));
    }
    let n = &p.needs;
    let _ = writeln!(s, "\n{}", msg(l, M::UploadNeedsKbitS));
    if let Some((lo, hi)) = n.presenter_total {
        let _ = writeln!(
            s,
            "  {} {lo}, {} {hi}",
            msg(l, M::PresenterMinimum),
            msg(l, M::Recommended)
        );
    }
    if !n.webcam.is_empty() {
        let cams: Vec<String> = n.webcam.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(
            s,
            "  audio {}, webcam {} ({} {}), {} {}",
            n.audio,
            cams.join(", "),
            msg(l, M::Default),
            n.webcam_default,
            msg(l, M::ScreenSharing),
            n.screen
        );
    }
    if !n.webcam_fallbacks.is_empty() {
        let _ = writeln!(
            s,
            "  {} {}",
            msg(l, M::WhenTheUploadIs),
            n.webcam_fallbacks.join(", ")
        );
    }
    let _ = writeln!(s, "  {} {}", msg(l, M::Attendee), n.attendee);
    if !n.source.is_empty() {
        let _ = writeln!(s, "  {} {}", msg(l, M::Source), n.source);
    }
    let q = p.quality.as_ref().unwrap_or(levels);
    let _ = writeln!(s, "\n{}", msg(l, M::PathQualityAUDP));
    let _ = writeln!(
        s,
        "  {}",
        words(l).quality_levels(
            &l.num(q.good_loss_pct),
            &l.num(q.good_jitter_ms),
            &l.num(q.good_rtt_ms),
            &l.num(q.critical_loss_pct),
            &l.num(q.critical_rtt_ms)
        )
    );
    let _ = writeln!(
        s,
        "  {}",
        match p.quality {
            Some(_) => msg(l, M::ThisProfileSLevels),
            None => msg(l, M::TheNetworkSLevels),
        }
    );
    if !p.unpublished.is_empty() {
        let _ = writeln!(s, "\n{}", msg(l, M::NotPublishedByThe));
        for i in 0..p.unpublished.len() {
            let x = l.pick_nth(&p.unpublished_fr, &p.unpublished, i);
            let _ = writeln!(s, "  - {x}");
        }
    }
    let fallback = l.pick(&p.media_fallback_fr, &p.media_fallback);
    if !fallback.is_empty() {
        let _ = writeln!(s, "\n{} {fallback}", msg(l, M::IfMediaCannotGet));
    }
    if !p.notes.is_empty() {
        let _ = writeln!(s, "\n{}", msg(l, M::Notes));
        for x in &p.notes {
            let _ = writeln!(s, "  - {x}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::network::NetworkFacts;

    #[test]
    fn a_profile_says_the_levels_it_is_judged_by_and_its_webcam_steps() {
        let lib = crate::profile::Library::load(None, &[]).unwrap();
        let levels = NetworkFacts::bundled().unwrap().quality;
        let bbb = lib.platforms.iter().find(|p| p.id == "bbb").unwrap();
        let en = describe(bbb, &levels, Lang::En);
        assert!(en.contains("the webcam steps down to: low"), "{en}");
        assert!(
            en.contains("good: loss < 1 %, jitter < 30 ms, RTT < 100 ms; beyond 20 % loss"),
            "{en}"
        );
        assert!(en.contains("the network's levels"), "{en}");
        // A profile's own [quality] is said as such, with its figures (French decimals).
        let mut own = bbb.clone();
        own.quality = Some(crate::profile::network::QualityLimits {
            good_loss_pct: 0.5,
            ..levels
        });
        let fr = describe(&own, &levels, Lang::Fr);
        assert!(fr.contains("bon : perte < 0,5 %"), "{fr}");
        assert!(fr.contains("niveaux de ce profil ([quality])"), "{fr}");
    }
}
