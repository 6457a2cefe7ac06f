//! The reports people read, made from real runs against loopback venues: the self-contained HTML
//! page (checked in Debian's Chromium, headless: its DOM and a screenshot), and `merge` over a
//! test day's JSON reports in text, CSV and HTML.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::chromium::chromium;
use support::venue::{Names, Setup};

/// Run a venue and keep its JSON and HTML reports in `dir` under `name`.
fn run_venue(setup: Setup, dir: &Path, name: &str, extra: &[&str]) -> (PathBuf, PathBuf) {
    let lab = setup.start();
    let json = dir.join(format!("{name}.json"));
    let html = dir.join(format!("{name}.html"));
    let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    args.extend([
        "--html".into(),
        html.display().to_string(),
        "--lang".into(),
        "fr".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = lab.run(&args);
    std::fs::write(&json, serde_json::to_string_pretty(&r.report).unwrap()).unwrap();
    (json, html)
}

fn blocked_college(dir: &Path) -> (PathBuf, PathBuf) {
    run_venue(
        // e2guardian's page from a TLS inspection box the school's computers trust.
        Setup {
            web: Some(support::web::Mode::BlockPage),
            cert: support::venue::Cert::Inspected,
            ..Setup::default()
        },
        dir,
        "college-92",
        &["--uai", "0921234X", "--kind", "college", "--venue", "CDI"],
    )
}

fn assert_self_contained(html: &str) {
    for needle in ["src=", "<link", "@import", "url(", "href="] {
        assert!(!html.contains(needle), "external reference `{needle}`");
    }
}

#[test]
fn html_report_is_self_contained_and_says_whom_to_call() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = blocked_college(dir.path());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html><html lang=fr>"));
    assert_self_contained(&page);
    assert!(page.contains("class=\"banner blocked\""), "verdict banner");
    assert!(page.contains("id=ticket"), "the ticket");
    assert!(
        page.contains("Guichet unique ENC"),
        "the Hauts-de-Seine desk"
    );
    // The block page's title came from the network: it is shown, escaped (e2guardian's own
    // misspelled entity and all).
    assert!(
        page.contains("e2guardian - Acc&amp;eagrav;s interdit"),
        "the block page's title, escaped"
    );
    assert!(page.contains("@page{size:A4"), "prints on A4");
}

/// Render `html` in Chromium: its DOM shows the banner `banner` (a verdict) and the ticket when
/// `ticket`, and a screenshot shows a page, not a blank, with the banner's border colour on screen.
fn assert_renders(html: &Path, banner: &str, ticket: bool) {
    let url = format!("file://{}", html.display());
    let Some(dom) = chromium(&["--dump-dom", &url]) else {
        return;
    };
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains(&format!("banner {banner}")),
        "{}: DOM after load:\n{dom}",
        html.display()
    );
    assert_eq!(dom.contains("id=\"ticket\""), ticket, "ticket in the DOM");
    if ticket {
        assert!(dom.contains("copyTicket"), "copy button wired");
    }

    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("shot.png");
    let shot = chromium(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=1000,1400",
        &url,
    ])
    .unwrap();
    assert!(png.exists(), "{}", String::from_utf8_lossy(&shot.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bpp = info.line_size / info.width as usize;
    let px = &buf[..info.buffer_size()];
    // The banners' borders: blocked #c62828, degraded #b35900, ready #1a7f37.
    let is_banner = |p: &[u8]| match banner {
        "blocked" => p[0] > 170 && p[1] < 80 && p[2] < 80,
        "degraded" => p[0] > 150 && (60..120).contains(&p[1]) && p[2] < 40,
        _ => p[0] < 60 && (100..160).contains(&p[1]) && p[2] < 90,
    };
    let mut colours = std::collections::HashSet::new();
    let mut hits = 0;
    for p in px.chunks(bpp) {
        colours.insert((p[0] / 8, p[1] / 8, p[2] / 8));
        if is_banner(p) {
            hits += 1;
        }
    }
    assert!(
        colours.len() > 20,
        "a blank page: {} colours",
        colours.len()
    );
    assert!(
        hits > 500,
        "the '{banner}' banner is not on screen ({hits} px) in {}",
        html.display()
    );
}

#[test]
fn chromium_renders_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = blocked_college(dir.path());
    assert_renders(&html, "blocked", true);
}

