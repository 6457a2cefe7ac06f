//! What is wrong with the network itself, decided before any platform is judged: no DNS at all,
//! no internet at all, or a captive portal to sign in to first. A pure function of the
//! outcomes; each claim needs positive evidence.
//!
//! - `no_dns`: every lookup went unanswered (the resolver is silent or unreachable), or this
//!   computer has no resolver configured;
//! - `no_internet`: no name resolves and none of the addresses tried without DNS answers, or the
//!   resolver answers but nothing at all is reachable;
//! - `captive_portal`: plain HTTP to a platform's host is redirected to another host or address
//!   while HTTPS gets nowhere: a guest Wi-Fi waiting for its sign-in page.

use crate::model::{ErrorClass, Outcome, ProbeKind};

pub use crate::profile::network::NetworkFacts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkClass {
    NoDns,
    NoInternet,
    CaptivePortal,
}

impl NetworkClass {
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkClass::NoDns => "no_dns",
            NetworkClass::NoInternet => "no_internet",
            NetworkClass::CaptivePortal => "captive_portal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkFinding {
    pub class: NetworkClass,
    /// The sign-in page a captive portal sends browsers to.
    pub portal: Option<String>,
}

/// A lookup the resolver never answered (or that had no resolver to ask).
fn unanswered(o: &Outcome) -> bool {
    matches!(
        o.class(),
        Some(
            ErrorClass::Timeout | ErrorClass::Unreachable | ErrorClass::Refused | ErrorClass::Local
        )
    )
}

/// A failure that is itself an answer from something on the way (a filter's page, a proxy's
/// refusal, an inspecting box's certificate): the network leads somewhere.
fn answered(o: &Outcome) -> bool {
    matches!(
        o.class(),
        Some(
            ErrorClass::BlockPage
                | ErrorClass::HttpStatus
                | ErrorClass::ProxyAuth
                | ErrorClass::ProxyRefused
                | ErrorClass::UpgradeRefused
                | ErrorClass::TlsInterception
                | ErrorClass::CertInvalid
                | ErrorClass::NoRelay
        )
    )
}

