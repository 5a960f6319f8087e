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
use super::service::{failed, finish, Invocation, Params};
use super::{Action, Outcome, Status};
use crate::policy::model::{ActionSpec, Service};
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
