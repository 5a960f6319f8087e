//! One scheduled run's cycle on a built report, shared by `run` and
//! `backtest` so both decide alike: plan the rules and guardrails (pure,
//! `policy::decide`), turn the plan into the executor's jobs (with a
//! healthy run's resolves), and remember the run.

use chrono::{DateTime, Utc};

use super::{Job, Render, Trail};
use crate::policy::decide::{self, RunFacts, RunPlan};
use crate::policy::diagnosis::{Diagnosis, Incident};
use crate::policy::metric_paths;
use crate::policy::model::Mode;
use crate::policy::state::{PolicyState, RunSummary};
use crate::policy::Policy;
use crate::report::Report;

/// Evaluates the rules against the report and decides under the
/// guardrails, updating streaks and windows in `state`.
pub fn plan(
    policy: &Policy,
    state: &mut PolicyState,
    report: &Report,
    diagnosis: &Diagnosis,
    run_id: &str,
    now: DateTime<Utc>,
) -> RunPlan {
    let lookup =
        |p: &crate::policy::expr::MetricPath| metric_paths::lookup(report, diagnosis, &p.segments);
    let facts = RunFacts {
        now,
        run_id,
        quality_errors: report.quality.errors,
    };
    // Columns a rule may name: those compared, and those that vanished.
    let columns: Vec<String> = report
        .columns
        .iter()
        .map(|c| c.name.clone())
        .chain(report.schema.missing_in_current.iter().cloned())
        .collect();
    decide::plan_run(policy, state, &lookup, Some(&columns), facts)
}

/// The executor's jobs: the plan's decisions, then, on a healthy run, the
/// PagerDuty resolves of the incidents earlier runs opened.
pub fn jobs(
    policy: &Policy,
    state: &mut PolicyState,
    diagnosis: &Diagnosis,
    plan: &RunPlan,
    run_id: &str,
) -> Vec<Job> {
    let mut jobs: Vec<Job> = plan.decisions.iter().cloned().map(Job::decided).collect();
    if diagnosis.incident == Incident::Healthy {
        decide::record_healthy(state);
        if policy.guardrails.mode != Mode::Observe {
            let resolves = decide::resolutions(policy, state, run_id);
            jobs.extend(resolves.into_iter().map(|(decision, key)| Job {
                decision,
                render: Render::Resolve { key },
                trail: Trail::Decision,
            }));
        }
    }
    jobs
}

/// Remembers the run (the history `run --html` charts).
pub fn remember(
    state: &mut PolicyState,
    run_id: &str,
    now: DateTime<Utc>,
    diagnosis: &Diagnosis,
    report: &Report,
    dry_run: bool,
) {
    state.record_run(RunSummary {
        id: run_id.to_string(),
        at: now,
        incident: diagnosis.incident.name().to_string(),
        drift_share: report.dataset_drift.share,
        drifted_columns: report.dataset_drift.drifted_columns,
        quality_errors: report.quality.errors,
        dry_run,
    });
}

/// `run-20261122T030000Z-1a2b3c`: sortable, and unique per policy and time.
pub fn run_id(policy: &str, now: DateTime<Utc>) -> String {
    let key = decide::idempotency_key(policy, &now.to_rfc3339(), "", "");
    format!("run-{}-{}", now.format("%Y%m%dT%H%M%SZ"), &key[..6])
}
