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
        eprintln!("{}", inert(&format!("warning: {message}")));
    }

    /// An informational line on stderr (hidden by `--quiet`).
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{}", inert(message));
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

/// `text` for stderr, made inert for terminals and CI log parsers: control
/// characters but line breaks are shown escaped (`\r`, `\u{1b}`), and a line that would start with `::` (a GitHub Actions
/// workflow command, e.g. from a column named `x\n::error::...`) is
/// indented by `\` so the runner does not execute it. Our own messages
/// never start a line with `::`; only data in them can.
pub fn inert(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let line = crate::report::render::visible::text(line);
            if line.trim_start().starts_with("::") {
                format!("\\{line}")
            } else {
                line.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn workflow_commands_in_data_do_not_start_a_line() {
        let cases = [
            ("error: unknown column `x`", "error: unknown column `x`"),
            (
                "error: unknown column `x\n::error::pwned`",
                "error: unknown column `x\n\\::error::pwned`",
            ),
            ("a\n  ::warning::y", "a\n\\  ::warning::y"),
            ("a\r::error::z", "a\\r::error::z"),
            ("bell\u{7}", "bell\\u{7}"),
            ("line one\nline two", "line one\nline two"),
        ];
        for (text, shown) in cases {
            assert_eq!(inert(text), shown, "{text:?}");
            assert!(
                !inert(text)
                    .split(['\n', '\r'])
                    .any(|l| l.trim_start().starts_with("::")),
                "{text:?}"
            );
        }
    }
}
