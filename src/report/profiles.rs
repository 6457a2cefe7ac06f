//! `preflight profiles show ID`: what a profile tests, why it matters to the user, and where
//! each fact comes from (or that it is unverified).

use super::Lang;
use crate::profile::{Facts, Profile};
use std::fmt::Write;

fn pick<'a>(l: Lang, fr: &'a str, en: &'a str) -> &'a str {
    if l == Lang::Fr && !fr.is_empty() {
        fr
    } else {
        en
    }
}

/// The lines every endpoint gets: why, source, how it counts.
fn facts_lines(s: &mut String, f: &Facts, l: Lang) {
    let why = pick(l, &f.why_fr, &f.why);
    if !why.is_empty() {
        let _ = writeln!(s, "      {} {why}", l.t("pourquoi :", "why:"));
    }
    let source = if f.source.trim().is_empty() {
        l.t(
            "non vérifié (aucune source donnée)",
            "unverified (no source given)",
        )
    } else {
        f.source.as_str()
    };
    let _ = writeln!(s, "      {} {source}", l.t("source :", "source:"));
    let mut how = vec![if f.informational {
        l.t(
            "pour information (ne change jamais le verdict)",
            "for information (never changes the verdict)",
        )
        .to_string()
    } else if f.required {
        l.t("nécessaire", "required").to_string()
    } else {
        l.t("facultatif", "optional").to_string()
    }];
    if !f.verified() {
        how.push(
            l.t(
                "non vérifié : un échec seul n'aggrave pas le verdict",
                "unverified: a failure alone never makes the verdict worse",
            )
            .to_string(),
        );
    }
    if !f.bbb_versions.is_empty() {
        how.push(format!(
            "{} {}.x",
            l.t("BigBlueButton", "BigBlueButton"),
            f.bbb_versions.join(".x, ")
        ));
    }
    if let Some(g) = &f.group {
        how.push(format!("{} {g}", l.t("groupe", "group")));
    }
    let _ = writeln!(s, "      {}", how.join(" ; "));
}

pub fn describe(p: &Profile, l: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {} ({} {}, {} {})",
        p.id,
        p.name,
        l.t("moteur", "engine"),
        p.engine,
        l.t("profil", "profile"),
        p.source
    );
    if !p.description.is_empty() {
        let _ = writeln!(s, "{}", p.description);
    }
    let what = |f: &Facts| pick(l, &f.what_fr, &f.what).to_string();
    if !p.https.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            l.t(
                "HTTPS (le vrai service répond, pas une page de blocage) :",
                "HTTPS (the real service answers, not a block page):"
            )
        );
        for c in &p.https {
            let _ = writeln!(s, "  GET {} — {}", c.url, what(&c.facts));
            let statuses: Vec<String> = c.expect_status.iter().map(|x| x.to_string()).collect();
            let body = if c.expect_body.is_empty() {
                String::new()
            } else {
                format!(" {} {:?}", l.t("contenant", "containing"), c.expect_body)
            };
            let _ = writeln!(
                s,
                "      {} HTTP {}{body}",
                l.t("réponse normale :", "normal answer:"),
                statuses.join(", ")
            );
            facts_lines(&mut s, &c.facts, l);
        }
    }
    if !p.websocket.is_empty() {
        let _ = writeln!(s, "\n{}", l.t("WebSocket :", "WebSocket:"));
        for c in &p.websocket {
            let _ = writeln!(s, "  {} — {}", c.url, what(&c.facts));
            let answers: Vec<String> = c.answers.iter().map(|x| x.to_string()).collect();
            let _ = writeln!(
                s,
                "      {} HTTP {}",
                l.t(
                    "réponses normales du service, sans session de réunion :",
                    "the service's normal answers without a meeting session:"
                ),
                answers.join(", ")
            );
            facts_lines(&mut s, &c.facts, l);
        }
    }
    if !p.ice.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            l.t(
                "STUN/TURN (dans un groupe, l'UDP est préféré au TCP, le TCP au TLS : la chaîne de repli du navigateur) :",
                "STUN/TURN (in a group, UDP is preferred to TCP, TCP to TLS: the browser's fallback chain):"
            )
        );
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
        let _ = writeln!(
            s,
            "\n{} {}",
            l.t("Relais TURN nommés :", "TURN relays named:"),
            p.turn.join(", ")
        );
    }
    let n = &p.needs;
    let _ = writeln!(
        s,
        "\n{}",
        l.t("Débit montant (kbit/s) :", "Upload needs (kbit/s):")
    );
    if let Some((lo, hi)) = n.presenter_total {
        let _ = writeln!(
            s,
            "  {} {lo}, {} {hi}",
            l.t("intervenant, minimum", "presenter, minimum"),
            l.t("recommandé", "recommended")
        );
    }
    if !n.webcam.is_empty() {
        let cams: Vec<String> = n.webcam.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(
            s,
            "  audio {}, webcam {} ({} {}), {} {}",
            n.audio,
            cams.join(", "),
            l.t("par défaut", "default"),
            n.webcam_default,
            l.t("partage d'écran", "screen sharing"),
            n.screen
        );
    }
    let _ = writeln!(s, "  {} {}", l.t("participant", "attendee"), n.attendee);
    if !n.source.is_empty() {
        let _ = writeln!(s, "  {} {}", l.t("source :", "source:"), n.source);
    }
    if !p.unpublished.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            l.t(
                "Non publié par la plateforme, donc non testé :",
                "Not published by the platform, so not tested:"
            )
        );
        for (i, x) in p.unpublished.iter().enumerate() {
            let x = match l {
                Lang::Fr => p.unpublished_fr.get(i).unwrap_or(x),
                Lang::En => x,
            };
            let _ = writeln!(s, "  - {x}");
        }
    }
    let fallback = pick(l, &p.media_fallback_fr, &p.media_fallback);
    if !fallback.is_empty() {
        let _ = writeln!(
            s,
            "\n{} {fallback}",
            l.t("Si le média ne passe pas :", "If media cannot get out:")
        );
    }
    if !p.notes.is_empty() {
        let _ = writeln!(s, "\nNotes:");
        for x in &p.notes {
            let _ = writeln!(s, "  - {x}");
        }
    }
    s
}
