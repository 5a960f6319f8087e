//! `driftmend run`: one scheduled step. Under the policy's lock: load the
//! state, build the report, diagnose it, evaluate the rules, decide under
//! the guardrails, run/queue/observe the actions, then save the state and
//! append the audit trail. `--dry-run` decides and prints but runs nothing
//! and saves no state.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::json;

use crate::actions::mlflow;
use crate::actions::Status;
use crate::cli::ListFormat;
use crate::engine::context::{logs_to_mlflow, RunValues};
use crate::engine::request_text::shell_command;
use crate::engine::{cycle, trail, Executor, Handled, Session};
use crate::exit::ExitStatus;
use crate::policy::decide::{self, Guardrail, RuleEval, RunPlan, Verdict};
use crate::policy::diagnosis::{diagnose, Diagnosis};
use crate::policy::state::RunSummary;
use crate::printer::Printer;
use crate::report::model::HistoryPoint;
use crate::report::render::prometheus::MetricLabels;
use crate::report::render::ReportFormat;
use crate::report::Report;
use crate::settings::RunSettings;

pub fn run(s: RunSettings, printer: &Printer) -> Result<ExitStatus> {
    let started = std::time::Instant::now();
    // A dry run keeps its own shadow state (streaks, history, its audit
    // log) and never opens the real one.
    let state_dir = match s.dry_run {
        true => crate::statedir::shadow_dir(&s.state_dir),
        false => s.state_dir.clone(),
    };
    let Some(mut session) = Session::open(&state_dir, &s.policy, s.lock_timeout)? else {
        return Ok(ExitStatus::Locked);
    };
    let run_id = cycle::run_id(&s.policy.name, s.now);
    let persist = true;
    session.settle_interrupted(s.now, persist, s.audit)?;
    session.expire(s.now, persist && s.audit)?;

    let report = match load_report(&s, printer) {
        Ok(report) => report,
        Err(e) => return Err(audit_failed_run(&mut session, &s, &run_id, e)?),
    };
    let diagnosis = diagnose(&report);
    let plan = plan(&mut session, &s, &run_id, &report, &diagnosis, printer)?;
    let handled = act(&mut session, &s, &run_id, &report, &diagnosis, &plan)?;

    cycle::remember(
        &mut session.state,
        &run_id,
        s.now,
        &diagnosis,
        &report,
        s.dry_run,
    );
    crate::engine::crash_point("before-final-save");
    if persist {
        session.save()?;
    }
    crate::engine::crash_point("after-final-save");
    // The report files carry the history the state now holds.
    let mut report = report;
    report.history = Some(state_history(&session.state.runs, s.dry_run));
    drop(session);

    let failed = handled.iter().any(|h| {
        h.outcome
            .as_ref()
            .is_some_and(|o| o.status != Status::Succeeded)
    });
    let fired = plan.evals.iter().any(|e| e.fired);
    let status = if failed {
        ExitStatus::ActionFailed
    } else if fired && !s.exit_zero_when_handled {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    deliver(
        &s, &run_id, &report, &diagnosis, &plan, &handled, status, started, printer,
    )?;
    Ok(status)
}

/// The run's report, with the secrets of templated data paths masked: a
/// path rendered from `{{ env.X }}` shows `***` in the report files, the
/// audit log and MLflow, never the value.
fn load_report(s: &RunSettings, printer: &Printer) -> Result<Report> {
    let mut report = crate::report_io::compute(&s.report, printer)
        .map_err(|e| mask_error(e, &s.data_secrets))?;
    for side in [&mut report.reference, &mut report.current] {
        side.path = s.data_secrets.scrub(&side.path);
        for file in &mut side.files {
            *file = s.data_secrets.scrub(file);
        }
    }
    Ok(report)
}

/// A run that could not even build its report (a missing partition at
/// 3 a.m.) is part of the trail too. Returns the error to exit with.
fn audit_failed_run(
    session: &mut Session,
    s: &RunSettings,
    run_id: &str,
    e: anyhow::Error,
) -> Result<anyhow::Error> {
    if s.audit {
        session.audit(run_record(s, run_id, json!({ "error": format!("{e:#}") })))?;
        session.save()?;
    }
    Ok(e)
}

/// Evaluates the rules and decides (pure, in `decide`); warns of rules that
/// could not be evaluated; audits the run and its rules.
fn plan(
    session: &mut Session,
    s: &RunSettings,
    run_id: &str,
    report: &Report,
    diagnosis: &Diagnosis,
    printer: &Printer,
) -> Result<RunPlan> {
    let plan = cycle::plan(
        &s.policy,
        &mut session.state,
        report,
        diagnosis,
        run_id,
        s.now,
    );
    for e in &plan.evals {
        if let Some(error) = &e.error {
            printer.warn(&format!(
                "rule `{}` could not be evaluated, so it does not hold: {error}",
                e.rule
            ));
        }
    }
    if s.audit {
        audit_run(session, s, run_id, report, diagnosis, &plan.evals)?;
    }
    crate::engine::crash_point("after-run-audit");
    Ok(plan)
}

/// Hands the plan's decisions, and on a healthy run the PagerDuty resolves,
/// to the one executor.
fn act(
    session: &mut Session,
    s: &RunSettings,
    run_id: &str,
    report: &Report,
    diagnosis: &Diagnosis,
    plan: &RunPlan,
) -> Result<Vec<Handled>> {
    let policy = &s.policy;
    let values = RunValues {
        policy,
        base_dir: &s.base_dir,
        run_id,
        now: s.now,
        dry_run: s.dry_run,
        report,
        diagnosis,
        digest: logs_to_mlflow(policy).then(|| mlflow::digest(report, diagnosis.incident.name())),
    };
    let context = |d: &decide::Decision| values.context(d);
    let executor = Executor {
        policy,
        base_dir: &s.base_dir,
        run_id,
        now: s.now,
        quality_errors: report.quality.errors,
        dry_run: s.dry_run,
        audit: s.audit,
        evals: &plan.evals,
        context: &context,
    };
    let jobs = cycle::jobs(policy, &mut session.state, diagnosis, plan, run_id);
    executor.handle(session, jobs)
}

/// Report files, the Prometheus textfile, the summary on stdout, and last
/// the Pushgateway: one that is down fails the step (exit 2) only after the
/// run has done and recorded everything else.
#[allow(clippy::too_many_arguments)]
fn deliver(
    s: &RunSettings,
    run_id: &str,
    report: &Report,
    diagnosis: &Diagnosis,
    plan: &RunPlan,
    handled: &[Handled],
    status: ExitStatus,
    started: std::time::Instant,
    printer: &Printer,
) -> Result<()> {
    let outputs: Vec<(ReportFormat, std::path::PathBuf)> = [
        (ReportFormat::Json, s.report_output.clone()),
        (ReportFormat::Html, s.html.clone()),
    ]
    .into_iter()
    .filter_map(|(f, p)| p.map(|p| (f, p)))
    .collect();
    crate::report_io::write_outputs(report, &outputs, printer)?;
    // A run whose action failed is no success: the gauge is left out, so
    // `absent(driftmend_last_success_timestamp_seconds)` alerts. A dry run
    // is no success of the real policy either.
    let succeeded = status != ExitStatus::ActionFailed && !s.dry_run;
    let labels = MetricLabels {
        model: None,
        policy: Some(s.policy.name.clone()),
    };
    if let Some(path) = &s.prometheus_textfile {
        let elapsed = started.elapsed().as_secs_f64();
        crate::report_io::write_metrics(report, path, &labels, elapsed, succeeded)?;
    }
    print_summary(s, run_id, diagnosis, &plan.evals, handled, status)?;
    if let Some(url) = &s.pushgateway {
        let elapsed = started.elapsed().as_secs_f64();
        crate::report_io::push_metrics(report, url, &labels, elapsed, succeeded, printer)?;
    }
    Ok(())
}

/// `e` with the data paths' secrets masked; only when one shows, since the
/// masked error is plain text and loses the hint its type gives.
fn mask_error(e: anyhow::Error, secrets: &crate::policy::template::Secrets) -> anyhow::Error {
    let text = format!("{e:#}");
    let masked = secrets.scrub(&text);
    if masked == text {
        e
    } else {
        anyhow::Error::msg(masked)
    }
}

/// The runs of this state: real ones, or a shadow state's dry runs.
fn state_history(runs: &[RunSummary], dry_run: bool) -> Vec<HistoryPoint> {
    runs.iter()
        .filter(|r| r.dry_run == dry_run)
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

fn run_record(s: &RunSettings, run_id: &str, extra: serde_json::Value) -> serde_json::Value {
    trail::record("run", s.now, &s.policy.name, run_id, s.dry_run, extra)
}

/// The run's `run` record and one `rule` record per rule, written before
/// any action runs.
fn audit_run(
    session: &mut Session,
    s: &RunSettings,
    run_id: &str,
    report: &Report,
    diagnosis: &Diagnosis,
    evals: &[RuleEval],
) -> Result<()> {
    session.audit(run_record(
        s,
        run_id,
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
        session.audit(trail::record(
            "rule",
            s.now,
            &s.policy.name,
            run_id,
            s.dry_run,
            trail::rule_fields(e),
        ))?;
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
    crate::printer::stdout(&out).context("cannot write to stdout")
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
            "  (dry run: nothing runs; shadow state)"
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
            .map(|(k, v)| format!("{k} = {}", human_value(v)))
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
                Some(id) => format!(
                    "queued for approval: `{}`",
                    shell_command(&[
                        "driftmend",
                        "approve",
                        id,
                        "--policy",
                        &s.policy_file.to_string_lossy(),
                    ])
                ),
                None => "would be queued for approval".to_string(),
            },
            (Verdict::Observe { would }, None) => match would.as_ref() {
                Verdict::Blocked { reason, .. } => {
                    format!("observed (auto mode would be blocked: {reason})")
                }
                Verdict::Queue => "observed (auto mode would queue it for approval)".to_string(),
                _ => "observed (auto mode would run it)".to_string(),
            },
            (
                Verdict::Blocked {
                    guardrail: Guardrail::Duplicate,
                    ..
                },
                None,
            ) => "merged (already decided in this run by another rule)".to_string(),
            (Verdict::Blocked { reason, .. }, None) => format!("BLOCKED: {reason}"),
        };
        writeln!(w, "  {:<16} {source}: {verdict}", d.action)?;
        crate::engine::request_text::write_request(w, &h.request, s.dry_run, 19)?;
    }
    // An unknown outcome holds the action until a person says what became
    // of it: the commands to do so, ready to paste.
    let mut unknown: Vec<&str> = handled
        .iter()
        .filter(|h| {
            h.outcome.is_none()
                && matches!(
                    h.decision.verdict,
                    Verdict::Blocked {
                        guardrail: Guardrail::OutcomeUnknown,
                        ..
                    }
                )
        })
        .map(|h| h.decision.action.as_str())
        .collect();
    unknown.dedup();
    let policy = s.policy_file.to_string_lossy();
    for action in unknown {
        let ack = |result: &str| {
            shell_command(&["driftmend", "ack", action, result, "--policy", &policy])
        };
        writeln!(
            w,
            "\nhint: check what `{action}` did, then `{}` or `{}`",
            ack("--succeeded"),
            ack("--failed")
        )?;
    }
    Ok(())
}

/// A metric's value as a person reads it: numbers to 4 significant decimals
/// without trailing zeros (`-0.087`, not `-0.08699999999999997`; the JSON
/// output and the audit log keep full precision), the rest as they are.
fn human_value(v: &crate::policy::expr::Value) -> String {
    match v {
        crate::policy::expr::Value::Number(x) => human_number(*x),
        other => other.to_string(),
    }
}

/// `-0.087`, `0.1235`, `12`, `1.2e-5`.
fn human_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    if x.abs() < 1e-3 {
        let s = format!("{x:.2e}");
        let (mantissa, exponent) = s.split_at(s.find('e').unwrap_or(s.len()));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}{exponent}");
    }
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Succeeded => "succeeded",
        Status::Failed => "FAILED",
        Status::Unknown => "outcome unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_for_people() {
        assert_eq!(human_number(-0.08699999999999997), "-0.087");
        assert_eq!(human_number(0.123456), "0.1235");
        assert_eq!(human_number(12.0), "12");
        assert_eq!(human_number(0.0000123), "1.23e-5");
        assert_eq!(human_number(0.0), "0");
        use crate::policy::expr::Value;
        assert_eq!(human_value(&Value::Number(0.30000000000000004)), "0.3");
        assert_eq!(human_value(&Value::Text("x y".into())), "x y");
        assert_eq!(human_value(&Value::Number(3.0)), "3");
        assert_eq!(human_value(&Value::Bool(true)), "true");
    }
}
