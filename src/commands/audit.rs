//! `driftmend audit`: show the audit log (optionally only recent records),
//! or `audit verify` its hash chain.

use std::io::Write;

use anyhow::Result;

use crate::cli::ListFormat;
use crate::exit::ExitStatus;
use crate::policy::state::{PolicyState, STATE_VERSION};
use crate::settings::StateSettings;
use crate::statedir::audit;

pub fn audit(
    s: StateSettings,
    since: Option<std::time::Duration>,
    verify: bool,
) -> Result<ExitStatus> {
    let path = s.state_dir.join("audit.jsonl");
    if verify {
        let v = audit::verify(&path)?;
        let state: Option<PolicyState> =
            crate::statedir::store::load(&s.state_dir.join("state.json"), STATE_VERSION)?;
        if let (Some(state), None) = (&state, &v.first_problem) {
            if let Err(e) = crate::engine::session::check_head(state, &path) {
                eprintln!("error: {e}");
                return Ok(ExitStatus::Failure);
            }
        }
        return Ok(match v.first_problem {
            None => {
                crate::printer::stdout_line(format!(
                    "`{}`: {} records, hash chain intact",
                    path.display(),
                    v.records
                ))?;
                ExitStatus::Success
            }
            Some((line, what)) => {
                eprintln!("error: `{}` line {line}: {what}", path.display());
                ExitStatus::Failure
            }
        });
    }
    let cutoff = since.map(|d| s.now - crate::policy::decide::chrono_duration(d));
    let records: Vec<serde_json::Value> = audit::read(&path)?
        .into_iter()
        .filter(|r| match (cutoff, r.get("at").and_then(|a| a.as_str())) {
            (Some(c), Some(at)) => chrono::DateTime::parse_from_rfc3339(at).is_ok_and(|t| t >= c),
            (Some(_), None) => false,
            (None, _) => true,
        })
        .collect();
    let mut out = Vec::new();
    match s.format {
        ListFormat::Json => {
            for r in &records {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
        }
        ListFormat::Table => {
            if records.is_empty() {
                crate::printer::stdout_line(format!(
                    "no audit records{} in `{}`",
                    if since.is_some() { " in that time" } else { "" },
                    path.display()
                ))?;
                return Ok(ExitStatus::Success);
            }
            writeln!(
                out,
                "{:>5}  {:<20}  {:<27}  {:<11} What",
                "Seq", "At", "Run", "Kind"
            )?;
            for r in &records {
                let field = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                let what = match field("kind").as_str() {
                    "run" => match r.get("error").and_then(|e| e.as_str()) {
                        Some(error) => format!("failed: {error}"),
                        None => field("summary"),
                    },
                    "rule" => format!(
                        "rule `{}` {}",
                        field("rule"),
                        if r.get("fired").and_then(|f| f.as_bool()) == Some(true) {
                            "fired"
                        } else {
                            "did not fire"
                        }
                    ),
                    "decision" | "action" => {
                        let verdict = r.get("verdict").and_then(|v| v.as_str()).unwrap_or("");
                        let reason = r
                            .get("reason")
                            .and_then(|m| m.as_str())
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default();
                        let outcome = r
                            .get("outcome")
                            .and_then(|o| o.get("message"))
                            .and_then(|m| m.as_str())
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default();
                        format!(
                            "`{}` for rule `{}`: {verdict}{reason}{outcome}",
                            field("action"),
                            field("rule")
                        )
                    }
                    "start" => format!(
                        "`{}` for rule `{}`: started",
                        field("action"),
                        field("rule")
                    ),
                    "interrupted" => format!(
                        "`{}` (started {}): the run stopped while it ran; outcome unknown",
                        field("action"),
                        field("started_at")
                    ),
                    "ack" => format!(
                        "`{}` acknowledged as {}{}",
                        field("action"),
                        field("result"),
                        who_and_why(r)
                    ),
                    "approval" => {
                        let outcome = r
                            .get("outcome")
                            .and_then(|o| o.get("message"))
                            .and_then(|m| m.as_str())
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default();
                        format!(
                            "approval `{}` of `{}`: {}{}{outcome}",
                            field("approval_id"),
                            field("action"),
                            field("result"),
                            who_and_why(r)
                        )
                    }
                    _ => String::new(),
                };
                let dry = if r.get("dry_run").and_then(|d| d.as_bool()) == Some(true) {
                    " (dry run)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:>5}  {:<20}  {:<27}  {:<11} {}{dry}",
                    r.get("seq").and_then(|s| s.as_u64()).unwrap_or(0),
                    field("at"),
                    field("run_id"),
                    field("kind"),
                    what
                )?;
            }
        }
    }
    crate::printer::stdout(&out)?;
    Ok(ExitStatus::Success)
}

/// ` by alice: "the fix is in"`: who approved, rejected or acknowledged,
/// and the reason they gave, where the record has them.
fn who_and_why(r: &serde_json::Value) -> String {
    let text = |k: &str| r.get(k).and_then(|v| v.as_str()).filter(|v| !v.is_empty());
    let mut out = String::new();
    if let Some(by) = text("by") {
        out.push_str(&format!(" by {by}"));
    }
    if let Some(reason) = text("reason") {
        out.push_str(&format!(" ({reason:?})"));
    }
    out
}
