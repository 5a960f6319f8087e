//! Everything written to stderr goes through the `Printer`: progress (only on
//! a terminal, never with `--quiet`), notes and warnings. Everything written
//! to stdout goes through [`stdout`], whose errors (a closed pipe included)
//! travel up to `crate::run`, which handles a broken pipe once for all.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    progress: bool,
    quiet: bool,
}

impl Printer {
    pub fn new(progress: bool, quiet: bool) -> Printer {
        Printer { progress, quiet }
    }

    /// A spinner with a message; invisible when progress is off.
    pub fn spinner(&self, message: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed:.dim}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// `warning: <message>` on stderr. Shown even with `--quiet`: a warning
    /// says the result may not be what the user expects.
    pub fn warn(&self, message: &str) {
        eprintln!("warning: {message}");
    }

    /// An informational line on stderr (hidden by `--quiet`).
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

/// Writes `bytes` to stdout and flushes. A reader that went away (`| head`)
/// is a `BrokenPipe` error here; `crate::run` ends the process quietly with
/// exit 0 on it, whichever command was writing.
pub fn stdout(bytes: impl AsRef<[u8]>) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes.as_ref())?;
    out.flush()
}

/// [`stdout`] with a newline added.
pub fn stdout_line(line: impl std::fmt::Display) -> std::io::Result<()> {
    stdout(format!("{line}\n"))
}
