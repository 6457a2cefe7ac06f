//! The binary's body: parse, run, render, exit code. `main.rs` only calls [`main`].

use crate::check::{self, CheckOptions, Role};
use crate::cli::{CheckArgs, Cli, Command, LangArg, ProfilesCmd, RoleArg};
use crate::model::{Outcome, Report, Status, Venue};
use crate::plan::Step;
use crate::profile;
use crate::report::{Lang, text};
use crate::runner::{Observer, Silent};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

/// Exit code when the tool could not run as asked.
pub const USAGE: i32 = 3;

fn lang_of(l: Option<LangArg>) -> Lang {
    Lang::detect(l.map(|l| match l {
        LangArg::Fr => "fr",
        LangArg::En => "en",
    }))
}

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
        None if bare => {
            // Started with no arguments (a double-click on Windows opens a console): run the
            // full check, keep the reports next to where it runs, and let the user read.
            let mut args = cli.check;
            let stamp = time::OffsetDateTime::now_local()
                .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
                .format(time::macros::format_description!(
                    "[year]-[month]-[day]_[hour]h[minute]"
                ))
                .unwrap_or_else(|_| "report".into());
            let base = format!("preflight_{stamp}");
            args.json = Some(format!("{base}.json").into());
            args.html = Some(format!("{base}.html").into());
            let code = rt.block_on(run_check(args));
            let l = lang_of(None);
            let here = std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            println!(
                "\n{} {here}{}{base}.json, {base}.html",
                l.t("Rapports enregistrés dans", "Reports saved in"),
                std::path::MAIN_SEPARATOR
            );
            wait_for_enter(l);
            code
        }
        None => rt.block_on(run_check(cli.check)),
        Some(Command::Check(args)) => rt.block_on(run_check(*args)),
        Some(Command::Profiles { what, profiles }) => run_profiles(what, &profiles),
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
    let opts = crate::serve::ServeOptions {
        listen: a.listen,
        tls: a.tls_cert.zip(a.tls_key),
        stun: Some(a.stun),
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

/// Keep the console open after a double-click, never when redirected or in CI.
fn wait_for_enter(l: Lang) {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !interactive || std::env::var_os("CI").is_some() {
        return;
    }
    print!(
        "{}",
        l.t("Appuyez sur Entrée pour fermer. ", "Press Enter to close. ")
    );
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

fn options(a: &CheckArgs) -> Result<CheckOptions, String> {
    let mut lab_nets = Vec::new();
    for n in &a.lab_nets {
        lab_nets.push(n.parse().map_err(|e| format!("--lab-net: {e}"))?);
    }
    if a.duration == 0 || a.duration > 60 {
        return Err("--duration must be between 1 and 60 seconds".into());
    }
    Ok(CheckOptions {
        platforms: a.platforms.clone(),
        profiles: a.profiles.clone(),
        server: a.server.clone(),
        link: a.link.clone(),
        turn: a.turn.clone(),
        resolver: a.resolver,
        ca_file: a.ca_file.clone(),
        venue: Venue {
            label: a.venue.clone(),
            uai: a.uai.clone(),
            department: a.department.clone(),
            kind: a.kind.map(|k| k.as_str().to_string()),
        },
        role: match a.role {
            RoleArg::Speaker => Role::Speaker,
            RoleArg::Attendee => Role::Attendee,
        },
        bandwidth_url: a.bandwidth_url.clone(),
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

async fn run_check(args: CheckArgs) -> i32 {
    let opts = match options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("preflight: {e}");
            return USAGE;
        }
    };
    let lang = opts.lang;
    let prep = match check::prepare(opts) {
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
    let (stop, cancel) = check::Cancel::new();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop.send(true);
        }
    });
    let report = match check::run(prep, observer.clone(), cancel).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("preflight: {e}");
            return USAGE;
        }
    };
    drop(observer);
    if let Err(e) = write_outputs(&report, &args, lang, json_stdout) {
        eprintln!("preflight: {e}");
        return USAGE;
    }
    report.exit_code()
}

fn write_outputs(
    report: &Report,
    args: &CheckArgs,
    lang: Lang,
    json_stdout: bool,
) -> Result<(), String> {
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    let color = std::env::var_os("NO_COLOR").is_none()
        && if json_stdout {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
    let human = text::render(report, lang, text::Style { color });
    if json_stdout {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{json}").map_err(|e| e.to_string())?;
        eprint!("{human}");
    } else {
        print!("{human}");
        if let Some(path) = &args.json {
            std::fs::write(path, format!("{json}\n"))
                .map_err(|e| format!("--json {}: {e}", path.display()))?;
        }
    }
    if let Some(path) = &args.html {
        std::fs::write(path, crate::report::html::render_html(report, lang))
            .map_err(|e| format!("--html {}: {e}", path.display()))?;
    }
    Ok(())
}

fn run_profiles(what: Option<ProfilesCmd>, files: &[std::path::PathBuf]) -> i32 {
    let all = match profile::load_all(files) {
        Ok(a) => a,
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
