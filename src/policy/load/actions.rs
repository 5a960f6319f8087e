//! Actions: the types this build supports, the parameters of each
//! (required, optional, their kinds) read into a typed spec, and the checks
//! that keep secrets out of the file.

use std::collections::BTreeMap;
use std::time::Duration;

use saphyr::Scalar;

use super::checker::{kind, shorten, Checker, Field, Fields, Kind};
use super::paths::{at_index, at_key, suggest};
use super::sections::ACTION_KEYS;
use super::tree::Node;
use crate::policy::model::{
    ActionKind, ActionSpec, AirflowApi, AirflowSpec, ArgoWorkflowSpec, GithubDispatchSpec,
    GithubWorkflowSpec, GitlabPipelineSpec, HttpSpec, JenkinsSpec, MlflowConnSpec, MlflowLogSpec,
    MlflowPromoteSpec, MlflowRollbackSpec, PagerdutySpec, Purpose, Service, ServiceSpec, Severity,
    SlackSpec, TemplateMap, WebhookMethod, WebhookSpec,
};
use crate::policy::template::Template;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// HTTP actions: the whole exchange, retries included. A trigger or a
/// notification that has not gone through in 2 minutes won't, and a run
/// should not hang on it.
const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(2 * 60);

/// An action type: what `type:` says, the keys it reads besides
/// [`ACTION_KEYS`], and how it reads them. Adding a type is one entry here
/// and its keys, one variant of [`Service`], and its action in `actions`.
struct ActionType {
    name: &'static str,
    /// The purpose when neither `purpose:` nor the action's name says.
    purpose: Purpose,
    read: Reader,
}

enum Reader {
    Exec,
    Service(Service, &'static [&'static [ParamSpec]]),
}

impl ActionType {
    fn keys(&self) -> Vec<&'static str> {
        match &self.read {
            Reader::Exec => vec!["command", "env", "set_env", "cwd"],
            Reader::Service(_, groups) => groups
                .iter()
                .flat_map(|g| g.iter().map(|p| p.key))
                .collect(),
        }
    }
}

/// One key of a service action type.
struct ParamSpec {
    key: &'static str,
    kind: ParamKind,
    required: bool,
}

#[derive(Clone, Copy)]
enum ParamKind {
    /// A template.
    Text,
    /// A template; written out, it must be an http(s) URL.
    Url,
    /// A mapping of names to templates, at most this many entries.
    Map(usize),
    Flag,
    /// A number in the range.
    Number(f64, f64),
    /// One of these, exactly.
    Choice(&'static [&'static str]),
}

const fn opt(key: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec {
        key,
        kind,
        required: false,
    }
}

const fn req(key: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec {
        key,
        kind,
        required: true,
    }
}

use ParamKind::{Choice, Flag, Map, Number, Text, Url};

/// Every HTTP action: retries and plain-http permission.
const HTTP_KEYS: &[ParamSpec] = &[
    opt("allow_insecure_http", Flag),
    opt("max_attempts", Number(1.0, 10.0)),
];

/// MLflow's connection and auth, as its own clients take them.
const MLFLOW_KEYS: &[ParamSpec] = &[
    opt("tracking_uri", Url),
    opt("username", Text),
    opt("password", Text),
    opt("token", Text),
];

const MLFLOW_ROLLBACK: &[ParamSpec] = &[
    req("model", Text),
    opt("alias", Text),
    opt("previous_alias", Text),
    opt("approved_tag", Text),
    opt("use_stages", Flag),
    opt("stage", Text),
];

const MLFLOW_PROMOTE: &[ParamSpec] = &[
    req("model", Text),
    req("candidate", Text),
    opt("alias", Text),
    opt("previous_alias", Text),
    opt("metric", Text),
    opt("min", Number(f64::NEG_INFINITY, f64::INFINITY)),
    opt("max", Number(f64::NEG_INFINITY, f64::INFINITY)),
    opt("better_than", Text),
    opt("lower_is_better", Flag),
    opt("no_check", Flag),
];

