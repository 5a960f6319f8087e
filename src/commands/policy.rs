//! `driftmend policy validate` and `policy explain`: catch a policy's
//! mistakes at review time, and show what it means with every default
//! filled in.

use std::path::Path;

use anyhow::{Context, Result};

use crate::data;
use crate::exit::ExitStatus;
use crate::policy::{self, Policy};
use crate::settings::{load_policy, PolicyProblems};

/// Exit 0 when the policy is valid, else an error listing every problem
/// (exit 2). With `with_data`, column names are checked against the
/// reference dataset when it can be read.
pub fn validate(file: &Path, with_data: bool) -> Result<ExitStatus> {
    let (policy, base_dir) = load_policy(file)?;
    let columns = if with_data {
        reference_columns(&policy, &base_dir)
    } else {
        None
    };
    let problems = policy::check_paths(&policy, columns.as_deref());
    if !problems.is_empty() {
        let shown = file.display().to_string();
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the policy `{shown}`"))?;
        return Err(PolicyProblems {
            problems: policy::load::locate(&shown, &text, &problems),
            file: shown,
        }
        .into());
    }
    let checked = match &columns {
        Some(cols) => format!(
            "; column names checked against the reference ({} columns)",
            cols.len()
        ),
        None if with_data => {
            "; the reference dataset could not be read, so column names were not checked"
                .to_string()
        }
        None => String::new(),
    };
    crate::printer::stdout_line(format!(
        "`{}` is valid: policy `{}`, {} {}, {} {}, mode {}{checked}",
        file.display(),
        policy.name,
        policy.rules.len(),
        if policy.rules.len() == 1 {
            "rule"
        } else {
            "rules"
        },
        policy.actions.len(),
        if policy.actions.len() == 1 {
            "action"
        } else {
            "actions"
        },
        serde_json::to_value(policy.guardrails.mode)?
            .as_str()
            .unwrap_or("?"),
    ))?;
    Ok(ExitStatus::Success)
}

/// Prints the resolved policy (JSON, every default filled in).
pub fn explain(file: &Path) -> Result<ExitStatus> {
    let (policy, _) = load_policy(file)?;
    crate::printer::stdout_line(serde_json::to_string_pretty(&policy)?)?;
    Ok(ExitStatus::Success)
}

/// The reference dataset's column names, if its files can be read now (a
/// templated path is rendered for today).
fn reference_columns(policy: &Policy, base_dir: &Path) -> Option<Vec<String>> {
    let ctx = crate::actions::context::RunContext::new(chrono::Utc::now(), base_dir.to_path_buf());
    let mut secrets = policy::template::Secrets::default();
    let rendered = policy.data.reference.render(&ctx, &mut secrets).ok()?.value;
    let path = if Path::new(&rendered).is_absolute() {
        rendered
    } else {
        base_dir.join(rendered).display().to_string()
    };
    let csv = data::CsvOptions {
        delimiter: policy.data.delimiter as u8,
        null_values: policy.data.null_values.clone(),
    };
    let dataset = data::load(&path, &csv, data::KeepRows::Named(&[])).ok()?;
    Some(dataset.columns.into_iter().map(|c| c.name).collect())
}
