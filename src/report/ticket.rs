//! The support section of a report: why this desk, and a ready-to-send ticket (venue, date,
//! platform, exactly what is blocked, evidence, request), worded from the assembled report and
//! the desk the diagnosis chose.

use super::requests::{requests, root_failures};
use crate::diagnose::desk::DeskChoice;
use crate::lang::Lang;
use crate::model::{Outcome, ProbeKind, Report, Status, Support, Verdict};
use crate::report::messages::{M, msg, words};
use std::fmt::Write;

/// Why this desk, and the ticket.
/// `attached`: the JSON report was written to a file (the ticket then says it is attached).
pub fn support(choice: &DeskChoice, r: &Report, attached: bool, l: Lang) -> Support {
    let desk = choice.desk;
    let mut why = l.pick(&desk.why_fr, &desk.why_en).to_string();
    if let Some((exp, family)) = &choice.contradiction {
        let _ = write!(why, " {}", words(l).venue_contradiction(exp, family));
    }
    if choice.venue_unspecified {
        why.push(' ');
        why.push_str(msg(l, M::GiveUaiOrDepartment));
    }
    Support {
        desk: desk.name.clone(),
        contact: Some(desk.contact.clone()).filter(|c| !c.is_empty()),
        why,
        ticket: Some(ticket(r, attached, l)),
    }
}

/// The measurements that fell short, as (what was measured, what to ask), once per kind.
fn measure_problems(r: &Report, l: Lang) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let bad = |o: &&Outcome| matches!(o.status, Status::Fail | Status::Warn);
    let degraded = r.platforms.iter().filter(|p| p.verdict != Verdict::Ready);
    let f = |o: &Outcome, k: &str| o.data.get(k).and_then(|v| v.as_f64());
    for p in degraded {
        for o in p.probes.iter().filter(bad) {
            let (line, ask) = match (o.kind, o.class()) {
                (ProbeKind::Bandwidth, Some(crate::model::ErrorClass::Insufficient)) => {
                    let up = l.dec(f(o, "upload_kbps").unwrap_or(0.0) / 1000.0, 1);
                    let need = l.dec(f(o, "needed_kbps").unwrap_or(0.0) / 1000.0, 1);
                    (
                        words(l).ticket_upload(&p.name, &up, &need),
                        Some(words(l).ask_upload(&need)),
                    )
                }
                (ProbeKind::Bandwidth, _) if o.data.get("udp_policed").is_some() => {
                    let u = &o.data["udp_policed"];
                    let g = |k: &str| u.get(k).and_then(|v| v.as_f64()).unwrap_or(0.0);
                    let (loss, target, got) = (
                        l.dec(g("loss_pct"), 1),
                        g("target_kbps"),
                        g("received_kbps"),
                    );
                    let media = g("media_kbps");
                    (
                        words(l).ticket_udp_policed(
                            &p.name,
                            &loss,
                            target,
                            got,
                            &l.dec(g("upload_kbps") / 1000.0, 1),
                        ),
                        Some(words(l).ask_udp_rate(media)),
                    )
                }
                (ProbeKind::UdpQuality, Some(crate::model::ErrorClass::PoorQuality)) => (
                    words(l).ticket_quality(
                        &p.name,
                        &o.target,
                        &l.dec(f(o, "loss_pct").unwrap_or(0.0), 1),
                        &super::text::ms(f(o, "jitter_ms").unwrap_or(0.0), l),
                        &super::text::ms(f(o, "rtt_median_ms").unwrap_or(0.0), l),
                    ),
                    Some({
                        // The loss the platform's levels tolerate (1 % unless its profile says).
                        let good = (o.facts.quality.as_ref())
                            .and_then(|j| j.good_level(crate::model::Measure::Loss));
                        words(l).ask_find_udp_loss(&l.num(good.unwrap_or(1.0)))
                    }),
                ),
                _ => continue,
            };
            if !out.iter().any(|(x, _)| x == &line) {
                out.push((line, ask));
            }
        }
    }
    out
}

