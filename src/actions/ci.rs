//! Retrain triggers: GitHub Actions (`workflow_dispatch`,
//! `repository_dispatch`), GitLab pipelines, Jenkins jobs, Airflow DAG runs
//! and Argo WorkflowTemplates. One thin client each, over the shared HTTP
//! layer; request bodies are serde structs in the services' own shapes.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use serde_json::{json, Value};

use super::http::{self, Auth, Failure, Http, HttpOptions, Repeat, Request, Response};
use super::service::{
    self, base, exchange_failure, failed, finish, Invocation, Params, SingleRequest,
};
use super::{Action, Outcome, Status};
use crate::policy::model::{ActionSpec, Service};
use crate::policy::template::Secrets;

pub const GITHUB_API: &str = "https://api.github.com";
pub const GITLAB_API: &str = "https://gitlab.com/api/v4";
const GITHUB_API_VERSION: &str = "2022-11-28";

pub fn build(
    service: Service,
    spec: &ActionSpec,
    p: &Params,
    inv: &Invocation,
    secrets: &mut Secrets,
) -> Result<Box<dyn Action>, String> {
    let options = p.options(spec.timeout);
    let single = |label: &'static str,
                  request: Request,
                  read: service::Reader,
                  conflict_done: bool,
                  secrets: &Secrets| {
        Box::new(SingleRequest {
            service: label,
            request,
            options: options.clone(),
            secrets: secrets.clone(),
            read,
            conflict_done,
            facts: Value::Null,
        }) as Box<dyn Action>
    };
    Ok(match service {
        Service::GithubWorkflow => single(
            "GitHub",
            github_workflow(p, &spec.name)?,
            read_github_run,
            false,
            secrets,
        ),
        Service::GithubDispatch => single(
            "GitHub",
            github_dispatch(p, &spec.name)?,
            service::read_status,
            false,
            secrets,
        ),
        Service::GitlabPipeline => {
            single("GitLab", gitlab_pipeline(p)?, read_gitlab, false, secrets)
        }
        Service::ArgoWorkflow => single(
            "Argo Workflows",
            argo_submit(p, inv),
            read_argo,
            true,
            secrets,
        ),
        Service::Jenkins => {
            let auth = match (p.text("user"), p.text("token")) {
                (Some(user), Some(token)) => {
                    let header = http::basic_auth(user, token);
                    secrets.add(header.trim_start_matches("Basic "));
                    Auth::Basic {
                        user: user.to_string(),
                        password: token.to_string(),
                    }
                }
                _ => Auth::None,
            };
            Box::new(Jenkins {
                base: base(&p.must("url")),
                job_path: jenkins_job_path(&p.must("job")),
                parameters: p.map("parameters"),
                auth,
                options,
                secrets: secrets.clone(),
            })
        }
        Service::Airflow => {
            let v1 = p.text("api_version") == Some("v1");
            let auth = match (p.text("token"), p.text("username"), p.text("password")) {
                (Some(token), _, _) => AirflowAuth::Token(token.to_string()),
                (None, Some(user), Some(password)) if v1 => {
                    let header = http::basic_auth(user, password);
                    secrets.add(header.trim_start_matches("Basic "));
                    AirflowAuth::Basic(user.to_string(), password.to_string())
                }
                (None, Some(user), Some(password)) => {
                    AirflowAuth::Login(user.to_string(), password.to_string())
                }
                _ => AirflowAuth::None,
            };
            Box::new(Airflow {
                base: base(&p.must("api_url")),
                dag_id: p.must("dag_id"),
                v1,
                auth,
                run: AirflowRun {
                    dag_run_id: airflow_run_id(inv),
                    logical_date: if v1 { None } else { Some(Value::Null) },
                    conf: p
                        .map("conf")
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect(),
                    note: p.text("note").map(str::to_string),
                },
                options,
                secrets: secrets.clone(),
            })
        }
        _ => unreachable!("not a CI service: {service:?}"),
    })
}

fn github_repo(p: &Params, action: &str) -> Result<String, String> {
    let repo = p.must("repo");
    match repo.split_once('/') {
        Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok(format!("{}/{}", http::segment(owner), http::segment(name)))
        }
        _ => Err(format!(
            "action `{action}`: `repo` must be `owner/name`, found `{repo}`"
        )),
    }
}

fn github_request(p: &Params, url: String) -> Request {
    Request::post(url)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", GITHUB_API_VERSION)
        .auth(&Auth::Bearer(p.must("token")))
}

/// The body of `POST /repos/{owner}/{repo}/actions/workflows/{id}/dispatches`.
#[derive(Serialize)]
struct WorkflowDispatch {
    #[serde(rename = "ref")]
    git_ref: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    inputs: BTreeMap<String, String>,
    /// github.com answers 200 with the run's id and URLs instead of 204.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    return_run_details: bool,
}

