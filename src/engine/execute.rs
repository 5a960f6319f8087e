//! The one executor: every decided action goes through [`Executor::handle`],
//! whether a rule, `every_run`, an escalation, a healthy run's PagerDuty
//! resolve or `driftmend approve` decided it. For each:
//!
//! 1. render the action (templates, secrets) into a request;
//! 2. by its verdict: run it, queue it for approval, or only record it;
//! 3. to run it: record the start in the state and save it (fsync'd), append
//!    a `start` record, *then* execute, so a run killed mid-action leaves a
//!    start with no outcome, which the next run settles as unknown;
//! 4. record the outcome (cooldown, breaker, open incidents), audit it, save;
//! 5. a failure or a guardrail block queues the policy's escalations, which
//!    go through the same steps.
//!
//! A dry run renders and records decisions but runs, queues and saves
//! nothing.

use std::collections::VecDeque;
use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::session::Session;
use super::trail;
use crate::actions::build::build;
use crate::actions::context::RunContext;
use crate::actions::{Action, Outcome, Status};
use crate::policy::decide::{self, Decision, RuleEval, RunFacts, Verdict};
use crate::policy::model::{ActionKind, ServiceSpec};
use crate::policy::state::{InFlight, PendingApproval};
use crate::policy::Policy;

/// One decision and, when it ran, its outcome: what the run summary shows
/// and the audit log keeps.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Handled {
    #[serde(flatten)]
    pub decision: Decision,
    /// The request as it runs (or would), secrets redacted.
    pub request: Value,
    pub outcome: Option<Outcome>,
    /// Set when the decision was queued.
    pub approval_id: Option<String>,
}

/// How a job's action is rendered.
#[derive(Debug, Clone)]
pub enum Render {
    /// From the policy's definition of the action.
    Spec,
    /// The PagerDuty resolve event for incident `key` of the action. Not
    /// tracked: no cooldown, no breaker, and re-sending it is harmless.
    Resolve { key: String },
}

/// How a handled job is written to the audit log.
#[derive(Debug, Clone)]
pub enum Trail {
    /// An `action` record if it ran, else a `decision` record.
    Decision,
    /// An `approval` record (`result: approved`) carrying the outcome.
    Approval {
        pending: Box<PendingApproval>,
        by: String,
        reason: Option<String>,
    },
}

/// A decision to handle.
#[derive(Debug, Clone)]
pub struct Job {
    pub decision: Decision,
    pub render: Render,
    pub trail: Trail,
}

impl Job {
    /// A decision of the policy's own, audited as such.
    pub fn decided(decision: Decision) -> Job {
        Job {
            decision,
            render: Render::Spec,
            trail: Trail::Decision,
        }
    }
}

/// How [`Executor::handle_as`] executes the actions that run.
#[derive(Clone, Copy)]
pub enum Execution<'a> {
    /// For real.
    Real,
    /// Not at all: each outcome is the one this gives (`backtest`).
    Assumed(&'a dyn Fn(&Decision) -> Status),
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Succeeded => "success",
        Status::Failed => "failure",
        Status::Unknown => "unknown outcome",
    }
}

/// Runs, queues and records decisions under one policy session.
pub struct Executor<'a> {
    pub policy: &'a Policy,
    /// The policy file's directory (relative `cwd`, secret files).
    pub base_dir: &'a Path,
    /// The run the decisions belong to (for an approval, the run that
    /// queued it).
    pub run_id: &'a str,
    pub now: DateTime<Utc>,
    /// Quality errors of the deciding run (the quality gate).
    pub quality_errors: usize,
    pub dry_run: bool,
    /// Whether to write the audit log (`run --no-audit` doesn't).
    pub audit: bool,
    /// This run's rule evaluations: a decision's audit record carries the
    /// evidence of its rule.
    pub evals: &'a [RuleEval],
    /// The template values an action of this decision sees.
    pub context: &'a dyn Fn(&Decision) -> RunContext,
}