const MLFLOW_LOG: &[ParamSpec] = &[
    req("experiment", Text),
    opt("run_name", Text),
    opt("tags", Map(100)),
];

const GITHUB_WORKFLOW: &[ParamSpec] = &[
    opt("api_url", Url),
    req("repo", Text),
    req("workflow", Text),
    req("ref", Text),
    req("token", Text),
    // GitHub takes at most 10 inputs.
    opt("inputs", Map(10)),
];

const GITHUB_DISPATCH: &[ParamSpec] = &[
    opt("api_url", Url),
    req("repo", Text),
    req("event_type", Text),
    req("token", Text),
    opt("client_payload", Map(10)),
];

const GITLAB_PIPELINE: &[ParamSpec] = &[
    opt("api_url", Url),
    req("project", Text),
    req("ref", Text),
    opt("trigger_token", Text),
    opt("token", Text),
    opt("variables", Map(200)),
];

const JENKINS: &[ParamSpec] = &[
    req("url", Url),
    req("job", Text),
    opt("user", Text),
    opt("token", Text),
    opt("parameters", Map(200)),
];

const AIRFLOW: &[ParamSpec] = &[
    req("api_url", Url),
    req("dag_id", Text),
    opt("api_version", Choice(AirflowApi::NAMES)),
    opt("username", Text),
    opt("password", Text),
    opt("token", Text),
    opt("conf", Map(200)),
    opt("note", Text),
];

const ARGO_WORKFLOW: &[ParamSpec] = &[
    req("api_url", Url),
    req("namespace", Text),
    req("template", Text),
    opt("cluster_template", Flag),
    opt("token", Text),
    opt("parameters", Map(200)),
];

const SLACK: &[ParamSpec] = &[req("webhook_url", Url), opt("text", Text)];

const PAGERDUTY: &[ParamSpec] = &[
    opt("api_url", Url),
    req("routing_key", Text),
    opt("severity", Choice(Severity::NAMES)),
    opt("summary", Text),
    opt("source", Text),
    opt("component", Text),
    opt("group", Text),
    opt("class", Text),
    opt("dedup_key", Text),
    opt("resolve", Flag),
];

const WEBHOOK: &[ParamSpec] = &[
    req("url", Url),
    opt("method", Choice(WebhookMethod::NAMES)),
    opt("headers", Map(50)),
    opt("body", Map(200)),
    opt("secret", Text),
];

const ACTION_TYPES: &[ActionType] = &[
    ActionType {
        name: "exec",
        purpose: Purpose::Other,
        read: Reader::Exec,
    },
    ActionType {
        name: "mlflow_rollback",
        purpose: Purpose::Rollback,
        read: Reader::Service(
            Service::MlflowRollback,
            &[MLFLOW_KEYS, HTTP_KEYS, MLFLOW_ROLLBACK],
        ),
    },
    ActionType {
        name: "mlflow_promote",
        purpose: Purpose::Other,
        read: Reader::Service(
            Service::MlflowPromote,
            &[MLFLOW_KEYS, HTTP_KEYS, MLFLOW_PROMOTE],
        ),
    },
    ActionType {
        name: "mlflow_log",
        purpose: Purpose::Notify,
        read: Reader::Service(Service::MlflowLog, &[MLFLOW_KEYS, HTTP_KEYS, MLFLOW_LOG]),
    },
    ActionType {
        name: "github_workflow",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::GithubWorkflow, &[HTTP_KEYS, GITHUB_WORKFLOW]),
    },
    ActionType {
        name: "github_dispatch",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::GithubDispatch, &[HTTP_KEYS, GITHUB_DISPATCH]),
    },
    ActionType {
        name: "gitlab_pipeline",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::GitlabPipeline, &[HTTP_KEYS, GITLAB_PIPELINE]),
    },
    ActionType {
        name: "jenkins",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::Jenkins, &[HTTP_KEYS, JENKINS]),
    },
    ActionType {
        name: "airflow",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::Airflow, &[HTTP_KEYS, AIRFLOW]),
    },
    ActionType {
        name: "argo_workflow",
        purpose: Purpose::Retrain,
        read: Reader::Service(Service::ArgoWorkflow, &[HTTP_KEYS, ARGO_WORKFLOW]),
    },
    ActionType {
        name: "slack",
        purpose: Purpose::Notify,
        read: Reader::Service(Service::Slack, &[HTTP_KEYS, SLACK]),
    },
    ActionType {
        name: "pagerduty",
        purpose: Purpose::Notify,
        read: Reader::Service(Service::Pagerduty, &[HTTP_KEYS, PAGERDUTY]),
    },
    ActionType {
        name: "webhook",
        purpose: Purpose::Notify,
        read: Reader::Service(Service::Webhook, &[HTTP_KEYS, WEBHOOK]),
    },
];

