//! `mlflow_rollback`: re-point the serving alias (or, with `use_stages`,
//! the stage) to the previous good version: the `previous_alias` if it is
//! lower and never rolled back, else the newest approved lower version.

use std::time::Instant;

use serde_json::{json, Value};

use super::client::{confirm_alias, has_tag, newest_first, plain_error, with_warnings};
use super::*;

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

pub struct Rollback {
    pub(super) common: Common,
    pub(super) model: String,
    pub(super) alias: String,
    pub(super) previous_alias: String,
    pub(super) approved_tag: String,
    /// Legacy registries: move versions between stages instead of aliases.
    pub(super) stage: Option<String>,
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
}
