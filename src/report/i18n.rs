//! The words of the human reports, in French and English: one small table, no framework
//! (as trippy does). Every user-facing sentence of the text report lives here.

use crate::model::{ErrorClass, ProbeKind, Status, Verdict};
use crate::report::messages::{M, msg, words};

pub use crate::lang::Lang;

/// A platform left untested because it needs its server's name.
pub fn untested_needs_server(platform: &str, l: Lang) -> String {
    format!("{platform} {}", msg(l, M::NotTestedNameThe))
}

/// The upload was not measured: nothing reachable (`None`), or why.
pub fn upload_not_measured(why: Option<&str>, l: Lang) -> String {
    match why {
        None => msg(l, M::UploadNotMeasuredNothing).to_string(),
        Some(why) => format!("{} {why}", msg(l, M::UploadNotMeasured)),
    }
}

/// The progress line during the measurements.
pub fn measuring(l: Lang) -> &'static str {
    msg(l, M::MeasuringPathQualityAnd)
}

/// A platform's summary when Ctrl-C stopped the run before it could tell.
pub fn interrupted(l: Lang) -> &'static str {
    msg(l, M::InterruptedCtrlCBefore)
}

pub fn verdict(v: Verdict, l: Lang) -> &'static str {
    match v {
        Verdict::Ready => msg(l, M::Ready),
        Verdict::Degraded => msg(l, M::Degraded),
        Verdict::Blocked => msg(l, M::Blocked),
        Verdict::Incomplete => msg(l, M::IncompleteInterrupted),
    }
}

/// The kind of school, as people write it.
pub fn kind(k: &str, l: Lang) -> &str {
    match k {
        "ecole" => msg(l, M::EcolePrimarySchool),
        "college" => msg(l, M::CollegeMiddleSchool),
        "lycee" => msg(l, M::LyceeHighSchool),
        "other" => msg(l, M::Other),
        other => other,
    }
}

pub fn status(s: Status, l: Lang) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Warn => msg(l, M::Warning),
        Status::Fail => msg(l, M::Failed),
        Status::Skipped => msg(l, M::Skipped),
    }
}

pub fn step(k: ProbeKind, l: Lang) -> &'static str {
    match k {
        ProbeKind::Dns => "DNS",
        ProbeKind::Tcp => "TCP",
        ProbeKind::Tls => "TLS",
        ProbeKind::Https => "HTTPS",
        ProbeKind::Websocket => "WebSocket",
        ProbeKind::Stun => "STUN",
        ProbeKind::Turn => msg(l, M::TURNMediaRelay),
        ProbeKind::UdpQuality => msg(l, M::UDPQuality),
        ProbeKind::Bandwidth => msg(l, M::Upload),
        ProbeKind::Proxy => "proxy",
        ProbeKind::Http => "HTTP",
    }
}

/// What a failure class means, in plain words.
pub fn class_meaning(c: ErrorClass, l: Lang) -> &'static str {
    use ErrorClass::*;
    match c {
        Timeout => msg(l, M::NoAnswerInTime),
        Refused => msg(l, M::ConnectionRefusedAFirewall),
        Reset => msg(l, M::TheConnectionWasCut),
        Unreachable => msg(l, M::ServerUnreachableNoRoute),
        Nxdomain => msg(l, M::NameMissingForThisDns),
        Servfail => msg(l, M::TheDNSServerFails),
        NoAnswer => msg(l, M::TheDNSGivesNo),
        DnsSinkhole => msg(l, M::TheNetworkSDNS),
        TlsInterception => msg(l, M::EncryptionIsInterceptedA),
        CertInvalid => msg(l, M::InvalidCertificateExpiredOr),
        TlsHandshake => msg(l, M::TheTLSHandshakeFailed),
        HttpStatus => msg(l, M::TheServerAnswersWith),
        BlockPage => msg(l, M::AFilteringPageAnswers),
        ProxyRequired => msg(l, M::DirectAccessIsClosed),
        ProxyAuth => msg(l, M::TheProxyAsksFor),
        ProxyRefused => msg(l, M::TheProxyRefusesThis),
        UpgradeRefused => msg(l, M::WebSocketsAreRefusedBy),
        NoRelay => msg(l, M::ThePortAnswersBut),
        NoResponse => msg(l, M::NoUsableAnswer),
        Malformed => msg(l, M::UnintelligibleAnswerNotThe),
        TooLarge => msg(l, M::OversizedAnswerAbandoned),
        Closed => msg(l, M::TheConnectionClosedWithout),
        Local => msg(l, M::TheTestCouldNot),
        Insufficient => msg(l, M::NotEnoughForThe),
        Stalled => msg(l, M::TheMeasurementPeerStopped),
        PoorQuality => msg(l, M::LossJitterOrLatency),
        Interrupted => msg(l, M::StoppedBeforeTheEnd),
        LatencyUnderLoad => msg(l, M::LatencyRisesSharplyWhen),
    }
}

