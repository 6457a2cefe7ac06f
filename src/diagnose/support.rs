//! Whom to call, and the ticket to send: a pure function of the venue, the identified
//! firewall and the failures, with the desks of `profiles/desks.toml`.

use crate::model::{ErrorClass, Outcome, ProbeKind, Report, Status, Support, Transport, Verdict};
use crate::profile::{ProfileError, parse_toml};
use crate::report::Lang;
use serde::Deserialize;
use std::fmt::Write;

pub const BUNDLED: (&str, &str) = (
    "profiles/desks.toml",
    include_str!("../../profiles/desks.toml"),
);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    /// The desk applies only when this firewall family was identified.
    #[serde(default)]
    pub firewall: Option<String>,
    /// The family the venue implies (to say so when the network shows another).
    #[serde(default)]
    pub firewall_expected: Option<String>,
    pub why_fr: String,
    pub why_en: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desks {
    pub desk: Vec<Desk>,
}

impl Desks {
    pub fn bundled() -> Result<Desks, ProfileError> {
        parse_toml(BUNDLED.0, BUNDLED.1)
    }
}

fn applies(d: &Desk, department: Option<&str>, kind: Option<&str>, family: &str) -> bool {
    (d.departments.is_empty() || department.is_some_and(|x| d.departments.iter().any(|y| y == x)))
        && (d.kinds.is_empty() || kind.is_some_and(|x| d.kinds.iter().any(|y| y == x)))
        && d.firewall.as_deref().is_none_or(|f| f == family)
}

/// Choose the desk and write the ticket.
/// `attached`: the JSON report was written to a file (the ticket then says it is attached).
pub fn route(desks: &Desks, r: &Report, attached: bool, l: Lang) -> Support {
    let family = r.firewall.family.as_str();
    let dep = r.venue.department.as_deref();
    let kind = r.venue.kind.as_deref();
    let by_venue = desks.desk.iter().find(|d| {
        d.firewall.is_none()
            && applies(d, dep, kind, family)
            && !(d.departments.is_empty() && d.kinds.is_empty())
    });
    let by_network = desks
        .desk
        .iter()
        .find(|d| d.firewall.is_some() && applies(d, dep, kind, family));
    let fallback = desks.desk.last();
    let observed_known = !matches!(family, "unknown" | "none");
    let (desk, mut why) = match (by_venue, by_network) {
        (Some(v), _) => {
            let mut why = l.t(&v.why_fr, &v.why_en).to_string();
            if let Some(exp) = &v.firewall_expected
                && observed_known
                && exp != family
            {
                let _ = write!(
                    why,
                    " {}",
                    match l {
                        Lang::Fr => format!(
                            "Attention : le lieu laisse attendre « {exp} », mais le réseau montre plutôt « {family} » ; signalez les deux."
                        ),
                        Lang::En => format!(
                            "Note: the venue implies “{exp}”, but the network rather shows “{family}”; report both."
                        ),
                    }
                );
            }
            (v, why)
        }
        (None, Some(n)) => (n, l.t(&n.why_fr, &n.why_en).to_string()),
        (None, None) => {
            let d = fallback.expect("desks.toml has at least one desk");
            (d, l.t(&d.why_fr, &d.why_en).to_string())
        }
    };
    if r.venue.department.is_none() && r.venue.kind.is_none() {
        why.push(' ');
        why.push_str(l.t(
            "(Précisez --uai ou --department et --kind pour un routage plus sûr.)",
            "(Give --uai or --department and --kind for a surer routing.)",
        ));
    }
    Support {
        desk: desk.name.clone(),
        contact: Some(desk.contact.clone()).filter(|c| !c.is_empty()),
        why,
        ticket: Some(ticket(r, attached, l)),
    }
}

