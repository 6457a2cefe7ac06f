//! The real platforms as their own code and install scripts make them answer
//! (shared/research/platforms-verified.md), served on loopback under their real names: no false
//! alarm where the service works, and the failures still caught where it does not.
//! BigBlueButton 3.0 and 2.7, b3desk's portal (its sign-in redirect to a host that does not
//! resolve, a stale node name), Scalelite, webinaire's relays on 443 (TLS and plain TCP),
//! Livestorm's hosts, and a BigBlueButton server whose TURN relay runs elsewhere (`--turn`).

mod support;

use support::venue::{Cert, HOST, RELAY, Setup};
use support::web;

fn platforms() -> Setup {
    Setup {
        web: Some(web::Mode::Platforms),
        ..Setup::default()
    }
}

#[test]
fn every_platform_as_it_really_answers_is_ready() {
    let lab = platforms().start();
    let r = lab.run_args(&["--server", HOST, "--no-bandwidth"], &[]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    assert_eq!(r.code, Some(0));
    for id in ["bbb", "webinaire", "livestorm"] {
        assert_eq!(r.platform(id)["verdict"], "ready", "{id}: {}", r.explain());
    }
    assert_eq!(r.report["firewall"]["family"], "none", "{}", r.explain());
    assert_eq!(r.report["firewall"]["evidence"], serde_json::json!([]));
    assert!(r.report["support"].is_null(), "{}", r.explain());
    for p in r.report["platforms"].as_array().unwrap() {
        for o in p["probes"].as_array().unwrap() {
            let class = o["error"]["class"].as_str().unwrap_or("");
            assert!(
                !matches!(class, "block_page" | "upgrade_refused" | "http_status"),
                "{o:#}"
            );
        }
    }
}

#[test]
fn webinaire_sign_in_redirect_and_stale_names_are_normal() {
    let lab = platforms().start();
    let r = lab.run_args(&["--platform", "webinaire", "--no-bandwidth"], &[]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    // /welcome sends anonymous visitors to the State's sign-in provider, whose name does not
    // even resolve here: the normal answer, not a block page.
    let welcome = r.find("webinaire", "https", "/welcome");
    assert_eq!(welcome["status"], "ok", "{welcome:#}");
    assert_eq!(welcome["data"]["http_status"], 302);
    assert!(
        welcome["data"]["unexpected_answer"].is_null(),
        "{welcome:#}"
    );
    assert_eq!(r.find("webinaire", "https", "/home")["status"], "ok");
    // Scalelite tells no version; each node tells its own, which picks its data socket.
    let scalelite = r.find("webinaire", "https", "scalelite");
    assert!(scalelite["data"]["bbb_version"].is_null(), "{scalelite:#}");
    assert_eq!(
        r.find("webinaire", "https", "w1.")["data"]["bbb_version"],
        "3.0.4"
    );
    assert_eq!(
        r.find("webinaire", "https", "w2.")["data"]["bbb_version"],
        "2.7.9"
    );
    assert_eq!(
        r.find("webinaire", "websocket", "w1.visio.education.fr/graphql")["data"]["upgrade"],
        "101"
    );
    assert_eq!(
        r.find(
            "webinaire",
            "websocket",
            "w2.visio.education.fr/html5client"
        )["data"]["upgrade"],
        "101"
    );
    // bbb-dinum-w3 no longer exists while its siblings do: a stale list, said as such.
    let notes = r.notes("webinaire");
    assert!(notes.contains("bbb-dinum-w3"), "{notes}");
    assert!(notes.contains("out of date"), "{notes}");
    // The relays answer on 443 as TLS and as plain TCP.
    for target in [
        "turns:bbb-dinum-turn1",
        "turn:bbb-dinum-turn1.visio.education.fr:",
    ] {
        let t = r.platform("webinaire")["probes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                p["kind"] == "turn"
                    && p["target"].as_str().unwrap().starts_with(target)
                    && p["transport"] != "udp"
            })
            .unwrap_or_else(|| panic!("no {target}: {}", r.explain()));
        assert_eq!(t["status"], "ok", "{t:#}");
    }
}

#[test]
fn a_reworded_page_from_the_service_is_reached_not_blocked() {
    let lab = Setup {
        reworded: true,
        ..platforms()
    }
    .start();
    let r = lab.run_args(&["--platform", "webinaire", "--no-bandwidth"], &[]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    let home = r.find("webinaire", "https", "/home");
    assert_eq!(home["status"], "ok", "{home:#}");
    assert_eq!(home["data"]["unexpected_answer"]["missing"], "Webinaire");
    assert!(
        r.notes("webinaire").contains("profile may be out of date"),
        "{}",
        r.explain()
    );
    assert_eq!(r.report["firewall"]["family"], "none");
    assert!(r.report["support"].is_null());
}

#[test]
fn the_same_pages_behind_a_filter_that_answers_itself_are_blocked() {
    // e2guardian's stock page from a TLS inspection box the school's computers trust.
    let lab = Setup {
        web: Some(web::Mode::BlockPage),
        cert: Cert::Inspected,
        ..Setup::default()
    }
    .start();
    let r = lab.run_args(&["--platform", "webinaire", "--no-bandwidth"], &[]);
    assert_eq!(r.verdict(), "blocked", "{}", r.explain());
    assert_eq!(
        r.find("webinaire", "https", "/home")["error"]["class"],
        "block_page",
        "{}",
        r.explain()
    );
    assert!(
        r.report["firewall"]["evidence"]
            .to_string()
            .contains("e2guardian"),
        "{}",
        r.explain()
    );
}

#[test]
fn when_webinaire_media_cannot_get_out_the_telephone_is_named() {
    let lab = Setup {
        turn_udp: false,
        hold_turn: true,
        ..platforms()
    }
    .start();
    let r = lab.run_args(&["--platform", "webinaire", "--no-bandwidth"], &[]);
    assert_eq!(r.verdict(), "blocked", "{}", r.explain());
    assert!(
        r.notes("webinaire").contains("telephone"),
        "{}",
        r.explain()
    );
}

#[test]
fn livestorm_says_what_could_not_be_tested() {
    let lab = platforms().start();
    let r = lab.run_args(&["--platform", "livestorm", "--no-bandwidth"], &[]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    let p = r.platform("livestorm");
    let summary = p["summary"].as_str().unwrap();
    assert!(
        !summary.starts_with("Everything the browser uses"),
        "{summary}"
    );
    assert!(summary.contains("not tested"), "{summary}");
    let notes = r.notes("livestorm");
    assert!(
        notes.contains("media, signalling and TURN servers are not published"),
        "{notes}"
    );
    // UDP 3478 leaves the network (a public STUN server, said as such).
    assert_eq!(
        r.find("livestorm", "stun", "stun.cloudflare.com")["status"],
        "ok"
    );
    // The app answers the upgrade request itself, without switching: reached.
    assert_eq!(
        r.find("livestorm", "websocket", "app.livestorm.co")["status"],
        "ok"
    );
}

/// A BigBlueButton server whose TURN relay runs elsewhere: nginx alone on 443 (the TURN ALPN
/// refused), nothing on 3478 (the kernel refuses).
fn no_relay() -> Setup {
    Setup {
        web_turn: false,
        turn_udp: false,
        turn_tcp: false,
        ..Setup::default()
    }
}

#[test]
fn a_server_without_a_relay_is_not_blocked_and_points_to_turn() {
    let lab = no_relay().start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    assert_eq!(r.class("turn", Some("tls")), "no_relay", "{}", r.explain());
    assert_eq!(r.class("turn", Some("udp")), "refused", "{}", r.explain());
    let notes = r.notes("bbb");
    assert!(notes.contains("--turn"), "{notes}");
    assert!(notes.contains("turn-stun-servers.xml"), "{notes}");
    assert!(r.report["support"].is_null(), "no ticket: {}", r.explain());
    assert_eq!(r.report["firewall"]["family"], "none", "{}", r.explain());
}

#[test]
fn turn_names_the_relay_and_it_is_tested() {
    let lab = Setup {
        relay: true,
        ..no_relay()
    }
    .start();
    let r = lab.run(&["--turn", RELAY]);
    assert_eq!(r.verdict(), "ready", "{}", r.explain());
    for t in ["udp", "tls"] {
        let p = r.probe("turn", Some(t));
        assert!(p["target"].as_str().unwrap().contains(RELAY), "{p:#}");
        assert_eq!(p["status"], "ok", "{p:#}");
        assert_eq!(p["data"]["error_code"], 401, "{p:#}");
    }
    // The meeting host's own 3478 is not tested any more.
    assert!(
        !r.probes()
            .iter()
            .any(|p| p["kind"] == "turn" && p["target"].as_str().unwrap().contains(HOST)),
        "{}",
        r.explain()
    );
}

#[test]
fn turn_relay_without_udp_is_degraded_through_tls() {
    let lab = Setup {
        relay: true,
        relay_udp: false,
        ..no_relay()
    }
    .start();
    let r = lab.run(&[
        "--turn",
        &format!("turns:{RELAY}:443?transport=tcp"),
        "--turn",
        RELAY,
    ]);
    assert_eq!(r.verdict(), "degraded", "{}", r.explain());
    assert_eq!(
        r.probe("turn", Some("tls"))["status"],
        "ok",
        "{}",
        r.explain()
    );
    assert_ne!(r.probe("turn", Some("udp"))["status"], "ok");
}

#[test]
fn a_filter_that_drops_3478_and_holds_turn_on_443_still_blocks() {
    // The host does run a relay; the path drops 3478 (silence) and holds TURN over TLS.
    let lab = Setup {
        turn_mode: support::stun::Mode::Silent,
        hold_turn: true,
        ..Setup::default()
    }
    .start();
    let r = lab.run(&[]);
    assert_eq!(r.verdict(), "blocked", "{}", r.explain());
    assert_eq!(r.class("turn", Some("udp")), "timeout", "{}", r.explain());
    assert_eq!(r.class("turn", Some("tls")), "timeout", "{}", r.explain());
    assert!(!r.notes("bbb").contains("no TURN relay"), "{}", r.explain());
}
