//! `mlflow_promote` and `driftmend promote`: move the serving alias to a
//! candidate version once its run metrics pass the checks, keeping the
//! replaced version under the previous alias for rollbacks.

use std::time::Instant;

use serde_json::{json, Value};

use super::client::{confirm_alias, plain_error, with_warnings};
use super::*;

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
    pub(super) common: Common,
    pub(super) plan: PromotePlan,
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
        assert_eq!(
            validate(&c, "accuracy", f64::NAN, None).unwrap_err(),
            "accuracy = NaN is below the minimum 0.85"
        );
        let c = PromoteCheck {
            better_than: Some("champion".into()),
            ..Default::default()
        };
        assert!(validate(&c, "accuracy", 0.9, Some(("champion".into(), 0.88))).is_ok());
        assert_eq!(
            validate(&c, "accuracy", 0.88, Some(("champion".into(), 0.88))).unwrap_err(),
            "accuracy = 0.88 is not better than champion's 0.88 (higher is better)"
        );
        let lower = PromoteCheck {
            lower_is_better: true,
            ..c
        };
        assert!(validate(&lower, "rmse", 1.0, Some(("champion".into(), 1.2))).is_ok());
        assert_eq!(
            validate(&lower, "rmse", 1.3, Some(("champion".into(), 1.2))).unwrap_err(),
            "rmse = 1.3 is not better than champion's 1.2 (lower is better)"
        );
    }
}
