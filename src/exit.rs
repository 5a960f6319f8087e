//! Process exit codes: part of the interface, documented in `--help` and
//! README; a code never changes meaning.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: ran, and nothing met `--fail-on`.
    Success,
    /// 1: ran, and the `--fail-on` condition was met (drift or quality errors).
    Failure,
    /// 2: usage, configuration or input error; nothing was decided.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

/// The exit-code table shown at the end of `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  ran; nothing met `--fail-on`
  1  ran; the `--fail-on` condition was met (dataset drift and/or quality errors)
  2  usage, configuration or input error (missing or unreadable file, no rows,
     unknown column or method, method not valid for a column)";
