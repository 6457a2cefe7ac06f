//! The sentences with values, in French.

use super::Fr;
use crate::report::messages::Words;

impl Words for Fr {
    fn shows_engineer_detail(&self) -> bool {
        false
    }
    fn date_format(&self) -> &'static [time::format_description::BorrowedFormatItem<'static>] {
        time::macros::format_description!("[day]/[month]/[year] [hour]:[minute]")
    }
    fn http_to(&self, status: u64, location: &str) -> String {
        format!("HTTP {status} vers {location}")
    }
    fn http_without(&self, status: u64, missing: &str) -> String {
        format!("HTTP {status}, sans « {missing} »")
    }
    fn unexpected_answer(&self, detail: &str) -> String {
        format!(
            "le service a répondu ({detail}), mais pas comme le prévoit le profil de preflight : le profil n'est peut-être plus à jour ; non compté contre le réseau"
        )
    }
    fn dns_silent(&self, resolver: &str) -> String {
        format!(
            "Le serveur DNS de ce réseau ({resolver}) ne répond pas : aucun nom ne peut être trouvé, donc aucune plateforme ne peut fonctionner. Vérifiez que l'ordinateur est bien connecté (Wi-Fi ou câble) ; si c'est le cas, signalez au référent numérique que le serveur DNS {resolver} ne répond pas."
        )
    }
    fn captive_portal(&self, portal: &str) -> String {
        format!(
            "Ce Wi-Fi demande de se connecter d'abord : ouvrez un navigateur à l'adresse {portal}, identifiez-vous (ou acceptez les conditions), puis relancez preflight."
        )
    }
    fn action_degraded(&self, desk: &str) -> String {
        format!(
            "Le webinaire devrait fonctionner, par un repli ou avec moins de qualité : lisez ce qui suit, et si possible envoyez le ticket ci-dessous à « {desk} »."
        )
    }
    fn action_blocked(&self, desk: &str) -> String {
        format!(
            "En l'état, le webinaire ne fonctionnera pas d'ici : envoyez le ticket ci-dessous à « {desk} », ou prévoyez un autre réseau (le partage de connexion d'un téléphone, par exemple)."
        )
    }
    fn no_relay(&self, host: &str) -> String {
        format!(
            "pas de relais TURN sur {host} : son propre serveur web refuse le protocole TURN sur 443 et rien ne répond sur 3478. Le relais média de ce serveur est ailleurs et n'a pas été testé : demandez-le à ses administrateurs (turn-stun-servers.xml) et relancez avec --turn RELAIS."
        )
    }
    fn filter_test_answered(&self, product: &str, seen: &str) -> String {
        format!("le proxy répond à la page de test propre à {product} ({seen})")
    }
    fn loss_crossed(&self, loss: &str, good: &str) -> String {
        format!("perte {loss} % (seuil : < {good} %)")
    }
    fn jitter_crossed(&self, jitter: &str, good: &str) -> String {
        format!("gigue {jitter} ms (seuil : < {good} ms)")
    }
    fn rtt_crossed(&self, rtt: &str, good: &str) -> String {
        format!("RTT {rtt} ms (seuil : < {good} ms)")
    }
    fn serve_limits(
        &self,
        connections: usize,
        per_address: usize,
        uploads: usize,
        idle_s: u64,
        files: &str,
    ) -> String {
        format!(
            "limites : {connections} connexions ({per_address} par adresse), {uploads} envois ndt7, inactivité {idle_s} s ; fichiers ouverts {files}"
        )
    }
    fn serve_collecting(&self, dir: &str, send: &str, live: &str) -> String {
        format!("rapports recueillis dans {dir} : check --send {send}, page en direct {live}")
    }
    fn way_full(&self, webcam: &str) -> String {
        format!("micro + webcam « {webcam} » + partage d'écran")
    }
    fn way_webcam(&self, quality: &str) -> String {
        format!("micro + webcam « {quality} », sans partage d'écran")
    }
    fn upload_reaches_recommended(&self, up: &str, hi: &str) -> String {
        format!(
            "le débit montant ({up}) atteint ce que la plateforme recommande pour un intervenant ({hi})"
        )
    }
    fn upload_above_minimum(&self, up: &str, lo: &str, hi: &str) -> String {
        format!(
            "le débit montant ({up}) dépasse le minimum de la plateforme pour un intervenant ({lo}), sans atteindre le recommandé ({hi}) : évitez de partager une vidéo"
        )
    }
    fn upload_below_minimum(&self, up: &str, lo: &str) -> String {
        format!(
            "le débit montant ({up}) est sous le minimum de la plateforme pour un intervenant ({lo}) : prévoyez de couper la caméra, ou intervenez depuis un autre réseau"
        )
    }
    fn upload_fits(&self, up: &str, full: &str, need: &str) -> String {
        format!("le débit montant ({up}) suffit pour {full} ({need})")
    }
    fn upload_tight(&self, full: &str, need: &str, up: &str, plan: &str) -> String {
        format!("juste : {full} demande {need} des {up} mesurés ; prévoyez {plan}")
    }
    fn upload_short(&self, full: &str, need: &str, up: &str, plan: &str) -> String {
        format!("insuffisant pour {full} (il faut {need}, mesuré {up}) : prévoyez {plan}")
    }
    fn upload_very_tight(&self, leanest_kbps: f64, up: &str) -> String {
        format!(
            "très juste : même le micro seul ({leanest_kbps:.0} kbit/s) prend presque tout le débit montant ({up})"
        )
    }
    fn upload_not_even_audio(&self, up: &str, leanest_kbps: f64) -> String {
        format!(
            "le débit montant ({up}) ne suffit même pas pour le micro ({leanest_kbps:.0} kbit/s)"
        )
    }
    fn quality_levels(
        &self,
        loss: &str,
        jitter: &str,
        rtt: &str,
        critical_loss: &str,
        critical_rtt: &str,
    ) -> String {
        format!(
            "bon : perte < {loss} %, gigue < {jitter} ms, RTT < {rtt} ms ; au-delà d'une perte de {critical_loss} % ou d'un RTT de {critical_rtt} ms, le direct ne tient plus"
        )
    }
    fn quality_figures(&self, loss: &str, jitter: &str, rtt: &str) -> String {
        format!("perte {loss} %, gigue {jitter} ms, RTT {rtt} ms")
    }
    fn quality_figures_p95(&self, loss: &str, jitter: &str, rtt: &str, p95: &str) -> String {
        format!("perte {loss} %, gigue {jitter} ms, RTT {rtt} ms (95 % sous {p95} ms)")
    }
    fn media_udp_figures(&self, loss: &str, jitter: &str, received_kbps: f64) -> String {
        format!("perte {loss} %, gigue {jitter} ms, {received_kbps:.0} kbit/s reçus")
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
            Some(q) => format!("prévoyez la webcam en qualité « {q} »"),
            None => "prévoyez de couper la caméra".into(),
        };
        format!(
            "{loss} % des paquets perdus à {target_kbps:.0} kbit/s alors que TCP passe à {up} Mbit/s : l'UDP est bridé ici (seuls {got_kbps:.0} kbit/s passent) ; la vidéo va geler ou se replier sur le relais TURN en TCP/TLS : {plan}"
        )
    }
    fn venue_contradiction(&self, expected: &str, family: &str) -> String {
        format!(
            "Attention : le lieu laisse attendre « {expected} », mais le réseau montre plutôt « {family} » ; signalez les deux."
        )
    }
    fn ticket_upload(&self, platform: &str, up: &str, need: &str) -> String {
        format!(
            "[{platform}] débit montant mesuré {up} Mbit/s, le flux de l'intervenant demande {need} Mbit/s"
        )
    }
    fn ask_upload(&self, need: &str) -> String {
        format!(
            "vérifier le débit montant disponible pour cette salle (limitation par poste ou par VLAN, Wi-Fi, lien saturé) : {need} Mbit/s nécessaires pendant le webinaire"
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
            "[{platform}] UDP au débit des médias : {loss} % perdus à {target_kbps:.0} kbit/s, seuls {got_kbps:.0} kbit/s passent, alors que TCP passe à {up} Mbit/s"
        )
    }
    fn ask_udp_rate(&self, media_kbps: f64) -> String {
        format!(
            "relever la limitation de débit UDP de cette salle : le son et la webcam de l'intervenant demandent {media_kbps:.0} kbit/s en UDP"
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
            "[{platform}] qualité UDP vers {target} : perte {loss} %, gigue {jitter} ms, RTT {rtt} ms"
        )
    }
    fn ask_check_resolver(&self, resolver: &str) -> String {
        format!(
            "vérifier le serveur DNS {resolver} : il ne répond à aucune requête depuis cette salle"
        )
    }
    fn ask_without_portal(&self, portal: &str) -> String {
        format!(
            "donner au poste de l'intervenant un accès sans portail (ou ses identifiants) : le Wi-Fi renvoie vers {portal}"
        )
    }
    fn ask_find_udp_loss(&self, good_loss: &str) -> String {
        format!(
            "chercher d'où viennent les pertes UDP (équipement saturé, limitation UDP, Wi-Fi) : l'audio en direct ne tolère pas plus de {good_loss} % de perte"
        )
    }
    fn ask_resolver_answers(&self, resolver: &str, host: &str) -> String {
        format!("vérifier que le serveur DNS {resolver} répond (il n'a pas répondu pour {host})")
    }
    fn ask_resolve(&self, host: &str) -> String {
        format!("résoudre normalement le nom {host} dans le DNS (il est détourné ou absent)")
    }
    fn ask_no_inspection(&self, host: &str) -> String {
        format!("exempter {host} de l'inspection TLS (déchiffrement)")
    }
    fn ask_websockets(&self, host: &str) -> String {
        format!("laisser passer les WebSockets (en-tête Upgrade) vers {host}")
    }
    fn ask_proxy_allows(&self, host: &str) -> String {
        format!("autoriser {host} sur le proxy (il refuse cette destination)")
    }
    fn ask_relay_direct(&self, host: &str, port: u16) -> String {
        format!(
            "exempter {host} du proxy et laisser passer TCP {port} en direct vers lui (relais média : les services le demandent)"
        )
    }
    fn ask_open_outbound(&self, proto: &str, port: u16) -> String {
        format!(
            "ouvrir {proto} {port} en sortie vers Internet (la plateforme le demande sans publier ses serveurs)"
        )
    }
}
