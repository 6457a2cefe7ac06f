//! One check as the command line runs it: progress bars, the pipeline, the outputs written, the
//! report sent.

use super::args::options;
use crate::cli::CheckArgs;
use crate::exit::{INTERRUPTED, USAGE};
use crate::model::{Outcome, Report, Status};
use crate::options::{self};
use crate::pipeline;
use crate::plan::Step;
use crate::report::console::said;
use crate::report::{Lang, errors, text};
use crate::runner::{Observer, Silent};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

/// Progress bars on a terminal only (indicatif hides itself otherwise).
pub(super) struct Bars {
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
            let l = crate::cli::lang_of(args.lang);
            eprintln!("{}", said(l, &errors::option(&e, l)));
            return USAGE;
        }
    };
    let lang = opts.lang;
    let prep = match options::prepare(opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", said(lang, &errors::check(&e, lang)));
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
            eprintln!("{}", said(lang, &errors::check(&e, lang)));
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
pub(super) fn write_outputs(
    report: &Report,
    args: &CheckArgs,
    lang: Lang,
    json_stdout: bool,
) -> i32 {
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
        eprintln!("{}", said(lang, &crate::inert::line(f)));
    }
    if failed.is_empty() { code } else { USAGE }
}
