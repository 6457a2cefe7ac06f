//! What preflight knows of the internet itself (`profiles/network.toml`).

use super::{ProfileError, parse_toml};
use serde::Deserialize;
use std::net::SocketAddr;

pub const BUNDLED: (&str, &str) = (
    "profiles/network.toml",
    include_str!("../../profiles/network.toml"),
);

/// What `profiles/network.toml` says.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkFacts {
    /// Addresses tried without DNS when no name resolves.
    pub control: Vec<SocketAddr>,
}

impl NetworkFacts {
    pub fn bundled() -> Result<NetworkFacts, ProfileError> {
        parse_toml(BUNDLED.0, BUNDLED.1)
    }
}
