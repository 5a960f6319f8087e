//! The template values a decided action sees: the run, the rule, the
//! summary, and every metric path its templates name; and what a queued
//! action keeps of them for when it is approved.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::actions::context::RunContext;
use crate::actions::mlflow::Digest;
use crate::policy::decide::{self, Decision};
use crate::policy::diagnosis::Diagnosis;
use crate::policy::expr::Value;
use crate::policy::metric_paths;
use crate::policy::model::{ActionKind, ActionSpec, ServiceSpec};
use crate::policy::Policy;
use crate::report::Report;

/// What a run knows that its actions' templates may use.
pub struct RunValues<'a> {
    pub policy: &'a Policy,
    pub base_dir: &'a Path,
    pub run_id: &'a str,
    pub now: DateTime<Utc>,
    pub dry_run: bool,
    pub report: &'a Report,
    pub diagnosis: &'a Diagnosis,
    /// The report as MLflow metrics, when an action logs to MLflow.
    pub digest: Option<Digest>,
}

impl RunValues<'_> {
    /// The context of decision `d`.
    pub fn context(&self, d: &Decision) -> RunContext {
        let mut values = BTreeMap::new();
        let text = |v: &str| Value::Text(v.to_string());
        values.insert("rule.name".to_string(), text(&d.rule));
        if let Some(rule) = self.policy.rules.iter().find(|r| r.name == d.rule) {
            values.insert("rule.when".to_string(), text(&rule.when_text));
        }
        values.insert("run.id".to_string(), text(self.run_id));
        values.insert("run.time".to_string(), text(&decide::stamp(self.now)));
        values.insert("run.dry_run".to_string(), Value::Bool(self.dry_run));
        values.insert("policy.name".to_string(), text(&self.policy.name));
        values.insert("action.name".to_string(), text(&d.action));
        values.insert(
            "action.idempotency_key".to_string(),
            text(&d.idempotency_key),
        );
        values.insert(
            "incident.type".to_string(),
            text(self.diagnosis.incident.name()),
        );
        values.insert("summary".to_string(), text(&self.diagnosis.summary));
        if let Some(spec) = self.policy.actions.get(&d.action) {
            for (_, t) in spec.templates() {
                for p in t.paths() {
                    values.entry(p.dotted()).or_insert_with(|| {
                        metric_paths::lookup(self.report, self.diagnosis, &p.segments)
                    });
                }
            }
        }
        let ctx = RunContext::new(self.now, self.base_dir.to_path_buf()).with_values(values);
        match &self.digest {
            Some(digest) => ctx.with_digest(digest.clone()),
            None => ctx,
        }
    }
}

/// The context of an approved action: the values its run stored when it
/// queued it, under the name and idempotency key of decision `d` (the
/// approved action itself, or one of its escalations).
pub fn approved(stored: &RunContext, d: &Decision) -> RunContext {
    let mut ctx = stored.clone();
    ctx.set("action.name", Value::Text(d.action.clone()));
    ctx.set(
        "action.idempotency_key",
        Value::Text(d.idempotency_key.clone()),
    );
    ctx
}

/// What a pending approval keeps of its run: the template values, and for
/// `mlflow_log` the report's digest, so the run it logs once approved has
/// the metrics of the run that queued it.
pub fn queued(policy: &Policy, action: &str, ctx: &RunContext) -> BTreeMap<String, Value> {
    let mut values = ctx.values().clone();
    let logs = policy.actions.get(action).is_some_and(is_mlflow_log);
    if let (true, Some(digest)) = (logs, ctx.digest()) {
        values.extend(digest.to_values());
    }
    values
}

/// Whether any action logs runs to MLflow (the report digest is built once).
pub fn logs_to_mlflow(policy: &Policy) -> bool {
    policy.actions.values().any(is_mlflow_log)
}

fn is_mlflow_log(a: &ActionSpec) -> bool {
    matches!(a.kind, ActionKind::Service(ServiceSpec::MlflowLog(_)))
}
