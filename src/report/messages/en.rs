//! The messages in English.

use super::M;

#[rustfmt::skip]
pub fn text(m: M) -> &'static str {
    match m {
        M::AFilteringPageAnswers => "a filtering page answers instead of the service",
        M::AReportCouldNot => " — a report could not be written",
        M::Allow => "allow",
        M::AllowTheseHostsWithout => "allow these hosts without proxy authentication (or give the credentials to use)",
        M::And => "and",
        M::AndItCouldNot => "And it could not be saved:",
        M::AskForTheseRelays => "Ask for these relays to be exempted from the proxy.",
        M::Attendee => "attendee",
        M::AudioMayBreakUp => "audio may break up, video may freeze",
        M::BInterruptedPartialReport => " — <b>interrupted: partial report</b>",
        M::BigBlueButton => "BigBlueButton",
        M::Blocked => "blocked",
        M::BlockedFrBloquee => "blocked",
        M::BlockedFrSalle => "blocked",
        M::CanThisRoomS => "Can this room's network carry the webinar?",
        M::CannotRead => "cannot read: ",
        M::CertificateAndKey => "certificate and key: ",
        M::CertificateIssuedBy => "certificate issued by",
        M::CheckInterruptedCtrlC => "Check interrupted (Ctrl-C) before the end: nothing is concluded, run it again to the end.",
        M::CloseQuote => "”",
        M::CollectTokenTheToken => "--collect-token: the token is empty",
        M::CollegeMiddleSchool => "collège (middle school)",
        M::Colon => ": ",
        M::Confidence => "confidence",
        M::ConnectionRefusedAFirewall => "connection refused: a firewall rejects this port, or nothing listens on it",
        M::Contact => "Contact:",
        M::Containing => "containing",
        M::Copied => "Copied ✔",
        M::CopyTheTicket => "Copy the ticket",
        M::Default => "default",
        M::Degraded => "degraded",
        M::Department => "department",
        M::Dept => "dept.",
        M::Desk => "Desk",
        M::Detail => "Detail",
        M::Direct => "direct:",
        M::DirectAccessIsClosed => "direct access is closed: this network requires a proxy",
        M::DurationMustBeBetween => "--duration must be between 1 and 60 seconds",
        M::EGRelayExample => "e.g. relay.example.org, relay.example.org:443 or turns:relay.example.org:443?transport=tcp",
        M::EcolePrimarySchool => "école (primary school)",
        M::EncryptionIsInterceptedA => "encryption is intercepted: a firewall presents its own certificate (TLS inspection)",
        M::Engine => "engine",
        M::EstimatedNeed => "estimated need",
        M::EveryTest => "Every test",
        M::EverythingThatCouldBe => "Everything that could be tested answers from this network; what the platform does not publish was not tested (see the notes).",
        M::EverythingTheBrowserUses => "Everything the browser uses answers from this network.",
        M::EvidenceLikelyFirewall => "Evidence (likely firewall:",
        M::ExitCode => "exit code",
        M::Failed => "failed",
        M::File => "File",
        M::FileNotFound => "file not found",
        M::FindWhereUDPIs => "find where UDP is lost (saturated equipment, UDP rate limits, Wi-Fi): live audio tolerates no more than 1 % loss",
        M::Firewall => "Firewall",
        M::ForInformationNeverChanges => "for information (never changes the verdict)",
        M::GiveUaiOrDepartment => "(Give --uai or --department and --kind for a surer routing.)",
        M::GoodToKnow => "Good to know:",
        M::Group => "group",
        M::HTTPSTheRealService => "HTTPS (the real service answers, not a block page):",
        M::HeaderServer => "header Server:",
        M::HeaderVia => "header Via:",
        M::HelloIHaveTo => "Hello, I have to speak in a webinar from this school. A network test (preflight) shows that the room's network lets nothing through:",
        M::HelloIHaveToSpeak => "Hello, I have to speak in a webinar from this school. A network test (preflight) shows that everything is reachable, but the link is not good enough for the speaker's stream:",
        M::HelloIHaveToSpeakIn => "Hello, I have to speak in a webinar from this school. A network test (preflight) shows that the following flows do not get through:",
        M::IdleLatency => "idle latency",
        M::IfMediaCannotGet => "If media cannot get out:",
        M::Incomplete => "incomplete",
        M::IncompleteInterrupted => "incomplete (interrupted)",
        M::InterruptedCtrlCBefore => "Interrupted (Ctrl-C) before every test ran: nothing is concluded.",
        M::InterruptedPartialReport => " — interrupted, partial report",
        M::InvalidCertificateExpiredOr => "invalid certificate (expired, or for another name; check the computer's clock)",
        M::Issuer => "issuer",
        M::LatencyIdle => "Latency idle",
        M::LatencyRisesSharplyWhen => "latency rises sharply when the link is busy: audio will lag",
        M::LatencyWhileUploading => "latency while uploading",
        M::LikelyFirewall => "Likely firewall:",
        M::LikelyFirewallFrPare => "Likely firewall",
        M::LiveAudioAndVideo => "live audio and video will not hold",
        M::LoadedLatency => "loaded latency",
        M::LossJitterOrLatency => "loss, jitter or latency too high for live audio and video",
        M::LossJitterRTT => "loss / jitter / RTT",
        M::LyceeHighSchool => "lycée (high school)",
        M::MLabSServers => "M-Lab's servers have no UDP echo: host preflight serve and name it with --bandwidth-url",
        M::MappedAddress => "mapped address",
        M::MeasuredTo => "Measured to",
        M::MeasuringPathQualityAnd => "measuring path quality and upload…",
        M::MediaGetOutOnly => "media get out only through the proxy:",
        M::MeetingLinkOrBigBlueButton => "Meeting link or BigBlueButton server name (Enter to skip):",
        M::Microphone => "microphone",
        M::MicrophoneOnly => "microphone only",
        M::MicrophoneScreenSharingCamera => "microphone + screen sharing, camera off",
        M::NameDivertedTo => "name diverted to",
        M::Needed => "needed:",
        M::NeededFrBesoin => "needed",
        M::Network => "Network",
        M::NoAddress => "no address",
        M::NoAnswerInTime => "no answer in time: a firewall probably drops the packets",
        M::NoAnswerToAny => "no answer to any packet",
        M::NoCertificateInThis => "no certificate in this PEM file",
        M::NoDNSServerIs => "No DNS server is configured on this computer: it is probably not connected (Wi-Fi off, cable unplugged). Connect it to the room's network, then run preflight again.",
        M::NoPrivateKeyIn => "no private key in this PEM file",
        M::NoReportReceivedYet => "No report received yet; this page updates itself",
        M::NoSpaceLeft => "no space left",
        M::NoUsableAnswer => "no usable answer",
        M::None => "none",
        M::NoneConfigured => "none configured",
        M::NoneDirectAccess => "none (direct access)",
        M::NormalAnswer => "normal answer:",
        M::NotEnoughForThe => "not enough for the stream to send",
        M::NotGivenRunAgain => "not given (run again with --venue \"room\" --uai CODE)",
        M::NotIdentified => "not identified",
        M::NotMeasuredNoUDP => "not measured (no UDP echo at this measurement peer)",
        M::NotMeasuredUDPDoes => "not measured — UDP does not get through, media will take the TCP/TLS fallback",
        M::NotPublishedByThe => "Not published by the platform, so not tested:",
        M::NotTested => "not tested",
        M::NotTestedFrNon => "Not tested:",
        M::NotTestedInterruptedCtrl => "not tested: interrupted (Ctrl-C)",
        M::NotTestedNameThe => ": not tested — name the server with --server HOST (the host in the meeting link)",
        M::NotTestedNoNetwork => "not tested: no network (see above)",
        M::NotUTF16Text => "not UTF-16 text",
        M::NotUTF8Or => "not UTF-8 or UTF-16 text",
        M::NothingToCheckEvery => "nothing to check: every selected platform needs --server HOST",
        M::NothingToDoThe => "Nothing to do: the webinar can run from this network.",
        M::Optional => "optional",
        M::OptionalFrOptionnel => "(optional)",
        M::Other => "other",
        M::OverallVerdict => "Overall verdict:",
        M::OversizedAnswerAbandoned => "oversized answer, abandoned",
        M::Page => "page “",
        M::Path => "path",
        M::PermissionDenied => "permission denied",
        M::Platform => "Platform",
        M::PresenterMinimum => "presenter, minimum",
        M::PressEnterToClose => "Press Enter to close. ",
        M::Profile => "profile",
        M::PublicAddress => "public address",
        M::PublicAddressFrAdresse => "Public address:",
        M::QualityLossJitterRTT => "Quality (loss/jitter/RTT)",
        M::ReadOnlyFileSystem => "read-only file system",
        M::Ready => "ready",
        M::Recommended => "recommended",
        M::RedirectTo => "redirect to",
        M::ReportNOTSentTo => "Report NOT sent to",
        M::ReportSReceived => "report(s) received",
        M::ReportSentTo => "Report sent to",
        M::ReportsSaved => "Reports saved:",
        M::Request => "Request:",
        M::Required => "required",
        M::RoomAndSchoolE => "Room and school (e.g. \"Library, Jean Moulin school\"):",
        M::STUNTURNInA => "STUN/TURN (in a group, UDP is preferred to TCP, TCP to TLS: the browser's fallback chain):",
        M::ScreenSharing => "screen sharing",
        M::ServerUnreachableNoRoute => "server unreachable (no route)",
        M::SettingsReadFrom => "Settings read from",
        M::Skipped => "skipped",
        M::SkippedFrIgnore => "Skipped:",
        M::Source => "source:",
        M::Status => "Status",
        M::Step => "Step",
        M::StoppedBeforeTheEnd => "stopped before the end (Ctrl-C): figure measured until then",
        M::StoppedTheUplinkCannot => " — stopped: the uplink cannot carry this rate",
        M::StoredAs => "stored as",
        M::SubjectBlockedAccessTo => "Subject: blocked access to",
        M::SubjectNetworkNotGood => "Subject: network not good enough for",
        M::Summary => "Summary",
        M::TURNMediaRelay => "TURN (media relay)",
        M::TURNMediaRelayAlso => " (TURN media relay: also exempt it from the proxy and TLS inspection)",
        M::TURNRelaysNamed => "TURN relays named:",
        M::Target => "Target",
        M::TestDate => "Test date:",
        M::TestDayVenuesSummary => "Test day — venues summary",
        M::TestSNotRun => "test(s) not run: interrupted (Ctrl-C)",
        M::TestSNotRunA => "test(s) not run: a step before them failed (details in the JSON report)",
        M::TestSNotRunBecause => "test(s) not run because a step before them failed",
        M::ThankYou => "Thank you.",
        M::TheConnectionClosedWithout => "the connection closed without an answer",
        M::TheConnectionWasCut => "the connection was cut on the way (a filter resets it)",
        M::TheDNSGivesNo => "the DNS gives no address for this name",
        M::TheDNSServerFails => "the DNS server fails",
        M::TheFullJSONReport => "The full JSON report is attached. Thank you.",
        M::TheMeasurementPeerCould => "the measurement peer could not be reached",
        M::TheMeasurementPeerStopped => "the measurement peer stopped reading",
        M::TheNetworkSDNS => "the network's DNS diverts this name to a fake address (DNS filtering)",
        M::ThePortAnswersBut => "the port answers, but it is not a TURN relay (a web server, or a box that refuses the TURN protocol)",
        M::TheProxyAsksFor => "the proxy asks for credentials",
        M::TheProxyRefusesThis => "the proxy refuses this destination",
        M::TheReportIsSaved => "The report is saved here, send it to the organiser:",
        M::TheServerAnswersWith => "the server answers with an HTTP error",
        M::TheServiceDoesNot => "; the service does not confirm this endpoint (unverified): not counted against the network.",
        M::TheServiceSNormal => "the service's normal answers without a meeting session:",
        M::TheTLSHandshakeFailed => "the TLS handshake failed",
        M::TheTestCouldNot => "the test could not start on this computer",
        M::ThisFigureMeasuresThe => ": this figure measures the path to the proxy",
        M::ThisNameDoesNot => "this name does not exist for this network's DNS",
        M::ThisNameDoesNotExist => ": this name does not exist while other names of the same domain resolve — the list the service publishes is out of date; not counted against the network.",
        M::ThisNetworkDoesNot => "This network does not lead to the internet: no address on the internet answers, neither the platforms nor, without DNS, well-known addresses. The computer is on a local network without internet access, or everything is blocked there. Check that you are on the right network (the room's Wi-Fi or socket); if so, tell the digital referent.",
        M::ThisPageUpdatesItself => "this page updates itself",
        M::ThroughTheProxy => "Through the proxy",
        M::TicketReadyToSend => "Ticket, ready to send",
        M::TicketTextReadyTo => "Ticket text, ready to send:",
        M::TimeoutMustBeBetween => "--timeout must be between 1 and 120 seconds",
        M::Title => "title",
        M::To => "to",
        M::TowardsTheMediaRelays => "towards the media relays, only port 443 gets through (3478 closed)",
        M::TrustStore => "trust store: ",
        M::TurnNamesTheTURN => "--turn names the TURN relay of a BigBlueButton server: add --server HOST (the host in the meeting link)",
        M::UDPAtMediaRate => "UDP at media rate",
        M::UDPBlocked => "UDP blocked",
        M::UDPIsBlockedTowards => "UDP is blocked towards the media relays",
        M::UDPPath => "UDP path",
        M::UDPPathQuality => "UDP path quality,",
        M::UDPPathQualityFrQualite => "UDP path quality",
        M::UDPQuality => "UDP quality",
        M::UnintelligibleAnswerNotThe => "unintelligible answer (not the expected protocol)",
        M::UnverifiedAFailureAlone => "unverified: a failure alone never makes the verdict worse",
        M::UnverifiedNoSourceGiven => "unverified (no source given)",
        M::UpdatedAt => "updated at",
        M::Upload => "upload",
        M::UploadAndPathQuality => "Upload and path quality",
        M::UploadFrDebit => "Upload:",
        M::UploadFrDebitMontant => "Upload",
        M::UploadNeedsKbitS => "Upload needs (kbit/s):",
        M::UploadNotMeasured => "Upload not measured:",
        M::UploadNotMeasuredNothing => "Upload not measured: nothing is reachable from this network.",
        M::UploadRateDuringThe => "Upload rate during the measurement",
        M::Venue => "Venue",
        M::VenueFrLieu => "Venue:",
        M::VenueS => "venue(s)",
        M::Verdict => "Verdict:",
        M::Warning => "warning",
        M::WarningTheProgramRuns => "Warning: the program runs from inside a zip file. Use \"Extract all\" and start it from the extracted folder, or its settings and reports are lost.",
        M::WebSocket => "WebSocket:",
        M::WebSocketsAreRefusedBy => "WebSockets are refused by a filter",
        M::WhatDoesNotGet => "What does not get through:",
        M::WhileUploading => "while uploading",
        M::WhomToContact => "Whom to contact",
        M::Why => "why:",
        M::WhyThisDesk => "Why this desk:",
        M::WorksOnlyThroughA => "works only through a fallback:",
    }
}

// Sentences with values (written by hand; scripts/messages.py keeps what follows this line).

pub struct En;

impl super::Words for En {
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
