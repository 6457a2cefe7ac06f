//! `--help` in French: the same command line, its sentences from this table. An option without
//! a French line keeps its English one (a test lists them, so none is forgotten).

use super::Lang;
use clap::{Arg, ArgAction, Command};

const ABOUT: &str = "Le réseau de cette salle permet-il un webinaire ? Vérifie BigBlueButton, webinaire.numerique.gouv.fr et Livestorm, dit prêt / dégradé / bloqué, ce qui gêne et qui contacter.";

const AFTER: &str = "Codes de sortie : 0 prêt, 1 dégradé (fonctionne par un repli), 2 bloqué, 3 n'a pas pu s'exécuter comme demandé.\nExemples :\n  preflight --link https://bbb.exemple.fr/b/abc-def-ghi\n  preflight --platform webinaire --uai 0921234X --kind college --html rapport.html";

/// (subcommand, argument id) -> French help. Subcommand "" is the top level (the check options
/// are shared by the top level and `check`).
const ARGS: &[(&str, &str, &str)] = &[
    (
        "check",
        "platforms",
        "Plateforme à vérifier : bbb, webinaire, livestorm, ou l'id d'un --profile (répétable ; par défaut : toutes)",
    ),
    (
        "check",
        "profiles",
        "Charger un profil de plateforme en plus ou à la place (TOML ; répétable)",
    ),
    (
        "check",
        "profiles_dir",
        "Un dossier de profils qui remplacent ou complètent les plateformes, les pare-feu (firewalls.toml), les guichets d'assistance (desks.toml) et les faits du réseau comme les niveaux de qualité du chemin (network.toml)",
    ),
    (
        "check",
        "server",
        "Le serveur BigBlueButton à tester : son nom, ou le lien de la réunion lui-même",
    ),
    (
        "check",
        "link",
        "Le lien de la réunion (salle BigBlueButton ou Greenlight, invitation webinaire, page d'événement Livestorm) : vérifie cette plateforme, sur cet hôte",
    ),
    (
        "check",
        "turn",
        "Un relais TURN du serveur BigBlueButton, s'il n'est pas sur le serveur lui-même (répétable) : HOTE, HOTE:PORT (port TLS, 443 par défaut), ou une URI turn:/turns: comme dans turn-stun-servers.xml",
    ),
    (
        "check",
        "resolver",
        "Interroger ce serveur DNS au lieu de celui du système",
    ),
    (
        "check",
        "ca_file",
        "Faire aussi confiance à ces certificats racines (PEM) ; l'interception reste détectée",
    ),
    (
        "check",
        "uai",
        "L'UAI de l'établissement (ex. 0921234X) : donne le département, pour choisir le guichet",
    ),
    (
        "check",
        "department",
        "Le département du lieu (ex. 92), pour choisir le guichet",
    ),
    (
        "check",
        "kind",
        "Le type d'établissement, pour choisir le guichet : ecole, college, lycee, other",
    ),
    (
        "check",
        "venue",
        "Un libellé libre gardé dans le rapport (salle, bâtiment)",
    ),
    (
        "check",
        "role",
        "Le flux auquel le débit montant est comparé : speaker (intervenant, par défaut) ou attendee (participant)",
    ),
    (
        "check",
        "bandwidth_url",
        "Pair de mesure du débit montant : ndt7 ws(s)://…/ndt/v7/upload, ou un puits http(s):// en POST (par défaut : le serveur ndt7 de M-Lab le plus proche ; `preflight serve` en est un que vous pouvez héberger)",
    ),
    (
        "check",
        "no_bandwidth",
        "Sauter les mesures (débit montant, latence en charge, qualité UDP) : connectivité seulement",
    ),
    (
        "check",
        "duration",
        "Durée maximale de la mesure du débit montant, en secondes : elle s'arrête plus tôt dès que le débit est stable (10 par défaut)",
    ),
    (
        "check",
        "timeout",
        "Délai de chaque test, en secondes (5 par défaut)",
    ),
    (
        "check",
        "json",
        "Écrire le rapport JSON dans FICHIER, ou sur la sortie standard sans FICHIER",
    ),
    ("check", "html", "Écrire le rapport HTML autonome"),
    (
        "check",
        "lang",
        "Langue du rapport : fr ou en (par défaut selon LANG : français s'il commence par fr)",
    ),
    (
        "check",
        "send",
        "À la fin, envoyer le rapport JSON à un serveur « preflight serve --collect » (son adresse, avec ?token=… s'il en demande un) ; le rapport reste sur le disque, arrivé ou non",
    ),
    (
        "profiles",
        "profiles",
        "Fichiers de profil en plus ou à la place",
    ),
    (
        "profiles",
        "profiles_dir",
        "Un dossier de profils qui remplacent ou complètent les plateformes, les pare-feu, les guichets et les faits du réseau (network.toml)",
    ),
    (
        "merge",
        "reports",
        "Les rapports JSON des salles, ou des dossiers dont les fichiers .json sont lus",
    ),
    (
        "merge",
        "html",
        "Écrire aussi le tableau en page HTML autonome",
    ),
    (
        "merge",
        "csv",
        "Écrire aussi le tableau en CSV (pour Excel)",
    ),
    (
        "merge",
        "lang",
        "Langue du tableau : fr ou en (par défaut selon LANG)",
    ),
    (
        "serve",
        "listen",
        "Écoute HTTP et WebSocket (envoi ndt7, puits POST, écho des en-têtes) ; 0.0.0.0:8080 par défaut",
    ),
    (
        "serve",
        "tls_cert",
        "Servir en HTTPS/WSS avec cette chaîne de certificats (PEM)",
    ),
    ("serve", "tls_key", "La clé privée du certificat (PEM)"),
    (
        "serve",
        "stun",
        "STUN Binding en UDP et TCP ; 0.0.0.0:3478 par défaut",
    ),
    (
        "serve",
        "max_connections",
        "Connexions ouvertes à la fois, toutes adresses confondues (HTTP, WebSocket, STUN en TCP) ; 1000 par défaut",
    ),
    (
        "serve",
        "max_per_address",
        "Connexions ouvertes à la fois depuis une même adresse (un /64 IPv6 compte pour une) ; 64 par défaut",
    ),
    (
        "serve",
        "max_sessions",
        "Mesures ndt7 en cours à la fois ; 32 par défaut",
    ),
    (
        "serve",
        "idle_timeout",
        "Fermer une connexion qui n'envoie rien pendant ce temps, en secondes ; 10 par défaut",
    ),
    (
        "serve",
        "collect",
        "Journée de test : recevoir dans ce dossier les rapports envoyés par « check --send », et les montrer en direct sur GET /",
    ),
    (
        "serve",
        "collect_token",
        "Les rapports (et la page en direct) demandent ce jeton : ?token=… ou Authorization: Bearer …",
    ),
];

