//! The words of the errors: what the user gave that cannot be used, and what to do, in French and
//! English. The errors themselves are codes and values (`options`, `probe`, `profile`, `link`,
//! `measure::media`, `errors`); every sentence about them is here.
//!
//! Where a library needs a `Display` (clap's value parsers, a profile file's message, which is
//! English like the TOML parser's own), it is the English wording below (the `english!` list at the end).

use crate::errors::{
    CollectError, DecodeError, Listener, NotAReport, PemProblem, SendError, ServeError,
    SidecarError,
};
use crate::lang::Lang;
use crate::link::{LinkError, LinkProblem};
use crate::measure::media::NotMeasured;
use crate::options::{CheckError, OptionError, OutputProblem};
use crate::probe::dns::{DnsError, IpNetError};
use crate::probe::tls::{CaProblem, TrustError};
use crate::profile::{IceUriError, ProfileError, RelayError};
use crate::report::messages::{M, error_words, msg};

/// The tool could not run as asked.
pub fn check(e: &CheckError, l: Lang) -> String {
    match e {
        CheckError::Profile(e) => profile(e, l),
        CheckError::Option(e) => option(e, l),
        CheckError::Link(e) => link(e, l),
        CheckError::Trust(e) => trust(e, l),
        CheckError::Dns(e) => dns(e, l),
        CheckError::UnknownPlatform { id, valid } => unknown_platform(id, valid, l),
        CheckError::NeedsServer { id } => error_words(l).needs_server(id),
        CheckError::NothingToCheck => msg(l, M::NothingToCheckEvery).into(),
        CheckError::TurnWithoutServer => msg(l, M::TurnNamesTheTURN).into(),
    }
}

/// `--platform ID` (or `profiles show ID`) names no profile.
pub fn unknown_platform(id: &str, valid: &[String], l: Lang) -> String {
    error_words(l).unknown_platform(id, &valid.join(", "))
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
    error_words(l).profile_place(file, *line, *column, field, message)
}

/// An option's value.
pub fn option(e: &OptionError, l: Lang) -> String {
    let w = error_words(l);
    match e {
        OptionError::BadUai { uai } => w.bad_uai(uai),
        OptionError::BadDepartment { text } => w.bad_department(text),
        OptionError::BadBandwidthUrl { text } => w.bad_bandwidth_url(text),
        OptionError::BadSendUrl { text } => w.bad_send_url(text),
        OptionError::BadResolver { text } => w.bad_resolver(text),
        OptionError::BadLabNet { text, why } => {
            let why = match why {
                IpNetError::NotAnAddress => w.not_address_prefix(text),
                IpNetError::BadPrefix => w.bad_prefix_length(text),
            };
            format!("--lab-net{}{why}", msg(l, M::Colon))
        }
        OptionError::BadRelay { text, why } => relay(Some(text), why, l),
        OptionError::Duration { .. } => msg(l, M::DurationMustBeBetween).into(),
        OptionError::Timeout { .. } => msg(l, M::TimeoutMustBeBetween).into(),
        OptionError::Output {
            option,
            path,
            problem,
        } => {
            let what = match problem {
                OutputProblem::IsFolder => msg(l, M::ThisIsAFolder).to_string(),
                OutputProblem::NoFolder { dir } => w.no_folder(dir),
                OutputProblem::NotWritable { dir, kind, os } => {
                    let why = match kind {
                        std::io::ErrorKind::PermissionDenied => msg(l, M::PermissionDenied),
                        std::io::ErrorKind::ReadOnlyFilesystem => msg(l, M::ReadOnlyFileSystem),
                        std::io::ErrorKind::StorageFull => msg(l, M::NoSpaceLeft),
                        _ => os,
                    };
                    w.cannot_write_in(dir, why)
                }
            };
            format!("{option} {path}{}{what}", msg(l, M::Colon))
        }
    }
}

