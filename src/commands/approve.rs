//! The human-in-the-loop queue: `pending` lists queued actions, `approve`
//! runs one now (under the same guardrails as `run`), `reject` drops it.
//! Every step is audited.

use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Result};
use serde_json::json;

use super::policy_state::{approval_record, expire, record, Session};
use crate::actions::build::build;
use crate::actions::context::RunContext;
use crate::actions::Status;
use crate::cli::ListFormat;
use crate::exit::ExitStatus;
use crate::policy::decide::{self, Decision, RunFacts, Verdict};
use crate::policy::expr::Value;
use crate::policy::state::PendingApproval;
use crate::settings::StateSettings;

pub fn pending(s: StateSettings) -> Result<ExitStatus> {
    let Some(mut session) = Session::open(&s.state_dir, &s.policy, Duration::ZERO)? else {
        return Ok(ExitStatus::Locked);
    };
    let expired = expire(&mut session, s.now);
    audit_expired(&mut session, &s, &expired)?;
    if !expired.is_empty() {
        session.save()?;
    }
    let mut out = Vec::new();
    match s.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &session.state.pending)?;
            writeln!(out)?;
        }
        ListFormat::Table if session.state.pending.is_empty() => {
            writeln!(out, "No actions are waiting for approval.")?
        }
        ListFormat::Table => {
            for p in &session.state.pending {
                writeln!(
                    out,
                    "{}  action `{}` for rule `{}` (run {}), expires {}",
                    p.id,
                    p.action,
                    p.rule,
                    p.run_id,
                    decide::stamp(p.expires_at)
                )?;
                super::run::write_request(&mut out, &p.request, true, 4)?;
            }
        }
    }
    std::io::stdout().write_all(&out)?;
    Ok(ExitStatus::Success)
}

pub fn approve(
    s: StateSettings,
    id: &str,
    reason: Option<String>,
    lock_timeout: Duration,
) -> Result<ExitStatus> {
    let Some(mut session) = Session::open(&s.state_dir, &s.policy, lock_timeout)? else {
        return Ok(ExitStatus::Locked);
    };
    let p = take(&mut session, &s, id)?;
    let policy = &s.policy;
    let facts = RunFacts {
        now: s.now,
        run_id: &p.run_id,
        quality_errors: p.quality_errors,
    };
    if let Err((guardrail, why)) = decide::check(policy, &session.state, &p.action, facts) {
        // Still wanted, not allowed yet: it stays queued.
        session.state.pending.push(p.clone());
        session.audit(approval_record(
            s.now,
            &s.policy.name,
            &p,
            "blocked",
            json!({ "guardrail": guardrail, "reason": why, "by": who() }),
        ))?;
        session.save()?;
        eprintln!("error: `{}` is blocked by a guardrail: {why}\nhint: it stays queued; approve it again later", p.action);
        return Ok(ExitStatus::Failure);
    }
    let Some(spec) = policy.actions.get(&p.action) else {
        bail!(
            "action `{}` is no longer defined in the policy; `driftmend reject {id}`",
            p.action
        );
    };
    let ctx = RunContext::new(s.now, s.base_dir.clone()).with_values(p.context.clone());
    let (action, _) = build(spec, &ctx, &s.base_dir).map_err(anyhow::Error::msg)?;
    // An approved run counts against the rate limit like any other.
    session.state.window.push(s.now);
    decide::record_start(policy, &mut session.state, &p.action, s.now);
    let outcome = action.execute();
    decide::record(policy, &mut session.state, &p.action, outcome.status, s.now);
    super::run::remember_incident(&mut session.state, &p.action, &outcome);
    session.audit(approval_record(
        s.now,
        &s.policy.name,
        &p,
        "approved",
        json!({ "by": who(), "reason": reason, "request": action.describe(), "outcome": outcome }),
    ))?;
    if outcome.status != Status::Succeeded {
        escalate(&mut session, &s, &p, facts, &ctx)?;
    }
    session.save()?;
    println!("{}: `{}` {}", p.id, p.action, outcome.message);
    Ok(if outcome.status == Status::Succeeded {
        ExitStatus::Success
    } else {
        ExitStatus::ActionFailed
    })
}

pub fn reject(
    s: StateSettings,
    id: &str,
    reason: Option<String>,
    lock_timeout: Duration,
) -> Result<ExitStatus> {
    let Some(mut session) = Session::open(&s.state_dir, &s.policy, lock_timeout)? else {
        return Ok(ExitStatus::Locked);
    };
    let p = take(&mut session, &s, id)?;
    session.audit(approval_record(
        s.now,
        &s.policy.name,
        &p,
        "rejected",
        json!({ "by": who(), "reason": reason }),
    ))?;
    session.save()?;
    println!("{}: rejected `{}`", p.id, p.action);
    Ok(ExitStatus::Success)
}