/// The venue lab's reports (`tests/lab/run.sh`, run before the tests by `.ci/run`): the open
/// network's page and a blocked school's render, and `merge` tables every scenario.
#[test]
fn lab_reports_render_and_merge() {
    let Some(dir) = std::env::var_os("PREFLIGHT_LAB_RESULTS") else {
        support::skip(
            "PREFLIGHT_LAB_RESULTS is not set: no lab reports to check (.ci/run runs the lab first)",
        );
        return;
    };
    let dir = PathBuf::from(dir);
    let open = dir.join("open.html");
    let blocked = dir.join("amon-block-page.html");
    assert!(open.exists() && blocked.exists(), "lab reports in {dir:?}");
    assert_renders(&open, "ready", false);
    assert_renders(&blocked, "blocked", true);

    let mut reports: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    reports.sort();
    assert!(reports.len() >= 9, "{reports:?}");
    let out_dir = tempfile::tempdir().unwrap();
    let csv = out_dir.path().join("lab.csv");
    let html = out_dir.path().join("lab.html");
    let text = merge("fr", &reports, &csv, &html);
    for r in &reports {
        let name = r.file_stem().unwrap().to_string_lossy();
        assert!(text.contains(&*name), "{name} missing:\n{text}");
    }
    // Blocked venues come first, the open network last among its peers.
    let first = text.lines().nth(1).unwrap();
    assert!(first.contains("bloqu"), "{text}");
    let raw = std::fs::read_to_string(&csv).unwrap();
    let rows = parse_csv(raw.trim_start_matches('\u{feff}'), ';');
    // One row per venue and platform (some lab scenarios check every platform).
    let platforms: usize = reports
        .iter()
        .map(|r| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(r).unwrap()).unwrap();
            v["platforms"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(rows.len(), platforms + 1, "one row per venue and platform");
    assert_self_contained(&std::fs::read_to_string(&html).unwrap());
    let url = format!("file://{}", html.display());
    if let Some(dom) = chromium(&["--dump-dom", &url]) {
        let dom = String::from_utf8_lossy(&dom.stdout);
        assert!(
            dom.contains("class=\"s-fail\""),
            "merged table in the DOM:\n{dom}"
        );
    }
}

#[test]
fn merge_puts_blocked_venues_first_in_text_csv_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ready, _) = run_venue(Setup::default(), d, "ecole-a", &["--venue", "École A"]);
    let (degraded, _) = run_venue(
        Setup {
            turn_udp: false,
            ..Setup::default()
        },
        d,
        "lycee-b",
        &["--venue", "Lycée B"],
    );
    let (blocked, _) = run_venue(
        Setup {
            names: Names::Missing,
            ..Setup::default()
        },
        d,
        "college-c",
        &["--venue", "Collège C; salle 12"],
    );
    // A report from another version: fields this one added are missing, others are new.
    let mut old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ready).unwrap()).unwrap();
    let o = old.as_object_mut().unwrap();
    o.remove("notes");
    o.remove("partial");
    o.remove("lang");
    o.insert(
        "tool".into(),
        serde_json::json!({"name": "preflight", "version": "0.0.9"}),
    );
    o.insert("future_field".into(), serde_json::json!({"x": 1}));
    o.insert(
        "venue".into(),
        serde_json::json!({"label": "Ancienne version"}),
    );
    let old_path = d.join("old.json");
    std::fs::write(&old_path, serde_json::to_string(&old).unwrap()).unwrap();
    let junk = d.join("notes.txt");
    std::fs::write(&junk, "not a report").unwrap();

    let csv = d.join("t.csv");
    let html = d.join("t.html");
    let text = merge(
        "en",
        &[ready, degraded, blocked, old_path, junk],
        &csv,
        &html,
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Venue"), "{text}");
    assert!(lines[1].starts_with("Collège C"), "blocked first:\n{text}");
    assert!(lines[2].starts_with("Lycée B"), "then degraded:\n{text}");
    assert!(
        text.contains("Ancienne version"),
        "older report merged:\n{text}"
    );
    assert!(
        text.contains("Skipped:") && text.contains("notes.txt") && text.contains("not JSON"),
        "{text}"
    );
    assert!(text.contains("4 venue(s) — 1 blocked"), "{text}");

    // The CSV parses back: a header and one row per venue and platform.
    let raw = std::fs::read_to_string(&csv).unwrap();
    let raw = raw.strip_prefix('\u{feff}').expect("BOM for Excel");
    let rows = parse_csv(raw, ';');
    assert_eq!(rows.len(), 5, "{raw}");
    assert_eq!(rows[0][0], "Venue");
    assert_eq!(
        rows[1][0], "Collège C; salle 12",
        "quoted separator survives"
    );
    assert_eq!(rows[1][2], "blocked");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));

    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    assert!(page.find("Collège C").unwrap() < page.find("Lycée B").unwrap());
}

/// `preflight merge` over `reports`, writing CSV and HTML; its text table (exit 0 asserted).
fn merge(lang: &str, reports: &[PathBuf], csv: &Path, html: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["merge", "--lang", lang])
        .args(reports)
        .arg("--csv")
        .arg(csv)
        .arg("--html")
        .arg(html)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    text
}

#[test]
fn merge_of_nothing_readable_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("a.json");
    std::fs::write(&junk, "{\"schema\": \"something-else/2\"}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .arg("merge")
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("something-else/2"));
}

/// A small RFC 4180 reader, to check what a spreadsheet would see.
fn parse_csv(s: &str, sep: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, c) if c == sep => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
#[ignore = "writes docs/report-example.html; run by scripts/report-screenshot.sh"]
fn write_example_report() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-example");
    std::fs::create_dir_all(&out).unwrap();
    blocked_college(&out);
}

/// Pages of a PDF that Chromium printed (each page object says `/Type /Page`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

#[test]
fn a_network_with_nothing_working_prints_on_two_pages_at_most() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = run_venue(
        Setup {
            names: Names::Silent,
            ..Setup::default()
        },
        dir.path(),
        "salle-sans-dns",
        &[
            "--uai", "0921234X", "--kind", "college", "--venue", "Salle 12",
        ],
    );
    let page = std::fs::read_to_string(&html).unwrap();
    // The verdict and what to do come first: before any platform, before any table.
    let verdict = page.find("id=verdict").expect("the verdict banner");
    assert!(
        verdict < page.find("id=\"platform-").unwrap(),
        "verdict first"
    );
    assert!(
        page[verdict..].contains("serveur DNS"),
        "the action names the DNS"
    );
    let pdf = dir.path().join("r.pdf");
    let url = format!("file://{}", html.display());
    if chromium(&[
        &format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer",
        &url,
    ])
    .is_none()
    {
        return;
    }
    let pages = pdf_pages(&std::fs::read(&pdf).unwrap());
    assert!((1..=2).contains(&pages), "{pages} A4 pages");
}
