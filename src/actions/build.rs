//! Renders a policy action (`ActionSpec`) with a run's context into a
//! concrete, runnable `Action`. Secrets are resolved here, at the last
//! moment, and travel only inside the action and its `Secrets` list.

use std::path::Path;

use super::context::RunContext;
use super::exec::ExecAction;
use super::Action;
use crate::policy::model::{ActionKind, ActionSpec};
use crate::policy::template::{Secrets, Template};

/// Builds the action; the error names the field that failed to render.
pub fn build(
    spec: &ActionSpec,
    ctx: &RunContext,
    base_dir: &Path,
) -> Result<(Box<dyn Action>, Secrets), String> {
    let mut secrets = Secrets::default();
    let mut render = |field: &str, t: &Template| {
        t.render(ctx, &mut secrets).map_err(|e| {
            format!(
                "action `{}`: cannot render `{field}` (`{}`): {e}",
                spec.name,
                t.source()
            )
        })
    };
    let action: Box<dyn Action> = match &spec.kind {
        ActionKind::Service(service) => {
            return super::service::build(spec, service, ctx);
        }
        ActionKind::Exec {
            command,
            env,
            set_env,
            cwd,
        } => {
            let mut argv = Vec::with_capacity(command.len());
            let mut argv_display = Vec::with_capacity(command.len());
            for (i, t) in command.iter().enumerate() {
                let r = render(&format!("command[{i}]"), t)?;
                argv.push(r.value);
                argv_display.push(r.display);
            }
            let mut rendered_env = Vec::with_capacity(set_env.len());
            for (name, t) in set_env {
                let r = render(&format!("set_env.{name}"), t)?;
                rendered_env.push((name.clone(), r.value, r.display));
            }
            let cwd = match cwd {
                Some(dir) => base_dir.join(dir),
                None => base_dir.to_path_buf(),
            };
            Box::new(ExecAction {
                argv,
                argv_display,
                env_allow: env.clone(),
                set_env: rendered_env,
                cwd,
                timeout: spec.timeout,
                secrets: secrets.clone(),
            })
        }
    };
    Ok((action, secrets))
}