/// The failures a ticket lists: the root ones (not the probes skipped because of them).
fn root_failures(r: &Report) -> Vec<(&str, &Outcome)> {
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

/// The measurements that fell short, as (what was measured, what to ask), once per kind.
fn measure_problems(r: &Report, l: Lang) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let bad = |o: &&Outcome| matches!(o.status, Status::Fail | Status::Warn);
    let degraded = r.platforms.iter().filter(|p| p.verdict != Verdict::Ready);
    let f = |o: &Outcome, k: &str| o.data.get(k).and_then(|v| v.as_f64());
    for p in degraded {
        for o in p.probes.iter().filter(bad) {
            let (line, ask) = match (o.kind, o.class()) {
                (ProbeKind::Bandwidth, Some(crate::model::ErrorClass::Insufficient)) => {
                    let up = l.dec(f(o, "upload_kbps").unwrap_or(0.0) / 1000.0, 1);
                    let need = l.dec(f(o, "needed_kbps").unwrap_or(0.0) / 1000.0, 1);
                    (
                        match l {
                            Lang::Fr => format!("[{}] débit montant mesuré {up} Mbit/s, le flux de l'intervenant demande {need} Mbit/s", p.name),
                            Lang::En => format!("[{}] measured upload {up} Mbit/s, the speaker's stream needs {need} Mbit/s", p.name),
                        },
                        Some(match l {
                            Lang::Fr => format!("vérifier le débit montant disponible pour cette salle (limitation par poste ou par VLAN, Wi-Fi, lien saturé) : {need} Mbit/s nécessaires pendant le webinaire"),
                            Lang::En => format!("check the upload available to this room (per-host or per-VLAN rate limits, Wi-Fi, saturated link): {need} Mbit/s needed during the webinar"),
                        }),
                    )
                }
                (ProbeKind::UdpQuality, Some(crate::model::ErrorClass::PoorQuality)) => (
                    match l {
                        Lang::Fr => format!(
                            "[{}] qualité UDP vers {} : perte {} %, gigue {} ms, RTT {} ms",
                            p.name, o.target, l.dec(f(o, "loss_pct").unwrap_or(0.0), 1), crate::report::text::ms(f(o, "jitter_ms").unwrap_or(0.0), l), crate::report::text::ms(f(o, "rtt_median_ms").unwrap_or(0.0), l)
                        ),
                        Lang::En => format!(
                            "[{}] UDP quality to {}: loss {:.1} %, jitter {:.0} ms, RTT {:.0} ms",
                            p.name, o.target, f(o, "loss_pct").unwrap_or(0.0), f(o, "jitter_ms").unwrap_or(0.0), f(o, "rtt_median_ms").unwrap_or(0.0)
                        ),
                    },
                    Some(l.t(
                        "chercher d'où viennent les pertes UDP (équipement saturé, limitation UDP, Wi-Fi) : l'audio en direct ne tolère pas plus de 1 % de perte",
                        "find where UDP is lost (saturated equipment, UDP rate limits, Wi-Fi): live audio tolerates no more than 1 % loss",
                    ).to_string()),
                ),
                _ => continue,
            };
            if !out.iter().any(|(x, _)| x == &line) {
                out.push((line, ask));
            }
        }
    }
    out
}

/// Host and port a probe aimed at.
fn host_port(o: &Outcome) -> (String, u16) {
    if let Some((h, p)) = o.data_str("server").and_then(|s| s.rsplit_once(':'))
        && let Ok(p) = p.parse()
    {
        return (h.to_string(), p);
    }
    if let Ok((_, h, p, _)) = crate::profile::parse_ice_url(&o.target)
        && (o.target.starts_with("stun:") || o.target.starts_with("turn"))
    {
        return (h, p);
    }
    if let Ok(u) = url::Url::parse(&o.target)
        && let (Some(h), Some(p)) = (u.host_str(), u.port_or_known_default())
    {
        return (h.to_string(), p);
    }
    match o.target.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().unwrap_or(0)),
        None => (o.target.clone(), 0),
    }
}