/// `probes`: every probe of the run, the platforms' and the network's (proxy discovery, the
/// portal check, the addresses tried without DNS: kind `tcp` with `data.control`).
pub fn finding(probes: &[Outcome]) -> Option<NetworkFinding> {
    let lookups: Vec<&Outcome> = probes
        .iter()
        .filter(|o| o.kind == ProbeKind::Dns && o.data.get("literal").is_none())
        .collect();
    let https_works = probes
        .iter()
        .any(|o| matches!(o.kind, ProbeKind::Https | ProbeKind::Websocket) && o.works());
    // A captive portal: plain HTTP redirected elsewhere, HTTPS going nowhere.
    if !https_works
        && let Some(portal) = probes.iter().find_map(|o| {
            (o.kind == ProbeKind::Http && o.data.get("redirected_elsewhere").is_some())
                .then(|| o.data_str("location").map(str::to_string))
                .flatten()
        })
    {
        return Some(NetworkFinding {
            class: NetworkClass::CaptivePortal,
            portal: Some(portal),
        });
    }
    if lookups.is_empty() {
        return None;
    }
    let resolved = lookups.iter().any(|o| o.works());
    if !resolved && lookups.iter().all(|o| unanswered(o)) {
        return Some(NetworkFinding {
            class: NetworkClass::NoDns,
            portal: None,
        });
    }
    // Reached: anything that answered beyond the resolver (a TCP handshake, a relay, an
    // address tried without DNS, the proxy's own answer).
    let reached = probes.iter().any(|o| {
        (o.works()
            && !matches!(o.kind, ProbeKind::Dns)
            && !(o.kind == ProbeKind::Proxy && o.target == "discovery")
            && o.status != crate::model::Status::Skipped)
            || answered(o)
    });
    if !reached {
        return Some(NetworkFinding {
            class: NetworkClass::NoInternet,
            portal: None,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Transport;

    fn dns(class: Option<ErrorClass>) -> Outcome {
        let o = Outcome::new(ProbeKind::Dns, "h.example", Some(Transport::Udp));
        match class {
            Some(c) => o.fail(c, "x"),
            None => o,
        }
    }

    fn tcp(ok: bool) -> Outcome {
        let o = Outcome::new(ProbeKind::Tcp, "h.example:443", Some(Transport::Tcp));
        if ok {
            o
        } else {
            o.fail(ErrorClass::Timeout, "x")
        }
    }

    fn control(ok: bool) -> Outcome {
        tcp(ok).with("control", true)
    }

    #[test]
    fn a_silent_resolver_is_no_dns() {
        let f = finding(&[
            dns(Some(ErrorClass::Timeout)),
            dns(Some(ErrorClass::Timeout)),
        ]);
        assert_eq!(f.unwrap().class, NetworkClass::NoDns);
        // No resolver configured at all.
        let f = finding(&[dns(Some(ErrorClass::Local))]);
        assert_eq!(f.unwrap().class, NetworkClass::NoDns);
        // One answered: the resolver works.
        assert!(finding(&[dns(Some(ErrorClass::Timeout)), dns(None), tcp(true)]).is_none());
    }

    #[test]
    fn nothing_resolves_and_nothing_answers_is_no_internet() {
        let nx = dns(Some(ErrorClass::Nxdomain));
        let f = finding(&[nx.clone(), nx.clone(), control(false)]);
        assert_eq!(f.unwrap().class, NetworkClass::NoInternet);
        // An address tried without DNS answers: the internet is there, the names are not
        // (a DNS filter): not a network-level finding, the platforms say it.
        assert!(finding(&[nx.clone(), control(true)]).is_none());
        // Names resolve, nothing connects: no internet either.
        let f = finding(&[dns(None), tcp(false), tcp(false)]);
        assert_eq!(f.unwrap().class, NetworkClass::NoInternet);
        // An open network.
        assert!(finding(&[dns(None), tcp(true)]).is_none());
    }

    #[test]
    fn a_proxy_or_a_filter_that_answers_is_not_no_internet() {
        // AMON with direct egress closed and the platform banned: names resolve, nothing
        // connects directly, the proxy answers its own test page.
        let proxy = Outcome::new(
            ProbeKind::Proxy,
            "http://internal.test.e2guardian.org/ via proxy:3128",
            Some(Transport::Tcp),
        );
        assert!(finding(&[dns(None), tcp(false), proxy]).is_none());
        // Only the discovery worked (the WPAD file is on the local network): no answer from
        // beyond it.
        let discovery = Outcome::new(ProbeKind::Proxy, "discovery", Some(Transport::Tcp));
        let f = finding(&[dns(None), tcp(false), discovery]);
        assert_eq!(f.unwrap().class, NetworkClass::NoInternet);
        // A filter's page is an answer from something on the way.
        let page = Outcome::new(ProbeKind::Https, "https://h.example/", Some(Transport::Tls))
            .fail(ErrorClass::BlockPage, "x");
        assert!(finding(&[dns(None), tcp(false), page]).is_none());
    }

    #[test]
    fn plain_http_redirected_elsewhere_with_https_nowhere_is_a_captive_portal() {
        let portal = Outcome::new(ProbeKind::Http, "http://h.example/", Some(Transport::Tcp))
            .with("location", "http://10.0.0.1/login?orig=h.example")
            .with("redirected_elsewhere", true);
        let https = Outcome::new(ProbeKind::Https, "https://h.example/", Some(Transport::Tls))
            .fail(ErrorClass::Timeout, "x");
        let f = finding(&[dns(None), portal.clone(), https]).unwrap();
        assert_eq!(f.class, NetworkClass::CaptivePortal);
        assert_eq!(
            f.portal.as_deref(),
            Some("http://10.0.0.1/login?orig=h.example")
        );
        // The same redirect while HTTPS works is a service's own choice, not a portal.
        let https_ok = Outcome::new(ProbeKind::Https, "https://h.example/", Some(Transport::Tls));
        assert!(finding(&[dns(None), portal, https_ok]).is_none());
    }
}
