//! `driftmend pending`: the actions waiting for approval, each with the
//! full request it would send.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;

use crate::cli::ListFormat;
use crate::engine::request_text::write_request;
use crate::engine::Session;
use crate::exit::ExitStatus;
use crate::policy::decide;
use crate::settings::StateSettings;

pub fn pending(s: StateSettings) -> Result<ExitStatus> {
    let Some(mut session) = Session::open_settled(&s.state_dir, &s.policy, Duration::ZERO, s.now)?
    else {
        return Ok(ExitStatus::Locked);
    };
    if !session.expire(s.now, true)?.is_empty() {
        session.save()?;
    }
    let mut out = Vec::new();
    match s.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &session.state.pending)?;
            writeln!(out)?;
        }
        ListFormat::Table if session.state.pending.is_empty() => {
            writeln!(out, "No actions are waiting for approval.")?
        }
        ListFormat::Table => {
            for p in &session.state.pending {
                writeln!(
                    out,
                    "{}  action `{}` for rule `{}` (run {}), expires {}",
                    p.id,
                    p.action,
                    p.rule,
                    p.run_id,
                    decide::stamp(p.expires_at)
                )?;
                write_request(&mut out, &p.request, true, 4)?;
            }
        }
    }
    crate::printer::stdout(&out)?;
    Ok(ExitStatus::Success)
}
