//! The binary's body: parse, run, render, exit code. `main.rs` only calls [`main`].

use crate::cli::{CheckArgs, Cli, Command, ProfilesCmd, RoleArg, lang_of};
use crate::exit::pause;
pub use crate::exit::{INTERRUPTED, USAGE};
use crate::model::{Outcome, Report, Status, Venue};
use crate::options::{self, CheckOptions, Participant};
use crate::pipeline;
use crate::plan::Step;
use crate::profile;
use crate::report::{Lang, text};
use crate::runner::{Observer, Silent};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

/// Run the program; returns the process exit code.
pub fn main() -> i32 {
    // Read while this program has one thread (see `local_time`).
    if let Ok(o) = time::UtcOffset::current_local_offset() {
        crate::report::i18n::set_local_offset(o);
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The help's language is known before the command line is read: --lang, else LANG.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let asked = args
        .windows(2)
        .find_map(|w| (w[0] == "--lang").then(|| w[1].to_string_lossy().into_owned()));
    let asked = asked.or_else(|| {
        args.iter()
            .find_map(|a| a.to_str()?.strip_prefix("--lang=").map(str::to_string))
    });
    let help_lang = Lang::detect(asked.as_deref());
    let parsed = crate::report::help::localize(<Cli as clap::CommandFactory>::command(), help_lang)
        .try_get_matches_from(&args)
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => USAGE,
            };
            if code == USAGE && help_lang == Lang::Fr {
                eprint!("{}", crate::report::help::error_fr(&e));
            } else {
                let _ = e.print();
            }
            return code;
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("preflight: cannot start: {e}");
            return USAGE;
        }
    };
    let bare = std::env::args_os().len() == 1;
    match cli.command {
        // A double-click (no arguments), or a shortcut with options in a window of its own.
        None | Some(Command::Check(_))
            if crate::kit::double_click(bare, true, crate::console::owns_its_window()) =>
        {
            let args = match cli.command {
                Some(Command::Check(a)) => *a,
                _ => cli.check,
            };
            rt.block_on(crate::kit::run(args, run_check))
        }
        None => check_then_pause(&rt, cli.check),
        Some(Command::Check(args)) => check_then_pause(&rt, *args),
        Some(Command::Profiles {
            what,
            profiles,
            profiles_dir,
        }) => run_profiles(what, profiles_dir.as_deref(), &profiles),
        Some(Command::Merge {
            reports,
            html,
            csv,
            lang,
        }) => {
            match crate::merge::run_merge(&reports, html.as_deref(), csv.as_deref(), lang_of(lang))
            {
                Ok((table, code)) => {
                    print!("{table}");
                    if code != 0 {
                        eprintln!("preflight merge: none of the files is a preflight report");
                    }
                    code
                }
                Err(e) => {
                    eprintln!("preflight merge: {e}");
                    USAGE
                }
            }
        }
        Some(Command::Serve(a)) => rt.block_on(run_serve(a)),
    }
}

/// `preflight serve`: bind, say where, serve until Ctrl-C.
async fn run_serve(a: crate::cli::ServeArgs) -> i32 {
    let files = crate::serve::raise_file_limit();
    let limits = crate::serve::effective(
        crate::serve::Limits {
            connections: a.max_connections as usize,
            per_address: a.max_per_address as usize,
            sessions: a.max_sessions as usize,
            idle: Duration::from_secs(a.idle_timeout),
        },
        files,
    );
    let collect = match a.collect {
        Some(dir) => match crate::collect::Collector::new(dir, a.collect_token) {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                eprintln!("preflight serve: {e}");
                return USAGE;
            }
        },
        None => None,
    };
    let opts = crate::serve::ServeOptions {
        listen: a.listen,
        tls: a.tls_cert.zip(a.tls_key),
        stun: Some(a.stun),
        limits,
        collect: collect.clone(),
    };
    let log: Arc<dyn Fn(String) + Send + Sync> = Arc::new(|line| {
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        eprintln!("{now} {line}");
    });
    match crate::serve::start(&opts, log).await {
        Ok(b) => {
            let scheme = if opts.tls.is_some() { "https" } else { "http" };
            let ws = if opts.tls.is_some() { "wss" } else { "ws" };
            eprintln!(
                "preflight serve {}: ndt7 {ws}://{}/ndt/v7/upload, POST {scheme}://{}/upload, echo {scheme}://{}/echo, STUN udp+tcp {}",
                env!("CARGO_PKG_VERSION"),
                b.http,
                b.http,
                b.http,
                b.stun.map(|s| s.to_string()).unwrap_or_default()
            );
            eprintln!(
                "preflight serve: limits: {} connections ({} per address), {} ndt7 uploads, idle {} s; open files {}",
                limits.connections,
                limits.per_address,
                limits.sessions,
                limits.idle.as_secs(),
                files
                    .map(|f| f.to_string())
                    .unwrap_or_else(|| "unlimited".into())
            );
            if let Some(c) = &collect {
                let token = c
                    .token()
                    .map(|t| {
                        format!(
                            "?token={}",
                            url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()
                        )
                    })
                    .unwrap_or_default();
                eprintln!(
                    "preflight serve: collecting reports into {}: check --send {scheme}://{}/reports{token}, live page {scheme}://{}/{token}",
                    c.dir().display(),
                    b.http,
                    b.http
                );
            }
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("preflight serve: stopped");
            0
        }
        Err(e) => {
            eprintln!("preflight serve: {e}");
            USAGE
        }
    }
}