/// A relay that is not one (`text`: what was given, when the sentence names it), with an
/// example of what is.
fn relay(text: Option<&str>, why: &RelayError, l: Lang) -> String {
    let w = error_words(l);
    let example = msg(l, M::EGRelayExample);
    // What the sentence is about: the value, or "it".
    let it = match text {
        Some(t) => w.quoted(t),
        None => msg(l, M::ItPronoun).to_string(),
    };
    let what = match why {
        RelayError::Empty => msg(l, M::ATURNRelayIs).into(),
        RelayError::NotHostOrUri => w.relay_not_host_or_uri(&it),
        RelayError::Uri(e) => ice_uri(e, l),
        RelayError::BadPort { port } => match text {
            Some(_) => format!("{it}{}{}", msg(l, M::Colon), w.relay_bad_port(port)),
            None => w.relay_bad_port(port),
        },
        RelayError::NotHost => w.relay_not_host(&it),
    };
    format!("{what} ({example})")
}

/// A relay in a profile file (whose error names the file, the line and the field).
pub fn relay_in_profile(e: &RelayError, l: Lang) -> String {
    relay(None, e, l)
}

/// A `stun:` / `turn:` / `turns:` URI that does not parse.
pub fn ice_uri(e: &IceUriError, l: Lang) -> String {
    let w = error_words(l);
    match e {
        IceUriError::NoScheme { url } => w.uri_no_scheme(url),
        IceUriError::BadPort { url, port } => w.uri_bad_port(url, port),
        IceUriError::BadHost { url } => w.uri_bad_host(url),
        IceUriError::BadTransport { url } => w.uri_bad_transport(url),
        IceUriError::TurnsOverUdp { url } => w.uri_turns_over_udp(url),
        IceUriError::UnknownScheme { url, scheme } => w.uri_unknown_scheme(url, scheme),
    }
}

/// `--server` / `--link`: what is wrong, and the two forms that work.
pub fn link(e: &LinkError, l: Lang) -> String {
    let LinkError { option, value, why } = e;
    let why = match why {
        LinkProblem::Empty => msg(l, M::IsEmpty),
        LinkProblem::NotAUrl => msg(l, M::IsNotALink),
        LinkProblem::NoHost => msg(l, M::HasNoHostName),
        LinkProblem::BadPort => msg(l, M::HasAPortThat),
        LinkProblem::BadHost => msg(l, M::IsNotAHost),
    };
    error_words(l).bad_link(option, value, why)
}

/// `--ca-file`, or the trust store.
pub fn trust(e: &TrustError, l: Lang) -> String {
    match e {
        TrustError::Store(d) => format!("{}{d}", msg(l, M::TrustStore)),
        TrustError::CaFile { path, problem } => {
            let what = match problem {
                CaProblem::Unreadable { kind, os } => {
                    let why = match kind {
                        std::io::ErrorKind::NotFound => msg(l, M::FileNotFound),
                        std::io::ErrorKind::PermissionDenied => msg(l, M::PermissionDenied),
                        _ => os,
                    };
                    format!("{}{why}", msg(l, M::CannotRead))
                }
                CaProblem::BadPem(d) => d.clone(),
                CaProblem::NotCa(d) => error_words(l).not_a_ca(d),
                CaProblem::NoCertificate => msg(l, M::NoPEMCertificateFound).into(),
            };
            format!("--ca-file {path}{}{what}", msg(l, M::Colon))
        }
    }
}

/// The DNS client could not be built.
pub fn dns(e: &DnsError, l: Lang) -> String {
    let w = error_words(l);
    match e.server {
        Some(a) => w.dns_server_unusable(&a.to_string(), &e.detail),
        None => w.dns_system_unusable(&e.detail),
    }
}

/// `preflight serve` could not start.
pub fn serve(e: &ServeError, l: Lang) -> String {
    match e {
        ServeError::Pem { path, problem } => {
            let what = match problem {
                PemProblem::Unreadable(d) | PemProblem::BadPem(d) => d.clone(),
                PemProblem::NoCertificate => msg(l, M::NoCertificateInThis).into(),
                PemProblem::NoKey => msg(l, M::NoPrivateKeyIn).into(),
            };
            format!("{path}{}{what}", msg(l, M::Colon))
        }
        ServeError::Tls(d) => format!("{}{d}", msg(l, M::CertificateAndKey)),
        ServeError::Bind { what, addr, os } => {
            let on = match what {
                Listener::Http => "",
                Listener::StunUdp => "UDP ",
                Listener::StunTcp => "TCP ",
            };
            error_words(l).cannot_listen(on, &addr.to_string(), os)
        }
    }
}