pub(super) fn read_action(c: &mut Checker, field: &Field) -> Option<ActionSpec> {
    let fields = c.mapping(field.value, &field.path, field.key_node.span.start)?;
    let action_type = c.required(&fields, "type").and_then(|f| action_type(c, f));
    // With an unknown type, the other keys may well be that type's: only
    // the type is reported.
    if let Some(t) = action_type {
        let known: Vec<&str> = ACTION_KEYS.iter().copied().chain(t.keys()).collect();
        c.unknown_keys(&fields, &known);
    }
    let purpose = fields.get("purpose").and_then(|f| {
        match c.choice(
            f.value,
            &f.path,
            "purpose",
            &["retrain", "rollback", "notify", "other"],
        )? {
            "retrain" => Some(Purpose::Retrain),
            "rollback" => Some(Purpose::Rollback),
            "notify" => Some(Purpose::Notify),
            _ => Some(Purpose::Other),
        }
    });
    let purpose = purpose
        .or_else(|| purpose_from_name(field.key))
        .or(action_type.map(|t| t.purpose))
        .unwrap_or(Purpose::Other);
    let require_approval = fields
        .get("require_approval")
        .and_then(|f| c.boolean(f.value, &f.path))
        .unwrap_or(false);
    let max_rollback_depth = fields.get("max_rollback_depth").and_then(|f| {
        let depth = c.count(f.value, &f.path, 1)?;
        if purpose != Purpose::Rollback {
            c.at(
                f.key_node.span.start,
                &f.path,
                "only applies to rollback actions; add `purpose: rollback` or remove it",
            );
        }
        Some(depth)
    });
    let timeout = fields
        .get("timeout")
        .and_then(|f| c.duration(f.value, &f.path, true))
        .unwrap_or(match action_type.map(|t| &t.read) {
            Some(Reader::Service(..)) => DEFAULT_HTTP_TIMEOUT,
            _ => DEFAULT_TIMEOUT,
        });
    let kind = match &action_type?.read {
        Reader::Exec => read_exec(c, &fields)?,
        Reader::Service(service, groups) => read_service(c, &fields, *service, groups)?,
    };
    Some(ActionSpec {
        name: field.key.to_string(),
        purpose,
        require_approval,
        max_rollback_depth,
        timeout,
        kind,
    })
}

fn action_type(c: &mut Checker, field: &Field) -> Option<&'static ActionType> {
    let name = c.string(field.value, &field.path)?;
    if let Some(t) = ACTION_TYPES.iter().find(|t| t.name == name) {
        return Some(t);
    }
    let names: Vec<&str> = ACTION_TYPES.iter().map(|t| t.name).collect();
    let hint = suggest(&name, names.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    c.at(
        field.value.span.start,
        &field.path,
        format!(
            "unknown action type `{}`; this build supports: {}{hint}",
            shorten(&name),
            names.join(", ")
        ),
    );
    None
}

