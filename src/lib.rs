//! driftmend: a batch self-healing step for ML pipelines. It loads a
//! reference and a current dataset, measures drift and data quality, and
//! reports; with a policy it decides and acts under guardrails.
//!
//! The binary is a thin shell over [`run`]; the pure core lives in `stats`,
//! `quality` and `report`, the IO in `data` and `commands`.

pub mod actions;
pub mod atomic_file;
pub mod backtest;
pub mod cli;
pub mod commands;
pub mod data;
pub mod engine;
pub mod exit;
pub mod policy;
pub mod printer;
pub mod profile;
pub mod quality;
pub mod report;
pub mod report_io;
pub mod settings;
pub mod statedir;
pub mod stats;
pub mod usage;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::FromArgMatches;

use crate::cli::{AuditCommand, Cli, Command, PolicyCommand};
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::settings::{
    MergeSettings, ProfileSettings, PromoteSettings, ReportSettings, RunSettings, StateSettings,
};

/// Parses `args`, runs the command, and maps the outcome to an exit code.
/// Errors are printed to stderr as `error: ...` with the chain of causes and
/// a `hint:` where one helps.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ExitCode::from(run_code(args))
}

/// [`run`], with the exit code as a number: for a host that exits by
/// itself (the Python package's `driftmend` command).
pub fn run_code<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed = usage::command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to
            // stderr (exit 2, our usage code).
            let _ = e.print();
            if let Some(hint) = glob_hint(&e) {
                eprintln!("{}", printer::inert(&format!("hint: {hint}")));
            }
            return if e.use_stderr() {
                ExitStatus::Error.code()
            } else {
                0
            };
        }
    };
    match dispatch(cli.command) {
        Ok(status) => status.code(),
        // The reader of stdout went away (`driftmend audit | head`): its
        // choice, not an error. Handled here once for every command.
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            eprintln!("{}", printer::inert(&error_message(&err)));
            ExitStatus::Error.code()
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Report(args) => {
            let settings = ReportSettings::resolve(args)?;
            let printer = Printer::new(settings.output.progress, settings.output.quiet);
            commands::report(settings, &printer)
        }
        Command::Profile(args) => {
            let settings = ProfileSettings::resolve(args)?;
            let printer = Printer::new(false, settings.quiet);
            commands::profile(settings, &printer)
        }
        Command::Merge(args) => {
            let settings = MergeSettings::resolve(args);
            let printer = Printer::new(false, settings.quiet);
            commands::merge(settings, &printer)
        }
        Command::Run(args) => {
            let settings = RunSettings::resolve(args)?;
            let printer = Printer::new(settings.progress, settings.quiet);
            commands::run(settings, &printer)
        }
        Command::Backtest(args) => {
            let settings = settings::BacktestSettings::resolve(args)?;
            let printer = Printer::new(settings.progress, settings.quiet);
            commands::backtest(settings, &printer)
        }
        Command::Policy(PolicyCommand::Validate(args)) => {
            commands::validate(&args.file, !args.no_data)
        }
        Command::Policy(PolicyCommand::Explain(args)) => commands::explain(&args.file),
        Command::Pending(args) => commands::pending(StateSettings::resolve(&args)?),
        Command::Approve(args) => {
            let lock_timeout = settings::parse_duration(&args.lock_timeout, "--lock-timeout")?;
            commands::approve(
                StateSettings::resolve(&args.state)?,
                &args.id,
                args.reason,
                lock_timeout,
            )
        }
        Command::Reject(args) => {
            let lock_timeout = settings::parse_duration(&args.lock_timeout, "--lock-timeout")?;
            commands::reject(
                StateSettings::resolve(&args.state)?,
                &args.id,
                args.reason,
                lock_timeout,
            )
        }
        Command::Ack(args) => {
            let lock_timeout = settings::parse_duration(&args.lock_timeout, "--lock-timeout")?;
            commands::ack(
                StateSettings::resolve(&args.state)?,
                &args.action,
                args.succeeded,
                args.reason,
                lock_timeout,
            )
        }
        Command::Promote(args) => commands::promote(PromoteSettings::resolve(args)?),
        Command::Audit(args) => {
            let since = args
                .since
                .as_deref()
                .map(|d| settings::parse_duration(d, "--since"))
                .transpose()?;
            let verify = matches!(args.command, Some(AuditCommand::Verify));
            let mut settings = StateSettings::resolve(&args.state)?;
            if args.shadow {
                settings.state_dir = statedir::shadow_dir(&settings.state_dir);
            }
            commands::audit(settings, since, verify)
        }
        Command::Completions { shell } => commands::completions(shell),
        Command::Man => commands::man(),
    }
}

/// An unexpected argument that is a data file: the shell expanded an
/// unquoted glob (`--reference data/*.parquet`) into several arguments.
fn glob_hint(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let path = std::path::Path::new(arg);
    let data_file = [".parquet", ".pq", ".csv", ".csv.gz", ".tsv"]
        .iter()
        .any(|ext| arg.to_ascii_lowercase().ends_with(ext));
    if arg.starts_with('-') || !(data_file || path.is_file()) {
        return None;
    }
    Some(format!(
        "`{arg}` looks like one of several files an unquoted glob expanded to; quote the glob so driftmend expands it: `--current 'data/*.parquet'`"
    ))
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `error: <what>` then `  caused by: <why>` lines, then a hint.
pub fn error_message(err: &anyhow::Error) -> String {
    let mut out = format!("error: {err}");
    for cause in err.chain().skip(1) {
        out.push_str(&format!("\n  caused by: {cause}"));
    }
    if let Some(hint) = hint(err) {
        out.push_str(&format!("\nhint: {hint}"));
    }
    out
}

fn hint(err: &anyhow::Error) -> Option<&'static str> {
    use crate::data::DataError;
    use crate::report::AnalysisError;
    for cause in err.chain() {
        if let Some(crate::backtest::history::HistoryError::NoTime(_)) = cause.downcast_ref() {
            return Some("name partitions by time (`dt=2026-11-01/`), or pass `--time-from COLUMN` to read each one's time from its data");
        }
        if let Some(e) = cause.downcast_ref::<DataError>() {
            return match e {
                DataError::NotFound(_) | DataError::NoFiles(_) => {
                    Some("check the path; quote globs (`'data/*.parquet'`) so the shell does not expand them")
                }
                DataError::NoRows(_) => Some("an empty extract usually means the upstream job failed; check it before comparing"),
                DataError::Read { .. } => Some("check that the file is complete (not truncated) and in the format its extension says"),
                DataError::SchemaMismatch { .. } => Some("files read as one dataset must share their columns and types"),
                DataError::Storage { hint, .. } => Some(hint),
                DataError::Profile { .. } => Some("rebuild it with `driftmend profile DATA --output FILE` (or `driftmend merge`)"),
                _ => None,
            };
        }
        if let Some(e) = cause.downcast_ref::<AnalysisError>() {
            return match e {
                AnalysisError::UnknownColumn { .. } => {
                    Some("column names are case-sensitive; see the file's header")
                }
                AnalysisError::MethodKind { .. } => {
                    Some("`driftmend report --help` lists the methods for each kind")
                }
                _ => None,
            };
        }
    }
    None
}
