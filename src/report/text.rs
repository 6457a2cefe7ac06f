//! The human report: one line per platform first, then what failed and what it means, the
//! likely firewall, whom to contact and the ticket. Readable by a teacher; precise enough for
//! a network engineer.

use super::{Lang, i18n};
use crate::model::{Report, Status, Verdict};
use crate::report::messages::{M, msg, words};
use std::fmt::Write;

/// Colours only when asked (a terminal, and `NO_COLOR` unset).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, v: Verdict, s: &str) -> String {
        if !self.color {
            return s.to_string();
        }
        let code = match v {
            Verdict::Ready => "32",
            Verdict::Degraded => "33",
            Verdict::Blocked => "31",
            Verdict::Incomplete => "35",
        };
        format!("\x1b[1;{code}m{s}\x1b[0m")
    }
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "[OK]",
        Verdict::Degraded => "[!!]",
        Verdict::Blocked => "[XX]",
        Verdict::Incomplete => "[..]",
    }
}

pub fn render(r: &Report, lang: Lang, style: Style) -> String {
    render_with_code(r, lang, style, r.exit_code())
}

/// The report, stating `code` as the exit code (3 when an output could not be written).
/// Every string is made inert again first: this text goes to a terminal.
pub fn render_with_code(r: &Report, lang: Lang, style: Style, code: i32) -> String {
    let r = &r.inert();
    let mut s = String::new();
    let l = lang;
    let mut venue: Vec<String> = Vec::new();
    if let Some(v) = &r.venue.label {
        venue.push(v.clone());
    }
    if let Some(k) = &r.venue.kind {
        venue.push(i18n::kind(k, l).to_string());
    }
    if let Some(u) = &r.venue.uai {
        venue.push(format!("UAI {u}"));
    } else if let Some(d) = &r.venue.department {
        venue.push(format!("{} {d}", msg(l, M::Department)));
    }
    let _ = writeln!(
        s,
        "preflight {} — {}{}",
        r.tool.version,
        i18n::local_time(&r.started_at, l),
        if venue.is_empty() {
            String::new()
        } else {
            format!(" — {}", venue.join(", "))
        }
    );
    let _ = writeln!(s);
    // First what a teacher needs: the verdict and what to do, in one screen.
    let _ = writeln!(
        s,
        "{} {} {}",
        style.paint(r.verdict, mark(r.verdict)),
        msg(l, M::Verdict),
        style.paint(r.verdict, &i18n::verdict(r.verdict, l).to_uppercase()),
    );
    let _ = writeln!(s, "     {}", i18n::action(r, l));
    let _ = writeln!(s);
    for p in &r.platforms {
        if r.network.finding.is_some() {
            // One line each: the network is the matter.
            let _ = writeln!(
                s,
                "{} {}{}{}",
                style.paint(p.verdict, mark(p.verdict)),
                p.name,
                msg(l, M::Colon),
                p.summary
            );
            continue;
        }
        let _ = writeln!(
            s,
            "{} {}{}{}",
            style.paint(p.verdict, mark(p.verdict)),
            p.name,
            msg(l, M::Colon),
            style.paint(p.verdict, i18n::verdict(p.verdict, l))
        );
        let _ = writeln!(s, "     {}", p.summary);
    }
    if let Some(sup) = &r.support {
        let _ = writeln!(s);
        let contact = sup
            .contact
            .as_deref()
            .map(|c| format!(" — {c}"))
            .unwrap_or_default();
        let _ = writeln!(s, "{} {}{contact}", msg(l, M::Contact), sup.desk);
    }
    for n in &r.notes {
        let _ = writeln!(s, "[--] {n}");
    }

    // The details, for whoever fixes it. A network-level finding has none worth a line per
    // platform.
    let troubled: Vec<_> = r
        .platforms
        .iter()
        .filter(|p| p.verdict != Verdict::Ready && r.network.finding.is_none())
        .collect();
    if !troubled.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "{}", msg(l, M::WhatDoesNotGet));
        for p in troubled {
            let _ = writeln!(s, "  {}", p.name);
            for reason in &p.reasons {
                let _ = writeln!(s, "    - {reason}");
            }
            for o in p
                .probes
                .iter()
                .filter(|o| o.status == Status::Fail && !o.data.contains_key("not_counted"))
            {
                let transport = o
                    .transport
                    .map(|t| format!("/{}", t.as_str()))
                    .unwrap_or_default();
                let why = match &o.error {
                    Some(e) if words(l).shows_engineer_detail() => {
                        format!("{} ({})", e.class.as_str(), e.message)
                    }
                    Some(e) => i18n::class_meaning(e.class, l).to_string(),
                    None => String::new(),
                };
                let _ = writeln!(
                    s,
                    "      {} {}{}{}{why}",
                    i18n::step(o.kind, l),
                    o.target,
                    transport,
                    msg(l, M::Colon)
                );
            }
            let stopped = p
                .probes
                .iter()
                .filter(|o| o.status == Status::Skipped && super::interrupted(o))
                .count();
            if stopped > 0 {
                let _ = writeln!(s, "      {stopped} {}", msg(l, M::TestsNotRunInterrupted));
            }
            let skipped = p
                .probes
                .iter()
                .filter(|o| {
                    o.status == Status::Skipped
                        && !o.data.contains_key("not_counted")
                        && !super::interrupted(o)
                })
                .count();
            if skipped > 0 {
                let _ = writeln!(
                    s,
                    "      {} {skipped} {}",
                    msg(l, M::And),
                    msg(l, M::TestsNotRunStepFailed)
                );
            }
        }
    }

    if let Some(b) = &r.bandwidth {
        let _ = writeln!(s);
        if let Some(up) = b.upload_kbps {
            let _ = write!(
                s,
                "{} {} Mbit/s",
                msg(l, M::UploadHeading),
                l.dec(up / 1000.0, 1)
            );
            if let Some(n) = b.needed_kbps {
                let _ = write!(
                    s,
                    " ({} {} Mbit/s)",
                    msg(l, M::Needed),
                    l.dec(n / 1000.0, 1)
                );
            }
            if let Some(f) = &b.fits {
                let _ = write!(s, " — {f}");
            }
            let _ = writeln!(s);
            let idle = b.extra.get("idle_rtt_ms").and_then(|v| v.as_f64());
            if let (Some(i), Some(lo)) = (idle, b.loaded_rtt_ms) {
                let (i, lo) = (ms(i, l), ms(lo, l));
                let _ = writeln!(
                    s,
                    "  {} {i} ms, {} {lo} ms",
                    msg(l, M::LatencyIdle),
                    msg(l, M::WhileUploading)
                );
            }
            let method = b.extra.get("method").and_then(|v| v.as_str()).unwrap_or("");
            let _ = writeln!(
                s,
                "  {} {} ({method})",
                msg(l, M::MeasuredTo),
                b.peer.as_deref().unwrap_or("?")
            );
            if let Some(p) = b.extra.get("via_proxy").and_then(|v| v.as_str()) {
                let _ = writeln!(
                    s,
                    "  {} {p} {}",
                    msg(l, M::ThroughTheProxy),
                    msg(l, M::ThisFigureMeasuresThe)
                );
            }
        }
        if let Some(line) = super::media_udp(b, l) {
            let _ = writeln!(s, "{line}");
        }
        // Path quality, per platform where it was measured.
        for p in &r.platforms {
            let Some((q, figures)) = super::quality_of(p) else {
                continue;
            };
            let line = match figures {
                Some([lo, j, m, p95]) => {
                    let (lo, j, m, p95) = (l.dec(lo, 1), l.dec(j, 1), ms(m, l), ms(p95, l));
                    words(l).quality_figures_p95(&lo, &j, &m, &p95)
                }
                _ if q.status == Status::Skipped => msg(l, M::NotMeasuredUDPDoes).to_string(),
                _ => super::why(q, l),
            };
            let _ = writeln!(
                s,
                "{} {}{}{line}",
                msg(l, M::UdpPathQualityLead),
                p.name,
                msg(l, M::Colon)
            );
        }
    }

    let noted: Vec<_> = r
        .platforms
        .iter()
        .filter(|p| !p.notes.is_empty() && r.network.finding.is_none())
        .collect();
    if !noted.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "{}", msg(l, M::GoodToKnow));
        for p in noted {
            let _ = writeln!(s, "  {}", p.name);
            // The summary already said its own line.
            for n in p.notes.iter().filter(|n| **n != p.summary) {
                let _ = writeln!(s, "    - {n}");
            }
        }
    }

    if r.firewall.family != "none"
        && r.network.finding.is_none()
        && (r.firewall.family != "unknown" || !r.firewall.evidence.is_empty())
    {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{} {} ({} {:.0} %)",
            msg(l, M::LikelyFirewall),
            i18n::firewall(&r.firewall, l),
            msg(l, M::Confidence),
            r.firewall.confidence * 100.0
        );
        for e in &r.firewall.evidence {
            let _ = writeln!(s, "  - {e}");
        }
    }
    if let Some(sup) = &r.support {
        let _ = writeln!(s);
        let _ = writeln!(s, "{} {}", msg(l, M::WhyThisDesk), sup.desk);
        let _ = writeln!(s, "  {}", sup.why);
        if let Some(t) = &sup.ticket {
            let _ = writeln!(s);
            let _ = writeln!(s, "{}", msg(l, M::TicketTextReadyTo));
            for line in t.lines() {
                let _ = writeln!(s, "  | {line}");
            }
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{} {} ({} {}, {} s){}",
        msg(l, M::Verdict),
        style.paint(r.verdict, i18n::verdict(r.verdict, l)),
        msg(l, M::ExitCode),
        code,
        l.dec(r.duration_ms as f64 / 1000.0, 1),
        if r.partial {
            msg(l, M::InterruptedPartialReport)
        } else if code != r.exit_code() {
            msg(l, M::AReportCouldNot)
        } else {
            ""
        }
    );
    s
}

/// Milliseconds as people read them: a decimal below 10 ms, none above.
pub fn ms(v: f64, l: Lang) -> String {
    l.dec(v, if v < 10.0 { 1 } else { 0 })
}
