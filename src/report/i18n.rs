//! The words of the human reports, in French and English: one small table, no framework
//! (as trippy does). Every user-facing sentence of the text report lives here.

use crate::model::{ErrorClass, ProbeKind, Status, Verdict};

pub use crate::lang::Lang;

/// A platform left untested because it needs its server's name.
pub fn untested_needs_server(platform: &str, l: Lang) -> String {
    format!(
        "{platform} {}",
        l.t(
            ": non testé — indiquez le serveur avec --server HOTE (le nom dans le lien de la réunion)",
            ": not tested — name the server with --server HOST (the host in the meeting link)"
        )
    )
}

/// The upload was not measured: nothing reachable (`None`), or why.
pub fn upload_not_measured(why: Option<&str>, l: Lang) -> String {
    match why {
        None => l
            .t(
                "Débit montant non mesuré : rien n'est joignable depuis ce réseau.",
                "Upload not measured: nothing is reachable from this network.",
            )
            .to_string(),
        Some(why) => format!(
            "{} {why}",
            l.t("Débit montant non mesuré :", "Upload not measured:")
        ),
    }
}

/// The progress line during the measurements.
pub fn measuring(l: Lang) -> &'static str {
    l.t(
        "mesure de la qualité du chemin et du débit montant…",
        "measuring path quality and upload…",
    )
}

/// A platform's summary when Ctrl-C stopped the run before it could tell.
pub fn interrupted(l: Lang) -> &'static str {
    l.t(
        "Interrompu (Ctrl-C) avant la fin des tests : rien n'est conclu.",
        "Interrupted (Ctrl-C) before every test ran: nothing is concluded.",
    )
}

pub fn verdict(v: Verdict, l: Lang) -> &'static str {
    match v {
        Verdict::Ready => l.t("prêt", "ready"),
        Verdict::Degraded => l.t("dégradé", "degraded"),
        Verdict::Blocked => l.t("bloqué", "blocked"),
        Verdict::Incomplete => l.t("incomplet (interrompu)", "incomplete (interrupted)"),
    }
}

/// The kind of school, as people write it.
pub fn kind(k: &str, l: Lang) -> &str {
    match k {
        "ecole" => l.t("école", "école (primary school)"),
        "college" => l.t("collège", "collège (middle school)"),
        "lycee" => l.t("lycée", "lycée (high school)"),
        "other" => l.t("autre", "other"),
        other => other,
    }
}

pub fn status(s: Status, l: Lang) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Warn => l.t("attention", "warning"),
        Status::Fail => l.t("échec", "failed"),
        Status::Skipped => l.t("non testé", "skipped"),
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
        ProbeKind::Turn => l.t("TURN (relais média)", "TURN (media relay)"),
        ProbeKind::UdpQuality => l.t("qualité UDP", "UDP quality"),
        ProbeKind::Bandwidth => l.t("débit montant", "upload"),
        ProbeKind::Proxy => "proxy",
        ProbeKind::Http => "HTTP",
    }
}

