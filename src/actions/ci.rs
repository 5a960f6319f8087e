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
    self, base, exchange_failure, failed, finish, Invocation, Render, SingleRequest,
};
use super::{Action, Outcome, Status};
use crate::policy::model::{
    ActionSpec, AirflowApi, AirflowSpec, ArgoWorkflowSpec, GithubDispatchSpec, GithubWorkflowSpec,
    GitlabPipelineSpec, JenkinsSpec,
};
use crate::policy::template::Secrets;

pub const GITHUB_API: &str = "https://api.github.com";
pub const GITLAB_API: &str = "https://gitlab.com/api/v4";
const GITHUB_API_VERSION: &str = "2022-11-28";

pub fn github_workflow(
    spec: &ActionSpec,
    s: &GithubWorkflowSpec,
    r: &mut Render,
) -> Result<Box<dyn Action>, String> {
    let api = base(
        r.opt("api_url", &s.api_url)?
            .as_deref()
            .unwrap_or(GITHUB_API),
    );
    let inputs = r.map("inputs", &s.inputs)?;
    let git_ref = r.text("ref", &s.git_ref)?;
    let repo = r.text("repo", &s.repo)?;
    let token = r.text("token", &s.token)?;
    let workflow = r.text("workflow", &s.workflow)?;
    let repo = github_repo(&repo, &spec.name)?;
    let url = format!(
        "{api}/repos/{repo}/actions/workflows/{}/dispatches",
        http::segment(&workflow)
    );
    let body = WorkflowDispatch {
        git_ref,
        inputs: inputs.into_iter().collect(),
        // GitHub Enterprise Server may not know the flag yet.
        return_run_details: api == GITHUB_API,
    };
    let request = github_request(token, url).json(serde_json::to_value(body).unwrap_or_default());
    Ok(Box::new(SingleRequest::new(
        spec,
        &s.http,
        r,
        "GitHub",
        request,
        read_github_run,
    )))
}

pub fn github_dispatch(
    spec: &ActionSpec,
    s: &GithubDispatchSpec,
    r: &mut Render,
) -> Result<Box<dyn Action>, String> {
    let api = base(
        r.opt("api_url", &s.api_url)?
            .as_deref()
            .unwrap_or(GITHUB_API),
    );
    let client_payload = r.map("client_payload", &s.client_payload)?;
    let event_type = r.text("event_type", &s.event_type)?;
    let repo = r.text("repo", &s.repo)?;
    let token = r.text("token", &s.token)?;
    let repo = github_repo(&repo, &spec.name)?;
    let url = format!("{api}/repos/{repo}/dispatches");
    let body = RepositoryDispatch {
        event_type,
        client_payload: client_payload.into_iter().collect(),
    };
    let request = github_request(token, url).json(serde_json::to_value(body).unwrap_or_default());
    Ok(Box::new(SingleRequest::new(
        spec,
        &s.http,
        r,
        "GitHub",
        request,
        service::read_status,
    )))
}

/// With a trigger token: `POST /projects/:id/trigger/pipeline` (form, token
/// in the body); with an access token: `POST /projects/:id/pipeline`
/// (JSON, `PRIVATE-TOKEN` header).
pub fn gitlab_pipeline(
    spec: &ActionSpec,
    s: &GitlabPipelineSpec,
    r: &mut Render,
) -> Result<Box<dyn Action>, String> {
    let api = base(
        r.opt("api_url", &s.api_url)?
            .as_deref()
            .unwrap_or(GITLAB_API),
    );
    let project = http::segment(&r.text("project", &s.project)?);
    let git_ref = r.text("ref", &s.git_ref)?;
    let token = r.opt("token", &s.token)?;
    let trigger_token = r.opt("trigger_token", &s.trigger_token)?;
    let variables = r.map("variables", &s.variables)?;
    let request = if let Some(trigger) = trigger_token {
        let mut form = vec![("token".to_string(), trigger), ("ref".to_string(), git_ref)];
        form.extend(
            variables
                .into_iter()
                .map(|(k, v)| (format!("variables[{k}]"), v)),
        );
        Request::post(format!("{api}/projects/{project}/trigger/pipeline")).form(form)
    } else {
        let body = GitlabPipeline {
            git_ref,
            variables: variables
                .into_iter()
                .map(|(key, value)| GitlabVariable {
                    key,
                    value,
                    variable_type: "env_var",
                })
                .collect(),
        };
        Request::post(format!("{api}/projects/{project}/pipeline"))
            .header("PRIVATE-TOKEN", token.unwrap_or_default())
            .json(serde_json::to_value(body).unwrap_or_default())
    };
    Ok(Box::new(SingleRequest::new(
        spec,
        &s.http,
        r,
        "GitLab",
        request,
        read_gitlab,
    )))
}

