//! Loading the bundled profiles and rejecting bad ones with file, line and field.

use super::*;
use crate::model::Transport;

#[test]
fn bundled_profiles_load() {
    let all = load_all(&[]).unwrap();
    let ids: Vec<_> = all.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["bbb", "webinaire", "livestorm"]);
    let bbb = &all[0];
    assert!(bbb.needs_server());
    assert_eq!(bbb.needs.webcam["medium"], 200.0);
    assert!(
        bbb.ice
            .iter()
            .any(|i| i.transport == Transport::Tls && i.port == 443)
    );
}

#[test]
fn ice_urls() {
    assert_eq!(
        parse_ice_url("turns:h.example:443?transport=tcp").unwrap(),
        (IceScheme::Turn, "h.example".into(), 443, Transport::Tls)
    );
    assert_eq!(
        parse_ice_url("turn:h.example?transport=tcp").unwrap(),
        (IceScheme::Turn, "h.example".into(), 3478, Transport::Tcp)
    );
    assert_eq!(
        parse_ice_url("stun:h.example:19302").unwrap(),
        (IceScheme::Stun, "h.example".into(), 19302, Transport::Udp)
    );
    assert!(parse_ice_url("turn:h:99999").is_err());
    assert!(parse_ice_url("http://h").is_err());
    assert!(parse_ice_url("turns:h?transport=udp").is_err());
}

#[test]
fn relays_as_users_name_them() {
    assert_eq!(
        "relay.example.org".parse::<Relay>().unwrap(),
        Relay::Host {
            host: "relay.example.org".into(),
            tls_port: 443
        }
    );
    assert_eq!(
        "Relay.Example.org:5349".parse::<Relay>().unwrap(),
        Relay::Host {
            host: "relay.example.org".into(),
            tls_port: 5349
        }
    );
    assert!(matches!(
        "turns:relay.example.org:443?transport=tcp"
            .parse::<Relay>()
            .unwrap(),
        Relay::Uri(_)
    ));
    for bad in [
        "",
        "  ",
        "relay:99999",
        "relay:0",
        "https://relay/",
        "turn:",
        "re lay",
    ] {
        assert!(bad.parse::<Relay>().is_err(), "{bad:?}");
    }
}

#[test]
fn relays_replace_the_servers_own_turn_endpoints() {
    let bbb = load_all(&[])
        .unwrap()
        .remove(0)
        .with_server("meet.example.org");
    let r: Relay = "relay.example.org".parse().unwrap();
    let p = bbb.with_relays(&[r]);
    let urls: Vec<(&str, bool)> = p
        .ice
        .iter()
        .map(|c| (c.url.as_str(), c.facts.informational))
        .collect();
    assert_eq!(
        urls,
        [
            ("turn:relay.example.org:3478?transport=udp", false),
            ("turn:relay.example.org:3478?transport=tcp", true),
            ("turns:relay.example.org:443?transport=tcp", false),
        ]
    );
    // Each keeps what the profile says of its transport (the group, why it matters).
    assert!(
        p.ice
            .iter()
            .all(|c| c.facts.group.as_deref() == Some("media"))
    );
    // A turns: URI alone: only TLS is tested.
    let uri: Relay = "turns:relay.example.org:5349?transport=tcp"
        .parse()
        .unwrap();
    let p = bbb.with_relays(&[uri]);
    assert_eq!(p.ice.len(), 1);
    assert_eq!((p.ice[0].port, p.ice[0].transport), (5349, Transport::Tls));
}

#[test]
fn every_bundled_endpoint_says_where_its_fact_comes_from() {
    for p in load_all(&[]).unwrap() {
        let facts = p
            .https
            .iter()
            .map(|c| (&c.url, &c.facts))
            .chain(p.websocket.iter().map(|c| (&c.url, &c.facts)))
            .chain(p.ice.iter().map(|c| (&c.url, &c.facts)));
        for (url, f) in facts {
            assert!(!f.source.trim().is_empty(), "{}: {url} has no source", p.id);
            assert!(!f.why.is_empty() && !f.why_fr.is_empty(), "{}: {url}", p.id);
            assert!(!f.what_fr.is_empty(), "{}: {url}", p.id);
        }
        assert_eq!(p.unpublished.len(), p.unpublished_fr.len(), "{}", p.id);
    }
}

#[test]
fn keys_of_another_kind_of_endpoint_are_errors() {
    let bad = MINIMAL.replace(
        "url = \"https://x.example/\"",
        "url = \"https://x.example/\"\nanswers = [101]",
    );
    let e = parse("x.toml", &bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (7, "https[0].answers"), "{e}");
    let bad = MINIMAL.replace(
        "webcam = { medium = 200 }\nwebcam_default = \"medium\"\n",
        "",
    );
    let e = parse("x.toml", &bad).unwrap_err();
    assert_eq!(e.field, "needs.webcam", "{e}");
}

const MINIMAL: &str = r#"id = "x"
name = "X"
engine = "other"

[[https]]
url = "https://x.example/"

[needs]
audio = 30
webcam = { medium = 200 }
webcam_default = "medium"
screen = 1500
"#;

#[test]
fn minimal_profile_loads() {
    let p = parse("x.toml", MINIMAL).unwrap();
    assert_eq!(p.https[0].expect_status, vec![200]);
    assert!(p.https[0].facts.required);
}

#[test]
fn errors_name_file_line_and_field() {
    let bad = MINIMAL.replace("https://x.example/", "ftp://x.example/");
    let e = parse("x.toml", &bad).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.line, e.field.as_str()),
        ("x.toml", 6, "https[0].url")
    );

    let bad = MINIMAL.replace("audio = 30", "audio = \"loud\"");
    let e = parse("x.toml", &bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (9, "needs.audio"), "{e}");

    let bad = MINIMAL.replace("engine = \"other\"", "engine = \"zoom\"");
    let e = parse("x.toml", &bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (3, "engine"));

    let bad = MINIMAL.replace("webcam_default = \"medium\"", "webcam_default = \"4k\"");
    let e = parse("x.toml", &bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (11, "needs.webcam_default"));

    let bad = MINIMAL.replace("[[https]]", "[[https]]\nurll = 3");
    let e = parse("x.toml", &bad).unwrap_err();
    assert_eq!(e.line, 6, "{e}");
    assert!(e.field.starts_with("https[0]"), "{e}");

    let bad = MINIMAL.replace("name = \"X\"", "name = \"X");
    let e = parse("x.toml", &bad).unwrap_err();
    assert_eq!(e.line, 2, "{e}");
}
