//! HTTPS: status, headers, at most 256 KiB of body, and the profile's "real answer" test.
//! A page that is not the service is `block_page` (its title is kept in `data`).

use super::Env;
use super::fetch::{Answer, get};
use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use crate::profile::HttpsCheck;
use std::net::IpAddr;
use std::time::{Duration, Instant};

pub use crate::profile::PageSign;

/// HTML entities decoded (`Acc&egrave;s` -> `Accès`); unknown ones are kept as written.
pub fn decode_entities(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

/// The first sign of a filter in a title and headers: `(family, what matched)`.
pub fn filter_sign(
    signs: &[PageSign],
    title: Option<&str>,
    header: impl Fn(&str) -> Option<String>,
) -> Option<(String, String)> {
    let title = title.map(|t| decode_entities(t).to_lowercase());
    signs.iter().find_map(|s| {
        let value = match s.field {
            "title" => title.clone(),
            h => header(h).map(|v| v.to_lowercase()),
        }?;
        value
            .contains(&s.needle)
            .then(|| (s.family.clone(), format!("{} “{}”", s.field, s.needle)))
    })
}

/// `host` matches `pattern` (`example.org`, or `*.example.org` for its subdomains and itself).
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(base) => host == base || host.ends_with(&format!(".{base}")),
        None => host == pattern || host.ends_with(&format!(".{pattern}")),
    }
}

/// How an answer is judged.
#[derive(Debug, Clone, PartialEq)]
pub enum Judged {
    /// The answer the profile expects.
    Service,
    /// The service's operator answered, or nothing shows that anyone else did, but not as the
    /// profile says: reached; the profile may be stale. What differed, for the report.
    Reached(serde_json::Value),
    /// Positive evidence that something else answered in the service's place.
    Blocked(ProbeError),
}

/// Judge an answer the way a browser would. From the service's operator (a trusted chain for
/// the exact name) nothing is a block page, whatever its wording. Otherwise a block page needs
/// positive evidence: a filter's sign (`profiles/firewalls.toml`) or a redirect to a host that
/// is neither the endpoint's nor one of the platform's domains or sign-in providers.
pub fn judge(
    check: &HttpsCheck,
    host: &str,
    a: &Answer,
    origin: super::tls::Origin,
    signs: &[PageSign],
) -> Judged {
    use super::tls::Origin;
    let title = a.title();
    let location = a.header("location").unwrap_or("");
    // A relative Location stays on the same host.
    let target = url::Url::parse(location)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let redirect = (300..400).contains(&a.status) && !location.is_empty();
    let foreign = redirect
        && target.as_deref().is_some_and(|t| {
            !host_matches(host, t) && !check.normal_redirects.iter().any(|p| host_matches(p, t))
        });
    if origin != Origin::Operator {
        let what = match &title {
            Some(t) => format!("a page titled “{}”", decode_entities(t)),
            None => "a page".to_string(),
        };
        if let Some((family, sign)) =
            filter_sign(signs, title.as_deref(), |h| a.header(h).map(str::to_string))
        {
            return Judged::Blocked(ProbeError::new(
                ErrorClass::BlockPage,
                format!(
                    "HTTP {}: {what} answered instead of the service ({sign}: a {family} filter)",
                    a.status
                ),
            ));
        }
        if foreign {
            return Judged::Blocked(ProbeError::new(
                ErrorClass::BlockPage,
                format!(
                    "HTTP {}: redirected to {location}, which is neither the service nor its sign-in provider",
                    a.status
                ),
            ));
        }
    }
    let text = a.body_text();
    let missing = check
        .expect_body
        .iter()
        .find(|m| !text.to_lowercase().contains(&m.to_lowercase()));
    // A redirect to the endpoint's own host, the platform's domains or its sign-in provider is
    // a normal answer (its body carries none of the page's words).
    let normal_redirect = redirect && !foreign;
    if (check.expect_status.contains(&a.status) && missing.is_none()) || normal_redirect {
        return Judged::Service;
    }
    let mut what = serde_json::Map::new();
    what.insert("status".into(), a.status.into());
    if redirect {
        what.insert(
            "location".into(),
            location.chars().take(300).collect::<String>().into(),
        );
    }
    if let Some(m) = missing.filter(|_| check.expect_status.contains(&a.status)) {
        what.insert("missing".into(), m.clone().into());
    }
    Judged::Reached(serde_json::Value::Object(what))
}

