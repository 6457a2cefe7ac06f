//! The sentences with values, in English.

use super::En;
use crate::report::messages::Words;

impl Words for En {
    fn shows_engineer_detail(&self) -> bool {
        true
    }
    fn date_format(&self) -> &'static [time::format_description::BorrowedFormatItem<'static>] {
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]")
    }
    fn http_to(&self, status: u64, location: &str) -> String {
        format!("HTTP {status} to {location}")
    }
    fn http_without(&self, status: u64, missing: &str) -> String {
        format!("HTTP {status}, without “{missing}”")
    }
    fn unexpected_answer(&self, detail: &str) -> String {
        format!(
            "the service answered ({detail}), but not as preflight's profile expects: the profile may be out of date; not counted against the network"
        )
    }
    fn dns_silent(&self, resolver: &str) -> String {
        format!(
            "This network's DNS server ({resolver}) does not answer: no name can be found, so no platform can work. Check that the computer is connected (Wi-Fi or cable); if it is, tell the digital referent that the DNS server {resolver} does not answer."
        )
    }
    fn captive_portal(&self, portal: &str) -> String {
        format!(
            "This Wi-Fi wants you to sign in first: open a browser at {portal}, sign in (or accept the terms), then run preflight again."
        )
    }
    fn action_degraded(&self, desk: &str) -> String {
        format!(
            "The webinar should work, through a fallback or at lower quality: read on, and if you can, send the ticket below to “{desk}”."
        )
    }
    fn action_blocked(&self, desk: &str) -> String {
        format!(
            "As it is, the webinar will not work from here: send the ticket below to “{desk}”, or plan another network (a phone's hotspot, for instance)."
        )
    }
    fn no_relay(&self, host: &str) -> String {
        format!(
            "no TURN relay on {host}: its own web server refuses the TURN protocol on 443 and nothing answers on 3478. This server's media relay is elsewhere and was not tested: ask its administrators for it (turn-stun-servers.xml) and run again with --turn RELAY."
        )
    }
    fn filter_test_answered(&self, product: &str, seen: &str) -> String {
        format!("the proxy answers {product}'s own test page ({seen})")
    }
    fn loss_crossed(&self, loss: &str, good: &str) -> String {
        format!("loss {loss} % (good < {good} %)")
    }
    fn jitter_crossed(&self, jitter: &str, good: &str) -> String {
        format!("jitter {jitter} ms (good < {good} ms)")
    }
    fn rtt_crossed(&self, rtt: &str, good: &str) -> String {
        format!("RTT {rtt} ms (good < {good} ms)")
    }
    fn serve_limits(
        &self,
        connections: usize,
        per_address: usize,
        uploads: usize,
        idle_s: u64,
        files: &str,
    ) -> String {
        format!(
            "limits: {connections} connections ({per_address} per address), {uploads} ndt7 uploads, idle {idle_s} s; open files {files}"
        )
    }
    fn serve_collecting(&self, dir: &str, send: &str, live: &str) -> String {
        format!("collecting reports into {dir}: check --send {send}, live page {live}")
    }
    fn way_full(&self, webcam: &str) -> String {
        format!("microphone + webcam '{webcam}' + screen sharing")
    }
    fn way_webcam(&self, quality: &str) -> String {
        format!("microphone + webcam '{quality}', no screen sharing")
    }
    fn upload_reaches_recommended(&self, up: &str, hi: &str) -> String {
        format!("the upload ({up}) reaches what the platform recommends for a presenter ({hi})")
    }
    fn upload_above_minimum(&self, up: &str, lo: &str, hi: &str) -> String {
        format!(
            "the upload ({up}) is above the platform's minimum for a presenter ({lo}), below its recommendation ({hi}): avoid sharing a video"
        )
    }
    fn upload_below_minimum(&self, up: &str, lo: &str) -> String {
        format!(
            "the upload ({up}) is below the platform's minimum for a presenter ({lo}): plan to turn the camera off, or speak from another network"
        )
    }
    fn upload_fits(&self, up: &str, full: &str, need: &str) -> String {
        format!("the upload ({up}) fits {full} ({need})")
    }
    fn upload_tight(&self, full: &str, need: &str, up: &str, plan: &str) -> String {
        format!("tight: {full} needs {need} of the {up} measured; plan for {plan}")
    }
    fn upload_short(&self, full: &str, need: &str, up: &str, plan: &str) -> String {
        format!("not enough for {full} (needs {need}, measured {up}): plan for {plan}")
    }
    fn upload_very_tight(&self, leanest_kbps: f64, up: &str) -> String {
        format!(
            "very tight: even the microphone alone ({leanest_kbps:.0} kbit/s) takes nearly all the upload ({up})"
        )
    }
    fn upload_not_even_audio(&self, up: &str, leanest_kbps: f64) -> String {
        format!(
            "the upload ({up}) is not enough even for the microphone ({leanest_kbps:.0} kbit/s)"
        )
    }
    fn quality_levels(
        &self,
        loss: &str,
        jitter: &str,
        rtt: &str,
        critical_loss: &str,
        critical_rtt: &str,
    ) -> String {
        format!(
            "good: loss < {loss} %, jitter < {jitter} ms, RTT < {rtt} ms; beyond {critical_loss} % loss or {critical_rtt} ms RTT, live media does not hold"
        )
    }
    fn quality_figures(&self, loss: &str, jitter: &str, rtt: &str) -> String {
        format!("loss {loss} %, jitter {jitter} ms, RTT {rtt} ms")
    }
    fn quality_figures_p95(&self, loss: &str, jitter: &str, rtt: &str, p95: &str) -> String {
        format!("loss {loss} %, jitter {jitter} ms, RTT {rtt} ms (95 % under {p95} ms)")
    }
    fn media_udp_figures(&self, loss: &str, jitter: &str, received_kbps: f64) -> String {
        format!("loss {loss} %, jitter {jitter} ms, {received_kbps:.0} kbit/s received")
    }
    fn udp_policed(
        &self,
        loss: &str,
        target_kbps: f64,
        up: &str,
        got_kbps: f64,
        webcam: Option<&str>,
    ) -> String {
        let plan = match webcam {
            Some(q) => format!("plan the webcam at quality '{q}'"),
            None => "plan to keep the camera off".into(),
        };
        format!(
            "{loss} % of packets lost at {target_kbps:.0} kbit/s while TCP carries {up} Mbit/s: UDP is policed here (only {got_kbps:.0} kbit/s get through); video will freeze or fall back to the TURN relay over TCP/TLS: {plan}"
        )
    }
    fn venue_contradiction(&self, expected: &str, family: &str) -> String {
        format!(
            "Note: the venue implies “{expected}”, but the network rather shows “{family}”; report both."
        )
    }
    fn ticket_upload(&self, platform: &str, up: &str, need: &str) -> String {
        format!(
            "[{platform}] measured upload {up} Mbit/s, the speaker's stream needs {need} Mbit/s"
        )
    }
    fn ask_upload(&self, need: &str) -> String {
        format!(
            "check the upload available to this room (per-host or per-VLAN rate limits, Wi-Fi, saturated link): {need} Mbit/s needed during the webinar"
        )
    }
    fn ticket_udp_policed(
        &self,
        platform: &str,
        loss: &str,
        target_kbps: f64,
        got_kbps: f64,
        up: &str,
    ) -> String {
        format!(
            "[{platform}] UDP at media rate: {loss} % lost at {target_kbps:.0} kbit/s, only {got_kbps:.0} kbit/s get through, while TCP carries {up} Mbit/s"
        )
    }
    fn ask_udp_rate(&self, media_kbps: f64) -> String {
        format!(
            "raise this room's UDP rate limit: the speaker's audio and webcam need {media_kbps:.0} kbit/s over UDP"
        )
    }
    fn ticket_quality(
        &self,
        platform: &str,
        target: &str,
        loss: &str,
        jitter: &str,
        rtt: &str,
    ) -> String {
        format!(
            "[{platform}] UDP quality to {target}: loss {loss} %, jitter {jitter} ms, RTT {rtt} ms"
        )
    }
    fn ask_check_resolver(&self, resolver: &str) -> String {
        format!("check the DNS server {resolver}: it answers no query from this room")
    }
    fn ask_without_portal(&self, portal: &str) -> String {
        format!(
            "give the speaker's computer access without the portal (or its credentials): the Wi-Fi sends to {portal}"
        )
    }
    fn ask_find_udp_loss(&self, good_loss: &str) -> String {
        format!(
            "find where UDP is lost (saturated equipment, UDP rate limits, Wi-Fi): live audio tolerates no more than {good_loss} % loss"
        )
    }
    fn ask_resolver_answers(&self, resolver: &str, host: &str) -> String {
        format!("check that the DNS server {resolver} answers (it did not for {host})")
    }
    fn ask_resolve(&self, host: &str) -> String {
        format!("resolve the name {host} normally in the DNS (it is diverted or missing)")
    }
    fn ask_no_inspection(&self, host: &str) -> String {
        format!("exempt {host} from TLS inspection (decryption)")
    }
    fn ask_websockets(&self, host: &str) -> String {
        format!("let WebSockets (Upgrade header) through to {host}")
    }
    fn ask_proxy_allows(&self, host: &str) -> String {
        format!("allow {host} on the proxy (it refuses this destination)")
    }
    fn ask_relay_direct(&self, host: &str, port: u16) -> String {
        format!(
            "exempt {host} from the proxy and let TCP {port} through directly to it (media relay: the services ask for it)"
        )
    }
    fn ask_open_outbound(&self, proto: &str, port: u16) -> String {
        format!(
            "open {proto} {port} outbound to the internet (the platform asks for it without publishing its servers)"
        )
    }
}
