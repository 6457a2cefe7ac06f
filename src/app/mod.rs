//! The binary's body: parse, run, render, exit code. `main.rs` only calls [`main`].

use crate::cli::{CheckArgs, Cli, Command, ProfilesCmd, lang_of};
use crate::exit::pause;
pub use crate::exit::{INTERRUPTED, USAGE};
use crate::profile;
use crate::report::Lang;
use crate::report::console::{said, said_by};
use crate::report::messages::{M, msg, words};
use std::sync::Arc;
use std::time::Duration;

mod args;
mod check;
use check::run_check;

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
                        let l = lang_of(lang);
                        eprintln!("{}", said_by(l, "merge", msg(l, M::NoneOfTheFiles)));
                    }
                    code
                }
                Err(e) => {
                    eprintln!("{}", said_by(lang_of(lang), "merge", &e.to_string()));
                    USAGE
                }
            }
        }
        Some(Command::Serve(a)) => rt.block_on(run_serve(a)),
    }
}

/// `preflight serve`: bind, say where, serve until Ctrl-C.
async fn run_serve(a: crate::cli::ServeArgs) -> i32 {
    let l = lang_of(None);
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
                eprintln!(
                    "{}",
                    said_by(l, "serve", &crate::report::errors::collect(&e, l))
                );
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
            let files = files
                .map(|f| f.to_string())
                .unwrap_or_else(|| msg(l, M::Unlimited).into());
            let limits = words(l).serve_limits(
                limits.connections,
                limits.per_address,
                limits.sessions,
                limits.idle.as_secs(),
                &files,
            );
            eprintln!("{}", said_by(l, "serve", &limits));
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
                let send = format!("{scheme}://{}/reports{token}", b.http);
                let live = format!("{scheme}://{}/{token}", b.http);
                let dir = c.dir().display().to_string();
                eprintln!(
                    "{}",
                    said_by(l, "serve", &words(l).serve_collecting(&dir, &send, &live))
                );
            }
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("{}", said_by(l, "serve", msg(l, M::ServeStopped)));
            0
        }
        Err(e) => {
            eprintln!(
                "{}",
                said_by(l, "serve", &crate::report::errors::serve(&e, l))
            );
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

fn run_profiles(
    what: Option<ProfilesCmd>,
    dir: Option<&std::path::Path>,
    files: &[std::path::PathBuf],
) -> i32 {
    let (all, levels) = match profile::Library::load(dir, files) {
        Ok(a) => (a.platforms, a.network.quality),
        Err(e) => {
            let l = lang_of(None);
            eprintln!("{}", said(l, &crate::report::errors::profile(&e, l)));
            return USAGE;
        }
    };
    match what.unwrap_or(ProfilesCmd::List) {
        ProfilesCmd::List => {
            let l = lang_of(None);
            for p in &all {
                let server = if p.needs_server() {
                    format!("  {}", msg(l, M::NeedsServerHOST))
                } else {
                    String::new()
                };
                println!("{:<10} {:<30} {}{server}", p.id, p.name, p.engine);
            }
            0
        }
        ProfilesCmd::Show { id } => match all.iter().find(|p| p.id == id) {
            Some(p) => {
                print!(
                    "{}",
                    crate::report::profiles::describe(p, &levels, lang_of(None))
                );
                0
            }
            None => {
                let valid: Vec<String> = all.iter().map(|p| p.id.clone()).collect();
                let id = crate::inert::line(&id);
                let l = lang_of(None);
                let e = crate::report::errors::unknown_platform(&id, &valid, l);
                eprintln!("{}", said(l, &e));
                USAGE
            }
        },
    }
}
