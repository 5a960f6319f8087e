//! Turns a run's metrics into decisions under the guardrails: which rules
//! hold (and for how many consecutive runs), which actions each fired rule
//! asks for, and what happens to each (run, queue for approval, observe
//! only, or blocked by a guardrail, which escalates). Pure: the report,
//! the previous state and the time go in; decisions and the new state come
//! out. Executing actions and saving state is the `run` command's job.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde::Serialize;

use super::expr::{MetricPath, Value};
use super::model::{Mode, Policy, Purpose};
use super::state::{ActionState, PolicyState};

/// A rule's evaluation in this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleEval {
    pub rule: String,
    /// `None` when the expression could not be evaluated (`error` says why).
    pub holds: Option<bool>,
    pub error: Option<String>,
    /// Consecutive runs `when` has held, this one included.
    pub consecutive: u32,
    pub required: u32,
    pub fired: bool,
    /// The value of every metric path the rule reads.
    pub evidence: Vec<(String, Value)>,
}

/// The guardrail that stopped a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Guardrail {
    Cooldown,
    RateLimit,
    CircuitBreaker,
    RollbackDepth,
    QualityGate,
    /// Another rule already asked for this action in this run.
    Duplicate,
}

/// What happens to one decided action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Runs now (`mode: auto`).
    Run,
    /// Waits for `driftmend approve` (`mode: approve` or `require_approval`).
    Queue,
    /// `mode: observe`: logged, nothing runs; `would` is what auto mode would
    /// have done.
    Observe { would: Box<Verdict> },
    Blocked {
        guardrail: Guardrail,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub rule: String,
    pub action: String,
    /// Set for escalations: the action whose block or failure triggered it.
    pub escalation_of: Option<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Stable per run, rule and action: lets a service recognise a repeat.
    pub idempotency_key: String,
}

/// Evaluates every rule and updates its consecutive counter in `state`.
pub fn evaluate_rules(
    policy: &Policy,
    state: &mut PolicyState,
    lookup: &dyn Fn(&MetricPath) -> Value,
) -> Vec<RuleEval> {
    policy
        .rules
        .iter()
        .map(|rule| {
            let evidence: Vec<(String, Value)> = rule
                .when
                .paths()
                .into_iter()
                .map(|p| (p.dotted(), lookup(p)))
                .collect();
            let (holds, error) = match rule.when.eval(lookup) {
                Ok(h) => (Some(h), None),
                Err(e) => (None, Some(e.message)),
            };
            let rs = state.rules.entry(rule.name.clone()).or_default();
            rs.consecutive = if holds == Some(true) {
                rs.consecutive.saturating_add(1)
            } else {
                0
            };
            let fired = rs.consecutive >= rule.for_runs;
            RuleEval {
                rule: rule.name.clone(),
                holds,
                error,
                consecutive: rs.consecutive,
                required: rule.for_runs,
                fired,
                evidence,
            }
        })
        .collect()
}

/// Facts about the run the guardrails need.
#[derive(Debug, Clone, Copy)]
pub struct RunFacts<'a> {
    pub now: DateTime<Utc>,
    pub run_id: &'a str,
    pub quality_errors: usize,
}

