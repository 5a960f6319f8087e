//! Remediation actions: a fully rendered request that can be shown (dry run,
//! audit log) or run, ending in an [`Outcome`] rather than an error.
//!
//! Every action type (`exec`, and the HTTP services: MLflow, GitHub, Slack, ...)
//! implements [`Action`], so the policy engine runs, logs and guards them all
//! the same way.

pub mod build;
pub mod ci;
pub mod context;
pub mod exec;
pub mod http;
pub mod mlflow;
pub mod notify;
pub mod service;

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Succeeded,
    Failed,
    /// Sent, but whether it took effect is unknown (e.g. timed out after
    /// sending): the next run must not blindly repeat it.
    Unknown,
}

/// What running an action produced; this is what the audit log records.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outcome {
    pub status: Status,
    /// One line for humans.
    pub message: String,
    /// Type-specific facts (`exec`: `exit_code`, `signal`, `stdout_tail`,
    /// `stderr_tail`, `timed_out`), secrets scrubbed.
    pub detail: serde_json::Value,
    pub duration_ms: u64,
}

/// A fully rendered action, ready to run or to show (dry run, audit).
pub trait Action: Send + Sync {
    /// The exact request with secrets redacted (`***`): what `--dry-run`
    /// prints and the audit log keeps.
    fn describe(&self) -> serde_json::Value;

    /// Runs it. Must not panic; every failure is an [`Outcome`] with status
    /// [`Status::Failed`] or [`Status::Unknown`].
    fn execute(&self) -> Outcome;

    /// What its outcome's `detail` carries whatever the answer (a PagerDuty
    /// event's `dedup_key`): the detail of an outcome `backtest` assumes.
    fn facts(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}
