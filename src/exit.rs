//! How a run ends: the exit codes others rely on (see contract.md) and the pause that keeps a
//! double-clicked console open. Used by `app` and by the double-click `kit`, neither of which
//! reaches into the other for it.

use crate::lang::Lang;
use std::io::{IsTerminal, Write};

/// Exit code when the tool could not run as asked.
pub const USAGE: i32 = 3;

/// Keep the console open after a double-click, never when redirected or in CI, nor after
/// Ctrl-C. Ctrl-C at the prompt closes it too (the run's handler has taken the signal over, so
/// the prompt listens for it). Returns `code`.
pub async fn pause(l: Lang, code: i32) -> i32 {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !interactive || std::env::var_os("CI").is_some() || code == INTERRUPTED {
        return code;
    }
    print!("{}", crate::report::console::press_enter(l));
    let _ = std::io::stdout().flush();
    let (tx, rx) = tokio::sync::oneshot::channel();
    // A thread of its own: a blocked read cannot be cancelled, and the process exits without it.
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        let _ = tx.send(());
    });
    tokio::select! {
        _ = rx => {}
        _ = tokio::signal::ctrl_c() => println!(),
    }
    code
}

/// Exit code of a run stopped by Ctrl-C (128 + SIGINT, what shells report).
pub const INTERRUPTED: i32 = 130;
