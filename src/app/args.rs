//! The check's arguments turned into its options, each checked with an error naming what to fix.

use crate::cli::{CheckArgs, RoleArg, lang_of};
use crate::model::Venue;
use crate::options::{CheckOptions, OptionError, OutputProblem, Participant};
use std::time::Duration;

/// `--department`: two or three digits (971), or 2A / 2B.
pub(super) fn department(s: &str) -> Result<String, OptionError> {
    let d = s.trim().to_ascii_uppercase();
    if crate::profile::desks::is_department(&d) {
        Ok(d)
    } else {
        Err(OptionError::BadDepartment {
            text: crate::inert::line(s),
        })
    }
}

/// `--bandwidth-url`: ws(s):// or http(s):// with a host.
pub(super) fn bandwidth_url(s: &str) -> Result<String, OptionError> {
    match url::Url::parse(s.trim()) {
        Ok(u)
            if matches!(u.scheme(), "ws" | "wss" | "http" | "https") && u.host_str().is_some() =>
        {
            Ok(u.to_string())
        }
        _ => Err(OptionError::BadBandwidthUrl {
            text: crate::inert::line(s),
        }),
    }
}

/// An output file's folder must exist and take a file: checked before the run, so that a
/// typo does not cost a whole check.
pub(super) fn check_output(
    option: &'static str,
    path: &std::path::Path,
) -> Result<(), OptionError> {
    let shown = |p: &std::path::Path| crate::inert::line(&p.display().to_string());
    let err = |problem| OptionError::Output {
        option,
        path: shown(path),
        problem,
    };
    if path.is_dir() {
        return Err(err(OutputProblem::IsFolder));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(err(OutputProblem::NoFolder { dir: shown(dir) }));
    }
    crate::report::probe_writable(dir).map_err(|e| {
        err(OutputProblem::NotWritable {
            dir: shown(dir),
            kind: e.kind(),
            os: e.to_string(),
        })
    })
}

pub(super) fn options(a: &CheckArgs) -> Result<CheckOptions, OptionError> {
    let mut lab_nets = Vec::new();
    for n in &a.lab_nets {
        lab_nets.push(n.parse().map_err(|why| OptionError::BadLabNet {
            text: crate::inert::line(n),
            why,
        })?);
    }
    if a.duration == 0 || a.duration > 60 {
        return Err(OptionError::Duration { secs: a.duration });
    }
    if let Some(p) = a.json.as_deref().filter(|p| p.as_os_str() != "-") {
        check_output("--json", p)?;
    }
    if let Some(p) = &a.html {
        check_output("--html", p)?;
    }
    if let Some(url) = &a.send {
        crate::collect::check_url(url)?;
    }
    Ok(CheckOptions {
        platforms: a.platforms.clone(),
        profiles: a.profiles.clone(),
        profiles_dir: a.profiles_dir.clone(),
        server: a.server.clone(),
        link: a.link.clone(),
        turn: a.turn.clone(),
        resolver: a.resolver,
        ca_file: a.ca_file.clone(),
        venue: Venue {
            // A free label, kept as typed but inert (no escape sequence reaches a terminal).
            label: a
                .venue
                .as_deref()
                .map(|v| crate::inert::line(v).chars().take(200).collect()),
            uai: a.uai.clone(),
            department: a.department.as_deref().map(department).transpose()?,
            kind: a.kind.map(|k| k.as_str().to_string()),
        },
        role: match a.role {
            RoleArg::Speaker => Participant::Speaker,
            RoleArg::Attendee => Participant::Attendee,
        },
        bandwidth_url: a.bandwidth_url.as_deref().map(bandwidth_url).transpose()?,
        no_bandwidth: a.no_bandwidth,
        duration: Duration::from_secs(a.duration),
        timeout: Duration::from_secs(a.timeout),
        lang: lang_of(a.lang),
        lab_nets,
        lab_control: a.lab_control.clone(),
        json_attached: a.json.as_deref().is_some_and(|p| p.as_os_str() != "-"),
    })
}
