//! MLflow: a thin REST client (model registry aliases, version tags, runs)
//! and the three things driftmend does with it: roll the serving alias back
//! to the previous good version, promote a validated candidate, and log
//! each run's report as an MLflow run so drift history shows in its UI.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Deserialize;
use serde_json::{json, Value};

use super::context::RunContext;
use super::http::{self, Auth, Failure, Http, HttpOptions, Repeat, Request};
use super::service::{failed, finish, Invocation, Params};
use super::{Action, Outcome, Status};
use crate::policy::expr::Value as ExprValue;
use crate::policy::model::{ActionSpec, Service};
use crate::policy::template::Secrets;
use crate::report::Report;

pub const DEFAULT_ALIAS: &str = "champion";
pub const DEFAULT_PREVIOUS_ALIAS: &str = "previous_champion";
/// The tag that marks a version as good to roll back to (`promote` sets it).
pub const APPROVED_TAG: &str = "driftmend.approved";
pub const ROLLED_BACK_TAG: &str = "driftmend.rolled_back_by";
/// MLflow's `log-batch` limits per request.
pub const BATCH_METRICS: usize = 1000;
pub const BATCH_PARAMS: usize = 100;
pub const BATCH_TAGS: usize = 100;
/// Metrics, params and tags together, per `log-batch` call.
pub const BATCH_TOTAL: usize = 1000;
/// The driftmend run an MLflow run logs.
const RUN_ID_TAG: &str = "driftmend.run_id";

/// Where MLflow is and how to log in: the action's keys, else MLflow's own
/// environment variables (`MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN`,
/// `MLFLOW_TRACKING_USERNAME`/`_PASSWORD`), as its clients do.
#[derive(Debug, Clone)]
pub struct Connection {
    pub base: String,
    pub auth: Auth,
}

impl Connection {
    pub fn resolve(
        uri: Option<&str>,
        token: Option<&str>,
        user: Option<&str>,
        password: Option<&str>,
        secrets: &mut Secrets,
    ) -> std::result::Result<Connection, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let base = uri
            .map(str::to_string)
            .or_else(|| env("MLFLOW_TRACKING_URI"))
            .ok_or("no MLflow tracking URI: set `tracking_uri` or MLFLOW_TRACKING_URI")?;
        if !base.starts_with("http://") && !base.starts_with("https://") {
            return Err(format!(
                "the MLflow tracking URI `{base}` is not an http(s) server (file and database stores can't be reached over REST)"
            ));
        }
        let token = token
            .map(str::to_string)
            .or_else(|| env("MLFLOW_TRACKING_TOKEN"));
        let user = user
            .map(str::to_string)
            .or_else(|| env("MLFLOW_TRACKING_USERNAME"));
        let password = password
            .map(str::to_string)
            .or_else(|| env("MLFLOW_TRACKING_PASSWORD"));
        let auth = match (token, user, password) {
            (Some(t), _, _) => {
                secrets.add(&t);
                Auth::Bearer(t)
            }
            (None, Some(user), Some(password)) => {
                secrets.add(&password);
                let header = http::basic_auth(&user, &password);
                secrets.add(header.trim_start_matches("Basic "));
                Auth::Basic { user, password }
            }
            _ => Auth::None,
        };
        Ok(Connection {
            base: base.trim_end_matches('/').to_string(),
            auth,
        })
    }
}

/// A model version as the registry returns it (version numbers are
/// strings on the wire).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ModelVersion {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub run_id: String,
    #[serde(default)]
    pub current_stage: String,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

impl ModelVersion {
    pub fn number(&self) -> u64 {
        self.version.parse().unwrap_or(0)
    }

    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.value.as_str())
    }
}

/// An MLflow call that failed, in MLflow's words.
#[derive(Debug, Clone)]
pub struct MlflowError {
    pub failure: Failure,
    pub what: String,
    /// The failed call was a write (POST, DELETE).
    pub write: bool,
}

impl MlflowError {
    fn message(&self, secrets: &Secrets) -> String {
        format!(
            "{}: {}",
            self.what,
            http::failure_text("MLflow", &self.failure, secrets)
        )
    }

    fn error_code(&self) -> Option<String> {
        match &self.failure {
            Failure::Status(r) => r
                .json()
                .and_then(|v| v.get("error_code")?.as_str().map(str::to_string)),
            _ => None,
        }
    }

    /// MLflow 3 answers a missing alias with 400 INVALID_PARAMETER_VALUE
    /// "Registered model alias X not found."; other lookups with 404
    /// RESOURCE_DOES_NOT_EXIST. Any other INVALID_PARAMETER_VALUE (a missing
    /// parameter, a bad name) is a real error.
    fn not_found(&self) -> bool {
        match self.error_code().as_deref() {
            Some("RESOURCE_DOES_NOT_EXIST") => true,
            Some("INVALID_PARAMETER_VALUE") => match &self.failure {
                Failure::Status(r) => r
                    .json()
                    .and_then(|v| v.get("message")?.as_str().map(str::to_string))
                    .is_some_and(|m| m.contains("not found")),
                _ => false,
            },
            _ => false,
        }
    }

    /// A write that went out and got no answer (or a gateway lost it): it
    /// may have landed. A read that got none changed nothing.
    fn unanswered(&self) -> bool {
        self.write
            && match &self.failure {
                Failure::NoAnswer(_) => true,
                Failure::Status(r) => http::maybe_delivered(r.status),
                _ => false,
            }
    }
}

/// The REST client. Every call is recorded (method and path) for the
/// outcome, so an operator sees what was done before a failure.
pub struct Client<'a> {
    http: &'a Http,
    conn: &'a Connection,
    pub calls: Vec<String>,
}

type Result<T> = std::result::Result<T, MlflowError>;

impl<'a> Client<'a> {
    pub fn new(http: &'a Http, conn: &'a Connection) -> Client<'a> {
        Client {
            http,
            conn,
            calls: Vec::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/2.0/mlflow/{path}", self.conn.base)
    }

