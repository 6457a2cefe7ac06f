//! The words of the errors: what the user gave that cannot be used, and what to do, in French and
//! English. The errors themselves are codes and values (`options`, `probe`, `profile`, `link`,
//! `measure::media`, `errors`); every sentence about them is here.
//!
//! Where a library needs a `Display` (clap's value parsers, a profile file's message, which is
//! English like the TOML parser's own), it is the English wording below (the `english!` list at the end).

use crate::errors::{
    CollectError, DecodeError, Listener, PemProblem, SendError, ServeError, SidecarError,
};
use crate::lang::Lang;
use crate::link::{LinkError, LinkProblem};
use crate::measure::media::NotMeasured;
use crate::options::{CheckError, OptionError, OutputProblem};
use crate::probe::dns::{DnsError, IpNetError};
use crate::probe::tls::{CaProblem, TrustError};
use crate::profile::{IceUriError, ProfileError, RelayError};
use crate::report::messages::{M, msg};

/// The tool could not run as asked.
pub fn check(e: &CheckError, l: Lang) -> String {
    match e {
        CheckError::Profile(e) => profile(e, l),
        CheckError::Option(e) => option(e, l),
        CheckError::Link(e) => link(e, l),
        CheckError::Trust(e) => trust(e, l),
        CheckError::Dns(e) => dns(e, l),
        CheckError::UnknownPlatform { id, valid } => unknown_platform(id, valid, l),
        CheckError::NeedsServer { id } => match l {
            Lang::Fr => format!(
                "la plateforme « {id} » a besoin du nom de son serveur : ajoutez --server HOTE (l'hôte dans le lien de la réunion)"
            ),
            Lang::En => format!(
                "platform `{id}` needs the server's name: add --server HOST (the host in the meeting link)"
            ),
        },
        CheckError::NothingToCheck => msg(l, M::NothingToCheckEvery).into(),
        CheckError::TurnWithoutServer => msg(l, M::TurnNamesTheTURN).into(),
    }
}

/// `--platform ID` (or `profiles show ID`) names no profile.
pub fn unknown_platform(id: &str, valid: &[String], l: Lang) -> String {
    let valid = valid.join(", ");
    match l {
        Lang::Fr => format!("plateforme inconnue « {id} » ; identifiants possibles : {valid}"),
        Lang::En => format!("unknown platform `{id}`; valid ids: {valid}"),
    }
}

/// A profile file: its place (file, line, column, field) in the language, the message as the
/// validation or the TOML parser gives it (English).
pub fn profile(e: &ProfileError, l: Lang) -> String {
    let ProfileError {
        file,
        line,
        column,
        field,
        message,
    } = e;
    match l {
        Lang::Fr => format!("{file}:{line}:{column} : champ « {field} » : {message}"),
        Lang::En => e.to_string(),
    }
}

