//! The typed keys of each HTTP service action (`github_workflow`, `slack`,
//! ...): one struct per type, filled and checked once by `load`, read by
//! the builders in `actions`. Field names follow the YAML keys. Pure: no
//! rendering here; templates stay templates until a run renders them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::Service;
use super::template::Template;

/// Names to templated values (`inputs`, `variables`, `headers`, ...).
pub type TemplateMap = BTreeMap<String, Template>;

/// One service action: its type and its keys.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceSpec {
    MlflowRollback(MlflowRollbackSpec),
    MlflowPromote(MlflowPromoteSpec),
    MlflowLog(MlflowLogSpec),
    GithubWorkflow(GithubWorkflowSpec),
    GithubDispatch(GithubDispatchSpec),
    GitlabPipeline(GitlabPipelineSpec),
    Jenkins(JenkinsSpec),
    Airflow(AirflowSpec),
    ArgoWorkflow(ArgoWorkflowSpec),
    Slack(SlackSpec),
    Pagerduty(PagerdutySpec),
    Webhook(WebhookSpec),
}

/// What every HTTP action takes: retries and plain-http permission.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpSpec {
    pub allow_insecure_http: bool,
    /// 1 to 10; the HTTP layer's default when absent.
    pub max_attempts: Option<f64>,
}

