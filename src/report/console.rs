//! What the program says on the console outside a report: the double-click kit's questions and
//! notes, the pause before its window closes, and whether a report reached the collecting server.

use crate::lang::Lang;
use crate::report::messages::{M, msg};
use std::fmt::Display;

/// The prompt that keeps a double-clicked console open.
pub fn press_enter(l: Lang) -> &'static str {
    msg(l, M::PressEnterToClose)
}

/// Before the sidecar file's path.
pub fn settings_read_from(l: Lang) -> &'static str {
    msg(l, M::SettingsReadFrom)
}

/// Run from inside a zip: what is lost, and what to do.
pub fn inside_zip(l: Lang) -> &'static str {
    msg(l, M::WarningTheProgramRuns)
}

/// Before the list of the reports the kit wrote.
pub fn reports_saved(l: Lang) -> &'static str {
    msg(l, M::ReportsSaved)
}

/// The kit's question for the meeting.
pub fn ask_link(l: Lang) -> &'static str {
    msg(l, M::MeetingLinkOrBigBlueButton)
}

/// The kit's question for the venue.
pub fn ask_venue(l: Lang) -> &'static str {
    msg(l, M::RoomAndSchoolE)
}

/// `--send` arrived: where, and the name the server stored it under.
pub fn report_sent(url: &str, name: &str, l: Lang) -> String {
    format!(
        "{} {url} ({} {name})",
        msg(l, M::ReportSentTo),
        msg(l, M::StoredAs)
    )
}

/// `--send` failed, the report kept at `path`.
pub fn report_kept(path: impl Display, l: Lang) -> String {
    format!("{} {path}", msg(l, M::TheReportIsSaved))
}

/// `--send` failed and the report could not be kept either.
pub fn report_not_kept(e: impl Display, l: Lang) -> String {
    format!("{} {e}", msg(l, M::AndItCouldNot))
}

/// `--send` failed: where, why, and `kept` (what became of the report).
pub fn report_not_sent(url: &str, why: impl Display, kept: &str, l: Lang) -> String {
    format!(
        "{} {url}{}{why}. {kept}",
        msg(l, M::ReportNOTSentTo),
        msg(l, M::Colon)
    )
}

/// A line of preflight's own to the error stream: `preflight : …` (French spacing) or
/// `preflight: …`.
pub fn said(l: Lang, what: &str) -> String {
    format!("preflight{}{what}", msg(l, M::Colon))
}

/// The same for a command of its own: `preflight serve : …`, `preflight merge: …`.
pub fn said_by(l: Lang, command: &str, what: &str) -> String {
    format!("preflight {command}{}{what}", msg(l, M::Colon))
}
