//! `driftmend run`: one scheduled step. Under the policy's lock: load the
//! state, build the report, diagnose it, evaluate the rules, decide under
//! the guardrails, run/queue/observe the actions, then save the state and
//! append the audit trail. `--dry-run` decides and prints but runs nothing
//! and saves no state.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::policy_state::{self, Session};
use crate::actions::context::RunContext;
use crate::actions::mlflow;
use crate::actions::{build::build, Outcome, Status};
use crate::cli::ListFormat;
use crate::exit::ExitStatus;
use crate::policy::decide::{self, Decision, RuleEval, RunFacts, Verdict};
use crate::policy::diagnosis::{diagnose, Diagnosis, Incident};
use crate::policy::expr::Value;
use crate::policy::metrics;
use crate::policy::model::{ActionKind, ActionSpec, Mode, Param, Service};
use crate::policy::state::{PendingApproval, PolicyState, RunSummary, KEPT_RUNS};
use crate::printer::Printer;
use crate::report::model::HistoryPoint;
use crate::report::render::prometheus::MetricLabels;
use crate::report::render::ReportFormat;
use crate::report::Report;
use crate::settings::RunSettings;

/// One decision and, when it ran, its outcome.
#[derive(Debug, Clone, serde::Serialize)]
struct Handled {
    #[serde(flatten)]
    decision: Decision,
    /// The request as it runs (or would), secrets redacted.
    request: serde_json::Value,
    outcome: Option<Outcome>,
    /// Set when the decision was queued.
    approval_id: Option<String>,
}