/// Plans the actions of the fired rules. Each action is decided once per
/// run; a planned run counts against the rate limit at once, so later
/// decisions in the same run see it. Marks fired rules in `state`.
pub fn plan(
    policy: &Policy,
    state: &mut PolicyState,
    evals: &[RuleEval],
    facts: RunFacts<'_>,
) -> Vec<Decision> {
    let mut decisions: Vec<Decision> = Vec::new();
    for eval in evals.iter().filter(|e| e.fired) {
        if let Some(rs) = state.rules.get_mut(&eval.rule) {
            rs.last_fired = Some(facts.now);
        }
        let Some(rule) = policy.rules.iter().find(|r| r.name == eval.rule) else {
            continue;
        };
        for action in &rule.actions {
            let verdict = if decisions
                .iter()
                .any(|d| &d.action == action && d.escalation_of.is_none())
            {
                Verdict::Blocked {
                    guardrail: Guardrail::Duplicate,
                    reason: format!("`{action}` was already decided in this run by another rule"),
                }
            } else {
                let auto = match check(policy, state, action, facts) {
                    Ok(()) => Verdict::Run,
                    Err((guardrail, reason)) => Verdict::Blocked { guardrail, reason },
                };
                let wants_approval = policy
                    .actions
                    .get(action)
                    .is_some_and(|a| a.require_approval);
                match (policy.guardrails.mode, auto) {
                    (Mode::Observe, would) => Verdict::Observe {
                        would: Box::new(would),
                    },
                    (_, blocked @ Verdict::Blocked { .. }) => blocked,
                    (Mode::Approve, _) => Verdict::Queue,
                    (Mode::Auto, _) if wants_approval => Verdict::Queue,
                    (Mode::Auto, run) => run,
                }
            };
            if verdict == Verdict::Run {
                // Counts against the rate limit for the rest of this run.
                state.window.push(facts.now);
            }
            decisions.push(Decision {
                rule: rule.name.clone(),
                action: action.clone(),
                escalation_of: None,
                idempotency_key: idempotency_key(&policy.name, facts.run_id, &rule.name, action),
                verdict,
            });
        }
    }
    decisions
}

/// The escalation decisions for a blocked decision or a failed action. They
/// bypass cooldown and rate limit (an escalation must get through) but not
/// an open circuit breaker or observe mode, and never escalate themselves.
pub fn escalate(
    policy: &Policy,
    state: &PolicyState,
    of: &Decision,
    facts: RunFacts<'_>,
) -> Vec<Decision> {
    let duplicate = matches!(
        of.verdict,
        Verdict::Blocked {
            guardrail: Guardrail::Duplicate,
            ..
        }
    );
    if policy.guardrails.mode == Mode::Observe || of.escalation_of.is_some() || duplicate {
        return Vec::new();
    }
    let rule = policy.rules.iter().find(|r| r.name == of.rule);
    let targets = match rule {
        Some(r) if !r.escalate.is_empty() => &r.escalate,
        _ => &policy.guardrails.escalate,
    };
    targets
        .iter()
        .filter(|a| **a != of.action)
        .map(|action| {
            let verdict = match breaker(policy, state.actions.get(action), facts.now) {
                Err(reason) => Verdict::Blocked {
                    guardrail: Guardrail::CircuitBreaker,
                    reason,
                },
                Ok(()) => Verdict::Run,
            };
            Decision {
                rule: of.rule.clone(),
                action: action.clone(),
                escalation_of: Some(of.action.clone()),
                idempotency_key: idempotency_key(
                    &policy.name,
                    facts.run_id,
                    &of.rule,
                    &format!("{action}<-{}", of.action),
                ),
                verdict,
            }
        })
        .collect()
}

/// Every guardrail for running `action` now.
pub fn check(
    policy: &Policy,
    state: &PolicyState,
    action: &str,
    facts: RunFacts<'_>,
) -> Result<(), (Guardrail, String)> {
    let g = &policy.guardrails;
    let spec = policy.actions.get(action);
    let purpose = spec.map(|a| a.purpose).unwrap_or(Purpose::Other);
    let st = state.actions.get(action);
    if g.quality_gate && purpose == Purpose::Retrain && facts.quality_errors > 0 {
        return Err((
            Guardrail::QualityGate,
            format!(
                "the current data has {} quality {}; retraining on it would teach the model bad data",
                facts.quality_errors,
                if facts.quality_errors == 1 { "error" } else { "errors" }
            ),
        ));
    }
    breaker(policy, st, facts.now).map_err(|r| (Guardrail::CircuitBreaker, r))?;
    if let (Some(last), false) = (st.and_then(|s| s.last_run), g.cooldown.is_zero()) {
        let until = last + chrono_duration(g.cooldown);
        if facts.now < until {
            return Err((
                Guardrail::Cooldown,
                format!(
                    "cooldown: `{action}` last ran at {}; next allowed at {}",
                    stamp(last),
                    stamp(until)
                ),
            ));
        }
    }
    if let Some(limit) = g.max_actions {
        let since = facts.now - chrono_duration(limit.per);
        let used = state.window.iter().filter(|t| **t > since).count();
        if used >= limit.count as usize {
            return Err((
                Guardrail::RateLimit,
                format!(
                    "rate limit: {used} actions ran in the last {} (max {})",
                    super::duration::format(limit.per),
                    limit.count
                ),
            ));
        }
    }
    if let (Purpose::Rollback, Some(max)) = (purpose, spec.and_then(|a| a.max_rollback_depth)) {
        let depth = st.map(|s| s.rollback_depth).unwrap_or(0);
        if depth >= max {
            return Err((
                Guardrail::RollbackDepth,
                format!("`{action}` already rolled back {depth} times without a healthy run in between (max {max})"),
            ));
        }
    }
    Ok(())
}

