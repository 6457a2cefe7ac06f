//! The bodies of the fuzz targets, shared by `cargo fuzz` (nightly, `fuzz_targets/`) and by
//! `tests/fuzz_corpus.rs`, which replays the kept corpus and every past crash on stable in
//! `cargo test`. Each body feeds bytes from a hostile peer or file to a parser and checks what
//! must hold whatever the bytes: no panic, and what comes out is bounded and inert.

use preflight::probe::{proxy, stun};

/// A target's body: bytes in, a panic when something that must hold does not.
pub type Target = fn(&[u8]);

/// The targets by name (the folder names under `fuzz/corpus/`).
pub const ALL: &[(&str, Target)] = &[
    ("stun_answer", stun_answer),
    ("http_head", http_head),
    ("pac", pac),
    ("profile", profile),
    ("report", report),
];

/// What a STUN/TURN server answers (the probe's decoder), and what a client sends to
/// `preflight serve` (its request parser). The first byte picks Binding or Allocate; the
/// answer is given the request's transaction id, so that the fuzzer reaches the attributes.
pub fn stun_answer(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let scheme = if pick & 1 == 0 {
        preflight::profile::IceScheme::Stun
    } else {
        preflight::profile::IceScheme::Turn
    };
    let req = stun::request(scheme);
    let mut answer = rest.to_vec();
    if pick & 2 == 0 && answer.len() >= 20 {
        answer[4..20].copy_from_slice(&req.raw[4..20]);
    }
    if let Ok(r) = stun::decode(&req, &answer) {
        for s in r.realm.iter().chain(r.software.iter()) {
            let _ = preflight::inert::line(s);
        }
    }
    let from = std::net::SocketAddr::from(([192, 0, 2, 1], 40000));
    if let Some(reply) = preflight::serve::stun_answer(&answer, from) {
        assert!(
            reply.len() >= 20 && reply.len() <= 2048,
            "{} bytes",
            reply.len()
        );
    }
}

/// An HTTP answer head (a proxy's answer to CONNECT, the POST sink's answer) and a page title.
pub fn http_head(data: &[u8]) {
    if let Some((head, body_at)) = proxy::parse_head(data) {
        assert!(body_at <= data.len());
        let mut out = preflight::Outcome::new(preflight::ProbeKind::Proxy, "fuzz", None);
        head.record(&mut out);
        assert_inert(&serde_json::to_string(&out.data).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(data);
    if let Some(t) = preflight::probe::fetch::html_title(&text) {
        assert!(t.chars().count() <= 200);
    }
}

/// A PAC or WPAD file: the `PROXY host:port` entries it names.
pub fn pac(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for p in proxy::pac_proxies(&text) {
        assert!(p.contains(':') && !p.contains(char::is_whitespace), "{p:?}");
    }
}

/// A platform profile (`--profile FILE`): loaded or refused with the file named; a loaded one
/// can be described and planned.
pub fn profile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match preflight::profile::parse("fuzz.toml", text) {
        Ok(p) => {
            // The bundled levels, parsed once rather than for every input.
            static LEVELS: std::sync::OnceLock<preflight::profile::network::QualityLimits> =
                std::sync::OnceLock::new();
            let levels = LEVELS.get_or_init(|| {
                preflight::profile::network::NetworkFacts::bundled()
                    .expect("the bundled network facts load")
                    .quality
            });
            let _ = preflight::report::profiles::describe(&p, levels, preflight::report::Lang::En);
            let p = if p.needs_server() {
                p.with_server("bbb.example.test")
            } else {
                p
            };
            let _ = preflight::plan::build(&[p], None);
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.toml:"), "{e}"),
    }
}

/// A report given to `merge`: loaded or refused with a reason; what is shown or written is
/// inert (no control character on a terminal, no formula in the CSV).
pub fn report(data: &[u8]) {
    use preflight::merge;
    let Ok(rows) = merge::rows_of_bytes("fuzz.json", data) else {
        return;
    };
    let l = preflight::report::Lang::En;
    assert_inert(&merge::text(&rows, &[], l));
    let csv = merge::csv(&rows, l);
    assert_inert(&csv.replace("\r\n", "\n"));
    for cell in csv_cells(&csv) {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "formula: {cell:?}"
        );
    }
    let _ = merge::html(&rows, &[], l);
}

/// The cells of a CSV text (`;`-separated, RFC 4180 quotes), as a spreadsheet reads them.
fn csv_cells(csv: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = csv.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ';' | '\n' if !quoted => cells.push(String::new()),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {}
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

/// No control character but line breaks.
fn assert_inert(s: &str) {
    if let Some(c) = s.chars().find(|&c| c != '\n' && c.is_control()) {
        panic!("control character {c:?} in {s:?}");
    }
}
