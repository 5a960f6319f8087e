//! MLflow: a thin REST client (`client`: model registry aliases, version
//! tags, runs) and the three things driftmend does with it: roll the serving
//! alias back to the previous good version (`rollback`), promote a validated
//! candidate (`promote`), and log each run's report as an MLflow run so drift
//! history shows in its UI (`log`). This file builds the action from its
//! policy keys and holds what the three share.

mod client;
mod log;
mod promote;
mod rollback;

use std::time::Instant;

use serde_json::{json, Value};

use super::context::RunContext;
use super::http::{Auth, Http, HttpOptions};
use super::service::{self, failed, finish, Invocation, Render};
use super::{Action, Outcome, Status};
use crate::policy::model::{
    ActionSpec, HttpSpec, MlflowConnSpec, MlflowLogSpec, MlflowPromoteSpec, MlflowRollbackSpec,
};
use crate::policy::template::Secrets;

pub use client::{Client, Connection, MlflowError, ModelVersion, Tag};
use log::context_digest;
pub use log::{digest, key_name, Digest, LogRun};
pub use promote::{promote, validate, Promote, PromoteCheck, PromotePlan, Promoted};
pub use rollback::{rollback_target, Rollback};

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

pub fn rollback(
    spec: &ActionSpec,
    s: &MlflowRollbackSpec,
    r: &mut Render,
    inv: &Invocation,
) -> std::result::Result<Box<dyn Action>, String> {
    let alias = r.opt("alias", &s.alias)?;
    let approved_tag = r.opt("approved_tag", &s.approved_tag)?;
    let model = r.text("model", &s.model)?;
    let password = r.opt("password", &s.conn.password)?;
    let previous_alias = r.opt("previous_alias", &s.previous_alias)?;
    let stage = r.opt("stage", &s.stage)?;
    let conn = Conn::render_rest(password, &s.conn, r)?;
    let common = conn.common(spec, &s.http, r, inv)?;
    Ok(Box::new(Rollback {
        common,
        model,
        alias: alias.unwrap_or_else(|| DEFAULT_ALIAS.to_string()),
        previous_alias: previous_alias.unwrap_or_else(|| DEFAULT_PREVIOUS_ALIAS.to_string()),
        approved_tag: approved_tag.unwrap_or_else(|| APPROVED_TAG.to_string()),
        stage: s
            .use_stages
            .then(|| stage.unwrap_or_else(|| "Production".to_string())),
    }))
}

/// `promote` is the operation; this builds the policy action doing it.
pub fn promote_action(
    spec: &ActionSpec,
    s: &MlflowPromoteSpec,
    r: &mut Render,
    inv: &Invocation,
) -> std::result::Result<Box<dyn Action>, String> {
    let alias = r.opt("alias", &s.alias)?;
    let better_than = r.opt("better_than", &s.better_than)?;
    let candidate = r.text("candidate", &s.candidate)?;
    let metric = r.opt("metric", &s.metric)?;
    let model = r.text("model", &s.model)?;
    let password = r.opt("password", &s.conn.password)?;
    let previous_alias = r.opt("previous_alias", &s.previous_alias)?;
    let conn = Conn::render_rest(password, &s.conn, r)?;
    let common = conn.common(spec, &s.http, r, inv)?;
    Ok(Box::new(Promote {
        common,
        plan: PromotePlan {
            model,
            candidate,
            alias: alias.unwrap_or_else(|| DEFAULT_ALIAS.to_string()),
            previous_alias: previous_alias.unwrap_or_else(|| DEFAULT_PREVIOUS_ALIAS.to_string()),
            check: PromoteCheck {
                metric,
                min: s.min,
                max: s.max,
                better_than,
                lower_is_better: s.lower_is_better,
            },
        },
    }))
}

pub fn log(
    spec: &ActionSpec,
    s: &MlflowLogSpec,
    r: &mut Render,
    inv: &Invocation,
    ctx: &RunContext,
) -> std::result::Result<Box<dyn Action>, String> {
    let experiment = r.text("experiment", &s.experiment)?;
    let password = r.opt("password", &s.conn.password)?;
    let run_name = r.opt("run_name", &s.run_name)?;
    let tags = r.map("tags", &s.tags)?;
    let conn = Conn::render_rest(password, &s.conn, r)?;
    let common = conn.common(spec, &s.http, r, inv)?;
    Ok(Box::new(LogRun {
        common,
        experiment,
        run_name: run_name.unwrap_or_else(|| inv.run_id.clone()),
        start_ms: chrono::DateTime::parse_from_rfc3339(&inv.run_time)
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(|_| chrono::Utc::now().timestamp_millis()),
        digest: ctx
            .digest()
            .cloned()
            .or_else(|| Digest::from_values(ctx.values()))
            .unwrap_or_else(|| context_digest(inv)),
        extra_tags: tags,
    }))
}

/// MLflow's connection keys, rendered.
struct Conn {
    password: Option<String>,
    token: Option<String>,
    tracking_uri: Option<String>,
    username: Option<String>,
}

impl Conn {
    /// Keys render in name order, so that of two keys that fail the first
    /// is reported: `password` among the action's own keys, then these,
    /// which sort after all of them.
    fn render_rest(
        password: Option<String>,
        c: &MlflowConnSpec,
        r: &mut Render,
    ) -> std::result::Result<Conn, String> {
        Ok(Conn {
            password,
            token: r.opt("token", &c.token)?,
            tracking_uri: r.opt("tracking_uri", &c.tracking_uri)?,
            username: r.opt("username", &c.username)?,
        })
    }

    fn common(
        self,
        spec: &ActionSpec,
        http: &HttpSpec,
        r: &mut Render,
        inv: &Invocation,
    ) -> std::result::Result<Common, String> {
        let conn = Connection::resolve(
            self.tracking_uri.as_deref(),
            self.token.as_deref(),
            self.username.as_deref(),
            self.password.as_deref(),
            &mut r.secrets,
        )
        .map_err(|e| format!("action `{}`: {e}", spec.name))?;
        Ok(Common {
            conn,
            options: service::options(http, spec.timeout),
            secrets: r.secrets.clone(),
            by: inv.run_id.clone(),
        })
    }
}

/// What the MLflow actions share.
pub struct Common {
    pub(super) conn: Connection,
    pub(super) options: HttpOptions,
    pub(super) secrets: Secrets,
    /// Who acts: the run id (or `driftmend promote`).
    pub(super) by: String,
}

impl Common {
    pub(super) fn run(
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

    pub(super) fn describe(&self, steps: Vec<String>) -> Value {
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