/// An option's value.
pub fn option(e: &OptionError, l: Lang) -> String {
    match (e, l) {
        (OptionError::BadUai { uai }, Lang::Fr) => {
            format!("--uai {uai} : un code UAI a 7 chiffres et une lettre, par exemple 0921234X")
        }
        (OptionError::BadUai { uai }, Lang::En) => {
            format!("--uai {uai}: a UAI has 7 digits and a letter, like 0921234X")
        }
        (OptionError::BadDepartment { text }, Lang::Fr) => {
            format!("--department {text} : deux ou trois chiffres (92, 971), ou 2A / 2B")
        }
        (OptionError::BadDepartment { text }, Lang::En) => {
            format!("--department {text}: two or three digits (92, 971), or 2A / 2B")
        }
        (OptionError::BadBandwidthUrl { text }, Lang::Fr) => format!(
            "--bandwidth-url {text} : indiquez ws(s)://HOTE/ndt/v7/upload ou http(s)://HOTE/upload"
        ),
        (OptionError::BadBandwidthUrl { text }, Lang::En) => format!(
            "--bandwidth-url {text}: use ws(s)://HOST/ndt/v7/upload or http(s)://HOST/upload"
        ),
        (OptionError::BadSendUrl { text }, Lang::Fr) => format!(
            "--send {text} : il faut l'adresse du serveur de collecte, par exemple https://hote/reports"
        ),
        (OptionError::BadSendUrl { text }, Lang::En) => format!(
            "--send {text}: expected the collecting server's URL, like https://host/reports"
        ),
        (OptionError::BadResolver { text }, Lang::Fr) => {
            format!("« {text} » n'est ni une adresse IP ni IP:PORT")
        }
        (OptionError::BadResolver { text }, Lang::En) => {
            format!("`{text}` is not an IP address or IP:PORT")
        }
        (OptionError::BadLabNet { text, why }, _) => {
            let why = match (why, l) {
                (IpNetError::NotAnAddress, Lang::Fr) => {
                    format!("« {text} » n'est pas de la forme adresse/préfixe")
                }
                (IpNetError::NotAnAddress, Lang::En) => {
                    format!("`{text}` is not an address/prefix")
                }
                (IpNetError::BadPrefix, Lang::Fr) => {
                    format!("« {text} » : longueur de préfixe invalide")
                }
                (IpNetError::BadPrefix, Lang::En) => format!("`{text}`: bad prefix length"),
            };
            format!("--lab-net{}{why}", msg(l, M::Colon))
        }
        (OptionError::BadRelay { text, why }, _) => relay(Some(text), why, l),
        (OptionError::Duration { .. }, _) => msg(l, M::DurationMustBeBetween).into(),
        (OptionError::Timeout { .. }, _) => msg(l, M::TimeoutMustBeBetween).into(),
        (
            OptionError::Output {
                option,
                path,
                problem,
            },
            _,
        ) => {
            let what = match (problem, l) {
                (OutputProblem::IsFolder, Lang::Fr) => {
                    "c'est un dossier ; donnez un nom de fichier".to_string()
                }
                (OutputProblem::IsFolder, Lang::En) => {
                    "this is a folder; give a file name".to_string()
                }
                (OutputProblem::NoFolder { dir }, Lang::Fr) => {
                    format!("le dossier {dir} n'existe pas")
                }
                (OutputProblem::NoFolder { dir }, Lang::En) => {
                    format!("the folder {dir} does not exist")
                }
                (OutputProblem::NotWritable { dir, kind, os }, _) => {
                    let why = match kind {
                        std::io::ErrorKind::PermissionDenied => {
                            msg(l, M::PermissionDenied).to_string()
                        }
                        std::io::ErrorKind::ReadOnlyFilesystem => {
                            msg(l, M::ReadOnlyFileSystem).to_string()
                        }
                        std::io::ErrorKind::StorageFull => msg(l, M::NoSpaceLeft).to_string(),
                        _ => os.clone(),
                    };
                    match l {
                        Lang::Fr => format!("impossible d'écrire dans {dir} ({why})"),
                        Lang::En => format!("cannot write in {dir} ({why})"),
                    }
                }
            };
            format!("{option} {path}{}{what}", msg(l, M::Colon))
        }
    }
}

/// A relay that is not one (`text`: what was given, when the sentence names it), with an
/// example of what is.
fn relay(text: Option<&str>, why: &RelayError, l: Lang) -> String {
    let example = msg(l, M::EGRelayExample);
    // What the sentence is about: the value, or "it".
    let it = match (text, l) {
        (Some(t), Lang::Fr) => format!("« {t} »"),
        (Some(t), Lang::En) => format!("`{t}`"),
        (None, Lang::Fr) => "ce".into(),
        (None, Lang::En) => "it".into(),
    };
    let what = match (why, l) {
        (RelayError::Empty, Lang::Fr) => "il faut un relais TURN".to_string(),
        (RelayError::Empty, Lang::En) => "a TURN relay is needed".to_string(),
        (RelayError::NotHostOrUri, Lang::Fr) => {
            format!("{it} n'est ni un nom d'hôte ni une URI turn:/turns:")
        }
        (RelayError::NotHostOrUri, Lang::En) => {
            format!("{it} is not a host name or a turn:/turns: URI")
        }
        (RelayError::Uri(e), _) => ice_uri(e, l),
        (RelayError::BadPort { port }, Lang::Fr) => match text {
            Some(_) => format!("{it} : « {port} » n'est pas un port"),
            None => format!("« {port} » n'est pas un port"),
        },
        (RelayError::BadPort { port }, Lang::En) => match text {
            Some(_) => format!("{it}: `{port}` is not a port"),
            None => format!("`{port}` is not a port"),
        },
        (RelayError::NotHost, Lang::Fr) => format!("{it} n'est pas un nom d'hôte"),
        (RelayError::NotHost, Lang::En) => format!("{it} is not a host name"),
    };
    format!("{what} ({example})")
}

