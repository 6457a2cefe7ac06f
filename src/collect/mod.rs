//! Test days, live: `preflight serve --collect DIR` receives the reports that `check --send URL`
//! posts at the end of each run, and shows them as they come in.
//!
//! - `POST /` or `POST /reports`: one JSON report. It must be a `preflight-report/1` report
//!   (checked against `tests/report.schema.json`, compiled in) of at most [`MAX_REPORT`] bytes;
//!   it is stored under a name made here (date and time of the run, venue, a content hash:
//!   never a name sent by the client), written whole or not at all. The answer is `201` with
//!   `{"stored": NAME}` (`200` when the same report was already stored), else a 4xx with
//!   `{"error": WHY}`: 400 not JSON, 401/403 token missing/wrong, 408 too slow, 413 too large,
//!   422 not a report; 507 when the folder holds [`MAX_STORED`] reports already.
//! - `GET /`: the live page, `merge`'s table of the folder (blocked rooms first), reloading
//!   itself every [`REFRESH_SECS`] seconds.
//!
//! With `--collect-token`, both need the token (`?token=…` or `Authorization: Bearer …`).

use crate::errors::CollectError;
use crate::merge;
use crate::report::Lang;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

mod send;
pub use send::{check_url, send, send_and_say, shown};

/// The largest report accepted. The lab's largest, all three platforms behind AMON with the
/// measurements, is 80 KB (`amon-all`); this leaves room for larger profiles and later versions.
pub const MAX_REPORT: usize = 1024 * 1024;
/// How many reports one folder holds at most (a test day has tens).
pub const MAX_STORED: usize = 10_000;
/// The live page reloads itself this often.
pub const REFRESH_SECS: u32 = 10;
/// A report's body must arrive within this time.
const BODY_TIME: Duration = Duration::from_secs(30);
/// Past the limit, up to this much of a body is still read (and dropped) before the 413, so
/// that the client reads the answer instead of a reset; beyond it the connection is closed.
const DRAIN: usize = 16 * 1024 * 1024;
const DRAIN_TIME: Duration = Duration::from_secs(5);

type Log = Arc<dyn Fn(String) + Send + Sync>;
type Answer = Response<Full<Bytes>>;

/// The collecting side of `preflight serve`.
#[derive(Debug)]
pub struct Collector {
    dir: PathBuf,
    token: Option<String>,
    /// One store at a time: the count, the duplicate check and the rename stay consistent.
    storing: tokio::sync::Mutex<()>,
}

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!("../../tests/report.schema.json"))
            .expect("the bundled schema is JSON");
        jsonschema::validator_for(&schema).expect("the bundled schema compiles")
    })
}

/// Why a body is not a report to store (the 4xx it gets), or None when it is one.
pub fn refuse(body: &[u8]) -> Result<Value, (StatusCode, String)> {
    let text = std::str::from_utf8(body)
        .map_err(|_| (StatusCode::BAD_REQUEST, "the body is not UTF-8 text".into()))?;
    let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON ({e})"),
        )
    })?;
    let errors: Vec<String> = validator()
        .iter_errors(&v)
        .take(3)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    if !errors.is_empty() {
        let mut why = format!("not a preflight report: {}", errors.join("; "));
        why.truncate(600);
        return Err((StatusCode::UNPROCESSABLE_ENTITY, why));
    }
    Ok(v)
}

/// 64-bit FNV-1a: names a report by its content, so a report sent twice is stored once.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The stored name: the run's date and time (from the report, digits only), the venue as a
/// slug, and a content hash. Nothing the client wrote reaches the file system unfiltered.
pub fn stored_name(report: &Value, body: &[u8]) -> String {
    let digits: String = report["started_at"]
        .as_str()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    let when = if digits.len() == 14 {
        format!(
            "{}-{}-{}_{}h{}m{}s",
            &digits[..4],
            &digits[4..6],
            &digits[6..8],
            &digits[8..10],
            &digits[10..12],
            &digits[12..14]
        )
    } else {
        "undated".into()
    };
    let venue = &report["venue"];
    let place = venue["label"]
        .as_str()
        .or(venue["uai"].as_str())
        .map(crate::naming::slug)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "sans-lieu".into());
    format!("{when}_{place}_{:012x}.json", fnv1a(body) >> 16)
}

