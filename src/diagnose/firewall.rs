//! Which firewall is in the way: a pure function of the clues the probes left in their data,
//! matched against `profiles/firewalls.toml`.

use crate::model::{ErrorClass, Outcome, ProbeKind, Status, Transport};

pub use crate::profile::firewalls::{
    CLUE_HEADERS, ClueKind, Confidence, Family, Fingerprints, Sign,
};

/// One thing a filtering network betrayed, and where it was seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Clue {
    pub kind: ClueKind,
    pub value: String,
    pub seen: String,
}

/// Collect the clues from the outcomes: only answers that are not the service's count.
pub fn clues(outcomes: &[Outcome]) -> Vec<Clue> {
    let mut out: Vec<Clue> = Vec::new();
    let mut push = |kind, value: &str, seen: &str| {
        if !value.is_empty() && !out.iter().any(|c| c.kind == kind && c.value == value) {
            out.push(Clue {
                kind,
                value: value.to_string(),
                seen: seen.to_string(),
            });
        }
    };
    for o in outcomes {
        let class = o.class();
        let seen = format!("{} {}", o.kind.as_str(), o.target);
        if class == Some(ErrorClass::TlsInterception)
            && let Some(i) = o.data_str("issuer")
        {
            push(ClueKind::Issuer, i, &seen);
        }
        if class == Some(ErrorClass::DnsSinkhole)
            && let Some(a) = o.data.get("addresses").and_then(|a| a.as_array())
        {
            for v in a.iter().filter_map(|v| v.as_str()) {
                push(ClueKind::Sinkhole, v, &seen);
            }
        }
        // Headers and titles only from answers that were judged not to be the service.
        // (An inspected answer is the service's, relayed by the box: only its issuer is a clue.)
        let foreign = matches!(
            class,
            Some(
                ErrorClass::BlockPage
                    | ErrorClass::HttpStatus
                    | ErrorClass::UpgradeRefused
                    | ErrorClass::ProxyRefused
                    | ErrorClass::ProxyAuth
                    | ErrorClass::ProxyRequired
            )
        ) || o.kind == ProbeKind::Proxy;
        if foreign {
            // A filter's own test page says what it is through the test (below): its title
            // would count the same answer twice.
            if let Some(t) = o
                .data_str("title")
                .filter(|_| o.facts.filter_test.is_none())
            {
                push(
                    ClueKind::Title,
                    &crate::probe::http::decode_entities(t),
                    &seen,
                );
            }
            if let Some(h) = o.data.get("headers").and_then(|h| h.as_object()) {
                for (name, kind) in CLUE_HEADERS {
                    if let Some(v) = h.get(name).and_then(|v| v.as_str()) {
                        push(kind, v, &seen);
                    }
                }
            }
            if let Some(m) = o.data_str("proxy_marker") {
                let (k, v) = m.split_once(": ").unwrap_or(("", m));
                push(ClueKind::of_header(k).unwrap_or(ClueKind::Server), v, &seen);
            }
        }
        if o.kind == ProbeKind::Proxy
            && let Some(p) = o.data_str("proxy")
        {
            push(ClueKind::Proxy, p, &seen);
        }
        if let Some(p) = &o.facts.filter_test {
            push(ClueKind::Test, p, &seen);
        }
    }
    out
}

/// What the pattern of failures says, whatever the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// UDP fails towards the media relays while TCP or TLS reaches them.
    UdpBlockedToRelays,
    /// Towards the media relays, TLS on 443 gets through and TCP 3478 does not.
    Only443ToRelays,
}

/// One piece of evidence for the firewall, as the diagnosis holds it (the report words it).
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    Clue(Clue),
    Pattern(Pattern),
}

/// The likely firewall: family id (`none`, `unknown`, or a family of the fingerprints), its
/// name, how sure, and the evidence, strongest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Identification {
    pub family: String,
    pub name: Option<String>,
    pub confidence: f64,
    pub evidence: Vec<Evidence>,
}

fn patterns(outcomes: &[Outcome]) -> Vec<Pattern> {
    let relay = |t: Transport| {
        outcomes.iter().filter(move |o| {
            matches!(o.kind, ProbeKind::Turn | ProbeKind::Stun) && o.transport == Some(t)
        })
    };
    let works = |t: Transport| relay(t).any(|o| o.works());
    let fails = |t: Transport| relay(t).count() > 0 && !works(t);
    let mut out = Vec::new();
    if fails(Transport::Udp) && (works(Transport::Tcp) || works(Transport::Tls)) {
        out.push(Pattern::UdpBlockedToRelays);
    }
    if fails(Transport::Tcp) && works(Transport::Tls) {
        out.push(Pattern::Only443ToRelays);
    }
    out
}

/// Nothing in the way: what a network where every platform is ready gets, whatever a probe that
/// does not count (an unverified endpoint, a stale name) met.
pub fn none(fp: &Fingerprints) -> Identification {
    Identification {
        family: "none".into(),
        name: None,
        confidence: fp.confidence.none,
        evidence: vec![],
    }
}