pub fn jenkins(
    spec: &ActionSpec,
    s: &JenkinsSpec,
    r: &mut Render,
) -> Result<Box<dyn Action>, String> {
    let job = r.text("job", &s.job)?;
    let parameters = r.map("parameters", &s.parameters)?;
    let token = r.opt("token", &s.token)?;
    let url = r.text("url", &s.url)?;
    let user = r.opt("user", &s.user)?;
    let auth = match (user, token) {
        (Some(user), Some(token)) => {
            let header = http::basic_auth(&user, &token);
            r.secrets.add(header.trim_start_matches("Basic "));
            Auth::Basic {
                user,
                password: token,
            }
        }
        _ => Auth::None,
    };
    Ok(Box::new(Jenkins {
        base: base(&url),
        job_path: jenkins_job_path(&job),
        parameters,
        auth,
        options: service::options(&s.http, spec.timeout),
        secrets: r.secrets.clone(),
    }))
}

pub fn airflow(
    spec: &ActionSpec,
    s: &AirflowSpec,
    r: &mut Render,
    inv: &Invocation,
) -> Result<Box<dyn Action>, String> {
    let api_url = r.text("api_url", &s.api_url)?;
    let conf = r.map("conf", &s.conf)?;
    let dag_id = r.text("dag_id", &s.dag_id)?;
    let note = r.opt("note", &s.note)?;
    let password = r.opt("password", &s.password)?;
    let token = r.opt("token", &s.token)?;
    let username = r.opt("username", &s.username)?;
    let v1 = s.api_version == Some(AirflowApi::V1);
    let auth = match (token, username, password) {
        (Some(token), _, _) => AirflowAuth::Token(token),
        (None, Some(user), Some(password)) if v1 => {
            let header = http::basic_auth(&user, &password);
            r.secrets.add(header.trim_start_matches("Basic "));
            AirflowAuth::Basic(user, password)
        }
        (None, Some(user), Some(password)) => AirflowAuth::Login(user, password),
        _ => AirflowAuth::None,
    };
    Ok(Box::new(Airflow {
        base: base(&api_url),
        dag_id,
        v1,
        auth,
        run: AirflowRun {
            dag_run_id: airflow_run_id(inv),
            logical_date: if v1 { None } else { Some(Value::Null) },
            conf: conf
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
            note,
        },
        options: service::options(&s.http, spec.timeout),
        secrets: r.secrets.clone(),
    }))
}

/// `POST /api/v1/workflows/{namespace}/submit` of a (Cluster)WorkflowTemplate,
/// with a deterministic workflow name so a repeat answers 409.
pub fn argo(
    spec: &ActionSpec,
    s: &ArgoWorkflowSpec,
    r: &mut Render,
    inv: &Invocation,
) -> Result<Box<dyn Action>, String> {
    let api_url = r.text("api_url", &s.api_url)?;
    let namespace = r.text("namespace", &s.namespace)?;
    let parameters = r.map("parameters", &s.parameters)?;
    let template = r.text("template", &s.template)?;
    let token = r.opt("token", &s.token)?;
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
    let parameters: Vec<String> = parameters
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let body = json!({
        "namespace": namespace,
        "resourceKind": if s.cluster_template { "ClusterWorkflowTemplate" } else { "WorkflowTemplate" },
        "resourceName": template,
        "submitOptions": {
            "name": name,
            "parameters": parameters,
            "labels": format!("driftmend.io/run-key={}", inv.idempotency_key),
        },
    });
    let req = Request::post(format!(
        "{}/api/v1/workflows/{}/submit",
        base(&api_url),
        http::segment(&namespace)
    ))
    .json(body)
    .repeat(Repeat::Safe);
    let request = match token {
        // `argo auth token` prints `Bearer <token>`: taken as it comes.
        Some(t) => req.auth(&Auth::Bearer(
            t.strip_prefix("Bearer ").unwrap_or(&t).trim().to_string(),
        )),
        None => req,
    };
    Ok(Box::new(SingleRequest {
        conflict_done: true,
        ..SingleRequest::new(spec, &s.http, r, "Argo Workflows", request, read_argo)
    }))
}

/// `owner/name`, each part a URL segment.
fn github_repo(repo: &str, action: &str) -> Result<String, String> {
    match repo.split_once('/') {
        Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok(format!("{}/{}", http::segment(owner), http::segment(name)))
        }
        _ => Err(format!(
            "action `{action}`: `repo` must be `owner/name`, found `{repo}`"
        )),
    }
}

fn github_request(token: String, url: String) -> Request {
    Request::post(url)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", GITHUB_API_VERSION)
        .auth(&Auth::Bearer(token))
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