fn purpose_from_name(name: &str) -> Option<Purpose> {
    let name = name.to_ascii_lowercase();
    if name.contains("retrain") {
        Some(Purpose::Retrain)
    } else if name.contains("rollback") {
        Some(Purpose::Rollback)
    } else if ["notify", "page", "alert", "slack"]
        .iter()
        .any(|w| name.contains(w))
    {
        Some(Purpose::Notify)
    } else {
        None
    }
}

fn read_service(
    c: &mut Checker,
    fields: &Fields,
    service: Service,
    groups: &[&[ParamSpec]],
) -> Option<ActionKind> {
    let mut params = BTreeMap::new();
    let mut valid = true;
    for spec in groups.iter().flat_map(|g| g.iter()) {
        let Some(f) = fields.get(spec.key) else {
            if spec.required {
                valid &= c.required(fields, spec.key).is_some();
            }
            continue;
        };
        let value = match spec.kind {
            Text => c.action_template(f.value, &f.path).map(Param::Text),
            Url => c.action_template(f.value, &f.path).and_then(|t| {
                if t.is_literal()
                    && !t.source().starts_with("https://")
                    && !t.source().starts_with("http://")
                {
                    c.at(
                        f.value.span.start,
                        &f.path,
                        format!("`{}` is not an http(s) URL", shorten(t.source())),
                    );
                    return None;
                }
                Some(Param::Text(t))
            }),
            Map(max) => c
                .values(f, |c, f| c.action_template(f.value, &f.path))
                .and_then(|m| {
                    if m.len() > max {
                        c.at(
                            f.key_node.span.start,
                            &f.path,
                            format!(
                                "has {} entries; {} takes at most {max}",
                                m.len(),
                                service.type_name()
                            ),
                        );
                        return None;
                    }
                    Some(Param::Map(m))
                }),
            Flag => c.boolean(f.value, &f.path).map(Param::Flag),
            Number(min, max) => c.number(f.value, &f.path, min, max).map(Param::Number),
            Choice(options) => c
                .choice(f.value, &f.path, spec.key, options)
                .map(Param::Choice),
        };
        match value {
            Some(v) => {
                params.insert(spec.key.to_string(), v);
            }
            None => valid = false,
        }
    }
    if service == Service::GitlabPipeline
        && !params.contains_key("trigger_token")
        && !params.contains_key("token")
    {
        c.at(
            fields.owner,
            &fields.path,
            "needs `trigger_token` (a pipeline trigger token) or `token` (a personal or project access token)",
        );
        valid = false;
    }
    if service == Service::MlflowPromote {
        let bounds = ["min", "max", "better_than"]
            .iter()
            .any(|k| params.contains_key(*k));
        let metric = params.contains_key("metric");
        let unchecked = matches!(params.get("no_check"), Some(Param::Flag(true)));
        let problem = match (metric, bounds, unchecked) {
            (true, false, false) => {
                Some("`metric` needs `min`, `max` or `better_than` to check it against")
            }
            (false, true, _) => Some("`min`, `max` and `better_than` need the `metric` they check"),
            (true, true, true) | (true, false, true) => {
                Some("`no_check: true` promotes without checks; remove it or the `metric` keys")
            }
            (false, false, false) => Some(
                "needs a check (`metric` with `min`, `max` or `better_than`), or `no_check: true` to promote unchecked",
            ),
            _ => None,
        };
        if let Some(problem) = problem {
            c.at(fields.owner, &fields.path, problem);
            valid = false;
        }
    }
    if !valid {
        return None;
    }
    service_spec(service, Bag(params)).map(ActionKind::Service)
}

/// One checked key, before it lands in its typed field.
enum Param {
    Text(Template),
    Map(TemplateMap),
    Flag(bool),
    Number(f64),
    Choice(&'static str),
}

/// The checked keys of one service action, taken out one by one into its
/// typed spec. A key of the wrong kind cannot be here: the table read it.
struct Bag(BTreeMap<String, Param>);

impl Bag {
    fn text(&mut self, key: &str) -> Option<Template> {
        match self.0.remove(key) {
            Some(Param::Text(t)) => Some(t),
            _ => None,
        }
    }