pub fn identify(fp: &Fingerprints, outcomes: &[Outcome]) -> Identification {
    let clues = clues(outcomes);
    let mut best: Option<(&Family, f64, Vec<&Clue>)> = None;
    for f in &fp.family {
        let mut score = 0.0;
        let mut used = Vec::new();
        // The product answering its own test page, then the signs.
        for t in &f.test {
            if let Some(c) = clues
                .iter()
                .find(|c| c.kind == ClueKind::Test && c.value.eq_ignore_ascii_case(&t.product))
            {
                score += t.weight;
                used.push(c);
            }
        }
        for s in &f.sign {
            let needle = s.contains.to_lowercase();
            if let Some(c) = clues
                .iter()
                .find(|c| c.kind == s.field && c.value.to_lowercase().contains(&needle))
            {
                score += s.weight;
                if !used.contains(&c) {
                    used.push(c);
                }
            }
        }
        if score > 0.0 && best.as_ref().is_none_or(|b| score > b.1) {
            best = Some((f, score, used));
        }
    }
    let patterns: Vec<Evidence> = patterns(outcomes)
        .into_iter()
        .map(Evidence::Pattern)
        .collect();
    let anything_failed = outcomes
        .iter()
        .any(|o| o.status == Status::Fail || o.status == Status::Warn);
    let c = &fp.confidence;
    let unknown = |confidence, evidence| Identification {
        family: "unknown".into(),
        name: None,
        confidence,
        evidence,
    };
    match best {
        Some((f, score, used)) if score >= c.claim => {
            let mut evidence: Vec<Evidence> =
                used.iter().map(|c| Evidence::Clue((*c).clone())).collect();
            evidence.extend(
                clues
                    .iter()
                    .filter(|c| !used.contains(c))
                    .map(|c| Evidence::Clue(c.clone())),
            );
            evidence.extend(patterns);
            Identification {
                family: f.id.clone(),
                name: Some(f.name.clone()),
                confidence: (score.min(c.cap) * 100.0).round() / 100.0,
                evidence,
            }
        }
        _ if anything_failed && (!clues.is_empty() || !patterns.is_empty()) => {
            let mut evidence: Vec<Evidence> = clues.into_iter().map(Evidence::Clue).collect();
            evidence.extend(patterns);
            unknown(c.unknown_with_evidence, evidence)
        }
        _ if anything_failed => unknown(c.unknown, vec![]),
        _ => none(fp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fp() -> Fingerprints {
        Fingerprints::bundled().unwrap()
    }

    fn block_page(title: &str, server: &str) -> Outcome {
        let mut o = Outcome::new(
            ProbeKind::Https,
            "https://app.livestorm.co/",
            Some(Transport::Tls),
        )
        .fail(ErrorClass::BlockPage, "x");
        o.set("title", title);
        o.set("headers", json!({ "server": server }));
        o
    }

    #[test]
    fn a_proxy_answering_e2guardians_test_page_is_amon() {
        let test = Outcome::new(
            ProbeKind::Proxy,
            "http://internal.test.e2guardian.org/ via p:3128",
            Some(Transport::Tcp),
        )
        .with("e2guardian", true)
        .with("title", "e2guardian internal test");
        let mut test = test;
        test.facts.filter_test = Some("e2guardian".into());
        let mut udp = Outcome::new(ProbeKind::Turn, "turn:h:3478", Some(Transport::Udp));
        udp = udp.fail(ErrorClass::Timeout, "t");
        let f = identify(&fp(), &[test.clone(), udp.clone()]);
        assert_eq!(f.family, "amon");
        assert_eq!(f.confidence, 0.6);
        assert!(
            matches!(&f.evidence[0], Evidence::Clue(c) if c.kind == ClueKind::Test && c.value == "e2guardian"),
            "{f:?}"
        );
        // The test page's own title is the same answer: not a second clue.
        assert!(
            !clues(std::slice::from_ref(&test))
                .iter()
                .any(|c| c.kind == ClueKind::Title),
            "{f:?}"
        );
        // The weight is the data's: a lighter test no longer names the family.
        let mut light = fp();
        for fam in &mut light.family {
            for t in &mut fam.test {
                t.weight = 0.1;
            }
        }
        assert_eq!(identify(&light, &[test, udp]).family, "unknown");
    }

    #[test]
    fn e2guardian_page_is_amon() {
        let f = identify(
            &fp(),
            &[block_page("e2guardian - Acc&eagrav;s interdit", "")],
        );
        assert_eq!(f.family, "amon");
        assert!(f.confidence >= 0.6);
        assert!(
            matches!(&f.evidence[0], Evidence::Clue(c) if c.kind == ClueKind::Title && c.value.contains("e2guardian")),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn squid_refusal_is_amon_family_before_plain_squid() {
        let mut o = Outcome::new(ProbeKind::Websocket, "wss://h/x", None)
            .fail(ErrorClass::UpgradeRefused, "x");
        o.set("proxy_marker", "Server: squid/5.7");
        let f = identify(&fp(), &[o]);
        assert_eq!(f.family, "amon");
    }

    #[test]
    fn interception_issuer_names_the_vendor() {
        let mut o =
            Outcome::new(ProbeKind::Tls, "h:443", None).fail(ErrorClass::TlsInterception, "x");
        o.set("issuer", "Fortinet_CA_SSL");
        let f = identify(&fp(), &[o]);
        assert_eq!(f.family, "fortinet");
        assert!(
            fp().interception_names()
                .contains(&"Fortinet_CA_SSL".to_string())
        );
    }

    #[test]
    fn service_headers_are_not_clues() {
        let mut ok = Outcome::new(ProbeKind::Https, "https://h/", None);
        ok.set("headers", json!({"server": "squid"}));
        assert_eq!(identify(&fp(), &[ok]).family, "none");
    }

    #[test]
    fn udp_blocked_pattern_is_unknown_with_evidence() {
        let udp = Outcome::new(ProbeKind::Turn, "turn:h:3478", Some(Transport::Udp))
            .fail(ErrorClass::Timeout, "x");
        let tcp = Outcome::new(
            ProbeKind::Turn,
            "turn:h:3478?transport=tcp",
            Some(Transport::Tcp),
        );
        let f = identify(&fp(), &[udp, tcp]);
        assert_eq!(f.family, "unknown");
        assert_eq!(f.evidence, [Evidence::Pattern(Pattern::UdpBlockedToRelays)]);
        assert_eq!(f.confidence, fp().confidence.unknown_with_evidence);
    }
}