fn answer(status: StatusCode, body: Value) -> Answer {
    let mut r = crate::reply::text(status, body.to_string());
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

fn error(status: StatusCode, why: impl Into<String>) -> Answer {
    answer(status, serde_json::json!({ "error": why.into() }))
}

/// Compare without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The value of `key` in a query string.
fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

impl Collector {
    /// Collect into `dir` (made if missing; it must be writable).
    pub fn new(dir: PathBuf, token: Option<String>) -> Result<Collector, CollectError> {
        if token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(CollectError::EmptyToken);
        }
        let shown = || crate::inert::line(&dir.display().to_string());
        std::fs::create_dir_all(&dir).map_err(|e| CollectError::CannotCreate {
            dir: shown(),
            os: e.to_string(),
        })?;
        let probe = dir.join(format!(".preflight-write-{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(|e| CollectError::NotWritable {
            dir: shown(),
            os: e.to_string(),
        })?;
        let _ = std::fs::remove_file(&probe);
        Ok(Collector {
            dir,
            token,
            storing: tokio::sync::Mutex::new(()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The requests this module answers (the others stay `serve`'s).
    pub fn handles(method: &hyper::Method, path: &str) -> bool {
        matches!(
            (method.as_str(), path),
            ("POST", "/" | "/reports") | ("GET", "/")
        )
    }

    fn authorised<B>(&self, req: &Request<B>) -> Result<(), (StatusCode, &'static str)> {
        let Some(want) = &self.token else {
            return Ok(());
        };
        let bearer = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        match bearer.or_else(|| query_param(req.uri().query(), "token")) {
            None => Err((
                StatusCode::UNAUTHORIZED,
                "this server needs a token: add ?token=… to the URL",
            )),
            Some(t) if same(t.trim(), want) => Ok(()),
            Some(_) => Err((StatusCode::FORBIDDEN, "wrong token")),
        }
    }

    pub async fn handle(&self, req: Request<Incoming>, from: SocketAddr, log: &Log) -> Answer {
        if let Err((status, why)) = self.authorised(&req) {
            log(format!(
                "{from} {} {}: refused ({status})",
                req.method(),
                req.uri().path()
            ));
            return error(status, why);
        }
        if req.method() == hyper::Method::POST {
            return self.receive(req, from, log).await;
        }
        let lang = page_lang(&req);
        // Reading the folder is file work: off the threads that serve connections.
        let dir = self.dir.clone();
        let page = tokio::task::spawn_blocking(move || page(&dir, lang))
            .await
            .unwrap_or_default();
        let mut r = crate::reply::text(StatusCode::OK, page);
        let h = r.headers_mut();
        h.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(
            hyper::header::CACHE_CONTROL,
            hyper::header::HeaderValue::from_static("no-store"),
        );
        r
    }

    async fn receive(&self, req: Request<Incoming>, from: SocketAddr, log: &Log) -> Answer {
        let declared = req
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let waits = req
            .headers()
            .get(hyper::header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        let too_large = || {
            error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("a report is at most {} KiB", MAX_REPORT / 1024),
            )
        };
        // A client that waits for "100 Continue" has sent nothing yet: refuse it at once.
        if let Some(n) = declared.filter(|&n| waits && n > MAX_REPORT as u64) {
            log(format!("{from} report refused: {n} bytes announced"));
            return too_large();
        }
        let mut body = req.into_body();
        let mut buf: Vec<u8> = Vec::new();
        let mut seen: usize = 0;
        let start = Instant::now();
        let mut over_at: Option<Instant> = None;
        loop {
            let limit = match over_at {
                Some(t) => DRAIN_TIME.saturating_sub(t.elapsed()),
                None => BODY_TIME.saturating_sub(start.elapsed()),
            };
            match tokio::time::timeout(limit, body.frame()).await {
                Err(_) if over_at.is_some() => break,
                Err(_) => {
                    log(format!("{from} report refused: body too slow"));
                    return error(
                        StatusCode::REQUEST_TIMEOUT,
                        format!("the report did not arrive within {} s", BODY_TIME.as_secs()),
                    );
                }
                Ok(None) => break,
                Ok(Some(Err(_))) => {
                    log(format!("{from} report refused: broken body"));
                    return error(StatusCode::BAD_REQUEST, "the body was cut");
                }
                Ok(Some(Ok(f))) => {
                    if let Some(d) = f.data_ref() {
                        seen += d.len();
                        if seen <= MAX_REPORT {
                            buf.extend_from_slice(d);
                        } else if over_at.is_none() {
                            over_at = Some(Instant::now());
                            buf = Vec::new();
                        }
                        if seen > DRAIN {
                            break;
                        }
                    }
                }
            }
        }
        if over_at.is_some() {
            log(format!("{from} report refused: {seen} bytes or more"));
            return too_large();
        }
        let report = match refuse(&buf) {
            Ok(v) => v,
            Err((status, why)) => {
                log(format!("{from} report refused ({status}): {why}"));
                return error(status, why);
            }
        };
        let name = stored_name(&report, &buf);
        let _one_at_a_time = self.storing.lock().await;
        let path = self.dir.join(&name);
        if path.exists() {
            log(format!("{from} report already stored as {name}"));
            return answer(
                StatusCode::OK,
                serde_json::json!({ "stored": name, "duplicate": true }),
            );
        }
        let count = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0);
        if count >= MAX_STORED {
            log(format!("{from} report refused: the folder is full"));
            return error(
                StatusCode::INSUFFICIENT_STORAGE,
                format!("this server holds {MAX_STORED} reports already"),
            );
        }
        let part = self.dir.join(format!(".{name}.part"));
        let written = std::fs::write(&part, &buf).and_then(|()| std::fs::rename(&part, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&part);
            log(format!("{from} report NOT stored: {e}"));
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server could not store the report",
            );
        }
        log(format!(
            "{from} report stored as {name} ({} bytes, {})",
            buf.len(),
            report["verdict"].as_str().unwrap_or("?")
        ));
        answer(StatusCode::CREATED, serde_json::json!({ "stored": name }))
    }
}

/// The live page: the merge table of the folder, newest state, reloading itself.
pub fn page(dir: &Path, lang: Lang) -> String {
    let (files, _) = merge::inputs(&[dir.to_path_buf()]);
    let (rows, mut skipped) = merge::load(&files);
    // Names only: the page does not show where the server keeps its files.
    for s in &mut skipped {
        s.file = Path::new(&s.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    let reports = files.len() - skipped.len();
    let blocked: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.venue_verdict == "blocked")
        .map(|r| r.file.as_str())
        .collect();
    let at = crate::naming::now()
        .format(time::macros::format_description!(
            "[hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    let head = format!(
        "<meta http-equiv=refresh content={REFRESH_SECS}><meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    );
    let intro = crate::report::merged::live_intro(reports, blocked.len(), &at, lang);
    merge::html_page(&rows, &skipped, lang, &head, &intro)
}

/// The live page's language: `?lang=`, else the browser's first choice, else French.
fn page_lang<B>(req: &Request<B>) -> Lang {
    let asked = query_param(req.uri().query(), "lang").or_else(|| {
        req.headers()
            .get(hyper::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    match asked {
        Some(a) if a.trim().to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Fr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_here_from_safe_parts() {
        let r = serde_json::json!({
            "started_at": "2026-05-14T12:03:27Z",
            "venue": {"label": "../../etc/passwd; CDI"}
        });
        let n = stored_name(&r, b"x");
        assert!(n.starts_with("2026-05-14_12h03m27s_etc-passwd-CDI_"), "{n}");
        assert!(
            n.ends_with(".json") && !n.contains('/') && !n.contains(".."),
            "{n}"
        );
        assert_ne!(n, stored_name(&r, b"y"), "the content names it");
        let anon = stored_name(&serde_json::json!({"started_at": "x"}), b"x");
        assert!(anon.starts_with("undated_sans-lieu_"), "{anon}");
    }

    #[test]
    fn only_reports_are_kept() {
        assert_eq!(refuse(b"\xff\xfe").unwrap_err().0, StatusCode::BAD_REQUEST);
        assert_eq!(refuse(b"{nope").unwrap_err().0, StatusCode::BAD_REQUEST);
        let (status, why) = refuse(br#"{"schema": "preflight-report/1"}"#).unwrap_err();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(why.contains("not a preflight report"), "{why}");
    }

    #[test]
    fn the_folder_must_be_usable_and_the_token_not_empty() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let e = Collector::new(file.join("sub"), None).unwrap_err();
        assert!(
            matches!(&e, CollectError::CannotCreate { dir, .. } if dir.ends_with("sub")),
            "{e:?}"
        );
        let e = Collector::new(d.path().join("r"), Some(" ".into())).unwrap_err();
        assert_eq!(e, CollectError::EmptyToken);
        let c = Collector::new(d.path().join("new/folder"), Some("t".into())).unwrap();
        assert!(c.dir().is_dir());
        assert!(page(c.dir(), Lang::Fr).contains("Aucun rapport reçu pour l'instant"));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same("s3cret", "s3cret"));
        assert!(!same("s3cret", "s3cre"));
        assert!(!same("s3cret", "s3creT"));
        assert_eq!(
            query_param(Some("a=1&token=x%20y"), "token").as_deref(),
            Some("x y")
        );
    }

    #[test]
    fn send_urls_are_checked_and_shown_without_token() {
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("reports").is_err());
        let u = check_url("https://collecte.example.org/reports?token=abc").unwrap();
        assert_eq!(shown(&u), "https://collecte.example.org/reports");
    }
}
