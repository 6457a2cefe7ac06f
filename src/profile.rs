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
use toml::Spanned;

/// The platform profiles shipped inside the binary.
pub const BUNDLED: &[(&str, &str)] = &[
    ("profiles/bbb.toml", include_str!("../profiles/bbb.toml")),
    (
        "profiles/webinaire.toml",
        include_str!("../profiles/webinaire.toml"),
    ),
    (
        "profiles/livestorm.toml",
        include_str!("../profiles/livestorm.toml"),
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    id: Spanned<String>,
    name: String,
    engine: Spanned<String>,
    #[serde(default)]
    description: String,
    /// Used for `{server}` when `--server` is not given.
    #[serde(default)]
    default_server: Option<String>,
    #[serde(default)]
    notes: Vec<String>,
    /// What the platform does not publish (said as such, not invented), in English and French.
    #[serde(default)]
    unpublished: Vec<String>,
    #[serde(default)]
    unpublished_fr: Vec<String>,
    /// The platform's own domains: a redirect to one of them is a normal answer.
    #[serde(default)]
    domains: Vec<String>,
    /// The sign-in providers the platform sends browsers to (`*.example.org` allowed): a
    /// redirect there is a normal answer.
    #[serde(default)]
    sign_in: Vec<String>,
    /// TURN relays to test instead of the profile's own ICE hosts (`host[:port]`, `turn:` or
    /// `turns:` URIs), as `--turn` does.
    #[serde(default)]
    turn: Vec<String>,
    /// Said when the platform's media cannot get out (e.g. a telephone dial-in).
    #[serde(default)]
    media_fallback: String,
    #[serde(default)]
    media_fallback_fr: String,
    #[serde(default)]
    https: Vec<RawEndpoint>,
    #[serde(default)]
    websocket: Vec<RawEndpoint>,
    #[serde(default)]
    ice: Vec<RawEndpoint>,
    needs: RawNeeds,
}

/// One endpoint of a profile (`[[https]]`, `[[websocket]]` or `[[ice]]`): the same keys for
/// all three, each checked against the kind it is used in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    /// https/wss URL, or an RFC 7064/7065 URI for ICE: `stun:host:port`,
    /// `turn:host:port?transport=udp|tcp`, `turns:host:port`.
    url: Spanned<String>,
    #[serde(default)]
    what: String,
    #[serde(default)]
    what_fr: String,
    /// What breaks for the user when this endpoint is unreachable.
    #[serde(default)]
    why: String,
    #[serde(default)]
    why_fr: String,
    /// Where the fact comes from (repository:path, page), or `unverified: ...`.
    #[serde(default)]
    source: String,
    #[serde(default = "yes")]
    required: bool,
    /// Shown in the report, never counted in a verdict.
    #[serde(default)]
    informational: bool,
    /// BigBlueButton major versions this endpoint belongs to (e.g. `["3"]`); empty: all.
    #[serde(default)]
    bbb_versions: Vec<String>,
    /// The host is a stand-in (a public server, not the platform's): what is tested is that
    /// the port leaves this network, and a ticket asks for the port, not for this host.
    #[serde(default)]
    stand_in: bool,
    /// Endpoints in one group are alternatives; for ICE, UDP is preferred to TCP, TCP to TLS.
    #[serde(default)]
    group: Option<String>,
    /// `{host}` in the URL is replaced by each of these.
    #[serde(default)]
    hosts: Vec<String>,
    /// https only: the service's normal statuses (default 200).
    #[serde(default)]
    expect_status: Option<Spanned<Vec<u16>>>,
    /// https only: words the real page carries. A trusted answer without them only means that
    /// the profile may be stale.
    #[serde(default)]
    expect_body: Option<Spanned<Vec<String>>>,
    /// websocket only: the service's normal answers to an upgrade without a meeting session
    /// (101, or e.g. 401 from nginx's `auth_request`). Default: 101.
    #[serde(default)]
    answers: Option<Spanned<Vec<u16>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNeeds {
    audio: Spanned<f64>,
    /// Quality name -> kbit/s. Empty when the platform publishes only totals.
    #[serde(default)]
    webcam: BTreeMap<String, f64>,
    #[serde(default)]
    webcam_default: Option<Spanned<String>>,
    #[serde(default)]
    screen: f64,
    /// Upload an attendee needs (audio only, or nothing for a webinar attendee).
    #[serde(default)]
    attendee: f64,
    /// What the platform publishes as a presenter's whole upload, when it publishes no
    /// per-stream figures (kbit/s).
    #[serde(default)]
    presenter_minimum: Option<f64>,
    #[serde(default)]
    presenter_recommended: Option<f64>,
    /// Where the figures come from.
    #[serde(default)]
    source: String,
}

fn yes() -> bool {
    true
}

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
    /// Where it was loaded from (`profiles/bbb.toml` or a user path).
    pub source: String,
}

