//! Platform profiles: which endpoints a browser needs for one platform, what a real answer
//! looks like, which endpoints are fallbacks of each other, and what the speaker's stream costs.
//!
//! Bundled profiles (`profiles/*.toml`) are compiled into the binary; `--profile FILE` adds one
//! or overrides one by `id`. Every field is checked on load, and an error names the file, the
//! line and the field.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub mod desks;
pub mod firewalls;
pub mod library;
pub mod network;
mod relay;
mod toml_file;
mod validate;

pub use firewalls::PageSign;
pub use library::Library;

pub use relay::{Relay, RelayError};
pub use toml_file::{IceUriError, parse_ice_url, parse_toml};
use validate::RawProfile;

/// The platform profiles shipped inside the binary.
pub const BUNDLED: &[(&str, &str)] = &[
    ("profiles/bbb.toml", include_str!("../../profiles/bbb.toml")),
    (
        "profiles/webinaire.toml",
        include_str!("../../profiles/webinaire.toml"),
    ),
    (
        "profiles/livestorm.toml",
        include_str!("../../profiles/livestorm.toml"),
    ),
];

/// A profile that could not be loaded: names the file, the line and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: field `{}`: {}",
            self.file, self.line, self.column, self.field, self.message
        )
    }
}

impl std::error::Error for ProfileError {}

/// How a browser reaches one ICE server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IceScheme {
    Stun,
    Turn,
}

/// What a profile says about one endpoint, whatever its protocol.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    pub what: String,
    /// `what` in French (falls back to `what`).
    pub what_fr: String,
    /// What breaks for the user without it.
    pub why: String,
    pub why_fr: String,
    /// Where the fact comes from; `unverified…` when no public source was found.
    pub source: String,
    pub required: bool,
    /// Shown, never counted in a verdict.
    pub informational: bool,
    /// BigBlueButton major versions the endpoint belongs to; empty: every version.
    pub bbb_versions: Vec<String>,
    /// A public server standing in for the platform's unpublished ones.
    pub stand_in: bool,
    pub group: Option<String>,
}

impl Facts {
    /// A fact with a public source. An unverified endpoint that fails never makes a verdict
    /// worse on its own: it may be the profile that is wrong, not the network.
    pub fn verified(&self) -> bool {
        let s = self.source.trim().to_ascii_lowercase();
        !s.is_empty() && !s.starts_with("unverified")
    }

