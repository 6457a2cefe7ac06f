//! Firewall fingerprints (`profiles/firewalls.toml`): the signs that name a filtering product,
//! and how sure an identification is. Data, so that a referent can add one (`--profiles-dir`).

use super::{ProfileError, parse_toml};
use serde::Deserialize;

/// One word that betrays a filter's own answer, where it is looked for: `title` (after HTML
/// entity decoding) or a header (`server`, `via`, `x-squid-error`, `location`). Lower case.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSign {
    pub field: &'static str,
    pub needle: String,
    pub family: String,
}

pub const BUNDLED: (&str, &str) = (
    "profiles/firewalls.toml",
    include_str!("../../profiles/firewalls.toml"),
);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sign {
    #[serde(rename = "in")]
    pub field: ClueKind,
    pub contains: String,
    pub weight: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub sign: Vec<Sign>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprints {
    pub confidence: Confidence,
    pub family: Vec<Family>,
}

/// How sure an identification is, from `[confidence]` in `profiles/firewalls.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confidence {
    /// The sum of matched weights from which a family is named.
    pub claim: f64,
    /// The most a sum of weights can say.
    pub cap: f64,
    /// Something failed and there are clues or a pattern, but no family reaches `claim`.
    pub unknown_with_evidence: f64,
    /// Something failed, nothing says what.
    pub unknown: f64,
    /// Nothing failed.
    pub none: f64,
}

impl Fingerprints {
    pub fn bundled() -> Result<Fingerprints, ProfileError> {
        parse_toml(BUNDLED.0, BUNDLED.1)
    }

    /// The signs a probe can see in an answer (title and headers), to tell a filter's page
    /// from the service.
    pub fn page_signs(&self) -> Vec<PageSign> {
        self.family
            .iter()
            .flat_map(|f| f.sign.iter().map(move |s| (f, s)))
            .filter_map(|(f, s)| {
                let field = match s.field {
                    ClueKind::Title => "title",
                    ClueKind::Server => "server",
                    ClueKind::Via => "via",
                    ClueKind::SquidError => "x-squid-error",
                    ClueKind::Location => "location",
                    _ => return None,
                };
                Some(PageSign {
                    field,
                    needle: s.contains.to_lowercase(),
                    family: f.id.clone(),
                })
            })
            .collect()
    }

    /// Issuer names of TLS inspection authorities (for the TLS probe's warning).
    pub fn interception_names(&self) -> Vec<String> {
        self.family
            .iter()
            .flat_map(|f| f.sign.iter())
            .filter(|s| s.field == ClueKind::Issuer)
            .map(|s| s.contains.clone())
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClueKind {
    Issuer,
    Title,
    Server,
    Via,
    SquidError,
    Location,
    Proxy,
    Sinkhole,
}
