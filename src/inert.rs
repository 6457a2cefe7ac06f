//! Strings that came from the network, a file or an option are inert once recorded: no
//! control character (C0, DEL, C1 — ESC among them — nor the bidirectional overrides that hide
//! or reorder text on a screen) and no secret in a URL (userinfo, and query values whose name
//! says token, key, password...). One function, [`line`] (and [`text`], the same line by line),
//! applied where such strings are recorded (probe data, venue label, merged reports) and again
//! when a report is rendered to a terminal. Spreadsheet formulas are neutralised where CSV is
//! written ([`csv_cell`]); HTML is escaped where HTML is written.

use serde_json::Value;
use std::borrow::Cow;

/// A control character, or an invisible character that reorders what a terminal shows.
fn hostile(c: char) -> bool {
    c.is_control() // C0, DEL and C1 (U+0080..U+009F, among them CSI)
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// One line, inert: control characters removed (tabs and line breaks become a space) and
/// secrets in URLs masked.
pub fn line(s: &str) -> String {
    let stripped: Cow<str> = if s.chars().any(hostile) {
        Cow::Owned(
            s.chars()
                .filter_map(|c| match c {
                    '\t' | '\n' | '\r' => Some(' '),
                    c if hostile(c) => None,
                    c => Some(c),
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    };
    if stripped.contains("://") {
        urls(&stripped)
    } else {
        stripped.into_owned()
    }
}

/// Several lines (a ticket, a message we composed): each line made inert, line breaks kept.
pub fn text(s: &str) -> String {
    if !s.contains('\n') {
        return line(s);
    }
    s.split('\n').map(line).collect::<Vec<_>>().join("\n")
}

/// Query parameters whose value is a secret (matched in the lower-cased name).
const SECRET_NAMES: &[&str] = &[
    "token", "secret", "pass", "pwd", "auth", "key", "sig", "session", "jwt", "cred", "checksum",
];

/// What replaces a secret.
pub const MASK: &str = "***";

/// A URL without its secrets: userinfo removed, secret query values masked.
pub fn url(u: &str) -> String {
    let Some(scheme_end) = u.find("://") else {
        return u.to_string();
    };
    let rest = &u[scheme_end + 3..];
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let host = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    let mut out = format!("{}://{host}", &u[..scheme_end]);
    let (path_query, fragment) = match tail.find('#') {
        Some(i) => tail.split_at(i),
        None => (tail, ""),
    };
    match path_query.split_once('?') {
        None => out.push_str(path_query),
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let params: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, v)) if !v.is_empty() && secret_name(k) => format!("{k}={MASK}"),
                    _ => p.to_string(),
                })
                .collect();
            out.push_str(&params.join("&"));
        }
    }
    out.push_str(fragment);
    out
}

fn secret_name(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k == "sid" || k == "code" || SECRET_NAMES.iter().any(|n| k.contains(n))
}

/// Every URL inside `s` (`scheme://…` up to a space or a quote) without its secrets.
fn urls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        // The scheme before `://`.
        let start = rest[..i]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .last()
            .map(|(j, _)| j)
            .unwrap_or(i);
        let end = rest[i + 3..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .map(|e| e + i + 3)
            .unwrap_or(rest.len());
        // Punctuation after a URL belongs to the sentence.
        let end = rest[..end]
            .trim_end_matches([')', ']', '}', ',', '.', ';', ':', '!'])
            .len()
            .max(i + 3);
        out.push_str(&rest[..start]);
        out.push_str(&url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Every string inside a JSON value, each made one inert [`line`] (what a probe records).
pub fn value(v: &mut Value) {
    walk(v, line);
}

/// Every string inside a JSON value made inert with `f`, left alone when nothing needs it.
pub fn walk(v: &mut Value, f: fn(&str) -> String) {
    match v {
        Value::String(s) if s.chars().any(hostile) || s.contains("://") => *s = f(s),
        Value::Array(a) => a.iter_mut().for_each(|v| walk(v, f)),
        Value::Object(o) => o.values_mut().for_each(|v| walk(v, f)),
        _ => {}
    }
}

/// Escape text for HTML content and attribute values.
pub fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// One CSV cell as OWASP's CSV-injection guidance says: a cell that a spreadsheet would read
/// as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading
/// apostrophe, so it is shown as text; then RFC 4180 quoting when the cell holds the
/// separator, a quote or a line break.
pub fn csv_cell(s: &str, sep: char) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    };
    if s.contains([sep, '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_stripped() {
        assert_eq!(
            line("\x1b[2J\x1b[1;32m[OK] ALL READY"),
            "[2J[1;32m[OK] ALL READY"
        );
        assert_eq!(line("a\u{9b}31mb"), "a31mb");
        assert_eq!(line("tab\there\r\nnext"), "tab here  next");
        assert_eq!(line("abc\u{202e}fdp.exe"), "abcfdp.exe");
        assert_eq!(
            line("Accès interdit — « filtre »"),
            "Accès interdit — « filtre »"
        );
        assert_eq!(text("one\x1b]0;title\x07\ntwo"), "one]0;title\ntwo");
        assert!(!line("\0\x07\x08\x7f").chars().any(|c| c.is_control()));
    }

    #[test]
    fn url_secrets_are_masked_and_the_rest_kept() {
        assert_eq!(
            url("ws://user:password@host:8080/ndt/v7/upload"),
            "ws://host:8080/ndt/v7/upload"
        );
        assert_eq!(
            url("wss://ndt.example/ndt/v7/upload?access_token=eyJhbGc&metadata=x#f"),
            "wss://ndt.example/ndt/v7/upload?access_token=***&metadata=x#f"
        );
        assert_eq!(
            url("http://filter:9123/block?url=x&category=games"),
            "http://filter:9123/block?url=x&category=games"
        );
        assert_eq!(
            url("turn:h.example:3478?transport=udp"),
            "turn:h.example:3478?transport=udp"
        );
        assert_eq!(
            line("--bandwidth-url ws://u:p@h/x?Key=1: refused"),
            "--bandwidth-url ws://h/x?Key=***: refused"
        );
        assert_eq!(
            line("see (https://a:b@c/d?sig=9) and http://e/"),
            "see (https://c/d?sig=***) and http://e/"
        );
        // An `@` in the path is not userinfo.
        assert_eq!(url("https://h/u@x"), "https://h/u@x");
    }

    #[test]
    fn json_values_are_walked() {
        let mut v =
            serde_json::json!({"a": ["x\x1by", {"b": "ws://u:p@h/"}], "n": 1, "t": "l1\nl2"});
        value(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": ["xy", {"b": "ws://h/"}], "n": 1, "t": "l1 l2"})
        );
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")", ';'),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_cell("+SUM(A1:A2)", ';'), "'+SUM(A1:A2)");
        assert_eq!(csv_cell("-2+3", ';'), "'-2+3");
        assert_eq!(csv_cell("@cmd", ';'), "'@cmd");
        assert_eq!(csv_cell("\tx", ';'), "'\tx");
        assert_eq!(csv_cell("a;b", ';'), "\"a;b\"");
        assert_eq!(csv_cell("CDI", ';'), "CDI");
        assert_eq!(csv_cell("say \"hi\"", ';'), "\"say \"\"hi\"\"\"");
    }
}
