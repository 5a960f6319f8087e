//! The resolved policy: what a validated policy file says, with defaults
//! filled in. Built by `load` from YAML; read by `decide` (pure) and the
//! `run` command. Serialises back to YAML-compatible JSON for `policy
//! explain`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::expr::Expr;
pub use super::service_spec::*;
use super::template::Template;
use crate::report::options::AnalysisOptions;

/// The only policy format version this build reads.
pub const POLICY_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub version: u32,
    pub name: String,
    pub data: DataSpec,
    /// Report options (same names as `driftmend report` flags, snake_case).
    pub report: AnalysisOptions,
    /// Directory of `state.json`, `audit.jsonl` and the lock, relative to the
    /// policy file's directory unless absolute. Default `.driftmend`.
    pub state_dir: String,
    pub guardrails: Guardrails,
    pub rules: Vec<Rule>,
    /// Actions that run on every run, whatever the rules say (logging the
    /// report to MLflow, say): no cooldown or rate limit, no effect on the
    /// exit code unless they fail; observe mode and an open circuit breaker
    /// still hold them.
    pub every_run: Vec<String>,
    /// By name.
    pub actions: BTreeMap<String, ActionSpec>,
}

/// Where the data comes from; paths may use `{{ date(-1d) }}` templating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataSpec {
    pub reference: Template,
    pub current: Template,
    /// CSV delimiter, one ASCII character. Default `,`.
    pub delimiter: char,
    pub null_values: Vec<String>,
    /// Object-storage options for `s3://` paths (`aws_endpoint_url`, ...),
    /// each value a template (`{{ env.X }}` keeps a secret out of the file).
    /// Checked and applied by `RunSettings::resolve`. Shown (`policy
    /// explain`) with the values of credential keys masked.
    #[serde(
        serialize_with = "masked_storage_options",
        skip_serializing_if = "std::collections::BTreeMap::is_empty"
    )]
    pub storage_options: crate::policy::service_spec::TemplateMap,
    /// Where `run` keeps the reference's profile: built on first use,
    /// reused while the reference files are unchanged, rebuilt when they
    /// change (`docs/profiles.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_profile: Option<Template>,
}

/// `data.storage_options` as `policy explain` shows it: a credential's value
/// (a key naming a secret, token or access key) as `***`, whatever it is.
fn masked_storage_options<S: serde::Serializer>(
    options: &crate::policy::service_spec::TemplateMap,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(options.len()))?;
    for (key, value) in options {
        let lower = key.to_ascii_lowercase();
        if ["secret", "token", "access_key", "customer_key"]
            .iter()
            .any(|s| lower.contains(s))
        {
            map.serialize_entry(key, "***")?;
        } else {
            map.serialize_entry(key, value)?;
        }
    }
    map.end()
}

/// Progressive autonomy: what happens to a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Decisions are computed and logged; nothing runs (the default).
    #[default]
    Observe,
    /// Every action waits in the approval queue.
    Approve,
    /// Actions run, under the guardrails (`require_approval` still queues).
    Auto,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guardrails {
    pub mode: Mode,
    /// Minimum time between two runs of the same action. Default 0.
    #[serde(with = "duration_text")]
    pub cooldown: Duration,
    /// At most `count` action runs (all actions together) per `per`.
    pub max_actions: Option<RateLimit>,
    pub circuit_breaker: Option<CircuitBreaker>,
    /// Never run a `retrain` action on data with quality errors; escalate
    /// instead. Default true.
    pub quality_gate: bool,
    /// Pending approvals expire after this long. Default 24h.
    #[serde(with = "duration_text")]
    pub approval_expiry: Duration,
    /// Actions run when a guardrail blocks a decision or an action fails.
    pub escalate: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateLimit {
    pub count: u32,
    #[serde(with = "duration_text")]
    pub per: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CircuitBreaker {
    /// Consecutive failures of one action that open its breaker.
    pub failures: u32,
    /// How long it stays open; then one trial run (half-open).
    #[serde(with = "duration_text")]
    pub open_for: Duration,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub name: String,
    /// The source text of `when`, for display.
    pub when_text: String,
    #[serde(skip)]
    pub when: Expr,
    /// Consecutive runs `when` must hold before the rule fires. Default 1.
    #[serde(rename = "for")]
    pub for_runs: u32,
    pub actions: Vec<String>,
    /// Overrides `guardrails.escalate` for this rule when non-empty.
    pub escalate: Vec<String>,
}

/// What an action is for; guardrails treat purposes differently
/// (`quality_gate` blocks `retrain`; `max_rollback_depth` counts
/// `rollback`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Retrain,
    Rollback,
    Notify,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionSpec {
    pub name: String,
    /// Explicit `purpose:`, else inferred from the name (`retrain*`,
    /// `rollback*`, `notify`/`page`/`alert`/`slack`*) or the type.
    pub purpose: Purpose,
    pub require_approval: bool,
    /// For rollback actions: at most this many rollbacks without a healthy
    /// run in between. Default: no limit.
    pub max_rollback_depth: Option<u32>,
    #[serde(with = "duration_text")]
    pub timeout: Duration,
    pub kind: ActionKind,
}

/// The type-specific part of an action (`type:` in the file).
// A policy holds a handful of actions, read once: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// Run an argv (never a shell).
    Exec {
        command: Vec<Template>,
        /// Environment variables passed through (besides `PATH`, `HOME`,
        /// `LANG`, `TZ`); everything else is withheld.
        env: Vec<String>,
        /// Extra variables set for the child, templated.
        set_env: BTreeMap<String, Template>,
        /// Working directory, relative to the policy file. Default: the
        /// policy file's directory.
        cwd: Option<String>,
    },
    /// A call to a service over HTTP (MLflow, GitHub, Slack, ...): the keys
    /// its type reads, parsed and checked at load.
    Service(ServiceSpec),
}

/// The HTTP service action types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    MlflowRollback,
    MlflowPromote,
    MlflowLog,
    GithubWorkflow,
    GithubDispatch,
    GitlabPipeline,
    Jenkins,
    Airflow,
    ArgoWorkflow,
    Slack,
    Pagerduty,
    Webhook,
}

