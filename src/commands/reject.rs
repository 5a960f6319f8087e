//! `driftmend reject ID`: drops a queued action without running it,
//! audited with who and why.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;

use crate::engine::{trail, Session};
use crate::exit::ExitStatus;
use crate::settings::StateSettings;

pub fn reject(
    s: StateSettings,
    id: &str,
    reason: Option<String>,
    lock_timeout: Duration,
) -> Result<ExitStatus> {
    let Some(mut session) = Session::open_settled(&s.state_dir, &s.policy, lock_timeout, s.now)?
    else {
        return Ok(ExitStatus::Locked);
    };
    let p = session.take_pending(id, s.now)?;
    session.audit(trail::approval_record(
        s.now,
        &s.policy.name,
        &p,
        "rejected",
        json!({ "by": trail::operator(), "reason": reason }),
    ))?;
    session.save()?;
    crate::printer::stdout_line(format!("{}: rejected `{}`", p.id, p.action))?;
    Ok(ExitStatus::Success)
}
