//! Process exit codes: part of the interface, documented in `--help` and
//! README; a code never changes meaning.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: ran, and nothing met `--fail-on`.
    Success,
    /// 1: `report`: the `--fail-on` condition was met. `run`: a rule fired
    /// and was handled (acted, queued or observed). `audit verify`: the
    /// chain is broken.
    Failure,
    /// 2: usage, configuration or input error; nothing was decided.
    Error,
    /// 3: `run`/`approve`: an action failed (or a guardrail blocked it and
    /// its escalation failed).
    ActionFailed,
    /// 4: another run of the same policy holds the lock.
    Locked,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
            ExitStatus::ActionFailed => 3,
            ExitStatus::Locked => 4,
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

/// The exit-code table of `run`.
pub const RUN_EXIT_CODES_HELP: &str = "\
Exit codes:
  0  healthy: no rule fired (or --exit-zero-when-handled and all went well)
  1  a rule fired and was handled: acted, queued for approval, observed, or
     blocked by a guardrail and escalated
  2  usage, configuration or input error (bad policy, missing data, ...)
  3  an action failed
  4  another run of the same policy holds the lock (see --lock-timeout)";

/// The exit-code table of `approve`.
pub const APPROVE_EXIT_CODES_HELP: &str = "\
Exit codes:
  0  the approved action ran and succeeded
  1  a guardrail still blocks it; it stays queued (approve it again later)
  2  usage, configuration or input error (unknown approval id, bad policy, ...)
  3  the action failed (its escalations ran)
  4  a run of the same policy holds the lock (see --lock-timeout)";