impl Executor<'_> {
    /// Handles `jobs` in order, then the escalations they cause, and
    /// returns what became of each.
    pub fn handle(&self, session: &mut Session, jobs: Vec<Job>) -> Result<Vec<Handled>> {
        self.handle_as(session, jobs, Execution::Real)
    }

    /// [`Executor::handle`], executing as `execution` says: for real, or
    /// (`backtest`) with assumed outcomes, recorded as real ones would be.
    pub fn handle_as(
        &self,
        session: &mut Session,
        jobs: Vec<Job>,
        execution: Execution<'_>,
    ) -> Result<Vec<Handled>> {
        let mut queue: VecDeque<Job> = jobs.into();
        let mut handled = Vec::new();
        while let Some(job) = queue.pop_front() {
            let (h, escalations) = self.handle_one(session, job, execution)?;
            queue.extend(escalations.into_iter().map(Job::decided));
            handled.push(h);
        }
        Ok(handled)
    }

    /// Renders `job`'s action without running it (`approve` checks that an
    /// approved action still renders before taking it off the queue).
    pub fn render(&self, job: &Job) -> Result<Box<dyn Action>, String> {
        let ctx = (self.context)(&job.decision);
        self.build(&job.decision, &job.render, &ctx)
    }

    fn facts(&self) -> RunFacts<'_> {
        RunFacts {
            now: self.now,
            run_id: self.run_id,
            quality_errors: self.quality_errors,
        }
    }

    fn handle_one(
        &self,
        session: &mut Session,
        job: Job,
        execution: Execution<'_>,
    ) -> Result<(Handled, Vec<Decision>)> {
        let Job {
            decision,
            render,
            trail,
        } = job;
        let ctx = (self.context)(&decision);
        let built = self.build(&decision, &render, &ctx);
        let mut h = Handled {
            decision,
            request: match &built {
                Ok(action) => action.describe(),
                Err(e) => json!({ "error": e }),
            },
            outcome: None,
            approval_id: None,
        };
        let tracked = matches!(render, Render::Spec);
        let mut escalate = false;
        match (&h.decision.verdict, built) {
            (Verdict::Run, _) if self.dry_run => {}
            (Verdict::Run, built) if matches!(execution, Execution::Assumed(_)) => {
                // Nothing runs: the outcome is assumed, and recorded (start,
                // cooldown, breaker) exactly as a real one.
                if tracked {
                    self.start(session, &h)?;
                }
                let status = match execution {
                    Execution::Assumed(outcome) => outcome(&h.decision),
                    Execution::Real => Status::Succeeded,
                };
                let outcome = Outcome {
                    status,
                    message: format!("assumed {} (backtest)", status_name(status)),
                    // An assumed PagerDuty trigger opens its incident, so a
                    // later healthy run resolves it as a real one would.
                    detail: built.map_or(Value::Null, |a| a.facts()),
                    duration_ms: 0,
                };
                self.finish(session, &h.decision, &render, &outcome);
                escalate = tracked && status != Status::Succeeded;
                h.outcome = Some(outcome);
            }
            (Verdict::Run, Ok(action)) => {
                if tracked {
                    self.start(session, &h)?;
                }
                super::crash_point("before-execute");
                let outcome = action.execute();
                super::crash_point("after-execute");
                self.finish(session, &h.decision, &render, &outcome);
                escalate = tracked && outcome.status != Status::Succeeded;
                h.outcome = Some(outcome);
            }
            (Verdict::Run, Err(message)) => {
                // Could not even render it (a missing secret): a failure the
                // operator must see, and escalated like one.
                let outcome = Outcome {
                    status: Status::Failed,
                    message,
                    detail: Value::Null,
                    duration_ms: 0,
                };
                self.finish(session, &h.decision, &render, &outcome);
                escalate = tracked;
                h.outcome = Some(outcome);
            }
            (Verdict::Queue, _) if !self.dry_run => {
                h.approval_id = Some(self.enqueue(session, &h, &ctx));
            }
            (Verdict::Blocked { .. }, _) => escalate = true,
            _ => {}
        }
        self.audit(session, &h, &trail)?;
        super::crash_point("after-outcome-audit");
        if !self.dry_run && (h.outcome.is_some() || h.approval_id.is_some()) {
            session.save()?;
        }
        super::crash_point("after-outcome-save");
        let escalations = if escalate {
            decide::escalate(self.policy, &session.state, &h.decision, self.facts())
        } else {
            Vec::new()
        };
        Ok((h, escalations))
    }

    fn build(
        &self,
        d: &Decision,
        render: &Render,
        ctx: &RunContext,
    ) -> Result<Box<dyn Action>, String> {
        let spec = self
            .policy
            .actions
            .get(&d.action)
            .ok_or_else(|| format!("action `{}` is not defined", d.action))?;
        match (render, &spec.kind) {
            (Render::Spec, _) => build(spec, ctx, self.base_dir).map(|(a, _)| a),
            (Render::Resolve { key }, ActionKind::Service(ServiceSpec::Pagerduty(pagerduty))) => {
                crate::actions::service::build_resolve(spec, pagerduty, ctx, key).map(|(a, _)| a)
            }
            (Render::Resolve { .. }, _) => Err(format!(
                "action `{}` is not a PagerDuty action: nothing to resolve",
                d.action
            )),
        }
    }

    /// The durable start: the state (cooldown, rollback depth, in flight)
    /// is saved before the `start` record is appended, and both before the
    /// action runs. Killed between the two, the next run still sees the
    /// start.
    fn start(&self, session: &mut Session, h: &Handled) -> Result<()> {
        let d = &h.decision;
        let started = InFlight {
            since: self.now,
            run_id: self.run_id.to_string(),
            idempotency_key: d.idempotency_key.clone(),
        };
        decide::record_start(self.policy, &mut session.state, &d.action, started);
        super::crash_point("before-start-save");
        session.save()?;
        super::crash_point("after-start-save");
        if !self.audit {
            return Ok(());
        }
        session.audit(trail::record(
            "start",
            self.now,
            &self.policy.name,
            self.run_id,
            false,
            json!({
                "rule": d.rule,
                "action": d.action,
                "escalation_of": d.escalation_of,
                "idempotency_key": d.idempotency_key,
                "request": h.request,
            }),
        ))
    }

    /// Records an outcome in the state (saved by the caller).
    fn finish(&self, session: &mut Session, d: &Decision, render: &Render, outcome: &Outcome) {
        let state = &mut session.state;
        match render {
            Render::Spec => {
                decide::record(self.policy, state, &d.action, outcome.status, self.now);
                decide::remember_incident(state, &d.action, outcome);
            }
            Render::Resolve { key } if outcome.status == Status::Succeeded => {
                if let Some(st) = state.actions.get_mut(&d.action) {
                    st.open_incidents.retain(|k| k != key);
                }
            }
            Render::Resolve { .. } => {}
        }
    }

    fn enqueue(&self, session: &mut Session, h: &Handled, ctx: &RunContext) -> String {
        let d = &h.decision;
        let expiry = decide::chrono_duration(self.policy.guardrails.approval_expiry);
        session.state.enqueue(PendingApproval {
            id: String::new(),
            rule: d.rule.clone(),
            action: d.action.clone(),
            run_id: self.run_id.to_string(),
            created_at: self.now,
            expires_at: self.now + expiry,
            quality_errors: self.quality_errors,
            context: super::context::queued(self.policy, &d.action, ctx),
            request: h.request.clone(),
        })
    }

    fn audit(&self, session: &mut Session, h: &Handled, trail: &Trail) -> Result<()> {
        if !self.audit {
            return Ok(());
        }
        let record = match trail {
            Trail::Decision => {
                let kind = if h.outcome.is_some() {
                    "action"
                } else {
                    "decision"
                };
                let evidence = self
                    .evals
                    .iter()
                    .find(|e| e.rule == h.decision.rule)
                    .map(trail::evidence)
                    .unwrap_or_else(|| json!({}));
                let mut extra = serde_json::to_value(h)?;
                if let Some(obj) = extra.as_object_mut() {
                    obj.insert("evidence".to_string(), evidence);
                }
                trail::record(
                    kind,
                    self.now,
                    &self.policy.name,
                    self.run_id,
                    self.dry_run,
                    extra,
                )
            }
            Trail::Approval {
                pending,
                by,
                reason,
            } => trail::approval_record(
                self.now,
                &self.policy.name,
                pending,
                "approved",
                json!({ "by": by, "reason": reason, "request": h.request, "outcome": h.outcome }),
            ),
        };
        session.audit(record)
    }
}