/// A relay in a profile file (whose error names the file, the line and the field).
pub fn relay_in_profile(e: &RelayError, l: Lang) -> String {
    relay(None, e, l)
}

/// A `stun:` / `turn:` / `turns:` URI that does not parse.
pub fn ice_uri(e: &IceUriError, l: Lang) -> String {
    match (e, l) {
        (IceUriError::NoScheme { url }, Lang::Fr) => {
            format!("« {url} » n'est pas une URI stun:, turn: ou turns:")
        }
        (IceUriError::NoScheme { url }, Lang::En) => {
            format!("`{url}` is not a stun:, turn: or turns: URI")
        }
        (IceUriError::BadPort { url, port }, Lang::Fr) => {
            format!("« {url} » : « {port} » n'est pas un numéro de port")
        }
        (IceUriError::BadPort { url, port }, Lang::En) => {
            format!("`{url}`: `{port}` is not a port number")
        }
        (IceUriError::BadHost { url }, Lang::Fr) => {
            format!("« {url} » : nom d'hôte absent ou invalide")
        }
        (IceUriError::BadHost { url }, Lang::En) => format!("`{url}`: missing or invalid host"),
        (IceUriError::BadTransport { url }, Lang::Fr) => {
            format!("« {url} » : il faut « ?transport=udp » ou « ?transport=tcp »")
        }
        (IceUriError::BadTransport { url }, Lang::En) => {
            format!("`{url}`: expected `?transport=udp` or `?transport=tcp`")
        }
        (IceUriError::TurnsOverUdp { url }, Lang::Fr) => {
            format!("« {url} » : turns: passe par TLS, pas par UDP")
        }
        (IceUriError::TurnsOverUdp { url }, Lang::En) => {
            format!("`{url}`: turns: runs over TLS, not UDP")
        }
        (IceUriError::UnknownScheme { url, scheme }, Lang::Fr) => {
            format!("« {url} » : schéma « {scheme} » inconnu (stun, turn ou turns)")
        }
        (IceUriError::UnknownScheme { url, scheme }, Lang::En) => {
            format!("`{url}`: unknown scheme `{scheme}` (stun, turn or turns)")
        }
    }
}

/// `--server` / `--link`: what is wrong, and the two forms that work.
pub fn link(e: &LinkError, l: Lang) -> String {
    let LinkError { option, value, why } = e;
    match l {
        Lang::Fr => {
            let why = match why {
                LinkProblem::Empty => "est vide",
                LinkProblem::NotAUrl => "n'est pas un lien",
                LinkProblem::NoHost => "n'a pas de nom d'hôte",
                LinkProblem::BadPort => "a un port qui n'est pas un nombre de 1 à 65535",
                LinkProblem::BadHost => "n'est pas un nom d'hôte",
            };
            format!(
                "{option} « {value} » {why} : donnez le lien de la réunion, par ex. {option} https://bbb.example.org/b/abc-def-ghi, ou le nom du serveur, par ex. {option} bbb.example.org"
            )
        }
        Lang::En => {
            let why = match why {
                LinkProblem::Empty => "is empty",
                LinkProblem::NotAUrl => "is not a link",
                LinkProblem::NoHost => "has no host name",
                LinkProblem::BadPort => "has a port that is not a number from 1 to 65535",
                LinkProblem::BadHost => "is not a host name",
            };
            format!(
                "{option} `{value}` {why}: give the meeting link, e.g. {option} https://bbb.example.org/b/abc-def-ghi, or the server's name, e.g. {option} bbb.example.org"
            )
        }
    }
}

/// `--ca-file`, or the trust store.
pub fn trust(e: &TrustError, l: Lang) -> String {
    match e {
        TrustError::Store(d) => format!("{}{d}", msg(l, M::TrustStore)),
        TrustError::CaFile { path, problem } => {
            let what = match (problem, l) {
                (CaProblem::Unreadable { kind, os }, _) => {
                    let why = match kind {
                        std::io::ErrorKind::NotFound => msg(l, M::FileNotFound).to_string(),
                        std::io::ErrorKind::PermissionDenied => {
                            msg(l, M::PermissionDenied).to_string()
                        }
                        _ => os.clone(),
                    };
                    format!("{}{why}", msg(l, M::CannotRead))
                }
                (CaProblem::BadPem(d), _) => d.clone(),
                (CaProblem::NotCa(d), Lang::Fr) => {
                    format!("ce n'est pas un certificat d'autorité : {d}")
                }
                (CaProblem::NotCa(d), Lang::En) => format!("not a CA certificate: {d}"),
                (CaProblem::NoCertificate, Lang::Fr) => {
                    "aucun certificat PEM trouvé (attendu : -----BEGIN CERTIFICATE-----)".into()
                }
                (CaProblem::NoCertificate, Lang::En) => {
                    "no PEM certificate found (expected -----BEGIN CERTIFICATE-----)".into()
                }
            };
            format!("--ca-file {path}{}{what}", msg(l, M::Colon))
        }
    }
}

