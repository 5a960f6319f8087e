//! `driftmend ack ACTION --succeeded|--failed`: a person says what became
//! of an action whose outcome was unknown (no answer, or a run killed
//! while it ran); the policy may run it again.

use std::time::Duration;

use anyhow::{bail, Result};
use serde_json::json;

use crate::actions::Status;
use crate::engine::{trail, Session};
use crate::exit::ExitStatus;
use crate::policy::decide;
use crate::settings::StateSettings;

pub fn ack(
    s: StateSettings,
    action: &str,
    succeeded: bool,
    reason: Option<String>,
    lock_timeout: Duration,
) -> Result<ExitStatus> {
    if !s.policy.actions.contains_key(action) {
        let names: Vec<&str> = s.policy.actions.keys().map(String::as_str).collect();
        bail!(
            "the policy has no action `{action}`; its actions: {}",
            names.join(", ")
        );
    }
    let Some(mut session) = Session::open_settled(&s.state_dir, &s.policy, lock_timeout, s.now)?
    else {
        return Ok(ExitStatus::Locked);
    };
    let last = session
        .state
        .actions
        .get(action)
        .and_then(|a| a.last_status.clone());
    if last.as_deref() != Some("unknown") {
        bail!(
            "`{action}` has no unknown outcome to confirm (its last status: {})",
            last.as_deref().unwrap_or("never ran")
        );
    }
    let status = if succeeded {
        Status::Succeeded
    } else {
        Status::Failed
    };
    decide::record(&s.policy, &mut session.state, action, status, s.now);
    session.audit(trail::record(
        "ack",
        s.now,
        &s.policy.name,
        "",
        false,
        json!({ "action": action, "result": status, "by": trail::operator(), "reason": reason }),
    ))?;
    session.save()?;
    crate::printer::stdout_line(format!(
        "`{action}`: recorded as {}",
        if succeeded { "succeeded" } else { "failed" }
    ))?;
    Ok(ExitStatus::Success)
}
