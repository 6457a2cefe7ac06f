//! The double-click kit: sidecar file, questions, output folder.

use super::*;

#[test]
fn names_carry_seconds_and_venue() {
    let at = time::macros::datetime!(2026-05-14 14:03:27 UTC);
    assert_eq!(
        report_stem(at, Some("CDI, collège Jean-Moulin"), None),
        "preflight_2026-05-14_14h03m27s_CDI-college-Jean-Moulin"
    );
    assert_eq!(
        report_stem(at, None, Some("0921234X")),
        "preflight_2026-05-14_14h03m27s_0921234X"
    );
    assert_eq!(
        report_stem(at, Some("/../«»"), None),
        "preflight_2026-05-14_14h03m27s"
    );
    assert_eq!(slug("Salle   B12 / 2e étage"), "Salle-B12-2e-etage");
    assert!(slug(&"é".repeat(100)).len() <= 40);
    assert_eq!(slug("..\\..\\windows"), "windows");
}

#[test]
fn double_click_is_a_check_in_its_own_window() {
    assert!(double_click(true, true, false));
    assert!(double_click(false, true, true), "a shortcut with options");
    assert!(!double_click(false, true, false), "from a shell");
    assert!(!double_click(false, false, true), "merge, serve, profiles");
}

fn sidecar(text: &str) -> Result<Sidecar, SidecarError> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(SIDECAR);
    std::fs::write(&p, text).unwrap();
    read_sidecar(&p).map(Option::unwrap)
}

#[test]
fn sidecar_fills_what_the_command_line_left() {
    let s = sidecar(
        "\u{feff}link = \"https://bbb.example.org/rooms/x/join\"\nvenue = \"CDI\"\nuai = \"0921234X\"\nkind = \"college\"\nsend = \"https://collecte.example.org/reports?token=abc\"\nlang = \"fr\"\nca-file = \"ca.pem\"\ntimeout = 3\nturn = \"turn.example.org\"\n",
    )
    .unwrap();
    let mut args = crate::cli::Cli::default_check();
    args.venue = Some("Salle 12".into());
    let dir = Path::new("/kit");
    apply(&mut args, s, dir, &dir.join(SIDECAR)).unwrap();
    assert_eq!(
        args.link.as_deref(),
        Some("https://bbb.example.org/rooms/x/join")
    );
    assert_eq!(args.venue.as_deref(), Some("Salle 12"), "the shortcut wins");
    assert_eq!(args.kind, Some(Kind::College));
    assert_eq!(args.lang, Some(LangArg::Fr));
    assert_eq!(args.timeout, 3);
    assert_eq!(args.turn.len(), 1);
    assert_eq!(args.ca_file.as_deref(), Some(Path::new("/kit/ca.pem")));
    assert_eq!(
        args.send.as_deref(),
        Some("https://collecte.example.org/reports?token=abc")
    );
}

#[test]
fn the_file_names_what_to_test_unless_the_shortcut_does() {
    let text = "link = \"https://webinaire.numerique.gouv.fr/meeting/signin/invite/1/creator/2/hash/3\"\nserver = \"bbb.example.org\"\n";
    let dir = Path::new("/kit");
    let mut args = crate::cli::Cli::default_check();
    apply(&mut args, sidecar(text).unwrap(), dir, &dir.join(SIDECAR)).unwrap();
    assert!(args.link.is_some(), "{args:?}");
    assert_eq!(args.server.as_deref(), Some("bbb.example.org"));
    let mut args = crate::cli::Cli::default_check();
    args.server = Some("bbb.autre.example".into());
    apply(&mut args, sidecar(text).unwrap(), dir, &dir.join(SIDECAR)).unwrap();
    assert_eq!(
        (args.link.as_deref(), args.server.as_deref()),
        (None, Some("bbb.autre.example")),
        "the shortcut's --server replaces the file's link and server"
    );
}