/// What to ask for: one line per host, the flows to open, and what else to change.
fn requests(r: &Report, failures: &[(&str, &Outcome)], l: Lang) -> Vec<String> {
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
                add_other(match l {
                    Lang::Fr => format!(
                        "vérifier que le serveur DNS {resolver} répond (il n'a pas répondu pour {host})"
                    ),
                    Lang::En => format!(
                        "check that the DNS server {resolver} answers (it did not for {host})"
                    ),
                });
            }
            continue;
        }
        match class {
            ErrorClass::DnsSinkhole
            | ErrorClass::Nxdomain
            | ErrorClass::NoAnswer
            | ErrorClass::Servfail => {
                add_other(match l {
                    Lang::Fr => format!(
                        "résoudre normalement le nom {host} dans le DNS (il est détourné ou absent)"
                    ),
                    Lang::En => format!(
                        "resolve the name {host} normally in the DNS (it is diverted or missing)"
                    ),
                });
                continue;
            }
            ErrorClass::TlsInterception => {
                add_other(match l {
                    Lang::Fr => format!("exempter {host} de l'inspection TLS (déchiffrement)"),
                    Lang::En => format!("exempt {host} from TLS inspection (decryption)"),
                });
                continue;
            }
            ErrorClass::UpgradeRefused => {
                add_other(match l {
                    Lang::Fr => {
                        format!("laisser passer les WebSockets (en-tête Upgrade) vers {host}")
                    }
                    Lang::En => format!("let WebSockets (Upgrade header) through to {host}"),
                });
                continue;
            }
            ErrorClass::ProxyAuth => {
                add_other(l.t(
                    "permettre l'accès à ces hôtes sans identification au proxy (ou fournir l'identifiant à utiliser)",
                    "allow these hosts without proxy authentication (or give the credentials to use)",
                ).to_string());
            }
            ErrorClass::ProxyRefused => {
                add_other(match l {
                    Lang::Fr => {
                        format!("autoriser {host} sur le proxy (il refuse cette destination)")
                    }
                    Lang::En => format!("allow {host} on the proxy (it refuses this destination)"),
                });
                continue;
            }
            _ => {}
        }
        let direct = !o.data.contains_key("path");
        if proxied && direct && o.transport != Some(Transport::Udp) {
            if relay_hosts.contains(&host) {
                add_other(match l {
                    Lang::Fr => format!(
                        "exempter {host} du proxy et laisser passer TCP {port} en direct vers lui (relais média : les services le demandent)"
                    ),
                    Lang::En => format!(
                        "exempt {host} from the proxy and let TCP {port} through directly to it (media relay: the services ask for it)"
                    ),
                });
            }
            continue;
        }
        if o.data.get("stand_in").is_some_and(|v| v == true) {
            // A public server stood in for the platform's unpublished ones: ask for the port.
            let proto = o
                .transport
                .map(|t| t.as_str().to_uppercase())
                .unwrap_or_default();
            add_other(match l {
                Lang::Fr => format!(
                    "ouvrir {proto} {port} en sortie vers Internet (la plateforme le demande sans publier ses serveurs)"
                ),
                Lang::En => format!(
                    "open {proto} {port} outbound to the internet (the platform asks for it without publishing its servers)"
                ),
            });
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
                l.t(
                    " (relais média TURN : à exempter aussi du proxy et de l'inspection TLS)",
                    " (TURN media relay: also exempt it from the proxy and TLS inspection)",
                )
            } else {
                ""
            };
            format!(
                "{} {} {} {host}{what}",
                l.t("autoriser", "allow"),
                flows.join(", "),
                l.t("vers", "to")
            )
        })
        .collect();
    out.extend(other);
    out
}

/// A ready-to-send ticket: venue, date, platform, exactly what is blocked, evidence, request.
/// The venue as the ticket names it.
fn venue_line(r: &Report, l: Lang) -> String {
    let venue = [
        r.venue.label.clone(),
        r.venue
            .kind
            .as_deref()
            .map(|k| crate::report::i18n::kind(k, l).to_string()),
        r.venue.uai.clone().map(|u| format!("UAI {u}")),
        r.venue
            .department
            .clone()
            .map(|d| format!("{} {d}", l.t("dép.", "dept."))),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    if venue.is_empty() {
        l.t(
            "non précisé (relancez avec --venue \"salle\" --uai CODE)",
            "not given (run again with --venue \"room\" --uai CODE)",
        )
        .to_string()
    } else {
        venue
    }
}

/// The closing line: the report is attached only when one was written.
fn closing(attached: bool, l: Lang) -> &'static str {
    if attached {
        l.t(
            "Le rapport JSON complet est joint. Merci.",
            "The full JSON report is attached. Thank you.",
        )
    } else {
        l.t("Merci.", "Thank you.")
    }
}