/// A trusted answer that differs from the profile: the service was reached; the profile may be
/// stale. `u` is the probe's `unexpected_answer` (`status`, `location`, `missing`).
pub fn unexpected_answer(u: &serde_json::Value, l: Lang) -> String {
    let status = u.get("status").and_then(|v| v.as_u64()).unwrap_or(0);
    let detail = match (
        u.get("location").and_then(|v| v.as_str()),
        u.get("missing").and_then(|v| v.as_str()),
    ) {
        (Some(loc), _) => words(l).http_to(status, loc),
        (None, Some(m)) => words(l).http_without(status, m),
        (None, None) => format!("HTTP {status}"),
    };
    words(l).unexpected_answer(&detail)
}

/// What a network-level finding means and what to do, for the speaker (`resolver`: how the
/// report describes the resolver, e.g. `system (192.168.1.1)`).
pub fn network_message(
    f: &crate::diagnose::network::NetworkFinding,
    resolver: &str,
    l: Lang,
) -> String {
    use crate::diagnose::network::NetworkClass;
    let none = resolver.starts_with("none");
    match f.class {
        NetworkClass::NoDns if none => msg(l, M::NoDNSServerIs).into(),
        NetworkClass::NoDns => words(l).dns_silent(resolver),
        NetworkClass::NoInternet => msg(l, M::ThisNetworkDoesNot).into(),
        NetworkClass::CaptivePortal => words(l).captive_portal(f.portal.as_deref().unwrap_or("?")),
    }
}

/// What to do, in one sentence, after the verdict.
pub fn action(r: &crate::model::Report, l: Lang) -> String {
    if let Some(f) = &r.network.finding {
        return f.message.clone();
    }
    let desk = r.support.as_ref().map(|s| s.desk.as_str()).unwrap_or("");
    match r.verdict {
        Verdict::Ready => msg(l, M::NothingToDoThe).into(),
        Verdict::Degraded => words(l).action_degraded(desk),
        Verdict::Blocked => words(l).action_blocked(desk),
        Verdict::Incomplete => msg(l, M::CheckInterruptedCtrlC).into(),
    }
}

/// The likely firewall as people name it.
pub fn firewall(f: &crate::model::Firewall, l: Lang) -> String {
    match (&f.name, f.family.as_str()) {
        (Some(n), _) => n.clone(),
        (None, "unknown") => msg(l, M::NotIdentified).into(),
        (None, "none") => msg(l, M::NoneWord).into(),
        (None, other) => other.to_string(),
    }
}

static LOCAL_OFFSET: std::sync::OnceLock<time::UtcOffset> = std::sync::OnceLock::new();

/// Remember this computer's offset from UTC, read while the program has one thread (the time
/// crate refuses to read it later on Unix). Without it, times are shown in UTC.
pub fn set_local_offset(o: time::UtcOffset) {
    let _ = LOCAL_OFFSET.set(o);
}

/// A report's RFC 3339 time as the reader reads it: local time, with its offset
/// (`24/11/2026 15:03 (UTC+01:00)`, `2026-11-24 15:03 (UTC+01:00)`).
pub fn local_time(rfc3339: &str, l: Lang) -> String {
    use time::format_description::well_known::Rfc3339;
    let Ok(t) = time::OffsetDateTime::parse(rfc3339, &Rfc3339) else {
        return rfc3339.to_string();
    };
    let offset = LOCAL_OFFSET.get().copied().unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(offset);
    let (h, m, _) = offset.as_hms();
    let zone = format!(
        "UTC{}{:02}:{:02}",
        if h < 0 || m < 0 { '-' } else { '+' },
        h.unsigned_abs(),
        m.unsigned_abs()
    );
    match t.format(words(l).date_format()) {
        Ok(s) => format!("{s} ({zone})"),
        Err(_) => rfc3339.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_the_readers_zone_with_the_offset() {
        // No offset known (a test's threads): UTC, said as such.
        assert_eq!(
            local_time("2026-11-24T14:03:00Z", Lang::Fr),
            "24/11/2026 14:03 (UTC+00:00)"
        );
        assert_eq!(
            local_time("2026-11-24T14:03:00Z", Lang::En),
            "2026-11-24 14:03 (UTC+00:00)"
        );
        assert_eq!(local_time("not a date", Lang::En), "not a date");
    }
}