/// A TURN relay named by the user (`--turn`) or a profile: `host[:port]`, or a `turn:` /
/// `turns:` URI as BigBlueButton's `turn-stun-servers.xml` lists them.
#[derive(Debug, Clone, PartialEq)]
pub enum Relay {
    /// A host: tested the way bbb-install sets a relay up (UDP 3478, TLS on `tls_port` with
    /// ALPN `stun.turn`, TCP 3478 for information).
    Host { host: String, tls_port: u16 },
    /// One URI: exactly that transport.
    Uri(String),
}

impl std::str::FromStr for Relay {
    type Err = String;
    fn from_str(s: &str) -> Result<Relay, String> {
        let s = s.trim();
        let example = "e.g. relay.example.org, relay.example.org:443 or turns:relay.example.org:443?transport=tcp";
        if s.is_empty() {
            return Err(format!("a TURN relay is needed ({example})"));
        }
        if s.contains("://") || s.contains('/') {
            return Err(format!(
                "`{s}` is not a host name or a turn:/turns: URI ({example})"
            ));
        }
        if s.starts_with("turn:") || s.starts_with("turns:") || s.starts_with("stun:") {
            parse_ice_url(s).map_err(|e| format!("{e} ({example})"))?;
            return Ok(Relay::Uri(s.to_string()));
        }
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (
                h,
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("`{s}`: `{p}` is not a port ({example})"))?,
            ),
            _ => (s, 443),
        };
        let valid = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid {
            return Err(format!("`{s}` is not a host name ({example})"));
        }
        Ok(Relay::Host {
            host: host.to_ascii_lowercase(),
            tls_port: port,
        })
    }
}

impl Relay {
    /// The ICE URIs this relay is tested with, each with its transport.
    pub fn uris(&self) -> Vec<String> {
        match self {
            Relay::Host { host, tls_port } => vec![
                format!("turn:{host}:3478?transport=udp"),
                format!("turn:{host}:3478?transport=tcp"),
                format!("turns:{host}:{tls_port}?transport=tcp"),
            ],
            Relay::Uri(u) => vec![u.clone()],
        }
    }
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
                    None => Facts {
                        what: format!("TURN over {}", transport.as_str().to_uppercase()),
                        what_fr: format!("relais TURN en {}", transport.as_str().to_uppercase()),
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

const ENGINES: &[&str] = &["bigbluebutton", "livestorm", "jitsi", "other"];

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> ProfileError {
        let (line, column) = line_col(self.text, span.start);
        ProfileError {
            file: self.file.to_string(),
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The span of `key = ...` for the n-th `[[table]]` (best effort: the table header).
    fn table_span(&self, table: &str, index: usize) -> std::ops::Range<usize> {
        let header = format!("[[{table}]]");
        let mut seen = 0;
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            if line.trim() == header {
                if seen == index {
                    return offset..offset + line.len();
                }
                seen += 1;
            }
            offset += line.len();
        }
        0..0
    }

    fn key_span(&self, key: &str) -> std::ops::Range<usize> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
                return offset..offset + line.len();
            }
            offset += line.len();
        }
        0..0
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map(|i| offset - i).unwrap_or(offset + 1);
    (line, column)
}

/// Deserialize a TOML file; errors name the file, the line and the field.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, ProfileError> {
    let ctx = Ctx { file, text };
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        ctx.err(span, "(syntax)", e.message().to_string())
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let span = inner.span().unwrap_or(0..0);
        // Spanned<T> adds a private key to the path; users want the field they wrote.
        let path = path
            .split(".$__serde_spanned")
            .next()
            .unwrap_or_default()
            .to_string();
        let field = if path == "." {
            "(top)".to_string()
        } else {
            path
        };
        ctx.err(span, &field, inner.message().to_string())
    })
}

/// Parse and check one profile. `file` is only used in error messages.
pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
    let raw: RawProfile = parse_toml(file, text)?;
    check(&Ctx { file, text }, raw)
}

