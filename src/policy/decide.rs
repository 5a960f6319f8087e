//! Turns a run's metrics into decisions under the guardrails: which rules
//! hold (and for how many consecutive runs), which actions each fired rule
//! asks for, and what happens to each (run, queue for approval, observe
//! only, or blocked by a guardrail, which escalates). Pure: the report,
//! the previous state and the time go in; decisions and the new state come
//! out. Executing actions and saving state is the `run` command's job.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde::Serialize;

use super::expr::{MetricPath, Value};
use super::model::{ActionKind, Mode, Policy, Purpose, ServiceSpec};
use super::state::{ActionState, InFlight, PolicyState};

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
    /// The action's last run was sent but never answered: running it again
    /// could do it twice, so a person confirms first (`driftmend ack`).
    OutcomeUnknown,
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
/// With `columns` (the run's column names), a rule that names a column the
/// data does not have is an error, not a condition that silently never
/// holds (a typo like `column.incme.score`).
pub fn evaluate_rules(
    policy: &Policy,
    state: &mut PolicyState,
    lookup: &dyn Fn(&MetricPath) -> Value,
    columns: Option<&[String]>,
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
            let unknown = columns.and_then(|cols| {
                rule.when
                    .paths()
                    .into_iter()
                    .find_map(|p| super::metric_paths::check(&p.segments, Some(cols)).err())
            });
            let (holds, error) = match (unknown, rule.when.eval(lookup)) {
                (Some(problem), _) => (None, Some(problem)),
                (None, Ok(h)) => (Some(h), None),
                (None, Err(e)) => (None, Some(e.message)),
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

/// A run's plan: every rule evaluated, and what to do about it.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub evals: Vec<RuleEval>,
    /// The fired rules' actions, then the `every_run` actions no rule
    /// already decided (an action runs at most once per run).
    pub decisions: Vec<Decision>,
}

/// Plans one scheduled run: drops rate-limit entries older than the window,
/// evaluates the rules (updating their streaks in `state`), decides their
/// actions under the guardrails, then adds the `every_run` actions.
pub fn plan_run(
    policy: &Policy,
    state: &mut PolicyState,
    lookup: &dyn Fn(&MetricPath) -> Value,
    columns: Option<&[String]>,
    facts: RunFacts<'_>,
) -> RunPlan {
    prune_window(policy, state, facts.now);
    let evals = evaluate_rules(policy, state, lookup, columns);
    let mut decisions = plan(policy, state, &evals, facts);
    let every: Vec<Decision> = every_run(policy, state, facts)
        .into_iter()
        .filter(|e| !decisions.iter().any(|d| d.action == e.action))
        .collect();
    decisions.extend(every);
    RunPlan { evals, decisions }
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
                let wants_approval = policy
                    .actions
                    .get(action)
                    .is_some_and(|a| a.require_approval);
                // What auto mode would do: observe mode reports it as `would`.
                let auto = match check(policy, state, action, facts) {
                    Ok(()) if wants_approval => Verdict::Queue,
                    Ok(()) => Verdict::Run,
                    Err((guardrail, reason)) => Verdict::Blocked { guardrail, reason },
                };
                match (policy.guardrails.mode, auto) {
                    (Mode::Observe, would) => Verdict::Observe {
                        would: Box::new(would),
                    },
                    (Mode::Approve, Verdict::Run) => Verdict::Queue,
                    (_, verdict) => verdict,
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

/// The policy's `every_run` actions as decisions: they run each time
/// (rule `every_run`), outside cooldown and rate limit, held only by observe
/// mode, an open circuit breaker and an unsettled unknown outcome.
pub fn every_run(policy: &Policy, state: &PolicyState, facts: RunFacts<'_>) -> Vec<Decision> {
    policy
        .every_run
        .iter()
        .map(|action| {
            let st = state.actions.get(action);
            let auto = match breaker(policy, st, facts.now) {
                Err(reason) => Verdict::Blocked {
                    guardrail: Guardrail::CircuitBreaker,
                    reason,
                },
                Ok(()) => match unsettled(action, st) {
                    Err((guardrail, reason)) => Verdict::Blocked { guardrail, reason },
                    Ok(()) => Verdict::Run,
                },
            };
            let verdict = match policy.guardrails.mode {
                Mode::Observe => Verdict::Observe {
                    would: Box::new(auto),
                },
                _ => auto,
            };
            Decision {
                rule: EVERY_RUN.to_string(),
                action: action.clone(),
                escalation_of: None,
                idempotency_key: idempotency_key(&policy.name, facts.run_id, EVERY_RUN, action),
                verdict,
            }
        })
        .collect()
}

/// An action whose last run was sent but never answered waits for a
/// person (`driftmend ack`): running it again could do it twice.
fn unsettled(action: &str, st: Option<&ActionState>) -> Result<(), (Guardrail, String)> {
    match st.filter(|s| s.last_status.as_deref() == Some("unknown")) {
        None => Ok(()),
        Some(st) => {
            let at = st.last_run.map(stamp).unwrap_or_default();
            Err((
                Guardrail::OutcomeUnknown,
                format!(
                    "the outcome of the last run of `{action}` (at {at}) is unknown (no answer, or the run was stopped while it ran), so it may have taken effect; check, then `driftmend ack {action} --succeeded` or `--failed`"
                ),
            ))
        }
    }
}

/// The rule name of `every_run` decisions.
pub const EVERY_RUN: &str = "every_run";

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
    unsettled(action, st)?;
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

/// Records that `action` starts now (`started.since`): the cooldown and
/// rollback depth count from here, and the action is in flight until
/// [`record`] sets its outcome. The caller saves this *before* the action
/// runs, so a run killed meanwhile leaves the start behind.
pub fn record_start(policy: &Policy, state: &mut PolicyState, action: &str, started: InFlight) {
    let purpose = policy.actions.get(action).map(|a| a.purpose);
    let st = state.actions.entry(action.to_string()).or_default();
    st.last_run = Some(started.since);
    st.in_flight = Some(started);
    if purpose == Some(Purpose::Rollback) {
        st.rollback_depth += 1;
    }
}

/// Settles the actions a killed run left in flight: their outcome is
/// unknown (the outcome-unknown guardrail then holds them until `driftmend
/// ack`). Returns them, for the audit log.
pub fn settle_interrupted(state: &mut PolicyState) -> Vec<(String, InFlight)> {
    let mut settled = Vec::new();
    for (name, st) in &mut state.actions {
        if let Some(started) = st.in_flight.take() {
            st.last_status = Some("unknown".to_string());
            settled.push((name.clone(), started));
        }
    }
    settled
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
    st.in_flight = None;
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

/// A PagerDuty trigger that went through leaves an incident for the next
/// healthy run to resolve. Also when the trigger got no answer in the end:
/// it may have opened an incident, and resolving a key PagerDuty doesn't
/// know is harmless.
pub fn remember_incident(state: &mut PolicyState, action: &str, outcome: &crate::actions::Outcome) {
    use crate::actions::Status;
    let delivered = match outcome.status {
        Status::Succeeded | Status::Unknown => true,
        // No HTTP answer: lost (or never sent; resolving then is harmless).
        Status::Failed => {
            outcome.detail.get("status").is_none() && outcome.detail.get("error").is_some()
        }
    };
    if !delivered || outcome.detail["event_action"] != "trigger" {
        return;
    }
    if let (Some(key), Some(st)) = (
        outcome.detail["dedup_key"].as_str(),
        state.actions.get_mut(action),
    ) {
        if !st.open_incidents.iter().any(|k| k == key) {
            st.open_incidents.push(key.to_string());
        }
    }
}

/// The PagerDuty resolve events a healthy run sends: one per incident a
/// PagerDuty action opened, as `(decision, dedup_key)`. An action with
/// `resolve: false` forgets its incidents instead (closed by hand or by
/// PagerDuty's auto-resolve).
pub fn resolutions(
    policy: &Policy,
    state: &mut PolicyState,
    run_id: &str,
) -> Vec<(Decision, String)> {
    let mut out = Vec::new();
    for (name, spec) in &policy.actions {
        let ActionKind::Service(ServiceSpec::Pagerduty(pagerduty)) = &spec.kind else {
            continue;
        };
        let Some(st) = state.actions.get_mut(name) else {
            continue;
        };
        if !pagerduty.resolve {
            st.open_incidents.clear();
            continue;
        }
        for key in &st.open_incidents {
            let decision = Decision {
                rule: HEALTHY.to_string(),
                action: name.clone(),
                escalation_of: None,
                idempotency_key: idempotency_key(&policy.name, run_id, HEALTHY, name),
                verdict: Verdict::Run,
            };
            out.push((decision, key.clone()));
        }
    }
    out
}

/// The rule name of a healthy run's resolve decisions.
pub const HEALTHY: &str = "healthy";

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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;

    use super::*;
    use crate::actions::Status;
    use crate::policy::state::RuleState;

    /// Lines 1-3 of every policy below.
    const HEAD: &str = "version: 1\nname: p\ndata: {reference: r.csv, current: c.csv}\n";

    fn policy(body: &str) -> Policy {
        let text = format!("{HEAD}{body}");
        crate::policy::load("t.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}\n{text}"))
    }

    /// 2026-11-22T00:00:00Z plus `minutes`.
    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap() + ChronoDuration::minutes(minutes)
    }

    const H: i64 = 60;

    fn started(since: DateTime<Utc>) -> InFlight {
        InFlight {
            since,
            run_id: "run-1".into(),
            idempotency_key: "k".into(),
        }
    }

    /// A fake report: each rule below reads `column.<rule>.drift_detected`,
    /// so a rule holds when its name is in `on`. Anything else is null.
    fn switches(on: &[&str]) -> BTreeMap<String, Value> {
        on.iter()
            .map(|r| (format!("column.{r}.drift_detected"), Value::Bool(true)))
            .collect()
    }

    fn lookup(values: &BTreeMap<String, Value>) -> impl Fn(&MetricPath) -> Value + '_ {
        move |p: &MetricPath| values.get(&p.dotted()).cloned().unwrap_or(Value::Null)
    }

    fn facts(now: DateTime<Utc>, quality_errors: usize) -> RunFacts<'static> {
        RunFacts {
            now,
            run_id: "run-1",
            quality_errors,
        }
    }

    /// One scheduled run as `driftmend run` does it, up to the decisions.
    fn decide_run(
        policy: &Policy,
        state: &mut PolicyState,
        values: &BTreeMap<String, Value>,
        now: DateTime<Utc>,
        quality_errors: usize,
    ) -> (Vec<RuleEval>, Vec<Decision>) {
        prune_window(policy, state, now);
        let evals = evaluate_rules(policy, state, &lookup(values), None);
        let decisions = plan(policy, state, &evals, facts(now, quality_errors));
        (evals, decisions)
    }

    /// `(action, verdict)` of each decision, for compact assertions.
    fn verdicts(decisions: &[Decision]) -> Vec<(String, Verdict)> {
        decisions
            .iter()
            .map(|d| (d.action.clone(), d.verdict.clone()))
            .collect()
    }

    fn guardrail(v: &Verdict) -> Option<Guardrail> {
        match v {
            Verdict::Blocked { guardrail, .. } => Some(*guardrail),
            Verdict::Observe { would } => guardrail(would),
            _ => None,
        }
    }

    fn reason(v: &Verdict) -> &str {
        match v {
            Verdict::Blocked { reason, .. } => reason,
            Verdict::Observe { would } => reason(would),
            _ => "",
        }
    }

    fn one_rule(guardrails: &str, for_runs: u32) -> Policy {
        policy(&format!(
            "guardrails: {guardrails}
rules:
  - name: r
    when: column.r.drift_detected
    for: {for_runs}
    actions: [retrain]
actions:
  retrain: {{type: exec, command: [x]}}
  notify: {{type: exec, command: [x]}}
"
        ))
    }

    #[test]
    fn consecutive_counter_fires_at_for_and_resets_when_the_condition_stops() {
        // (for, whether `when` holds in each run, expected (consecutive, fired) per run)
        type Case<'a> = (u32, &'a [bool], &'a [(u32, bool)]);
        let cases: &[Case] = &[
            (1, &[true, false, true], &[(1, true), (0, false), (1, true)]),
            (
                2,
                &[true, true, true, false, true, true],
                &[
                    (1, false),
                    (2, true),
                    (3, true),
                    (0, false),
                    (1, false),
                    (2, true),
                ],
            ),
            (
                3,
                &[true, true, false, true],
                &[(1, false), (2, false), (0, false), (1, false)],
            ),
        ];
        for (for_runs, holds, expected) in cases {
            let p = one_rule("{mode: auto}", *for_runs);
            let mut state = PolicyState::new("p");
            let mut got = Vec::new();
            for (i, h) in holds.iter().enumerate() {
                let now = at(i as i64 * H);
                let values = if *h { switches(&["r"]) } else { switches(&[]) };
                let (evals, decisions) = decide_run(&p, &mut state, &values, now, 0);
                let e = &evals[0];
                assert_eq!(e.holds, Some(*h));
                assert_eq!(e.required, *for_runs);
                assert_eq!(e.consecutive, state.rules["r"].consecutive);
                // Only a fired rule decides anything, and it is remembered.
                assert_eq!(decisions.is_empty(), !e.fired, "run {i}");
                if e.fired {
                    assert_eq!(state.rules["r"].last_fired, Some(now));
                }
                got.push((e.consecutive, e.fired));
            }
            assert_eq!(&got, expected, "for: {for_runs}, holds: {holds:?}");
        }
    }

    #[test]
    fn evaluation_errors_count_as_not_holding_and_carry_the_error() {
        let p = policy(
            "rules:
  - name: r
    when: \"dataset.drift_share >= 0.3\"
    for: 2
    actions: [notify]
actions:
  notify: {type: exec, command: [x]}
",
        );
        let mut state = PolicyState::new("p");
        state.rules.insert(
            "r".into(),
            RuleState {
                consecutive: 1,
                last_fired: None,
            },
        );
        let text = BTreeMap::from([(
            "dataset.drift_share".to_string(),
            Value::Text("high".into()),
        )]);
        let evals = evaluate_rules(&p, &mut state, &lookup(&text), None);
        let e = &evals[0];
        assert_eq!(e.holds, None);
        let error = e.error.as_deref().expect("an error");
        assert!(error.contains("`>=` cannot compare a string"), "{error}");
        assert_eq!((e.consecutive, e.fired), (0, false));
        assert_eq!(state.rules["r"].consecutive, 0);
        assert_eq!(
            e.evidence,
            [(
                "dataset.drift_share".to_string(),
                Value::Text("high".into())
            )]
        );

        // A metric the run does not have is null: not an error, not holding.
        let evals = evaluate_rules(&p, &mut state, &lookup(&BTreeMap::new()), None);
        assert_eq!(
            (evals[0].holds, evals[0].error.as_deref()),
            (Some(false), None)
        );
        assert_eq!(
            evals[0].evidence,
            [("dataset.drift_share".to_string(), Value::Null)]
        );
    }

    #[test]
    fn a_rule_naming_a_column_the_data_lacks_is_an_error_not_silence() {
        let p = policy(
            "rules:
  - {name: r, when: \"column.incme.drift_detected or dataset.drift_detected\", actions: [notify]}
actions:
  notify: {type: exec, command: [x]}
",
        );
        let mut state = PolicyState::new("p");
        let values = BTreeMap::from([("dataset.drift_detected".to_string(), Value::Bool(true))]);
        let columns = ["income".to_string(), "age".to_string()];
        let evals = evaluate_rules(&p, &mut state, &lookup(&values), Some(&columns));
        assert_eq!(
            (evals[0].holds, evals[0].error.as_deref(), evals[0].fired),
            (
                None,
                Some("unknown column `incme` in `column.incme.drift_detected` (did you mean `income`?)"),
                false
            )
        );
        // Without the data's columns (validation without data), it holds.
        let evals = evaluate_rules(&p, &mut state, &lookup(&values), None);
        assert_eq!(evals[0].holds, Some(true));
    }

    #[test]
    fn verdicts_follow_the_mode_and_require_approval() {
        // (mode, require_approval, expected verdict when nothing blocks)
        let cases = [
            (
                "observe",
                false,
                Verdict::Observe {
                    would: Box::new(Verdict::Run),
                },
            ),
            ("approve", false, Verdict::Queue),
            ("approve", true, Verdict::Queue),
            ("auto", false, Verdict::Run),
            ("auto", true, Verdict::Queue),
        ];
        for (mode, approval, expected) in cases {
            let p = policy(&format!(
                "guardrails: {{mode: {mode}}}
rules:
  - {{name: r, when: column.r.drift_detected, actions: [retrain]}}
actions:
  retrain: {{type: exec, command: [x], require_approval: {approval}}}
"
            ));
            let mut state = PolicyState::new("p");
            let (_, decisions) = decide_run(&p, &mut state, &switches(&["r"]), at(0), 0);
            assert_eq!(
                verdicts(&decisions),
                [("retrain".to_string(), expected.clone())],
                "mode {mode}, require_approval {approval}"
            );
            // Only a run counts against the rate limit.
            assert_eq!(state.window.len(), usize::from(expected == Verdict::Run));
            let d = &decisions[0];
            assert_eq!((d.rule.as_str(), d.escalation_of.as_deref()), ("r", None));
        }
    }

    #[test]
    fn observe_mode_would_queue_an_action_that_requires_approval() {
        let p = policy(
            "guardrails: {mode: observe}
rules:
  - {name: r, when: column.r.drift_detected, actions: [retrain]}
actions:
  retrain: {type: exec, command: [x], require_approval: true}
",
        );
        let mut state = PolicyState::new("p");
        let (_, decisions) = decide_run(&p, &mut state, &switches(&["r"]), at(0), 0);
        assert_eq!(
            decisions[0].verdict,
            Verdict::Observe {
                would: Box::new(Verdict::Queue)
            }
        );
    }

    #[test]
    fn a_guardrail_blocks_in_every_mode_observe_only_reports_it() {
        for (mode, observed) in [("observe", true), ("approve", false), ("auto", false)] {
            let p = one_rule(&format!("{{mode: {mode}, cooldown: 6h}}"), 1);
            let mut state = PolicyState::new("p");
            record_start(&p, &mut state, "retrain", started(at(0)));
            let (_, decisions) = decide_run(&p, &mut state, &switches(&["r"]), at(H), 0);
            let v = &decisions[0].verdict;
            assert_eq!(guardrail(v), Some(Guardrail::Cooldown), "{mode}: {v:?}");
            assert_eq!(matches!(v, Verdict::Observe { .. }), observed, "{mode}");
        }
    }

    #[test]
    fn cooldown_blocks_until_it_has_passed() {
        let p = one_rule("{mode: auto, cooldown: 6h}", 1);
        let mut state = PolicyState::new("p");
        // Never ran: no cooldown.
        assert_eq!(check(&p, &state, "retrain", facts(at(0), 0)), Ok(()));
        record_start(&p, &mut state, "retrain", started(at(0)));
        assert_eq!(state.actions["retrain"].last_run, Some(at(0)));
        // (minutes after the last run, allowed)
        for (minutes, allowed) in [
            (0, false),
            (H, false),
            (6 * H - 1, false),
            (6 * H, true),
            (7 * H, true),
        ] {
            let got = check(&p, &state, "retrain", facts(at(minutes), 0));
            assert_eq!(got.is_ok(), allowed, "{minutes} min: {got:?}");
            if let Err((g, reason)) = got {
                assert_eq!(g, Guardrail::Cooldown);
                assert_eq!(
                    reason,
                    "cooldown: `retrain` last ran at 2026-11-22T00:00:00Z; next allowed at 2026-11-22T06:00:00Z"
                );
            }
        }
        // Per action: another action is not held back.
        assert_eq!(check(&p, &state, "notify", facts(at(1), 0)), Ok(()));
        // Through `plan`: blocked, then allowed exactly at the boundary.
        let (_, d) = decide_run(&p, &mut state, &switches(&["r"]), at(6 * H - 1), 0);
        assert_eq!(guardrail(&d[0].verdict), Some(Guardrail::Cooldown));
        let (_, d) = decide_run(&p, &mut state, &switches(&["r"]), at(6 * H), 0);
        assert_eq!(d[0].verdict, Verdict::Run);

        // A zero cooldown never blocks.
        let p = one_rule("{mode: auto}", 1);
        let mut state = PolicyState::new("p");
        record_start(&p, &mut state, "retrain", started(at(0)));
        assert_eq!(check(&p, &state, "retrain", facts(at(0), 0)), Ok(()));
    }

    fn three_actions(guardrails: &str) -> Policy {
        policy(&format!(
            "guardrails: {guardrails}
rules:
  - {{name: r, when: column.r.drift_detected, actions: [a, b, c]}}
actions:
  a: {{type: exec, command: [x]}}
  b: {{type: exec, command: [x]}}
  c: {{type: exec, command: [x]}}
"
        ))
    }

    #[test]
    fn rate_limit_counts_every_action_within_a_run_and_across_runs() {
        let p = three_actions("{mode: auto, max_actions: {count: 2, per: 24h}}");
        let mut state = PolicyState::new("p");
        let on = switches(&["r"]);

        // Within one run: the third action sees the first two.
        let (_, d) = decide_run(&p, &mut state, &on, at(0), 0);
        let v = verdicts(&d);
        assert_eq!(
            (v[0].1.clone(), v[1].1.clone()),
            (Verdict::Run, Verdict::Run)
        );
        assert_eq!(guardrail(&v[2].1), Some(Guardrail::RateLimit));
        assert_eq!(
            reason(&v[2].1),
            "rate limit: 2 actions ran in the last 1d (max 2)"
        );
        assert_eq!(state.window, [at(0), at(0)]);

        // Across runs: still inside the window an hour later.
        let (_, d) = decide_run(&p, &mut state, &on, at(H), 0);
        assert!(
            d.iter()
                .all(|d| guardrail(&d.verdict) == Some(Guardrail::RateLimit)),
            "{d:#?}"
        );
        assert_eq!(state.window.len(), 2);

        // Exactly 24h later the old runs have left the window.
        let (_, d) = decide_run(&p, &mut state, &on, at(24 * H), 0);
        let v = verdicts(&d);
        assert_eq!(
            (v[0].1.clone(), v[1].1.clone()),
            (Verdict::Run, Verdict::Run)
        );
        assert_eq!(guardrail(&v[2].1), Some(Guardrail::RateLimit));
        assert_eq!(state.window, [at(24 * H), at(24 * H)]);
    }

    #[test]
    fn pruning_drops_times_outside_the_window() {
        let p = three_actions("{mode: auto, max_actions: {count: 5, per: 24h}}");
        let mut state = PolicyState::new("p");
        state.window = vec![at(-48 * H), at(-24 * H), at(-24 * H + 1), at(-H)];
        prune_window(&p, &mut state, at(0));
        assert_eq!(state.window, [at(-24 * H + 1), at(-H)]);
        // Without a rate limit nothing needs remembering.
        let p = three_actions("{mode: auto}");
        prune_window(&p, &mut state, at(0));
        assert!(state.window.is_empty());
    }

    #[test]
    fn circuit_breaker_opens_blocks_half_opens_and_closes() {
        let p = one_rule(
            "{mode: auto, circuit_breaker: {failures: 2, open_for: 1h}}",
            1,
        );
        let mut state = PolicyState::new("p");
        let allowed =
            |state: &PolicyState, minutes: i64| check(&p, state, "retrain", facts(at(minutes), 0));
        let breaker = |state: &PolicyState| {
            let st = &state.actions["retrain"];
            (st.consecutive_failures, st.breaker_opened_at)
        };

        // Closed: failures below the threshold don't block.
        assert_eq!(allowed(&state, 0), Ok(()));
        record(&p, &mut state, "retrain", Status::Failed, at(0));
        assert_eq!(breaker(&state), (1, None));
        assert_eq!(
            state.actions["retrain"].last_status.as_deref(),
            Some("failed")
        );
        // `Unknown` counts as neither failure nor success, but blocks the
        // next run until a person says what happened.
        record(&p, &mut state, "retrain", Status::Unknown, at(5));
        assert_eq!(breaker(&state), (1, None));
        assert_eq!(
            allowed(&state, 10).unwrap_err().0,
            Guardrail::OutcomeUnknown
        );
        state.actions.get_mut("retrain").unwrap().last_status = Some("failed".into());
        assert_eq!(allowed(&state, 10), Ok(()));
        // The Nth consecutive failure opens it.
        record(&p, &mut state, "retrain", Status::Failed, at(10));
        assert_eq!(breaker(&state), (2, Some(at(10))));

        // Open: blocked until open_for has passed.
        let (g, reason) = allowed(&state, 20).unwrap_err();
        assert_eq!(g, Guardrail::CircuitBreaker);
        assert_eq!(
            reason,
            "circuit breaker open after 2 consecutive failures (since 2026-11-22T00:10:00Z; half-open at 2026-11-22T01:10:00Z)"
        );
        assert_eq!(allowed(&state, H + 9).unwrap_err().1, "circuit breaker open after 2 consecutive failures (since 2026-11-22T00:10:00Z; half-open at 2026-11-22T01:10:00Z)");
        let (_, d) = decide_run(&p, &mut state, &switches(&["r"]), at(H + 9), 0);
        assert_eq!(guardrail(&d[0].verdict), Some(Guardrail::CircuitBreaker));

        // Half-open exactly at open_for: one trial goes through...
        let (_, d) = decide_run(&p, &mut state, &switches(&["r"]), at(H + 10), 0);
        assert_eq!(d[0].verdict, Verdict::Run);
        record_start(&p, &mut state, "retrain", started(at(H + 10)));
        // ...and its failure re-opens the breaker at once.
        record(&p, &mut state, "retrain", Status::Failed, at(H + 10));
        assert_eq!(breaker(&state), (3, Some(at(H + 10))));
        assert_eq!(allowed(&state, H + 11).unwrap_err().1, "circuit breaker open after 3 consecutive failures (since 2026-11-22T01:10:00Z; half-open at 2026-11-22T02:10:00Z)");
        assert_eq!(allowed(&state, 2 * H + 9).unwrap_err().1, "circuit breaker open after 3 consecutive failures (since 2026-11-22T01:10:00Z; half-open at 2026-11-22T02:10:00Z)");

        // The next trial succeeds: closed, counter reset.
        assert_eq!(allowed(&state, 2 * H + 10), Ok(()));
        record(&p, &mut state, "retrain", Status::Succeeded, at(2 * H + 10));
        assert_eq!(breaker(&state), (0, None));
        assert_eq!(
            state.actions["retrain"].last_status.as_deref(),
            Some("succeeded")
        );
        // One new failure does not re-open a closed breaker.
        record(&p, &mut state, "retrain", Status::Failed, at(2 * H + 20));
        assert_eq!(breaker(&state), (1, None));
        assert_eq!(allowed(&state, 2 * H + 21), Ok(()));

        // Without a circuit breaker, failures never block.
        let p = one_rule("{mode: auto}", 1);
        let mut state = PolicyState::new("p");
        for i in 0..10 {
            record(&p, &mut state, "retrain", Status::Failed, at(i));
        }
        assert_eq!(state.actions["retrain"].consecutive_failures, 10);
        assert_eq!(state.actions["retrain"].breaker_opened_at, None);
        assert_eq!(check(&p, &state, "retrain", facts(at(11), 0)), Ok(()));
    }

    #[test]
    fn rollback_depth_is_limited_until_a_healthy_run() {
        let p = policy(
            "guardrails: {mode: auto}
rules:
  - {name: r, when: column.r.drift_detected, actions: [rollback-model, notify]}
actions:
  rollback-model: {type: exec, command: [x], max_rollback_depth: 2}
  notify: {type: exec, command: [x]}
",
        );
        let mut state = PolicyState::new("p");
        for i in 0..2 {
            assert_eq!(check(&p, &state, "rollback-model", facts(at(i), 0)), Ok(()));
            record_start(&p, &mut state, "rollback-model", started(at(i)));
            // Other purposes don't count.
            record_start(&p, &mut state, "notify", started(at(i)));
        }
        assert_eq!(state.actions["rollback-model"].rollback_depth, 2);
        assert_eq!(state.actions["notify"].rollback_depth, 0);
        let (g, reason) = check(&p, &state, "rollback-model", facts(at(5), 0)).unwrap_err();
        assert_eq!(g, Guardrail::RollbackDepth);
        assert_eq!(
            reason,
            "`rollback-model` already rolled back 2 times without a healthy run in between (max 2)"
        );
        assert_eq!(check(&p, &state, "notify", facts(at(5), 0)), Ok(()));

        record_healthy(&mut state);
        assert_eq!(state.actions["rollback-model"].rollback_depth, 0);
        assert_eq!(check(&p, &state, "rollback-model", facts(at(6), 0)), Ok(()));
    }

    #[test]
    fn quality_gate_blocks_only_retrain_actions() {
        let body = |gate: bool| {
            format!(
                "guardrails: {{mode: auto, quality_gate: {gate}}}
rules:
  - {{name: r, when: column.r.drift_detected, actions: [retrain-model, refresh, notify, cleanup]}}
actions:
  retrain-model: {{type: exec, command: [x]}}
  refresh: {{type: exec, command: [x], purpose: retrain}}
  notify: {{type: exec, command: [x]}}
  cleanup: {{type: exec, command: [x]}}
"
            )
        };
        // (quality_gate, quality errors, expected guardrail per action)
        let gated = Some(Guardrail::QualityGate);
        let cases = [
            (true, 0, [None, None, None, None]),
            (true, 1, [gated, gated, None, None]),
            (true, 3, [gated, gated, None, None]),
            (false, 3, [None, None, None, None]),
        ];
        for (gate, errors, expected) in cases {
            let p = policy(&body(gate));
            let mut state = PolicyState::new("p");
            let (_, d) = decide_run(&p, &mut state, &switches(&["r"]), at(0), errors);
            let got: Vec<Option<Guardrail>> = d.iter().map(|d| guardrail(&d.verdict)).collect();
            assert_eq!(got, expected, "gate {gate}, {errors} errors: {d:#?}");
        }
        let p = policy(&body(true));
        let (_, reason) =
            check(&p, &PolicyState::new("p"), "refresh", facts(at(0), 1)).unwrap_err();
        assert_eq!(
            reason,
            "the current data has 1 quality error; retraining on it would teach the model bad data"
        );
        let (_, reason) =
            check(&p, &PolicyState::new("p"), "refresh", facts(at(0), 2)).unwrap_err();
        assert!(
            reason.starts_with("the current data has 2 quality errors;"),
            "{reason}"
        );
    }

    fn escalating(mode: &str) -> Policy {
        policy(&format!(
            "guardrails:
  mode: {mode}
  cooldown: 6h
  max_actions: {{count: 1, per: 24h}}
  circuit_breaker: {{failures: 1, open_for: 1h}}
  escalate: [notify, retrain]
rules:
  - {{name: own, when: column.own.drift_detected, actions: [retrain], escalate: [page]}}
  - {{name: shared, when: column.shared.drift_detected, actions: [retrain]}}
actions:
  retrain: {{type: exec, command: [x]}}
  notify: {{type: exec, command: [x]}}
  page: {{type: exec, command: [x]}}
"
        ))
    }

    fn blocked(rule: &str, action: &str, guardrail: Guardrail) -> Decision {
        Decision {
            rule: rule.into(),
            action: action.into(),
            escalation_of: None,
            verdict: Verdict::Blocked {
                guardrail,
                reason: "test".into(),
            },
            idempotency_key: "k".into(),
        }
    }

    fn targets(decisions: &[Decision]) -> Vec<(&str, &str, Option<&str>, &Verdict)> {
        decisions
            .iter()
            .map(|d| {
                (
                    d.rule.as_str(),
                    d.action.as_str(),
                    d.escalation_of.as_deref(),
                    &d.verdict,
                )
            })
            .collect()
    }

    #[test]
    fn escalation_runs_the_rule_list_else_the_guardrails_list() {
        let p = escalating("auto");
        let state = PolicyState::new("p");
        let f = facts(at(0), 0);
        let own = escalate(
            &p,
            &state,
            &blocked("own", "retrain", Guardrail::Cooldown),
            f,
        );
        assert_eq!(
            targets(&own),
            [("own", "page", Some("retrain"), &Verdict::Run)]
        );
        // The guardrails list, without the blocked action itself.
        let shared = escalate(
            &p,
            &state,
            &blocked("shared", "retrain", Guardrail::Cooldown),
            f,
        );
        assert_eq!(
            targets(&shared),
            [("shared", "notify", Some("retrain"), &Verdict::Run)]
        );
        // A failed action escalates the same way as a blocked one.
        let mut ran = blocked("shared", "retrain", Guardrail::Cooldown);
        ran.verdict = Verdict::Run;
        assert_eq!(targets(&escalate(&p, &state, &ran, f)), targets(&shared));
        // Approve mode does not queue escalations: they must get through.
        let p = escalating("approve");
        let got = escalate(
            &p,
            &state,
            &blocked("shared", "retrain", Guardrail::RateLimit),
            f,
        );
        assert_eq!(targets(&got), targets(&shared));
    }

    #[test]
    fn escalation_bypasses_cooldown_and_rate_limit_but_not_an_open_breaker() {
        let p = escalating("auto");
        let mut state = PolicyState::new("p");
        // notify ran a minute ago (cooldown) and the rate limit is used up.
        record_start(&p, &mut state, "notify", started(at(0)));
        record(&p, &mut state, "notify", Status::Succeeded, at(0));
        state.window.push(at(0));
        assert_eq!(
            check(&p, &state, "notify", facts(at(1), 0)).unwrap_err().1,
            "cooldown: `notify` last ran at 2026-11-22T00:00:00Z; next allowed at 2026-11-22T06:00:00Z"
        );
        let d = blocked("shared", "retrain", Guardrail::RateLimit);
        let got = escalate(&p, &state, &d, facts(at(1), 0));
        assert_eq!(got[0].verdict, Verdict::Run);

        // notify's breaker is open: the escalation is blocked by it.
        record(&p, &mut state, "notify", Status::Failed, at(2));
        let got = escalate(&p, &state, &d, facts(at(3), 0));
        assert_eq!(got.len(), 1);
        assert_eq!(guardrail(&got[0].verdict), Some(Guardrail::CircuitBreaker));
        assert_eq!(got[0].escalation_of.as_deref(), Some("retrain"));
        // Half-open after open_for: it goes through again.
        let got = escalate(&p, &state, &d, facts(at(2 + H), 0));
        assert_eq!(got[0].verdict, Verdict::Run);
    }

    #[test]
    fn no_escalation_in_observe_mode_for_duplicates_or_of_escalations() {
        let state = PolicyState::new("p");
        let f = facts(at(0), 0);
        let observe = escalating("observe");
        assert_eq!(
            escalate(
                &observe,
                &state,
                &blocked("shared", "retrain", Guardrail::Cooldown),
                f
            ),
            []
        );
        let p = escalating("auto");
        assert_eq!(
            escalate(
                &p,
                &state,
                &blocked("shared", "retrain", Guardrail::Duplicate),
                f
            ),
            []
        );
        let mut failed_escalation = blocked("shared", "notify", Guardrail::CircuitBreaker);
        failed_escalation.escalation_of = Some("retrain".into());
        assert_eq!(escalate(&p, &state, &failed_escalation, f), []);
        // Nothing to escalate to.
        let quiet = one_rule("{mode: auto}", 1);
        assert_eq!(
            escalate(
                &quiet,
                &state,
                &blocked("r", "retrain", Guardrail::Cooldown),
                f
            ),
            []
        );
    }

    #[test]
    fn an_action_two_rules_ask_for_is_decided_once() {
        let p = policy(
            "guardrails: {mode: auto, escalate: [notify], max_actions: {count: 5, per: 1d}}
rules:
  - {name: first, when: column.first.drift_detected, actions: [retrain]}
  - {name: second, when: column.second.drift_detected, actions: [retrain, notify]}
actions:
  retrain: {type: exec, command: [x]}
  notify: {type: exec, command: [x]}
",
        );
        let mut state = PolicyState::new("p");
        let (_, d) = decide_run(&p, &mut state, &switches(&["first", "second"]), at(0), 0);
        let got: Vec<(&str, &str, Option<Guardrail>)> = d
            .iter()
            .map(|d| (d.rule.as_str(), d.action.as_str(), guardrail(&d.verdict)))
            .collect();
        assert_eq!(
            got,
            [
                ("first", "retrain", None),
                ("second", "retrain", Some(Guardrail::Duplicate)),
                ("second", "notify", None),
            ]
        );
        assert_eq!(
            reason(&d[1].verdict),
            "`retrain` was already decided in this run by another rule"
        );
        // Counted once against the rate limit, and the duplicate is not
        // escalated.
        assert_eq!(state.window.len(), 2);
        assert_eq!(escalate(&p, &state, &d[1], facts(at(0), 0)), []);

        // With only the second rule firing, it decides `retrain` itself.
        let mut state = PolicyState::new("p");
        let (_, d) = decide_run(&p, &mut state, &switches(&["second"]), at(0), 0);
        assert_eq!(verdicts(&d)[0], ("retrain".to_string(), Verdict::Run));
    }

    #[test]
    fn idempotency_keys_are_stable_and_distinct() {
        let key = idempotency_key("p", "run-1", "r", "retrain");
        assert_eq!(key.len(), 32);
        assert!(key
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(key, idempotency_key("p", "run-1", "r", "retrain"));
        let others = [
            idempotency_key("q", "run-1", "r", "retrain"),
            idempotency_key("p", "run-2", "r", "retrain"),
            idempotency_key("p", "run-1", "s", "retrain"),
            idempotency_key("p", "run-1", "r", "notify"),
            // Fields are separated: moving a character across doesn't collide.
            idempotency_key("p", "run-1r", "", "retrain"),
            idempotency_key("p", "run-1", "rr", "etrain"),
        ];
        let mut all = vec![key.clone()];
        all.extend(others);
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "{all:#?}");

        // Decisions carry it: the same run decides the same keys, and an
        // escalation's key differs from its source's.
        let p = escalating("auto");
        let decide = || {
            let mut state = PolicyState::new("p");
            decide_run(&p, &mut state, &switches(&["own"]), at(0), 0).1
        };
        let (first, again) = (decide(), decide());
        assert_eq!(first[0].idempotency_key, again[0].idempotency_key);
        assert_eq!(
            first[0].idempotency_key,
            idempotency_key("p", "run-1", "own", "retrain")
        );
        let esc = escalate(&p, &PolicyState::new("p"), &first[0], facts(at(0), 0));
        assert_ne!(esc[0].idempotency_key, first[0].idempotency_key);
        assert_eq!(
            esc[0].idempotency_key,
            idempotency_key("p", "run-1", "own", "page<-retrain")
        );
    }

    #[test]
    fn every_run_ignores_cooldown_and_rate_limit_but_not_the_breaker_or_observe() {
        let body = |mode: &str| {
            format!(
                "guardrails: {{mode: {mode}, cooldown: 6h, max_actions: {{count: 1, per: 24h}}, circuit_breaker: {{failures: 2, open_for: 1h}}}}
rules:
  - {{name: a, when: \"column.a.drift_detected\", actions: [log]}}
every_run: [log]
actions:
  log: {{type: exec, command: [x]}}
"
            )
        };
        let p = policy(&body("auto"));
        let mut state = PolicyState::new("p");
        // It ran a minute ago and the rate limit is used up: still runs.
        record_start(&p, &mut state, "log", started(at(0)));
        record(&p, &mut state, "log", Status::Succeeded, at(0));
        state.window.push(at(0));
        let d = every_run(&p, &state, facts(at(1), 0));
        assert_eq!(verdicts(&d), vec![("log".to_string(), Verdict::Run)]);
        assert_eq!(d[0].rule, EVERY_RUN);
        assert_eq!(
            d[0].idempotency_key,
            idempotency_key("p", "run-1", EVERY_RUN, "log")
        );
        // Two failures open the breaker: held.
        record(&p, &mut state, "log", Status::Failed, at(2));
        record(&p, &mut state, "log", Status::Failed, at(3));
        let d = every_run(&p, &state, facts(at(4), 0));
        assert_eq!(guardrail(&d[0].verdict), Some(Guardrail::CircuitBreaker));
        // An unknown outcome waits for `ack`.
        let mut fresh = PolicyState::new("p");
        record(&p, &mut fresh, "log", Status::Unknown, at(0));
        let d = every_run(&p, &fresh, facts(at(1), 0));
        assert_eq!(guardrail(&d[0].verdict), Some(Guardrail::OutcomeUnknown));
        // Observe mode: what auto mode would do, nothing more.
        let p = policy(&body("observe"));
        let d = every_run(&p, &PolicyState::new("p"), facts(at(1), 0));
        assert_eq!(
            d[0].verdict,
            Verdict::Observe {
                would: Box::new(Verdict::Run)
            }
        );
    }
}
