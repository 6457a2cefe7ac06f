//! The Windows console, where a double-click opens one: colours (ANSI sequences need "virtual
//! terminal processing", off by default before Windows 10's newer consoles) and whether this
//! process owns the window it writes to (started from Explorer or a shortcut, not from a shell).
//! Elsewhere terminals understand ANSI colours and nobody double-clicks a program.
//!
//! Accents need nothing here: the standard library writes to a Windows console in UTF-16
//! (`WriteConsoleW`), and writes UTF-8 bytes to files and pipes.

/// Whether ANSI colour sequences will be understood on stdout (`stderr` when `on_stderr`).
/// On Windows this turns virtual terminal processing on; where the console refuses (old
/// conhost, or not a console at all), the answer is no and the text goes out plain.
pub fn ansi_colours(on_stderr: bool) -> bool {
    #[cfg(windows)]
    {
        win::enable_vt(on_stderr)
    }
    #[cfg(not(windows))]
    {
        let _ = on_stderr;
        true
    }
}

/// True when this process is alone in its console: Explorer (a double-click, or a shortcut
/// with options) made the window for it, and it closes when the program ends. False from a
/// shell (cmd, PowerShell, Windows Terminal: they share the console), and off Windows.
pub fn owns_its_window() -> bool {
    #[cfg(windows)]
    {
        win::alone_in_console()
    }
    #[cfg(not(windows))]
    {
        false
    }
}

#[cfg(windows)]
mod win {
    use windows_sys::Win32::System::Console::{
        CONSOLE_MODE, ENABLE_VIRTUAL_TERMINAL_PROCESSING, GetConsoleMode, GetConsoleProcessList,
        GetStdHandle, STD_ERROR_HANDLE, STD_OUTPUT_HANDLE, SetConsoleMode,
    };

    pub fn enable_vt(on_stderr: bool) -> bool {
        let which = if on_stderr {
            STD_ERROR_HANDLE
        } else {
            STD_OUTPUT_HANDLE
        };
        // SAFETY: plain Win32 calls on this process's standard handle; `mode` outlives them.
        unsafe {
            let h = GetStdHandle(which);
            if h.is_null() || h as isize == -1 {
                return false;
            }
            let mut mode: CONSOLE_MODE = 0;
            if GetConsoleMode(h, &mut mode) == 0 {
                return false;
            }
            mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0
                || SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0
        }
    }

    pub fn alone_in_console() -> bool {
        let mut ids = [0u32; 4];
        // SAFETY: the buffer and its length match; the call writes at most that many ids.
        let n = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) };
        n == 1
    }
}