/// The ticket when the network itself is the problem: one request, not one per host.
fn network_ticket(r: &Report, f: &crate::model::NetworkFinding, attached: bool, l: Lang) -> String {
    let mut t = String::new();
    let resolver = r.network.resolver.as_deref().unwrap_or("?");
    let (subject, ask) = match (f.class.as_str(), l) {
        ("no_dns", Lang::Fr) if resolver.starts_with("none") => (
            "Objet : pas de connexion réseau dans la salle du webinaire".to_string(),
            "vérifier que la prise ou le Wi-Fi de cette salle donne une configuration réseau (DHCP) : l'ordinateur n'a reçu aucun serveur DNS".to_string(),
        ),
        ("no_dns", Lang::En) if resolver.starts_with("none") => (
            "Subject: no network connection in the webinar's room".to_string(),
            "check that this room's socket or Wi-Fi gives a network configuration (DHCP): the computer received no DNS server".to_string(),
        ),
        ("no_dns", Lang::Fr) => (
            "Objet : le serveur DNS ne répond pas".to_string(),
            format!("vérifier le serveur DNS {resolver} : il ne répond à aucune requête depuis cette salle"),
        ),
        ("no_dns", Lang::En) => (
            "Subject: the DNS server does not answer".to_string(),
            format!("check the DNS server {resolver}: it answers no query from this room"),
        ),
        ("captive_portal", Lang::Fr) => (
            "Objet : le Wi-Fi impose un portail de connexion".to_string(),
            format!("donner au poste de l'intervenant un accès sans portail (ou ses identifiants) : le Wi-Fi renvoie vers {}", f.portal.as_deref().unwrap_or("?")),
        ),
        ("captive_portal", Lang::En) => (
            "Subject: the Wi-Fi requires a sign-in portal".to_string(),
            format!("give the speaker's computer access without the portal (or its credentials): the Wi-Fi sends to {}", f.portal.as_deref().unwrap_or("?")),
        ),
        (_, Lang::Fr) => (
            "Objet : pas d'accès à Internet depuis la salle du webinaire".to_string(),
            "vérifier l'accès à Internet depuis cette salle : aucune adresse sur Internet ne répond".to_string(),
        ),
        (_, Lang::En) => (
            "Subject: no internet access from the webinar's room".to_string(),
            "check the internet access from this room: no address on the internet answers".to_string(),
        ),
    };
    let _ = writeln!(t, "{subject}");
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "{}",
        l.t(
            "Bonjour, je dois intervenir dans un webinaire depuis cet établissement. Un test réseau (preflight) montre que le réseau de la salle ne permet rien :",
            "Hello, I have to speak in a webinar from this school. A network test (preflight) shows that the room's network lets nothing through:",
        )
    );
    let _ = writeln!(t, "- {} {}", l.t("Lieu :", "Venue:"), venue_line(r, l));
    let _ = writeln!(
        t,
        "- {} {}",
        l.t("Date du test :", "Test date:"),
        crate::report::i18n::local_time(&r.started_at, l)
    );
    let _ = writeln!(t, "- DNS : {resolver}");
    let _ = writeln!(t);
    let _ = writeln!(t, "{}", l.t("Demande :", "Request:"));
    let _ = writeln!(t, "- {ask}");
    let _ = writeln!(t);
    let _ = write!(t, "{}", closing(attached, l));
    t
}