    /// Does the endpoint belong to this BigBlueButton version (`3.0.4` -> major `3`)?
    pub fn applies_to_version(&self, version: &str) -> bool {
        let major = version.split('.').next().unwrap_or(version);
        self.bbb_versions.is_empty() || self.bbb_versions.iter().any(|v| v == major)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpsCheck {
    pub url: String,
    pub expect_status: Vec<u16>,
    pub expect_body: Vec<String>,
    /// Hosts a redirect may normally lead to besides the endpoint's own (the platform's
    /// domains and sign-in providers; `*.example.org` patterns).
    pub normal_redirects: Vec<String>,
    pub facts: Facts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebsocketCheck {
    pub url: String,
    /// The service's normal answers to an upgrade without a meeting session.
    pub answers: Vec<u16>,
    pub facts: Facts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IceCheck {
    pub url: String,
    pub scheme: IceScheme,
    pub host: String,
    pub port: u16,
    pub transport: crate::model::Transport,
    pub facts: Facts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Needs {
    pub audio: f64,
    /// Quality name -> kbit/s, e.g. `medium` -> 200. Empty when only totals are published.
    pub webcam: BTreeMap<String, f64>,
    pub webcam_default: String,
    /// The webcam qualities a speaker steps down to when the default does not fit, fullest
    /// first (the speaking ladder's webcam steps).
    pub webcam_fallbacks: Vec<String>,
    pub screen: f64,
    pub attendee: f64,
    /// A presenter's whole upload as the platform publishes it (minimum, recommended).
    pub presenter_total: Option<(f64, f64)>,
    pub source: String,
}

/// A loaded and checked profile. URLs may still hold `{server}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub engine: String,
    pub description: String,
    pub default_server: Option<String>,
    pub notes: Vec<String>,
    pub unpublished: Vec<String>,
    /// `unpublished` in French (same order; falls back to English).
    pub unpublished_fr: Vec<String>,
    pub domains: Vec<String>,
    pub sign_in: Vec<String>,
    /// Relays named in the profile (`turn = [...]`), used like `--turn`.
    pub turn: Vec<String>,
    pub media_fallback: String,
    pub media_fallback_fr: String,
    pub https: Vec<HttpsCheck>,
    pub websocket: Vec<WebsocketCheck>,
    pub ice: Vec<IceCheck>,
    pub needs: Needs,
    /// Its own path quality levels; None: `profiles/network.toml`'s.
    pub quality: Option<network::QualityLimits>,
    /// Where it was loaded from (`profiles/bbb.toml` or a user path).
    pub source: String,
}

impl Profile {
    /// True when URLs mention `{server}`: the platform needs a server name.
    pub fn needs_server(&self) -> bool {
        self.https.iter().any(|c| c.url.contains("{server}"))
            || self.websocket.iter().any(|c| c.url.contains("{server}"))
            || self.ice.iter().any(|c| c.url.contains("{server}"))
    }

    /// A copy with `{server}` replaced (host names in ICE checks too).
    pub fn with_server(&self, server: &str) -> Profile {
        let mut p = self.clone();
        for c in &mut p.https {
            c.url = c.url.replace("{server}", server);
        }
        for c in &mut p.websocket {
            c.url = c.url.replace("{server}", server);
        }
        for c in &mut p.ice {
            c.url = c.url.replace("{server}", server);
            c.host = c.host.replace("{server}", server);
        }
        p
    }

    /// A copy whose TURN/STUN endpoints are on `relays` instead of the profile's own hosts.
    /// Each relay URI takes the facts (what, why, group, required) of the profile's endpoint of
    /// the same transport; a transport the profile does not list is informational.
    pub fn with_relays(&self, relays: &[Relay]) -> Profile {
        if relays.is_empty() {
            return self.clone();
        }
        let mut p = self.clone();
        let template = |t: crate::model::Transport| self.ice.iter().find(|c| c.transport == t);
        let mut ice = Vec::new();
        for r in relays {
            for uri in r.uris() {
                let Ok((scheme, host, port, transport)) = parse_ice_url(&uri) else {
                    continue;
                };
                let facts = match template(transport) {
                    Some(t) => t.facts.clone(),
                    // No words of its own: reports name it by its URI (`turn:host:port?transport=…`).
                    None => Facts {
                        source: "--turn".into(),
                        informational: true,
                        ..Facts::default()
                    },
                };
                if !ice.iter().any(|c: &IceCheck| c.url == uri) {
                    ice.push(IceCheck {
                        url: uri,
                        scheme,
                        host,
                        port,
                        transport,
                        facts: Facts {
                            source: format!(
                                "named with --turn or the profile's `turn` ({})",
                                facts.source
                            ),
                            ..facts
                        },
                    });
                }
            }
        }
        p.ice = ice;
        p
    }
}

/// Parse and check one profile. `file` is only used in error messages.
pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
    let raw: RawProfile = parse_toml(file, text)?;
    validate::check(&toml_file::Ctx { file, text }, raw)
}

/// The bundled platform profiles plus user files; a user profile with the same id replaces the
/// bundled one. (Everything else preflight knows: [`Library`].)
pub fn load_all(user_files: &[std::path::PathBuf]) -> Result<Vec<Profile>, ProfileError> {
    Library::load(None, user_files).map(|l| l.platforms)
}

pub fn load_file(path: &Path) -> Result<Profile, ProfileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ProfileError {
        file: name.clone(),
        line: 0,
        column: 0,
        field: "(file)".into(),
        message: format!("cannot read the file: {e}"),
    })?;
    parse(&name, &text)
}

#[cfg(test)]
mod tests;
