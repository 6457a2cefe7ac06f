//! What the user asked for, checked before any socket is opened: the options, whose stream the
//! upload is judged against, the venue (UAI -> department), the platforms to check and their
//! server. Bad input fails here with exit code 3.

use crate::lang::Lang;
use crate::model::Venue;
use crate::probe::dns::IpNet;
use crate::profile::{self, Profile, ProfileError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Whose stream the upload is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Participant {
    #[default]
    Speaker,
    Attendee,
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub platforms: Vec<String>,
    pub profiles: Vec<PathBuf>,
    /// A directory whose profile files override or add to the built-in ones (`--profiles-dir`).
    pub profiles_dir: Option<PathBuf>,
    pub server: Option<String>,
    /// The meeting link (`--link`): its platform and host.
    pub link: Option<String>,
    /// TURN relays of the BigBlueButton server (`--turn`), when not on the server itself.
    pub turn: Vec<crate::profile::Relay>,
    pub resolver: Option<SocketAddr>,
    pub ca_file: Option<PathBuf>,
    pub venue: Venue,
    pub role: Participant,
    pub bandwidth_url: Option<String>,
    pub no_bandwidth: bool,
    pub duration: Duration,
    pub timeout: Duration,
    pub lang: Lang,
    /// Networks whose addresses are not sinkholes (labs on loopback or private ranges).
    pub lab_nets: Vec<IpNet>,
    /// Addresses tried without DNS instead of profiles/network.toml's (labs and tests).
    pub lab_control: Vec<SocketAddr>,
    /// The JSON report is written to a file (the ticket says it is attached).
    pub json_attached: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            platforms: vec![],
            profiles: vec![],
            profiles_dir: None,
            server: None,
            link: None,
            turn: vec![],
            resolver: None,
            ca_file: None,
            venue: Venue::default(),
            role: Participant::Speaker,
            bandwidth_url: None,
            no_bandwidth: false,
            duration: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
            lang: Lang::En,
            lab_nets: vec![],
            lab_control: vec![],
            json_attached: false,
        }
    }
}

/// The tool could not run as asked (exit code 3): codes and values, worded in `report/errors.rs`.
#[derive(Debug)]
pub enum CheckError {
    /// A profile file (its message names the file, the line and the field).
    Profile(ProfileError),
    /// An option's value.
    Option(OptionError),
    /// `--server` or `--link`.
    Link(crate::link::LinkError),
    /// `--ca-file`.
    Trust(crate::probe::tls::TrustError),
    /// The DNS client could not be built (for `--resolver`, or from the system's settings).
    Dns(crate::probe::dns::DnsError),
    /// `--platform ID` names no profile; `valid` lists the ids.
    UnknownPlatform { id: String, valid: Vec<String> },
    /// This platform needs `--server HOST`.
    NeedsServer { id: String },
    /// Every selected platform needs `--server HOST`.
    NothingToCheck,
    /// `--turn` without a BigBlueButton server to relay for.
    TurnWithoutServer,
}

impl From<ProfileError> for CheckError {
    fn from(e: ProfileError) -> Self {
        CheckError::Profile(e)
    }
}

impl From<OptionError> for CheckError {
    fn from(e: OptionError) -> Self {
        CheckError::Option(e)
    }
}

/// An option's value that cannot be used (on the command line or in the double-click kit's
/// settings file): what was given and what is wrong, never a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionError {
    /// `--uai`: not 7 digits and a letter.
    BadUai { uai: String },
    /// `--department`: not two or three digits, nor 2A / 2B.
    BadDepartment { text: String },
    /// `--bandwidth-url`: not ws(s):// or http(s):// with a host.
    BadBandwidthUrl { text: String },
    /// `--send`: not http(s):// with a host.
    BadSendUrl { text: String },
    /// `--resolver`: not IP or IP:PORT.
    BadResolver { text: String },
    /// `--lab-net`: not an address/prefix.
    BadLabNet {
        text: String,
        why: crate::probe::dns::IpNetError,
    },
    /// `--turn`: not a relay.
    BadRelay {
        text: String,
        why: crate::profile::RelayError,
    },
    /// `--duration` outside 1..=60 seconds.
    Duration { secs: u64 },
    /// `--timeout` outside 1..=120 seconds.
    Timeout { secs: u64 },
    /// `--json FILE` / `--html FILE` cannot be written.
    Output {
        option: &'static str,
        path: String,
        problem: OutputProblem,
    },
}

/// Why an output file cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputProblem {
    /// The path is a folder.
    IsFolder,
    /// Its folder does not exist.
    NoFolder { dir: String },
    /// Its folder takes no file (`kind` and the system's own message).
    NotWritable {
        dir: String,
        kind: std::io::ErrorKind,
        os: String,
    },
}