/// The venue as the ticket names it.
fn venue_line(r: &Report, l: Lang) -> String {
    let venue = [
        r.venue.label.clone(),
        r.venue
            .kind
            .as_deref()
            .map(|k| super::i18n::kind(k, l).to_string()),
        r.venue.uai.clone().map(|u| format!("UAI {u}")),
        r.venue
            .department
            .clone()
            .map(|d| format!("{} {d}", msg(l, M::Dept))),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    if venue.is_empty() {
        msg(l, M::NotGivenRunAgain).to_string()
    } else {
        venue
    }
}

/// The closing line: the report is attached only when one was written.
fn closing(attached: bool, l: Lang) -> &'static str {
    if attached {
        msg(l, M::TheFullJSONReport)
    } else {
        msg(l, M::ThankYou)
    }
}

/// The ticket when the network itself is the problem: one request, not one per host.
fn network_ticket(r: &Report, f: &crate::model::NetworkFinding, attached: bool, l: Lang) -> String {
    let mut t = String::new();
    let resolver = r.network.resolver.as_deref().unwrap_or("?");
    let (subject, ask) = match f.class.as_str() {
        "no_dns" if resolver.starts_with("none") => (
            msg(l, M::SubjectNoNetworkConnection).to_string(),
            msg(l, M::CheckThatThisRoom).to_string(),
        ),
        "no_dns" => (
            msg(l, M::SubjectTheDNSServer).to_string(),
            words(l).ask_check_resolver(resolver),
        ),
        "captive_portal" => (
            msg(l, M::SubjectTheWiFi).to_string(),
            words(l).ask_without_portal(f.portal.as_deref().unwrap_or("?")),
        ),
        _ => (
            msg(l, M::SubjectNoInternetAccess).to_string(),
            msg(l, M::CheckTheInternetAccess).to_string(),
        ),
    };
    let _ = writeln!(t, "{subject}");
    let _ = writeln!(t);
    let _ = writeln!(t, "{}", msg(l, M::TicketOpeningNothingGetsThrough));
    let _ = writeln!(t, "- {} {}", msg(l, M::VenueHeading), venue_line(r, l));
    let _ = writeln!(
        t,
        "- {} {}",
        msg(l, M::TestDate),
        super::i18n::local_time(&r.started_at, l)
    );
    // The resolver as the probes describe it, except the one case they word in English.
    let shown = if resolver.starts_with("none") {
        msg(l, M::NoneConfigured)
    } else {
        resolver
    };
    let _ = writeln!(t, "- DNS{}{shown}", msg(l, M::Colon));
    let _ = writeln!(t);
    let _ = writeln!(t, "{}", msg(l, M::Request));
    let _ = writeln!(t, "- {ask}");
    let _ = writeln!(t);
    let _ = write!(t, "{}", closing(attached, l));
    t
}

