//! Every error family is worded in French and in English, each naming what to fix.

use super::*;
use crate::lang::Lang::{En, Fr};

/// Both wordings of `e` contain every one of `names` (what to fix), and differ.
fn both_name<E>(word: fn(&E, Lang) -> String, e: &E, names: &[&str]) -> (String, String) {
    let (fr, en) = (word(e, Fr), word(e, En));
    for n in names {
        assert!(fr.contains(n), "fr lacks {n:?}: {fr}");
        assert!(en.contains(n), "en lacks {n:?}: {en}");
    }
    assert_ne!(fr, en);
    (fr, en)
}

#[test]
fn option_values_name_the_option_and_the_value() {
    let (fr, en) = both_name(
        option,
        &crate::options::department_of_uai("92X").unwrap_err(),
        &["--uai 92X", "0921234X"],
    );
    assert!(fr.contains("7 chiffres et une lettre"), "{fr}");
    assert!(en.contains("7 digits and a letter"), "{en}");
    let (fr, _) = both_name(
        option,
        &OptionError::BadResolver { text: "é".into() },
        &["é", "IP:PORT"],
    );
    assert_eq!(fr, "« é » n'est ni une adresse IP ni IP:PORT");
    let e = OptionError::Output {
        option: "--json",
        path: "/nonexistent/x.json".into(),
        problem: OutputProblem::NoFolder {
            dir: "/nonexistent".into(),
        },
    };
    let (fr, en) = both_name(option, &e, &["--json /nonexistent/x.json", "/nonexistent"]);
    assert!(fr.contains("le dossier /nonexistent n'existe pas"), "{fr}");
    assert!(
        en.contains("the folder /nonexistent does not exist"),
        "{en}"
    );
    let e = OptionError::Output {
        option: "--html",
        path: "/ro/r.html".into(),
        problem: OutputProblem::NotWritable {
            dir: "/ro".into(),
            kind: std::io::ErrorKind::PermissionDenied,
            os: "Permission denied (os error 13)".into(),
        },
    };
    let (fr, _) = both_name(option, &e, &["--html /ro/r.html", "/ro"]);
    assert!(
        fr.contains("impossible d'écrire dans /ro (permission refusée)"),
        "{fr}"
    );
    let e = "é".parse::<crate::probe::dns::IpNet>().unwrap_err();
    both_name(
        option,
        &OptionError::BadLabNet {
            text: "é".into(),
            why: e,
        },
        &["--lab-net", "é"],
    );
    both_name(
        option,
        &OptionError::Timeout { secs: 0 },
        &["--timeout", "120"],
    );
}

#[test]
fn relays_and_ice_uris_name_the_value_and_show_one_that_works() {
    let e = OptionError::BadRelay {
        text: "relay:99999".into(),
        why: "relay:99999".parse::<crate::profile::Relay>().unwrap_err(),
    };
    let (fr, en) = both_name(
        option,
        &e,
        &["relay:99999", "99999", "turns:relay.example.org"],
    );
    assert!(
        fr.contains("n'est pas un port") && fr.contains("par ex."),
        "{fr}"
    );
    assert!(en.contains("is not a port") && en.contains("e.g."), "{en}");
    // In a profile file, where the error names the file and the field: the value is not repeated.
    let e: RelayError = "https://relay/"
        .parse::<crate::profile::Relay>()
        .unwrap_err();
    assert_eq!(e, RelayError::NotHostOrUri);
    assert!(relay_in_profile(&e, Fr).starts_with("ce n'est ni un nom d'hôte"));
    let e = crate::profile::parse_ice_url("turns:h?transport=udp").unwrap_err();
    let (fr, _) = both_name(ice_uri, &e, &["turns:h?transport=udp", "TLS", "UDP"]);
    assert!(fr.contains("passe par TLS, pas par UDP"), "{fr}");
    // The profile file's message (English, as the TOML parser's) is this wording.
    assert_eq!(e.to_string(), ice_uri(&e, En));
}

#[test]
fn check_errors_say_what_to_add() {
    let e = CheckError::UnknownPlatform {
        id: "zoom".into(),
        valid: vec!["bbb".into(), "webinaire".into()],
    };
    let (fr, _) = both_name(check, &e, &["zoom", "bbb, webinaire"]);
    assert!(fr.starts_with("plateforme inconnue « zoom »"), "{fr}");
    let (fr, en) = both_name(
        check,
        &CheckError::NeedsServer { id: "bbb".into() },
        &["bbb"],
    );
    assert!(fr.contains("--server HOTE"), "{fr}");
    assert!(en.contains("--server HOST"), "{en}");
    let e = crate::link::parse("--link", "https://", &[]).unwrap_err();
    let (fr, _) = both_name(check, &CheckError::Link(e), &["--link", "https://"]);
    assert!(fr.contains("n'a pas de nom d'hôte"), "{fr}");
}

