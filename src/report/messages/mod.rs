//! Every sentence of the reports, one table per language (`fr/`, `en/`): the fixed ones named
//! by [`M`] (`text.rs`), the ones with values as the methods of [`Words`] (`words.rs`) and, for
//! the errors, of [`ErrorWords`] (`errors.rs`). A new language is one more directory; the
//! compiler shows every message it lacks.
//! `scripts/messages.py` moves new `l.t("…", "…")` pairs written in the code into the tables.

mod en;
mod fr;
mod keys;

use crate::lang::Lang;
pub use keys::M;

/// The sentences that carry values, in the language `l`.
pub fn words(l: Lang) -> &'static dyn Words {
    match l {
        Lang::Fr => &fr::Fr,
        Lang::En => &en::En,
    }
}

/// The sentences that carry values (figures come formatted for the language), one method each;
/// `fr/words.rs` and `en/words.rs` word them.
pub trait Words: Sync {
    // How the language shows things.
    /// Whether a failure shows the engineer's class and message (`timeout (…)`) beside what it
    /// means: in English, the words engineers search for; in French, only what they mean (both
    /// stay in the JSON).
    fn shows_engineer_detail(&self) -> bool;
    /// How a date and time are written.
    fn date_format(&self) -> &'static [time::format_description::BorrowedFormatItem<'static>];
    // What an answer or the network means.
    fn http_to(&self, status: u64, location: &str) -> String;
    fn http_without(&self, status: u64, missing: &str) -> String;
    fn unexpected_answer(&self, detail: &str) -> String;
    fn dns_silent(&self, resolver: &str) -> String;
    fn captive_portal(&self, portal: &str) -> String;
    fn action_degraded(&self, desk: &str) -> String;
    fn action_blocked(&self, desk: &str) -> String;
    fn no_relay(&self, host: &str) -> String;
    // `preflight serve`.
    fn serve_limits(
        &self,
        connections: usize,
        per_address: usize,
        uploads: usize,
        idle_s: u64,
        files: &str,
    ) -> String;
    fn serve_collecting(&self, dir: &str, send: &str, live: &str) -> String;
    /// A filter's proxy answered its own test page (`product`: e2guardian, `seen`: where).
    fn filter_test_answered(&self, product: &str, seen: &str) -> String;
    // Ways of speaking and what the upload allows.
    fn way_full(&self, webcam: &str) -> String;
    fn way_webcam(&self, quality: &str) -> String;
    fn upload_reaches_recommended(&self, up: &str, hi: &str) -> String;
    fn upload_above_minimum(&self, up: &str, lo: &str, hi: &str) -> String;
    fn upload_below_minimum(&self, up: &str, lo: &str) -> String;
    fn upload_fits(&self, up: &str, full: &str, need: &str) -> String;
    fn upload_tight(&self, full: &str, need: &str, up: &str, plan: &str) -> String;
    fn upload_short(&self, full: &str, need: &str, up: &str, plan: &str) -> String;
    fn upload_very_tight(&self, leanest_kbps: f64, up: &str) -> String;
    fn upload_not_even_audio(&self, up: &str, leanest_kbps: f64) -> String;
    // Path quality and UDP at media rate.
    /// The path quality levels a profile judges by (figures as the profile writes them).
    fn quality_levels(
        &self,
        loss: &str,
        jitter: &str,
        rtt: &str,
        critical_loss: &str,
        critical_rtt: &str,
    ) -> String;
    fn quality_figures(&self, loss: &str, jitter: &str, rtt: &str) -> String;
    fn quality_figures_p95(&self, loss: &str, jitter: &str, rtt: &str, p95: &str) -> String;
    /// A path quality figure beyond its good level (`good`: the level as the profile gives it).
    fn loss_crossed(&self, loss: &str, good: &str) -> String;
    fn jitter_crossed(&self, jitter: &str, good: &str) -> String;
    fn rtt_crossed(&self, rtt: &str, good: &str) -> String;
    fn media_udp_figures(&self, loss: &str, jitter: &str, received_kbps: f64) -> String;
    /// `webcam`: the quality to plan for (None: camera off).
    fn udp_policed(
        &self,
        loss: &str,
        target_kbps: f64,
        up: &str,
        got_kbps: f64,
        webcam: Option<&str>,
    ) -> String;
    // The ticket: what was seen and what to ask.
    fn venue_contradiction(&self, expected: &str, family: &str) -> String;
    fn ticket_upload(&self, platform: &str, up: &str, need: &str) -> String;
    fn ask_upload(&self, need: &str) -> String;
    fn ticket_udp_policed(
        &self,
        platform: &str,
        loss: &str,
        target_kbps: f64,
        got_kbps: f64,
        up: &str,
    ) -> String;
    fn ask_udp_rate(&self, media_kbps: f64) -> String;
    fn ticket_quality(
        &self,
        platform: &str,
        target: &str,
        loss: &str,
        jitter: &str,
        rtt: &str,
    ) -> String;
    /// The whole network's ticket: its DNS server answers nothing; the Wi-Fi sends to a portal.
    fn ask_check_resolver(&self, resolver: &str) -> String;
    fn ask_without_portal(&self, portal: &str) -> String;
    /// `good_loss`: the loss live audio tolerates, as the levels give it.
    fn ask_find_udp_loss(&self, good_loss: &str) -> String;
    fn ask_resolver_answers(&self, resolver: &str, host: &str) -> String;
    fn ask_resolve(&self, host: &str) -> String;
    fn ask_no_inspection(&self, host: &str) -> String;
    fn ask_websockets(&self, host: &str) -> String;
    fn ask_proxy_allows(&self, host: &str) -> String;
    fn ask_relay_direct(&self, host: &str, port: u16) -> String;
    fn ask_open_outbound(&self, proto: &str, port: u16) -> String;
}