pub fn ticket(r: &Report, attached: bool, l: Lang) -> String {
    if let Some(f) = &r.network.finding {
        return network_ticket(r, f, attached, l);
    }
    let mut t = String::new();
    let venue = venue_line(r, l);
    let platforms: Vec<&str> = r
        .platforms
        .iter()
        .filter(|p| p.verdict != Verdict::Ready)
        .map(|p| p.name.as_str())
        .collect();
    let failures = root_failures(r);
    let measures = measure_problems(r, l);
    let _ = writeln!(
        t,
        "{} {}",
        if failures.is_empty() {
            msg(l, M::SubjectNetworkNotGood)
        } else {
            msg(l, M::SubjectBlockedAccessTo)
        },
        platforms.join(", ")
    );
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "{}",
        if failures.is_empty() {
            msg(l, M::TicketOpeningLinkTooWeak)
        } else {
            msg(l, M::TicketOpeningFlowsBlocked)
        }
    );
    let _ = writeln!(t, "- {} {}", msg(l, M::VenueHeading), venue);
    let _ = writeln!(
        t,
        "- {} {}",
        msg(l, M::TestDate),
        super::i18n::local_time(&r.started_at, l)
    );
    if let Some(ip) = &r.network.public_ip {
        let _ = writeln!(t, "- {} {ip}", msg(l, M::PublicAddressHeading));
    }
    let _ = writeln!(t);
    for (line, _) in &measures {
        let _ = writeln!(t, "- {line}");
    }
    for (platform, o) in &failures {
        let proto = o
            .transport
            .map(|t| t.as_str().to_uppercase())
            .unwrap_or_default();
        let class = o
            .class()
            .map(|c| match words(l).shows_engineer_detail() {
                true => format!("{} ({})", c.as_str(), super::i18n::class_meaning(c, l)),
                false => super::i18n::class_meaning(c, l).to_string(),
            })
            .unwrap_or_default();
        let _ = writeln!(
            t,
            "- [{platform}] {} {} {proto}{}{class}",
            o.kind.as_str(),
            o.target,
            msg(l, M::Colon)
        );
    }
    let mut asks = requests(r, &failures, l);
    asks.extend(measures.into_iter().filter_map(|(_, ask)| ask));
    asks.dedup();
    if !r.firewall.evidence.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "{} {}) :",
            msg(l, M::EvidenceLikelyFirewall),
            super::i18n::firewall(&r.firewall, l)
        );
        for e in &r.firewall.evidence {
            let _ = writeln!(t, "- {e}");
        }
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "{}", msg(l, M::Request));
    for a in &asks {
        let _ = writeln!(t, "- {a}");
    }
    let _ = writeln!(t);
    let _ = write!(t, "{}", closing(attached, l));
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::desk::{Desks, choose};
    use crate::model::*;

    fn route(d: &Desks, r: &Report, attached: bool, l: Lang) -> Support {
        let c = choose(
            d,
            r.venue.department.as_deref(),
            r.venue.kind.as_deref(),
            &r.firewall.family,
        );
        support(&c, r, attached, l)
    }

    fn report(dep: Option<&str>, kind: Option<&str>, family: &str) -> Report {
        let turn = Outcome::new(
            ProbeKind::Turn,
            "turn:t.example:3478?transport=udp",
            Some(Transport::Udp),
        )
        .aimed_at("t.example", 3478)
        .fail(ErrorClass::Timeout, "x");
        Report {
            schema: SCHEMA.into(),
            tool: Tool {
                name: "preflight".into(),
                version: "0".into(),
            },
            started_at: "2026-11-24T10:00:00Z".into(),
            duration_ms: 1,
            lang: "fr".into(),
            venue: Venue {
                label: Some("CDI".into()),
                uai: None,
                department: dep.map(Into::into),
                kind: kind.map(Into::into),
            },
            verdict: Verdict::Degraded,
            partial: false,
            platforms: vec![PlatformReport {
                id: "bbb".into(),
                name: "BigBlueButton".into(),
                verdict: Verdict::Degraded,
                summary: String::new(),
                reasons: vec![],
                notes: vec![],
                probes: vec![turn],
            }],
            network: Network::default(),
            bandwidth: None,
            firewall: Firewall {
                family: family.into(),
                name: None,
                confidence: 0.5,
                evidence: vec!["e".into()],
            },
            support: None,
            notes: vec![],
        }
    }

    #[test]
    fn contradiction_is_said() {
        let d = Desks::bundled().unwrap();
        let s = route(
            &d,
            &report(Some("92"), Some("college"), "amon"),
            true,
            Lang::En,
        );
        assert!(s.desk.contains("Guichet unique ENC"));
        assert!(
            s.why.contains("“rge”") && s.why.contains("“amon”"),
            "{}",
            s.why
        );
    }

    #[test]
    fn ticket_names_what_is_blocked_and_asks_precisely() {
        let d = Desks::bundled().unwrap();
        let s = route(
            &d,
            &report(Some("78"), Some("college"), "amon"),
            true,
            Lang::Fr,
        );
        let t = s.ticket.unwrap();
        // In French, what the failure means, not its raw class.
        assert!(
            t.contains("turn:t.example:3478?transport=udp UDP : aucune réponse dans le délai"),
            "{t}"
        );
        assert!(!t.contains("timeout"), "{t}");
        assert!(
            t.contains("autoriser UDP 3478 vers t.example (relais média TURN"),
            "{t}"
        );
        assert!(t.contains("CDI"));
        assert!(s.contact.unwrap().starts_with("https://"));
    }

    #[test]
    fn a_computer_without_a_resolver_is_said_in_the_ticket_language() {
        let mut r = report(None, None, "unknown");
        r.network.resolver = Some("none configured (io error: no nameservers found)".into());
        r.network.finding = Some(crate::model::NetworkFinding {
            class: "no_dns".into(),
            message: String::new(),
            portal: None,
        });
        let t = ticket(&r, false, Lang::Fr);
        assert!(t.contains("- DNS : aucun n'est configuré\n"), "{t}");
        assert!(!t.contains("none configured"), "{t}");
        assert!(t.lines().count() <= 15, "{t}");
        r.network.resolver = Some("198.18.2.53:53".into());
        assert!(ticket(&r, false, Lang::En).contains("- DNS: 198.18.2.53:53\n"));
    }
}
