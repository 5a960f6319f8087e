//! Replays one policy on the history through the real engine: for each
//! partition, oldest first, the same cycle `driftmend run --now <its time>`
//! goes through (`engine::cycle`: rules, `for:` streaks, guardrails,
//! escalations, healthy-run resolves, expiring approvals), handled by the
//! one executor with outcomes assumed (`Execution::Assumed`) on a scratch
//! session: nothing runs, nothing is sent, nothing is saved.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::timeline::{run_line, totals, RunLine, Timeline};
use crate::actions::{mlflow, Status};
use crate::engine::context::{logs_to_mlflow, RunValues};
use crate::engine::{cycle, Execution, Executor, Session};
use crate::policy::decide::{self, Decision};
use crate::policy::diagnosis::diagnose;
use crate::policy::Policy;
use crate::report::Report;

/// `--fail ACTION[@TIME]`: the runs of `action` (at `at`, or every one)
/// are assumed to fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailSpec {
    pub action: String,
    pub at: Option<DateTime<Utc>>,
}

/// One scheduled run's input: its time, its partition and its report (or
/// why there is none: the run fails, as a real one would, and decides
/// nothing).
pub struct RunInput<'a> {
    pub at: DateTime<Utc>,
    pub partition: String,
    pub report: Result<&'a Report, String>,
}

/// Replays `policy` on `runs` (oldest first).
pub fn replay(
    policy: &Policy,
    base_dir: &Path,
    runs: &[RunInput<'_>],
    fail: &[FailSpec],
) -> Result<Timeline> {
    let mut session = Session::scratch(policy);
    let mut lines: Vec<RunLine> = Vec::with_capacity(runs.len());
    for run in runs {
        let now = run.at;
        let run_id = cycle::run_id(&policy.name, now);
        session.expire(now, false)?;
        let report = match &run.report {
            Ok(report) => *report,
            Err(e) => {
                lines.push(RunLine {
                    at: decide::stamp(now),
                    partition: run.partition.clone(),
                    run_id,
                    incident: None,
                    drift_share: None,
                    fired: Vec::new(),
                    actions: Vec::new(),
                    error: Some(e.clone()),
                });
                continue;
            }
        };
        let diagnosis = diagnose(report);
        let plan = cycle::plan(policy, &mut session.state, report, &diagnosis, &run_id, now);
        let values = RunValues {
            policy,
            base_dir,
            run_id: &run_id,
            now,
            dry_run: false,
            report,
            diagnosis: &diagnosis,
            digest: logs_to_mlflow(policy)
                .then(|| mlflow::digest(report, diagnosis.incident.name())),
        };
        let context = |d: &Decision| values.context(d);
        let executor = Executor {
            policy,
            base_dir,
            run_id: &run_id,
            now,
            quality_errors: report.quality.errors,
            dry_run: false,
            audit: false,
            evals: &plan.evals,
            context: &context,
        };
        let assume = |d: &Decision| assumed(fail, &d.action, now);
        let jobs = cycle::jobs(policy, &mut session.state, &diagnosis, &plan, &run_id);
        let handled = executor.handle_as(&mut session, jobs, Execution::Assumed(&assume))?;
        cycle::remember(&mut session.state, &run_id, now, &diagnosis, report, false);
        lines.push(run_line(
            policy,
            now,
            &run.partition,
            &run_id,
            diagnosis.incident.name(),
            report.dataset_drift.share,
            &plan.evals,
            &handled,
        ));
    }
    let times: Vec<DateTime<Utc>> = runs.iter().map(|r| r.at).collect();
    Ok(Timeline {
        policy: policy.name.clone(),
        totals: totals(&lines, &times),
        runs: lines,
    })
}

/// The assumed outcome of `action` run at `now`.
pub fn assumed(fail: &[FailSpec], action: &str, now: DateTime<Utc>) -> Status {
    let fails = fail
        .iter()
        .any(|f| f.action == action && f.at.is_none_or(|at| at == now));
    if fails {
        Status::Failed
    } else {
        Status::Succeeded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_actions_fail_at_their_time_or_always() {
        let t = |d: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, d, 0, 0, 0).unwrap();
        let fail = [
            FailSpec {
                action: "retrain".into(),
                at: Some(t(3)),
            },
            FailSpec {
                action: "page".into(),
                at: None,
            },
        ];
        assert_eq!(assumed(&fail, "retrain", t(3)), Status::Failed);
        assert_eq!(assumed(&fail, "retrain", t(4)), Status::Succeeded);
        assert_eq!(assumed(&fail, "page", t(9)), Status::Failed);
        assert_eq!(assumed(&fail, "notify", t(3)), Status::Succeeded);
    }
}