    fn map(&mut self, key: &str) -> TemplateMap {
        match self.0.remove(key) {
            Some(Param::Map(m)) => m,
            _ => TemplateMap::new(),
        }
    }

    fn flag(&mut self, key: &str) -> Option<bool> {
        match self.0.remove(key) {
            Some(Param::Flag(b)) => Some(b),
            _ => None,
        }
    }

    fn number(&mut self, key: &str) -> Option<f64> {
        match self.0.remove(key) {
            Some(Param::Number(n)) => Some(n),
            _ => None,
        }
    }

    fn choice(&mut self, key: &str) -> Option<&'static str> {
        match self.0.remove(key) {
            Some(Param::Choice(c)) => Some(c),
            _ => None,
        }
    }

    fn http(&mut self) -> HttpSpec {
        HttpSpec {
            allow_insecure_http: self.flag("allow_insecure_http").unwrap_or(false),
            max_attempts: self.number("max_attempts"),
        }
    }

    fn mlflow(&mut self) -> MlflowConnSpec {
        MlflowConnSpec {
            tracking_uri: self.text("tracking_uri"),
            username: self.text("username"),
            password: self.text("password"),
            token: self.text("token"),
        }
    }
}

/// The typed spec of checked keys; `None` only if a required key is
/// missing, which the table has reported already.
fn service_spec(service: Service, mut b: Bag) -> Option<ServiceSpec> {
    let http = b.http();
    let spec = match service {
        Service::MlflowRollback => ServiceSpec::MlflowRollback(MlflowRollbackSpec {
            http,
            conn: b.mlflow(),
            model: b.text("model")?,
            alias: b.text("alias"),
            previous_alias: b.text("previous_alias"),
            approved_tag: b.text("approved_tag"),
            use_stages: b.flag("use_stages").unwrap_or(false),
            stage: b.text("stage"),
        }),
        Service::MlflowPromote => ServiceSpec::MlflowPromote(MlflowPromoteSpec {
            http,
            conn: b.mlflow(),
            model: b.text("model")?,
            candidate: b.text("candidate")?,
            alias: b.text("alias"),
            previous_alias: b.text("previous_alias"),
            metric: b.text("metric"),
            min: b.number("min"),
            max: b.number("max"),
            better_than: b.text("better_than"),
            lower_is_better: b.flag("lower_is_better").unwrap_or(false),
            no_check: b.flag("no_check").unwrap_or(false),
        }),
        Service::MlflowLog => ServiceSpec::MlflowLog(MlflowLogSpec {
            http,
            conn: b.mlflow(),
            experiment: b.text("experiment")?,
            run_name: b.text("run_name"),
            tags: b.map("tags"),
        }),
        Service::GithubWorkflow => ServiceSpec::GithubWorkflow(GithubWorkflowSpec {
            http,
            api_url: b.text("api_url"),
            repo: b.text("repo")?,
            workflow: b.text("workflow")?,
            git_ref: b.text("ref")?,
            token: b.text("token")?,
            inputs: b.map("inputs"),
        }),
        Service::GithubDispatch => ServiceSpec::GithubDispatch(GithubDispatchSpec {
            http,
            api_url: b.text("api_url"),
            repo: b.text("repo")?,
            event_type: b.text("event_type")?,
            token: b.text("token")?,
            client_payload: b.map("client_payload"),
        }),
        Service::GitlabPipeline => ServiceSpec::GitlabPipeline(GitlabPipelineSpec {
            http,
            api_url: b.text("api_url"),
            project: b.text("project")?,
            git_ref: b.text("ref")?,
            trigger_token: b.text("trigger_token"),
            token: b.text("token"),
            variables: b.map("variables"),
        }),
        Service::Jenkins => ServiceSpec::Jenkins(JenkinsSpec {
            http,
            url: b.text("url")?,
            job: b.text("job")?,
            user: b.text("user"),
            token: b.text("token"),
            parameters: b.map("parameters"),
        }),
        Service::Airflow => ServiceSpec::Airflow(AirflowSpec {
            http,
            api_url: b.text("api_url")?,
            dag_id: b.text("dag_id")?,
            api_version: b.choice("api_version").and_then(AirflowApi::from_name),
            username: b.text("username"),
            password: b.text("password"),
            token: b.text("token"),
            conf: b.map("conf"),
            note: b.text("note"),
        }),
        Service::ArgoWorkflow => ServiceSpec::ArgoWorkflow(ArgoWorkflowSpec {
            http,
            api_url: b.text("api_url")?,
            namespace: b.text("namespace")?,
            template: b.text("template")?,
            cluster_template: b.flag("cluster_template").unwrap_or(false),
            token: b.text("token"),
            parameters: b.map("parameters"),
        }),
        Service::Slack => ServiceSpec::Slack(SlackSpec {
            http,
            webhook_url: b.text("webhook_url")?,
            text: b.text("text"),
        }),
        Service::Pagerduty => ServiceSpec::Pagerduty(PagerdutySpec {
            http,
            api_url: b.text("api_url"),
            routing_key: b.text("routing_key")?,
            severity: b.choice("severity").and_then(Severity::from_name),
            summary: b.text("summary"),
            source: b.text("source"),
            component: b.text("component"),
            group: b.text("group"),
            class: b.text("class"),
            dedup_key: b.text("dedup_key"),
            resolve: b.flag("resolve").unwrap_or(true),
        }),
        Service::Webhook => ServiceSpec::Webhook(WebhookSpec {
            http,
            url: b.text("url")?,
            method: b.choice("method").and_then(WebhookMethod::from_name),
            headers: b.map("headers"),
            body: b.map("body"),
            secret: b.text("secret"),
        }),
    };
    // A key in the table but not in the struct would be dropped silently.
    debug_assert!(
        b.0.is_empty(),
        "{} keys read but not stored: {:?}",
        service.type_name(),
        b.0.keys().collect::<Vec<_>>()
    );
    Some(spec)
}

