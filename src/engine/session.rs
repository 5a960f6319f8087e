//! A policy's state session, shared by every command that reads or changes
//! what a policy remembers (`run`, `approve`, `reject`, `ack`, `pending`):
//! the run lock, the loaded state and the audit log. Opening one settles
//! what a killed run left behind; every save is atomic and fsync'd.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Result};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::trail;
use crate::policy::decide;
use crate::policy::state::{AuditHead, PendingApproval, PolicyState, STATE_VERSION};
use crate::policy::Policy;
use crate::statedir::{self, AuditLog, StateError, StateLock, AUDIT_FILE, STATE_FILE};

pub struct Session {
    pub state: PolicyState,
    /// `None` for a scratch session (`backtest`): nothing is read or
    /// written, no lock is taken.
    files: Option<Files>,
    policy: String,
}

/// The state directory behind a session.
struct Files {
    state_path: PathBuf,
    audit: AuditLog,
    _lock: StateLock,
}

impl Session {
    /// Takes the lock (waiting up to `lock_timeout`) and loads the state.
    /// `Ok(None)` when another run holds the lock: the message is printed
    /// here and the caller exits with its own code.
    pub fn open(dir: &Path, policy: &Policy, lock_timeout: Duration) -> Result<Option<Session>> {
        let lock = match statedir::lock::acquire(dir, lock_timeout) {
            Ok(lock) => lock,
            Err(e @ StateError::Held { .. }) => {
                eprintln!("error: {e}\nhint: runs of one policy never overlap; wait for it, or pass `--lock-timeout 5m` to wait");
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        let state_path = dir.join(STATE_FILE);
        let state: PolicyState = statedir::store::load(&state_path, STATE_VERSION)?
            .unwrap_or_else(|| PolicyState::new(&policy.name));
        if state.policy != policy.name {
            bail!(
                "`{}` belongs to policy `{}`, not `{}`; give each policy its own `state_dir`",
                state_path.display(),
                state.policy,
                policy.name
            );
        }
        let audit_path = dir.join(AUDIT_FILE);
        let audit = AuditLog::open(&audit_path)?;
        check_head(&state, &audit_path)?;
        Ok(Some(Session {
            state,
            files: Some(Files {
                state_path,
                audit,
                _lock: lock,
            }),
            policy: policy.name.clone(),
        }))
    }

    /// A session over a fresh state that lives only in memory: saves and
    /// audit records go nowhere, no lock is taken. `backtest` replays
    /// history through the engine on one, leaving the policy's own state
    /// directory untouched.
    pub fn scratch(policy: &Policy) -> Session {
        Session {
            state: PolicyState::new(&policy.name),
            files: None,
            policy: policy.name.clone(),
        }
    }

    /// [`Session::open`], then [`Session::settle_interrupted`] (saved): what
    /// every command but `run` does first.
    pub fn open_settled(
        dir: &Path,
        policy: &Policy,
        lock_timeout: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let Some(mut session) = Session::open(dir, policy, lock_timeout)? else {
            return Ok(None);
        };
        session.settle_interrupted(now, true, true)?;
        Ok(Some(session))
    }

    /// Settles actions a killed run left in flight: each becomes an unknown
    /// outcome (held until `driftmend ack`), audited. With `persist` (not a
    /// dry run) the settlement is saved at once, so it is audited once.
    pub fn settle_interrupted(
        &mut self,
        now: DateTime<Utc>,
        persist: bool,
        audit: bool,
    ) -> Result<()> {
        let settled = decide::settle_interrupted(&mut self.state);
        for (action, started) in &settled {
            eprintln!(
                "warning: `{action}` was running when an earlier run ({}) was stopped at {} or later; its outcome is unknown\nhint: check what it did, then `driftmend ack {action} --succeeded` or `--failed`",
                started.run_id,
                decide::stamp(started.since)
            );
        }
        if settled.is_empty() || !persist {
            return Ok(());
        }
        for (action, started) in settled.iter().filter(|_| audit) {
            let record = trail::record(
                "interrupted",
                now,
                &self.policy,
                &started.run_id,
                false,
                json!({
                    "action": action,
                    "started_at": decide::stamp(started.since),
                    "idempotency_key": started.idempotency_key,
                    "result": "unknown",
                    "reason": "the run was stopped while the action ran; its outcome is unknown",
                }),
            );
            self.audit(record)?;
        }
        self.save()?;
        Ok(())
    }

    pub fn audit(&mut self, record: serde_json::Value) -> Result<()> {
        if let Some(files) = &mut self.files {
            files.audit.append(record)?;
        }
        Ok(())
    }

    /// Saves the state atomically, with the audit log's head in it.
    pub fn save(&mut self) -> Result<()> {
        let Some(files) = &mut self.files else {
            return Ok(());
        };
        let (seq, hash) = files.audit.head();
        self.state.audit_head = Some(AuditHead {
            seq,
            hash: hash.to_string(),
        });
        statedir::store::save(&files.state_path, &self.state)?;
        Ok(())
    }

    /// Removes the approvals that expired by `now`, auditing each when
    /// `persist` (a dry run leaves them for the next real run to record).
    pub fn expire(&mut self, now: DateTime<Utc>, persist: bool) -> Result<Vec<PendingApproval>> {
        let (expired, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.state.pending)
            .into_iter()
            .partition(|p| p.expires_at <= now);
        self.state.pending = kept;
        for p in expired.iter().filter(|_| persist) {
            let record = trail::approval_record(
                now,
                &self.policy,
                p,
                "expired",
                json!({ "expired_at": decide::stamp(p.expires_at) }),
            );
            self.audit(record)?;
        }
        Ok(expired)
    }
}

impl Session {
    /// Takes approval `id` off the queue, after expiring old ones (an
    /// expired `id` is an error that says so).
    pub fn take_pending(&mut self, id: &str, now: DateTime<Utc>) -> Result<PendingApproval> {
        let expired = self.expire(now, true)?;
        if let Some(p) = expired.iter().find(|p| p.id == id) {
            self.save()?;
            bail!(
                "approval `{id}` expired at {}; the next run decides again",
                decide::stamp(p.expires_at)
            );
        }
        let pending = &mut self.state.pending;
        match pending.iter().position(|p| p.id == id) {
            Some(i) => Ok(pending.remove(i)),
            None if pending.is_empty() => bail!("no pending approval `{id}` (the queue is empty)"),
            None => {
                let known: Vec<&str> = pending.iter().map(|p| p.id.as_str()).collect();
                bail!("no pending approval `{id}`; pending: {}", known.join(", "))
            }
        }
    }
}

/// The audit log must still hold, unchanged, the last record the state saw
/// (a log cut short, or whose last record was rewritten with a recomputed
/// hash, passes its own chain check but not this one).
pub fn check_head(state: &PolicyState, log: &Path) -> Result<()> {
    if let Some(head) = &state.audit_head {
        statedir::check_audit_head(log, head.seq, &head.hash)?;
    }
    Ok(())
}
