//! The shapes of the audit log's records, in one place. Every record has
//! `kind`, `at`, `policy`, `run_id` and `dry_run`; the kinds are
//!
//! - `run`: what a run measured (or the error that stopped it);
//! - `rule`: one rule's evaluation;
//! - `start`: an action is about to run (written, and the state saved,
//!   before it runs);
//! - `action`: an action ran, with its request and outcome;
//! - `decision`: an action was decided but not run (queued, observed,
//!   blocked, or a dry run);
//! - `interrupted`: a run was killed while an action ran; its outcome is
//!   unknown;
//! - `approval`: a queued action was approved (with its outcome), rejected,
//!   blocked on approval or expired;
//! - `ack`: a person settled an unknown outcome.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::policy::decide::{self, RuleEval};
use crate::policy::state::PendingApproval;

/// An audit record: `kind`, `at`, `policy`, `run_id`, `dry_run`, plus the
/// fields of `extra` (an object).
pub fn record(
    kind: &str,
    at: DateTime<Utc>,
    policy: &str,
    run_id: &str,
    dry_run: bool,
    extra: Value,
) -> Value {
    let mut r = json!({
        "kind": kind,
        "at": decide::stamp(at),
        "policy": policy,
        "run_id": run_id,
        "dry_run": dry_run,
    });
    extend(&mut r, extra);
    r
}

/// The record of what happened to a pending approval.
pub fn approval_record(
    at: DateTime<Utc>,
    policy: &str,
    p: &PendingApproval,
    result: &str,
    extra: Value,
) -> Value {
    let mut r = record(
        "approval",
        at,
        policy,
        &p.run_id,
        false,
        json!({ "approval_id": p.id, "rule": p.rule, "action": p.action, "result": result }),
    );
    extend(&mut r, extra);
    r
}

/// The fields of a `rule` record.
pub fn rule_fields(e: &RuleEval) -> Value {
    json!({
        "rule": e.rule, "holds": e.holds, "error": e.error, "consecutive": e.consecutive,
        "required": e.required, "fired": e.fired, "evidence": evidence(e),
    })
}

/// A rule's evidence as an object: metric path -> value.
pub fn evidence(e: &RuleEval) -> Value {
    let map: Map<String, Value> = e
        .evidence
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default()))
        .collect();
    Value::Object(map)
}

/// Who acted, for the audit log: the login name, or `unknown`.
pub fn operator() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn extend(record: &mut Value, extra: Value) {
    if let (Some(r), Value::Object(extra)) = (record.as_object_mut(), extra) {
        r.extend(extra);
    }
}