/// The department of a UAI (`0921234X` -> `92`, `9711234A` -> `971`).
pub fn department_of_uai(uai: &str) -> Result<String, OptionError> {
    let u = uai.trim().to_ascii_uppercase();
    // Bytes, not characters, are counted and sliced below: only ASCII gets there.
    let ok = u.is_ascii()
        && u.len() == 8
        && u[..7].chars().all(|c| c.is_ascii_digit())
        && u.as_bytes()[7].is_ascii_alphabetic();
    if !ok {
        return Err(OptionError::BadUai {
            uai: crate::inert::line(uai),
        });
    }
    Ok(if let Some(rest) = u.strip_prefix('0') {
        rest[..2].to_string()
    } else {
        u[..3].to_string()
    })
}

/// Choose the platforms to check and give BigBlueButton-like profiles their server; also the
/// names of those left untested for want of a server.
pub fn select(
    all: &[Profile],
    opts: &CheckOptions,
) -> Result<(Vec<Profile>, Vec<String>), CheckError> {
    let mut untested = Vec::new();
    // The meeting link (or what was given to --server) names the host, and its platform when
    // its domain belongs to one; --link alone checks that platform only.
    let mut platforms = opts.platforms.clone();
    let mut server: Option<String> = None;
    for (option, value) in [("--server", &opts.server), ("--link", &opts.link)] {
        let Some(v) = value else { continue };
        let link = crate::link::parse(option, v, all).map_err(CheckError::Link)?;
        match link.platform {
            Some(id) => {
                if opts.platforms.is_empty() && !platforms.contains(&id) {
                    platforms.push(id);
                }
            }
            None => {
                server = Some(link.server);
                if option == "--link" && opts.platforms.is_empty() {
                    platforms.extend(
                        all.iter()
                            .filter(|p| p.needs_server())
                            .map(|p| p.id.clone()),
                    );
                }
            }
        }
    }
    let wanted: Vec<&Profile> = if platforms.is_empty() {
        all.iter().collect()
    } else {
        let mut v = Vec::new();
        for id in &platforms {
            match all.iter().find(|p| &p.id == id) {
                Some(p) => v.push(p),
                None => {
                    return Err(CheckError::UnknownPlatform {
                        id: crate::inert::line(id),
                        valid: all.iter().map(|p| p.id.clone()).collect(),
                    });
                }
            }
        }
        v
    };
    let mut out = Vec::new();
    for p in wanted {
        if !p.needs_server() {
            out.push(p.clone());
            continue;
        }
        match server.as_deref().or(p.default_server.as_deref()) {
            Some(s) => {
                // Relays named with --turn, else those the profile names, else the server's own.
                let mut relays = opts.turn.clone();
                if relays.is_empty() {
                    relays = p.turn.iter().filter_map(|t| t.parse().ok()).collect();
                }
                out.push(p.with_server(s).with_relays(&relays));
            }
            None if platforms.contains(&p.id) => {
                return Err(CheckError::NeedsServer { id: p.id.clone() });
            }
            None => untested.push(p.name.clone()),
        }
    }
    if out.is_empty() {
        return Err(CheckError::NothingToCheck);
    }
    if !opts.turn.is_empty() && !wanted_server(&out, all) {
        return Err(CheckError::TurnWithoutServer);
    }
    Ok((out, untested))
}

/// Is one of the selected platforms a server named with --server (the only ones --turn is for)?
fn wanted_server(selected: &[Profile], all: &[Profile]) -> bool {
    selected
        .iter()
        .any(|p| all.iter().any(|q| q.id == p.id && q.needs_server()))
}

/// Everything checked before any socket is opened: bad input fails here, with exit code 3.
pub struct Prepared {
    pub opts: CheckOptions,
    pub profiles: Vec<Profile>,
    /// Platforms not tested because they need `--server` (their names).
    pub untested: Vec<String>,
    pub fingerprints: profile::firewalls::Fingerprints,
    pub desks: profile::desks::Desks,
    pub network: profile::network::NetworkFacts,
}

pub fn prepare(mut opts: CheckOptions) -> Result<Prepared, CheckError> {
    let library = profile::Library::load(opts.profiles_dir.as_deref(), &opts.profiles)?;
    let (profiles, untested) = select(&library.platforms, &opts)?;
    if let Some(uai) = opts.venue.uai.clone() {
        let dep = department_of_uai(&uai)?;
        opts.venue.uai = Some(uai.trim().to_ascii_uppercase());
        if opts.venue.department.is_none() {
            opts.venue.department = Some(dep);
        }
    }
    if opts.timeout.is_zero() || opts.timeout > Duration::from_secs(120) {
        return Err(OptionError::Timeout {
            secs: opts.timeout.as_secs(),
        }
        .into());
    }
    let profile::Library {
        fingerprints,
        desks,
        mut network,
        ..
    } = library;
    if !opts.lab_control.is_empty() {
        network.control = opts.lab_control.clone();
    }
    Ok(Prepared {
        opts,
        profiles,
        untested,
        fingerprints,
        desks,
        network,
    })
}
