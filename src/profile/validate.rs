//! A profile as written (`Raw*`), checked field by field into a [`Profile`].

use super::toml_file::Ctx;
use super::*;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
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
    /// The platform's own path quality levels (default: `profiles/network.toml`'s).
    #[serde(default)]
    quality: Option<super::network::QualityLimits>,
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
    /// The webcam qualities a speaker can step down to, fullest first, when the default does
    /// not fit. Default: the lowest quality, when it is not the default.
    #[serde(default)]
    webcam_fallbacks: Option<Spanned<Vec<String>>>,
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

const ENGINES: &[&str] = &["bigbluebutton", "livestorm", "jitsi", "other"];

pub(super) fn check(ctx: &Ctx, raw: RawProfile) -> Result<Profile, ProfileError> {
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
                .map_err(|m| ctx.err(c.url.span(), &format!("{field}.url"), m.to_string()))?;
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
            .map_err(|m| ctx.err(ctx.key_span("turn"), &format!("turn[{i}]"), m.to_string()))?;
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
    let webcam_fallbacks = match &n.webcam_fallbacks {
        Some(f) => {
            if let Some(q) = f
                .get_ref()
                .iter()
                .find(|q| !n.webcam.contains_key(*q) || **q == webcam_default)
            {
                return Err(ctx.err(
                    f.span(),
                    "needs.webcam_fallbacks",
                    format!(
                        "`{q}` is not one of the webcam qualities other than the default ({})",
                        n.webcam
                            .keys()
                            .filter(|k| **k != webcam_default)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            f.get_ref().clone()
        }
        None => n
            .webcam
            .iter()
            .min_by(|x, y| x.1.total_cmp(y.1))
            .filter(|(q, _)| **q != webcam_default)
            .map(|(q, _)| q.clone())
            .into_iter()
            .collect(),
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

    if let Some(q) = &raw.quality {
        q.check(ctx, "quality")?;
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
            webcam_fallbacks,
            screen: n.screen,
            attendee: n.attendee,
            presenter_total,
            source: n.source.clone(),
        },
        quality: raw.quality,
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