/// A check, then (with the hidden `--pause`, which tests the double-click path without its
/// default targets) the wait for Enter.
fn check_then_pause(rt: &tokio::runtime::Runtime, args: CheckArgs) -> i32 {
    let pause = args.pause;
    let l = lang_of(args.lang);
    let code = rt.block_on(run_check(args));
    if pause {
        wait_for_enter(rt, l, code)
    } else {
        code
    }
}

/// Keep the console open after a double-click, never when redirected or in CI, nor after
/// Ctrl-C. Ctrl-C at the prompt closes it too (the run's handler has taken the signal over, so
/// the prompt listens for it). Returns `code`.
fn wait_for_enter(rt: &tokio::runtime::Runtime, l: Lang, code: i32) -> i32 {
    rt.block_on(pause(l, code))
}

/// `--department`: two or three digits (971), or 2A / 2B.
fn department(s: &str) -> Result<String, String> {
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
fn bandwidth_url(s: &str) -> Result<String, String> {
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
fn check_output(option: &str, path: &std::path::Path) -> Result<(), String> {
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

fn options(a: &CheckArgs) -> Result<CheckOptions, String> {
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

/// Progress bars on a terminal only (indicatif hides itself otherwise).
struct Bars {
    bar: indicatif::ProgressBar,
}

impl Observer for Bars {
    fn started(&self, total: usize) {
        // Called once per stage (direct probes, then probes through a proxy).
        self.bar.inc_length(total as u64);
    }
    fn finished(&self, _i: usize, step: &Step, o: &Outcome) {
        self.bar.inc(1);
        if o.status == Status::Fail {
            self.bar
                .set_message(format!("{} {}", step.kind().as_str(), o.target));
        }
    }
    fn phase(&self, what: &str) {
        self.bar.set_message(what.to_string());
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

pub(crate) async fn run_check(args: CheckArgs) -> i32 {
    let opts = match options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("preflight: {e}");
            return USAGE;
        }
    };
    let lang = opts.lang;
    let prep = match options::prepare(opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("preflight: {e}");
            return USAGE;
        }
    };
    let json_stdout = args.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let observer: Arc<dyn Observer> = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Arc::new(Bars { bar })
    } else {
        Arc::new(Silent)
    };
    let (stop, cancel) = crate::runner::Cancel::new();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop.send(true);
        }
    });
    let report = match pipeline::run(prep, observer.clone(), cancel).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("preflight: {e}");
            return USAGE;
        }
    };
    drop(observer);
    let code = write_outputs(&report, &args, lang, json_stdout);
    if let Some(url) = args.send.as_deref().filter(|_| code != INTERRUPTED) {
        // The --json file, when it was written: else a report that cannot be sent is saved
        // in the current folder.
        let kept = args
            .json
            .as_deref()
            .filter(|p| p.as_os_str() != "-" && code != USAGE);
        crate::collect::send_and_say(
            &report,
            url,
            args.ca_file.as_deref(),
            kept,
            lang,
            json_stdout,
        )
        .await;
    }
    code
}

/// Write every output asked for, each even if another failed; the exit code, which the text
/// report states: the verdict's, or 3 when an output could not be written. Files are written
/// whole or not at all (a temporary file in the same folder, renamed).
fn write_outputs(report: &Report, args: &CheckArgs, lang: Lang, json_stdout: bool) -> i32 {
    let json = serde_json::to_string_pretty(report).unwrap_or_default();
    let mut failed = Vec::new();
    if let Some(path) = args.json.as_deref().filter(|_| !json_stdout)
        && let Err(e) = crate::report::write_atomic(path, format!("{json}\n").as_bytes())
    {
        failed.push(format!("--json {}: {e}", path.display()));
    }
    if let Some(path) = &args.html {
        let html = crate::report::html::render_html(report, lang);
        if let Err(e) = crate::report::write_atomic(path, html.as_bytes()) {
            failed.push(format!("--html {}: {e}", path.display()));
        }
    }
    let code = if failed.is_empty() {
        report.exit_code()
    } else {
        USAGE
    };
    let color = std::env::var_os("NO_COLOR").is_none()
        && if json_stdout {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        }
        && crate::console::ansi_colours(json_stdout);
    let human = text::render_with_code(report, lang, text::Style { color }, code);
    if json_stdout {
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, "{json}") {
            failed.push(format!("--json (standard output): {e}"));
        }
        eprint!("{human}");
    } else {
        print!("{human}");
    }
    for f in &failed {
        eprintln!("preflight: {}", crate::inert::line(f));
    }
    if failed.is_empty() { code } else { USAGE }
}

fn run_profiles(
    what: Option<ProfilesCmd>,
    dir: Option<&std::path::Path>,
    files: &[std::path::PathBuf],
) -> i32 {
    let all = match profile::Library::load(dir, files) {
        Ok(a) => a.platforms,
        Err(e) => {
            eprintln!("preflight: {e}");
            return USAGE;
        }
    };
    match what.unwrap_or(ProfilesCmd::List) {
        ProfilesCmd::List => {
            for p in &all {
                let server = if p.needs_server() {
                    "  (needs --server HOST)"
                } else {
                    ""
                };
                println!("{:<10} {:<30} {}{server}", p.id, p.name, p.engine);
            }
            0
        }
        ProfilesCmd::Show { id } => match all.iter().find(|p| p.id == id) {
            Some(p) => {
                print!("{}", crate::report::profiles::describe(p, lang_of(None)));
                0
            }
            None => {
                eprintln!(
                    "preflight: unknown platform `{id}`; valid ids: {}",
                    all.iter()
                        .map(|p| p.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                USAGE
            }
        },
    }
}
