//! What a backtest found, as plain data: one line per replayed run, the
//! totals, and where two policies decided differently. PURE: built from
//! the engine's decisions; rendered by `render`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::actions::Status;
use crate::engine::Handled;
use crate::policy::decide::{self, Guardrail, RuleEval, Verdict};
use crate::policy::Policy;

/// One policy replayed on the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub policy: String,
    pub runs: Vec<RunLine>,
    pub totals: Totals,
}

/// One scheduled run, replayed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunLine {
    /// The partition's time, the run's `now` (RFC 3339).
    pub at: String,
    pub partition: String,
    pub run_id: String,
    /// `null` when the report could not be built (`error` says why).
    pub incident: Option<String>,
    pub drift_share: Option<f64>,
    /// The rules that fired.
    pub fired: Vec<String>,
    /// What became of each decided action, escalations included.
    pub actions: Vec<ActionLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What would have become of one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionLine {
    pub action: String,
    /// `exec`, `slack`, `pagerduty`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_of: Option<String>,
    pub outcome: Outcome,
    /// The guardrail that blocked it (for `observed`: would have).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail: Option<Guardrail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the engine did with an action, with outcomes assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Would have run (assumed to succeed).
    Ran,
    /// Would have run, and was assumed to fail (`--fail`).
    Failed,
    /// Would have waited for approval.
    Queued,
    /// Stopped by a guardrail.
    Blocked,
    /// `mode: observe`: only logged.
    Observed,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ran => "ran",
            Outcome::Failed => "failed",
            Outcome::Queued => "queued",
            Outcome::Blocked => "blocked",
            Outcome::Observed => "observed",
        }
    }
}

/// Counts over the whole history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub runs: usize,
    /// Runs whose report could not be built.
    pub errors: usize,
    /// Runs where at least one rule fired.
    pub alerts: usize,
    /// Per action type, then outcome.
    pub actions: BTreeMap<String, BTreeMap<Outcome, usize>>,
    /// PagerDuty events that would have been sent to open incidents (healthy
    /// runs' resolves not counted).
    pub pages: usize,
    /// `pages` over the history's span in weeks (first to last run, plus one
    /// run interval).
    pub pages_per_week: f64,
    pub weeks: f64,
}

/// The line of one run from the engine's plan and handled decisions.
#[allow(clippy::too_many_arguments)]
pub fn run_line(
    policy: &Policy,
    at: DateTime<Utc>,
    partition: &str,
    run_id: &str,
    incident: &str,
    drift_share: f64,
    evals: &[RuleEval],
    handled: &[Handled],
) -> RunLine {
    RunLine {
        at: decide::stamp(at),
        partition: partition.to_string(),
        run_id: run_id.to_string(),
        incident: Some(incident.to_string()),
        drift_share: Some(drift_share),
        fired: evals
            .iter()
            .filter(|e| e.fired)
            .map(|e| e.rule.clone())
            .collect(),
        actions: handled.iter().map(|h| action_line(policy, h)).collect(),
        error: None,
    }
}

fn action_line(policy: &Policy, h: &Handled) -> ActionLine {
    let d = &h.decision;
    let (outcome, guardrail, reason) = match &d.verdict {
        Verdict::Run => match &h.outcome {
            Some(o) if o.status != Status::Succeeded => (Outcome::Failed, None, None),
            _ => (Outcome::Ran, None, None),
        },
        Verdict::Queue => (Outcome::Queued, None, None),
        Verdict::Blocked { guardrail, reason } => {
            (Outcome::Blocked, Some(*guardrail), Some(reason.clone()))
        }
        Verdict::Observe { would } => match would.as_ref() {
            Verdict::Blocked { guardrail, reason } => {
                (Outcome::Observed, Some(*guardrail), Some(reason.clone()))
            }
            _ => (Outcome::Observed, None, None),
        },
    };
    ActionLine {
        action: d.action.clone(),
        kind: policy
            .actions
            .get(&d.action)
            .map_or("unknown", |a| a.kind.type_name())
            .to_string(),
        rule: d.rule.clone(),
        escalation_of: d.escalation_of.clone(),
        outcome,
        guardrail,
        reason,
    }
}

/// Totals of `runs` (oldest first).
pub fn totals(runs: &[RunLine], times: &[DateTime<Utc>]) -> Totals {
    let mut actions: BTreeMap<String, BTreeMap<Outcome, usize>> = BTreeMap::new();
    let mut pages = 0;
    for a in runs.iter().flat_map(|r| &r.actions) {
        *actions
            .entry(a.kind.clone())
            .or_default()
            .entry(a.outcome)
            .or_default() += 1;
        if a.kind == "pagerduty"
            && matches!(a.outcome, Outcome::Ran | Outcome::Failed)
            && a.rule != decide::HEALTHY
        {
            pages += 1;
        }
    }
    let weeks = span_weeks(times);
    Totals {
        runs: runs.len(),
        errors: runs.iter().filter(|r| r.error.is_some()).count(),
        alerts: runs.iter().filter(|r| !r.fired.is_empty()).count(),
        actions,
        pages,
        pages_per_week: if weeks > 0.0 {
            pages as f64 / weeks
        } else {
            0.0
        },
        weeks,
    }
}