fn check(ctx: &Ctx, raw: RawProfile) -> Result<Profile, ProfileError> {
    let id = raw.id.get_ref().clone();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(ctx.err(
            raw.id.span(),
            "id",
            format!("`{id}` is not a valid id: use lowercase letters, digits, `-` or `_`"),
        ));
    }
    if !ENGINES.contains(&raw.engine.get_ref().as_str()) {
        return Err(ctx.err(
            raw.engine.span(),
            "engine",
            format!(
                "unknown engine `{}`; expected one of: {}",
                raw.engine.get_ref(),
                ENGINES.join(", ")
            ),
        ));
    }
    if raw.https.is_empty() && raw.websocket.is_empty() && raw.ice.is_empty() {
        return Err(ctx.err(
            ctx.key_span("id"),
            "https",
            "a profile must list at least one https, websocket or ice endpoint",
        ));
    }

    let normal_redirects: Vec<String> = raw
        .domains
        .iter()
        .chain(raw.sign_in.iter())
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    let mut https = Vec::new();
    for (i, c) in raw.https.iter().enumerate() {
        let field = format!("https[{i}]");
        only_for(
            ctx,
            &field,
            "answers",
            c.answers.as_ref().map(Spanned::span),
            "websocket",
        )?;
        let expect_status = c
            .expect_status
            .as_ref()
            .map(|s| s.get_ref().clone())
            .unwrap_or_else(|| vec![200]);
        if expect_status.is_empty() || expect_status.iter().any(|s| !(100..600).contains(s)) {
            let span = c
                .expect_status
                .as_ref()
                .map(Spanned::span)
                .unwrap_or_else(|| ctx.table_span("https", i));
            return Err(ctx.err(
                span,
                &format!("{field}.expect_status"),
                "expected a non-empty list of HTTP status codes (100-599)",
            ));
        }
        let facts = facts(c);
        for url in expand(c.url.get_ref(), &c.hosts) {
            check_url(
                ctx,
                &c.url,
                &format!("{field}.url"),
                &url,
                &["https", "http"],
            )?;
            https.push(HttpsCheck {
                url,
                expect_status: expect_status.clone(),
                expect_body: c
                    .expect_body
                    .as_ref()
                    .map(|b| b.get_ref().clone())
                    .unwrap_or_default(),
                normal_redirects: normal_redirects.clone(),
                facts: facts.clone(),
            });
        }
    }
    let mut websocket = Vec::new();
    for (i, c) in raw.websocket.iter().enumerate() {
        let field = format!("websocket[{i}]");
        for (key, span) in [
            ("expect_status", c.expect_status.as_ref().map(Spanned::span)),
            ("expect_body", c.expect_body.as_ref().map(Spanned::span)),
        ] {
            only_for(ctx, &field, key, span, "https")?;
        }
        let answers = c
            .answers
            .as_ref()
            .map(|a| a.get_ref().clone())
            .unwrap_or_else(|| vec![101]);
        if answers.is_empty() || answers.iter().any(|s| !(100..600).contains(s)) {
            let span = c.answers.as_ref().map(Spanned::span).unwrap_or(0..0);
            return Err(ctx.err(
                span,
                &format!("{field}.answers"),
                "expected a non-empty list of HTTP status codes (100-599), e.g. [101, 401]",
            ));
        }
        let facts = facts(c);
        for url in expand(c.url.get_ref(), &c.hosts) {
            check_url(ctx, &c.url, &format!("{field}.url"), &url, &["wss", "ws"])?;
            websocket.push(WebsocketCheck {
                url,
                answers: answers.clone(),
                facts: facts.clone(),
            });
        }
    }
    let mut ice = Vec::new();
    for (i, c) in raw.ice.iter().enumerate() {
        let field = format!("ice[{i}]");
        for (key, span) in [
            ("expect_status", c.expect_status.as_ref().map(Spanned::span)),
            ("expect_body", c.expect_body.as_ref().map(Spanned::span)),
            ("answers", c.answers.as_ref().map(Spanned::span)),
        ] {
            only_for(ctx, &field, key, span, "https or websocket")?;
        }
        let facts = facts(c);
        for url in expand(c.url.get_ref(), &c.hosts) {
            let (scheme, host, port, transport) = parse_ice_url(&url)
                .map_err(|m| ctx.err(c.url.span(), &format!("{field}.url"), m))?;
            ice.push(IceCheck {
                url,
                scheme,
                host,
                port,
                transport,
                facts: facts.clone(),
            });
        }
    }
    for (i, t) in raw.turn.iter().enumerate() {
        t.parse::<Relay>()
            .map_err(|m| ctx.err(ctx.key_span("turn"), &format!("turn[{i}]"), m))?;
    }

    let n = &raw.needs;
    let bad = |field: &str, v: f64| -> Result<(), ProfileError> {
        if !(0.0..=100_000.0).contains(&v) || v.is_nan() {
            return Err(ctx.err(
                ctx.key_span(field.rsplit('.').next().unwrap_or(field)),
                field,
                format!("{v} is not a bit rate in kbit/s (0 to 100000)"),
            ));
        }
        Ok(())
    };
    bad("needs.audio", *n.audio.get_ref())?;
    bad("needs.screen", n.screen)?;
    bad("needs.attendee", n.attendee)?;
    for (k, v) in &n.webcam {
        bad(&format!("needs.webcam.{k}"), *v)?;
    }
    let webcam_default = match (&n.webcam_default, n.webcam.is_empty()) {
        (Some(d), _) if !n.webcam.contains_key(d.get_ref()) => {
            return Err(ctx.err(
                d.span(),
                "needs.webcam_default",
                format!(
                    "`{}` is not one of the webcam qualities ({})",
                    d.get_ref(),
                    n.webcam.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        (Some(d), _) => d.get_ref().clone(),
        (None, true) => String::new(),
        (None, false) => {
            return Err(ctx.err(
                ctx.key_span("webcam"),
                "needs.webcam_default",
                "missing: name the webcam quality used by default",
            ));
        }
    };
    let presenter_total = match (n.presenter_minimum, n.presenter_recommended) {
        (None, None) => None,
        (Some(lo), Some(hi)) if lo <= hi => {
            bad("needs.presenter_minimum", lo)?;
            bad("needs.presenter_recommended", hi)?;
            Some((lo, hi))
        }
        _ => {
            return Err(ctx.err(
                ctx.key_span("presenter_minimum"),
                "needs.presenter_minimum",
                "give both presenter_minimum and presenter_recommended (minimum <= recommended)",
            ));
        }
    };
    if n.webcam.is_empty() && presenter_total.is_none() {
        return Err(ctx.err(
            ctx.key_span("audio"),
            "needs.webcam",
            "give the webcam qualities, or the presenter's total (presenter_minimum, presenter_recommended)",
        ));
    }

    Ok(Profile {
        id,
        name: raw.name,
        engine: raw.engine.into_inner(),
        description: raw.description,
        default_server: raw.default_server.filter(|s| !s.is_empty()),
        notes: raw.notes,
        unpublished: raw.unpublished,
        unpublished_fr: raw.unpublished_fr,
        domains: raw.domains,
        sign_in: raw.sign_in,
        turn: raw.turn,
        media_fallback: raw.media_fallback,
        media_fallback_fr: raw.media_fallback_fr,
        https,
        websocket,
        ice,
        needs: Needs {
            audio: n.audio.clone().into_inner(),
            webcam: n.webcam.clone(),
            webcam_default,
            screen: n.screen,
            attendee: n.attendee,
            presenter_total,
            source: n.source.clone(),
        },
        source: ctx.file.to_string(),
    })
}

fn facts(c: &RawEndpoint) -> Facts {
    Facts {
        what: c.what.clone(),
        what_fr: c.what_fr.clone(),
        why: c.why.clone(),
        why_fr: c.why_fr.clone(),
        source: c.source.clone(),
        required: c.required,
        informational: c.informational,
        bbb_versions: c.bbb_versions.clone(),
        stand_in: c.stand_in,
        group: c.group.clone(),
    }
}

/// A key that belongs to another kind of endpoint is an error, not silently ignored.
fn only_for(
    ctx: &Ctx,
    field: &str,
    key: &str,
    span: Option<std::ops::Range<usize>>,
    kinds: &str,
) -> Result<(), ProfileError> {
    match span {
        Some(span) => Err(ctx.err(
            span,
            &format!("{field}.{key}"),
            format!("`{key}` is only for {kinds} endpoints"),
        )),
        None => Ok(()),
    }
}

/// `{host}` in a URL is replaced by each of `hosts`.
fn expand(url: &str, hosts: &[String]) -> Vec<String> {
    if hosts.is_empty() || !url.contains("{host}") {
        return vec![url.to_string()];
    }
    hosts.iter().map(|h| url.replace("{host}", h)).collect()
}

fn check_url(
    ctx: &Ctx,
    spanned: &Spanned<String>,
    field: &str,
    url: &str,
    schemes: &[&str],
) -> Result<(), ProfileError> {
    let probe = url.replace("{server}", "server.invalid");
    match url::Url::parse(&probe) {
        Ok(u) if schemes.contains(&u.scheme()) && u.host_str().is_some() => Ok(()),
        Ok(u) => Err(ctx.err(
            spanned.span(),
            field,
            format!(
                "`{url}`: scheme `{}` not allowed here (expected {})",
                u.scheme(),
                schemes.join(" or ")
            ),
        )),
        Err(e) => Err(ctx.err(spanned.span(), field, format!("`{url}` is not a URL: {e}"))),
    }
}

/// Parse `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`, `turns:host[:port][?transport=tcp]`.
pub fn parse_ice_url(
    url: &str,
) -> Result<(IceScheme, String, u16, crate::model::Transport), String> {
    use crate::model::Transport;
    let (scheme, rest) = url
        .split_once(':')
        .ok_or_else(|| format!("`{url}` is not a stun:, turn: or turns: URI"))?;
    let (hostport, query) = match rest.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (rest, None),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
            let port: u16 = p
                .parse()
                .map_err(|_| format!("`{url}`: `{p}` is not a port number"))?;
            (h.trim_matches(|c| c == '[' || c == ']').to_string(), port)
        }
        _ => (hostport.to_string(), 0),
    };
    if host.is_empty() || host.contains('/') {
        return Err(format!("`{url}`: missing or invalid host"));
    }
    let transport_q = match query {
        None => None,
        Some(q) => match q.strip_prefix("transport=") {
            Some("udp") => Some(Transport::Udp),
            Some("tcp") => Some(Transport::Tcp),
            _ => {
                return Err(format!(
                    "`{url}`: expected `?transport=udp` or `?transport=tcp`"
                ));
            }
        },
    };
    let (scheme, transport, default_port) = match scheme {
        "stun" => (IceScheme::Stun, transport_q.unwrap_or(Transport::Udp), 3478),
        "turn" => (IceScheme::Turn, transport_q.unwrap_or(Transport::Udp), 3478),
        "turns" => {
            if transport_q == Some(Transport::Udp) {
                return Err(format!("`{url}`: turns: runs over TLS, not UDP"));
            }
            (IceScheme::Turn, Transport::Tls, 5349)
        }
        other => {
            return Err(format!(
                "`{url}`: unknown scheme `{other}` (stun, turn or turns)"
            ));
        }
    };
    Ok((
        scheme,
        host,
        if port == 0 { default_port } else { port },
        transport,
    ))
}

/// The bundled profiles plus user files; a user profile with the same id replaces the bundled one.
pub fn load_all(user_files: &[std::path::PathBuf]) -> Result<Vec<Profile>, ProfileError> {
    let mut out: Vec<Profile> = Vec::new();
    for (file, text) in BUNDLED {
        out.push(parse(file, text)?);
    }
    for path in user_files {
        let p = load_file(path)?;
        match out.iter_mut().find(|q| q.id == p.id) {
            Some(slot) => *slot = p,
            None => out.push(p),
        }
    }
    Ok(out)
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
mod tests {
    use super::*;
    use crate::model::Transport;

    #[test]
    fn bundled_profiles_load() {
        let all = load_all(&[]).unwrap();
        let ids: Vec<_> = all.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["bbb", "webinaire", "livestorm"]);
        let bbb = &all[0];
        assert!(bbb.needs_server());
        assert_eq!(bbb.needs.webcam["medium"], 200.0);
        assert!(
            bbb.ice
                .iter()
                .any(|i| i.transport == Transport::Tls && i.port == 443)
        );
    }

    #[test]
    fn ice_urls() {
        assert_eq!(
            parse_ice_url("turns:h.example:443?transport=tcp").unwrap(),
            (IceScheme::Turn, "h.example".into(), 443, Transport::Tls)
        );
        assert_eq!(
            parse_ice_url("turn:h.example?transport=tcp").unwrap(),
            (IceScheme::Turn, "h.example".into(), 3478, Transport::Tcp)
        );
        assert_eq!(
            parse_ice_url("stun:h.example:19302").unwrap(),
            (IceScheme::Stun, "h.example".into(), 19302, Transport::Udp)
        );
        assert!(parse_ice_url("turn:h:99999").is_err());
        assert!(parse_ice_url("http://h").is_err());
        assert!(parse_ice_url("turns:h?transport=udp").is_err());
    }

    #[test]
    fn relays_as_users_name_them() {
        assert_eq!(
            "relay.example.org".parse::<Relay>().unwrap(),
            Relay::Host {
                host: "relay.example.org".into(),
                tls_port: 443
            }
        );
        assert_eq!(
            "Relay.Example.org:5349".parse::<Relay>().unwrap(),
            Relay::Host {
                host: "relay.example.org".into(),
                tls_port: 5349
            }
        );
        assert!(matches!(
            "turns:relay.example.org:443?transport=tcp"
                .parse::<Relay>()
                .unwrap(),
            Relay::Uri(_)
        ));
        for bad in [
            "",
            "  ",
            "relay:99999",
            "relay:0",
            "https://relay/",
            "turn:",
            "re lay",
        ] {
            assert!(bad.parse::<Relay>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn relays_replace_the_servers_own_turn_endpoints() {
        let bbb = load_all(&[])
            .unwrap()
            .remove(0)
            .with_server("meet.example.org");
        let r: Relay = "relay.example.org".parse().unwrap();
        let p = bbb.with_relays(&[r]);
        let urls: Vec<(&str, bool)> = p
            .ice
            .iter()
            .map(|c| (c.url.as_str(), c.facts.informational))
            .collect();
        assert_eq!(
            urls,
            [
                ("turn:relay.example.org:3478?transport=udp", false),
                ("turn:relay.example.org:3478?transport=tcp", true),
                ("turns:relay.example.org:443?transport=tcp", false),
            ]
        );
        // Each keeps what the profile says of its transport (the group, why it matters).
        assert!(
            p.ice
                .iter()
                .all(|c| c.facts.group.as_deref() == Some("media"))
        );
        // A turns: URI alone: only TLS is tested.
        let uri: Relay = "turns:relay.example.org:5349?transport=tcp"
            .parse()
            .unwrap();
        let p = bbb.with_relays(&[uri]);
        assert_eq!(p.ice.len(), 1);
        assert_eq!((p.ice[0].port, p.ice[0].transport), (5349, Transport::Tls));
    }

    #[test]
    fn every_bundled_endpoint_says_where_its_fact_comes_from() {
        for p in load_all(&[]).unwrap() {
            let facts = p
                .https
                .iter()
                .map(|c| (&c.url, &c.facts))
                .chain(p.websocket.iter().map(|c| (&c.url, &c.facts)))
                .chain(p.ice.iter().map(|c| (&c.url, &c.facts)));
            for (url, f) in facts {
                assert!(!f.source.trim().is_empty(), "{}: {url} has no source", p.id);
                assert!(!f.why.is_empty() && !f.why_fr.is_empty(), "{}: {url}", p.id);
                assert!(!f.what_fr.is_empty(), "{}: {url}", p.id);
            }
            assert_eq!(p.unpublished.len(), p.unpublished_fr.len(), "{}", p.id);
        }
    }

    #[test]
    fn keys_of_another_kind_of_endpoint_are_errors() {
        let bad = MINIMAL.replace(
            "url = \"https://x.example/\"",
            "url = \"https://x.example/\"\nanswers = [101]",
        );
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (7, "https[0].answers"), "{e}");
        let bad = MINIMAL.replace(
            "webcam = { medium = 200 }\nwebcam_default = \"medium\"\n",
            "",
        );
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!(e.field, "needs.webcam", "{e}");
    }

    const MINIMAL: &str = r#"id = "x"
name = "X"
engine = "other"

[[https]]
url = "https://x.example/"

[needs]
audio = 30
webcam = { medium = 200 }
webcam_default = "medium"
screen = 1500
"#;

    #[test]
    fn minimal_profile_loads() {
        let p = parse("x.toml", MINIMAL).unwrap();
        assert_eq!(p.https[0].expect_status, vec![200]);
        assert!(p.https[0].facts.required);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let bad = MINIMAL.replace("https://x.example/", "ftp://x.example/");
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_str()),
            ("x.toml", 6, "https[0].url")
        );

        let bad = MINIMAL.replace("audio = 30", "audio = \"loud\"");
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (9, "needs.audio"), "{e}");

        let bad = MINIMAL.replace("engine = \"other\"", "engine = \"zoom\"");
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (3, "engine"));

        let bad = MINIMAL.replace("webcam_default = \"medium\"", "webcam_default = \"4k\"");
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (11, "needs.webcam_default"));

        let bad = MINIMAL.replace("[[https]]", "[[https]]\nurll = 3");
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        assert!(e.field.starts_with("https[0]"), "{e}");

        let bad = MINIMAL.replace("name = \"X\"", "name = \"X");
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