/// `<bbbVersion>3.0.4</bbbVersion>` in a BigBlueButton API answer.
pub fn bbb_version(body: &str) -> Option<String> {
    let start = body.find("<bbbVersion>")? + "<bbbVersion>".len();
    let len = body[start..].find("</bbbVersion>")?;
    let v = body[start..start + len].trim();
    let ok = !v.is_empty()
        && v.len() <= 32
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
    ok.then(|| v.to_string())
}

/// The `https` probe: TCP, TLS (chain judged), GET, real-answer test.
pub async fn probe(
    check: &HttpsCheck,
    host: &str,
    addrs: &[IpAddr],
    env: &Env,
    via: Option<&super::proxy::Proxy>,
) -> Outcome {
    let start = Instant::now();
    let mut out = Outcome::new(ProbeKind::Https, check.url.clone(), Some(Transport::Tls));
    let url = match url::Url::parse(&check.url) {
        Ok(u) => u,
        Err(e) => return out.fail(ErrorClass::Local, format!("bad URL: {e}")),
    };
    let tls = url.scheme() == "https";
    if !tls {
        out.transport = Some(Transport::Tcp);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let host_header = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    let deadline = env.timeout;
    let run = async {
        let tcp = super::proxy::open(via, addrs, host, port, deadline, &mut out).await?;
        let left = deadline.saturating_sub(start.elapsed());
        if tls {
            let (stream, facts) =
                super::tls::handshake(tcp, host, &[b"http/1.1"], &env.trust).await?;
            facts.record(&mut out);
            let answer = get(stream, &host_header, &path, left).await?;
            Ok::<_, ProbeError>((answer, Some(facts)))
        } else {
            Ok((get(tcp, &host_header, &path, left).await?, None))
        }
    };
    let result = tokio::time::timeout(deadline, run).await;
    out = match result {
        Err(_) => {
            let stage = if out.data.contains_key("tls_ms") {
                "no HTTP answer"
            } else if out.data.contains_key("connect_ms") {
                "no TLS handshake"
            } else {
                "no connection"
            };
            out.fail(
                ErrorClass::Timeout,
                format!("{}: {stage} in time", check.url),
            )
        }
        Ok(Err(e)) => out.failed(e),
        Ok(Ok((answer, facts))) => {
            answer.record(&mut out);
            if let Some(v) = bbb_version(&answer.body_text()) {
                out.set("bbb_version", v);
            }
            let origin = facts
                .as_ref()
                .map(|f| f.origin())
                .unwrap_or(super::tls::Origin::Plain);
            let judged = judge(check, host, &answer, origin, &env.page_signs);
            // An untrusted chain is the finding even if a page came back (kept as evidence).
            match (facts.as_ref().map(|f| &f.judgement), judged) {
                (Some(Err(e)), _) => out.failed(e.clone()),
                (_, Judged::Blocked(e)) => out.failed(e),
                (_, judged) => {
                    if let Judged::Reached(what) = judged {
                        out.set("unexpected_answer", what);
                    }
                    match facts {
                        Some(f) => f.apply(out),
                        None => out,
                    }
                }
            }
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}

/// The captive-portal check: `GET http://host/` on port 80, as a browser's first plain request.
/// A redirect to another host or address (not the same host moving to HTTPS) is what a guest
/// Wi-Fi's sign-in portal does; the probe records it (`redirected_elsewhere`, `location`).
pub async fn portal(host: &str, addrs: &[IpAddr], deadline: Duration) -> Outcome {
    let start = Instant::now();
    let url = format!("http://{host}/");
    let mut out = Outcome::new(ProbeKind::Http, url, Some(Transport::Tcp));
    let run = async {
        let (tcp, sa, _) = super::tcp::connect(addrs, 80, deadline).await?;
        let left = deadline.saturating_sub(start.elapsed());
        Ok::<_, ProbeError>((get(tcp, host, "/", left).await?, sa))
    };
    out = match tokio::time::timeout(deadline, run).await {
        Err(_) => out.fail(
            ErrorClass::Timeout,
            format!("http://{host}/: no answer in time"),
        ),
        Ok(Err(e)) => out.failed(e),
        Ok(Ok((a, sa))) => {
            out.facts.address = Some(sa);
            out.set("http_status", a.status);
            if let Some(loc) = a.header("location") {
                let loc: String = loc.chars().take(300).collect();
                let elsewhere = (300..400).contains(&a.status)
                    && url::Url::parse(&loc)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_string))
                        .is_some_and(|t| !host_matches(host, &t));
                out.set("location", loc);
                if elsewhere {
                    out.set("redirected_elsewhere", true);
                }
            }
            out
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}

#[cfg(test)]
mod tests {
    use super::super::fetch::html_title;
    use super::super::tls::Origin;
    use super::*;

    fn check(status: &[u16], body: &[&str]) -> HttpsCheck {
        HttpsCheck {
            url: "https://portal.example.fr/".into(),
            expect_status: status.to_vec(),
            expect_body: body.iter().map(|s| s.to_string()).collect(),
            normal_redirects: vec!["example.fr".into(), "*.signin.gouv.fr".into()],
            facts: crate::profile::Facts::default(),
        }
    }

    fn answer(status: u16, ctype: &str, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type".into(), ctype.into())],
            body: body.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    fn redirect(to: &str) -> Answer {
        let mut a = answer(302, "text/html", "<title>302 Found</title>");
        a.headers.push(("Location".into(), to.into()));
        a.headers.push(("Server".into(), "nginx".into()));
        a
    }

    fn signs() -> Vec<PageSign> {
        crate::diagnose::firewall::Fingerprints::bundled()
            .unwrap()
            .page_signs()
    }

    const HOST: &str = "portal.example.fr";

    #[test]
    fn titles() {
        assert_eq!(
            html_title("<html><TITLE>\n e2guardian - Acc&eagrav;s   interdit</title>").as_deref(),
            Some("e2guardian - Acc&eagrav;s interdit")
        );
        assert_eq!(html_title("<title></title>"), None);
        assert_eq!(html_title("no html"), None);
        assert_eq!(decode_entities("Acc&egrave;s interdit"), "Accès interdit");
        // e2guardian's misspelled entity stays as written.
        assert_eq!(decode_entities("Acc&eagrav;s"), "Acc&eagrav;s");
    }

    #[test]
    fn real_answer_passes() {
        let c = check(&[200], &["<returncode>SUCCESS</returncode>"]);
        let a = answer(
            200,
            "text/xml",
            "<response><returncode>SUCCESS</returncode></response>",
        );
        for origin in [Origin::Operator, Origin::Inspected, Origin::Plain] {
            assert_eq!(judge(&c, HOST, &a, origin, &signs()), Judged::Service);
        }
    }

    #[test]
    fn the_operator_is_never_a_block_page() {
        let c = check(&[200], &["Webinaire"]);
        // The sign-in redirect of a real portal: normal.
        let to_signin = redirect("https://auth.signin.gouv.fr/api/v2/authorize?x=1");
        assert_eq!(
            judge(&c, HOST, &to_signin, Origin::Operator, &signs()),
            Judged::Service
        );
        // A reworded page, a page with a filter's word in it, a redirect elsewhere: reached,
        // with what differed, never blocked.
        let reworded = answer(
            200,
            "text/html",
            "<title>Accueil - WEBINAIRE de l'État</title>",
        );
        assert_eq!(
            judge(&c, HOST, &reworded, Origin::Operator, &signs()),
            Judged::Service
        );
        let new_name = answer(200, "text/html", "<title>Visio de l'État</title>");
        assert!(matches!(
            judge(&c, HOST, &new_name, Origin::Operator, &signs()),
            Judged::Reached(v) if v["missing"] == "Webinaire"
        ));
        let worded = answer(
            403,
            "text/html",
            "<title>e2guardian - Accès interdit</title>",
        );
        assert!(matches!(
            judge(&c, HOST, &worded, Origin::Operator, &signs()),
            Judged::Reached(_)
        ));
        let elsewhere = redirect("https://new-service.example.org/");
        assert!(matches!(
            judge(&c, HOST, &elsewhere, Origin::Operator, &signs()),
            Judged::Reached(v) if v["location"] == "https://new-service.example.org/"
        ));
    }

    #[test]
    fn a_block_page_needs_positive_evidence() {
        let c = check(&[200], &["<returncode>SUCCESS</returncode>"]);
        // e2guardian's stock French page, misspelled entity and all.
        let e2g = answer(
            200,
            "text/html",
            "<title>e2guardian - Acc&eagrav;s interdit</title>",
        );
        for origin in [Origin::Inspected, Origin::Plain, Origin::Untrusted] {
            assert!(matches!(
                judge(&c, HOST, &e2g, origin, &signs()),
                Judged::Blocked(e) if e.class == ErrorClass::BlockPage && e.message.contains("amon")
            ));
        }
        // A filter's header, case-insensitive.
        let mut squid = answer(403, "text/html", "<title>ERROR</title>");
        squid.headers.push(("Server".into(), "Squid/5.7".into()));
        assert!(matches!(
            judge(&c, HOST, &squid, Origin::Inspected, &signs()),
            Judged::Blocked(e) if e.class == ErrorClass::BlockPage
        ));
        // A redirect to a host that is neither the platform nor its sign-in provider.
        let foreign = redirect("http://filtre.academie.fr/blocked?url=x");
        assert!(matches!(
            judge(&c, HOST, &foreign, Origin::Plain, &signs()),
            Judged::Blocked(e) if e.class == ErrorClass::BlockPage && e.message.contains("filtre.academie.fr")
        ));
        // ...but not to the platform's own domain, nor relative.
        assert_eq!(
            judge(
                &c,
                HOST,
                &redirect("https://www.example.fr/x"),
                Origin::Plain,
                &signs()
            ),
            Judged::Service
        );
        assert_eq!(
            judge(&c, HOST, &redirect("/home"), Origin::Inspected, &signs()),
            Judged::Service
        );
        // An unknown page without any sign: no claim.
        let unknown = answer(403, "text/html", "<title>Access denied</title>");
        assert!(matches!(
            judge(&c, HOST, &unknown, Origin::Inspected, &signs()),
            Judged::Reached(_)
        ));
    }

    #[test]
    fn hosts_and_versions() {
        assert!(host_matches(
            "*.proconnect.gouv.fr",
            "auth.proconnect.gouv.fr"
        ));
        assert!(host_matches(
            "visio.education.fr",
            "bbb-dinum-w1.visio.education.fr"
        ));
        assert!(!host_matches(
            "visio.education.fr",
            "evilvisio.education.fr"
        ));
        assert!(!host_matches(
            "*.proconnect.gouv.fr",
            "proconnect.gouv.fr.evil.org"
        ));
        assert_eq!(
            bbb_version("<response><bbbVersion>3.0.4</bbbVersion></response>").as_deref(),
            Some("3.0.4")
        );
        assert_eq!(
            bbb_version("<response><version>2.0</version></response>"),
            None
        );
        assert_eq!(bbb_version("<bbbVersion><script></bbbVersion>"), None);
    }
}
