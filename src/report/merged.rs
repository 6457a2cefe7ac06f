//! The merged table of a test day (`preflight merge`, and the collecting server's live page):
//! the rows `merge` reads from the reports, worded as aligned text, CSV and HTML.

use crate::lang::Lang;
use crate::report::html::{CSS, esc};
use crate::report::messages::{M, msg};
use std::fmt::Write;

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub venue: String,
    pub file: String,
    /// The venue's overall verdict (sorting), and this platform's.
    pub venue_verdict: String,
    pub platform: String,
    pub verdict: String,
    pub upload_kbps: Option<f64>,
    pub quality: String,
    pub firewall: String,
    pub desk: String,
    pub summary: String,
}

/// A file that could not be merged, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub file: String,
    pub why: crate::errors::NotAReport,
}

fn verdict_word(v: &str, l: Lang) -> String {
    match v {
        "ready" => msg(l, M::Ready).into(),
        "degraded" => msg(l, M::Degraded).into(),
        "blocked" => msg(l, M::Blocked).into(),
        "incomplete" => msg(l, M::Incomplete).into(),
        other => other.into(),
    }
}

fn headers(l: Lang) -> [&'static str; 7] {
    [
        msg(l, M::Venue),
        msg(l, M::Platform),
        "Verdict",
        msg(l, M::UploadTitle),
        msg(l, M::QualityLossJitterRTT),
        msg(l, M::Firewall),
        msg(l, M::Desk),
    ]
}

fn cells(r: &Row, l: Lang) -> [String; 7] {
    [
        r.venue.clone(),
        r.platform.clone(),
        verdict_word(&r.verdict, l),
        r.upload_kbps
            .map(|u| format!("{} Mbit/s", l.dec(u / 1000.0, 1)))
            .unwrap_or_default(),
        match r.quality.as_str() {
            "skipped" => msg(l, M::UDPBlocked).to_string(),
            q => q.to_string(),
        },
        r.firewall.clone(),
        r.desk.clone(),
    ]
}

/// The table as aligned text.
pub fn text(rows: &[Row], skipped: &[Skipped], l: Lang) -> String {
    let head = headers(l).map(str::to_string);
    // For a terminal: inert again, whoever built the rows.
    let body: Vec<[String; 7]> = rows
        .iter()
        .map(|r| cells(r, l).map(|c| crate::inert::line(&c)))
        .collect();
    let mut width = [0usize; 7];
    for line in std::iter::once(&head).chain(body.iter()) {
        for (i, c) in line.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut s = String::new();
    for line in std::iter::once(&head).chain(body.iter()) {
        let mut out = String::new();
        for (i, c) in line.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            out.push_str(c);
            if i + 1 < line.len() {
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        let _ = writeln!(s, "{}", out.trim_end());
    }
    let venues: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.venue.as_str()).collect();
    let blocked: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.venue_verdict == "blocked")
        .map(|r| r.venue.as_str())
        .collect();
    let _ = writeln!(
        s,
        "\n{} {} — {} {}",
        venues.len(),
        msg(l, M::VenueS),
        blocked.len(),
        msg(l, M::BlockedCountRooms)
    );
    for k in skipped {
        let _ = writeln!(
            s,
            "{} {}{}{}",
            msg(l, M::SkippedFileHeading),
            crate::inert::line(&k.file),
            msg(l, M::Colon),
            crate::inert::line(&super::errors::not_a_report(&k.why, l))
        );
    }
    s
}

/// One CSV field: formulas neutralised, RFC 4180 quoting.
fn csv_field(s: &str, sep: char) -> String {
    crate::inert::csv_cell(s, sep)
}

/// The CSV separator: a semicolon, what Excel expects with French regional settings (the
/// organisers' machines); UTF-8 with a BOM so that Excel reads the accents.
pub const CSV_SEP: char = ';';

pub fn csv(rows: &[Row], l: Lang) -> String {
    let mut s = String::from("\u{feff}");
    let mut head: Vec<String> = headers(l).iter().map(|h| csv_field(h, CSV_SEP)).collect();
    head.push(csv_field(msg(l, M::Summary), CSV_SEP));
    head.push(csv_field(msg(l, M::File), CSV_SEP));
    let _ = write!(s, "{}\r\n", head.join(&CSV_SEP.to_string()));
    for r in rows {
        let mut c: Vec<String> = cells(r, l).iter().map(|c| csv_field(c, CSV_SEP)).collect();
        // Machine-friendly upload: kbit/s as a number.
        c[3] = r.upload_kbps.map(|u| format!("{u:.0}")).unwrap_or_default();
        c.push(csv_field(&r.summary, CSV_SEP));
        c.push(csv_field(&r.file, CSV_SEP));
        let _ = write!(s, "{}\r\n", c.join(&CSV_SEP.to_string()));
    }
    s
}

pub fn html(rows: &[Row], skipped: &[Skipped], l: Lang) -> String {
    html_page(rows, skipped, l, "", "")
}

/// The table's page, with `head` added to its head and `intro` (HTML) above the table: the
/// collecting server's live page is this page.
pub fn html_page(rows: &[Row], skipped: &[Skipped], l: Lang, head: &str, intro: &str) -> String {
    let mut s = String::new();
    let title = msg(l, M::TestDayVenuesSummary);
    let _ = write!(
        s,
        "<!DOCTYPE html><html lang={}><head><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\">{head}<title>{title}</title><style>{CSS}</style></head><body><main><h1>{title}</h1>{intro}<table><thead><tr>",
        l.code()
    );
    for h in headers(l) {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        let c = cells(r, l);
        let class = match r.verdict.as_str() {
            "ready" => "s-ok",
            "degraded" => "s-warn",
            "blocked" => "s-fail",
            _ => "",
        };
        let _ = write!(
            s,
            "<tr title=\"{}\"><td>{}</td><td>{}</td><td class={class}>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.summary),
            esc(&c[0]),
            esc(&c[1]),
            esc(&c[2]),
            esc(&c[3]),
            esc(&c[4]),
            esc(&c[5]),
            esc(&c[6])
        );
    }
    s.push_str("</tbody></table>");
    for k in skipped {
        let _ = write!(
            s,
            "<p class=small>{} {}{}{}</p>",
            msg(l, M::SkippedFileHeading),
            esc(&k.file),
            msg(l, M::Colon),
            esc(&super::errors::not_a_report(&k.why, l))
        );
    }
    s.push_str("</main></body></html>\n");
    s
}

/// The live page's line above the table: how many reports arrived, how many venues are blocked,
/// when the page was drawn (`at`), and that it reloads itself.
pub fn live_intro(reports: usize, blocked: usize, at: &str, lang: Lang) -> String {
    if reports == 0 {
        format!(
            "<p id=live>{} — {at}</p>",
            msg(lang, M::NoReportReceivedYet)
        )
    } else {
        format!(
            "<p id=live>{reports} {} — {blocked} {} — {} {at} ({})</p>",
            msg(lang, M::ReportSReceived),
            msg(lang, M::BlockedRooms),
            msg(lang, M::UpdatedAt),
            msg(lang, M::ThisPageUpdatesItself),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_field("a;b", ';'), "\"a;b\"");
        assert_eq!(csv_field("say \"hi\"", ';'), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain", ';'), "plain");
    }
}
