//! The JSON report (`preflight-report/1`, see `shared/contract.md`).

use super::{Outcome, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Venue {
    pub label: Option<String>,
    pub uai: Option<String>,
    pub department: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformReport {
    pub id: String,
    pub name: String,
    pub verdict: Verdict,
    pub summary: String,
    /// Why the verdict is what it is: one line per finding, in the report's language.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// What to know beside the verdict, in the report's language: what was not tested, names
    /// that no longer exist, answers that differ from the profile, where a relay could not be
    /// located, the fallback when media cannot get out.
    #[serde(default)]
    pub notes: Vec<String>,
    pub probes: Vec<Outcome>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub public_ip: Option<String>,
    pub resolver: Option<String>,
    pub proxy: Option<String>,
    /// What is wrong with the network itself (no DNS, no internet, a captive portal), stated
    /// before any platform; null when nothing is.
    #[serde(default)]
    pub finding: Option<NetworkFinding>,
    /// Probes of the network itself (proxy discovery, the proxy's own test page).
    #[serde(default)]
    pub probes: Vec<Outcome>,
}

/// `network.finding` of the JSON report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkFinding {
    /// `no_dns`, `no_internet` or `captive_portal`.
    pub class: String,
    /// What it means and what to do, in the report's language.
    pub message: String,
    /// The sign-in page, for a captive portal.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub portal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bandwidth {
    pub upload_kbps: Option<f64>,
    pub peer: Option<String>,
    pub duration_ms: Option<u64>,
    pub loaded_rtt_ms: Option<f64>,
    pub needed_kbps: Option<f64>,
    pub fits: Option<String>,
    /// Throughput over the test, every sample.
    #[serde(default)]
    pub timeline: Vec<RatePoint>,
    /// Round-trip times measured while the upload ran.
    #[serde(default)]
    pub latency_timeline: Vec<RttPoint>,
    /// The UDP test at media rate, when it was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_udp: Option<MediaUdpReport>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `bandwidth.media_udp`: the UDP test at media rate, its figures or why it was not measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaUdpReport {
    pub target_kbps: f64,
    /// The platform whose stream the rate stands for.
    pub platform: String,
    pub peer: String,
    #[serde(flatten, default)]
    pub stats: Option<MediaStats>,
    /// Why it was not measured, in English (the machine-read fields' language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_measured: Option<String>,
    /// The same, typed, for the report's own language (not on the wire).
    #[serde(skip)]
    pub why: Option<NotMeasured>,
}

/// What the stream at media rate saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaStats {
    pub sent: usize,
    pub received: usize,
    pub packet_bytes: usize,
    pub loss_pct: f64,
    pub jitter_ms: f64,
    pub received_kbps: f64,
    pub duration_ms: u64,
    /// The uplink queued (delay rose by more than 40 ms): the stream was stopped there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub congested: bool,
    /// Answers that were not acknowledgements of ours.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub garbage: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Why the UDP test at media rate did not run (worded in `report/errors.rs`; the report's
/// `not_measured` holds its English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotMeasured {
    /// The measurement peer could not be reached at all.
    Unreachable,
    /// The peer is M-Lab's, which has no UDP echo.
    NoEchoAtMLab,
    /// The peer's name has no address (the DNS probe's message, when it has one).
    NoAddress { host: String, why: Option<String> },
    /// No UDP socket towards it (the probe's message).
    Socket(String),
    /// Its STUN server (which names itself `software`, when it does) is not preflight serve.
    NotEcho {
        peer: String,
        software: Option<String>,
    },
    /// ICMP port unreachable.
    Refused { peer: String },
    /// No STUN answer at all.
    NoAnswer { peer: String },
}

/// One point of the upload timeline: kbit/s at `t_ms` since the start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatePoint {
    pub t_ms: f64,
    pub kbps: f64,
}

/// One round-trip time measured `t_ms` after the upload started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RttPoint {
    pub t_ms: f64,
    pub rtt_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Firewall {
    pub family: String,
    /// The family's name as `profiles/firewalls.toml` gives it (absent for `unknown`/`none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub confidence: f64,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Support {
    pub desk: String,
    pub contact: Option<String>,
    pub why: String,
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub tool: Tool,
    pub started_at: String,
    pub duration_ms: u64,
    pub lang: String,
    pub venue: Venue,
    pub verdict: Verdict,
    /// True when the run was stopped (Ctrl-C) before every probe finished.
    #[serde(default)]
    pub partial: bool,
    pub platforms: Vec<PlatformReport>,
    pub network: Network,
    pub bandwidth: Option<Bandwidth>,
    pub firewall: Firewall,
    pub support: Option<Support>,
    /// Things the user should know that are not probe results (skipped platforms, ...).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Report {
    pub fn exit_code(&self) -> i32 {
        self.verdict.exit_code()
    }

    /// The whole report, inert: every string it holds (what the network, the files and the
    /// options put there, and what was composed from them).
    pub fn inert(&self) -> Report {
        let Ok(mut v) = serde_json::to_value(self) else {
            return self.clone();
        };
        crate::inert::walk(&mut v, crate::inert::text);
        let Ok(mut back) = serde_json::from_value::<Report>(v) else {
            return self.clone();
        };
        // What is not on the wire comes back as it was: every outcome's facts (addresses, names
        // the profiles and options gave, codes; the network's words in them were made inert
        // where they were read) and why the media test did not run.
        let facts = |r: &Report| -> Vec<crate::model::Facts> {
            r.platforms
                .iter()
                .flat_map(|p| &p.probes)
                .chain(&r.network.probes)
                .map(|o| o.facts.clone())
                .collect()
        };
        let before = facts(self);
        let probes = back
            .platforms
            .iter_mut()
            .flat_map(|p| &mut p.probes)
            .chain(&mut back.network.probes);
        for (o, f) in probes.zip(before) {
            o.facts = f;
        }
        if let (Some(b), Some(m)) = (&mut back.bandwidth, &self.bandwidth)
            && let (Some(bu), Some(mu)) = (&mut b.media_udp, &m.media_udp)
        {
            bu.why = mu.why.clone();
        }
        back
    }
}