impl Service {
    pub const ALL: [Service; 12] = [
        Service::MlflowRollback,
        Service::MlflowPromote,
        Service::MlflowLog,
        Service::GithubWorkflow,
        Service::GithubDispatch,
        Service::GitlabPipeline,
        Service::Jenkins,
        Service::Airflow,
        Service::ArgoWorkflow,
        Service::Slack,
        Service::Pagerduty,
        Service::Webhook,
    ];

    pub fn type_name(self) -> &'static str {
        match self {
            Service::MlflowRollback => "mlflow_rollback",
            Service::MlflowPromote => "mlflow_promote",
            Service::MlflowLog => "mlflow_log",
            Service::GithubWorkflow => "github_workflow",
            Service::GithubDispatch => "github_dispatch",
            Service::GitlabPipeline => "gitlab_pipeline",
            Service::Jenkins => "jenkins",
            Service::Airflow => "airflow",
            Service::ArgoWorkflow => "argo_workflow",
            Service::Slack => "slack",
            Service::Pagerduty => "pagerduty",
            Service::Webhook => "webhook",
        }
    }
}

/// `{"type": "exec", "command": [...], ...}`: the file's own shape.
impl Serialize for ActionKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("type", self.type_name())?;
        match self {
            ActionKind::Exec {
                command,
                env,
                set_env,
                cwd,
            } => {
                map.serialize_entry("command", command)?;
                map.serialize_entry("env", env)?;
                map.serialize_entry("set_env", set_env)?;
                map.serialize_entry("cwd", cwd)?;
            }
            ActionKind::Service(spec) => {
                for (k, v) in spec.keys() {
                    map.serialize_entry(k, &v)?;
                }
            }
        }
        map.end()
    }
}

impl ActionKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            ActionKind::Exec { .. } => "exec",
            ActionKind::Service(spec) => spec.service().type_name(),
        }
    }
}

/// Durations serialise as `6h`, `90s`, `1d2h`.
mod duration_text {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&super::super::duration::format(*d))
    }
}

impl ActionSpec {
    /// Every template of the action with its field path (`command[2]`,
    /// `set_env.TOKEN`), for validation.
    pub fn templates(&self) -> Vec<(String, &Template)> {
        match &self.kind {
            ActionKind::Exec {
                command, set_env, ..
            } => command
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("command[{i}]"), t))
                .chain(set_env.iter().map(|(k, t)| (format!("set_env.{k}"), t)))
                .collect(),
            ActionKind::Service(spec) => {
                let mut out = Vec::new();
                for (key, v) in spec.keys() {
                    match v {
                        KeyValue::Text(t) => out.push((key.to_string(), t)),
                        KeyValue::Map(m) => {
                            out.extend(m.iter().map(|(k, t)| (format!("{key}.{k}"), t)))
                        }
                        KeyValue::Flag(_) | KeyValue::Number(_) | KeyValue::Choice(_) => {}
                    }
                }
                out
            }
        }
    }
}