    fn send(&mut self, what: &str, req: Request) -> Result<Value> {
        let req = req.auth(&self.conn.auth);
        let path = req.url.split('?').next().unwrap_or("").to_string();
        self.calls.push(format!(
            "{} {}",
            req.method,
            path.trim_start_matches(&self.conn.base)
        ));
        let write = req.method != "GET";
        let ex = self.http.send(&req);
        match ex.result {
            Ok(resp) => Ok(resp.json().unwrap_or(Value::Null)),
            Err(failure) => Err(MlflowError {
                failure,
                what: what.to_string(),
                write,
            }),
        }
    }

    fn get(&mut self, what: &str, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        let q: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let url = format!("{}?{}", self.url(path), http::form_encode(&q));
        self.send(what, Request::get(url))
    }

    /// A write that lands the same however often it is sent.
    fn post(&mut self, what: &str, path: &str, body: Value) -> Result<Value> {
        self.send(
            what,
            Request::post(self.url(path))
                .json(body)
                .repeat(Repeat::Safe),
        )
    }

    fn version_from(v: &Value, what: &str) -> Result<ModelVersion> {
        serde_json::from_value(v.get("model_version").cloned().unwrap_or(Value::Null)).map_err(
            |e| MlflowError {
                failure: Failure::Invalid(format!("unexpected answer: {e}")),
                what: what.to_string(),
                write: false,
            },
        )
    }

