//! What a ticket asks the network's keepers to open or change: the failures that count, the
//! flows by host, and the other changes (DNS, inspection, WebSockets, proxy).

use crate::lang::Lang;
use crate::model::{ErrorClass, Outcome, ProbeKind, Report, Status, Transport, Verdict};
use crate::report::messages::{M, msg, words};

/// The failures a ticket lists: the root ones (not the probes skipped because of them).
pub fn root_failures(r: &Report) -> Vec<(&str, &Outcome)> {
    let mut seen: Vec<(&str, &str, Option<Transport>)> = Vec::new();
    let mut out = Vec::new();
    for p in r.platforms.iter().filter(|p| p.verdict != Verdict::Ready) {
        for o in &p.probes {
            // Measurements are not flows to open; what does not count in the verdict (a TURN
            // port never given to browsers, another version's endpoint, a stale name) is not
            // asked for either.
            if !matches!(o.status, Status::Fail | Status::Warn)
                || matches!(o.kind, ProbeKind::Bandwidth | ProbeKind::UdpQuality)
                || o.data.contains_key("not_counted")
            {
                continue;
            }
            let key = (o.kind.as_str(), o.target.as_str(), o.transport);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            out.push((p.name.as_str(), o));
        }
    }
    out
}

/// Host and port a probe aimed at (a name alone, port 0, for DNS).
fn host_port(o: &Outcome) -> (String, u16) {
    o.facts.aim.clone().unwrap_or_else(|| (o.target.clone(), 0))
}

/// What to ask for: one line per host, the flows to open, and what else to change.
pub fn requests(r: &Report, failures: &[(&str, &Outcome)], l: Lang) -> Vec<String> {
    // Behind a proxy, the browser reaches web hosts through it: a direct connection that
    // fails there is evidence, not a request. Relays are the exception the services publish.
    let proxied = r.network.proxy.is_some();
    let relay_hosts: Vec<String> = r
        .platforms
        .iter()
        .flat_map(|p| p.probes.iter())
        .filter(|o| o.kind == ProbeKind::Turn)
        .map(|o| host_port(o).0)
        .collect();
    let mut opens: Vec<(String, Vec<String>, bool)> = Vec::new();
    let mut other: Vec<String> = Vec::new();
    let mut add_other = |line: String| {
        if !other.contains(&line) {
            other.push(line);
        }
    };
    for (_, o) in failures {
        let Some(class) = o.class() else { continue };
        let (host, port) = host_port(o);
        // A name is not a flow: a lookup that failed asks about the name or the resolver.
        if o.kind == ProbeKind::Dns
            && !matches!(
                class,
                ErrorClass::DnsSinkhole
                    | ErrorClass::Nxdomain
                    | ErrorClass::NoAnswer
                    | ErrorClass::Servfail
            )
        {
            if matches!(
                class,
                ErrorClass::Timeout | ErrorClass::Unreachable | ErrorClass::Refused
            ) {
                let resolver = r.network.resolver.as_deref().unwrap_or("?");
                add_other(words(l).ask_resolver_answers(resolver, &host));
            }
            continue;
        }
        match class {
            ErrorClass::DnsSinkhole
            | ErrorClass::Nxdomain
            | ErrorClass::NoAnswer
            | ErrorClass::Servfail => {
                add_other(words(l).ask_resolve(&host));
                continue;
            }
            ErrorClass::TlsInterception => {
                add_other(words(l).ask_no_inspection(&host));
                continue;
            }
            ErrorClass::UpgradeRefused => {
                add_other(words(l).ask_websockets(&host));
                continue;
            }
            ErrorClass::ProxyAuth => {
                add_other(msg(l, M::AllowTheseHostsWithout).to_string());
            }
            ErrorClass::ProxyRefused => {
                add_other(words(l).ask_proxy_allows(&host));
                continue;
            }
            _ => {}
        }
        let direct = !o.data.contains_key("path");
        if proxied && direct && o.transport != Some(Transport::Udp) {
            if relay_hosts.contains(&host) {
                add_other(words(l).ask_relay_direct(&host, port));
            }
            continue;
        }
        if o.data.get("stand_in").is_some_and(|v| v == true) {
            // A public server stood in for the platform's unpublished ones: ask for the port.
            let proto = o
                .transport
                .map(|t| t.as_str().to_uppercase())
                .unwrap_or_default();
            add_other(words(l).ask_open_outbound(&proto, port));
            continue;
        }
        let relay = matches!(o.kind, ProbeKind::Turn) || port == 3478;
        let flow = match (o.kind, o.transport) {
            (ProbeKind::Https | ProbeKind::Websocket, _) => format!("HTTPS {port}"),
            (_, Some(Transport::Udp)) => format!("UDP {port}"),
            (_, Some(Transport::Tls)) => format!("TLS {port}"),
            _ => format!("TCP {port}"),
        };
        match opens.iter_mut().find(|(h, _, _)| *h == host) {
            Some((_, flows, r)) => {
                if !flows.contains(&flow) {
                    flows.push(flow);
                }
                *r |= relay;
            }
            None => opens.push((host, vec![flow], relay)),
        }
    }
    let mut out: Vec<String> = opens
        .into_iter()
        .map(|(host, flows, relay)| {
            let what = if relay {
                msg(l, M::TURNMediaRelayAlso)
            } else {
                ""
            };
            format!(
                "{} {} {} {host}{what}",
                msg(l, M::Allow),
                flows.join(", "),
                msg(l, M::To)
            )
        })
        .collect();
    out.extend(other);
    out
}