/// `serve --help`'s limits, in French.
const SERVE_AFTER: &str = "Limites (un client hostile ne peut pas priver les autres) : au plus --max-connections connexions à la fois (gardé sous la limite de fichiers ouverts, dont la valeur souple est relevée au démarrage), --max-per-address depuis une même adresse (un /64 IPv6 compte pour une ; au-delà, la connexion est fermée aussitôt), --max-sessions mesures ndt7 à la fois (au-delà : 503). Chaque lecture attend au plus --idle-timeout ; une mesure ndt7 dure au plus 15 s, un envoi POST 60 s, une connexion 75 s, une poignée de main TLS --idle-timeout. Une mesure ne garde que 64 Kio de tampon : les trames sont comptées à leur arrivée, jamais assemblées.";

const SUBCOMMANDS: &[(&str, &str)] = &[
    (
        "check",
        "Vérifier ce réseau pour les plateformes de webinaire (commande par défaut)",
    ),
    ("profiles", "Montrer les profils de plateformes intégrés"),
    (
        "merge",
        "Journée de test : réunir les rapports JSON de plusieurs salles en un tableau",
    ),
    (
        "serve",
        "Lancer le serveur de mesure hébergeable (débit montant, STUN) et la collecte d'une journée de test",
    ),
];

const PROFILES: &[(&str, &str)] = &[
    ("list", "Lister les plateformes"),
    (
        "show",
        "Montrer ce qu'un profil teste, pourquoi, et d'où viennent les faits",
    ),
];

/// clap writes the heading, then a colon: French puts a space before it.
const HEADING: &str = "Options ";

const TEMPLATE: &str = "{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}";

/// The placeholders of the values, in French.
const VALUE_NAMES: &[(&str, &str)] = &[
    ("FILE", "FICHIER"),
    ("SECS", "SECONDES"),
    ("TEXT", "TEXTE"),
    ("HOST|LINK", "HOTE|LIEN"),
    ("RELAY", "RELAIS"),
    ("KIND", "TYPE"),
    ("LANG", "LANGUE"),
    ("REPORT.json|DIR", "RAPPORT.json|DOSSIER"),
    ("DIR", "DOSSIER"),
    ("TOKEN", "JETON"),
];

/// The French help for an argument of `sub` ("" for the top level, which shares `check`'s).
pub fn arg_fr(sub: &str, id: &str) -> Option<&'static str> {
    let sub = if sub.is_empty() { "check" } else { sub };
    ARGS.iter()
        .find(|(s, i, _)| *s == sub && *i == id)
        .map(|(_, _, h)| *h)
}

fn french_args(mut cmd: Command, sub: &str) -> Command {
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        if let Some(h) = arg_fr(sub, &id) {
            cmd = cmd.mut_arg(id, |a| {
                // The French line says the values and the default itself.
                let takes = a.get_action().takes_values();
                let value = a
                    .get_value_names()
                    .and_then(|v| v.first())
                    .and_then(|v| VALUE_NAMES.iter().find(|(en, _)| v.as_str() == *en))
                    .map(|(_, fr)| *fr);
                let a = a
                    .help(h)
                    .hide_possible_values(takes)
                    .hide_default_value(takes)
                    .help_heading(HEADING);
                match value {
                    Some(v) => a.value_name(v),
                    None => a,
                }
            });
        }
    }
    cmd.disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Afficher l'aide")
                .help_heading(HEADING),
        )
        .help_template(TEMPLATE)
        .subcommand_help_heading("Commandes ")
        .disable_help_subcommand(true)
}

