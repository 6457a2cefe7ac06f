//! Firewall fingerprints (`profiles/firewalls.toml`): the signs that name a filtering product,
//! and how sure an identification is. Data, so that a referent can add one (`--profiles-dir`).

use super::toml_file::Ctx;
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

/// A page only the family's own product answers, asked of the proxy the browser uses
/// (`[[family.test]]`): e2guardian answers `http://internal.test.e2guardian.org/` itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterTest {
    /// The product that answers it; the proxy probe's data says `<product>: true|false`.
    pub product: String,
    /// An absolute `http://` URL, asked of the proxy.
    pub url: String,
    /// Words only the product's own answer carries.
    pub answer: String,
    /// What the product answering it weighs, like a sign.
    pub weight: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub sign: Vec<Sign>,
    #[serde(default)]
    pub test: Vec<FilterTest>,
}

#[derive(Debug, Clone)]
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

/// The answer headers that carry a filter's clues, and the kind of clue each is: the one list
/// the probes keep, the signs are looked for in, and the diagnosis reads (lower case).
pub const CLUE_HEADERS: [(&str, ClueKind); 4] = [
    ("server", ClueKind::Server),
    ("via", ClueKind::Via),
    ("x-squid-error", ClueKind::SquidError),
    ("location", ClueKind::Location),
];

impl ClueKind {
    /// The answer header this clue is read from, if it is one.
    pub fn header(self) -> Option<&'static str> {
        CLUE_HEADERS
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(h, _)| *h)
    }

    /// The clue a header carries (`Via` -> `Via`), if it carries one.
    pub fn of_header(name: &str) -> Option<ClueKind> {
        CLUE_HEADERS
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(name))
            .map(|(_, k)| *k)
    }
}

impl Fingerprints {
    pub fn bundled() -> Result<Fingerprints, ProfileError> {
        parse(BUNDLED.0, BUNDLED.1)
    }

    /// Every family's test page.
    pub fn tests(&self) -> impl Iterator<Item = &FilterTest> {
        self.family.iter().flat_map(|f| f.test.iter())
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
                    k => k.header()?,
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
    /// The proxy answered a family's test page as only its product does (the value is the
    /// product). Not a sign's `in`: a family's `[[family.test]]` says what it weighs.
    #[serde(skip)]
    Test,
}

/// A fingerprints file (`[confidence]` may be left out of a profiles directory's), read and
/// checked: weights between 0 and 1, test pages that are absolute `http://` URLs with the
/// words their answer carries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerprintsFile {
    pub confidence: Option<Confidence>,
    #[serde(default)]
    pub family: Vec<Family>,
}

impl FingerprintsFile {
    pub fn parse(file: &str, text: &str) -> Result<FingerprintsFile, ProfileError> {
        let f: FingerprintsFile = parse_toml(file, text)?;
        let ctx = Ctx { file, text };
        let weight = |w: f64, span, field: String| {
            if w.is_finite() && w > 0.0 && w <= 1.0 {
                Ok(())
            } else {
                Err(ctx.err(
                    span,
                    &field,
                    format!("{w} is not a weight (above 0, at most 1)"),
                ))
            }
        };
        let (mut signs, mut tests) = (0, 0);
        for (i, fam) in f.family.iter().enumerate() {
            for (j, s) in fam.sign.iter().enumerate() {
                let span = ctx.table_span("family.sign", signs);
                signs += 1;
                weight(
                    s.weight,
                    span.clone(),
                    format!("family[{i}].sign[{j}].weight"),
                )?;
                if s.contains.trim().is_empty() {
                    return Err(ctx.err(
                        span,
                        &format!("family[{i}].sign[{j}].contains"),
                        "empty: every answer would match",
                    ));
                }
            }
            for (j, t) in fam.test.iter().enumerate() {
                let span = ctx.table_span("family.test", tests);
                tests += 1;
                let field = |k: &str| format!("family[{i}].test[{j}].{k}");
                weight(t.weight, span.clone(), field("weight"))?;
                match url::Url::parse(&t.url) {
                    Ok(u) if u.scheme() == "http" && u.host_str().is_some() => {}
                    _ => {
                        return Err(ctx.err(
                            span,
                            &field("url"),
                            format!(
                                "`{}` is not an absolute http:// URL (a proxy is asked for it)",
                                t.url
                            ),
                        ));
                    }
                }
                if t.answer.trim().is_empty() {
                    return Err(ctx.err(span, &field("answer"), "empty: every answer would match"));
                }
                if t.product.is_empty()
                    || !t.product.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                    })
                {
                    return Err(ctx.err(
                        span,
                        &field("product"),
                        format!("`{}`: use lowercase letters, digits, `-` or `_` (it names a field of the report)", t.product),
                    ));
                }
                // The proxy probe's own fields: a product named like one would overwrite it.
                const TAKEN: [&str; 12] = [
                    "address",
                    "cause",
                    "cause_probe",
                    "filter_test",
                    "headers",
                    "http_status",
                    "mapped_address",
                    "note",
                    "path",
                    "proxy",
                    "server",
                    "title",
                ];
                if TAKEN.contains(&t.product.as_str()) {
                    return Err(ctx.err(
                        span,
                        &field("product"),
                        format!(
                            "`{}` is a field the proxy probe already writes: name the product",
                            t.product
                        ),
                    ));
                }
            }
        }
        Ok(f)
    }
}

/// The built-in fingerprints file: `[confidence]` is required there.
fn parse(file: &str, text: &str) -> Result<Fingerprints, ProfileError> {
    let f = FingerprintsFile::parse(file, text)?;
    let confidence = f.confidence.ok_or_else(|| {
        Ctx { file, text }.err(
            0..0,
            "confidence",
            "missing: the built-in fingerprints set the thresholds",
        )
    })?;
    Ok(Fingerprints {
        confidence,
        family: f.family,
    })
}