/// The sentences of the errors that carry values, in the language `l`.
pub fn error_words(l: Lang) -> &'static dyn ErrorWords {
    match l {
        Lang::Fr => &fr::Fr,
        Lang::En => &en::En,
    }
}

/// The errors' sentences that carry values: what the user gave, where, and the system's own
/// reason (`os`, `detail`), as plain text; `report::errors` picks the sentence for each error.
pub trait ErrorWords: Sync {
    // The run as asked, and a profile file's place.
    fn needs_server(&self, id: &str) -> String;
    fn unknown_platform(&self, id: &str, valid: &str) -> String;
    fn profile_place(
        &self,
        file: &str,
        line: usize,
        column: usize,
        field: &str,
        message: &str,
    ) -> String;
    // An option's value.
    fn bad_uai(&self, uai: &str) -> String;
    fn bad_department(&self, text: &str) -> String;
    fn bad_bandwidth_url(&self, text: &str) -> String;
    fn bad_send_url(&self, text: &str) -> String;
    fn bad_resolver(&self, text: &str) -> String;
    fn not_address_prefix(&self, text: &str) -> String;
    fn bad_prefix_length(&self, text: &str) -> String;
    fn no_folder(&self, dir: &str) -> String;
    fn cannot_write_in(&self, dir: &str, why: &str) -> String;
    // A relay (`it`: the value quoted, or the word for "it") and an ICE URI.
    fn quoted(&self, text: &str) -> String;
    // A file `merge` left out.
    fn not_json(&self, why: &str) -> String;
    fn other_schema(&self, schema: &str) -> String;
    fn missing_field(&self, field: &str) -> String;
    fn too_large_for_a_report(&self, mib: u64, max_mib: u64) -> String;
    fn unreadable(&self, why: &str) -> String;
    fn folder_unreadable(&self, why: &str) -> String;
    fn relay_not_host_or_uri(&self, it: &str) -> String;
    fn relay_bad_port(&self, port: &str) -> String;
    fn relay_not_host(&self, it: &str) -> String;
    fn uri_no_scheme(&self, url: &str) -> String;
    fn uri_bad_port(&self, url: &str, port: &str) -> String;
    fn uri_bad_host(&self, url: &str) -> String;
    fn uri_bad_transport(&self, url: &str) -> String;
    fn uri_turns_over_udp(&self, url: &str) -> String;
    fn uri_unknown_scheme(&self, url: &str, scheme: &str) -> String;
    /// `--server` / `--link` (`why`: what is wrong with the value, `M::IsEmpty`…).
    fn bad_link(&self, option: &str, value: &str, why: &str) -> String;
    // Trust and DNS.
    fn not_a_ca(&self, detail: &str) -> String;
    fn dns_server_unusable(&self, server: &str, detail: &str) -> String;
    fn dns_system_unusable(&self, detail: &str) -> String;
    // `serve` and its collecting folder; `check --send`.
    /// `on`: "UDP ", "TCP " or nothing.
    fn cannot_listen(&self, on: &str, addr: &str, os: &str) -> String;
    fn collect_cannot_create(&self, dir: &str, os: &str) -> String;
    fn collect_not_writable(&self, dir: &str, os: &str) -> String;
    fn proxy_unresolved(&self, proxy: &str) -> String;
    fn host_unresolved(&self, host: &str, os: &str) -> String;
    fn server_untrusted(&self, why: &str) -> String;
    fn no_answer_within(&self, secs: u64) -> String;
    fn server_refused(&self, status: &str, why: &str) -> String;
    fn not_a_collector(&self, status: &str) -> String;
    // The double-click kit's settings file.
    fn file_unreadable(&self, file: &str, os: &str) -> String;
    fn file_not_utf8(&self, file: &str) -> String;
    fn settings_key(&self, file: &str, key: &str, why: &str) -> String;
    // Why the UDP test at media rate did not run.
    fn its_stun_server(&self, software: &str) -> String;
    /// `server`: [`ErrorWords::its_stun_server`] or `M::ItsSTUNServer`.
    fn not_echo(&self, peer: &str, server: &str) -> String;
    fn udp_port_refused(&self, peer: &str) -> String;
    fn no_stun_answer(&self, peer: &str) -> String;
}