/// The command line with its help in `lang` (English is the derive's own text).
pub fn localize(cmd: Command, lang: Lang) -> Command {
    if lang == Lang::En {
        return cmd;
    }
    let mut cmd = french_args(cmd, "")
        .about(ABOUT)
        .after_help(AFTER)
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Afficher la version")
                .help_heading(HEADING),
        );
    for (name, about) in SUBCOMMANDS {
        cmd = cmd.mut_subcommand(*name, |c| {
            let mut c = french_args(c, name).about(*about);
            if *name == "serve" {
                c = c.after_help(SERVE_AFTER);
            }
            if *name == "profiles" {
                for (p, a) in PROFILES {
                    c = c.mut_subcommand(*p, |s| french_args(s, "").about(*a));
                }
            }
            c
        });
    }
    cmd
}

/// A command-line error in French (clap's own messages are English only). The offending option
/// and value come from clap's context; the reason a value was refused (our own parsers') is
/// kept as written.
pub fn error_fr(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| -> Option<String> {
        match e.get(k)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join(", ")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::StyledStrs(v) => Some(
                v.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ContextValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let arg = ctx(ContextKind::InvalidArg).unwrap_or_default();
    let value = ctx(ContextKind::InvalidValue).unwrap_or_default();
    let what = match e.kind() {
        ErrorKind::InvalidValue => {
            let valid = ctx(ContextKind::ValidValue)
                .map(|v| format!(" (valeurs possibles : {v})"))
                .unwrap_or_default();
            format!("valeur invalide pour {arg} : « {value} »{valid}")
        }
        ErrorKind::ValueValidation => {
            // Our parsers' typed reason, in French; else (clap's own parsers) what follows
            // clap's "invalid value ... :".
            let ours = std::error::Error::source(e)
                .and_then(|s| s.downcast_ref::<crate::options::OptionError>())
                .map(|o| super::errors::option(o, Lang::Fr));
            let reason = ours.unwrap_or_else(|| {
                let full = e.to_string();
                full.lines()
                    .next()
                    .and_then(|l| l.split_once("': ").map(|(_, r)| r.to_string()))
                    .unwrap_or_default()
            });
            format!("valeur invalide pour {arg} : « {value} » — {reason}")
        }
        ErrorKind::UnknownArgument => format!("option inconnue : {arg}"),
        ErrorKind::InvalidSubcommand => format!("commande inconnue : {arg}"),
        ErrorKind::MissingRequiredArgument => format!("il manque : {arg}"),
        ErrorKind::ArgumentConflict => {
            let other = ctx(ContextKind::PriorArg).unwrap_or_default();
            match ctx(ContextKind::InvalidSubcommand) {
                // `preflight --lang fr check`: the options go after the command.
                Some(cmd) => format!(
                    "la commande « {cmd} » ne peut pas suivre {other} : mettez les options après elle (preflight {cmd} {other_head} …)",
                    other_head = other.split(' ').next().unwrap_or_default()
                ),
                None => format!("{arg} ne peut pas être utilisé avec {other}"),
            }
        }
        ErrorKind::NoEquals | ErrorKind::TooManyValues | ErrorKind::TooFewValues => {
            format!("nombre de valeurs incorrect pour {arg}")
        }
        _ => "la ligne de commande n'est pas comprise".to_string(),
    };
    format!("preflight : {what}\n\nPour en savoir plus : preflight --help\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every argument of every subcommand has its French line (hidden ones aside).
    #[test]
    fn every_option_is_said_in_french() {
        let cmd = crate::cli::Cli::command();
        let mut missing = Vec::new();
        let mut check = |sub: &str, c: &Command| {
            for a in c.get_arguments().filter(|a| !a.is_hide_set()) {
                let id = a.get_id().as_str();
                if !matches!(id, "help" | "version") && arg_fr(sub, id).is_none() {
                    missing.push(format!("{sub} {id}"));
                }
            }
        };
        check("", &cmd);
        for s in cmd.get_subcommands() {
            check(s.get_name(), s);
            assert!(
                SUBCOMMANDS.iter().any(|(n, _)| *n == s.get_name()),
                "subcommand {} has no French line",
                s.get_name()
            );
        }
        assert!(missing.is_empty(), "no French help for: {missing:?}");
    }

    #[test]
    fn options_before_the_command_are_said_in_french_with_the_fix() {
        let e = crate::cli::Cli::command()
            .try_get_matches_from(["preflight", "--lang", "fr", "check"])
            .unwrap_err();
        let fr = error_fr(&e);
        assert!(
            fr.contains("la commande « check » ne peut pas suivre --lang")
                && fr.contains("preflight check --lang"),
            "{fr}"
        );
    }
}
