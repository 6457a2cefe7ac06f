//! What preflight knows of the internet itself (`profiles/network.toml`): the addresses tried
//! without DNS, and the path quality live media needs (a platform may set its own).

use super::toml_file::Ctx;
use super::{ProfileError, parse_toml};
use serde::Deserialize;
use std::net::SocketAddr;

pub const BUNDLED: (&str, &str) = (
    "profiles/network.toml",
    include_str!("../../profiles/network.toml"),
);

/// What `profiles/network.toml` says.
#[derive(Debug, Clone)]
pub struct NetworkFacts {
    /// Addresses tried without DNS when no name resolves.
    pub control: Vec<SocketAddr>,
    /// The path quality of platforms whose profile sets none.
    pub quality: QualityLimits,
}

/// Path quality levels (`[quality]`): good below every `good_*` figure; beyond a `critical_*`
/// one, live media does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityLimits {
    pub good_loss_pct: f64,
    pub good_jitter_ms: f64,
    pub good_rtt_ms: f64,
    pub critical_loss_pct: f64,
    pub critical_rtt_ms: f64,
}

impl QualityLimits {
    /// Every figure positive, a loss at most 100 %, a good level below its critical one.
    /// `table` prefixes the field named in an error (`quality`).
    pub(super) fn check(&self, ctx: &Ctx, table: &str) -> Result<(), ProfileError> {
        let err = |key: &str, message: String| {
            Err(ctx.err(ctx.key_span(key), &format!("{table}.{key}"), message))
        };
        for (key, v, most) in [
            ("good_loss_pct", self.good_loss_pct, 100.0),
            ("critical_loss_pct", self.critical_loss_pct, 100.0),
            ("good_jitter_ms", self.good_jitter_ms, 60_000.0),
            ("good_rtt_ms", self.good_rtt_ms, 60_000.0),
            ("critical_rtt_ms", self.critical_rtt_ms, 60_000.0),
        ] {
            if !(v > 0.0 && v <= most) {
                return err(
                    key,
                    format!("{v} is out of range (above 0, at most {most})"),
                );
            }
        }
        for (good, critical, g, c) in [
            (
                "good_loss_pct",
                "critical_loss_pct",
                self.good_loss_pct,
                self.critical_loss_pct,
            ),
            (
                "good_rtt_ms",
                "critical_rtt_ms",
                self.good_rtt_ms,
                self.critical_rtt_ms,
            ),
        ] {
            if g > c {
                return err(good, format!("{g} is above {critical} ({c})"));
            }
        }
        Ok(())
    }
}

/// A network file: in a profiles directory, each part given replaces the built-in one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkFile {
    pub control: Option<Vec<SocketAddr>>,
    pub quality: Option<QualityLimits>,
}

impl NetworkFile {
    pub fn parse(file: &str, text: &str) -> Result<NetworkFile, ProfileError> {
        let f: NetworkFile = parse_toml(file, text)?;
        if let Some(q) = &f.quality {
            q.check(&Ctx { file, text }, "quality")?;
        }
        Ok(f)
    }
}

impl NetworkFacts {
    pub fn bundled() -> Result<NetworkFacts, ProfileError> {
        let (file, text) = BUNDLED;
        let f = NetworkFile::parse(file, text)?;
        let missing = |field: &str| Ctx { file, text }.err(0..0, field, "missing");
        Ok(NetworkFacts {
            control: f.control.ok_or_else(|| missing("control"))?,
            quality: f.quality.ok_or_else(|| missing("quality"))?,
        })
    }

    /// What a profiles directory's `network.toml` gives replaces the built-in part.
    pub(super) fn update(&mut self, f: NetworkFile) {
        if let Some(c) = f.control {
            self.control = c;
        }
        if let Some(q) = f.quality {
            self.quality = q;
        }
    }
}