fn github_workflow(p: &Params, action: &str) -> Result<Request, String> {
    let api = base(&p.text_or("api_url", GITHUB_API));
    let url = format!(
        "{api}/repos/{}/actions/workflows/{}/dispatches",
        github_repo(p, action)?,
        http::segment(&p.must("workflow"))
    );
    let body = WorkflowDispatch {
        git_ref: p.must("ref"),
        inputs: p.map("inputs").into_iter().collect(),
        // GitHub Enterprise Server may not know the flag yet.
        return_run_details: api == GITHUB_API,
    };
    Ok(github_request(p, url).json(serde_json::to_value(body).unwrap_or_default()))
}

fn read_github_run(resp: &Response) -> (String, Value) {
    match resp.json() {
        Some(v) if v.get("workflow_run_id").is_some() => {
            let url = v.get("html_url").and_then(Value::as_str).unwrap_or("");
            (
                format!("workflow run {} started {url}", v["workflow_run_id"])
                    .trim_end()
                    .to_string(),
                json!({
                    "workflow_run_id": v["workflow_run_id"],
                    "run_url": v.get("run_url"),
                    "html_url": v.get("html_url"),
                }),
            )
        }
        _ => (
            format!("workflow dispatched ({})", http::status_text(resp.status)),
            Value::Null,
        ),
    }
}

/// The body of `POST /repos/{owner}/{repo}/dispatches`.
#[derive(Serialize)]
struct RepositoryDispatch {
    event_type: String,
    client_payload: BTreeMap<String, String>,
}

fn github_dispatch(p: &Params, action: &str) -> Result<Request, String> {
    let api = base(&p.text_or("api_url", GITHUB_API));
    let url = format!("{api}/repos/{}/dispatches", github_repo(p, action)?);
    let body = RepositoryDispatch {
        event_type: p.must("event_type"),
        client_payload: p.map("client_payload").into_iter().collect(),
    };
    Ok(github_request(p, url).json(serde_json::to_value(body).unwrap_or_default()))
}

/// A variable of `POST /projects/:id/pipeline`.
#[derive(Serialize)]
struct GitlabVariable {
    key: String,
    value: String,
    variable_type: &'static str,
}

#[derive(Serialize)]
struct GitlabPipeline {
    #[serde(rename = "ref")]
    git_ref: String,
    variables: Vec<GitlabVariable>,
}

/// With a trigger token: `POST /projects/:id/trigger/pipeline` (form, token
/// in the body); with an access token: `POST /projects/:id/pipeline`
/// (JSON, `PRIVATE-TOKEN` header).
fn gitlab_pipeline(p: &Params) -> Result<Request, String> {
    let api = base(&p.text_or("api_url", GITLAB_API));
    let project = http::segment(&p.must("project"));
    let variables = p.map("variables");
    if let Some(trigger) = p.text("trigger_token") {
        let mut form = vec![
            ("token".to_string(), trigger.to_string()),
            ("ref".to_string(), p.must("ref")),
        ];
        form.extend(
            variables
                .into_iter()
                .map(|(k, v)| (format!("variables[{k}]"), v)),
        );
        return Ok(Request::post(format!("{api}/projects/{project}/trigger/pipeline")).form(form));
    }
    let body = GitlabPipeline {
        git_ref: p.must("ref"),
        variables: variables
            .into_iter()
            .map(|(key, value)| GitlabVariable {
                key,
                value,
                variable_type: "env_var",
            })
            .collect(),
    };
    Ok(Request::post(format!("{api}/projects/{project}/pipeline"))
        .header("PRIVATE-TOKEN", p.must("token"))
        .json(serde_json::to_value(body).unwrap_or_default()))
}

fn read_gitlab(resp: &Response) -> (String, Value) {
    let v = resp.json().unwrap_or(Value::Null);
    let url = v.get("web_url").and_then(Value::as_str).unwrap_or("");
    (
        format!(
            "pipeline {} created {url}",
            v.get("id").unwrap_or(&Value::Null)
        )
        .trim_end()
        .to_string(),
        json!({ "pipeline_id": v.get("id"), "web_url": v.get("web_url"), "pipeline_status": v.get("status") }),
    )
}

/// `folder/job` -> `/job/folder/job/job`.
pub fn jenkins_job_path(job: &str) -> String {
    job.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| format!("/job/{}", http::segment(s)))
        .collect()
}

/// `POST {url}/job/{job}/buildWithParameters` (or `/build` without
/// parameters) with an API token; when Jenkins still asks for a CSRF crumb
/// (403), one is fetched from `/crumbIssuer/api/json` with its session
/// cookie and the trigger is sent once more.
pub struct Jenkins {
    base: String,
    job_path: String,
    parameters: Vec<(String, String)>,
    auth: Auth,
    options: HttpOptions,
    secrets: Secrets,
}