fn read_exec(c: &mut Checker, fields: &Fields) -> Option<ActionKind> {
    let command = c.required(fields, "command").and_then(|f| {
        let command = c.items(f.value, &f.path, Checker::action_template)?;
        if command.is_empty() {
            c.at(
                f.value.span.start,
                &f.path,
                "needs at least the program to run, e.g. [\"./scripts/retrain.sh\"]",
            );
            return None;
        }
        Some(command)
    });
    let env = match fields.get("env") {
        None => Some(Vec::new()),
        Some(f) => c.items(f.value, &f.path, |c, item, path| {
            let name = c.string(item, path)?;
            env_name(c, item, path, &name).then_some(name)
        }),
    };
    let set_env = match fields.get("set_env") {
        None => Some(BTreeMap::new()),
        Some(f) => c.values(f, |c, f| {
            let valid_name = env_name(c, f.key_node, &f.path, f.key);
            let value = c.action_template(f.value, &f.path)?;
            valid_name.then_some(value)
        }),
    };
    let cwd = fields
        .get("cwd")
        .and_then(|f| c.non_empty_string(f.value, &f.path));
    Some(ActionKind::Exec {
        command: command?,
        env: env?,
        set_env: set_env?,
        cwd,
    })
}

/// Reports `name` unless it is a portable environment variable name.
fn env_name(c: &mut Checker, node: &Node, path: &str, name: &str) -> bool {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    if !valid {
        c.at(
            node.span.start,
            path,
            format!(
                "`{}` is not an environment variable name: use letters, digits and `_`, not starting with a digit",
                shorten(name)
            ),
        );
    }
    valid
}

/// Key names that hold credentials (compared lowercase, `-` as `_`).
const SECRET_KEYS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "routing_key",
    "webhook_url",
];

