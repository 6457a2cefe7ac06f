//! The double-click kit: what happens when a teacher starts the program from Explorer (or a
//! shortcut) rather than from a shell. An organiser hands out a folder (a zip) holding the
//! program and `preflight.toml`, which says what to test (the meeting link or the server, the
//! platforms), where (venue, UAI, kind) and where to send the report; options on a shortcut
//! win over the file. The reports are written next to the program, named with the date, the
//! time to the second and the venue, and the window waits for Enter before it closes.

use crate::cli::{CheckArgs, Kind, LangArg, RoleArg};
use crate::errors::SidecarError;
pub use crate::naming::{now, report_stem, slug};
use crate::profile::{self, ProfileError};
use crate::report::Lang;
use crate::report::console::said;
use serde::Deserialize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The sidecar file's name: next to the program.
pub const SIDECAR: &str = "preflight.toml";

/// Double-click mode: the check with no arguments at all (a double-click), or a check in a
/// window of its own (a shortcut with options, on Windows).
pub fn double_click(bare: bool, is_check: bool, owns_window: bool) -> bool {
    is_check && (bare || owns_window)
}

/// A string or a list of strings (`platform = "bbb"` or `platform = ["bbb", "webinaire"]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// `preflight.toml`: the keys are the long names of the command line's options, plus `link`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Sidecar {
    /// The meeting link (or a server's name): gives the platform and, for BigBlueButton, the server.
    pub link: Option<String>,
    pub server: Option<String>,
    /// The BigBlueButton server's TURN relay, when it is elsewhere (like `--turn`).
    pub turn: Option<OneOrMany>,
    pub platform: Option<OneOrMany>,
    pub venue: Option<String>,
    pub uai: Option<String>,
    pub department: Option<String>,
    pub kind: Option<Kind>,
    pub role: Option<RoleArg>,
    pub lang: Option<LangArg>,
    /// Where to POST the report (`preflight serve --collect`), with `?token=…` if it asks one.
    pub send: Option<String>,
    pub no_bandwidth: Option<bool>,
    pub bandwidth_url: Option<String>,
    pub duration: Option<u64>,
    pub timeout: Option<u64>,
    pub resolver: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub profile: Option<OneOrMany>,
    /// Lab and tests only, like `--lab-net`.
    pub lab_net: Option<OneOrMany>,
}

/// Read the sidecar file; None when there is none. Errors name the file, line and key.
pub fn read_sidecar(path: &Path) -> Result<Option<Sidecar>, SidecarError> {
    let file = || crate::inert::line(&path.display().to_string());
    let text = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(SidecarError::Unreadable {
                file: file(),
                os: e.to_string(),
            });
        }
    };
    let text = String::from_utf8(text).map_err(|_| SidecarError::NotUtf8 { file: file() })?;
    let text = text.trim_start_matches('\u{feff}');
    profile::parse_toml(&path.display().to_string(), text)
        .map(Some)
        .map_err(SidecarError::Toml)
}

/// Fill what the command line left unsaid from the sidecar. Relative paths in the file are
/// relative to the file's folder. The link is read by the check like `--link`.
pub fn apply(
    args: &mut CheckArgs,
    s: Sidecar,
    dir: &Path,
    file: &Path,
) -> Result<(), SidecarError> {
    let key = |key, why| SidecarError::Key {
        file: crate::inert::line(&file.display().to_string()),
        key,
        why: Box::new(why),
    };
    let rel = |p: PathBuf| if p.is_absolute() { p } else { dir.join(p) };
    let defaults = crate::cli::Cli::default_check();
    if args.platforms.is_empty() {
        args.platforms = s.platform.map(OneOrMany::into_vec).unwrap_or_default();
    }
    if args.profiles.is_empty() {
        args.profiles = s
            .profile
            .map(OneOrMany::into_vec)
            .unwrap_or_default()
            .into_iter()
            .map(|p| rel(p.into()))
            .collect();
    }
    args.venue = args.venue.take().or(s.venue);
    args.uai = args.uai.take().or(s.uai);
    args.department = args.department.take().or(s.department);
    args.kind = args.kind.or(s.kind);
    args.lang = args.lang.or(s.lang);
    args.send = args.send.take().or(s.send);
    args.bandwidth_url = args.bandwidth_url.take().or(s.bandwidth_url);
    args.no_bandwidth |= s.no_bandwidth.unwrap_or(false);
    args.ca_file = args.ca_file.take().or(s.ca_file.map(rel));
    if args.role == defaults.role
        && let Some(r) = s.role
    {
        args.role = r;
    }
    if args.duration == defaults.duration
        && let Some(d) = s.duration
    {
        args.duration = d;
    }
    if args.timeout == defaults.timeout
        && let Some(t) = s.timeout
    {
        args.timeout = t;
    }
    if args.resolver.is_none()
        && let Some(r) = s.resolver
    {
        args.resolver = Some(crate::cli::parse_resolver(&r).map_err(|e| key("resolver", e))?);
    }
    if args.turn.is_empty() {
        for r in s.turn.map(OneOrMany::into_vec).unwrap_or_default() {
            args.turn
                .push(crate::cli::parse_relay(&r).map_err(|e| key("turn", e))?);
        }
    }
    if args.lab_nets.is_empty() {
        args.lab_nets = s.lab_net.map(OneOrMany::into_vec).unwrap_or_default();
    }
    // What to test: the command line's --link or --server, else the file's link and server
    // (both may be given, like the options: a webinaire invitation and a BigBlueButton server).
    if args.link.is_none() && args.server.is_none() {
        args.link = s.link;
        args.server = s.server;
    }
    Ok(())
}