impl Jenkins {
    fn trigger(&self) -> Request {
        let endpoint = if self.parameters.is_empty() {
            "build"
        } else {
            "buildWithParameters"
        };
        let req =
            Request::post(format!("{}{}/{endpoint}", self.base, self.job_path)).auth(&self.auth);
        if self.parameters.is_empty() {
            req
        } else {
            req.form(self.parameters.clone())
        }
    }

    fn crumb_request(&self) -> Request {
        Request::get(format!("{}/crumbIssuer/api/json", self.base)).auth(&self.auth)
    }
}

impl Action for Jenkins {
    fn describe(&self) -> Value {
        json!({
            "service": "Jenkins",
            "requests": [self.trigger().describe(&self.secrets)],
            "then": "on 403: GET /crumbIssuer/api/json and send again with the crumb",
        })
    }

    fn execute(&self) -> Outcome {
        let started = Instant::now();
        let http = match Http::new(self.options.clone()) {
            Ok(h) => h,
            Err(e) => return finish(failed(e, Value::Null), started, &Value::Null),
        };
        let trigger = self.trigger();
        let mut ex = http.send(&trigger);
        let mut crumb_used = false;
        if let Err(Failure::Status(resp)) = &ex.result {
            if resp.status == 403 {
                let crumb = http.send(&self.crumb_request());
                if let Ok(c) = &crumb.result {
                    if let Some((field, value)) = c.json().and_then(|v| {
                        Some((
                            v.get("crumbRequestField")?.as_str()?.to_string(),
                            v.get("crumb")?.as_str()?.to_string(),
                        ))
                    }) {
                        let mut retry = trigger.clone().header(&field, value);
                        // Crumbs belong to the session that asked for them.
                        let cookies: Vec<&str> = c
                            .headers
                            .iter()
                            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
                            .filter_map(|(_, v)| v.split(';').next())
                            .collect();
                        if !cookies.is_empty() {
                            retry = retry.header("Cookie", cookies.join("; "));
                        }
                        ex = http.send(&retry);
                        crumb_used = true;
                    }
                }
            }
        }
        let detail = http::exchange_detail(&ex, &self.secrets);
        let outcome = match &ex.result {
            Ok(resp) => {
                let queue = resp.header("location").unwrap_or("").to_string();
                Outcome {
                    status: Status::Succeeded,
                    message: format!("build queued {queue}").trim_end().to_string(),
                    detail: service::merge(
                        detail,
                        json!({ "queue_url": queue, "crumb": crumb_used }),
                    ),
                    duration_ms: 0,
                }
            }
            Err(f) => exchange_failure("Jenkins", &trigger, f, detail, &self.secrets),
        };
        finish(outcome, started, &Value::Null)
    }
}

enum AirflowAuth {
    None,
    Token(String),
    /// Airflow 3: exchanged for a JWT at `/auth/token`.
    Login(String, String),
    /// Airflow 2 (`api_version: v1`): basic auth.
    Basic(String, String),
}

/// The body of `POST /api/v{1,2}/dags/{dag_id}/dagRuns`.
#[derive(Serialize, Clone)]
struct AirflowRun {
    dag_run_id: String,
    /// v2 requires the key; `null` = no data interval (run now).
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_date: Option<Value>,
    conf: serde_json::Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// Deterministic per decision: a repeat answers 409, which is "done".
fn airflow_run_id(inv: &Invocation) -> String {
    let key: String = inv.idempotency_key.chars().take(12).collect();
    format!("driftmend__{}__{key}", inv.run_id)
}

pub struct Airflow {
    base: String,
    dag_id: String,
    v1: bool,
    auth: AirflowAuth,
    run: AirflowRun,
    options: HttpOptions,
    secrets: Secrets,
}

impl Airflow {
    fn token_request(&self, user: &str, password: &str) -> Request {
        Request::post(format!("{}/auth/token", self.base))
            .json(json!({ "username": user, "password": password }))
            .repeat(Repeat::Safe)
    }

    fn trigger(&self, bearer: Option<&str>) -> Request {
        let version = if self.v1 { "v1" } else { "v2" };
        let req = Request::post(format!(
            "{}/api/{version}/dags/{}/dagRuns",
            self.base,
            http::segment(&self.dag_id)
        ))
        .json(serde_json::to_value(&self.run).unwrap_or_default())
        // The dag_run_id makes a repeat harmless (409).
        .repeat(Repeat::Safe);
        match (&self.auth, bearer) {
            (_, Some(token)) => req.auth(&Auth::Bearer(token.to_string())),
            (AirflowAuth::Token(t), None) => req.auth(&Auth::Bearer(t.clone())),
            (AirflowAuth::Basic(u, p), None) => req.auth(&Auth::Basic {
                user: u.clone(),
                password: p.clone(),
            }),
            _ => req,
        }
    }
}

impl Action for Airflow {
    fn describe(&self) -> Value {
        let mut requests = Vec::new();
        let trigger = if let AirflowAuth::Login(u, p) = &self.auth {
            requests.push(self.token_request(u, p).describe(&self.secrets));
            self.trigger(Some("<access_token from /auth/token>"))
        } else {
            self.trigger(None)
        };
        requests.push(trigger.describe(&self.secrets));
        json!({ "service": "Airflow", "requests": requests })
    }

