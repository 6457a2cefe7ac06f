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
pub fn route(desks: &Desks, r: &Report, l: Lang) -> Support {
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
        ticket: Some(ticket(r, l)),
    }
}

/// The failures a ticket lists: the root ones (not the probes skipped because of them).
fn root_failures(r: &Report) -> Vec<(&str, &Outcome)> {
    let mut seen: Vec<(&str, &str, Option<Transport>)> = Vec::new();
    let mut out = Vec::new();
    for p in r.platforms.iter().filter(|p| p.verdict != Verdict::Ready) {
        for o in &p.probes {
            if !matches!(o.status, Status::Fail | Status::Warn) {
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

fn host_port(o: &Outcome) -> String {
    o.data_str("server")
        .map(str::to_string)
        .or_else(|| {
            url::Url::parse(&o.target)
                .ok()
                .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        })
        .unwrap_or_else(|| o.target.clone())
}

/// What to ask for, per failure.
fn request(o: &Outcome, l: Lang) -> Option<String> {
    let hp = host_port(o);
    let host = hp
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(&hp)
        .to_string();
    let class = o.class()?;
    Some(match (o.kind, class) {
        (_, ErrorClass::DnsSinkhole) => match l {
            Lang::Fr => format!("ne plus détourner le nom {host} dans le DNS (filtrage DNS)"),
            Lang::En => format!("stop diverting the name {host} in the DNS (DNS filtering)"),
        },
        (_, ErrorClass::TlsInterception) => match l {
            Lang::Fr => format!("exempter {host} de l'inspection TLS (déchiffrement)"),
            Lang::En => format!("exempt {host} from TLS inspection (decryption)"),
        },
        (ProbeKind::Turn | ProbeKind::Stun, _) => {
            let proto = match o.transport {
                Some(Transport::Udp) => "UDP",
                Some(Transport::Tls) => "TLS",
                _ => "TCP",
            };
            match l {
                Lang::Fr => format!(
                    "autoriser {proto} {hp} (relais média TURN) et l'exempter de l'inspection TLS"
                ),
                Lang::En => format!(
                    "allow {proto} {hp} (TURN media relay) and exempt it from TLS inspection"
                ),
            }
        }
        (ProbeKind::Websocket, _) => match l {
            Lang::Fr => format!("autoriser les WebSockets (en-tête Upgrade) vers {hp}"),
            Lang::En => format!("allow WebSockets (Upgrade header) to {hp}"),
        },
        (ProbeKind::Dns, _) => match l {
            Lang::Fr => format!("permettre la résolution DNS de {host}"),
            Lang::En => format!("allow DNS resolution of {host}"),
        },
        _ => match l {
            Lang::Fr => format!("autoriser HTTPS vers {hp} (liste blanche du filtre)"),
            Lang::En => format!("allow HTTPS to {hp} (filter allow-list)"),
        },
    })
}

/// A ready-to-send ticket: venue, date, platform, exactly what is blocked, evidence, request.
pub fn ticket(r: &Report, l: Lang) -> String {
    let mut t = String::new();
    let venue = [
        r.venue.label.clone(),
        r.venue.kind.clone(),
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
    let platforms: Vec<&str> = r
        .platforms
        .iter()
        .filter(|p| p.verdict != Verdict::Ready)
        .map(|p| p.name.as_str())
        .collect();
    let _ = writeln!(
        t,
        "{} {}",
        l.t("Objet : accès bloqué à", "Subject: blocked access to"),
        platforms.join(", ")
    );
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "{}",
        l.t(
            "Bonjour, je dois intervenir dans un webinaire depuis cet établissement. Un test réseau (preflight) montre que les flux suivants ne passent pas :",
            "Hello, I have to speak in a webinar from this school. A network test (preflight) shows that the following flows do not get through:"
        )
    );
    let _ = writeln!(
        t,
        "- {} {}",
        l.t("Lieu :", "Venue:"),
        if venue.is_empty() {
            "?".to_string()
        } else {
            venue
        }
    );
    let _ = writeln!(
        t,
        "- {} {}",
        l.t("Date du test :", "Test date:"),
        r.started_at
    );
    if let Some(ip) = &r.network.public_ip {
        let _ = writeln!(t, "- {} {ip}", l.t("Adresse publique :", "Public address:"));
    }
    let _ = writeln!(t);
    let mut asks: Vec<String> = Vec::new();
    for (platform, o) in root_failures(r) {
        let proto = o
            .transport
            .map(|t| t.as_str().to_uppercase())
            .unwrap_or_default();
        let class = o.class().map(|c| c.as_str()).unwrap_or("");
        let _ = writeln!(
            t,
            "- [{platform}] {} {} {proto} : {class}",
            o.kind.as_str(),
            o.target
        );
        if let Some(a) = request(o, l)
            && !asks.contains(&a)
        {
            asks.push(a);
        }
    }
    if !r.firewall.evidence.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "{} {}) :",
            l.t("Indices (pare-feu probable :", "Evidence (likely firewall:"),
            r.firewall.family
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
    let _ = write!(
        t,
        "{}",
        l.t(
            "Le rapport JSON complet est joint. Merci.",
            "The full JSON report is attached. Thank you."
        )
    );
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
                probes: vec![turn],
            }],
            network: Network::default(),
            bandwidth: None,
            firewall: Firewall {
                family: family.into(),
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
        let desk = |dep, kind, fam| route(&d, &report(dep, kind, fam), Lang::Fr).desk;
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
        let s = route(&d, &report(Some("92"), Some("college"), "amon"), Lang::En);
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
        let s = route(&d, &report(Some("78"), Some("college"), "amon"), Lang::Fr);
        let t = s.ticket.unwrap();
        assert!(
            t.contains("turn:t.example:3478?transport=udp UDP : timeout"),
            "{t}"
        );
        assert!(t.contains("autoriser UDP t.example:3478"), "{t}");
        assert!(t.contains("CDI"));
        assert!(s.contact.unwrap().starts_with("https://"));
    }
}
