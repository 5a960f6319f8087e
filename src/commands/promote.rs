//! `driftmend promote`: move the serving alias of an MLflow model to a
//! candidate version once its run metrics pass the checks, keeping the
//! replaced version under `previous_champion` for rollbacks.

use anyhow::Result;

use crate::actions::http::HttpOptions;
use crate::actions::mlflow::{self, Connection, Promoted};
use crate::engine::trail;
use crate::exit::ExitStatus;
use crate::policy::template::Secrets;
use crate::printer::{stdout, stdout_line};
use crate::settings::PromoteSettings;

pub fn promote(s: PromoteSettings) -> Result<ExitStatus> {
    let mut secrets = Secrets::default();
    let conn = Connection::resolve(s.tracking_uri.as_deref(), None, None, None, &mut secrets)
        .map_err(anyhow::Error::msg)?;
    if s.dry_run {
        let mut text = format!("dry run: would promote on {}\n", secrets.scrub(&conn.base));
        for step in s.plan.steps() {
            text.push_str(&format!("  {step}\n"));
        }
        stdout(text)?;
        return Ok(ExitStatus::Success);
    }
    let by = format!("driftmend promote ({})", trail::operator());
    let options = HttpOptions::new(s.timeout, s.allow_insecure_http);
    match mlflow::promote(&s.plan, &conn, options, &by).map_err(anyhow::Error::msg)? {
        Promoted::Done { message, .. } => {
            stdout_line(message)?;
            Ok(ExitStatus::Success)
        }
        Promoted::Refused(reason) => {
            eprintln!("refused: {reason}");
            Ok(ExitStatus::Failure)
        }
    }
}