    fn execute(&self) -> Outcome {
        let started = Instant::now();
        let http = match Http::new(self.options.clone()) {
            Ok(h) => h,
            Err(e) => return finish(failed(e, Value::Null), started, &Value::Null),
        };
        let mut secrets = self.secrets.clone();
        let token = match &self.auth {
            AirflowAuth::Login(u, p) => {
                let req = self.token_request(u, p);
                let ex = http.send(&req);
                let token = ex
                    .result
                    .as_ref()
                    .ok()
                    .and_then(|r| r.json()?.get("access_token")?.as_str().map(str::to_string));
                match (token, &ex.result) {
                    (Some(t), _) => {
                        secrets.add(&t);
                        Some(t)
                    }
                    (None, Err(f)) => {
                        let detail = http::exchange_detail(&ex, &secrets);
                        let mut o = failed(
                            format!(
                                "cannot get a token: {}",
                                http::failure_text("Airflow", f, &secrets)
                            ),
                            detail,
                        );
                        o.status = Status::Failed;
                        return finish(o, started, &Value::Null);
                    }
                    (None, Ok(_)) => {
                        return finish(
                            failed(
                                "Airflow's /auth/token answer has no access_token".into(),
                                Value::Null,
                            ),
                            started,
                            &Value::Null,
                        )
                    }
                }
            }
            _ => None,
        };
        let req = self.trigger(token.as_deref());
        let ex = http.send(&req);
        let detail = service::merge(
            http::exchange_detail(&ex, &secrets),
            json!({ "dag_run_id": self.run.dag_run_id }),
        );
        let outcome = match &ex.result {
            Ok(resp) => {
                let state = resp
                    .json()
                    .and_then(|v| v.get("state").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_default();
                Outcome {
                    status: Status::Succeeded,
                    message: format!("DAG run `{}` created {state}", self.run.dag_run_id)
                        .trim_end()
                        .to_string(),
                    detail,
                    duration_ms: 0,
                }
            }
            Err(Failure::Status(resp)) if resp.status == 409 => Outcome {
                status: Status::Succeeded,
                message: format!(
                    "DAG run `{}` already exists (409): triggered by an earlier attempt",
                    self.run.dag_run_id
                ),
                detail: service::merge(detail, json!({ "already_done": true })),
                duration_ms: 0,
            },
            Err(f) => exchange_failure("Airflow", &req, f, detail, &secrets),
        };
        finish(outcome, started, &Value::Null)
    }
}

/// `POST /api/v1/workflows/{namespace}/submit` of a (Cluster)WorkflowTemplate,
/// with a deterministic workflow name so a repeat answers 409.
fn argo_submit(p: &Params, inv: &Invocation) -> Request {
    let template = p.must("template");
    let key: String = inv.idempotency_key.chars().take(10).collect();
    let mut name: String = template
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    name.truncate(63 - key.len() - 1);
    let name = format!("{}-{key}", name.trim_end_matches('-'));
    let parameters: Vec<String> = p
        .map("parameters")
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let namespace = p.must("namespace");
    let body = json!({
        "namespace": namespace,
        "resourceKind": if p.flag("cluster_template") { "ClusterWorkflowTemplate" } else { "WorkflowTemplate" },
        "resourceName": template,
        "submitOptions": {
            "name": name,
            "parameters": parameters,
            "labels": format!("driftmend.io/run-key={}", inv.idempotency_key),
        },
    });
    let req = Request::post(format!(
        "{}/api/v1/workflows/{}/submit",
        base(&p.must("api_url")),
        http::segment(&namespace)
    ))
    .json(body)
    .repeat(Repeat::Safe);
    match p.text("token") {
        // `argo auth token` prints `Bearer <token>`: taken as it comes.
        Some(t) => req.auth(&Auth::Bearer(
            t.strip_prefix("Bearer ").unwrap_or(t).trim().to_string(),
        )),
        None => req,
    }
}

fn read_argo(resp: &Response) -> (String, Value) {
    let v = resp.json().unwrap_or(Value::Null);
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    (
        format!("workflow `{name}` submitted"),
        json!({ "workflow": name }),
    )
}