/// `serve --collect DIR`.
pub fn collect(e: &CollectError, l: Lang) -> String {
    match e {
        CollectError::EmptyToken => msg(l, M::CollectTokenTheToken).into(),
        CollectError::CannotCreate { dir, os } => error_words(l).collect_cannot_create(dir, os),
        CollectError::NotWritable { dir, os } => error_words(l).collect_not_writable(dir, os),
    }
}

/// `check --send`: why the report did not arrive.
pub fn send(e: &SendError, l: Lang) -> String {
    let w = error_words(l);
    match e {
        SendError::Url(e) => option(e, l),
        SendError::Trust(e) => trust(e, l),
        SendError::Connect(m) => m.clone(),
        SendError::ProxyUnresolved { proxy } => w.proxy_unresolved(proxy),
        SendError::Unresolved { host, os } => w.host_unresolved(host, os),
        SendError::Untrusted(why) => w.server_untrusted(why),
        SendError::Timeout { secs } => w.no_answer_within(*secs),
        SendError::Http(d) => format!("HTTP{}{d}", msg(l, M::Colon)),
        SendError::Refused { status, why } => w.server_refused(status, why),
        SendError::NotCollector { status } => w.not_a_collector(status),
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

/// Why `merge` left a file out.
pub fn not_a_report(e: &NotAReport, l: Lang) -> String {
    let w = error_words(l);
    match e {
        NotAReport::NotJson(why) => w.not_json(why),
        NotAReport::NoSchema => msg(l, M::NotAPreflightReport).into(),
        NotAReport::OtherSchema(s) => w.other_schema(s),
        NotAReport::MissingField(f) => w.missing_field(f),
        NotAReport::PlatformWithoutId => msg(l, M::APlatformWithoutId).into(),
        NotAReport::Decode(d) => decode(d, l),
        NotAReport::Folder => msg(l, M::NotARegularFileFolder).into(),
        NotAReport::NotRegular => msg(l, M::NotARegularFilePipe).into(),
        NotAReport::TooLarge { mib, max_mib } => w.too_large_for_a_report(*mib, *max_mib),
        NotAReport::Unreadable(why) => w.unreadable(why),
        NotAReport::FolderUnreadable(why) => w.folder_unreadable(why),
        NotAReport::NoJsonInFolder => msg(l, M::NoJsonFileIn).into(),
        NotAReport::GivenTwice => msg(l, M::GivenTwiceCountedOnce).into(),
    }
}

/// The double-click kit's settings file.
pub fn sidecar(e: &SidecarError, l: Lang) -> String {
    let w = error_words(l);
    match e {
        SidecarError::Toml(e) => profile(e, l),
        SidecarError::Unreadable { file, os } => w.file_unreadable(file, os),
        SidecarError::NotUtf8 { file } => w.file_not_utf8(file),
        SidecarError::Key { file, key, why } => w.settings_key(file, key, &option(why, l)),
    }
}

/// Why the UDP test at media rate did not run (the report's `not_measured` holds the English).
pub fn not_measured(e: &NotMeasured, l: Lang) -> String {
    let w = error_words(l);
    match e {
        NotMeasured::Unreachable => msg(l, M::TheMeasurementPeerCould).into(),
        NotMeasured::NoEchoAtMLab => msg(l, M::MLabSServers).into(),
        NotMeasured::NoAddress { host, why } => format!(
            "{host}{}{}",
            msg(l, M::Colon),
            why.as_deref().unwrap_or_else(|| msg(l, M::NoAddress))
        ),
        NotMeasured::Socket(m) => m.clone(),
        NotMeasured::NotEcho { peer, software } => {
            let server = match software {
                Some(s) => w.its_stun_server(s),
                None => msg(l, M::ItsSTUNServer).into(),
            };
            w.not_echo(peer, &server)
        }
        NotMeasured::Refused { peer } => w.udp_port_refused(peer),
        NotMeasured::NoAnswer { peer } => w.no_stun_answer(peer),
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
