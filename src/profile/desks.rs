//! Support desks (`profiles/desks.toml`): who runs the network of which venues, or of which
//! firewall, and how to reach them. The last desk is the one for everyone else.

use super::{ProfileError, parse_toml};
use serde::Deserialize;

pub const BUNDLED: (&str, &str) = (
    "profiles/desks.toml",
    include_str!("../../profiles/desks.toml"),
);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    /// The desk applies only when this firewall family was identified.
    #[serde(default)]
    pub firewall: Option<String>,
    /// The family the venue implies (to say so when the network shows another).
    #[serde(default)]
    pub firewall_expected: Option<String>,
    pub why_fr: String,
    pub why_en: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desks {
    pub desk: Vec<Desk>,
}

impl Desks {
    pub fn bundled() -> Result<Desks, ProfileError> {
        parse_toml(BUNDLED.0, BUNDLED.1)
    }
}
