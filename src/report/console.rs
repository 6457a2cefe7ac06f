//! What the program says on the console outside a report: the double-click kit's questions and
//! notes, the pause before its window closes, and whether a report reached the collecting server.

use crate::lang::Lang;
use std::fmt::Display;

/// The prompt that keeps a double-clicked console open.
pub fn press_enter(l: Lang) -> &'static str {
    l.t("Appuyez sur Entrée pour fermer. ", "Press Enter to close. ")
}

/// Before the sidecar file's path.
pub fn settings_read_from(l: Lang) -> &'static str {
    l.t("Réglages lus dans", "Settings read from")
}

/// Run from inside a zip: what is lost, and what to do.
pub fn inside_zip(l: Lang) -> &'static str {
    l.t(
        "Attention : le programme est lancé depuis l'intérieur d'un fichier zip. Faites « Extraire tout » puis lancez-le depuis le dossier extrait, sinon ses réglages et ses rapports sont perdus.",
        "Warning: the program runs from inside a zip file. Use \"Extract all\" and start it from the extracted folder, or its settings and reports are lost.",
    )
}

/// Before the list of the reports the kit wrote.
pub fn reports_saved(l: Lang) -> &'static str {
    l.t("Rapports enregistrés :", "Reports saved:")
}

/// The kit's question for the meeting.
pub fn ask_link(l: Lang) -> &'static str {
    l.t(
        "Lien de la réunion ou nom du serveur BigBlueButton (Entrée pour passer) :",
        "Meeting link or BigBlueButton server name (Enter to skip):",
    )
}

/// The kit's question for the venue.
pub fn ask_venue(l: Lang) -> &'static str {
    l.t(
        "Salle et établissement (par ex. « CDI, collège Jean Moulin ») :",
        "Room and school (e.g. \"Library, Jean Moulin school\"):",
    )
}

/// `--send` arrived: where, and the name the server stored it under.
pub fn report_sent(url: &str, name: &str, l: Lang) -> String {
    format!(
        "{} {url} ({} {name})",
        l.t("Rapport envoyé à", "Report sent to"),
        l.t("enregistré sous", "stored as")
    )
}

/// `--send` failed, the report kept at `path`.
pub fn report_kept(path: impl Display, l: Lang) -> String {
    format!(
        "{} {path}",
        l.t(
            "Le rapport est enregistré ici, envoyez-le à l'organisateur :",
            "The report is saved here, send it to the organiser:"
        )
    )
}

/// `--send` failed and the report could not be kept either.
pub fn report_not_kept(e: impl Display, l: Lang) -> String {
    format!(
        "{} {e}",
        l.t(
            "Et il n'a pas pu être enregistré :",
            "And it could not be saved:"
        )
    )
}

/// `--send` failed: where, why, and `kept` (what became of the report).
pub fn report_not_sent(url: &str, why: impl Display, kept: &str, l: Lang) -> String {
    format!(
        "{} {url}{}{why}. {kept}",
        l.t("Rapport NON envoyé à", "Report NOT sent to"),
        l.t(" : ", ": ")
    )
}