/// First to last run plus the median interval between runs (30 daily runs
/// span 30 days), in weeks; one run counts as one day.
fn span_weeks(times: &[DateTime<Utc>]) -> f64 {
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        return 0.0;
    };
    let mut gaps: Vec<i64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).num_seconds())
        .collect();
    gaps.sort_unstable();
    let step = gaps.get(gaps.len() / 2).copied().unwrap_or(86_400).max(1);
    ((*last - *first).num_seconds() + step) as f64 / (7.0 * 86_400.0)
}

/// A run where two policies decided differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub at: String,
    pub partition: String,
    /// `action: outcome` of each policy, in decision order.
    pub policy: Vec<String>,
    pub against: Vec<String>,
}

/// The runs (matched by time) where the policies' decisions differ.
pub fn differences(a: &Timeline, b: &Timeline) -> Vec<Difference> {
    let summary = |r: &RunLine| -> Vec<String> {
        r.actions
            .iter()
            .map(|x| match x.guardrail {
                Some(g) => format!("{}: {} ({})", x.action, x.outcome.name(), guardrail_name(g)),
                None => format!("{}: {}", x.action, x.outcome.name()),
            })
            .collect()
    };
    let mut out = Vec::new();
    for ra in &a.runs {
        let rb = b
            .runs
            .iter()
            .find(|r| r.at == ra.at && r.partition == ra.partition);
        let (sa, sb) = (summary(ra), rb.map(summary).unwrap_or_default());
        if sa != sb {
            out.push(Difference {
                at: ra.at.clone(),
                partition: ra.partition.clone(),
                policy: sa,
                against: sb,
            });
        }
    }
    out
}

pub fn guardrail_name(g: Guardrail) -> &'static str {
    match g {
        Guardrail::Cooldown => "cooldown",
        Guardrail::RateLimit => "rate_limit",
        Guardrail::CircuitBreaker => "circuit_breaker",
        Guardrail::RollbackDepth => "rollback_depth",
        Guardrail::QualityGate => "quality_gate",
        Guardrail::Duplicate => "duplicate",
        Guardrail::OutcomeUnknown => "outcome_unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, day, 0, 0, 0).unwrap()
    }

    fn line(day: u32, actions: Vec<(&str, &str, Outcome)>) -> RunLine {
        RunLine {
            at: decide::stamp(at(day)),
            partition: format!("dt=2026-11-{day:02}"),
            run_id: format!("run-{day}"),
            incident: Some("healthy".into()),
            drift_share: Some(0.0),
            fired: if actions.is_empty() {
                vec![]
            } else {
                vec!["r".into()]
            },
            actions: actions
                .into_iter()
                .map(|(action, kind, outcome)| ActionLine {
                    action: action.into(),
                    kind: kind.into(),
                    rule: "r".into(),
                    escalation_of: None,
                    outcome,
                    guardrail: None,
                    reason: None,
                })
                .collect(),
            error: None,
        }
    }

    #[test]
    fn totals_count_alerts_actions_and_pages_per_week() {
        let runs: Vec<RunLine> = (1..=14)
            .map(|d| match d {
                3 | 10 => line(
                    d,
                    vec![
                        ("page", "pagerduty", Outcome::Ran),
                        ("fix", "exec", Outcome::Ran),
                    ],
                ),
                4 => line(d, vec![("fix", "exec", Outcome::Blocked)]),
                _ => line(d, vec![]),
            })
            .collect();
        let times: Vec<_> = (1..=14).map(at).collect();
        let t = totals(&runs, &times);
        assert_eq!((t.runs, t.alerts, t.pages, t.errors), (14, 3, 2, 0));
        assert_eq!(t.weeks, 2.0);
        assert_eq!(t.pages_per_week, 1.0);
        assert_eq!(t.actions["exec"][&Outcome::Ran], 2);
        assert_eq!(t.actions["exec"][&Outcome::Blocked], 1);
        assert_eq!(span_weeks(&[at(1)]), 1.0 / 7.0);
        assert_eq!(span_weeks(&[]), 0.0);
    }

    #[test]
    fn differences_are_the_runs_whose_decisions_differ() {
        let a = Timeline {
            policy: "a".into(),
            runs: vec![
                line(1, vec![]),
                line(2, vec![("fix", "exec", Outcome::Ran)]),
            ],
            totals: totals(&[], &[]),
        };
        let mut b = a.clone();
        b.runs[1].actions[0].outcome = Outcome::Queued;
        let d = differences(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].policy.clone(), d[0].against.clone()),
            (
                vec!["fix: ran".to_string()],
                vec!["fix: queued".to_string()]
            )
        );
        assert!(differences(&a, &a).is_empty());
    }
}