/// The circuit breaker: open for `open_for` after `failures` consecutive
/// failures; once that has passed it is half-open and lets one trial through
/// (whose outcome closes or re-opens it, see `record`).
fn breaker(policy: &Policy, st: Option<&ActionState>, now: DateTime<Utc>) -> Result<(), String> {
    let (Some(cb), Some(st)) = (policy.guardrails.circuit_breaker, st) else {
        return Ok(());
    };
    match st.breaker_opened_at {
        Some(opened) if now < opened + chrono_duration(cb.open_for) => Err(format!(
            "circuit breaker open after {} consecutive failures (since {}; half-open at {})",
            st.consecutive_failures,
            stamp(opened),
            stamp(opened + chrono_duration(cb.open_for))
        )),
        _ => Ok(()),
    }
}

/// Records that `action` started at `now` (cooldown, rollback depth).
pub fn record_start(policy: &Policy, state: &mut PolicyState, action: &str, now: DateTime<Utc>) {
    let purpose = policy.actions.get(action).map(|a| a.purpose);
    let st = state.actions.entry(action.to_string()).or_default();
    st.last_run = Some(now);
    if purpose == Some(Purpose::Rollback) {
        st.rollback_depth += 1;
    }
}

/// Records an action's outcome: failures count toward the breaker, a
/// success closes it. `Unknown` (sent, outcome unknown) counts as neither.
pub fn record(
    policy: &Policy,
    state: &mut PolicyState,
    action: &str,
    status: crate::actions::Status,
    now: DateTime<Utc>,
) {
    use crate::actions::Status;
    let st = state.actions.entry(action.to_string()).or_default();
    st.last_status = Some(
        match status {
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
        }
        .to_string(),
    );
    match status {
        Status::Succeeded => {
            st.consecutive_failures = 0;
            st.breaker_opened_at = None;
        }
        Status::Failed => {
            st.consecutive_failures += 1;
            let half_open = st.breaker_opened_at.is_some();
            if let Some(cb) = policy.guardrails.circuit_breaker {
                // A failed trial re-opens at once; otherwise open on reaching
                // the threshold.
                if half_open || st.consecutive_failures >= cb.failures {
                    st.breaker_opened_at = Some(now);
                }
            }
        }
        Status::Unknown => {}
    }
}

/// A healthy run ends any rollback streak.
pub fn record_healthy(state: &mut PolicyState) {
    for st in state.actions.values_mut() {
        st.rollback_depth = 0;
    }
}

/// Drops window entries older than the rate-limit window.
pub fn prune_window(policy: &Policy, state: &mut PolicyState, now: DateTime<Utc>) {
    match policy.guardrails.max_actions {
        Some(limit) => {
            let since = now - chrono_duration(limit.per);
            state.window.retain(|t| *t > since);
        }
        None => state.window.clear(),
    }
}

/// `fraud-model:run-...:retrain-on-drift:retrain`, hashed to 32 hex chars.
pub fn idempotency_key(policy: &str, run_id: &str, rule: &str, action: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{policy}\0{run_id}\0{rule}\0{action}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

pub fn chrono_duration(d: std::time::Duration) -> ChronoDuration {
    ChronoDuration::from_std(d).unwrap_or(ChronoDuration::MAX)
}

pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
