//! A policy's state session, shared by `run`, `approve`, `reject` and
//! `pending`: the lock, the loaded state and the audit log, saved atomically
//! at the end.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Result};
use chrono::{DateTime, Utc};

use crate::policy::state::{AuditHead, PendingApproval, PolicyState, STATE_VERSION};
use crate::policy::Policy;
use crate::state::{self, AuditLog, StateError, StateLock};

pub struct Session {
    pub state: PolicyState,
    state_path: PathBuf,
    audit: AuditLog,
    _lock: StateLock,
}

impl Session {
    /// Takes the lock (waiting up to `lock_timeout`) and loads the state.
    /// `Ok(None)` when another run holds the lock: the message is printed
    /// here and the caller exits with its own code.
    pub fn open(dir: &Path, policy: &Policy, lock_timeout: Duration) -> Result<Option<Session>> {
        let lock = match state::lock::acquire(dir, lock_timeout) {
            Ok(lock) => lock,
            Err(e @ StateError::Held { .. }) => {
                eprintln!("error: {e}\nhint: runs of one policy never overlap; wait for it, or pass `--lock-timeout 5m` to wait");
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        let state_path = dir.join("state.json");
        let state: PolicyState = state::store::load(&state_path, STATE_VERSION)?
            .unwrap_or_else(|| PolicyState::new(&policy.name));
        if state.policy != policy.name {
            bail!(
                "`{}` belongs to policy `{}`, not `{}`; give each policy its own `state_dir`",
                state_path.display(),
                state.policy,
                policy.name
            );
        }
        let audit = AuditLog::open(&dir.join("audit.jsonl"))?;
        check_not_cut(&state, audit.head().0, &dir.join("audit.jsonl"))?;
        Ok(Some(Session {
            state,
            state_path,
            audit,
            _lock: lock,
        }))
    }

    pub fn audit(&mut self, record: serde_json::Value) -> Result<()> {
        self.audit.append(record)?;
        Ok(())
    }

    pub fn save(&mut self) -> Result<()> {
        let (seq, hash) = self.audit.head();
        self.state.audit_head = Some(AuditHead {
            seq,
            hash: hash.to_string(),
        });
        state::store::save(&self.state_path, &self.state)?;
        Ok(())
    }
}

/// The audit log must hold at least the records the state last saw.
pub fn check_not_cut(state: &PolicyState, log_seq: u64, log: &Path) -> Result<()> {
    if let Some(head) = &state.audit_head {
        if log_seq < head.seq {
            bail!(
                "`{}` ends at record {log_seq}, but the state saw record {} (hash {}): records were removed from its end",
                log.display(),
                head.seq,
                &head.hash[..head.hash.len().min(12)]
            );
        }
    }
    Ok(())
}

/// Removes approvals that expired by `now` and returns them.
pub fn expire(session: &mut Session, now: DateTime<Utc>) -> Vec<PendingApproval> {
    let (expired, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut session.state.pending)
        .into_iter()
        .partition(|p| p.expires_at <= now);
    session.state.pending = kept;
    expired
}

/// An audit record: `kind`, `at`, `policy`, `run_id`, `dry_run`, plus the
/// fields of `extra` (an object).
pub fn record(
    kind: &str,
    at: DateTime<Utc>,
    policy: &str,
    run_id: &str,
    dry_run: bool,
    extra: serde_json::Value,
) -> serde_json::Value {
    let mut r = serde_json::json!({
        "kind": kind,
        "at": crate::policy::decide::stamp(at),
        "policy": policy,
        "run_id": run_id,
        "dry_run": dry_run,
    });
    if let (Some(r), serde_json::Value::Object(extra)) = (r.as_object_mut(), extra) {
        r.extend(extra);
    }
    r
}

/// The audit record of what happened to a pending approval.
pub fn approval_record(
    at: DateTime<Utc>,
    policy: &str,
    p: &PendingApproval,
    result: &str,
    extra: serde_json::Value,
) -> serde_json::Value {
    let mut r = record(
        "approval",
        at,
        policy,
        &p.run_id,
        false,
        serde_json::json!({ "approval_id": p.id, "rule": p.rule, "action": p.action, "result": result }),
    );
    if let (Some(r), serde_json::Value::Object(extra)) = (r.as_object_mut(), extra) {
        r.extend(extra);
    }
    r
}
