//! `preflight merge`: a test day's reports, one table venue × platform, blocked venues first.
//! Reports are read as loose JSON so that other versions of the tool load where the schema
//! allows; a file that is not a report is named with the reason and the others still merge.

use crate::errors::{DecodeError, NotAReport};
use crate::lang::Lang;
pub use crate::report::merged::{CSV_SEP, Row, Skipped, csv, html, html_page, text};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn rank(v: &str) -> u8 {
    match v {
        "blocked" => 0,
        "degraded" => 1,
        "ready" => 2,
        _ => 3,
    }
}

/// The rows of one report, or why it is not one.
pub fn rows_of(file: &str, text: &str) -> Result<Vec<Row>, NotAReport> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| NotAReport::NotJson(crate::inert::line(&e.to_string())))?;
    let schema = v
        .get("schema")
        .and_then(Value::as_str)
        .ok_or(NotAReport::NoSchema)?;
    if !schema.starts_with("preflight-report/") {
        return Err(NotAReport::OtherSchema(crate::inert::line(schema)));
    }
    let platforms = v
        .get("platforms")
        .and_then(Value::as_array)
        .ok_or(NotAReport::MissingField("platforms"))?;
    let venue_verdict = v
        .get("verdict")
        .and_then(Value::as_str)
        .ok_or(NotAReport::MissingField("verdict"))?
        .to_string();
    let s = |p: &[&str]| -> Option<String> {
        let mut cur = &v;
        for k in p {
            cur = cur.get(k)?;
        }
        cur.as_str().map(str::to_string)
    };
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string());
    let venue = s(&["venue", "label"])
        .or_else(|| s(&["venue", "uai"]).map(|u| format!("UAI {u}")))
        .or_else(|| {
            let d = s(&["venue", "department"])?;
            Some(match s(&["venue", "kind"]) {
                Some(k) => format!("{k} {d}"),
                None => d,
            })
        })
        .unwrap_or(stem);
    let upload = v
        .get("bandwidth")
        .and_then(|b| b.get("upload_kbps"))
        .and_then(Value::as_f64);
    let firewall = s(&["firewall", "family"]).unwrap_or_else(|| "?".into());
    let desk = s(&["support", "desk"]).unwrap_or_default();
    let mut rows = Vec::new();
    for p in platforms {
        let get = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        let id = get("id").ok_or(NotAReport::PlatformWithoutId)?;
        let quality = p
            .get("probes")
            .and_then(Value::as_array)
            .and_then(|ps| {
                ps.iter()
                    .find(|o| o.get("kind") == Some(&"udp_quality".into()))
            })
            .map(|o| {
                let d = &o["data"];
                match (
                    d["loss_pct"].as_f64(),
                    d["jitter_ms"].as_f64(),
                    d["rtt_median_ms"].as_f64(),
                ) {
                    (Some(l), Some(j), Some(r)) => format!("{l:.1} % / {j:.0} ms / {r:.0} ms"),
                    _ => o["status"].as_str().unwrap_or("").to_string(),
                }
            })
            .unwrap_or_default();
        // Every string came from a file: inert before it is kept.
        let l = crate::inert::line;
        rows.push(Row {
            venue: l(&venue),
            file: l(file),
            venue_verdict: l(&venue_verdict),
            platform: l(&get("name").unwrap_or(id)),
            verdict: l(&get("verdict").unwrap_or_else(|| "?".into())),
            upload_kbps: upload,
            quality: l(&quality),
            firewall: l(&firewall),
            desk: l(&desk),
            summary: l(&get("summary").unwrap_or_default()),
        });
    }
    Ok(rows)
}

/// A report is small (tens of KiB); a larger file is not one, and is not read.
pub const MAX_REPORT: u64 = 16 * 1024 * 1024;

/// A report file's text: UTF-8 (with or without a BOM) or UTF-16 with a BOM, which is what
/// PowerShell's `>` writes.
pub fn decode_text(bytes: &[u8]) -> Result<String, DecodeError> {
    let utf16 = |be: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| match (c, be) {
                ([a, b], true) => u16::from_be_bytes([*a, *b]),
                ([a, b], false) => u16::from_le_bytes([*a, *b]),
                _ => 0xfffd,
            })
            .collect();
        String::from_utf16(&units).map_err(|_| DecodeError::NotUtf16)
    };
    match bytes {
        [0xff, 0xfe, ..] => utf16(false),
        [0xfe, 0xff, ..] => utf16(true),
        _ => std::str::from_utf8(bytes)
            .map(|t| t.trim_start_matches('\u{feff}').to_string())
            .map_err(|_| DecodeError::NotText),
    }
}