pub fn run(s: RunSettings, printer: &Printer) -> Result<ExitStatus> {
    let started = std::time::Instant::now();
    let Some(mut session) = Session::open(&s.state_dir, &s.policy, s.lock_timeout)? else {
        return Ok(ExitStatus::Locked);
    };
    let now = s.now;
    let run_id = run_id(&s.policy.name, now);
    let expired = policy_state::expire(&mut session, now);

    let report = match super::report::compute(&s.report, printer) {
        Ok(report) => report,
        Err(e) => {
            // A run that could not even build its report (a missing
            // partition at 3 a.m.) is part of the trail too.
            if s.audit {
                session.audit(policy_state::record(
                    "run",
                    now,
                    &s.policy.name,
                    &run_id,
                    s.dry_run,
                    json!({ "error": format!("{e:#}") }),
                ))?;
                if !s.dry_run {
                    session.save()?;
                }
            }
            return Err(e);
        }
    };
    let outputs: Vec<(ReportFormat, std::path::PathBuf)> = [
        (ReportFormat::Json, s.report_output.clone()),
        (ReportFormat::Html, s.html.clone()),
    ]
    .into_iter()
    .filter_map(|(f, p)| p.map(|p| (f, p)))
    .collect();
    let diagnosis = diagnose(&report);
    let lookup =
        |p: &crate::policy::expr::MetricPath| metrics::lookup(&report, &diagnosis, &p.segments);

    let policy = &s.policy;
    let state = &mut session.state;
    decide::prune_window(policy, state, now);
    let evals = decide::evaluate_rules(policy, state, &lookup);
    let facts = RunFacts {
        now,
        run_id: &run_id,
        quality_errors: report.quality.errors,
    };
    let mut decisions = decide::plan(policy, state, &evals, facts);
    // An action a rule already decided runs once.
    let every: Vec<Decision> = decide::every_run(policy, state, facts)
        .into_iter()
        .filter(|e| !decisions.iter().any(|d| d.action == e.action))
        .collect();
    decisions.extend(every);

    let digest = logs_to_mlflow(policy).then(|| mlflow::digest(&report, diagnosis.incident.name()));
    let mut handled: Vec<Handled> = Vec::new();
    let mut queue: Vec<Decision> = decisions;
    while !queue.is_empty() {
        let decision = queue.remove(0);
        let mut ctx = context(&s, &run_id, &report, &diagnosis, &decision);
        if let Some(d) = &digest {
            ctx = ctx.with_digest(d.clone());
        }
        let built = policy
            .actions
            .get(&decision.action)
            .ok_or_else(|| format!("action `{}` is not defined", decision.action))
            .and_then(|spec| build(spec, &ctx, &s.base_dir));
        let request = match &built {
            Ok((action, _)) => action.describe(),
            Err(e) => json!({ "error": e }),
        };
        let mut h = Handled {
            decision: decision.clone(),
            request,
            outcome: None,
            approval_id: None,
        };
        match (&decision.verdict, built) {
            (Verdict::Run, Ok((action, _))) if !s.dry_run => {
                decide::record_start(policy, state, &decision.action, now);
                let outcome = action.execute();
                decide::record(policy, state, &decision.action, outcome.status, now);
                remember_incident(state, &decision.action, &outcome);
                if outcome.status != Status::Succeeded {
                    queue.extend(decide::escalate(policy, state, &decision, facts));
                }
                h.outcome = Some(outcome);
            }
            (Verdict::Run, Err(e)) if !s.dry_run => {
                // Could not even render it (a missing secret): a failure the
                // operator must see, and escalated like one.
                h.outcome = Some(Outcome {
                    status: Status::Failed,
                    message: e,
                    detail: serde_json::Value::Null,
                    duration_ms: 0,
                });
                decide::record(policy, state, &decision.action, Status::Failed, now);
                queue.extend(decide::escalate(policy, state, &decision, facts));
            }
            (Verdict::Queue, _) if !s.dry_run => {
                let id = state.enqueue(PendingApproval {
                    id: String::new(),
                    rule: decision.rule.clone(),
                    action: decision.action.clone(),
                    run_id: run_id.clone(),
                    created_at: now,
                    expires_at: now + decide::chrono_duration(policy.guardrails.approval_expiry),
                    quality_errors: report.quality.errors,
                    context: queued_context(policy, &decision.action, &ctx),
                    request: h.request.clone(),
                });
                h.approval_id = Some(id);
            }
            (Verdict::Blocked { .. }, _) => {
                queue.extend(decide::escalate(policy, state, &decision, facts));
            }
            _ => {}
        }
        handled.push(h);
    }

    let incident = diagnosis.incident;
    if incident == Incident::Healthy {
        decide::record_healthy(state);
        if policy.guardrails.mode != Mode::Observe {
            handled.extend(resolve_incidents(&s, state, &run_id, &report, &diagnosis));
        }
    }
    state.runs.push(RunSummary {
        id: run_id.clone(),
        at: now,
        incident: incident.name().to_string(),
        drift_share: report.dataset_drift.share,
        drifted_columns: report.dataset_drift.drifted_columns,
        quality_errors: report.quality.errors,
        dry_run: s.dry_run,
    });
    if state.runs.len() > KEPT_RUNS {
        let extra = state.runs.len() - KEPT_RUNS;
        state.runs.drain(..extra);
    }

    if s.audit {
        audit_run(
            &mut session,
            &s,
            &run_id,
            &report,
            &diagnosis,
            &evals,
            &handled,
            // A dry run saves nothing, so the next real run records these.
            if s.dry_run { &[] } else { &expired },
        )?;
    }
    if !s.dry_run {
        session.save()?;
    }
    // The report files carry the history the state now holds.
    let mut report = report;
    report.history = Some(state_history(&session.state.runs));
    drop(session);
    let failed = handled.iter().any(|h| {
        h.outcome
            .as_ref()
            .is_some_and(|o| o.status != Status::Succeeded)
    });
    let fired = evals.iter().any(|e| e.fired);
    let status = if failed {
        ExitStatus::ActionFailed
    } else if fired && !s.exit_zero_when_handled {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    super::report::write_outputs(&report, &outputs, printer)?;
    let labels = MetricLabels {
        model: None,
        policy: Some(s.policy.name.clone()),
    };
    if let Some(path) = &s.prometheus_textfile {
        // A run whose action failed is no success: the gauge is left out,
        // so `absent(driftmend_last_success_timestamp_seconds)` alerts.
        super::report::write_metrics(
            &report,
            path,
            &labels,
            started.elapsed().as_secs_f64(),
            !failed,
        )?;
    }
    print_summary(&s, &run_id, &diagnosis, &evals, &handled, status)?;
    // Last: a Pushgateway that is down fails the step (exit 2) only after
    // the run has done and recorded everything else.
    if let Some(url) = &s.pushgateway {
        super::report::push_metrics(
            &report,
            url,
            &labels,
            started.elapsed().as_secs_f64(),
            !failed,
            printer,
        )?;
    }
    Ok(status)
}

/// Whether any action logs runs to MLflow (the report digest is built once).
fn logs_to_mlflow(policy: &crate::policy::Policy) -> bool {
    policy.actions.values().any(is_mlflow_log)
}

fn is_mlflow_log(a: &ActionSpec) -> bool {
    matches!(
        a.kind,
        ActionKind::Service {
            service: Service::MlflowLog,
            ..
        }
    )
}

/// A PagerDuty trigger that went through leaves an incident to resolve.
/// Also when the trigger got no answer in the end: it may have opened an
/// incident, and resolving a key PagerDuty doesn't know is harmless.
pub(crate) fn remember_incident(state: &mut PolicyState, action: &str, outcome: &Outcome) {
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

/// A healthy run resolves the PagerDuty incidents earlier runs opened
/// (a dry run only shows the resolve events).
fn resolve_incidents(
    s: &RunSettings,
    state: &mut PolicyState,
    run_id: &str,
    report: &Report,
    diagnosis: &Diagnosis,
) -> Vec<Handled> {
    let mut out = Vec::new();
    for (name, spec) in &s.policy.actions {
        let ActionKind::Service {
            service: Service::Pagerduty,
            params,
        } = &spec.kind
        else {
            continue;
        };
        let keys = state
            .actions
            .get(name)
            .map(|st| st.open_incidents.clone())
            .unwrap_or_default();
        // `resolve: false`: incidents are closed by hand (or by PagerDuty's
        // auto-resolve); nothing to remember.
        if matches!(params.get("resolve"), Some(Param::Flag(false))) {
            if let Some(st) = state.actions.get_mut(name) {
                st.open_incidents.clear();
            }
            continue;
        }
        for key in keys {
            let decision = Decision {
                rule: "healthy".to_string(),
                action: name.clone(),
                escalation_of: None,
                idempotency_key: decide::idempotency_key(&s.policy.name, run_id, "healthy", name),
                verdict: Verdict::Run,
            };
            let ctx = context(s, run_id, report, diagnosis, &decision);
            let built = crate::actions::service::build_resolve(spec, params, &ctx, &key);
            let mut h = Handled {
                decision,
                request: match &built {
                    Ok((a, _)) => a.describe(),
                    Err(e) => json!({ "error": e }),
                },
                outcome: None,
                approval_id: None,
            };
            if !s.dry_run {
                let outcome = match built {
                    Ok((action, _)) => action.execute(),
                    Err(e) => Outcome {
                        status: Status::Failed,
                        message: e,
                        detail: serde_json::Value::Null,
                        duration_ms: 0,
                    },
                };
                if outcome.status == Status::Succeeded {
                    if let Some(st) = state.actions.get_mut(name) {
                        st.open_incidents.retain(|k| *k != key);
                    }
                }
                h.outcome = Some(outcome);
            }
            out.push(h);
        }
    }
    out
}

fn state_history(runs: &[RunSummary]) -> Vec<HistoryPoint> {
    runs.iter()
        .filter(|r| !r.dry_run)
        .map(|r| HistoryPoint {
            at: decide::stamp(r.at),
            run_id: r.id.clone(),
            incident: r.incident.clone(),
            drift_share: r.drift_share,
            drifted_columns: r.drifted_columns,
            quality_errors: r.quality_errors,
        })
        .collect()
}

/// `run-20261122T030000Z-1a2b3c`: sortable, and unique per policy and time.
fn run_id(policy: &str, now: DateTime<Utc>) -> String {
    let key = decide::idempotency_key(policy, &now.to_rfc3339(), "", "");
    format!("run-{}-{}", now.format("%Y%m%dT%H%M%SZ"), &key[..6])
}

/// What a pending approval keeps of its run: the template values, and for
/// `mlflow_log` the report's digest, so the run it logs once approved has
/// the metrics of the run that queued it.
fn queued_context(
    policy: &crate::policy::Policy,
    action: &str,
    ctx: &RunContext,
) -> BTreeMap<String, Value> {
    let mut values = ctx.values().clone();
    let logs = policy.actions.get(action).is_some_and(is_mlflow_log);
    if let (true, Some(digest)) = (logs, ctx.digest()) {
        values.extend(digest.to_values());
    }
    values
}

/// The template values an action may use: the run, the rule, the summary,
/// and every metric path its templates name.
fn context(
    s: &RunSettings,
    run_id: &str,
    report: &Report,
    diagnosis: &Diagnosis,
    d: &Decision,
) -> RunContext {
    let mut values = BTreeMap::new();
    let text = |v: &str| Value::Text(v.to_string());
    values.insert("rule.name".to_string(), text(&d.rule));
    if let Some(rule) = s.policy.rules.iter().find(|r| r.name == d.rule) {
        values.insert("rule.when".to_string(), text(&rule.when_text));
    }
    values.insert("run.id".to_string(), text(run_id));
    values.insert("run.time".to_string(), text(&decide::stamp(s.now)));
    values.insert("run.dry_run".to_string(), Value::Bool(s.dry_run));
    values.insert("policy.name".to_string(), text(&s.policy.name));
    values.insert("action.name".to_string(), text(&d.action));
    values.insert(
        "action.idempotency_key".to_string(),
        text(&d.idempotency_key),
    );
    values.insert("incident.type".to_string(), text(diagnosis.incident.name()));
    values.insert("summary".to_string(), text(&diagnosis.summary));
    if let Some(spec) = s.policy.actions.get(&d.action) {
        for (_, t) in spec.templates() {
            for p in t.paths() {
                let dotted = p.dotted();
                if !values.contains_key(&dotted) {
                    values.insert(dotted, metrics::lookup(report, diagnosis, &p.segments));
                }
            }
        }
    }
    RunContext::new(s.now, s.base_dir.clone()).with_values(values)
}

#[allow(clippy::too_many_arguments)]
fn audit_run(
    session: &mut Session,
    s: &RunSettings,
    run_id: &str,
    report: &Report,
    diagnosis: &Diagnosis,
    evals: &[RuleEval],
    handled: &[Handled],
    expired: &[PendingApproval],
) -> Result<()> {
    let record = |kind: &str, extra: serde_json::Value| {
        policy_state::record(kind, s.now, &s.policy.name, run_id, s.dry_run, extra)
    };
    for p in expired {
        session.audit(policy_state::approval_record(
            s.now,
            &s.policy.name,
            p,
            "expired",
            json!({ "expired_at": decide::stamp(p.expires_at) }),
        ))?;
    }
    session.audit(record(
        "run",
        json!({
            "mode": s.policy.guardrails.mode,
            "reference": report.reference.path,
            "current": report.current.path,
            "incident": diagnosis.incident,
            "summary": diagnosis.summary,
            "evidence": diagnosis.evidence,
            "drift_share": report.dataset_drift.share,
            "quality_errors": report.quality.errors,
            "quality_warnings": report.quality.warnings,
        }),
    ))?;
    for e in evals {
        let evidence: serde_json::Map<String, serde_json::Value> = e
            .evidence
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default()))
            .collect();
        session.audit(record(
            "rule",
            json!({
                "rule": e.rule, "holds": e.holds, "error": e.error, "consecutive": e.consecutive,
                "required": e.required, "fired": e.fired, "evidence": evidence,
            }),
        ))?;
    }
    for h in handled {
        let kind = if h.outcome.is_some() {
            "action"
        } else {
            "decision"
        };
        let evidence: serde_json::Map<String, serde_json::Value> = evals
            .iter()
            .find(|e| e.rule == h.decision.rule)
            .map(|e| {
                e.evidence
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let mut extra = serde_json::to_value(h)?;
        if let Some(obj) = extra.as_object_mut() {
            obj.insert("evidence".to_string(), serde_json::Value::Object(evidence));
        }
        session.audit(record(kind, extra))?;
    }
    Ok(())
}

fn print_summary(
    s: &RunSettings,
    run_id: &str,
    diagnosis: &Diagnosis,
    evals: &[RuleEval],
    handled: &[Handled],
    status: ExitStatus,
) -> Result<()> {
    let mut out = Vec::new();
    match s.format {
        ListFormat::Json => {
            let doc = json!({
                "run_id": run_id,
                "policy": s.policy.name,
                "mode": s.policy.guardrails.mode,
                "dry_run": s.dry_run,
                "incident": diagnosis.incident,
                "summary": diagnosis.summary,
                "evidence": diagnosis.evidence,
                "rules": evals,
                "decisions": handled,
                "exit_code": status.code(),
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        ListFormat::Table => write_table(&mut out, s, run_id, diagnosis, evals, handled)?,
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&out).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

fn write_table(
    w: &mut Vec<u8>,
    s: &RunSettings,
    run_id: &str,
    diagnosis: &Diagnosis,
    evals: &[RuleEval],
    handled: &[Handled],
) -> std::io::Result<()> {
    let mode = serde_json::to_value(s.policy.guardrails.mode).ok();
    let mode = mode.as_ref().and_then(|m| m.as_str()).unwrap_or("?");
    writeln!(
        w,
        "{run_id}  policy `{}`  mode {mode}{}",
        s.policy.name,
        if s.dry_run {
            "  (dry run: nothing runs, no state saved)"
        } else {
            ""
        }
    )?;
    writeln!(w, "{}", diagnosis.summary)?;
    writeln!(w, "\nRules:")?;
    for e in evals {
        let state = match (e.holds, &e.error) {
            (_, Some(err)) => format!("error: {err}"),
            (Some(true), _) if e.fired => {
                format!("FIRED ({}/{} consecutive runs)", e.consecutive, e.required)
            }
            (Some(true), _) => format!(
                "holds ({}/{} consecutive runs; not yet)",
                e.consecutive, e.required
            ),
            _ => "does not hold".to_string(),
        };
        let evidence: Vec<String> = e
            .evidence
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        writeln!(w, "  {:<24} {state}", e.rule)?;
        if !evidence.is_empty() {
            writeln!(w, "  {:<24} {}", "", evidence.join(", "))?;
        }
    }
    if handled.is_empty() {
        writeln!(w, "\nNo actions.")?;
        return Ok(());
    }
    writeln!(w, "\nActions:")?;
    for h in handled {
        let d = &h.decision;
        let source = match &d.escalation_of {
            Some(of) => format!("escalation of `{of}`"),
            None if d.rule == decide::EVERY_RUN => "every run".to_string(),
            None => format!("rule `{}`", d.rule),
        };
        let verdict = match (&d.verdict, &h.outcome) {
            (_, Some(o)) => format!("ran: {} ({})", status_word(o.status), o.message),
            (Verdict::Run, None) => "would run".to_string(),
            (Verdict::Queue, None) => match &h.approval_id {
                Some(id) => format!("queued for approval: `driftmend approve {id}`"),
                None => "would be queued for approval".to_string(),
            },
            (Verdict::Observe { would }, None) => match would.as_ref() {
                Verdict::Blocked { reason, .. } => {
                    format!("observed (auto mode would be blocked: {reason})")
                }
                Verdict::Queue => "observed (auto mode would queue it for approval)".to_string(),
                _ => "observed (auto mode would run it)".to_string(),
            },
            (Verdict::Blocked { reason, .. }, None) => format!("BLOCKED: {reason}"),
        };
        writeln!(w, "  {:<16} {source}: {verdict}", d.action)?;
        write_request(w, &h.request, s.dry_run, 19)?;
    }
    Ok(())
}

/// What an action runs, under its decision line, `indent` columns in:
/// an `exec` argv; an HTTP action's `METHOD URL` (with `full`, also the
/// headers, credentials redacted, and the body, exactly as they are sent);
/// an MLflow action's server (with `full`, the steps it takes); or why it
/// could not be rendered. `pending` shows it in full, for the approver.
pub(crate) fn write_request(
    w: &mut Vec<u8>,
    request: &serde_json::Value,
    full: bool,
    indent: usize,
) -> std::io::Result<()> {
    let at = |v: &serde_json::Value, k: &str| {
        v.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string()
    };
    let (head, body) = (" ".repeat(indent), " ".repeat(indent + 2));
    if let Some(argv) = request.get("argv").and_then(|a| a.as_array()) {
        let shown: Vec<&str> = argv.iter().filter_map(|a| a.as_str()).collect();
        writeln!(w, "{head}$ {}", shown.join(" "))?;
    } else if let Some(requests) = request.get("requests").and_then(|r| r.as_array()) {
        for r in requests {
            writeln!(w, "{head}{} {}", at(r, "method"), at(r, "url"))?;
            if !full {
                continue;
            }
            if let Some(headers) = r.get("headers").and_then(|h| h.as_object()) {
                for (name, value) in headers {
                    writeln!(w, "{body}{name}: {}", value.as_str().unwrap_or(""))?;
                }
            }
            if let Some(ct) = r.get("content_type").and_then(|v| v.as_str()) {
                writeln!(w, "{body}Content-Type: {ct}")?;
            }
            match r.get("body") {
                Some(serde_json::Value::String(text)) => writeln!(w, "{body}{text}")?,
                Some(json) => writeln!(w, "{body}{json}")?,
                None => {}
            }
        }
    } else if let Some(steps) = request.get("steps").and_then(|r| r.as_array()) {
        writeln!(
            w,
            "{head}{} at {} (authorization: {})",
            at(request, "service"),
            at(request, "tracking_uri"),
            at(request, "authorization")
        )?;
        if full {
            for step in steps.iter().filter_map(|v| v.as_str()) {
                writeln!(w, "{body}{step}")?;
            }
        }
    } else if let Some(err) = request.get("error").and_then(|e| e.as_str()) {
        writeln!(w, "{head}cannot render: {err}")?;
    }
    Ok(())
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Succeeded => "succeeded",
        Status::Failed => "FAILED",
        Status::Unknown => "outcome unknown",
    }
}
