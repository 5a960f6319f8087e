//! What every HTTP service action shares: rendering its keys ([`Render`]),
//! the facts of the run it acts for ([`Invocation`]), and turning one
//! request's exchange into an [`Outcome`]. The services themselves live in
//! `ci` (GitHub, GitLab, Jenkins, Airflow, Argo), `notify` (Slack,
//! PagerDuty, webhooks) and `mlflow`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::context::RunContext;
use super::http::{self, Exchange, Failure, Http, HttpOptions, Repeat, Request, Response};
use super::{Action, Outcome, Status};
use crate::policy::expr::Value as ExprValue;
use crate::policy::model::{ActionSpec, HttpSpec, PagerdutySpec, ServiceSpec, TemplateMap};
use crate::policy::template::{Secrets, Template, TemplateContext};

/// Renders a service action's templates as its builder reads them; an
/// error names the key that failed. The secrets they hold are collected to
/// scrub from what is shown.
pub struct Render<'a> {
    action: &'a str,
    ctx: &'a dyn TemplateContext,
    pub secrets: Secrets,
}

impl<'a> Render<'a> {
    pub fn new(spec: &'a ActionSpec, ctx: &'a dyn TemplateContext) -> Render<'a> {
        Render {
            action: &spec.name,
            ctx,
            secrets: Secrets::default(),
        }
    }

    /// `key` names the field in the error.
    pub fn text(&mut self, key: &str, t: &Template) -> Result<String, String> {
        t.render(self.ctx, &mut self.secrets)
            .map(|r| r.value)
            .map_err(|e| {
                format!(
                    "action `{}`: cannot render `{key}` (`{}`): {e}",
                    self.action,
                    t.source()
                )
            })
    }

    pub fn opt(&mut self, key: &str, t: &Option<Template>) -> Result<Option<String>, String> {
        t.as_ref().map(|t| self.text(key, t)).transpose()
    }

    /// `(name, value)` pairs, in name order.
    pub fn map(&mut self, key: &str, m: &TemplateMap) -> Result<Vec<(String, String)>, String> {
        m.iter()
            .map(|(name, t)| Ok((name.clone(), self.text(&format!("{key}.{name}"), t)?)))
            .collect()
    }
}

/// The HTTP layer's options for a service action.
pub fn options(http: &HttpSpec, timeout: Duration) -> HttpOptions {
    let mut o = HttpOptions::new(timeout, http.allow_insecure_http);
    if let Some(n) = http.max_attempts {
        o.retry.max_attempts = n as u32;
    }
    o
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
    service: &ServiceSpec,
    ctx: &RunContext,
) -> Result<(Box<dyn Action>, Secrets), String> {
    let mut r = Render::new(spec, ctx);
    let inv = Invocation::from_context(ctx);
    let action: Box<dyn Action> = match service {
        ServiceSpec::MlflowRollback(s) => super::mlflow::rollback(spec, s, &mut r, &inv)?,
        ServiceSpec::MlflowPromote(s) => super::mlflow::promote_action(spec, s, &mut r, &inv)?,
        ServiceSpec::MlflowLog(s) => super::mlflow::log(spec, s, &mut r, &inv, ctx)?,
        ServiceSpec::GithubWorkflow(s) => super::ci::github_workflow(spec, s, &mut r)?,
        ServiceSpec::GithubDispatch(s) => super::ci::github_dispatch(spec, s, &mut r)?,
        ServiceSpec::GitlabPipeline(s) => super::ci::gitlab_pipeline(spec, s, &mut r)?,
        ServiceSpec::Jenkins(s) => super::ci::jenkins(spec, s, &mut r)?,
        ServiceSpec::Airflow(s) => super::ci::airflow(spec, s, &mut r, &inv)?,
        ServiceSpec::ArgoWorkflow(s) => super::ci::argo(spec, s, &mut r, &inv)?,
        ServiceSpec::Slack(s) => super::notify::slack(spec, s, &mut r, &inv)?,
        ServiceSpec::Pagerduty(s) => super::notify::pagerduty(spec, s, &mut r, &inv)?,
        ServiceSpec::Webhook(s) => super::notify::webhook(spec, s, &mut r, &inv)?,
    };
    Ok((action, r.secrets))
}

/// The PagerDuty resolve event for an incident `dedup_key` opened earlier.
pub fn build_resolve(
    spec: &ActionSpec,
    pagerduty: &PagerdutySpec,
    ctx: &RunContext,
    dedup_key: &str,
) -> Result<(Box<dyn Action>, Secrets), String> {
    let mut r = Render::new(spec, ctx);
    let action = super::notify::pagerduty_resolve(spec, pagerduty, &mut r, dedup_key)?;
    Ok((action, r.secrets))
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
    fn facts(&self) -> Value {
        self.facts.clone()
    }

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
    /// `request` under the action's HTTP options, with the secrets rendered
    /// so far: no extra facts, and a 409 is a failure.
    pub fn new(
        spec: &ActionSpec,
        http: &HttpSpec,
        r: &Render,
        service: &'static str,
        request: Request,
        read: Reader,
    ) -> SingleRequest {
        SingleRequest {
            service,
            request,
            options: options(http, spec.timeout),
            secrets: r.secrets.clone(),
            read,
            conflict_done: false,
            facts: Value::Null,
        }
    }

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
