//! The command line (the long names are the contract: shared/contract.md).

use crate::options::OptionError;
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "preflight",
    version,
    about = "Can this room's network carry a webinar? Checks BigBlueButton, webinaire.numerique.gouv.fr and Livestorm, says ready / degraded / blocked, what is in the way and whom to call.",
    long_about = None,
    args_conflicts_with_subcommands = true,
    after_help = "Exit codes: 0 ready, 1 degraded (works through a fallback), 2 blocked, 3 could not run as asked.\nExamples:\n  preflight --server bbb.example.org\n  preflight --platform webinaire --uai 0921234X --kind college --html rapport.html"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check this network for the webinar platforms (the default)
    Check(Box<CheckArgs>),
    /// Show the bundled platform profiles
    Profiles {
        #[command(subcommand)]
        what: Option<ProfilesCmd>,
        /// Extra or overriding profile files
        #[arg(long = "profile", value_name = "FILE")]
        profiles: Vec<PathBuf>,
        /// A directory of profile files that override or add platforms, firewalls, desks and
        /// network facts (network.toml)
        #[arg(long = "profiles-dir", value_name = "DIR")]
        profiles_dir: Option<PathBuf>,
    },
    /// Test day: merge many venues' JSON reports into one table
    Merge {
        /// JSON reports, or folders whose .json files are read
        #[arg(value_name = "REPORT.json|DIR", required = true)]
        reports: Vec<PathBuf>,
        /// Also write the table as a self-contained HTML page
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Also write the table as CSV
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Language of the table (default from LANG)
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// Run the self-hostable measurement peer (upload sink, STUN) and a test day's collection
    #[command(
        after_help = "Limits (hostile clients cannot starve the others): at most --max-connections connections at once (kept below the open-file limit, whose soft value is raised to the hard one at start), --max-per-address from one address (an IPv6 /64 counts as one; over a cap, a connection is closed at once), --max-sessions ndt7 uploads at once (more get 503). Every read waits at most --idle-timeout; an ndt7 upload lasts at most 15 s, a POST upload 60 s, any connection 75 s, a TLS handshake --idle-timeout. An upload holds at most 64 KiB of buffer: frames are counted as they arrive, never assembled."
    )]
    Serve(ServeArgs),
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCmd {
    /// List the platforms
    List,
    /// Show what a profile will probe
    Show { id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Ecole,
    College,
    Lycee,
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ecole => "ecole",
            Kind::College => "college",
            Kind::Lycee => "lycee",
            Kind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleArg {
    Speaker,
    Attendee,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangArg {
    Fr,
    En,
}

/// `--lang`, else the environment's language.
pub fn lang_of(l: Option<LangArg>) -> crate::lang::Lang {
    crate::lang::Lang::detect(l.map(|l| match l {
        LangArg::Fr => "fr",
        LangArg::En => "en",
    }))
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Platform to check: bbb, webinaire, livestorm, or a --profile id (repeatable; default: all)
    #[arg(long = "platform", value_name = "ID")]
    pub platforms: Vec<String>,
    /// Load an extra or overriding platform profile (TOML; repeatable)
    #[arg(long = "profile", value_name = "FILE")]
    pub profiles: Vec<PathBuf>,
    /// A directory of profile files that override or add platforms, firewalls (firewalls.toml),
    /// support desks (desks.toml) and network facts such as the path quality levels
    /// (network.toml)
    #[arg(long = "profiles-dir", value_name = "DIR")]
    pub profiles_dir: Option<PathBuf>,
    /// The BigBlueButton server to test: its name, or the meeting link itself
    #[arg(long, value_name = "HOST|LINK")]
    pub server: Option<String>,
    /// The meeting link (BigBlueButton or Greenlight room, webinaire invitation, Livestorm event
    /// page): checks that platform, on that host
    #[arg(long, value_name = "URL")]
    pub link: Option<String>,
    /// A TURN relay of the BigBlueButton server, when it is not on the server itself
    /// (repeatable): HOST, HOST:PORT (TLS port, default 443), or a turn:/turns: URI as in
    /// BigBlueButton's turn-stun-servers.xml
    #[arg(long = "turn", value_name = "RELAY", value_parser = parse_relay)]
    pub turn: Vec<crate::profile::Relay>,
    /// Ask this DNS server instead of the system's
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_resolver)]
    pub resolver: Option<SocketAddr>,
    /// Also trust these root certificates (PEM); interception detection still works
    #[arg(long = "ca-file", value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// The school's UAI (e.g. 0921234X): gives the department, for support routing
    #[arg(long, value_name = "CODE")]
    pub uai: Option<String>,
    /// The venue's department (e.g. 92), for support routing
    #[arg(long, value_name = "NN")]
    pub department: Option<String>,
    /// The kind of school, for support routing
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// A free label stored in the report (room, building)
    #[arg(long, value_name = "TEXT")]
    pub venue: Option<String>,
    /// Whose stream the upload is judged against
    #[arg(long, value_enum, default_value = "speaker")]
    pub role: RoleArg,
    /// Upload measurement peer: ndt7 ws(s)://…/ndt/v7/upload, or an http(s):// POST sink
    /// (default: the nearest M-Lab ndt7 server; `preflight serve` is one you can host)
    #[arg(long = "bandwidth-url", value_name = "URL")]
    pub bandwidth_url: Option<String>,
    /// Skip the measurements (upload, latency under load, UDP path quality): connectivity only
    #[arg(long = "no-bandwidth")]
    pub no_bandwidth: bool,
    /// Longest upload measurement, in seconds (it stops earlier once the rate is stable)
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub duration: u64,
    /// Per-probe deadline, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub timeout: u64,
    /// Write the JSON report to FILE, or to stdout when no FILE is given
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<PathBuf>,
    /// Write the self-contained HTML report
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Language of the human report (default from LANG: French when it starts with fr)
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// At the end, send the JSON report to a `preflight serve --collect` server (its URL, with
    /// ?token=… if it asks for one); the report stays on disk whether it arrived or not
    #[arg(long, value_name = "URL")]
    pub send: Option<String>,
    /// Lab only: addresses in this network are legitimate answers, not DNS sinkholes
    #[arg(long = "lab-net", value_name = "CIDR", hide = true)]
    pub lab_nets: Vec<String>,
    /// Lab only: the addresses tried without DNS when no name resolves (instead of the public
    /// ones of profiles/network.toml)
    #[arg(long = "lab-control", value_name = "ADDR:PORT", hide = true)]
    pub lab_control: Vec<SocketAddr>,
    /// Tests: wait for Enter at the end, as after a double-click
    #[arg(long, hide = true)]
    pub pause: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// HTTP and WebSocket listener (ndt7 upload, POST sink, header echo)
    #[arg(long, value_name = "ADDR:PORT", default_value = "0.0.0.0:8080")]
    pub listen: SocketAddr,
    /// Serve HTTPS/WSS with this certificate chain (PEM)
    #[arg(long = "tls-cert", value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM)
    #[arg(long = "tls-key", value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// STUN Binding over UDP and TCP
    #[arg(long, value_name = "ADDR:PORT", default_value = "0.0.0.0:3478")]
    pub stun: SocketAddr,
    /// Connections open at once, every address together (HTTP, WebSocket, STUN over TCP)
    #[arg(long = "max-connections", value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    /// Connections open at once from one address (an IPv6 /64 counts as one)
    #[arg(long = "max-per-address", value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_per_address: u32,
    /// ndt7 uploads running at once
    #[arg(long = "max-sessions", value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_sessions: u32,
    /// Close a connection that sends nothing for this long, in seconds
    #[arg(long = "idle-timeout", value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub idle_timeout: u64,
    /// Test day: accept reports POSTed by `check --send` into this folder, and show them live
    /// on GET /
    #[arg(long, value_name = "DIR")]
    pub collect: Option<PathBuf>,
    /// Reports (and the live page) need this token: ?token=… or Authorization: Bearer …
    #[arg(
        long = "collect-token",
        value_name = "TOKEN",
        env = "PREFLIGHT_COLLECT_TOKEN",
        requires = "collect"
    )]
    pub collect_token: Option<String>,
}

impl Cli {
    /// The check's options as they are when none is given.
    pub fn default_check() -> CheckArgs {
        Cli::try_parse_from(["preflight"])
            .expect("no arguments parse")
            .check
    }
}

/// `--resolver IP[:PORT]` (port 53 when none is given).
pub fn parse_resolver(s: &str) -> Result<SocketAddr, OptionError> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    s.trim_matches(|c| c == '[' || c == ']')
        .parse::<std::net::IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| OptionError::BadResolver {
            text: crate::inert::line(s),
        })
}

/// `--turn RELAY`.
pub fn parse_relay(s: &str) -> Result<crate::profile::Relay, OptionError> {
    s.parse().map_err(|why| OptionError::BadRelay {
        text: crate::inert::line(s.trim()),
        why,
    })
}