    /// The version an alias points to; `None` when the alias is not set.
    pub fn alias(&mut self, model: &str, alias: &str) -> Result<Option<ModelVersion>> {
        let what = format!("reading alias `{alias}` of `{model}`");
        match self.get(
            &what,
            "registered-models/alias",
            &[("name", model), ("alias", alias)],
        ) {
            Ok(v) => Self::version_from(&v, &what).map(Some),
            Err(e) if e.not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn set_alias(&mut self, model: &str, alias: &str, version: &str) -> Result<()> {
        self.post(
            &format!("setting alias `{alias}` of `{model}` to version {version}"),
            "registered-models/alias",
            json!({ "name": model, "alias": alias, "version": version }),
        )
        .map(|_| ())
    }

    pub fn delete_alias(&mut self, model: &str, alias: &str) -> Result<()> {
        let what = format!("deleting alias `{alias}` of `{model}`");
        // MLflow reads the parameters of a DELETE from its JSON body, not
        // the query string.
        let req = Request::new("DELETE", self.url("registered-models/alias"))
            .json(json!({ "name": model, "alias": alias }))
            .repeat(Repeat::Safe);
        match self.send(&what, req) {
            Err(e) if e.not_found() => Ok(()),
            other => other.map(|_| ()),
        }
    }

    pub fn version(&mut self, model: &str, version: &str) -> Result<ModelVersion> {
        let what = format!("reading version {version} of `{model}`");
        let v = self.get(
            &what,
            "model-versions/get",
            &[("name", model), ("version", version)],
        )?;
        Self::version_from(&v, &what)
    }

    /// Every version of a model (all pages).
    pub fn versions(&mut self, model: &str) -> Result<Vec<ModelVersion>> {
        let what = format!("listing the versions of `{model}`");
        let filter = format!("name='{}'", model.replace('\'', "\\'"));
        let mut out = Vec::new();
        let mut token = String::new();
        loop {
            let mut q = vec![("filter", filter.as_str()), ("max_results", "1000")];
            if !token.is_empty() {
                q.push(("page_token", token.as_str()));
            }
            let v = self.get(&what, "model-versions/search", &q)?;
            let page: Vec<ModelVersion> =
                serde_json::from_value(v.get("model_versions").cloned().unwrap_or(json!([])))
                    .map_err(|e| MlflowError {
                        failure: Failure::Invalid(format!("unexpected answer: {e}")),
                        what: what.clone(),
                        write: false,
                    })?;
            out.extend(page);
            match v.get("next_page_token").and_then(Value::as_str) {
                Some(t) if !t.is_empty() => token = t.to_string(),
                _ => break,
            }
        }
        Ok(out)
    }

    pub fn set_version_tag(
        &mut self,
        model: &str,
        version: &str,
        key: &str,
        value: &str,
    ) -> Result<()> {
        self.post(
            &format!("tagging version {version} of `{model}` with `{key}`"),
            "model-versions/set-tag",
            json!({ "name": model, "version": version, "key": key, "value": value }),
        )
        .map(|_| ())
    }

    pub fn transition_stage(&mut self, model: &str, version: &str, stage: &str) -> Result<()> {
        self.post(
            &format!("moving version {version} of `{model}` to stage `{stage}`"),
            "model-versions/transition-stage",
            json!({ "name": model, "version": version, "stage": stage, "archive_existing_versions": true }),
        )
        .map(|_| ())
    }

    /// The latest value of each metric of a run.
    pub fn run_metrics(&mut self, run_id: &str) -> Result<BTreeMap<String, f64>> {
        let v = self.get(
            &format!("reading run `{run_id}`"),
            "runs/get",
            &[("run_id", run_id)],
        )?;
        let mut out = BTreeMap::new();
        if let Some(items) = v.pointer("/run/data/metrics").and_then(Value::as_array) {
            for m in items {
                if let (Some(k), Some(x)) = (
                    m.get("key").and_then(Value::as_str),
                    m.get("value").and_then(Value::as_f64),
                ) {
                    out.insert(k.to_string(), x);
                }
            }
        }
        Ok(out)
    }

    /// The experiment's id, creating it when missing.
    pub fn experiment(&mut self, name: &str) -> Result<String> {
        let what = format!("finding experiment `{name}`");
        let found = self.get(
            &what,
            "experiments/get-by-name",
            &[("experiment_name", name)],
        );
        let id = |v: &Value| {
            v.pointer("/experiment/experiment_id")
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        match found {
            Ok(v) => id(&v).ok_or(MlflowError {
                failure: Failure::Invalid("answer without experiment_id".into()),
                what,
                write: false,
            }),
            Err(e) if e.not_found() => {
                let created = self.post(
                    &format!("creating experiment `{name}`"),
                    "experiments/create",
                    json!({ "name": name }),
                );
                match created {
                    Ok(v) => Ok(v
                        .get("experiment_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()),
                    // Created meanwhile by someone else.
                    Err(e) if e.error_code().as_deref() == Some("RESOURCE_ALREADY_EXISTS") => {
                        let v = self.get(
                            &what,
                            "experiments/get-by-name",
                            &[("experiment_name", name)],
                        )?;
                        Ok(id(&v).unwrap_or_default())
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

/// Versions in newest-first order.
fn newest_first(mut versions: Vec<ModelVersion>) -> Vec<ModelVersion> {
    versions.sort_by_key(|v| std::cmp::Reverse(v.number()));
    versions
}

/// `key` (any value but `false`) or `key=value`.
fn has_tag(v: &ModelVersion, spec: &str) -> bool {
    match spec.split_once('=') {
        Some((k, want)) => v.tag(k) == Some(want),
        None => v
            .tag(spec)
            .is_some_and(|x| !x.eq_ignore_ascii_case("false")),
    }
}

/// Where a rollback goes: the `previous_alias` when it is set, lower than
/// the current version and not itself rolled back; else the newest lower
/// version with the approved tag that was never rolled back. Pure, for
/// tests.
pub fn rollback_target(
    current: &ModelVersion,
    previous: Option<&ModelVersion>,
    versions: &[ModelVersion],
    approved_tag: &str,
) -> Option<(ModelVersion, &'static str)> {
    if let Some(p) = previous {
        if p.number() < current.number() && p.tag(ROLLED_BACK_TAG).is_none() {
            return Some((p.clone(), "previous alias"));
        }
    }
    newest_first(versions.to_vec())
        .into_iter()
        .find(|v| {
            v.number() < current.number()
                && v.tag(ROLLED_BACK_TAG).is_none()
                && has_tag(v, approved_tag)
        })
        .map(|v| (v, "approved tag"))
}

pub fn build(
    service: Service,
    spec: &ActionSpec,
    p: &Params,
    inv: &Invocation,
    ctx: &RunContext,
    secrets: &mut Secrets,
) -> std::result::Result<Box<dyn Action>, String> {
    let conn = Connection::resolve(
        p.text("tracking_uri"),
        p.text("token"),
        p.text("username"),
        p.text("password"),
        secrets,
    )
    .map_err(|e| format!("action `{}`: {e}", spec.name))?;
    let options = p.options(spec.timeout);
    let model = p.must("model");
    let alias = p.text_or("alias", DEFAULT_ALIAS);
    let previous_alias = p.text_or("previous_alias", DEFAULT_PREVIOUS_ALIAS);
    let common = Common {
        conn,
        options,
        secrets: secrets.clone(),
        by: inv.run_id.clone(),
    };
    Ok(match service {
        Service::MlflowRollback => Box::new(Rollback {
            common,
            model,
            alias,
            previous_alias,
            approved_tag: p.text_or("approved_tag", APPROVED_TAG),
            stage: p
                .flag("use_stages")
                .then(|| p.text_or("stage", "Production")),
        }),
        Service::MlflowPromote => Box::new(Promote {
            common,
            plan: PromotePlan {
                model,
                candidate: p.must("candidate"),
                alias,
                previous_alias,
                check: PromoteCheck {
                    metric: p.text("metric").map(str::to_string),
                    min: p.number("min"),
                    max: p.number("max"),
                    better_than: p.text("better_than").map(str::to_string),
                    lower_is_better: p.flag("lower_is_better"),
                },
            },
        }),
        Service::MlflowLog => Box::new(LogRun {
            common,
            experiment: p.must("experiment"),
            run_name: p
                .text("run_name")
                .map(str::to_string)
                .unwrap_or_else(|| inv.run_id.clone()),
            start_ms: chrono::DateTime::parse_from_rfc3339(&inv.run_time)
                .map(|t| t.timestamp_millis())
                .unwrap_or_else(|_| chrono::Utc::now().timestamp_millis()),
            digest: ctx
                .digest()
                .cloned()
                .or_else(|| Digest::from_values(ctx.values()))
                .unwrap_or_else(|| context_digest(inv)),
            extra_tags: p.map("tags"),
        }),
        _ => unreachable!("not an MLflow service: {service:?}"),
    })
}

/// What the MLflow actions share.
pub struct Common {
    conn: Connection,
    options: HttpOptions,
    secrets: Secrets,
    /// Who acts: the run id (or `driftmend promote`).
    by: String,
}

impl Common {
    fn run(
        &self,
        started: Instant,
        body: impl FnOnce(&mut Client) -> std::result::Result<(String, Value), MlflowError>,
    ) -> Outcome {
        let http = match Http::new(self.options.clone()) {
            Ok(h) => h,
            Err(e) => return finish(failed(e, Value::Null), started, &Value::Null),
        };
        let mut client = Client::new(&http, &self.conn);
        let result = body(&mut client);
        let calls = json!({ "calls": client.calls });
        let outcome = match result {
            Ok((message, detail)) => Outcome {
                status: Status::Succeeded,
                message,
                detail,
                duration_ms: 0,
            },
            Err(e) => Outcome {
                status: if e.unanswered() {
                    Status::Unknown
                } else {
                    Status::Failed
                },
                message: e.message(&self.secrets),
                detail: Value::Null,
                duration_ms: 0,
            },
        };
        finish(outcome, started, &calls)
    }

    fn describe(&self, steps: Vec<String>) -> Value {
        let auth = match &self.conn.auth {
            Auth::None => "none",
            Auth::Bearer(_) => "Bearer ***",
            Auth::Basic { .. } => "Basic ***",
        };
        json!({
            "service": "MLflow",
            "tracking_uri": self.secrets.scrub(&self.conn.base),
            "authorization": auth,
            "steps": steps,
        })
    }
}

pub struct Rollback {
    common: Common,
    model: String,
    alias: String,
    previous_alias: String,
    approved_tag: String,
    /// Legacy registries: move versions between stages instead of aliases.
    stage: Option<String>,
}

impl Action for Rollback {
    fn describe(&self) -> Value {
        let steps = match &self.stage {
            None => vec![
                format!("GET registered-models/alias `{}` and `{}` of `{}`", self.alias, self.previous_alias, self.model),
                format!("GET model-versions/search (when `{}` is unset: newest lower version tagged `{}`, never rolled back)", self.previous_alias, self.approved_tag),
                format!("POST registered-models/alias `{}` -> the previous good version", self.alias),
                format!("POST model-versions/set-tag `{ROLLED_BACK_TAG}` on the version rolled back from"),
                format!("DELETE registered-models/alias `{}`", self.previous_alias),
                format!("GET registered-models/alias `{}` to confirm", self.alias),
            ],
            Some(stage) => vec![
                format!("GET model-versions/search: the `{stage}` version of `{}` and the newest lower version tagged `{}`", self.model, self.approved_tag),
                format!("POST model-versions/transition-stage -> `{stage}` (archiving the current one)"),
                format!("POST model-versions/set-tag `{ROLLED_BACK_TAG}` on the version rolled back from"),
                "GET model-versions/get to confirm".to_string(),
            ],
        };
        self.common.describe(steps)
    }

    fn execute(&self) -> Outcome {
        let started = Instant::now();
        self.common.run(started, |c| match &self.stage {
            None => self.by_alias(c),
            Some(stage) => self.by_stage(c, stage),
        })
    }
}

/// Re-reads `alias` after setting it to `version`: another version there is
/// an error (someone moved it meanwhile); a failed read only a warning, the
/// set itself having been answered.
fn confirm_alias(
    c: &mut Client,
    model: &str,
    alias: &str,
    version: &str,
    what: &str,
    secrets: &Secrets,
    warnings: &mut Vec<String>,
) -> std::result::Result<(), MlflowError> {
    match c.alias(model, alias) {
        Ok(now) => {
            let now = now.map(|v| v.version).unwrap_or_default();
            if now != version {
                return Err(plain_error(
                    what,
                    format!("alias `{alias}` reads version `{now}` after setting it to {version}"),
                ));
            }
        }
        Err(e) => warnings.push(e.message(secrets)),
    }
    Ok(())
}

/// `message`, then `; warning: ...` for each bookkeeping step that failed
/// after the change itself was made.
fn with_warnings(message: String, warnings: &[String]) -> String {
    warnings
        .iter()
        .fold(message, |m, w| format!("{m}; warning: {w}"))
}

fn plain_error(what: &str, message: String) -> MlflowError {
    MlflowError {
        failure: Failure::Invalid(message),
        what: what.to_string(),
        write: false,
    }
}

impl Rollback {
    /// Tags the version rolled back from, so no later rollback goes back
    /// to it; a failure is a warning (the rollback itself happened).
    fn mark_rolled_back(&self, c: &mut Client, version: &str) -> Vec<String> {
        match c.set_version_tag(&self.model, version, ROLLED_BACK_TAG, &self.common.by) {
            Ok(()) => Vec::new(),
            Err(e) => vec![e.message(&self.common.secrets)],
        }
    }

    fn by_alias(&self, c: &mut Client) -> std::result::Result<(String, Value), MlflowError> {
        let what = format!("rolling back `{}`", self.model);
        let current = c.alias(&self.model, &self.alias)?.ok_or_else(|| {
            plain_error(
                &what,
                format!(
                    "alias `{}` is not set: nothing to roll back from",
                    self.alias
                ),
            )
        })?;
        let previous = c.alias(&self.model, &self.previous_alias)?;
        // The list is only needed when the previous alias won't do.
        let versions = match rollback_target(&current, previous.as_ref(), &[], &self.approved_tag) {
            Some(_) => Vec::new(),
            None => c.versions(&self.model)?,
        };
        let (target, how) = rollback_target(&current, previous.as_ref(), &versions, &self.approved_tag)
            .ok_or_else(|| {
                plain_error(
                    &what,
                    format!(
                        "no version to roll back to: `{}` is unset and no version below {} is tagged `{}` without `{ROLLED_BACK_TAG}`",
                        self.previous_alias, current.version, self.approved_tag
                    ),
                )
            })?;
        c.set_alias(&self.model, &self.alias, &target.version)?;
        // The alias has moved: the rollback happened. What follows is
        // bookkeeping, whose failures are warnings, not a failed rollback
        // (which would escalate and trip the breaker).
        let mut warnings = self.mark_rolled_back(c, &current.version);
        let secrets = &self.common.secrets;
        // The previous alias is used up; a further rollback goes by tags.
        if previous.is_some() {
            if let Err(e) = c.delete_alias(&self.model, &self.previous_alias) {
                warnings.push(e.message(secrets));
            }
        }
        confirm_alias(
            c,
            &self.model,
            &self.alias,
            &target.version,
            &what,
            secrets,
            &mut warnings,
        )?;
        Ok((
            with_warnings(
                format!(
                    "`{}@{}` rolled back from version {} to {} ({how})",
                    self.model, self.alias, current.version, target.version
                ),
                &warnings,
            ),
            json!({ "model": self.model, "alias": self.alias, "from_version": current.version, "to_version": target.version, "chosen_by": how, "warnings": warnings }),
        ))
    }

    fn by_stage(
        &self,
        c: &mut Client,
        stage: &str,
    ) -> std::result::Result<(String, Value), MlflowError> {
        let what = format!("rolling back `{}` in stage `{stage}`", self.model);
        let versions = newest_first(c.versions(&self.model)?);
        let current = versions
            .iter()
            .find(|v| v.current_stage == stage)
            .cloned()
            .ok_or_else(|| {
                plain_error(
                    &what,
                    format!("no version is in stage `{stage}`: nothing to roll back from"),
                )
            })?;
        let (target, how) = rollback_target(&current, None, &versions, &self.approved_tag)
            .ok_or_else(|| {
                plain_error(
                    &what,
                    format!(
                        "no version below {} is tagged `{}` without `{ROLLED_BACK_TAG}`",
                        current.version, self.approved_tag
                    ),
                )
            })?;
        c.transition_stage(&self.model, &target.version, stage)?;
        // Moved: from here on, failures are warnings (see `by_alias`).
        let mut warnings = self.mark_rolled_back(c, &current.version);
        let secrets = &self.common.secrets;
        match c.version(&self.model, &target.version) {
            Ok(now) if now.current_stage != stage => {
                return Err(plain_error(
                    &what,
                    format!(
                        "version {} is in stage `{}` after moving it to `{stage}`",
                        target.version, now.current_stage
                    ),
                ));
            }
            Ok(_) => {}
            Err(e) => warnings.push(e.message(secrets)),
        }
        Ok((
            with_warnings(
                format!(
                    "`{}` stage `{stage}` rolled back from version {} to {} ({how})",
                    self.model, current.version, target.version
                ),
                &warnings,
            ),
            json!({ "model": self.model, "stage": stage, "from_version": current.version, "to_version": target.version, "chosen_by": how, "warnings": warnings }),
        ))
    }
}

/// What a promotion checks before moving the alias.
#[derive(Debug, Clone, Default)]
pub struct PromoteCheck {
    pub metric: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// An alias (usually `champion`) whose version's metric must be beaten.
    pub better_than: Option<String>,
    pub lower_is_better: bool,
}

#[derive(Debug, Clone)]
pub struct PromotePlan {
    pub model: String,
    /// A version number or an alias.
    pub candidate: String,
    pub alias: String,
    pub previous_alias: String,
    pub check: PromoteCheck,
}

/// Why a promotion was refused (validation), as opposed to failing.
#[derive(Debug, Clone, PartialEq)]
pub enum Promoted {
    Done {
        from: Option<String>,
        to: String,
        message: String,
    },
    Refused(String),
}

/// Checks `value` (the candidate's metric) against the bounds and the
/// incumbent's value. Pure. `Err` is the refusal reason.
pub fn validate(
    check: &PromoteCheck,
    metric: &str,
    value: f64,
    incumbent: Option<(String, f64)>,
) -> std::result::Result<Vec<String>, String> {
    let mut passed = Vec::new();
    if let Some(min) = check.min {
        if value.is_nan() || value < min {
            return Err(format!("{metric} = {value} is below the minimum {min}"));
        }
        passed.push(format!("{metric} = {value} >= {min}"));
    }
    if let Some(max) = check.max {
        if value.is_nan() || value > max {
            return Err(format!("{metric} = {value} is above the maximum {max}"));
        }
        passed.push(format!("{metric} = {value} <= {max}"));
    }
    if let Some((who, theirs)) = incumbent {
        let better = if check.lower_is_better {
            value < theirs
        } else {
            value > theirs
        };
        if !better {
            return Err(format!(
                "{metric} = {value} is not better than {who}'s {theirs} ({} is better)",
                if check.lower_is_better {
                    "lower"
                } else {
                    "higher"
                }
            ));
        }
        passed.push(format!("{metric} = {value} beats {who}'s {theirs}"));
    }
    Ok(passed)
}

impl PromotePlan {
    pub fn steps(&self) -> Vec<String> {
        let mut steps = vec![format!(
            "resolve candidate `{}` of `{}`",
            self.candidate, self.model
        )];
        if let Some(m) = &self.check.metric {
            steps.push(format!("GET runs/get: the candidate's `{m}`"));
            if let Some(b) = &self.check.better_than {
                steps.push(format!(
                    "GET registered-models/alias `{b}` and its run's `{m}`"
                ));
            }
        }
        steps.push(format!(
            "POST registered-models/alias `{}` -> the current `{}`",
            self.previous_alias, self.alias
        ));
        steps.push(format!(
            "POST registered-models/alias `{}` -> the candidate",
            self.alias
        ));
        steps.push(format!(
            "POST model-versions/set-tag `{APPROVED_TAG}` = true on the candidate"
        ));
        steps.push(format!(
            "GET registered-models/alias `{}` to confirm",
            self.alias
        ));
        steps
    }

    pub fn run(
        &self,
        c: &mut Client,
        by: &str,
        secrets: &Secrets,
    ) -> std::result::Result<Promoted, MlflowError> {
        let what = format!("promoting `{}` of `{}`", self.candidate, self.model);
        let candidate =
            if !self.candidate.is_empty() && self.candidate.chars().all(|ch| ch.is_ascii_digit()) {
                c.version(&self.model, &self.candidate)?
            } else {
                c.alias(&self.model, &self.candidate)?.ok_or_else(|| {
                    plain_error(&what, format!("alias `{}` is not set", self.candidate))
                })?
            };
        let current = c.alias(&self.model, &self.alias)?;
        if current
            .as_ref()
            .is_some_and(|v| v.version == candidate.version)
        {
            return Ok(Promoted::Done {
                from: Some(candidate.version.clone()),
                to: candidate.version.clone(),
                message: format!(
                    "version {} already is `{}@{}`",
                    candidate.version, self.model, self.alias
                ),
            });
        }
        let mut checks = Vec::new();
        if let Some(metric) = &self.check.metric {
            if candidate.run_id.is_empty() {
                return Ok(Promoted::Refused(format!(
                    "version {} has no run, so no `{metric}` to check",
                    candidate.version
                )));
            }
            let value = match c.run_metrics(&candidate.run_id)?.get(metric) {
                Some(v) => *v,
                None => {
                    return Ok(Promoted::Refused(format!(
                        "version {} (run {}) has no metric `{metric}`",
                        candidate.version, candidate.run_id
                    )))
                }
            };
            let incumbent = match &self.check.better_than {
                None => None,
                Some(b) => match c.alias(&self.model, b)? {
                    // Nothing to beat yet.
                    None => None,
                    Some(v) if v.run_id.is_empty() => {
                        return Ok(Promoted::Refused(format!(
                            "`{b}` (version {}) has no run, so no `{metric}` to compare with",
                            v.version
                        )))
                    }
                    Some(v) => match c.run_metrics(&v.run_id)?.get(metric) {
                        Some(x) => Some((format!("`{b}` (version {})", v.version), *x)),
                        None => {
                            return Ok(Promoted::Refused(format!(
                                "`{b}` (version {}) has no metric `{metric}` to compare with",
                                v.version
                            )))
                        }
                    },
                },
            };
            match validate(&self.check, metric, value, incumbent) {
                Ok(passed) => checks = passed,
                Err(reason) => {
                    return Ok(Promoted::Refused(format!(
                        "version {}: {reason}",
                        candidate.version
                    )))
                }
            }
        }
        if let Some(cur) = &current {
            c.set_alias(&self.model, &self.previous_alias, &cur.version)?;
        }
        c.set_alias(&self.model, &self.alias, &candidate.version)?;
        // Moved: from here on, failures are warnings (see `Rollback`).
        let mut warnings = Vec::new();
        for (key, value) in [(APPROVED_TAG, "true"), ("driftmend.promoted_by", by)] {
            if let Err(e) = c.set_version_tag(&self.model, &candidate.version, key, value) {
                warnings.push(e.message(secrets));
            }
        }
        confirm_alias(
            c,
            &self.model,
            &self.alias,
            &candidate.version,
            &what,
            secrets,
            &mut warnings,
        )?;
        let checked = if checks.is_empty() {
            String::new()
        } else {
            format!(" ({})", checks.join(", "))
        };
        Ok(Promoted::Done {
            from: current.map(|v| v.version),
            to: candidate.version.clone(),
            message: with_warnings(
                format!(
                    "`{}@{}` is now version {}{checked}",
                    self.model, self.alias, candidate.version
                ),
                &warnings,
            ),
        })
    }
}

pub struct Promote {
    common: Common,
    plan: PromotePlan,
}

impl Action for Promote {
    fn describe(&self) -> Value {
        self.common.describe(self.plan.steps())
    }

    fn execute(&self) -> Outcome {
        let started = Instant::now();
        let mut refused = false;
        let mut outcome = self.common.run(started, |c| {
            match self.plan.run(c, &self.common.by, &self.common.secrets)? {
                Promoted::Done { from, to, message } => {
                    Ok((message, json!({ "from_version": from, "to_version": to })))
                }
                Promoted::Refused(reason) => {
                    refused = true;
                    Ok((format!("refused: {reason}"), json!({ "refused": true })))
                }
            }
        });
        if refused {
            outcome.status = Status::Failed;
        }
        outcome
    }
}

/// A report as MLflow metrics, params and tags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Digest {
    pub metrics: Vec<(String, f64)>,
    pub params: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

/// MLflow metric and param names take letters, digits, `_ - . / ` and
/// space; anything else in a column name becomes `_`.
pub fn key_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || "_-./ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The report's numbers, for `mlflow_log`. Pure.
pub fn digest(report: &Report, incident: &str) -> Digest {
    let mut m: Vec<(String, f64)> = vec![
        ("dataset.drift_share".into(), report.dataset_drift.share),
        (
            "dataset.drifted_columns".into(),
            report.dataset_drift.drifted_columns as f64,
        ),
        (
            "dataset.total_columns".into(),
            report.dataset_drift.total_columns as f64,
        ),
        (
            "dataset.drift_detected".into(),
            f64::from(u8::from(report.dataset_drift.detected)),
        ),
        ("quality.errors".into(), report.quality.errors as f64),
        ("quality.warnings".into(), report.quality.warnings as f64),
        ("rows.reference".into(), report.reference.rows as f64),
        ("rows.current".into(), report.current.rows as f64),
    ];
    for col in &report.columns {
        let name = key_name(&col.name);
        let mut put = |field: &str, v: Option<f64>| {
            if let Some(x) = v.filter(|x| x.is_finite()) {
                m.push((format!("column.{name}.{field}"), x));
            }
        };
        put("score", col.score);
        put(
            "drift_detected",
            col.drift_detected.map(|d| f64::from(u8::from(d))),
        );
        put("effect_size", col.effect_size);
        put("missing_share", col.missing.current);
    }
    if let Some(perf) = &report.performance {
        for (side, metrics) in [("reference", &perf.reference), ("current", &perf.current)] {
            if let Some(metrics) = metrics {
                for (k, v) in metrics.values() {
                    if let Some(x) = v.filter(|x| x.is_finite()) {
                        m.push((format!("performance.{side}.{k}"), x));
                    }
                }
            }
        }
        for (k, v) in &perf.delta {
            if v.is_finite() {
                m.push((format!("performance.delta.{k}"), *v));
            }
        }
    }
    let o = &report.options;
    let params = vec![
        (
            "reference".to_string(),
            http::clip(&report.reference.path, 500),
        ),
        ("current".to_string(), http::clip(&report.current.path, 500)),
        (
            "drift_share_threshold".to_string(),
            o.drift_share.to_string(),
        ),
        ("bins".to_string(), o.bins.clone()),
        ("seed".to_string(), o.seed.to_string()),
        (
            "driftmend_version".to_string(),
            report.driftmend_version.clone(),
        ),
    ];
    let tags = vec![
        ("driftmend.incident".to_string(), incident.to_string()),
        (
            "driftmend.drift_detected".to_string(),
            report.dataset_drift.detected.to_string(),
        ),
    ];
    Digest {
        metrics: m,
        params,
        tags,
    }
}

const DIGEST_METRIC: &str = "digest.metric.";
const DIGEST_PARAM: &str = "digest.param.";
const DIGEST_TAG: &str = "digest.tag.";

impl Digest {
    /// As context values, so a queued `mlflow_log` keeps its report until
    /// it is approved (pending approvals store their context).
    pub fn to_values(&self) -> Vec<(String, ExprValue)> {
        let metrics = self
            .metrics
            .iter()
            .map(|(k, v)| (format!("{DIGEST_METRIC}{k}"), ExprValue::Number(*v)));
        let params = self
            .params
            .iter()
            .map(|(k, v)| (format!("{DIGEST_PARAM}{k}"), ExprValue::Text(v.clone())));
        let tags = self
            .tags
            .iter()
            .map(|(k, v)| (format!("{DIGEST_TAG}{k}"), ExprValue::Text(v.clone())));
        metrics.chain(params).chain(tags).collect()
    }

    /// Back from [`Digest::to_values`]; `None` when the values hold none.
    pub fn from_values(values: &BTreeMap<String, ExprValue>) -> Option<Digest> {
        let mut d = Digest::default();
        for (key, value) in values {
            match value {
                ExprValue::Number(x) => {
                    if let Some(k) = key.strip_prefix(DIGEST_METRIC) {
                        d.metrics.push((k.to_string(), *x));
                    }
                }
                ExprValue::Text(t) => {
                    if let Some(k) = key.strip_prefix(DIGEST_PARAM) {
                        d.params.push((k.to_string(), t.clone()));
                    } else if let Some(k) = key.strip_prefix(DIGEST_TAG) {
                        d.tags.push((k.to_string(), t.clone()));
                    }
                }
                _ => {}
            }
        }
        (d != Digest::default()).then_some(d)
    }
}

/// Without a report or a stored digest: the run facts.
fn context_digest(inv: &Invocation) -> Digest {
    Digest {
        metrics: Vec::new(),
        params: Vec::new(),
        tags: vec![
            ("driftmend.incident".to_string(), inv.incident.clone()),
            (
                "driftmend.summary".to_string(),
                http::clip(&inv.summary, 5000),
            ),
        ],
    }
}

pub struct LogRun {
    common: Common,
    experiment: String,
    run_name: String,
    start_ms: i64,
    digest: Digest,
    extra_tags: Vec<(String, String)>,
}

impl LogRun {
    /// The run's tags after creation (the run id tag is set by
    /// `runs/create` itself).
    fn tags(&self) -> Vec<(String, String)> {
        let mut tags = Vec::new();
        tags.extend(self.digest.tags.iter().cloned());
        tags.extend(self.extra_tags.iter().cloned());
        tags
    }

    /// `log-batch` bodies within MLflow's per-request limits: at most 1000
    /// metrics, 100 params and 100 tags, and 1000 items in all. Params and
    /// tags go first (a run's params can't be changed later, so they are
    /// all there however far logging gets). Values that aren't finite
    /// numbers (a JSON `null`) would fail the whole batch: left out.
    pub fn batches(&self, run_id: &str) -> Vec<Value> {
        let mut metrics: Vec<Value> = self
            .digest
            .metrics
            .iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(k, v)| json!({ "key": k, "value": v, "timestamp": self.start_ms, "step": 0 }))
            .collect();
        let params: Vec<Value> = self
            .digest
            .params
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect();
        let mut tags: Vec<Value> = self
            .tags()
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect();
        let mut params = params;
        let mut out = Vec::new();
        let take = |items: &mut Vec<Value>, n: usize| -> Vec<Value> {
            let n = n.min(items.len());
            items.drain(..n).collect()
        };
        loop {
            let p = take(&mut params, BATCH_PARAMS);
            let t = take(&mut tags, BATCH_TAGS);
            let m = take(
                &mut metrics,
                BATCH_METRICS.min(BATCH_TOTAL - p.len() - t.len()),
            );
            out.push(json!({ "run_id": run_id, "metrics": m, "params": p, "tags": t }));
            if metrics.is_empty() && params.is_empty() && tags.is_empty() {
                return out;
            }
        }
    }
}

impl LogRun {
    /// `runs/create` is not idempotent: it is sent once, tagged with the
    /// driftmend run id. If its answer is lost, the run is looked up by that
    /// tag and created again only when it isn't there, so a lost answer
    /// never leaves two MLflow runs for one driftmend run.
    fn create_run(
        &self,
        c: &mut Client,
        experiment_id: &str,
    ) -> std::result::Result<String, MlflowError> {
        let what = format!("creating run `{}`", self.run_name);
        let body = json!({
            "experiment_id": experiment_id,
            "run_name": self.run_name,
            "start_time": self.start_ms,
            "tags": [{ "key": RUN_ID_TAG, "value": self.common.by }],
        });
        let id = |v: &Value| {
            v.pointer("/run/info/run_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let create = |c: &mut Client| {
            c.send(
                &what,
                Request::post(c.url("runs/create")).json(body.clone()),
            )
        };
        match create(c) {
            Ok(v) => Ok(id(&v)),
            Err(e) if e.unanswered() => {
                let found = c.post(
                    &format!("looking for run `{}` after a lost answer", self.run_name),
                    "runs/search",
                    json!({
                        "experiment_ids": [experiment_id],
                        "filter": format!("tags.`{RUN_ID_TAG}` = '{}'", self.common.by.replace('\'', "\\'")),
                        "max_results": 1,
                    }),
                )?;
                match found.pointer("/runs/0/info/run_id").and_then(Value::as_str) {
                    Some(run_id) => Ok(run_id.to_string()),
                    None => create(c).map(|v| id(&v)),
                }
            }
            Err(e) => Err(e),
        }
    }
}

impl Action for LogRun {
    fn describe(&self) -> Value {
        self.common.describe(vec![
            format!(
                "GET experiments/get-by-name `{}` (POST experiments/create when missing)",
                self.experiment
            ),
            format!("POST runs/create `{}`", self.run_name),
            format!(
                "POST runs/log-batch x{}: {} metrics, {} params, {} tags",
                self.batches("").len(),
                self.digest.metrics.len(),
                self.digest.params.len(),
                self.tags().len()
            ),
            "POST runs/update status FINISHED".to_string(),
        ])
    }

    fn execute(&self) -> Outcome {
        let started = Instant::now();
        self.common.run(started, |c| {
            let experiment_id = c.experiment(&self.experiment)?;
            let run_id = self.create_run(c, &experiment_id)?;
            let mut logged = Ok(());
            for batch in self.batches(&run_id) {
                if let Err(e) = c.post("logging the report", "runs/log-batch", batch) {
                    logged = Err(e);
                    break;
                }
            }
            let status = if logged.is_ok() { "FINISHED" } else { "FAILED" };
            c.post(
                "closing the run",
                "runs/update",
                json!({ "run_id": run_id, "status": status, "end_time": chrono::Utc::now().timestamp_millis() }),
            )?;
            logged?;
            Ok((
                format!(
                    "logged {} metrics to MLflow run {run_id} in experiment `{}`",
                    self.digest.metrics.len(),
                    self.experiment
                ),
                json!({ "experiment_id": experiment_id, "run_id": run_id, "metrics": self.digest.metrics.len() }),
            ))
        })
    }
}

/// `driftmend promote`: the plan, run directly (no policy).
pub fn promote(
    plan: &PromotePlan,
    conn: &Connection,
    options: HttpOptions,
    by: &str,
) -> std::result::Result<Promoted, String> {
    let http = Http::new(options)?;
    let mut client = Client::new(&http, conn);
    let mut secrets = Secrets::default();
    if let Auth::Bearer(t) | Auth::Basic { password: t, .. } = &conn.auth {
        secrets.add(t);
    }
    plan.run(&mut client, by, &secrets)
        .map_err(|e| e.message(&secrets))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: u64, tags: &[(&str, &str)]) -> ModelVersion {
        ModelVersion {
            name: "fraud".into(),
            version: n.to_string(),
            run_id: String::new(),
            current_stage: "None".into(),
            tags: tags
                .iter()
                .map(|(k, v)| Tag {
                    key: k.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            aliases: Vec::new(),
        }
    }

    #[test]
    fn rollback_prefers_the_previous_alias_then_the_newest_approved_lower_version() {
        let ok = [(APPROVED_TAG, "true")];
        let versions = vec![v(1, &ok), v(2, &ok), v(3, &[]), v(4, &ok), v(5, &ok)];
        let current = v(4, &ok);
        let (t, how) =
            rollback_target(&current, Some(&v(1, &ok)), &versions, APPROVED_TAG).unwrap();
        assert_eq!((t.version.as_str(), how), ("1", "previous alias"));
        // No previous alias: v3 isn't approved, so v2.
        let (t, how) = rollback_target(&current, None, &versions, APPROVED_TAG).unwrap();
        assert_eq!((t.version.as_str(), how), ("2", "approved tag"));
        // A previous alias that was itself rolled back, or is not lower, is skipped.
        let bad = v(2, &[(ROLLED_BACK_TAG, "run-1")]);
        let versions = vec![v(1, &ok), bad.clone(), v(4, &ok)];
        let (t, _) = rollback_target(&current, Some(&bad), &versions, APPROVED_TAG).unwrap();
        assert_eq!(t.version, "1");
        assert!(rollback_target(&v(1, &ok), Some(&v(4, &ok)), &versions, APPROVED_TAG).is_none());
        // key=value tags must match exactly; `false` isn't approval.
        let versions = vec![v(1, &[("stage", "ok")]), v(2, &[(APPROVED_TAG, "false")])];
        assert!(rollback_target(&current, None, &versions, APPROVED_TAG).is_none());
        assert_eq!(
            rollback_target(&current, None, &versions, "stage=ok")
                .unwrap()
                .0
                .version,
            "1"
        );
    }

    #[test]
    fn promotion_checks_bounds_and_the_incumbent() {
        let c = PromoteCheck {
            metric: Some("accuracy".into()),
            min: Some(0.85),
            ..Default::default()
        };
        assert!(validate(&c, "accuracy", 0.9, None).is_ok());
        let e = validate(&c, "accuracy", 0.8, None).unwrap_err();
        assert_eq!(e, "accuracy = 0.8 is below the minimum 0.85");
        assert!(validate(&c, "accuracy", f64::NAN, None).is_err());
        let c = PromoteCheck {
            better_than: Some("champion".into()),
            ..Default::default()
        };
        assert!(validate(&c, "accuracy", 0.9, Some(("champion".into(), 0.88))).is_ok());
        assert!(validate(&c, "accuracy", 0.88, Some(("champion".into(), 0.88))).is_err());
        let lower = PromoteCheck {
            lower_is_better: true,
            ..c
        };
        assert!(validate(&lower, "rmse", 1.0, Some(("champion".into(), 1.2))).is_ok());
        assert!(validate(&lower, "rmse", 1.3, Some(("champion".into(), 1.2))).is_err());
    }

    #[test]
    fn a_digest_survives_the_trip_through_context_values() {
        let d = Digest {
            metrics: vec![
                ("dataset.drift_share".into(), 0.6),
                ("column.a b.score".into(), 0.25),
            ],
            params: vec![("bins".into(), "auto".into())],
            tags: vec![("driftmend.incident".into(), "covariate_drift".into())],
        };
        let mut values: BTreeMap<String, ExprValue> = d.to_values().into_iter().collect();
        values.insert("rule.name".into(), ExprValue::Text("drift".into()));
        values.insert("dataset.drift_share".into(), ExprValue::Number(0.6));
        let mut back = Digest::from_values(&values).unwrap();
        back.metrics.sort_by(|a, b| a.0.cmp(&b.0));
        let mut want = d.clone();
        want.metrics.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(back, want);
        values.retain(|k, _| !k.starts_with("digest."));
        assert_eq!(Digest::from_values(&values), None);
    }

    #[test]
    fn metric_names_are_made_safe_for_mlflow() {
        assert_eq!(key_name("income (usd)"), "income _usd_");
        assert_eq!(key_name("a/b.c-d_e f"), "a/b.c-d_e f");
    }

    #[test]
    fn log_batches_respect_mlflow_limits() {
        let common = Common {
            conn: Connection {
                base: "http://127.0.0.1:1".into(),
                auth: Auth::None,
            },
            options: HttpOptions::new(std::time::Duration::from_secs(1), false),
            secrets: Secrets::default(),
            by: "run-1".into(),
        };
        let log = LogRun {
            common,
            experiment: "e".into(),
            run_name: "r".into(),
            start_ms: 0,
            digest: Digest {
                metrics: (0..2500).map(|i| (format!("m{i}"), i as f64)).collect(),
                params: (0..150).map(|i| (format!("p{i}"), "x".into())).collect(),
                tags: Vec::new(),
            },
            extra_tags: Vec::new(),
        };
        let batches = log.batches("abc");
        let count = |k: &str| {
            batches
                .iter()
                .map(|b| b[k].as_array().unwrap().len())
                .collect::<Vec<_>>()
        };
        // 1000 items per call in all: params and tags first.
        assert_eq!(count("params"), vec![100, 50, 0]);
        assert_eq!(count("tags"), vec![0, 0, 0]);
        assert_eq!(count("metrics"), vec![900, 950, 650]);
        // A NaN (no drift share without columns) would be `null`: left out.
        let mut nan = log;
        nan.digest.metrics = vec![("a".into(), f64::NAN), ("b".into(), 1.0)];
        nan.digest.params.clear();
        let batches = nan.batches("abc");
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0]["metrics"].as_array().unwrap().len(), 1);
        assert_eq!(batches[0]["metrics"][0]["key"], "b");
    }
}
