//! `driftmend backtest`'s settings.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{invalid, state_dir, PolicyInput};

/// Everything `driftmend backtest` needs, resolved.
#[derive(Debug, Clone)]
pub struct BacktestSettings {
    pub policy: PolicyInput,
    pub against: Option<PolicyInput>,
    pub history: String,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub time_from: Option<String>,
    pub fail: Vec<crate::backtest::replay::FailSpec>,
    pub reference: Option<String>,
    /// `None` with `--no-cache`.
    pub cache_dir: Option<PathBuf>,
    pub format: crate::cli::BacktestFormat,
    pub quiet: bool,
    pub progress: bool,
}

impl BacktestSettings {
    pub fn resolve(args: crate::cli::BacktestArgs) -> anyhow::Result<BacktestSettings> {
        use crate::backtest::history::parse_time;
        let policy = PolicyInput::load(&args.policy)?;
        let against = args.against.as_deref().map(PolicyInput::load).transpose()?;
        let time = |text: &Option<String>, flag: &'static str, end_of_day: bool| {
            text.as_deref()
                .map(|t| {
                    parse_time(t, end_of_day).ok_or_else(|| {
                        invalid(
                            flag,
                            format!("`{t}` is not a date (YYYY-MM-DD) or an RFC 3339 time"),
                        )
                    })
                })
                .transpose()
        };
        let from = time(&args.from, "--from", false)?;
        let to = time(&args.to, "--to", true)?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(invalid("--to", "it is before `--from`").into());
            }
        }
        let mut fail = Vec::new();
        for item in args.fail.iter().filter(|i| !i.is_empty()) {
            let (action, at) = match item.split_once('@') {
                Some((action, at)) => {
                    let t = parse_time(at, false).ok_or_else(|| {
                        invalid(
                            "--fail",
                            format!("`{at}` in `{item}` is not a date or an RFC 3339 time"),
                        )
                    })?;
                    (action, Some(t))
                }
                None => (item.as_str(), None),
            };
            let known = |p: &PolicyInput| p.policy.actions.contains_key(action);
            if !known(&policy) && !against.as_ref().is_some_and(known) {
                let names: Vec<&str> = policy.policy.actions.keys().map(|k| k.as_str()).collect();
                return Err(invalid(
                    "--fail",
                    format!(
                        "no action `{action}` in the policy; its actions: {}",
                        names.join(", ")
                    ),
                )
                .into());
            }
            fail.push(crate::backtest::replay::FailSpec {
                action: action.to_string(),
                at,
            });
        }
        let cache_dir = if args.no_cache {
            None
        } else {
            Some(args.cache_dir.clone().unwrap_or_else(|| {
                state_dir(&policy.policy, &policy.base_dir).join("backtest-cache")
            }))
        };
        Ok(BacktestSettings {
            policy,
            against,
            history: args.history,
            from,
            to,
            time_from: args.time_from,
            fail,
            reference: args.reference,
            cache_dir,
            format: args.format,
            quiet: args.quiet,
            progress: !args.quiet && std::io::stderr().is_terminal(),
        })
    }
}
