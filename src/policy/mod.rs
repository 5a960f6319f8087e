//! Policies: the versioned YAML file (`load`, `model`), its expression
//! language (`expr`), templates (`template`) and the secrets they meet
//! (`secrets`), the metric paths rules read (`metric_paths`), run diagnosis
//! (`diagnosis`), and the pure decision engine with its guardrails
//! (`decide`) over the remembered state (`state`).
//!
//! Everything here is pure: no files, no clock, no environment. The `run`,
//! `policy`, `pending`/`approve`/`reject` commands do the IO.

pub mod decide;
pub mod diagnosis;
pub mod duration;
pub mod explain;
pub mod expr;
pub mod load;
pub mod metric_paths;
pub mod model;
pub mod secrets;
pub mod service_spec;
pub mod state;
pub mod template;

pub use load::{load, PolicyError};
pub use model::Policy;

/// Template paths that come from the run rather than the report.
pub const CONTEXT_PATHS: &[&str] = &[
    "rule.name",
    "rule.when",
    "run.id",
    "run.time",
    "run.dry_run",
    "policy.name",
    "action.name",
    "action.idempotency_key",
    "summary",
];

/// Checks every metric path a policy uses (rule conditions and action
/// templates) against the metric schema, and column names against `columns`
/// when known. Returns (path in the file, message) pairs; `load` maps them to
/// positions where it can.
pub fn check_paths(policy: &Policy, columns: Option<&[String]>) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        for p in rule.when.paths() {
            if let Err(e) = metric_paths::check(&p.segments, columns) {
                problems.push((format!("rules[{i}].when"), e));
            }
        }
    }
    for (name, action) in &policy.actions {
        for (field, template) in action.templates() {
            for p in template.paths() {
                let dotted = p.dotted();
                if CONTEXT_PATHS.contains(&dotted.as_str()) {
                    continue;
                }
                if let Err(e) = metric_paths::check(&p.segments, columns) {
                    problems.push((format!("actions.{name}.{field}"), e));
                }
            }
        }
    }
    problems
}