#[test]
fn sidecar_errors_name_the_line_and_key() {
    let said = |text: &str| crate::report::errors::sidecar(&sidecar(text).unwrap_err(), Lang::En);
    let e = said("venue = \"CDI\"\nkind = \"universite\"\n");
    assert!(e.contains("preflight.toml:2:") && e.contains("kind"), "{e}");
    let e = said("venu = \"CDI\"\n");
    assert!(e.contains(":1:") && e.contains("venu"), "{e}");
    let e = said("platform = [\"bbb\"\n");
    assert!(e.contains("preflight.toml:"), "{e}");
    let s = sidecar("resolver = \"nope\"\n").unwrap();
    let mut args = crate::cli::Cli::default_check();
    let e = apply(
        &mut args,
        s,
        Path::new("/k"),
        Path::new("/k/preflight.toml"),
    )
    .unwrap_err();
    for (l, key) in [(Lang::En, "key `resolver`"), (Lang::Fr, "clé « resolver »")] {
        let e = crate::report::errors::sidecar(&e, l);
        assert!(e.contains(key) && e.contains("nope"), "{e}");
        assert!(e.starts_with("/k/preflight.toml"), "{e}");
    }
    assert_eq!(
        read_sidecar(Path::new("/nonexistent/preflight.toml")),
        Ok(None)
    );
}

#[test]
fn the_kit_template_parses_with_every_example_enabled() {
    let t = include_str!("../../scripts/kit/preflight.toml");
    assert_eq!(sidecar(t).unwrap().lang, Some(LangArg::Fr));
    let enabled: String = t
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(r)
                if r.split(" = ").next().is_some_and(|k| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                }) =>
            {
                r
            }
            _ => l,
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let s = sidecar(&enabled).unwrap();
    assert!(s.link.is_some() && s.send.is_some() && s.kind == Some(Kind::College));
    assert_eq!(
        s.platform,
        Some(OneOrMany::Many(vec![
            "webinaire".into(),
            "livestorm".into()
        ]))
    );
}

#[test]
fn questions_fill_link_and_venue_and_can_be_skipped() {
    let mut args = crate::cli::Cli::default_check();
    let mut input = std::io::Cursor::new(
        "pas un lien !\nhttps://bbb.example.org/b/x\nCDI, collège Jean Moulin\n",
    );
    let mut out = Vec::new();
    ask_missing(&mut args, Lang::Fr, &mut input, &mut out).unwrap();
    assert_eq!(args.link.as_deref(), Some("https://bbb.example.org/b/x"));
    assert_eq!(args.venue.as_deref(), Some("CDI, collège Jean Moulin"));
    let asked = String::from_utf8(out).unwrap();
    assert!(
        asked.contains("Lien de la réunion") && asked.contains("« CDI"),
        "{asked}"
    );
    assert!(
        asked.contains("--link « pas un lien ! »")
            && asked.contains("donnez le lien de la réunion"),
        "asked again, in French: {asked}"
    );

    let mut args = crate::cli::Cli::default_check();
    let mut input = std::io::Cursor::new("\n\n");
    ask_missing(&mut args, Lang::En, &mut input, &mut Vec::new()).unwrap();
    assert_eq!((args.link, args.venue), (None, None));
}

#[test]
fn reports_go_next_to_the_program_else_elsewhere() {
    let here = tempfile::tempdir().unwrap();
    let there = tempfile::tempdir().unwrap();
    let first = Some(here.path().to_path_buf());
    assert_eq!(output_dir(&[first, None]), here.path());
    let missing = Some(here.path().join("no/such/dir"));
    assert_eq!(
        output_dir(&[missing, Some(there.path().to_path_buf())]),
        there.path()
    );
    assert!(inside_zip(Path::new(
        r"C:\Users\prof\AppData\Local\Temp\Temp1_kit.zip"
    )));
    assert!(!inside_zip(Path::new("/home/prof/kit")));
}