/// `driftmend ack ACTION --succeeded|--failed`: a person says what became
/// of an action whose outcome was unknown; the policy may run it again.
pub fn ack(
    s: StateSettings,
    action: &str,
    succeeded: bool,
    reason: Option<String>,
    lock_timeout: Duration,
) -> Result<ExitStatus> {
    if !s.policy.actions.contains_key(action) {
        let names: Vec<&str> = s.policy.actions.keys().map(String::as_str).collect();
        bail!(
            "the policy has no action `{action}`; its actions: {}",
            names.join(", ")
        );
    }
    let Some(mut session) = Session::open(&s.state_dir, &s.policy, lock_timeout)? else {
        return Ok(ExitStatus::Locked);
    };
    let last = session
        .state
        .actions
        .get(action)
        .and_then(|a| a.last_status.clone());
    if last.as_deref() != Some("unknown") {
        bail!(
            "`{action}` has no unknown outcome to confirm (its last status: {})",
            last.as_deref().unwrap_or("never ran")
        );
    }
    let status = if succeeded {
        Status::Succeeded
    } else {
        Status::Failed
    };
    decide::record(&s.policy, &mut session.state, action, status, s.now);
    session.audit(record(
        "ack",
        s.now,
        &s.policy.name,
        "",
        false,
        json!({ "action": action, "result": status, "by": who(), "reason": reason }),
    ))?;
    session.save()?;
    println!(
        "`{action}`: recorded as {}",
        if succeeded { "succeeded" } else { "failed" }
    );
    Ok(ExitStatus::Success)
}

/// A failed approved action escalates as it would in `run`.
fn escalate(
    session: &mut Session,
    s: &StateSettings,
    p: &PendingApproval,
    facts: RunFacts<'_>,
    ctx: &RunContext,
) -> Result<()> {
    let failed = Decision {
        rule: p.rule.clone(),
        action: p.action.clone(),
        escalation_of: None,
        verdict: Verdict::Run,
        idempotency_key: decide::idempotency_key(&s.policy.name, &p.run_id, &p.rule, &p.action),
    };
    for e in decide::escalate(&s.policy, &session.state, &failed, facts) {
        // The escalation is its own action: its name and idempotency key
        // (PagerDuty's dedup key, an Airflow run id) are its own, as in `run`.
        let mut ctx = ctx.clone();
        ctx.set("action.name", Value::Text(e.action.clone()));
        ctx.set(
            "action.idempotency_key",
            Value::Text(e.idempotency_key.clone()),
        );
        let built = s
            .policy
            .actions
            .get(&e.action)
            .ok_or_else(|| format!("action `{}` is not defined", e.action))
            .and_then(|spec| build(spec, &ctx, &s.base_dir));
        let (request, outcome) = match (&e.verdict, built) {
            (Verdict::Run, Ok((action, _))) => {
                decide::record_start(&s.policy, &mut session.state, &e.action, s.now);
                let outcome = action.execute();
                decide::record(
                    &s.policy,
                    &mut session.state,
                    &e.action,
                    outcome.status,
                    s.now,
                );
                super::run::remember_incident(&mut session.state, &e.action, &outcome);
                (action.describe(), Some(outcome))
            }
            (_, Ok((action, _))) => (action.describe(), None),
            (_, Err(err)) => (json!({ "error": err }), None),
        };
        let mut extra = serde_json::to_value(&e)?;
        if let Some(obj) = extra.as_object_mut() {
            obj.insert("request".into(), request);
            obj.insert("outcome".into(), serde_json::to_value(&outcome)?);
        }
        let kind = if outcome.is_some() {
            "action"
        } else {
            "decision"
        };
        session.audit(record(kind, s.now, &s.policy.name, &p.run_id, false, extra))?;
        if let Some(o) = outcome {
            eprintln!("escalated to `{}`: {}", e.action, o.message);
        }
    }
    Ok(())
}

/// Removes approval `id` from the queue (after expiring old ones).
fn take(session: &mut Session, s: &StateSettings, id: &str) -> Result<PendingApproval> {
    let expired = expire(session, s.now);
    audit_expired(session, s, &expired)?;
    if let Some(p) = expired.iter().find(|p| p.id == id) {
        session.save()?;
        bail!(
            "approval `{id}` expired at {}; the next run decides again",
            decide::stamp(p.expires_at)
        );
    }
    match session.state.pending.iter().position(|p| p.id == id) {
        Some(i) => Ok(session.state.pending.remove(i)),
        None => {
            let known: Vec<&str> = session
                .state
                .pending
                .iter()
                .map(|p| p.id.as_str())
                .collect();
            bail!(
                "no pending approval `{id}`{}",
                if known.is_empty() {
                    " (the queue is empty)".to_string()
                } else {
                    format!("; pending: {}", known.join(", "))
                }
            )
        }
    }
}

fn audit_expired(
    session: &mut Session,
    s: &StateSettings,
    expired: &[PendingApproval],
) -> Result<()> {
    for p in expired {
        session.audit(approval_record(
            s.now,
            &s.policy.name,
            p,
            "expired",
            json!({ "expired_at": decide::stamp(p.expires_at) }),
        ))?;
    }
    Ok(())
}

/// Who acted, for the audit log.
pub(crate) fn who() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_string())
}
