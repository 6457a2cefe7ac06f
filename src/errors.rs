//! What can go wrong in the commands that sit above the reports (`serve`, its collection of
//! reports, `check --send`, `merge`, the double-click kit's settings file): codes and values,
//! never sentences. `report/errors.rs` words them; it sits below those commands, so their error
//! types live here rather than in their own modules. The errors of the lower layers live where
//! they arise: `options::{CheckError, OptionError}`, `probe::dns::{DnsError, IpNetError}`,
//! `probe::tls::TrustError`, `profile::{RelayError, IceUriError}`, `link::LinkError`.

use crate::options::OptionError;
use crate::probe::tls::TrustError;
use std::net::SocketAddr;

/// `preflight serve` could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServeError {
    /// `--tls-cert` / `--tls-key` (the file, inert) cannot be used.
    Pem { path: String, problem: PemProblem },
    /// The certificate and the key do not make a TLS configuration (rustls's reason).
    Tls(String),
    /// A listener could not be opened (`what`: which one; the system's reason).
    Bind {
        what: Listener,
        addr: SocketAddr,
        os: String,
    },
}

/// Which listener `serve` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// HTTP and WebSocket (`--listen`).
    Http,
    /// STUN over UDP (`--stun`).
    StunUdp,
    /// STUN over TCP, on the UDP port.
    StunTcp,
}

/// What is wrong with a PEM file given to `serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PemProblem {
    /// Unreadable (the system's reason).
    Unreadable(String),
    /// Not PEM (the parser's reason).
    BadPem(String),
    NoCertificate,
    NoKey,
}

/// `serve --collect DIR` cannot collect there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectError {
    /// `--collect-token` is empty.
    EmptyToken,
    /// The folder (inert) cannot be made (the system's reason).
    CannotCreate { dir: String, os: String },
    /// Nothing can be written in it (the system's reason).
    NotWritable { dir: String, os: String },
}

/// `check --send URL`: why the report did not arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    Url(OptionError),
    /// The proxy the run found has no address.
    ProxyUnresolved {
        proxy: String,
    },
    /// The server's name has no address (the resolver's reason).
    Unresolved {
        host: String,
        os: String,
    },
    /// The connection or the TLS handshake failed (the probe's own message, as in the report).
    Connect(String),
    /// `--ca-file` cannot be used.
    Trust(TrustError),
    /// The server's certificate is not trusted (the probe's reason, as in the report).
    Untrusted(String),
    /// Nothing within the deadline.
    Timeout {
        secs: u64,
    },
    /// HTTP failed (hyper's reason).
    Http(String),
    /// The server refused it, saying why.
    Refused {
        status: String,
        why: String,
    },
    /// The server answered, but not as a collecting server does.
    NotCollector {
        status: String,
    },
}

/// A file that is not text in an encoding a report can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// It starts with a UTF-16 byte order mark, but is not UTF-16.
    NotUtf16,
    /// Neither UTF-8 nor UTF-16.
    NotText,
}

/// Why `merge` left a file out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAReport {
    /// Not JSON (the parser's reason).
    NotJson(String),
    /// JSON without a `schema` field.
    NoSchema,
    /// Another schema than `preflight-report/…`.
    OtherSchema(String),
    /// A field every report has is missing.
    MissingField(&'static str),
    /// A platform without its `id`.
    PlatformWithoutId,
    /// Not text.
    Decode(DecodeError),
    /// A folder given as a file.
    Folder,
    /// A pipe, a socket or a device: reading it could block or never end.
    NotRegular,
    /// Larger than a report can be (MiB).
    TooLarge { mib: u64, max_mib: u64 },
    /// It cannot be read (the system's reason).
    Unreadable(String),
    /// A folder that cannot be listed (the system's reason).
    FolderUnreadable(String),
    /// A folder without any `.json` file.
    NoJsonInFolder,
    /// The same file named twice: counted once.
    GivenTwice,
}

/// The double-click kit's settings file (`preflight.toml` beside the program).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SidecarError {
    /// Unreadable (the system's reason).
    Unreadable {
        file: String,
        os: String,
    },
    NotUtf8 {
        file: String,
    },
    /// Not TOML as expected (file, line and key).
    Toml(crate::profile::ProfileError),
    /// A key's value is not one the option takes.
    Key {
        file: String,
        key: &'static str,
        why: Box<OptionError>,
    },
}