/// The rows of a report file's bytes, or why it is not one.
pub fn rows_of_bytes(file: &str, bytes: &[u8]) -> Result<Vec<Row>, NotAReport> {
    let text = decode_text(bytes).map_err(NotAReport::Decode)?;
    rows_of(file, &text)
}

/// A report file's bytes, read only if it is a regular file of at most [`MAX_REPORT`]: a FIFO,
/// a device or a folder would block or never end, and a huge file would fill the memory.
fn read_report(p: &Path) -> Result<Vec<u8>, NotAReport> {
    use std::io::Read;
    let not_regular = |m: &std::fs::Metadata| {
        Err(if m.is_dir() {
            NotAReport::Folder
        } else {
            NotAReport::NotRegular
        })
    };
    let too_large = |n: u64| {
        Err(NotAReport::TooLarge {
            mib: n / (1024 * 1024),
            max_mib: MAX_REPORT / (1024 * 1024),
        })
    };
    let unreadable = |e: std::io::Error| NotAReport::Unreadable(crate::inert::line(&e.to_string()));
    let meta = std::fs::metadata(p).map_err(unreadable)?;
    if !meta.is_file() {
        return not_regular(&meta);
    }
    if meta.len() > MAX_REPORT {
        return too_large(meta.len());
    }
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        // Replaced by a FIFO between the check and the open: do not wait for a writer.
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NONBLOCK);
    }
    let f = open.open(p).map_err(unreadable)?;
    let meta = f.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return not_regular(&meta);
    }
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_REPORT) as usize);
    f.take(MAX_REPORT + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_REPORT {
        return too_large(bytes.len() as u64);
    }
    Ok(bytes)
}

/// The files to merge: each file as given, and the `.json` files of each folder (by name).
/// A folder without any is named with the reason.
pub fn inputs(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Skipped>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        if !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = match std::fs::read_dir(p) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && f.extension()
                            .is_some_and(|x| x.eq_ignore_ascii_case("json"))
                })
                .collect(),
            Err(e) => {
                skipped.push(Skipped {
                    file: p.display().to_string(),
                    why: NotAReport::FolderUnreadable(crate::inert::line(&e.to_string())),
                });
                continue;
            }
        };
        if found.is_empty() {
            skipped.push(Skipped {
                file: p.display().to_string(),
                why: NotAReport::NoJsonInFolder,
            });
        }
        found.sort();
        files.extend(found);
    }
    (files, skipped)
}

/// Read every file (the same file named twice counts once); sort blocked venues first, then
/// degraded, then ready.
pub fn load(paths: &[PathBuf]) -> (Vec<Row>, Vec<Skipped>) {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let file = crate::inert::line(&p.display().to_string());
        if let Ok(real) = std::fs::canonicalize(p)
            && !seen.insert(real)
        {
            skipped.push(Skipped {
                file,
                why: NotAReport::GivenTwice,
            });
            continue;
        }
        match read_report(p).and_then(|b| rows_of_bytes(&file, &b)) {
            Ok(r) => rows.extend(r),
            Err(why) => skipped.push(Skipped { file, why }),
        }
    }
    rows.sort_by(|a, b| {
        (
            rank(&a.venue_verdict),
            &a.venue,
            rank(&a.verdict),
            &a.platform,
        )
            .cmp(&(
                rank(&b.venue_verdict),
                &b.venue,
                rank(&b.verdict),
                &b.platform,
            ))
    });
    (rows, skipped)
}

