//! The values templates see in one run (`rule.name`, `run.id`, `summary`,
//! metric paths), plus the two secret sources, the environment and secret
//! files. This is the IO side of `policy::template`: it reads the
//! environment and files; the template module stays pure.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::mlflow::Digest;
use crate::policy::expr::{MetricPath, Value};
use crate::policy::template::TemplateContext;

#[derive(Debug, Clone)]
pub struct RunContext {
    now: DateTime<Utc>,
    /// Relative `secret_file(...)` paths start here (the policy's directory).
    base_dir: PathBuf,
    /// Dotted path -> value.
    values: BTreeMap<String, Value>,
    /// The run's report as MLflow metrics (`mlflow_log`); absent when an
    /// approval runs later.
    digest: Option<Arc<Digest>>,
}

impl RunContext {
    pub fn new(now: DateTime<Utc>, base_dir: PathBuf) -> RunContext {
        RunContext {
            now,
            base_dir,
            values: BTreeMap::new(),
            digest: None,
        }
    }

    pub fn with_digest(mut self, digest: Digest) -> RunContext {
        self.digest = Some(Arc::new(digest));
        self
    }

    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_deref()
    }

    pub fn with_values(mut self, values: BTreeMap<String, Value>) -> RunContext {
        self.values = values;
        self
    }

    pub fn set(&mut self, path: &str, value: Value) {
        self.values.insert(path.to_string(), value);
    }

    pub fn values(&self) -> &BTreeMap<String, Value> {
        &self.values
    }
}

impl TemplateContext for RunContext {
    fn value(&self, path: &MetricPath) -> Option<Value> {
        self.values.get(&path.dotted()).cloned()
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn read_secret_file(&self, path: &str) -> Result<String, String> {
        let full = self.base_dir.join(path);
        std::fs::read_to_string(&full)
            .map_err(|e| format!("cannot read secret file `{}`: {e}", full.display()))
    }

    fn now(&self) -> DateTime<Utc> {
        self.now
    }
}
