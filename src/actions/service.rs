//! What every HTTP service action shares: its rendered keys ([`Params`]),
//! the facts of the run it acts for ([`Invocation`]), and turning one
//! request's exchange into an [`Outcome`]. The services themselves live in
//! `ci` (GitHub, GitLab, Jenkins, Airflow, Argo), `notify` (Slack,
//! PagerDuty, webhooks) and `mlflow`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::context::RunContext;
use super::http::{self, Exchange, Failure, Http, HttpOptions, Repeat, Request, Response};
use super::{Action, Outcome, Status};
use crate::policy::expr::Value as ExprValue;
use crate::policy::model::{ActionSpec, Param, Service};
use crate::policy::template::{Rendered, Secrets, TemplateContext};

/// A service action's keys, rendered.
#[derive(Debug, Clone, Default)]
pub struct Params {
    text: BTreeMap<String, Rendered>,
    maps: BTreeMap<String, Vec<(String, Rendered)>>,
    flags: BTreeMap<String, bool>,
    numbers: BTreeMap<String, f64>,
}

impl Params {
    /// Renders every key; the error names the key that failed.
    pub fn render(
        spec: &ActionSpec,
        params: &BTreeMap<String, Param>,
        ctx: &dyn TemplateContext,
        secrets: &mut Secrets,
    ) -> Result<Params, String> {
        let mut out = Params::default();
        let fail = |field: &str, source: &str, e: String| {
            format!(
                "action `{}`: cannot render `{field}` (`{source}`): {e}",
                spec.name
            )
        };
        for (key, p) in params {
            match p {
                Param::Text(t) => {
                    let r = t
                        .render(ctx, secrets)
                        .map_err(|e| fail(key, t.source(), e.to_string()))?;
                    out.text.insert(key.clone(), r);
                }
                Param::Map(m) => {
                    let mut items = Vec::with_capacity(m.len());
                    for (name, t) in m {
                        let r = t.render(ctx, secrets).map_err(|e| {
                            fail(&format!("{key}.{name}"), t.source(), e.to_string())
                        })?;
                        items.push((name.clone(), r));
                    }
                    out.maps.insert(key.clone(), items);
                }
                Param::Flag(b) => {
                    out.flags.insert(key.clone(), *b);
                }
                Param::Number(x) => {
                    out.numbers.insert(key.clone(), *x);
                }
            }
        }
        Ok(out)
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        self.text.get(key).map(|r| r.value.as_str())
    }

    pub fn text_or(&self, key: &str, default: &str) -> String {
        self.text(key).unwrap_or(default).to_string()
    }

    /// A required key (the loader guarantees it is there).
    pub fn must(&self, key: &str) -> String {
        self.text_or(key, "")
    }