/// What a failure class means, in plain words.
pub fn class_meaning(c: ErrorClass, l: Lang) -> &'static str {
    use ErrorClass::*;
    match c {
        Timeout => l.t(
            "aucune réponse dans le délai : les paquets sont probablement jetés par un pare-feu",
            "no answer in time: a firewall probably drops the packets",
        ),
        Refused => l.t(
            "connexion refusée : un pare-feu rejette ce port, ou rien n'y écoute",
            "connection refused: a firewall rejects this port, or nothing listens on it",
        ),
        Reset => l.t(
            "connexion coupée en cours de route (un filtre coupe la connexion)",
            "the connection was cut on the way (a filter resets it)",
        ),
        Unreachable => l.t("serveur injoignable (pas de route)", "server unreachable (no route)"),
        Nxdomain => l.t(
            "ce nom n'existe pas pour le DNS de ce réseau",
            "this name does not exist for this network's DNS",
        ),
        Servfail => l.t("le serveur DNS est en échec", "the DNS server fails"),
        NoAnswer => l.t("le DNS ne donne aucune adresse pour ce nom", "the DNS gives no address for this name"),
        DnsSinkhole => l.t(
            "le DNS du réseau détourne ce nom vers une fausse adresse (filtrage DNS)",
            "the network's DNS diverts this name to a fake address (DNS filtering)",
        ),
        TlsInterception => l.t(
            "le chiffrement est intercepté : un pare-feu présente son propre certificat (inspection TLS)",
            "encryption is intercepted: a firewall presents its own certificate (TLS inspection)",
        ),
        CertInvalid => l.t(
            "certificat invalide (expiré, ou pour un autre nom ; vérifiez l'heure de l'ordinateur)",
            "invalid certificate (expired, or for another name; check the computer's clock)",
        ),
        TlsHandshake => l.t("la négociation TLS a échoué", "the TLS handshake failed"),
        HttpStatus => l.t(
            "le serveur répond par une erreur HTTP",
            "the server answers with an HTTP error",
        ),
        BlockPage => l.t(
            "une page de filtrage répond à la place du service",
            "a filtering page answers instead of the service",
        ),
        ProxyRequired => l.t(
            "l'accès direct est fermé : ce réseau impose un proxy",
            "direct access is closed: this network requires a proxy",
        ),
        ProxyAuth => l.t(
            "le proxy demande une identification",
            "the proxy asks for credentials",
        ),
        ProxyRefused => l.t("le proxy refuse cette destination", "the proxy refuses this destination"),
        UpgradeRefused => l.t(
            "les WebSockets sont refusés par un filtre",
            "WebSockets are refused by a filter",
        ),
        NoRelay => l.t(
            "le port répond, mais ce n'est pas un relais TURN (un serveur web, ou un boîtier qui refuse le protocole TURN)",
            "the port answers, but it is not a TURN relay (a web server, or a box that refuses the TURN protocol)",
        ),
        NoResponse => l.t("aucune réponse utilisable", "no usable answer"),
        Malformed => l.t(
            "réponse incompréhensible (ce n'est pas le bon protocole)",
            "unintelligible answer (not the expected protocol)",
        ),
        TooLarge => l.t("réponse démesurée, abandonnée", "oversized answer, abandoned"),
        Closed => l.t("la connexion s'est fermée sans réponse", "the connection closed without an answer"),
        Local => l.t("le test n'a pas pu être lancé sur cet ordinateur", "the test could not start on this computer"),
        Insufficient => l.t("insuffisant pour le flux à envoyer", "not enough for the stream to send"),
        Stalled => l.t("le serveur de mesure a cessé de lire l'envoi", "the measurement peer stopped reading"),
        PoorQuality => l.t("pertes, gigue ou latence trop fortes pour l'audio et la vidéo en direct", "loss, jitter or latency too high for live audio and video"),
        Interrupted => l.t("arrêté avant la fin (Ctrl-C) : chiffre mesuré jusque-là", "stopped before the end (Ctrl-C): figure measured until then"),
        LatencyUnderLoad => l.t("la latence monte fortement quand la liaison est chargée : le son prendra du retard", "latency rises sharply when the link is busy: audio will lag"),
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
        (Some(loc), _) => match l {
            Lang::Fr => format!("HTTP {status} vers {loc}"),
            Lang::En => format!("HTTP {status} to {loc}"),
        },
        (None, Some(m)) => match l {
            Lang::Fr => format!("HTTP {status}, sans « {m} »"),
            Lang::En => format!("HTTP {status}, without “{m}”"),
        },
        (None, None) => format!("HTTP {status}"),
    };
    match l {
        Lang::Fr => format!(
            "le service a répondu ({detail}), mais pas comme le prévoit le profil de preflight : le profil n'est peut-être plus à jour ; non compté contre le réseau"
        ),
        Lang::En => format!(
            "the service answered ({detail}), but not as preflight's profile expects: the profile may be out of date; not counted against the network"
        ),
    }
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
    match (f.class, l) {
        (NetworkClass::NoDns, Lang::Fr) if none => "Aucun serveur DNS n'est configuré sur cet ordinateur : il n'est probablement pas connecté au réseau (Wi-Fi coupé, câble débranché). Connectez-le au réseau de la salle, puis relancez preflight.".into(),
        (NetworkClass::NoDns, Lang::En) if none => "No DNS server is configured on this computer: it is probably not connected (Wi-Fi off, cable unplugged). Connect it to the room's network, then run preflight again.".into(),
        (NetworkClass::NoDns, Lang::Fr) => format!("Le serveur DNS de ce réseau ({resolver}) ne répond pas : aucun nom ne peut être trouvé, donc aucune plateforme ne peut fonctionner. Vérifiez que l'ordinateur est bien connecté (Wi-Fi ou câble) ; si c'est le cas, signalez au référent numérique que le serveur DNS {resolver} ne répond pas."),
        (NetworkClass::NoDns, Lang::En) => format!("This network's DNS server ({resolver}) does not answer: no name can be found, so no platform can work. Check that the computer is connected (Wi-Fi or cable); if it is, tell the digital referent that the DNS server {resolver} does not answer."),
        (NetworkClass::NoInternet, Lang::Fr) => "Ce réseau ne mène pas à Internet : aucune adresse sur Internet ne répond, ni les plateformes ni, sans DNS, des adresses connues. L'ordinateur est sur un réseau local sans accès à Internet, ou tout y est bloqué. Vérifiez que vous êtes sur le bon réseau (le Wi-Fi ou la prise de la salle) ; sinon, signalez-le au référent numérique.".into(),
        (NetworkClass::NoInternet, Lang::En) => "This network does not lead to the internet: no address on the internet answers, neither the platforms nor, without DNS, well-known addresses. The computer is on a local network without internet access, or everything is blocked there. Check that you are on the right network (the room's Wi-Fi or socket); if so, tell the digital referent.".into(),
        (NetworkClass::CaptivePortal, Lang::Fr) => format!("Ce Wi-Fi demande de se connecter d'abord : ouvrez un navigateur à l'adresse {}, identifiez-vous (ou acceptez les conditions), puis relancez preflight.", f.portal.as_deref().unwrap_or("?")),
        (NetworkClass::CaptivePortal, Lang::En) => format!("This Wi-Fi wants you to sign in first: open a browser at {}, sign in (or accept the terms), then run preflight again.", f.portal.as_deref().unwrap_or("?")),
    }
}

