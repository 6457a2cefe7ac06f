//! The names of report files: the double-click kit and the collecting server name what they
//! save the same way.

/// A name part safe on every file system: French accents folded, anything else but letters
/// and digits turned into `-`, at most 40 characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let folded = match c {
            'à' | 'â' | 'ä' | 'á' => "a",
            'À' | 'Â' | 'Ä' | 'Á' => "A",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'É' | 'È' | 'Ê' | 'Ë' => "E",
            'î' | 'ï' | 'í' => "i",
            'Î' | 'Ï' | 'Í' => "I",
            'ô' | 'ö' | 'ó' => "o",
            'Ô' | 'Ö' | 'Ó' => "O",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'Ù' | 'Û' | 'Ü' | 'Ú' => "U",
            'ç' => "c",
            'Ç' => "C",
            'œ' => "oe",
            'Œ' => "OE",
            'æ' => "ae",
            'Æ' => "AE",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if folded == "-" && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push_str(folded);
    }
    let mut s: String = out.chars().take(40).collect();
    while s.ends_with('-') {
        s.pop();
    }
    s
}

/// `preflight_2026-05-14_14h03m27s_CDI-college-Jean-Moulin`: date, time to the second, venue
/// (or UAI) when known.
pub fn report_stem(at: time::OffsetDateTime, venue: Option<&str>, uai: Option<&str>) -> String {
    let stamp = at
        .format(time::macros::format_description!(
            "[year]-[month]-[day]_[hour]h[minute]m[second]s"
        ))
        .unwrap_or_else(|_| "report".into());
    let place = venue.or(uai).map(slug).filter(|s| !s.is_empty());
    match place {
        Some(p) => format!("preflight_{stamp}_{p}"),
        None => format!("preflight_{stamp}"),
    }
}

/// Local time, or UTC where the offset cannot be known.
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc())
}