/// `preflight merge`: the text table and the exit code (3 when no file was a report).
pub fn run_merge(
    paths: &[PathBuf],
    html_out: Option<&Path>,
    csv_out: Option<&Path>,
    l: Lang,
) -> anyhow::Result<(String, i32)> {
    let (files, mut skipped) = inputs(paths);
    let (rows, unread) = load(&files);
    skipped.extend(unread);
    let out = text(&rows, &skipped, l);
    if rows.is_empty() {
        return Ok((out, 3));
    }
    // Each output is attempted, and written whole or not at all.
    let mut failed = Vec::new();
    if let Some(p) = html_out
        && let Err(e) = crate::report::write_atomic(p, html(&rows, &skipped, l).as_bytes())
    {
        failed.push(format!("--html {}: {e}", p.display()));
    }
    if let Some(p) = csv_out
        && let Err(e) = crate::report::write_atomic(p, csv(&rows, l).as_bytes())
    {
        failed.push(format!("--csv {}: {e}", p.display()));
    }
    if !failed.is_empty() {
        anyhow::bail!("{}", crate::inert::line(&failed.join("; ")));
    }
    Ok((out, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"schema":"preflight-report/1","verdict":"blocked","venue":{"label":"=HYPERLINK(\"http://x\")\u001b[2J"},"platforms":[{"id":"bbb","name":"BigBlueButton","verdict":"blocked","summary":"+SUM(A1)"}]}"#;

    #[test]
    fn hostile_strings_are_inert_in_text_and_neutralised_in_csv() {
        let rows = rows_of("x.json", REPORT).unwrap();
        assert_eq!(rows[0].venue, "=HYPERLINK(\"http://x\")[2J");
        let t = text(&rows, &[], Lang::En);
        assert!(!t.contains('\x1b'), "{t}");
        let c = csv(&rows, Lang::En);
        for cell in c.split(['\r', '\n', ';']).filter(|c| !c.is_empty()) {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t']),
                "{cell} in {c}"
            );
        }
        assert!(c.contains("'=HYPERLINK") && c.contains("'+SUM(A1)"), "{c}");
    }

    #[test]
    fn utf16_with_bom_and_utf8_with_bom_load() {
        let le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(REPORT.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain(REPORT.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let bom8 = format!("\u{feff}{REPORT}");
        for bytes in [le, be, bom8.into_bytes()] {
            assert_eq!(rows_of_bytes("x.json", &bytes).unwrap().len(), 1);
        }
        assert_eq!(
            decode_text(&[0xff, 0xfe, 0x00, 0xd8]),
            Err(DecodeError::NotUtf16)
        );
        assert_eq!(decode_text(b"\xc3("), Err(DecodeError::NotText));
        assert_eq!(
            rows_of_bytes("x.json", b"\xc3(").unwrap_err(),
            NotAReport::Decode(DecodeError::NotText)
        );
    }

    #[test]
    fn odd_inputs_are_skipped_with_their_reason_and_good_ones_merged() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        std::fs::write(&good, REPORT).unwrap();
        let big = dir.path().join("big.json");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_REPORT + 1)
            .unwrap();
        #[cfg_attr(not(unix), allow(unused_mut))]
        let mut paths = vec![good.clone(), big, dir.path().to_path_buf(), good.clone()];
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo.json");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            paths.push(fifo);
        }
        let (rows, skipped) = load(&paths);
        assert_eq!(rows.len(), 1);
        let why: Vec<&NotAReport> = skipped.iter().map(|k| &k.why).collect();
        assert!(
            matches!(
                why[0],
                NotAReport::TooLarge {
                    mib: 16,
                    max_mib: 16
                }
            ),
            "{why:?}"
        );
        assert_eq!(why[1..3], [&NotAReport::Folder, &NotAReport::GivenTwice]);
        #[cfg(unix)]
        assert_eq!(why[3], &NotAReport::NotRegular);
        // Said in the reader's language.
        let said = |l| crate::report::errors::not_a_report(why[0], l);
        assert!(
            said(Lang::En).starts_with("too large for a report (16 MiB"),
            "{}",
            said(Lang::En)
        );
        assert!(
            said(Lang::Fr).starts_with("trop grand pour un rapport (16 Mio"),
            "{}",
            said(Lang::Fr)
        );
    }

    #[test]
    fn folders_give_their_json_files() {
        let d = tempfile::tempdir().unwrap();
        for f in ["b.json", "a.JSON", "notes.txt", ".x.json.part"] {
            std::fs::write(d.path().join(f), "{}").unwrap();
        }
        std::fs::create_dir(d.path().join("sub.json")).unwrap();
        let empty = tempfile::tempdir().unwrap();
        let one = PathBuf::from("given.json");
        let (files, skipped) = inputs(&[
            d.path().to_path_buf(),
            one.clone(),
            empty.path().to_path_buf(),
        ]);
        assert_eq!(
            files,
            [d.path().join("a.JSON"), d.path().join("b.json"), one]
        );
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].why, NotAReport::NoJsonInFolder);
    }

    #[test]
    fn not_a_report_says_why() {
        assert!(matches!(
            rows_of("x.json", "{"),
            Err(NotAReport::NotJson(_))
        ));
        assert_eq!(rows_of("x.json", "{\"a\":1}"), Err(NotAReport::NoSchema));
        assert_eq!(
            rows_of("x.json", "{\"schema\":\"other/1\"}"),
            Err(NotAReport::OtherSchema("other/1".into()))
        );
        assert_eq!(
            rows_of(
                "x.json",
                "{\"schema\":\"preflight-report/1\",\"verdict\":\"ready\"}"
            ),
            Err(NotAReport::MissingField("platforms"))
        );
    }
}
