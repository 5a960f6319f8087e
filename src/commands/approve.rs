//! `driftmend approve ID`: runs a queued action now, under the same
//! guardrails and through the same executor as `run` (durable start,
//! outcome, escalations), audited with who and why.

use std::time::Duration;

use anyhow::{bail, Result};
use serde_json::json;

use crate::actions::context::RunContext;
use crate::actions::Status;
use crate::engine::{context, trail, Executor, Job, Render, Session, Trail};
use crate::exit::ExitStatus;
use crate::policy::decide::{self, Decision, RunFacts, Verdict};
use crate::settings::StateSettings;

pub fn approve(
    s: StateSettings,
    id: &str,
    reason: Option<String>,
    lock_timeout: Duration,
) -> Result<ExitStatus> {
    let Some(mut session) = Session::open_settled(&s.state_dir, &s.policy, lock_timeout, s.now)?
    else {
        return Ok(ExitStatus::Locked);
    };
    let p = session.take_pending(id, s.now)?;
    let policy = &s.policy;
    let facts = RunFacts {
        now: s.now,
        run_id: &p.run_id,
        quality_errors: p.quality_errors,
    };
    if let Err((guardrail, why)) = decide::check(policy, &session.state, &p.action, facts) {
        // Still wanted, not allowed yet: it stays queued.
        session.state.pending.push(p.clone());
        session.audit(trail::approval_record(
            s.now,
            &policy.name,
            &p,
            "blocked",
            json!({ "guardrail": guardrail, "reason": why, "by": trail::operator() }),
        ))?;
        session.save()?;
        eprintln!("error: `{}` is blocked by a guardrail: {why}\nhint: it stays queued; approve it again later", p.action);
        return Ok(ExitStatus::Failure);
    }
    if !policy.actions.contains_key(&p.action) {
        bail!(
            "action `{}` is no longer defined in the policy; drop it with `{}`",
            p.action,
            crate::engine::request_text::shell_command(&[
                "driftmend",
                "reject",
                id,
                "--policy",
                &s.policy_file.to_string_lossy(),
            ])
        );
    }
    let stored = RunContext::new(s.now, s.base_dir.clone()).with_values(p.context.clone());
    let values = |d: &Decision| context::approved(&stored, d);
    let executor = Executor {
        policy,
        base_dir: &s.base_dir,
        run_id: &p.run_id,
        now: s.now,
        quality_errors: p.quality_errors,
        dry_run: false,
        audit: true,
        evals: &[],
        context: &values,
    };
    let job = Job {
        decision: Decision {
            rule: p.rule.clone(),
            action: p.action.clone(),
            escalation_of: None,
            idempotency_key: decide::idempotency_key(&policy.name, &p.run_id, &p.rule, &p.action),
            verdict: Verdict::Run,
        },
        render: Render::Spec,
        trail: Trail::Approval {
            pending: Box::new(p.clone()),
            by: trail::operator(),
            reason,
        },
    };
    // One that no longer renders (a secret gone) stays queued: fix, retry.
    executor.render(&job).map_err(anyhow::Error::msg)?;
    // An approved run counts against the rate limit like any other.
    session.state.window.push(s.now);
    let handled = executor.handle(&mut session, vec![job])?;
    session.save()?;
    let mut status = ExitStatus::Success;
    for (i, h) in handled.iter().enumerate() {
        let Some(outcome) = &h.outcome else { continue };
        if i == 0 {
            crate::printer::stdout_line(format!("{}: `{}` {}", p.id, p.action, outcome.message))?;
            if outcome.status != Status::Succeeded {
                status = ExitStatus::ActionFailed;
            }
        } else {
            eprintln!("escalated to `{}`: {}", h.decision.action, outcome.message);
        }
    }
    Ok(status)
}