/// The DNS client could not be built.
pub fn dns(e: &DnsError, l: Lang) -> String {
    let d = &e.detail;
    match (e.server, l) {
        (Some(a), Lang::Fr) => format!("impossible d'utiliser le serveur DNS {a} : {d}"),
        (Some(a), Lang::En) => format!("cannot use the DNS server {a}: {d}"),
        (None, Lang::Fr) => format!("impossible d'utiliser la configuration DNS du système : {d}"),
        (None, Lang::En) => format!("cannot use the system DNS configuration: {d}"),
    }
}

/// `preflight serve` could not start.
pub fn serve(e: &ServeError, l: Lang) -> String {
    match e {
        ServeError::Pem { path, problem } => {
            let what = match (problem, l) {
                (PemProblem::Unreadable(d) | PemProblem::BadPem(d), _) => d.clone(),
                (PemProblem::NoCertificate, _) => msg(l, M::NoCertificateInThis).into(),
                (PemProblem::NoKey, _) => msg(l, M::NoPrivateKeyIn).into(),
            };
            format!("{path}{}{what}", msg(l, M::Colon))
        }
        ServeError::Tls(d) => format!("{}{d}", msg(l, M::CertificateAndKey)),
        ServeError::Bind { what, addr, os } => {
            let on = match what {
                Listener::Http => String::new(),
                Listener::StunUdp => "UDP ".into(),
                Listener::StunTcp => "TCP ".into(),
            };
            match l {
                Lang::Fr => format!("impossible d'écouter sur {on}{addr} : {os}"),
                Lang::En => format!("cannot listen on {on}{addr}: {os}"),
            }
        }
    }
}

/// `serve --collect DIR`.
pub fn collect(e: &CollectError, l: Lang) -> String {
    match (e, l) {
        (CollectError::EmptyToken, _) => msg(l, M::CollectTokenTheToken).into(),
        (CollectError::CannotCreate { dir, os }, Lang::Fr) => {
            format!("--collect {dir} : impossible de le créer : {os}")
        }
        (CollectError::CannotCreate { dir, os }, Lang::En) => {
            format!("--collect {dir}: cannot create it: {os}")
        }
        (CollectError::NotWritable { dir, os }, Lang::Fr) => {
            format!("--collect {dir} : impossible d'y écrire : {os}")
        }
        (CollectError::NotWritable { dir, os }, Lang::En) => {
            format!("--collect {dir}: cannot write there: {os}")
        }
    }
}

/// `check --send`: why the report did not arrive.
pub fn send(e: &SendError, l: Lang) -> String {
    match (e, l) {
        (SendError::Url(e), _) => option(e, l),
        (SendError::Trust(e), _) => trust(e, l),
        (SendError::Connect(m), _) => m.clone(),
        (SendError::ProxyUnresolved { proxy }, Lang::Fr) => {
            format!("le proxy {proxy} n'a pas d'adresse")
        }
        (SendError::ProxyUnresolved { proxy }, Lang::En) => {
            format!("cannot resolve the proxy {proxy}")
        }
        (SendError::Unresolved { host, os }, Lang::Fr) => {
            format!("{host} n'a pas d'adresse : {os}")
        }
        (SendError::Unresolved { host, os }, Lang::En) => format!("cannot resolve {host}: {os}"),
        (SendError::Untrusted(why), Lang::Fr) => {
            format!("le certificat du serveur n'est pas reconnu : {why}")
        }
        (SendError::Untrusted(why), Lang::En) => {
            format!("the server's certificate is not trusted: {why}")
        }
        (SendError::Timeout { secs }, Lang::Fr) => format!("pas de réponse en {secs} s"),
        (SendError::Timeout { secs }, Lang::En) => format!("no answer within {secs} s"),
        (SendError::Http(d), _) => format!("HTTP{}{d}", msg(l, M::Colon)),
        (SendError::Refused { status, why }, Lang::Fr) => {
            format!("le serveur a répondu {status} : {why}")
        }
        (SendError::Refused { status, why }, Lang::En) => {
            format!("the server answered {status}: {why}")
        }
        (SendError::NotCollector { status }, Lang::Fr) => {
            format!("le serveur a répondu {status}, ce n'est pas un serveur de collecte preflight")
        }
        (SendError::NotCollector { status }, Lang::En) => {
            format!("the server answered {status}, not a preflight collecting server")
        }
    }
}

