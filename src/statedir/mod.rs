//! IO for what a policy keeps between scheduled runs: the run lock, the
//! versioned state file and the hash-chained audit log, all in one state
//! directory. Generic over the caller's types; knows nothing about policies.
//!
//! A run does, in order: [`lock::acquire`] on the directory, [`load`]
//! `state.json`, [`AuditLog::open`] `audit.jsonl` and [`check_audit_head`]
//! it against the head the state remembers, decide and act, append to the
//! log, [`save`] the new state (with the log's new head), and drop the
//! lock. Every write is made while the lock is held; nothing here repairs
//! or resets a damaged file on its own.

pub mod audit;
pub mod lock;
pub mod store;

use std::path::{Path, PathBuf};

pub use audit::{
    check_head as check_audit_head, read as read_audit, verify as verify_audit, AuditLog,
    Verification,
};
pub use lock::{acquire as acquire_lock, StateLock};
pub use store::{load, save};

/// File names inside the state directory.
pub const LOCK_FILE: &str = "lock";
pub const STATE_FILE: &str = "state.json";
pub const AUDIT_FILE: &str = "audit.jsonl";

/// Why the state directory could not be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Another process (or another handle in this one) holds the run lock.
    /// `pid` and `since` are what the holder wrote into the lock file, if it
    /// could be read.
    #[error("{}", held_message(path, *pid, since.as_deref()))]
    Held {
        path: PathBuf,
        pid: Option<u32>,
        since: Option<String>,
    },
    #[error(
        "`{}` was written by a newer driftmend (state version {found}; this one reads up to {supported}); upgrade driftmend or point `state_dir` elsewhere",
        path.display()
    )]
    NewerVersion {
        path: PathBuf,
        found: u64,
        supported: u32,
    },
    #[error(
        "`{}` is damaged: {detail}; repair it or move it aside (driftmend never resets it on its own)",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    /// The audit log ends before the record remembered as its head (see
    /// [`audit::check_head`]).
    #[error(
        "`{}` ends at record {records}, but the state saw record {seq} (hash {}): records were removed from its end",
        path.display(),
        short_hash(expected)
    )]
    AuditCut {
        path: PathBuf,
        /// Records (lines) in the log.
        records: u64,
        seq: u64,
        expected: String,
    },
    /// The audit log's record `seq` is not the one remembered as its head
    /// (see [`audit::check_head`]); `found` says what is there instead.
    #[error(
        "`{}` does not hold the record the state saw last (record {seq}, hash {}): {found}",
        path.display(),
        short_hash(expected)
    )]
    AuditRewritten {
        path: PathBuf,
        seq: u64,
        expected: String,
        found: String,
    },
    /// A caller passed something other than a JSON object to
    /// [`AuditLog::append`]: a bug, not a problem with the file.
    #[error("cannot append to `{}`: an audit record must be a JSON object, not {found}", path.display())]
    NotAnObject { path: PathBuf, found: &'static str },
    /// The OS refused. `action` is a verb phrase such as "read" or "lock";
    /// the OS error is the `source`, printed as the cause.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl StateError {
    pub(crate) fn io(path: &Path, action: &'static str, source: std::io::Error) -> StateError {
        StateError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    pub(crate) fn corrupt(path: &Path, detail: impl Into<String>) -> StateError {
        StateError::Corrupt {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }
}

/// Where dry runs keep their own state and audit log (`<state_dir>/shadow`),
/// so a shadowed policy's `for:` streaks advance and its rules can fire
/// without touching the real state.
pub fn shadow_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("shadow")
}

/// `options` creating files with mode 0600 (the lock, the audit log).
pub(crate) fn private_file(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

/// The first 12 characters of a hash, enough to tell two apart in a
/// message.
pub(crate) fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn held_message(path: &Path, pid: Option<u32>, since: Option<&str>) -> String {
    let holder = match (pid, since) {
        (Some(pid), Some(since)) => format!(" (pid {pid}, started {since})"),
        (Some(pid), None) => format!(" (pid {pid})"),
        (None, Some(since)) => format!(" (started {since})"),
        (None, None) => String::new(),
    };
    format!(
        "another driftmend run{holder} holds the lock on `{}`",
        path.display()
    )
}

impl From<crate::atomic_file::AtomicWriteError> for StateError {
    fn from(e: crate::atomic_file::AtomicWriteError) -> StateError {
        StateError::Io {
            path: e.path,
            action: e.action,
            source: e.source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_say_what_to_do() {
        let held = StateError::Held {
            path: PathBuf::from(".driftmend/lock"),
            pid: Some(1234),
            since: Some("2026-11-22T03:00:00Z".into()),
        };
        assert_eq!(
            held.to_string(),
            "another driftmend run (pid 1234, started 2026-11-22T03:00:00Z) holds the lock on `.driftmend/lock`"
        );
        let unknown = StateError::Held {
            path: PathBuf::from("l"),
            pid: None,
            since: None,
        };
        assert_eq!(
            unknown.to_string(),
            "another driftmend run holds the lock on `l`"
        );

        let newer = StateError::NewerVersion {
            path: PathBuf::from(".driftmend/state.json"),
            found: 3,
            supported: 1,
        };
        assert_eq!(
            newer.to_string(),
            "`.driftmend/state.json` was written by a newer driftmend (state version 3; this one reads up to 1); upgrade driftmend or point `state_dir` elsewhere"
        );

        let io = StateError::io(
            Path::new("x/state.json"),
            "read",
            std::io::Error::other("boom"),
        );
        assert_eq!(io.to_string(), "cannot read `x/state.json`");
        let source = std::error::Error::source(&io).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("boom"));

        for err in [held, newer, io] {
            assert!(!err.to_string().ends_with('.'), "{err}");
        }
    }
}