    /// `(name, value)` pairs of a map key, in name order.
    pub fn map(&self, key: &str) -> Vec<(String, String)> {
        self.maps
            .get(key)
            .map(|items| {
                items
                    .iter()
                    .map(|(k, r)| (k.clone(), r.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn flag(&self, key: &str) -> bool {
        self.flags.get(key).copied().unwrap_or(false)
    }

    pub fn number(&self, key: &str) -> Option<f64> {
        self.numbers.get(key).copied()
    }

    pub fn options(&self, timeout: Duration) -> HttpOptions {
        let mut o = HttpOptions::new(timeout, self.flag("allow_insecure_http"));
        if let Some(n) = self.number("max_attempts") {
            o.retry.max_attempts = n as u32;
        }
        o
    }
}

/// The run an action acts for.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    pub policy: String,
    pub run_id: String,
    pub run_time: String,
    pub rule: String,
    pub action: String,
    pub summary: String,
    pub incident: String,
    pub dry_run: bool,
    /// Same for the same policy, run, rule and action: a repeat of this
    /// decision can be recognised.
    pub idempotency_key: String,
}

impl Invocation {
    pub fn from_context(ctx: &RunContext) -> Invocation {
        let text = |path: &str| match ctx.values().get(path) {
            Some(ExprValue::Text(t)) => t.clone(),
            Some(ExprValue::Null) | None => String::new(),
            Some(v) => v.to_string(),
        };
        Invocation {
            policy: text("policy.name"),
            run_id: text("run.id"),
            run_time: text("run.time"),
            rule: text("rule.name"),
            action: text("action.name"),
            summary: text("summary"),
            incident: text("incident.type"),
            dry_run: matches!(ctx.values().get("run.dry_run"), Some(ExprValue::Bool(true))),
            idempotency_key: text("action.idempotency_key"),
        }
    }
}

/// Builds a service action.
pub fn build(
    spec: &ActionSpec,
    service: Service,
    params: &BTreeMap<String, Param>,
    ctx: &RunContext,
) -> Result<(Box<dyn Action>, Secrets), String> {
    let mut secrets = Secrets::default();
    let p = Params::render(spec, params, ctx, &mut secrets)?;
    let inv = Invocation::from_context(ctx);
    let action: Box<dyn Action> = match service {
        Service::MlflowRollback | Service::MlflowPromote | Service::MlflowLog => {
            super::mlflow::build(service, spec, &p, &inv, ctx, &mut secrets)?
        }
        Service::GithubWorkflow
        | Service::GithubDispatch
        | Service::GitlabPipeline
        | Service::Jenkins
        | Service::Airflow
        | Service::ArgoWorkflow => super::ci::build(service, spec, &p, &inv, &mut secrets)?,
        Service::Slack | Service::Pagerduty | Service::Webhook => {
            super::notify::build(service, spec, &p, &inv, &mut secrets)?
        }
    };
    Ok((action, secrets))
}

/// The PagerDuty resolve event for an incident `dedup_key` opened earlier.
pub fn build_resolve(
    spec: &ActionSpec,
    params: &BTreeMap<String, Param>,
    ctx: &RunContext,
    dedup_key: &str,
) -> Result<(Box<dyn Action>, Secrets), String> {
    let mut secrets = Secrets::default();
    let p = Params::render(spec, params, ctx, &mut secrets)?;
    let action = super::notify::pagerduty_resolve(spec, &p, dedup_key, &secrets);
    Ok((action, secrets))
}

/// How a single-request action reads a good answer: a message and facts.
pub type Reader = fn(&Response) -> (String, Value);

/// The common shape: one request, retried by the HTTP layer, read by
/// `read` when it succeeds. A 409 means "already done" where the service
/// uses it for a repeat (`conflict_done`).
pub struct SingleRequest {
    pub service: &'static str,
    pub request: Request,
    pub options: HttpOptions,
    pub secrets: Secrets,
    pub read: Reader,
    pub conflict_done: bool,
    /// Extra facts for the outcome (e.g. a PagerDuty `dedup_key`).
    pub facts: Value,
}

impl Action for SingleRequest {
    fn describe(&self) -> Value {
        json!({
            "service": self.service,
            "requests": [self.request.describe(&self.secrets)],
        })
    }

    fn execute(&self) -> Outcome {
        let started = Instant::now();
        let outcome = match Http::new(self.options.clone()) {
            Err(e) => failed(e, Value::Null),
            Ok(http) => {
                let ex = http.send(&self.request);
                self.outcome_of(&ex)
            }
        };
        finish(outcome, started, &self.facts)
    }
}

impl SingleRequest {
    fn outcome_of(&self, ex: &Exchange) -> Outcome {
        let detail = http::exchange_detail(ex, &self.secrets);
        match &ex.result {
            Ok(resp) => {
                let (message, extra) = (self.read)(resp);
                Outcome {
                    status: Status::Succeeded,
                    message: self.secrets.scrub(&message),
                    detail: merge(detail, extra),
                    duration_ms: 0,
                }
            }
            Err(Failure::Status(resp)) if resp.status == 409 && self.conflict_done => Outcome {
                status: Status::Succeeded,
                message: format!(
                    "{} answered 409 Conflict: already triggered by an earlier attempt",
                    self.service
                ),
                detail: merge(detail, json!({ "already_done": true })),
                duration_ms: 0,
            },
            Err(failure) => {
                exchange_failure(self.service, &self.request, failure, detail, &self.secrets)
            }
        }
    }
}

/// The outcome of a failed exchange: `unknown` when a request that must not
/// be repeated went out and got no answer (or a gateway's 502/504), else
/// `failed`.
pub fn exchange_failure(
    service: &str,
    request: &Request,
    failure: &Failure,
    detail: Value,
    secrets: &Secrets,
) -> Outcome {
    let text = http::failure_text(service, failure, secrets);
    let lost = match failure {
        Failure::NoAnswer(_) => true,
        Failure::Status(resp) => http::maybe_delivered(resp.status),
        _ => false,
    };
    if lost && request.repeat == Repeat::Once {
        Outcome {
            status: Status::Unknown,
            message: format!(
                "{text}; the request was sent, so it may have taken effect: not re-sent (outcome unknown)"
            ),
            detail,
            duration_ms: 0,
        }
    } else {
        failed(text, detail)
    }
}

pub fn failed(message: String, detail: Value) -> Outcome {
    Outcome {
        status: Status::Failed,
        message,
        detail,
        duration_ms: 0,
    }
}

/// Stamps the duration and adds `facts` to the detail.
pub fn finish(mut outcome: Outcome, started: Instant, facts: &Value) -> Outcome {
    outcome.duration_ms = started.elapsed().as_millis() as u64;
    outcome.detail = merge(outcome.detail, facts.clone());
    outcome
}

/// `a` with the fields of `b` (both objects; otherwise the non-null one).
pub fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            a.extend(b);
            Value::Object(a)
        }
        (a, Value::Null) => a,
        (Value::Null, b) => b,
        (a, _) => a,
    }
}

/// Reads nothing from the answer: "`service` accepted it (status)".
pub fn read_status(resp: &Response) -> (String, Value) {
    (
        format!("accepted ({})", http::status_text(resp.status)),
        Value::Null,
    )
}

/// A base URL without its trailing `/`.
pub fn base(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}