/// Reports every secret-looking key under an action whose value is written
/// out. Policies are reviewed and committed; credentials come from the
/// environment or a file at run time. The value itself is never echoed.
pub(super) fn check_secrets(c: &mut Checker, node: &Node, path: &str) {
    match kind(node) {
        Kind::Map(map) => {
            for (key_node, value) in map.iter() {
                let Kind::Scalar(key) = kind(key_node) else {
                    continue;
                };
                let value_path = at_key(path, key.text);
                if is_secret_key(key.text) && is_literal(value) {
                    c.at(
                        value.span.start,
                        &value_path,
                        "holds a literal secret; use \"{{ env.NAME }}\" or \"{{ secret_file(...) }}\"",
                    );
                }
                check_secrets(c, value, &value_path);
            }
        }
        Kind::List(items) => {
            for (i, item) in items.iter().enumerate() {
                check_secrets(c, item, &at_index(path, i));
            }
        }
        Kind::Scalar(_) | Kind::Unsupported(_) => {}
    }
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace('-', "_");
    SECRET_KEYS.iter().any(|s| key.contains(s))
}

/// A value written out: text or a number without an `{{ env.X }}` or
/// `{{ secret_file("...") }}` hole.
fn is_literal(node: &Node) -> bool {
    let Kind::Scalar(s) = kind(node) else {
        return false;
    };
    match s.value {
        Scalar::Null | Scalar::Boolean(_) => false,
        _ => !s.text.is_empty() && !from_secret_source(s.text),
    }
}

