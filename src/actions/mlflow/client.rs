//! The MLflow REST client: where MLflow is and how to log in, the calls
//! driftmend makes (registry aliases, version tags, runs, metrics), and
//! MLflow's errors in its own words. Every call is recorded for the outcome.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::super::http::{self, Auth, Failure, Http, Repeat, Request};
use crate::policy::template::Secrets;

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
    pub(super) fn message(&self, secrets: &Secrets) -> String {
        format!(
            "{}: {}",
            self.what,
            http::failure_text("MLflow", &self.failure, secrets)
        )
    }

    pub(super) fn error_code(&self) -> Option<String> {
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
    pub(super) fn not_found(&self) -> bool {
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
    pub(super) fn unanswered(&self) -> bool {
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

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}/api/2.0/mlflow/{path}", self.conn.base)
    }

    pub(super) fn send(&mut self, what: &str, req: Request) -> Result<Value> {
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

    pub(super) fn get(&mut self, what: &str, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        let q: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let url = format!("{}?{}", self.url(path), http::form_encode(&q));
        self.send(what, Request::get(url))
    }

    /// A write that lands the same however often it is sent.
    pub(super) fn post(&mut self, what: &str, path: &str, body: Value) -> Result<Value> {
        self.send(
            what,
            Request::post(self.url(path))
                .json(body)
                .repeat(Repeat::Safe),
        )
    }

    pub(super) fn version_from(v: &Value, what: &str) -> Result<ModelVersion> {
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
pub(super) fn newest_first(mut versions: Vec<ModelVersion>) -> Vec<ModelVersion> {
    versions.sort_by_key(|v| std::cmp::Reverse(v.number()));
    versions
}

/// `key` (any value but `false`) or `key=value`.
pub(super) fn has_tag(v: &ModelVersion, spec: &str) -> bool {
    match spec.split_once('=') {
        Some((k, want)) => v.tag(k) == Some(want),
        None => v
            .tag(spec)
            .is_some_and(|x| !x.eq_ignore_ascii_case("false")),
    }
}

/// Re-reads `alias` after setting it to `version`: another version there is
/// an error (someone moved it meanwhile); a failed read only a warning, the
/// set itself having been answered.
pub(super) fn confirm_alias(
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
pub(super) fn with_warnings(message: String, warnings: &[String]) -> String {
    warnings
        .iter()
        .fold(message, |m, w| format!("{m}; warning: {w}"))
}

pub(super) fn plain_error(what: &str, message: String) -> MlflowError {
    MlflowError {
        failure: Failure::Invalid(message),
        what: what.to_string(),
        write: false,
    }
}
