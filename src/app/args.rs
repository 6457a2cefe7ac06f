//! The check's arguments turned into its options, each checked with an error naming what to fix.

use crate::cli::{CheckArgs, RoleArg, lang_of};
use crate::model::Venue;
use crate::options::{CheckOptions, Participant};
use std::time::Duration;

/// `--department`: two or three digits (971), or 2A / 2B.
pub(super) fn department(s: &str) -> Result<String, String> {
    let d = s.trim().to_ascii_uppercase();
    let ok = d.is_ascii()
        && (matches!(d.as_str(), "2A" | "2B")
            || ((2..=3).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit())));
    if ok {
        Ok(d)
    } else {
        Err(format!(
            "--department {}: two or three digits (92, 971), or 2A / 2B",
            crate::inert::line(s)
        ))
    }
}

/// `--bandwidth-url`: ws(s):// or http(s):// with a host.
pub(super) fn bandwidth_url(s: &str) -> Result<String, String> {
    match url::Url::parse(s.trim()) {
        Ok(u)
            if matches!(u.scheme(), "ws" | "wss" | "http" | "https") && u.host_str().is_some() =>
        {
            Ok(u.to_string())
        }
        _ => Err(format!(
            "--bandwidth-url {}: use ws(s)://HOST/ndt/v7/upload or http(s)://HOST/upload",
            crate::inert::line(s)
        )),
    }
}

/// An output file's folder must exist and take a file: checked before the run, so that a
/// typo does not cost a whole check.
pub(super) fn check_output(option: &str, path: &std::path::Path) -> Result<(), String> {
    let shown = crate::inert::line(&path.display().to_string());
    if path.is_dir() {
        return Err(format!(
            "{option} {shown}: this is a folder; give a file name"
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "{option} {shown}: the folder {} does not exist",
            crate::inert::line(&dir.display().to_string())
        ));
    }
    crate::report::probe_writable(dir).map_err(|e| {
        format!(
            "{option} {shown}: cannot write in {} ({e})",
            crate::inert::line(&dir.display().to_string())
        )
    })
}

pub(super) fn options(a: &CheckArgs) -> Result<CheckOptions, String> {
    let mut lab_nets = Vec::new();
    for n in &a.lab_nets {
        lab_nets.push(n.parse().map_err(|e| format!("--lab-net: {e}"))?);
    }
    if a.duration == 0 || a.duration > 60 {
        return Err("--duration must be between 1 and 60 seconds".into());
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
