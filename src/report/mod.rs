//! Reports: the JSON contract is the model itself (`crate::model::Report`); this module turns
//! a run into that model, with sentences in the user's language, and renders it as text.

pub mod bandwidth;
pub mod console;
pub mod errors;
pub mod evidence;
pub mod help;
pub mod html;
pub mod i18n;
pub mod measures;
pub mod merged;
pub mod messages;
pub mod needs;
pub mod profiles;
pub mod requests;
pub mod text;
pub mod ticket;
pub mod upload_chart;

pub use i18n::{Lang, network_message};

use crate::diagnose::verdict::{Diagnosis, Finding};
use crate::model::{Outcome, PlatformReport, ProbeKind, Status};
use crate::plan::{PlatformPlan, Role};
use crate::report::messages::{M, msg, words};

/// Write `bytes` to `path` whole or not at all: into a temporary file in the same folder,
/// then renamed over `path` (a run killed mid-write leaves the previous report intact).
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("no file name"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Whether a file can be created in `dir` (tried with a temporary file, removed at once).
pub fn probe_writable(dir: &std::path::Path) -> std::io::Result<()> {
    let tmp = dir.join(format!(".preflight-probe.{}.tmp", std::process::id()));
    std::fs::File::create(&tmp)?;
    std::fs::remove_file(&tmp)
}

/// The label of an endpoint in sentences: its `what` from the profile, else its target.
fn label(p: &PlatformPlan, outcomes: &[Outcome], probe: usize, lang: Lang) -> String {
    let what = p
        .entries
        .iter()
        .find(|e| e.probe == probe)
        .and_then(|e| e.role.facts())
        .map(|f| lang.pick(&f.what_fr, &f.what).to_string())
        .filter(|w| !w.is_empty());
    let target = &outcomes[probe].target;
    match what {
        Some(w) => format!("{w} ({target})"),
        None => target.clone(),
    }
}

/// A platform's `udp_quality` outcome and its figures (loss %, jitter, RTT median, RTT p95),
/// when it was measured.
pub fn quality_of(p: &PlatformReport) -> Option<(&Outcome, Option<[f64; 4]>)> {
    let q = p
        .probes
        .iter()
        .find(|o| o.kind == crate::model::ProbeKind::UdpQuality)?;
    let f = |k: &str| q.data.get(k).and_then(|v| v.as_f64());
    let figures = match (
        f("loss_pct"),
        f("jitter_ms"),
        f("rtt_median_ms"),
        f("rtt_p95_ms"),
    ) {
        (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
        _ => None,
    };
    Some((q, figures))
}

/// A probe that did not run because the run was stopped (Ctrl-C).
pub fn interrupted(o: &Outcome) -> bool {
    o.was_interrupted() || o.class() == Some(crate::model::ErrorClass::Interrupted)
}

/// The UDP test at media rate in one line (None when it was not asked for).
pub fn media_udp(b: &crate::model::Bandwidth, l: Lang) -> Option<String> {
    let m = b.media_udp.as_ref()?;
    let head = format!(
        "{} ({:.0} kbit/s, {}){}",
        msg(l, M::UDPAtMediaRate),
        m.target_kbps,
        m.platform,
        msg(l, M::Colon)
    );
    Some(match (&m.stats, &m.why) {
        (Some(s), _) => {
            let tail = if s.congested {
                msg(l, M::StoppedTheUplinkCannot)
            } else {
                ""
            };
            let (lo, j) = (l.dec(s.loss_pct, 1), l.dec(s.jitter_ms, 1));
            format!(
                "{head}{}{tail}",
                words(l).media_udp_figures(&lo, &j, s.received_kbps)
            )
        }
        (None, Some(why)) => format!("{head}{}", errors::not_measured(why, l)),
        (None, None) => format!("{head}{}", msg(l, M::NotMeasuredNoUDP)),
    })
}

/// Why a probe did not work, in plain words (the root cause for a skipped probe).
pub fn why(o: &Outcome, lang: Lang) -> String {
    if o.status == Status::Skipped {
        if interrupted(o) {
            return msg(lang, M::NotTestedInterruptedCtrl).to_string();
        }
        let skip = o.facts.skip.as_ref();
        let by = skip.and_then(|s| s.probe.as_deref()).unwrap_or("");
        return match skip.and_then(|s| s.cause) {
            Some(c) => format!("{} [{by}]", i18n::class_meaning(c, lang)),
            None => msg(lang, M::NotTested).to_string(),
        };
    }
    match &o.error {
        Some(e) => i18n::class_meaning(e.class, lang).to_string(),
        None => String::new(),
    }
}

/// The probes that count for nothing in the verdict, and why (`informational`,
/// `other_version`, `stale_name`, `unverified`, `no_relay`): the ticket asks nothing about
/// them. A step on the way (DNS, TCP, TLS) counts when a counted endpoint uses its host and port.
pub fn not_counted(
    p: &PlatformPlan,
    d: &Diagnosis,
    outcomes: &[Outcome],
) -> Vec<(usize, &'static str)> {
    let mut out: Vec<(usize, &'static str)> = Vec::new();
    let group_of = |g: &str| -> Vec<usize> {
        p.entries
            .iter()
            .filter(|e| matches!(&e.role, Role::Endpoint { group, .. } if group == g))
            .map(|e| e.probe)
            .collect()
    };
    for f in &d.findings {
        match f {
            Finding::NotApplicable { probe, .. } => out.push((*probe, "other_version")),
            Finding::Stale { probes, .. } => out.extend(probes.iter().map(|i| (*i, "stale_name"))),
            Finding::Unconfirmed { failed, .. } => {
                out.extend(failed.iter().map(|i| (*i, "unverified")))
            }
            Finding::NoRelay { group, .. } => {
                out.extend(group_of(group).into_iter().map(|i| (i, "no_relay")))
            }
            _ => {}
        }
    }
    for e in &p.entries {
        if e.role.facts().is_some_and(|f| f.informational)
            && !out.iter().any(|(i, _)| *i == e.probe)
        {
            out.push((e.probe, "informational"));
        }
    }
    let counted = |e: &crate::plan::Entry| {
        matches!(e.role, Role::Endpoint { .. }) && !out.iter().any(|(i, _)| *i == e.probe)
    };
    // A step on the way counts for the endpoints that ride on it: DNS for every endpoint of
    // its host, a TCP connection or TLS handshake for those on its port over TCP.
    let rides_on = |s: &crate::plan::Entry, e: &crate::plan::Entry| {
        e.host == s.host
            && match outcomes[s.probe].kind {
                ProbeKind::Dns => true,
                _ => {
                    e.port == s.port
                        && outcomes[e.probe].transport != Some(crate::model::Transport::Udp)
                }
            }
    };
    let supports: Vec<(usize, &'static str)> = p
        .entries
        .iter()
        .filter(|e| matches!(e.role, Role::Support))
        .filter(|s| !p.entries.iter().any(|e| counted(e) && rides_on(s, e)))
        .map(|s| (s.probe, "informational"))
        .collect();
    out.extend(supports);
    out
}

/// One platform's report block: verdict, one-sentence summary, reasons, notes, probes.
pub fn platform_report(
    p: &PlatformPlan,
    d: &Diagnosis,
    outcomes: &[Outcome],
    network: Option<&crate::diagnose::network::NetworkFinding>,
    lang: Lang,
) -> PlatformReport {
    let l = lang;
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    let mut summary = None;
    let labels = |probes: &[usize]| {
        probes
            .iter()
            .map(|i| label(p, outcomes, *i, l))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Worst findings first, so the summary names what matters most.
    let mut findings: Vec<&Finding> = d.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity()));
    let mut media_down = false;
    for f in findings {
        let line = match f {
            Finding::Down {
                failed, required, ..
            } => {
                let first = failed[0];
                media_down |= failed
                    .iter()
                    .any(|i| matches!(outcomes[*i].kind, ProbeKind::Turn | ProbeKind::Stun));
                let s = format!(
                    "{} — {}",
                    label(p, outcomes, first, l),
                    why(&outcomes[first], l)
                );
                if *required {
                    s
                } else {
                    format!("{} {s}", msg(l, M::OptionalInParentheses))
                }
            }
            Finding::Fallback { used, failed, .. }
                if outcomes[*used].data_str("path").is_some() =>
            {
                // Media get out only through the proxy's CONNECT.
                let direct = failed
                    .first()
                    .map(|f| format!(" ; {} {}", msg(l, M::Direct), why(&outcomes[*f], l)))
                    .unwrap_or_default();
                format!(
                    "{} {}{direct}. {}",
                    msg(l, M::MediaGetOutOnly),
                    label(p, outcomes, *used, l),
                    msg(l, M::AskForTheseRelays)
                )
            }
            Finding::Fallback { used, failed, .. } => {
                let first = failed
                    .first()
                    .map(|f| {
                        format!(
                            " ; {} — {}",
                            label(p, outcomes, *f, l),
                            why(&outcomes[*f], l)
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "{} {}{first}",
                    msg(l, M::WorksOnlyThroughA),
                    label(p, outcomes, *used, l)
                )
            }
            Finding::Warned { probe } => format!(
                "{} — {}",
                label(p, outcomes, *probe, l),
                why(&outcomes[*probe], l)
            ),
            Finding::NoRelay { host, .. } => {
                let line = words(l).no_relay(host);
                notes.push(line.clone());
                summary.get_or_insert(line);
                continue;
            }
            Finding::Stale { probes, .. } => {
                // One line per name, whatever the number of its endpoints.
                for host in probes
                    .iter()
                    .filter_map(|i| p.entries.iter().find(|e| e.probe == *i).map(|e| &e.host))
                {
                    let line = format!("{host}{}", msg(l, M::NameMissingWhileSiblingsResolve));
                    if !notes.contains(&line) {
                        notes.push(line);
                    }
                }
                continue;
            }
            Finding::Unconfirmed { failed, .. } => {
                notes.push(format!(
                    "{} — {} {}",
                    labels(failed),
                    why(&outcomes[failed[0]], l),
                    msg(l, M::TheServiceDoesNot)
                ));
                continue;
            }
            // In the JSON (`not_counted: other_version`), not worth a teacher's line.
            Finding::NotApplicable { .. } => continue,
        };
        if summary.is_none() {
            summary = Some(line.clone());
        }
        reasons.push(line);
    }
    // Trusted answers that differ from the profile: the service answered, the profile may be
    // stale.
    let not_applicable: Vec<usize> = d
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::NotApplicable { probe, .. } => Some(*probe),
            _ => None,
        })
        .collect();
    for e in &p.entries {
        let o = &outcomes[e.probe];
        if o.works()
            && !not_applicable.contains(&e.probe)
            && let Some(u) = o.data.get("unexpected_answer")
            && matches!(e.role, Role::Endpoint { .. })
        {
            let line = format!(
                "{} — {}",
                label(p, outcomes, e.probe, l),
                i18n::unexpected_answer(u, l)
            );
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
    }
    if media_down {
        let fallback = l.pick(&p.profile.media_fallback_fr, &p.profile.media_fallback);
        if !fallback.is_empty() {
            notes.push(fallback.to_string());
        }
    }
    for i in 0..p.profile.unpublished.len() {
        let u = l.pick_nth(&p.profile.unpublished_fr, &p.profile.unpublished, i);
        notes.push(format!("{} {u}", msg(l, M::NotTestedHeading)));
    }
    // With nothing wrong but the network itself, every platform says only that.
    let summary = match network {
        Some(_) => Some(msg(lang, M::NotTestedNoNetwork).to_string()),
        None => summary,
    };
    let summary = summary.unwrap_or_else(|| {
        if p.profile.unpublished.is_empty() {
            msg(l, M::EverythingTheBrowserUses)
        } else {
            msg(l, M::EverythingThatCouldBe)
        }
        .to_string()
    });
    let uncounted = not_counted(p, d, outcomes);
    let mut probes: Vec<Outcome> = p
        .entries
        .iter()
        .map(|e| {
            let mut o = outcomes[e.probe].clone();
            if let Some((_, why)) = uncounted.iter().find(|(i, _)| *i == e.probe) {
                o.set("not_counted", *why);
            }
            if e.role.facts().is_some_and(|f| f.stand_in) {
                o.set("stand_in", true);
            }
            o
        })
        .collect();
    probes.sort_by_key(|o| o.kind);
    PlatformReport {
        id: p.profile.id.clone(),
        name: p.profile.name.clone(),
        verdict: d.verdict,
        summary,
        reasons,
        notes,
        probes,
    }
}