/// The message `m` in the language `l`.
pub fn msg(l: Lang, m: M) -> &'static str {
    match l {
        Lang::Fr => fr::text(m),
        Lang::En => en::text(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `.t(` call in the sources, with what follows it, outside this module.
    fn literal_pairs(dir: &std::path::Path, found: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() && !p.ends_with("messages") {
                literal_pairs(&p, found);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let src = std::fs::read_to_string(&p).unwrap();
                for (i, _) in src.match_indices(".t(") {
                    if src[i + 3..].trim_start().starts_with('"') {
                        found.push(format!(
                            "{}: {}",
                            p.display(),
                            &src[i..(i + 60).min(src.len())]
                        ));
                    }
                }
            }
        }
    }

    #[test]
    fn fixed_sentences_live_in_the_tables_not_in_the_code() {
        let mut found = Vec::new();
        literal_pairs(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "run `python3 scripts/messages.py` to move these into report/messages/: {found:#?}"
        );
    }

    #[test]
    fn each_language_words_the_same_message_differently_where_it_should() {
        // The tables are complete by construction (a match per language); check they are not
        // swapped or left in the wrong language on a few telling messages.
        assert_eq!(msg(Lang::Fr, M::Colon), " : ");
        assert_eq!(msg(Lang::En, M::Colon), ": ");
        assert!(
            words(Lang::Fr)
                .ask_resolve("h.example")
                .starts_with("résoudre")
        );
        assert!(
            words(Lang::En)
                .ask_resolve("h.example")
                .starts_with("resolve")
        );
        assert_eq!(error_words(Lang::Fr).quoted("x"), "« x »");
        assert_eq!(error_words(Lang::En).quoted("x"), "`x`");
    }
}