/// One question; None when the answer is empty or cannot be read.
fn ask(q: &str, input: &mut dyn BufRead, out: &mut dyn Write) -> Option<String> {
    let _ = write!(out, "{q} ");
    let _ = out.flush();
    let mut line = String::new();
    input.read_line(&mut line).ok()?;
    let a = line.trim().to_string();
    (!a.is_empty()).then_some(a)
}

/// Ask for what the report needs and nobody said (only when someone can answer): the meeting
/// link, without which BigBlueButton is not tested, and the venue, without which the ticket
/// says "Lieu : ?". An empty answer skips the question.
pub fn ask_missing(
    args: &mut CheckArgs,
    lang: Lang,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), ProfileError> {
    if args.server.is_none() && args.link.is_none() && args.platforms.is_empty() {
        let q = crate::report::console::ask_link(lang);
        let all = profile::load_all(&args.profiles)?;
        // Asked again until it reads as a link (or is skipped).
        while let Some(link) = ask(q, input, out) {
            match crate::link::parse("--link", &link, &all) {
                Ok(_) => {
                    args.link = Some(link);
                    break;
                }
                Err(e) => {
                    let _ = writeln!(out, "{}", crate::report::errors::link(&e, lang));
                }
            }
        }
    }
    if args.venue.is_none() && args.uai.is_none() {
        let q = crate::report::console::ask_venue(lang);
        args.venue = ask(q, input, out);
    }
    Ok(())
}

/// Whether a file can be created in `dir` (tried, then removed).
fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".preflight-write-{}", std::process::id()));
    let ok = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

/// The first folder of `candidates` where the reports can be written (the program's folder,
/// then the current one), else the temporary folder.
pub fn output_dir(candidates: &[Option<PathBuf>]) -> PathBuf {
    candidates
        .iter()
        .flatten()
        .find(|d| writable(d))
        .cloned()
        .unwrap_or_else(std::env::temp_dir)
}

/// The folder the program is in, as the system names it (not canonicalized: on Windows that
/// would give a `\\?\` path, which no teacher recognises and where `/` is no separator).
pub fn program_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
}

/// Run straight from inside a zip (Explorer copies only the program to a temporary folder):
/// the sidecar and the reports would be lost.
pub fn inside_zip(dir: &Path) -> bool {
    dir.components().any(|c| {
        c.as_os_str()
            .to_string_lossy()
            .to_ascii_lowercase()
            .ends_with(".zip")
    })
}

fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The double-click run: sidecar, questions, the check with its reports next to the program,
/// where they are, and a pause.
/// `check` is the run itself (the app's), given in so that this module does not reach up for it.
pub async fn run<F, Fut>(mut args: CheckArgs, check: F) -> i32
where
    F: FnOnce(CheckArgs) -> Fut,
    Fut: std::future::Future<Output = i32>,
{
    let dir = program_dir();
    let early_lang = crate::cli::lang_of(args.lang);
    if let Some(d) = &dir {
        let file = d.join(SIDECAR);
        match read_sidecar(&file) {
            Ok(Some(s)) => {
                if let Err(e) = apply(&mut args, s, d, &file) {
                    let l = crate::cli::lang_of(args.lang);
                    eprintln!("{}", said(l, &crate::report::errors::sidecar(&e, l)));
                    return crate::exit::pause(early_lang, crate::exit::USAGE).await;
                }
                let l = crate::cli::lang_of(args.lang);
                println!(
                    "{} {}",
                    crate::report::console::settings_read_from(l),
                    file.display()
                );
            }
            Ok(None) if inside_zip(d) => {
                println!("{}", crate::report::console::inside_zip(early_lang))
            }
            Ok(None) => {}
            Err(e) => {
                let e = crate::report::errors::sidecar(&e, early_lang);
                eprintln!("{}", said(early_lang, &e));
                return crate::exit::pause(early_lang, crate::exit::USAGE).await;
            }
        }
    }
    let lang = crate::cli::lang_of(args.lang);
    if interactive()
        && std::env::var_os("CI").is_none()
        && let Err(e) = ask_missing(
            &mut args,
            lang,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout(),
        )
    {
        eprintln!("{}", said(lang, &crate::report::errors::profile(&e, lang)));
        return crate::exit::pause(lang, crate::exit::USAGE).await;
    }
    let out = output_dir(&[dir, std::env::current_dir().ok()]);
    let base = report_stem(now(), args.venue.as_deref(), args.uai.as_deref());
    let json = out.join(format!("{base}.json"));
    let html = out.join(format!("{base}.html"));
    let mut saved = Vec::new();
    if args.json.is_none() {
        args.json = Some(json.clone());
        saved.push(json);
    }
    if args.html.is_none() {
        args.html = Some(html.clone());
        saved.push(html);
    }
    let code = check(args).await;
    if code != crate::exit::USAGE && !saved.is_empty() {
        println!("\n{}", crate::report::console::reports_saved(lang));
        for p in &saved {
            println!("  {}", p.display());
        }
    }
    crate::exit::pause(lang, code).await
}

#[cfg(test)]
mod tests;