/// A file that is not text a report can be.
pub fn decode(e: &DecodeError, l: Lang) -> String {
    match e {
        DecodeError::NotUtf16 => msg(l, M::NotUTF16Text),
        DecodeError::NotText => msg(l, M::NotUTF8Or),
    }
    .into()
}

/// The double-click kit's settings file.
pub fn sidecar(e: &SidecarError, l: Lang) -> String {
    match (e, l) {
        (SidecarError::Toml(e), _) => profile(e, l),
        (SidecarError::Unreadable { file, os }, Lang::Fr) => {
            format!("{file} : lecture impossible : {os}")
        }
        (SidecarError::Unreadable { file, os }, Lang::En) => format!("{file}: cannot read: {os}"),
        (SidecarError::NotUtf8 { file }, Lang::Fr) => {
            format!("{file} : ce n'est pas du texte UTF-8 (enregistrez-le en UTF-8)")
        }
        (SidecarError::NotUtf8 { file }, Lang::En) => {
            format!("{file}: not UTF-8 text (save it as UTF-8)")
        }
        (SidecarError::Key { file, key, why }, Lang::Fr) => {
            format!("{file} : clé « {key} » : {}", option(why, l))
        }
        (SidecarError::Key { file, key, why }, Lang::En) => {
            format!("{file}: key `{key}`: {}", option(why, l))
        }
    }
}

/// Why the UDP test at media rate did not run (the report's `not_measured` holds the English).
pub fn not_measured(e: &NotMeasured, l: Lang) -> String {
    match (e, l) {
        (NotMeasured::Unreachable, _) => msg(l, M::TheMeasurementPeerCould).into(),
        (NotMeasured::NoEchoAtMLab, _) => msg(l, M::MLabSServers).into(),
        (NotMeasured::NoAddress { host, why }, _) => format!(
            "{host}{}{}",
            msg(l, M::Colon),
            why.as_deref().unwrap_or_else(|| msg(l, M::NoAddress))
        ),
        (NotMeasured::Socket(m), _) => m.clone(),
        (NotMeasured::NotEcho { peer, software }, _) => {
            let server = match (software, l) {
                (Some(s), Lang::Fr) => format!("son serveur STUN ({s})"),
                (Some(s), Lang::En) => format!("its STUN server ({s})"),
                (None, Lang::Fr) => "son serveur STUN".into(),
                (None, Lang::En) => "its STUN server".into(),
            };
            match l {
                Lang::Fr => format!(
                    "{peer} : {server} n'est pas preflight serve : pas d'écho UDP à cet endroit"
                ),
                Lang::En => {
                    format!("{peer}: {server} is not preflight serve: no UDP echo there")
                }
            }
        }
        (NotMeasured::Refused { peer }, Lang::Fr) => {
            format!("{peer} : rien ne répond sur son port UDP (ICMP port injoignable)")
        }
        (NotMeasured::Refused { peer }, Lang::En) => {
            format!("{peer}: nothing answers on its UDP port (ICMP port unreachable)")
        }
        (NotMeasured::NoAnswer { peer }, Lang::Fr) => format!(
            "{peer} : pas de réponse STUN sur son port UDP : ce pair n'est pas preflight serve, ou l'UDP vers lui est bloqué"
        ),
        (NotMeasured::NoAnswer { peer }, Lang::En) => format!(
            "{peer}: no STUN answer on its UDP port: the peer is not preflight serve, or UDP to it is dropped"
        ),
    }
}

/// The English wording as `Display`, for the libraries that ask for one: clap prints an
/// option's error with it (`report::help::error_fr` words it in French instead), and a
/// profile file's error message carries a bad ICE URI or relay in it.
macro_rules! english {
    ($($t:ty => $word:path),* $(,)?) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$word(self, Lang::En))
            }
        }
        impl std::error::Error for $t {}
    )*};
}

english!(
    OptionError => option,
    IceUriError => ice_uri,
    RelayError => relay_in_profile,
);

#[cfg(test)]
mod tests;
