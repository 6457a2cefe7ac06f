//! The errors' sentences with values, in French.

use super::Fr;
use crate::report::messages::ErrorWords;

impl ErrorWords for Fr {
    fn needs_server(&self, id: &str) -> String {
        format!(
            "la plateforme « {id} » a besoin du nom de son serveur : ajoutez --server HOTE (l'hôte dans le lien de la réunion)"
        )
    }
    fn unknown_platform(&self, id: &str, valid: &str) -> String {
        format!("plateforme inconnue « {id} » ; identifiants possibles : {valid}")
    }
    fn profile_place(
        &self,
        file: &str,
        line: usize,
        column: usize,
        field: &str,
        message: &str,
    ) -> String {
        format!("{file}:{line}:{column} : champ « {field} » : {message}")
    }
    fn bad_uai(&self, uai: &str) -> String {
        format!("--uai {uai} : un code UAI a 7 chiffres et une lettre, par exemple 0921234X")
    }
    fn bad_department(&self, text: &str) -> String {
        format!("--department {text} : deux ou trois chiffres (92, 971), ou 2A / 2B")
    }
    fn bad_bandwidth_url(&self, text: &str) -> String {
        format!(
            "--bandwidth-url {text} : indiquez ws(s)://HOTE/ndt/v7/upload ou http(s)://HOTE/upload"
        )
    }
    fn bad_send_url(&self, text: &str) -> String {
        format!(
            "--send {text} : il faut l'adresse du serveur de collecte, par exemple https://hote/reports"
        )
    }
    fn bad_resolver(&self, text: &str) -> String {
        format!("« {text} » n'est ni une adresse IP ni IP:PORT")
    }
    fn not_address_prefix(&self, text: &str) -> String {
        format!("« {text} » n'est pas de la forme adresse/préfixe")
    }
    fn bad_prefix_length(&self, text: &str) -> String {
        format!("« {text} » : longueur de préfixe invalide")
    }
    fn no_folder(&self, dir: &str) -> String {
        format!("le dossier {dir} n'existe pas")
    }
    fn cannot_write_in(&self, dir: &str, why: &str) -> String {
        format!("impossible d'écrire dans {dir} ({why})")
    }
    fn quoted(&self, text: &str) -> String {
        format!("« {text} »")
    }
    fn relay_not_host_or_uri(&self, it: &str) -> String {
        format!("{it} n'est ni un nom d'hôte ni une URI turn:/turns:")
    }
    fn relay_bad_port(&self, port: &str) -> String {
        format!("« {port} » n'est pas un port")
    }
    fn relay_not_host(&self, it: &str) -> String {
        format!("{it} n'est pas un nom d'hôte")
    }
    fn uri_no_scheme(&self, url: &str) -> String {
        format!("« {url} » n'est pas une URI stun:, turn: ou turns:")
    }
    fn uri_bad_port(&self, url: &str, port: &str) -> String {
        format!("« {url} » : « {port} » n'est pas un numéro de port")
    }
    fn uri_bad_host(&self, url: &str) -> String {
        format!("« {url} » : nom d'hôte absent ou invalide")
    }
    fn uri_bad_transport(&self, url: &str) -> String {
        format!("« {url} » : il faut « ?transport=udp » ou « ?transport=tcp »")
    }
    fn uri_turns_over_udp(&self, url: &str) -> String {
        format!("« {url} » : turns: passe par TLS, pas par UDP")
    }
    fn uri_unknown_scheme(&self, url: &str, scheme: &str) -> String {
        format!("« {url} » : schéma « {scheme} » inconnu (stun, turn ou turns)")
    }
    fn bad_link(&self, option: &str, value: &str, why: &str) -> String {
        format!(
            "{option} « {value} » {why} : donnez le lien de la réunion, par ex. {option} https://bbb.example.org/b/abc-def-ghi, ou le nom du serveur, par ex. {option} bbb.example.org"
        )
    }
    fn not_a_ca(&self, detail: &str) -> String {
        format!("ce n'est pas un certificat d'autorité : {detail}")
    }
    fn dns_server_unusable(&self, server: &str, detail: &str) -> String {
        format!("impossible d'utiliser le serveur DNS {server} : {detail}")
    }
    fn dns_system_unusable(&self, detail: &str) -> String {
        format!("impossible d'utiliser la configuration DNS du système : {detail}")
    }
    fn cannot_listen(&self, on: &str, addr: &str, os: &str) -> String {
        format!("impossible d'écouter sur {on}{addr} : {os}")
    }
    fn collect_cannot_create(&self, dir: &str, os: &str) -> String {
        format!("--collect {dir} : impossible de le créer : {os}")
    }
    fn collect_not_writable(&self, dir: &str, os: &str) -> String {
        format!("--collect {dir} : impossible d'y écrire : {os}")
    }
    fn proxy_unresolved(&self, proxy: &str) -> String {
        format!("le proxy {proxy} n'a pas d'adresse")
    }
    fn host_unresolved(&self, host: &str, os: &str) -> String {
        format!("{host} n'a pas d'adresse : {os}")
    }
    fn server_untrusted(&self, why: &str) -> String {
        format!("le certificat du serveur n'est pas reconnu : {why}")
    }
    fn no_answer_within(&self, secs: u64) -> String {
        format!("pas de réponse en {secs} s")
    }
    fn server_refused(&self, status: &str, why: &str) -> String {
        format!("le serveur a répondu {status} : {why}")
    }
    fn not_a_collector(&self, status: &str) -> String {
        format!("le serveur a répondu {status}, ce n'est pas un serveur de collecte preflight")
    }
    fn file_unreadable(&self, file: &str, os: &str) -> String {
        format!("{file} : lecture impossible : {os}")
    }
    fn file_not_utf8(&self, file: &str) -> String {
        format!("{file} : ce n'est pas du texte UTF-8 (enregistrez-le en UTF-8)")
    }
    fn settings_key(&self, file: &str, key: &str, why: &str) -> String {
        format!("{file} : clé « {key} » : {why}")
    }
    fn its_stun_server(&self, software: &str) -> String {
        format!("son serveur STUN ({software})")
    }
    fn not_echo(&self, peer: &str, server: &str) -> String {
        format!("{peer} : {server} n'est pas preflight serve : pas d'écho UDP à cet endroit")
    }
    fn udp_port_refused(&self, peer: &str) -> String {
        format!("{peer} : rien ne répond sur son port UDP (ICMP port injoignable)")
    }
    fn no_stun_answer(&self, peer: &str) -> String {
        format!(
            "{peer} : pas de réponse STUN sur son port UDP : ce pair n'est pas preflight serve, ou l'UDP vers lui est bloqué"
        )
    }
    fn not_json(&self, why: &str) -> String {
        format!("pas du JSON ({why})")
    }
    fn other_schema(&self, schema: &str) -> String {
        format!("pas un rapport preflight (schéma « {schema} »)")
    }
    fn missing_field(&self, field: &str) -> String {
        format!("il manque le champ « {field} »")
    }
    fn too_large_for_a_report(&self, mib: u64, max_mib: u64) -> String {
        format!("trop grand pour un rapport ({mib} Mio ; au plus {max_mib} Mio)")
    }
    fn unreadable(&self, why: &str) -> String {
        format!("lecture impossible ({why})")
    }
    fn folder_unreadable(&self, why: &str) -> String {
        format!("lecture du dossier impossible ({why})")
    }
}
