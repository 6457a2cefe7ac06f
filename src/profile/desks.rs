//! Support desks (`profiles/desks.toml`): who runs the network of which venues, or of which
//! firewall, and how to reach them. The last desk is the one for everyone else.

use super::toml_file::Ctx;
use super::{ProfileError, parse_toml};
use serde::Deserialize;

pub const BUNDLED: (&str, &str) = (
    "profiles/desks.toml",
    include_str!("../../profiles/desks.toml"),
);

/// The kinds of venue `--kind` names (a desk's `kinds`).
pub const KINDS: [&str; 4] = ["ecole", "college", "lycee", "other"];

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
    /// Where it was written, for errors found once every file is loaded.
    #[serde(skip)]
    pub origin: Origin,
}

/// A desk's file, the line of its `[[desk]]`, and its place in the file.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub index: usize,
}

impl Origin {
    pub fn err(&self, key: &str, message: String) -> ProfileError {
        ProfileError {
            file: self.file.clone(),
            line: self.line,
            column: 1,
            field: format!("desk[{}].{key}", self.index),
            message,
        }
    }
}

impl Desk {
    /// Applies whatever the venue and the network.
    pub fn unconditional(&self) -> bool {
        self.departments.is_empty() && self.kinds.is_empty() && self.firewall.is_none()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desks {
    pub desk: Vec<Desk>,
}

/// Two or three digits (92, 971), or 2A / 2B, as `--department` takes them.
pub fn is_department(d: &str) -> bool {
    matches!(d, "2A" | "2B")
        || ((2..=3).contains(&d.len()) && d.bytes().all(|c| c.is_ascii_digit()))
}

impl Desks {
    pub fn bundled() -> Result<Desks, ProfileError> {
        Desks::parse(BUNDLED.0, BUNDLED.1)
    }

    /// Read and check a desks file: kinds that `--kind` names, departments as `--department`
    /// takes them, and the words that say why.
    pub fn parse(file: &str, text: &str) -> Result<Desks, ProfileError> {
        let mut desks: Desks = parse_toml(file, text)?;
        let ctx = Ctx { file, text };
        for (index, d) in desks.desk.iter_mut().enumerate() {
            let line = ctx.err(ctx.table_span("desk", index), "", "").line;
            d.origin = Origin {
                file: file.to_string(),
                line,
                index,
            };
            if let Some(k) = d.kinds.iter().find(|k| !KINDS.contains(&k.as_str())) {
                return Err(d.origin.err(
                    "kinds",
                    format!("`{k}` is not a kind of venue ({})", KINDS.join(", ")),
                ));
            }
            if let Some(x) = d.departments.iter().find(|x| !is_department(x)) {
                return Err(d.origin.err(
                    "departments",
                    format!("`{x}` is not a department: two or three digits (92, 971), or 2A / 2B"),
                ));
            }
            for (key, v) in [
                ("name", &d.name),
                ("why_fr", &d.why_fr),
                ("why_en", &d.why_en),
            ] {
                if v.trim().is_empty() {
                    return Err(d.origin.err(key, "empty".into()));
                }
            }
        }
        Ok(desks)
    }

    /// Checks that need every file: a desk's `firewall` names a known family, and the last
    /// desk applies to everyone (the one left when no other does).
    pub fn check(&self, families: &[&str]) -> Result<(), ProfileError> {
        for d in &self.desk {
            if let Some(f) = d.firewall.as_deref().filter(|f| !families.contains(f)) {
                return Err(d.origin.err(
                    "firewall",
                    format!(
                        "`{f}` is not a firewall family of the fingerprints ({})",
                        families.join(", ")
                    ),
                ));
            }
        }
        match self.desk.last() {
            Some(d) if d.unconditional() => Ok(()),
            Some(d) => Err(d.origin.err(
                "departments",
                "the last desk must apply to everyone (no departments, kinds or firewall): it is the one left when no other does".into(),
            )),
            None => Err(ProfileError {
                file: BUNDLED.0.into(),
                line: 0,
                column: 0,
                field: "desk".into(),
                message: "no desk".into(),
            }),
        }
    }
}
