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
    /// What the platform does not publish (said as such, not invented).
    #[serde(default)]
    unpublished: Vec<String>,
    #[serde(default)]
    https: Vec<RawHttps>,
    #[serde(default)]
    websocket: Vec<RawWebsocket>,
    #[serde(default)]
    ice: Vec<RawIce>,
    needs: RawNeeds,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttps {
    url: Spanned<String>,
    #[serde(default)]
    what: String,
    #[serde(default)]
    what_fr: String,
    #[serde(default = "default_expect_status")]
    expect_status: Vec<u16>,
    /// Every string must appear in the body for the answer to be the service.
    #[serde(default)]
    expect_body: Vec<String>,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    hosts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebsocket {
    url: Spanned<String>,
    #[serde(default)]
    what: String,
    #[serde(default)]
    what_fr: String,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    hosts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIce {
    /// RFC 7064/7065 URI: `stun:host:port`, `turn:host:port?transport=udp|tcp`, `turns:host:port`.
    url: Spanned<String>,
    #[serde(default)]
    what: String,
    #[serde(default)]
    what_fr: String,
    #[serde(default = "yes")]
    required: bool,
    /// Endpoints in one group are alternatives; UDP is preferred to TCP, TCP to TLS.
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    hosts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNeeds {
    audio: Spanned<f64>,
    webcam: BTreeMap<String, f64>,
    webcam_default: Spanned<String>,
    screen: f64,
    /// Upload an attendee needs (audio only, or nothing for a webinar attendee).
    #[serde(default)]
    attendee: f64,
    /// Where the figures come from.
    #[serde(default)]
    source: String,
}

fn yes() -> bool {
    true
}

fn default_expect_status() -> Vec<u16> {
    vec![200]
}

/// How a browser reaches one ICE server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IceScheme {
    Stun,
    Turn,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpsCheck {
    pub url: String,
    pub what: String,
    /// `what` in French (falls back to `what`).
    pub what_fr: String,
    pub expect_status: Vec<u16>,
    pub expect_body: Vec<String>,
    pub required: bool,
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebsocketCheck {
    pub url: String,
    pub what: String,
    /// `what` in French (falls back to `what`).
    pub what_fr: String,
    pub required: bool,
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IceCheck {
    pub url: String,
    pub scheme: IceScheme,
    pub host: String,
    pub port: u16,
    pub transport: crate::model::Transport,
    pub what: String,
    /// `what` in French (falls back to `what`).
    pub what_fr: String,
    pub required: bool,
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Needs {
    pub audio: f64,
    /// Quality name -> kbit/s, e.g. `medium` -> 200.
    pub webcam: BTreeMap<String, f64>,
    pub webcam_default: String,
    pub screen: f64,
    pub attendee: f64,
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
    pub https: Vec<HttpsCheck>,
    pub websocket: Vec<WebsocketCheck>,
    pub ice: Vec<IceCheck>,
    pub needs: Needs,
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

    let mut https = Vec::new();
    for (i, c) in raw.https.iter().enumerate() {
        for url in expand(c.url.get_ref(), &c.hosts) {
            check_url(
                ctx,
                &c.url,
                &format!("https[{i}].url"),
                &url,
                &["https", "http"],
            )?;
            if c.expect_status.is_empty() || c.expect_status.iter().any(|s| !(100..600).contains(s))
            {
                return Err(ctx.err(
                    ctx.table_span("https", i),
                    &format!("https[{i}].expect_status"),
                    "expected a non-empty list of HTTP status codes (100-599)",
                ));
            }
            https.push(HttpsCheck {
                url,
                what: c.what.clone(),
                what_fr: c.what_fr.clone(),
                expect_status: c.expect_status.clone(),
                expect_body: c.expect_body.clone(),
                required: c.required,
                group: c.group.clone(),
            });
        }
    }
    let mut websocket = Vec::new();
    for (i, c) in raw.websocket.iter().enumerate() {
        for url in expand(c.url.get_ref(), &c.hosts) {
            check_url(
                ctx,
                &c.url,
                &format!("websocket[{i}].url"),
                &url,
                &["wss", "ws"],
            )?;
            websocket.push(WebsocketCheck {
                url,
                what: c.what.clone(),
                what_fr: c.what_fr.clone(),
                required: c.required,
                group: c.group.clone(),
            });
        }
    }
    let mut ice = Vec::new();
    for (i, c) in raw.ice.iter().enumerate() {
        for url in expand(c.url.get_ref(), &c.hosts) {
            let (scheme, host, port, transport) = parse_ice_url(&url)
                .map_err(|m| ctx.err(c.url.span(), &format!("ice[{i}].url"), m))?;
            ice.push(IceCheck {
                url,
                scheme,
                host,
                port,
                transport,
                what: c.what.clone(),
                what_fr: c.what_fr.clone(),
                required: c.required,
                group: c.group.clone(),
            });
        }
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
    if !n.webcam.contains_key(n.webcam_default.get_ref()) {
        return Err(ctx.err(
            n.webcam_default.span(),
            "needs.webcam_default",
            format!(
                "`{}` is not one of the webcam qualities ({})",
                n.webcam_default.get_ref(),
                n.webcam.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
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
        https,
        websocket,
        ice,
        needs: Needs {
            audio: n.audio.clone().into_inner(),
            webcam: n.webcam.clone(),
            webcam_default: n.webcam_default.get_ref().clone(),
            screen: n.screen,
            attendee: n.attendee,
            source: n.source.clone(),
        },
        source: ctx.file.to_string(),
    })
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
        assert!(p.https[0].required);
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