/// What to do, in one sentence, after the verdict.
pub fn action(r: &crate::model::Report, l: Lang) -> String {
    if let Some(f) = &r.network.finding {
        return f.message.clone();
    }
    let desk = r.support.as_ref().map(|s| s.desk.as_str()).unwrap_or("");
    match (r.verdict, l) {
        (Verdict::Ready, Lang::Fr) => {
            "Rien à faire : le webinaire peut se tenir depuis ce réseau.".into()
        }
        (Verdict::Ready, Lang::En) => {
            "Nothing to do: the webinar can run from this network.".into()
        }
        (Verdict::Degraded, Lang::Fr) => format!(
            "Le webinaire devrait fonctionner, par un repli ou avec moins de qualité : lisez ce qui suit, et si possible envoyez le ticket ci-dessous à « {desk} »."
        ),
        (Verdict::Degraded, Lang::En) => format!(
            "The webinar should work, through a fallback or at lower quality: read on, and if you can, send the ticket below to “{desk}”."
        ),
        (Verdict::Blocked, Lang::Fr) => format!(
            "En l'état, le webinaire ne fonctionnera pas d'ici : envoyez le ticket ci-dessous à « {desk} », ou prévoyez un autre réseau (le partage de connexion d'un téléphone, par exemple)."
        ),
        (Verdict::Blocked, Lang::En) => format!(
            "As it is, the webinar will not work from here: send the ticket below to “{desk}”, or plan another network (a phone's hotspot, for instance)."
        ),
        (Verdict::Incomplete, Lang::Fr) => {
            "Vérification interrompue (Ctrl-C) avant la fin : rien n'est conclu, relancez-la jusqu'au bout.".into()
        }
        (Verdict::Incomplete, Lang::En) => {
            "Check interrupted (Ctrl-C) before the end: nothing is concluded, run it again to the end.".into()
        }
    }
}

/// The likely firewall as people name it.
pub fn firewall(f: &crate::model::Firewall, l: Lang) -> String {
    match (&f.name, f.family.as_str()) {
        (Some(n), _) => n.clone(),
        (None, "unknown") => l.t("non identifié", "not identified").into(),
        (None, "none") => l.t("aucun", "none").into(),
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
    let fmt = match l {
        Lang::Fr => time::macros::format_description!("[day]/[month]/[year] [hour]:[minute]"),
        Lang::En => time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    };
    match t.format(&fmt) {
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