fn from_secret_source(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let inside = &rest[open + 2..];
        let Some(close) = inside.find("}}") else {
            break;
        };
        let placeholder = inside[..close].trim();
        if placeholder.starts_with("env.") || placeholder.contains("secret_file(") {
            return true;
        }
        rest = &inside[close + 2..];
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::load;
    use super::super::tests::{errors, HEAD, TAIL};
    use super::*;

    #[test]
    fn purposes_are_explicit_or_inferred_from_the_name() {
        let text = format!(
            "{HEAD}rules:
  - {{name: r, when: \"quality.errors > 0\", actions: [page-oncall]}}
actions:
  page-oncall: {{type: exec, command: [x]}}
  rollback-model: {{type: exec, command: [x], max_rollback_depth: 2}}
  Retrain_Nightly: {{type: exec, command: [x]}}
  cleanup: {{type: exec, command: [x]}}
  refresh: {{type: exec, command: [x], purpose: retrain, require_approval: true}}
"
        );
        let policy = load("p.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
        let purposes: Vec<(&str, Purpose)> = policy
            .actions
            .iter()
            .map(|(name, a)| (name.as_str(), a.purpose))
            .collect();
        assert_eq!(
            purposes,
            [
                ("Retrain_Nightly", Purpose::Retrain),
                ("cleanup", Purpose::Other),
                ("page-oncall", Purpose::Notify),
                ("refresh", Purpose::Retrain),
                ("rollback-model", Purpose::Rollback),
            ]
        );
        assert_eq!(policy.actions["rollback-model"].max_rollback_depth, Some(2));
        assert!(policy.actions["refresh"].require_approval);
    }

    #[test]
    fn github_takes_at_most_ten_inputs() {
        let inputs: Vec<String> = (0..11).map(|i| format!("i{i}: x")).collect();
        let text = format!("{HEAD}{TAIL}").replace(
            "{type: exec, command: [./notify.sh]}",
            &format!(
                "{{type: github_workflow, repo: a/b, workflow: w.yml, ref: main, token: \"{{{{ env.T }}}}\", inputs: {{{}}}}}",
                inputs.join(", ")
            ),
        );
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!(e[0].path, "actions.notify.inputs");
        assert_eq!(
            e[0].message,
            "has 11 entries; github_workflow takes at most 10"
        );
    }

    #[test]
    fn service_keys_fill_a_typed_spec() {
        let text = format!("{HEAD}{TAIL}").replace(
            "{type: exec, command: [./notify.sh]}",
            "{type: pagerduty, routing_key: \"{{ env.K }}\", severity: error, resolve: false, max_attempts: 3}",
        );
        let policy = load("p.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
        let ActionKind::Service(ServiceSpec::Pagerduty(pd)) = &policy.actions["notify"].kind else {
            panic!("{:?}", policy.actions["notify"].kind);
        };
        assert_eq!(pd.routing_key.source(), "{{ env.K }}");
        assert_eq!(pd.severity, Some(Severity::Error));
        assert!(!pd.resolve);
        assert_eq!(pd.http.max_attempts, Some(3.0));
        assert_eq!(pd.api_url, None);
        let keys: Vec<&str> = ServiceSpec::Pagerduty(pd.clone())
            .keys()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["max_attempts", "resolve", "routing_key", "severity"]);
    }

    /// Every key in the table lands in its type's struct and is listed back
    /// (what `policy explain` prints): a key the struct forgot would be lost.
    #[test]
    fn every_key_of_every_service_type_is_kept() {
        for t in ACTION_TYPES {
            let Reader::Service(_, groups) = &t.read else {
                continue;
            };
            let mut want = Vec::new();
            let mut keys = Vec::new();
            for spec in groups.iter().flat_map(|g| g.iter()) {
                // `no_check` and a metric contradict each other.
                if spec.key == "no_check" {
                    continue;
                }
                let value = match spec.kind {
                    Text | Url => "\"{{ env.X }}\"".to_string(),
                    Map(_) => "{a: b}".to_string(),
                    // Each away from its default, or it is not listed.
                    Flag => (spec.key != "resolve").to_string(),
                    Number(..) => "2".to_string(),
                    Choice(options) => options[options.len() - 1].to_string(),
                };
                keys.push(format!("{}: {value}", spec.key));
                want.push(spec.key);
            }
            let text = format!("{HEAD}{TAIL}").replace(
                "{type: exec, command: [./notify.sh]}",
                &format!("{{type: {}, {}}}", t.name, keys.join(", ")),
            );
            let policy = load("p.yaml", &text).unwrap_or_else(|e| panic!("{}: {e:#?}", t.name));
            let ActionKind::Service(spec) = &policy.actions["notify"].kind else {
                panic!("{}: not a service", t.name);
            };
            let mut got: Vec<&str> = spec.keys().into_iter().map(|(k, _)| k).collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{}", t.name);
        }
    }

    #[test]
    fn a_promote_action_never_moves_the_alias_unchecked_by_accident() {
        let promote = |keys: &str| {
            format!("{HEAD}{TAIL}").replace(
                "{type: exec, command: [./notify.sh]}",
                &format!("{{type: mlflow_promote, tracking_uri: \"http://127.0.0.1:5000\", model: m, candidate: challenger{keys}}}"),
            )
        };
        for (keys, problem) in [
            ("", Some("needs a check")),
            (
                ", metric: accuracy",
                Some("needs `min`, `max` or `better_than`"),
            ),
            (
                ", better_than: champion",
                Some("need the `metric` they check"),
            ),
            (
                ", metric: accuracy, min: 0.8, no_check: true",
                Some("`no_check: true` promotes without checks"),
            ),
            (", metric: accuracy, min: 0.8", None),
            (
                ", metric: log_loss, better_than: champion, lower_is_better: true",
                None,
            ),
            (", no_check: true", None),
        ] {
            let text = promote(keys);
            match (load("p.yaml", &text), problem) {
                (Ok(_), None) => {}
                (Err(e), Some(want)) => assert!(
                    e.len() == 1 && e[0].path == "actions.notify" && e[0].message.contains(want),
                    "{keys}: {e:#?}"
                ),
                (got, want) => panic!("{keys}: expected {want:?}, got {got:#?}"),
            }
        }
    }
}
