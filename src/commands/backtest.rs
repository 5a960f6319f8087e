//! `driftmend backtest`: replay a policy (and with `--against` a second
//! one) on a history of partitions, oldest first, through the real engine
//! on a scratch state, and print what it would have decided.

use anyhow::{Context, Result};

use crate::backtest::cache::ReportCache;
use crate::backtest::history::{self, Partition};
use crate::backtest::render::{self, Outcomes};
use crate::backtest::replay::{replay, RunInput};
use crate::backtest::reports::Reports;
use crate::backtest::timeline::{differences, Timeline};
use crate::cli::BacktestFormat;
use crate::exit::ExitStatus;
use crate::policy::decide::stamp;
use crate::printer::Printer;
use crate::report::Report;
use crate::settings::{policy_report, BacktestSettings, PolicyInput, ReportSettings};

pub fn backtest(s: BacktestSettings, printer: &Printer) -> Result<ExitStatus> {
    let started = std::time::Instant::now();
    let mut reports = Reports::new(ReportCache::new(s.cache_dir.clone()));
    let partitions = partitions(&s, &mut reports)?;
    let spinner = printer.spinner("replaying the history");
    let mut built: Vec<(ReportSettings, Result<Report, String>)> = Vec::new();
    let timeline = timeline_of(
        &s,
        &s.policy,
        &partitions,
        &mut reports,
        &mut built,
        &spinner,
    )?;
    let against = match &s.against {
        Some(p) => Some(timeline_of(
            &s,
            p,
            &partitions,
            &mut reports,
            &mut built,
            &spinner,
        )?),
        None => None,
    };
    spinner.finish_and_clear();
    let diffs = against
        .as_ref()
        .map(|b| differences(&timeline, b))
        .unwrap_or_default();
    let outcomes = Outcomes {
        timeline: &timeline,
        against: against.as_ref(),
        differences: &diffs,
    };
    let mut out = Vec::new();
    match s.format {
        BacktestFormat::Table => render::table(&outcomes, &mut out)?,
        BacktestFormat::Json => render::json(&outcomes, &mut out)?,
        BacktestFormat::Html => render::html(&outcomes, &mut out)?,
    }
    crate::printer::stdout(&out).context("cannot write to stdout")?;
    printer.note(&format!(
        "replayed {} partitions in {:.1}s: {} reports built, {} read from the cache{}",
        partitions.len(),
        started.elapsed().as_secs_f64(),
        reports.built,
        reports.cached,
        s.cache_dir
            .as_ref()
            .map(|d| format!(" `{}`", d.display()))
            .unwrap_or_default()
    ));
    Ok(ExitStatus::Success)
}

/// The partitions in `--from`..`--to`, oldest first, each with its time.
fn partitions(s: &BacktestSettings, reports: &mut Reports) -> Result<Vec<Partition>> {
    let mut partitions = history::list(&s.history, s.time_from.is_none())?;
    if let Some(column) = &s.time_from {
        let csv = crate::data::CsvOptions {
            delimiter: s.policy.policy.data.delimiter as u8,
            null_values: s.policy.policy.data.null_values.clone(),
        };
        for p in &mut partitions {
            p.time = Some(reports.latest(&p.path.display().to_string(), column, &csv)?);
        }
        history::sort(&mut partitions);
    }
    partitions.retain(|p| {
        p.time
            .is_some_and(|t| s.from.is_none_or(|f| t >= f) && s.to.is_none_or(|to| t <= to))
    });
    if partitions.is_empty() {
        anyhow::bail!(
            "no partition of `{}` falls between `--from` and `--to`",
            s.history
        );
    }
    Ok(partitions)
}

/// Replays `p`: builds (or reuses) each partition's report as `p`'s run
/// would, then hands them all to the engine.
fn timeline_of(
    s: &BacktestSettings,
    p: &PolicyInput,
    partitions: &[Partition],
    reports: &mut Reports,
    built: &mut Vec<(ReportSettings, Result<Report, String>)>,
    spinner: &indicatif::ProgressBar,
) -> Result<Timeline> {
    let mut runs: Vec<(chrono::DateTime<chrono::Utc>, String, usize)> = Vec::new();
    for (i, part) in partitions.iter().enumerate() {
        let at = part.time.expect("partitions have times");
        let current = part.path.display().to_string();
        spinner.set_message(format!(
            "`{}`: partition {} of {} ({current})",
            p.policy.name,
            i + 1,
            partitions.len()
        ));
        let (settings, secrets) = policy_report(
            &p.policy,
            &p.file,
            &p.base_dir,
            at,
            s.reference.clone(),
            Some(current.clone()),
            &[],
        )?;
        // `--against` with the same data and options reuses the report.
        let same = |b: &ReportSettings| {
            (&b.reference, &b.current, &b.csv, &b.analysis)
                == (
                    &settings.reference,
                    &settings.current,
                    &settings.csv,
                    &settings.analysis,
                )
        };
        let index = match built.iter().position(|(b, _)| same(b)) {
            Some(index) => index,
            None => {
                let report = reports
                    .report(&settings, &stamp(at))
                    .map(|mut r| {
                        r.reference.path = secrets.scrub(&r.reference.path);
                        r
                    })
                    .map_err(|e| secrets.scrub(&format!("{e:#}")));
                built.push((settings, report));
                built.len() - 1
            }
        };
        runs.push((at, current, index));
    }
    let inputs: Vec<RunInput<'_>> = runs
        .iter()
        .map(|(at, partition, index)| RunInput {
            at: *at,
            partition: partition.clone(),
            report: built[*index].1.as_ref().map_err(|e| e.clone()),
        })
        .collect();
    replay(&p.policy, &p.base_dir, &inputs, &s.fail)
}