#[test]
fn profile_errors_keep_file_line_and_field() {
    let text = "id = \"mine\"\nname = \"Mine\"\nengine = \"other\"\n\n[[ice]]\nurl = \"turn:h.example:99999\"\n\n[needs]\naudio = 30\nwebcam = { medium = 200 }\nwebcam_default = \"medium\"\nscreen = 1500\n";
    let e = crate::profile::parse("mine.toml", text).unwrap_err();
    let (fr, en) = both_name(profile, &e, &["mine.toml:6:", "ice[0].url", "99999"]);
    assert!(fr.contains("champ « ice[0].url »"), "{fr}");
    assert!(en.contains("field `ice[0].url`"), "{en}");
}

#[test]
fn ca_files_and_resolvers_name_the_file_or_server() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "nothing here\n").unwrap();
    let Err(e) = crate::probe::tls::Trust::new(Some(&empty), vec![]) else {
        panic!("no certificate")
    };
    let shown = empty.display().to_string();
    let (fr, en) = both_name(
        trust,
        &e,
        &["--ca-file", &shown, "-----BEGIN CERTIFICATE-----"],
    );
    assert!(fr.contains("aucun certificat PEM trouvé"), "{fr}");
    assert!(en.contains("no PEM certificate found"), "{en}");
    let missing = dir.path().join("missing.pem");
    let Err(e) = crate::probe::tls::Trust::new(Some(&missing), vec![]) else {
        panic!("no file")
    };
    let (fr, _) = both_name(trust, &e, &["missing.pem"]);
    assert!(fr.contains("fichier introuvable"), "{fr}");
    let e = DnsError {
        server: Some("192.0.2.53:53".parse().unwrap()),
        detail: "no connections".into(),
    };
    let (fr, _) = both_name(dns, &e, &["192.0.2.53:53", "no connections"]);
    assert!(
        fr.starts_with("impossible d'utiliser le serveur DNS"),
        "{fr}"
    );
}

#[test]
fn serve_and_collect_errors_name_the_file_folder_or_address() {
    let e = ServeError::Pem {
        path: "key.pem".into(),
        problem: PemProblem::NoKey,
    };
    let (fr, en) = both_name(serve, &e, &["key.pem"]);
    assert!(fr.contains("aucune clé privée"), "{fr}");
    assert!(en.contains("no private key"), "{en}");
    let e = ServeError::Bind {
        what: Listener::StunUdp,
        addr: "127.0.0.1:3478".parse().unwrap(),
        os: "Address in use".into(),
    };
    let (fr, _) = both_name(serve, &e, &["UDP 127.0.0.1:3478", "Address in use"]);
    assert!(fr.starts_with("impossible d'écouter sur"), "{fr}");
    let e = CollectError::CannotCreate {
        dir: "/srv/a-file/sub".into(),
        os: "Not a directory (os error 20)".into(),
    };
    let (fr, en) = both_name(collect, &e, &["--collect /srv/a-file/sub", "os error 20"]);
    assert!(fr.contains("impossible de le créer"), "{fr}");
    assert!(en.contains("cannot create it"), "{en}");
    both_name(collect, &CollectError::EmptyToken, &["--collect-token"]);
}

#[test]
fn send_errors_say_what_the_server_did() {
    let e = SendError::Refused {
        status: "403 Forbidden".into(),
        why: "bad token".into(),
    };
    let (fr, en) = both_name(send, &e, &["403 Forbidden", "bad token"]);
    assert!(fr.starts_with("le serveur a répondu"), "{fr}");
    assert!(en.starts_with("the server answered"), "{en}");
    let e = SendError::Url(OptionError::BadSendUrl {
        text: "ftp://x/".into(),
    });
    let (fr, _) = both_name(send, &e, &["--send ftp://x/", "https://"]);
    assert!(fr.contains("serveur de collecte"), "{fr}");
    both_name(send, &SendError::Timeout { secs: 20 }, &["20 s"]);
}

#[test]
fn files_that_are_not_text_and_kit_settings() {
    both_name(decode, &DecodeError::NotUtf16, &["UTF-16"]);
    let (fr, _) = both_name(decode, &DecodeError::NotText, &["UTF-8"]);
    assert_eq!(fr, "ni du texte UTF-8 ni UTF-16");
    let e = SidecarError::NotUtf8 {
        file: "preflight.toml".into(),
    };
    let (fr, _) = both_name(sidecar, &e, &["preflight.toml", "UTF-8"]);
    assert!(fr.contains("enregistrez-le en UTF-8"), "{fr}");
}

#[test]
fn media_not_measured_keeps_its_english_for_the_report() {
    let e = NotMeasured::NoAnswer {
        peer: "192.0.2.1:3478".into(),
    };
    let (fr, en) = both_name(
        not_measured,
        &e,
        &["192.0.2.1:3478", "STUN", "preflight serve"],
    );
    assert_eq!(
        en,
        "192.0.2.1:3478: no STUN answer on its UDP port: the peer is not preflight serve, or UDP to it is dropped"
    );
    assert!(fr.contains("pas de réponse STUN"), "{fr}");
    let e = NotMeasured::NotEcho {
        peer: "192.0.2.1:3478".into(),
        software: Some("coturn-4.6".into()),
    };
    both_name(not_measured, &e, &["192.0.2.1:3478", "coturn-4.6"]);
}
