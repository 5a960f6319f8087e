//! `mlflow_log`: the run's report as an MLflow run (metrics, params, tags
//! in `log-batch` calls within MLflow's limits), created once per driftmend
//! run even when an answer is lost.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{json, Value};

use super::super::http::{self, Request};
use super::*;
use crate::policy::expr::Value as ExprValue;
use crate::report::Report;

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
pub(super) fn context_digest(inv: &Invocation) -> Digest {
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
    pub(super) common: Common,
    pub(super) experiment: String,
    pub(super) run_name: String,
    pub(super) start_ms: i64,
    pub(super) digest: Digest,
    pub(super) extra_tags: Vec<(String, String)>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