/// MLflow's connection and auth, as its own clients take them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MlflowConnSpec {
    pub tracking_uri: Option<Template>,
    pub username: Option<Template>,
    pub password: Option<Template>,
    pub token: Option<Template>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MlflowRollbackSpec {
    pub http: HttpSpec,
    pub conn: MlflowConnSpec,
    pub model: Template,
    pub alias: Option<Template>,
    pub previous_alias: Option<Template>,
    pub approved_tag: Option<Template>,
    pub use_stages: bool,
    pub stage: Option<Template>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MlflowPromoteSpec {
    pub http: HttpSpec,
    pub conn: MlflowConnSpec,
    pub model: Template,
    pub candidate: Template,
    pub alias: Option<Template>,
    pub previous_alias: Option<Template>,
    pub metric: Option<Template>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub better_than: Option<Template>,
    pub lower_is_better: bool,
    pub no_check: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MlflowLogSpec {
    pub http: HttpSpec,
    pub conn: MlflowConnSpec,
    pub experiment: Template,
    pub run_name: Option<Template>,
    pub tags: TemplateMap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GithubWorkflowSpec {
    pub http: HttpSpec,
    pub api_url: Option<Template>,
    pub repo: Template,
    pub workflow: Template,
    /// `ref:` in the file.
    pub git_ref: Template,
    pub token: Template,
    pub inputs: TemplateMap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GithubDispatchSpec {
    pub http: HttpSpec,
    pub api_url: Option<Template>,
    pub repo: Template,
    pub event_type: Template,
    pub token: Template,
    pub client_payload: TemplateMap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GitlabPipelineSpec {
    pub http: HttpSpec,
    pub api_url: Option<Template>,
    pub project: Template,
    /// `ref:` in the file.
    pub git_ref: Template,
    /// The loader requires this or `token`.
    pub trigger_token: Option<Template>,
    pub token: Option<Template>,
    pub variables: TemplateMap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JenkinsSpec {
    pub http: HttpSpec,
    pub url: Template,
    pub job: Template,
    pub user: Option<Template>,
    pub token: Option<Template>,
    pub parameters: TemplateMap,
}

/// Airflow's REST API: `v2` (Airflow 3, the default) or `v1` (Airflow 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AirflowApi {
    V2,
    V1,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AirflowSpec {
    pub http: HttpSpec,
    pub api_url: Template,
    pub dag_id: Template,
    pub api_version: Option<AirflowApi>,
    pub username: Option<Template>,
    pub password: Option<Template>,
    pub token: Option<Template>,
    pub conf: TemplateMap,
    pub note: Option<Template>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArgoWorkflowSpec {
    pub http: HttpSpec,
    pub api_url: Template,
    pub namespace: Template,
    pub template: Template,
    pub cluster_template: bool,
    pub token: Option<Template>,
    pub parameters: TemplateMap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlackSpec {
    pub http: HttpSpec,
    pub webhook_url: Template,
    pub text: Option<Template>,
}

/// PagerDuty Events v2 severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Critical,
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PagerdutySpec {
    pub http: HttpSpec,
    pub api_url: Option<Template>,
    pub routing_key: Template,
    pub severity: Option<Severity>,
    pub summary: Option<Template>,
    pub source: Option<Template>,
    pub component: Option<Template>,
    pub group: Option<Template>,
    pub class: Option<Template>,
    pub dedup_key: Option<Template>,
    /// Send a resolve event once a run is healthy again. Default true.
    pub resolve: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookMethod {
    Post,
    Put,
    Patch,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSpec {
    pub http: HttpSpec,
    pub url: Template,
    pub method: Option<WebhookMethod>,
    pub headers: TemplateMap,
    pub body: TemplateMap,
    pub secret: Option<Template>,
}

impl AirflowApi {
    pub const NAMES: &'static [&'static str] = &["v2", "v1"];

    pub fn from_name(name: &str) -> Option<AirflowApi> {
        match name {
            "v2" => Some(AirflowApi::V2),
            "v1" => Some(AirflowApi::V1),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AirflowApi::V2 => "v2",
            AirflowApi::V1 => "v1",
        }
    }
}

impl Severity {
    pub const NAMES: &'static [&'static str] = &["critical", "error", "warning", "info"];

    pub fn from_name(name: &str) -> Option<Severity> {
        match name {
            "critical" => Some(Severity::Critical),
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl WebhookMethod {
    pub const NAMES: &'static [&'static str] = &["POST", "PUT", "PATCH"];

    pub fn from_name(name: &str) -> Option<WebhookMethod> {
        match name {
            "POST" => Some(WebhookMethod::Post),
            "PUT" => Some(WebhookMethod::Put),
            "PATCH" => Some(WebhookMethod::Patch),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            WebhookMethod::Post => "POST",
            WebhookMethod::Put => "PUT",
            WebhookMethod::Patch => "PATCH",
        }
    }
}

/// The value of one key as the file has it, for `policy explain` and for
/// listing an action's templates.
#[derive(Debug, Clone, Copy)]
pub enum KeyValue<'a> {
    Text(&'a Template),
    Map(&'a TemplateMap),
    Flag(bool),
    Number(f64),
    Choice(&'static str),
}

impl Serialize for KeyValue<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            KeyValue::Text(t) => t.serialize(s),
            KeyValue::Map(m) => m.serialize(s),
            KeyValue::Flag(b) => b.serialize(s),
            KeyValue::Number(n) => n.serialize(s),
            KeyValue::Choice(c) => c.serialize(s),
        }
    }
}

/// Collects the keys a spec holds: absent options, empty maps and flags at
/// their default are left out, as the file leaves them out.
#[derive(Default)]
struct Keys<'a>(Vec<(&'static str, KeyValue<'a>)>);

impl<'a> Keys<'a> {
    fn text(&mut self, key: &'static str, t: &'a Template) -> &mut Self {
        self.0.push((key, KeyValue::Text(t)));
        self
    }

    fn opt(&mut self, key: &'static str, t: &'a Option<Template>) -> &mut Self {
        if let Some(t) = t {
            self.0.push((key, KeyValue::Text(t)));
        }
        self
    }

    fn map(&mut self, key: &'static str, m: &'a TemplateMap) -> &mut Self {
        if !m.is_empty() {
            self.0.push((key, KeyValue::Map(m)));
        }
        self
    }

    fn flag(&mut self, key: &'static str, value: bool, default: bool) -> &mut Self {
        if value != default {
            self.0.push((key, KeyValue::Flag(value)));
        }
        self
    }

    fn number(&mut self, key: &'static str, n: Option<f64>) -> &mut Self {
        if let Some(n) = n {
            self.0.push((key, KeyValue::Number(n)));
        }
        self
    }

    fn choice(&mut self, key: &'static str, c: Option<&'static str>) -> &mut Self {
        if let Some(c) = c {
            self.0.push((key, KeyValue::Choice(c)));
        }
        self
    }

    fn http(&mut self, h: &HttpSpec) -> &mut Self {
        self.flag("allow_insecure_http", h.allow_insecure_http, false)
            .number("max_attempts", h.max_attempts)
    }

    fn mlflow(&mut self, c: &'a MlflowConnSpec) -> &mut Self {
        self.opt("tracking_uri", &c.tracking_uri)
            .opt("username", &c.username)
            .opt("password", &c.password)
            .opt("token", &c.token)
    }
}

impl ServiceSpec {
    pub fn service(&self) -> Service {
        match self {
            ServiceSpec::MlflowRollback(_) => Service::MlflowRollback,
            ServiceSpec::MlflowPromote(_) => Service::MlflowPromote,
            ServiceSpec::MlflowLog(_) => Service::MlflowLog,
            ServiceSpec::GithubWorkflow(_) => Service::GithubWorkflow,
            ServiceSpec::GithubDispatch(_) => Service::GithubDispatch,
            ServiceSpec::GitlabPipeline(_) => Service::GitlabPipeline,
            ServiceSpec::Jenkins(_) => Service::Jenkins,
            ServiceSpec::Airflow(_) => Service::Airflow,
            ServiceSpec::ArgoWorkflow(_) => Service::ArgoWorkflow,
            ServiceSpec::Slack(_) => Service::Slack,
            ServiceSpec::Pagerduty(_) => Service::Pagerduty,
            ServiceSpec::Webhook(_) => Service::Webhook,
        }
    }

    pub fn http(&self) -> &HttpSpec {
        match self {
            ServiceSpec::MlflowRollback(s) => &s.http,
            ServiceSpec::MlflowPromote(s) => &s.http,
            ServiceSpec::MlflowLog(s) => &s.http,
            ServiceSpec::GithubWorkflow(s) => &s.http,
            ServiceSpec::GithubDispatch(s) => &s.http,
            ServiceSpec::GitlabPipeline(s) => &s.http,
            ServiceSpec::Jenkins(s) => &s.http,
            ServiceSpec::Airflow(s) => &s.http,
            ServiceSpec::ArgoWorkflow(s) => &s.http,
            ServiceSpec::Slack(s) => &s.http,
            ServiceSpec::Pagerduty(s) => &s.http,
            ServiceSpec::Webhook(s) => &s.http,
        }
    }

    /// The keys the spec holds, by name, in name order (the order `policy
    /// explain` prints them in).
    pub fn keys(&self) -> Vec<(&'static str, KeyValue<'_>)> {
        let mut k = Keys::default();
        k.http(self.http());
        match self {
            ServiceSpec::MlflowRollback(s) => {
                k.mlflow(&s.conn)
                    .text("model", &s.model)
                    .opt("alias", &s.alias)
                    .opt("previous_alias", &s.previous_alias)
                    .opt("approved_tag", &s.approved_tag)
                    .flag("use_stages", s.use_stages, false)
                    .opt("stage", &s.stage);
            }
            ServiceSpec::MlflowPromote(s) => {
                k.mlflow(&s.conn)
                    .text("model", &s.model)
                    .text("candidate", &s.candidate)
                    .opt("alias", &s.alias)
                    .opt("previous_alias", &s.previous_alias)
                    .opt("metric", &s.metric)
                    .number("min", s.min)
                    .number("max", s.max)
                    .opt("better_than", &s.better_than)
                    .flag("lower_is_better", s.lower_is_better, false)
                    .flag("no_check", s.no_check, false);
            }
            ServiceSpec::MlflowLog(s) => {
                k.mlflow(&s.conn)
                    .text("experiment", &s.experiment)
                    .opt("run_name", &s.run_name)
                    .map("tags", &s.tags);
            }
            ServiceSpec::GithubWorkflow(s) => {
                k.opt("api_url", &s.api_url)
                    .text("repo", &s.repo)
                    .text("workflow", &s.workflow)
                    .text("ref", &s.git_ref)
                    .text("token", &s.token)
                    .map("inputs", &s.inputs);
            }
            ServiceSpec::GithubDispatch(s) => {
                k.opt("api_url", &s.api_url)
                    .text("repo", &s.repo)
                    .text("event_type", &s.event_type)
                    .text("token", &s.token)
                    .map("client_payload", &s.client_payload);
            }
            ServiceSpec::GitlabPipeline(s) => {
                k.opt("api_url", &s.api_url)
                    .text("project", &s.project)
                    .text("ref", &s.git_ref)
                    .opt("trigger_token", &s.trigger_token)
                    .opt("token", &s.token)
                    .map("variables", &s.variables);
            }
            ServiceSpec::Jenkins(s) => {
                k.text("url", &s.url)
                    .text("job", &s.job)
                    .opt("user", &s.user)
                    .opt("token", &s.token)
                    .map("parameters", &s.parameters);
            }
            ServiceSpec::Airflow(s) => {
                k.text("api_url", &s.api_url)
                    .text("dag_id", &s.dag_id)
                    .choice("api_version", s.api_version.map(AirflowApi::name))
                    .opt("username", &s.username)
                    .opt("password", &s.password)
                    .opt("token", &s.token)
                    .map("conf", &s.conf)
                    .opt("note", &s.note);
            }
            ServiceSpec::ArgoWorkflow(s) => {
                k.text("api_url", &s.api_url)
                    .text("namespace", &s.namespace)
                    .text("template", &s.template)
                    .flag("cluster_template", s.cluster_template, false)
                    .opt("token", &s.token)
                    .map("parameters", &s.parameters);
            }
            ServiceSpec::Slack(s) => {
                k.text("webhook_url", &s.webhook_url).opt("text", &s.text);
            }
            ServiceSpec::Pagerduty(s) => {
                k.opt("api_url", &s.api_url)
                    .text("routing_key", &s.routing_key)
                    .choice("severity", s.severity.map(Severity::name))
                    .opt("summary", &s.summary)
                    .opt("source", &s.source)
                    .opt("component", &s.component)
                    .opt("group", &s.group)
                    .opt("class", &s.class)
                    .opt("dedup_key", &s.dedup_key)
                    .flag("resolve", s.resolve, true);
            }
            ServiceSpec::Webhook(s) => {
                k.text("url", &s.url)
                    .choice("method", s.method.map(WebhookMethod::name))
                    .map("headers", &s.headers)
                    .map("body", &s.body)
                    .opt("secret", &s.secret);
            }
        }
        let mut keys = k.0;
        keys.sort_by_key(|(name, _)| *name);
        keys
    }
}
