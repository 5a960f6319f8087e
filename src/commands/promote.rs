//! `driftmend promote`: move the serving alias of an MLflow model to a
//! candidate version once its run metrics pass the checks, keeping the
//! replaced version under `previous_champion` for rollbacks.

use anyhow::{bail, Result};

use crate::actions::http::HttpOptions;
use crate::actions::mlflow::{self, Connection, PromoteCheck, PromotePlan, Promoted};
use crate::cli::PromoteArgs;
use crate::exit::ExitStatus;
use crate::policy::template::Secrets;
use crate::printer::{stdout, stdout_line};
use crate::settings;

pub fn promote(args: PromoteArgs) -> Result<ExitStatus> {
    if args.metric.is_some()
        && args.min.is_none()
        && args.max.is_none()
        && args.better_than.is_none()
    {
        bail!(settings::invalid(
            "--metric",
            "needs --min, --max or --better-than to check it against"
        ));
    }
    let timeout = settings::parse_duration(&args.timeout, "--timeout")?;
    let mut secrets = Secrets::default();
    let conn = Connection::resolve(args.tracking_uri.as_deref(), None, None, None, &mut secrets)
        .map_err(anyhow::Error::msg)?;
    let plan = PromotePlan {
        model: args.model,
        candidate: args.candidate,
        alias: args.alias,
        previous_alias: args.previous_alias,
        check: PromoteCheck {
            metric: args.metric,
            min: args.min,
            max: args.max,
            better_than: args.better_than,
            lower_is_better: args.lower_is_better,
        },
    };
    if args.dry_run {
        let mut text = format!("dry run: would promote on {}\n", secrets.scrub(&conn.base));
        for step in plan.steps() {
            text.push_str(&format!("  {step}\n"));
        }
        stdout(text)?;
        return Ok(ExitStatus::Success);
    }
    let by = format!("driftmend promote ({})", crate::engine::trail::operator());
    match mlflow::promote(
        &plan,
        &conn,
        HttpOptions::new(timeout, args.allow_insecure_http),
        &by,
    )
    .map_err(anyhow::Error::msg)?
    {
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