pub fn ticket(r: &Report, attached: bool, l: Lang) -> String {
    if let Some(f) = &r.network.finding {
        return network_ticket(r, f, attached, l);
    }
    let mut t = String::new();
    let venue = venue_line(r, l);
    let platforms: Vec<&str> = r
        .platforms
        .iter()
        .filter(|p| p.verdict != Verdict::Ready)
        .map(|p| p.name.as_str())
        .collect();
    let failures = root_failures(r);
    let measures = measure_problems(r, l);
    let _ = writeln!(
        t,
        "{} {}",
        if failures.is_empty() {
            l.t(
                "Objet : réseau insuffisant pour",
                "Subject: network not good enough for",
            )
        } else {
            l.t("Objet : accès bloqué à", "Subject: blocked access to")
        },
        platforms.join(", ")
    );
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "{}",
        if failures.is_empty() {
            l.t(
                "Bonjour, je dois intervenir dans un webinaire depuis cet établissement. Un test réseau (preflight) montre que tout est joignable, mais que la liaison ne suffit pas au flux de l'intervenant :",
                "Hello, I have to speak in a webinar from this school. A network test (preflight) shows that everything is reachable, but the link is not good enough for the speaker's stream:",
            )
        } else {
            l.t(
                "Bonjour, je dois intervenir dans un webinaire depuis cet établissement. Un test réseau (preflight) montre que les flux suivants ne passent pas :",
                "Hello, I have to speak in a webinar from this school. A network test (preflight) shows that the following flows do not get through:",
            )
        }
    );
    let _ = writeln!(t, "- {} {}", l.t("Lieu :", "Venue:"), venue);
    let _ = writeln!(
        t,
        "- {} {}",
        l.t("Date du test :", "Test date:"),
        crate::report::i18n::local_time(&r.started_at, l)
    );
    if let Some(ip) = &r.network.public_ip {
        let _ = writeln!(t, "- {} {ip}", l.t("Adresse publique :", "Public address:"));
    }
    let _ = writeln!(t);
    for (line, _) in &measures {
        let _ = writeln!(t, "- {line}");
    }
    for (platform, o) in &failures {
        let proto = o
            .transport
            .map(|t| t.as_str().to_uppercase())
            .unwrap_or_default();
        let class = o
            .class()
            .map(|c| match l {
                Lang::En => format!(
                    "{} ({})",
                    c.as_str(),
                    crate::report::i18n::class_meaning(c, l)
                ),
                Lang::Fr => crate::report::i18n::class_meaning(c, l).to_string(),
            })
            .unwrap_or_default();
        let _ = writeln!(
            t,
            "- [{platform}] {} {} {proto}{}{class}",
            o.kind.as_str(),
            o.target,
            l.t(" : ", ": ")
        );
    }
    let mut asks = requests(r, &failures, l);
    asks.extend(measures.into_iter().filter_map(|(_, ask)| ask));
    asks.dedup();
    if !r.firewall.evidence.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "{} {}) :",
            l.t("Indices (pare-feu probable :", "Evidence (likely firewall:"),
            crate::report::i18n::firewall(&r.firewall, l)
        );
        for e in &r.firewall.evidence {
            let _ = writeln!(t, "- {e}");
        }
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "{}", l.t("Demande :", "Request:"));
    for a in &asks {
        let _ = writeln!(t, "- {a}");
    }
    let _ = writeln!(t);
    let _ = write!(t, "{}", closing(attached, l));
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn report(dep: Option<&str>, kind: Option<&str>, family: &str) -> Report {
        let turn = Outcome::new(
            ProbeKind::Turn,
            "turn:t.example:3478?transport=udp",
            Some(Transport::Udp),
        )
        .with("server", "t.example:3478")
        .fail(ErrorClass::Timeout, "x");
        Report {
            schema: SCHEMA.into(),
            tool: Tool {
                name: "preflight".into(),
                version: "0".into(),
            },
            started_at: "2026-11-24T10:00:00Z".into(),
            duration_ms: 1,
            lang: "fr".into(),
            venue: Venue {
                label: Some("CDI".into()),
                uai: None,
                department: dep.map(Into::into),
                kind: kind.map(Into::into),
            },
            verdict: Verdict::Degraded,
            partial: false,
            platforms: vec![PlatformReport {
                id: "bbb".into(),
                name: "BigBlueButton".into(),
                verdict: Verdict::Degraded,
                summary: String::new(),
                reasons: vec![],
                notes: vec![],
                probes: vec![turn],
            }],
            network: Network::default(),
            bandwidth: None,
            firewall: Firewall {
                family: family.into(),
                name: None,
                confidence: 0.5,
                evidence: vec!["e".into()],
            },
            support: None,
            notes: vec![],
        }
    }

    #[test]
    fn routing_table_of_the_seed() {
        let d = Desks::bundled().unwrap();
        let desk = |dep, kind, fam| route(&d, &report(dep, kind, fam), true, Lang::Fr).desk;
        assert!(desk(Some("78"), Some("college"), "unknown").contains("CARIINA"));
        assert!(desk(Some("91"), Some("college"), "unknown").contains("CARIINA"));
        assert!(desk(Some("95"), Some("lycee"), "unknown").contains("CARIINA"));
        assert!(desk(Some("92"), Some("lycee"), "unknown").contains("CARIINA"));
        assert!(desk(Some("92"), Some("college"), "unknown").contains("Guichet unique ENC"));
        assert!(desk(Some("78"), Some("ecole"), "unknown").contains("Mairie"));
        assert!(desk(None, None, "amon").contains("CARIINA"));
        assert!(desk(None, None, "unknown").contains("Référent"));
        assert!(desk(Some("75"), Some("college"), "unknown").contains("Référent"));
    }

    #[test]
    fn contradiction_is_said() {
        let d = Desks::bundled().unwrap();
        let s = route(
            &d,
            &report(Some("92"), Some("college"), "amon"),
            true,
            Lang::En,
        );
        assert!(s.desk.contains("Guichet unique ENC"));
        assert!(
            s.why.contains("“rge”") && s.why.contains("“amon”"),
            "{}",
            s.why
        );
    }

    #[test]
    fn ticket_names_what_is_blocked_and_asks_precisely() {
        let d = Desks::bundled().unwrap();
        let s = route(
            &d,
            &report(Some("78"), Some("college"), "amon"),
            true,
            Lang::Fr,
        );
        let t = s.ticket.unwrap();
        // In French, what the failure means, not its raw class.
        assert!(
            t.contains("turn:t.example:3478?transport=udp UDP : aucune réponse dans le délai"),
            "{t}"
        );
        assert!(!t.contains("timeout"), "{t}");
        assert!(
            t.contains("autoriser UDP 3478 vers t.example (relais média TURN"),
            "{t}"
        );
        assert!(t.contains("CDI"));
        assert!(s.contact.unwrap().starts_with("https://"));
    }
}
