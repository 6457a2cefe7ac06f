//! The meeting link is what users have: `--server` and `--link` take a host, a `host:port`, or
//! any meeting URL (a BigBlueButton or Greenlight room, a webinaire invitation, a Livestorm event
//! page), and this tells which platform it is and which host to test. Which platform owns which
//! domain is in the profiles (`domains`), not here.

use crate::profile::Profile;

/// What a link names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The profile whose domains the link's host belongs to; None for a self-hosted server
    /// (tested with the profile that needs `--server`).
    pub platform: Option<String>,
    /// The host (and port, when the link gives one) to test.
    pub server: String,
}

/// A value that is not a host, a `host:port` or a URL (worded in `report/errors.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    pub option: &'static str,
    pub value: String,
    pub why: LinkProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Empty,
    NotAUrl,
    NoHost,
    BadPort,
    BadHost,
}

fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Read `value` (given to `option`) as a meeting link or a server name.
pub fn parse(option: &'static str, value: &str, profiles: &[Profile]) -> Result<Link, LinkError> {
    let err = |why| LinkError {
        option,
        value: value.to_string(),
        why,
    };
    let v = value.trim();
    if v.is_empty() {
        return Err(err(LinkProblem::Empty));
    }
    // A URL (any scheme a user may paste), or a bare host[:port][/path].
    let with_scheme = if v.contains("://") {
        v.to_string()
    } else {
        format!("https://{v}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|e| {
        err(match e {
            url::ParseError::InvalidPort => LinkProblem::BadPort,
            url::ParseError::EmptyHost => LinkProblem::NoHost,
            url::ParseError::InvalidDomainCharacter | url::ParseError::IdnaError => {
                LinkProblem::BadHost
            }
            _ => LinkProblem::NotAUrl,
        })
    })?;
    if !matches!(url.scheme(), "https" | "http" | "wss" | "ws") {
        return Err(err(LinkProblem::NotAUrl));
    }
    let host = url
        .host_str()
        .ok_or_else(|| err(LinkProblem::NoHost))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_ascii_lowercase();
    let is_ip = host.parse::<std::net::IpAddr>().is_ok();
    if !is_ip && !valid_host(&host) {
        return Err(err(LinkProblem::BadHost));
    }
    if url.port() == Some(0) {
        return Err(err(LinkProblem::BadPort));
    }
    let platform = profiles
        .iter()
        .find(|p| {
            p.domains
                .iter()
                .any(|d| crate::probe::http::host_matches(d, &host))
        })
        .map(|p| p.id.clone());
    let server = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    };
    Ok(Link { platform, server })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Profile> {
        crate::profile::load_all(&[]).unwrap()
    }

    fn link(v: &str) -> Result<Link, LinkError> {
        parse("--link", v, &all())
    }

    fn bbb(server: &str) -> Link {
        Link {
            platform: None,
            server: server.into(),
        }
    }

    #[test]
    fn meeting_links_of_each_platform() {
        // BigBlueButton and Greenlight room links: the host is the server to test.
        for v in [
            "https://bbb.example.org/b/abc-def-ghi",
            "https://bbb.example.org/rooms/abc-def-ghi/join",
            "https://BBB.example.org/bigbluebutton/api/join?meetingID=x&checksum=y",
            "bbb.example.org/b/abc-def-ghi",
            "bbb.example.org",
            "  bbb.example.org  ",
        ] {
            assert_eq!(link(v), Ok(bbb("bbb.example.org")), "{v}");
        }
        assert_eq!(
            link("bbb.example.org:8443"),
            Ok(bbb("bbb.example.org:8443"))
        );
        assert_eq!(link("https://[2001:db8::1]/b/x"), Ok(bbb("2001:db8::1")));
        // webinaire's invitation links and Livestorm's event pages name their platform.
        let w = link(
            "https://webinaire.numerique.gouv.fr/meeting/signin/invite/42/creator/7/hash/ab12",
        )
        .unwrap();
        assert_eq!(w.platform.as_deref(), Some("webinaire"));
        let l = link("https://app.livestorm.co/mon-academie/webinaire-du-jeudi").unwrap();
        assert_eq!(l.platform.as_deref(), Some("livestorm"));
    }

    #[test]
    fn empty_or_malformed_values_name_the_option_and_show_an_example() {
        for (v, why) in [
            ("", LinkProblem::Empty),
            ("   ", LinkProblem::Empty),
            ("https://", LinkProblem::NoHost),
            ("bbb.example.org:99999", LinkProblem::BadPort),
            ("bbb.example.org:0", LinkProblem::BadPort),
            ("ftp://bbb.example.org/", LinkProblem::NotAUrl),
            ("bbb exemple.org", LinkProblem::BadHost),
            ("-bad-.example.org", LinkProblem::BadHost),
        ] {
            let e = parse("--server", v, &all()).unwrap_err();
            assert_eq!(e.why, why, "{v:?}");
            let msg = crate::report::errors::link(&e, crate::lang::Lang::En);
            assert!(msg.starts_with("--server `"), "{msg}");
            assert!(
                msg.contains("e.g. --server https://bbb.example.org/b/"),
                "{msg}"
            );
        }
    }
}
