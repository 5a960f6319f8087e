//! `driftmend report`: load both datasets, build the report, render it, and
//! map `--fail-on` to the exit status.

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::FailOn;
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::report::render::{self, RenderOptions};
use crate::report::{build, Report};
use crate::settings::ReportSettings;
use crate::{atomic_file, data};

pub fn report(settings: ReportSettings, printer: &Printer) -> Result<ExitStatus> {
    let report = compute(&settings, printer)?;
    write_report(&report, &settings, printer)?;
    Ok(status(&report, settings.fail_on))
}

/// Loads both datasets and builds the report (shared with `run`).
pub fn compute(settings: &ReportSettings, printer: &Printer) -> Result<Report> {
    let spinner = printer.spinner("loading reference and current data");
    let roles: Vec<String> = [&settings.analysis.target, &settings.analysis.prediction]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let (reference, current) = rayon::join(
        || data::load(&settings.reference, &settings.csv, &roles),
        || data::load(&settings.current, &settings.csv, &roles),
    );
    let reference = reference.context("cannot load the reference dataset (`--reference`)")?;
    let current = current.context("cannot load the current dataset (`--current`)")?;
    spinner.set_message(format!(
        "comparing {} reference rows with {} current rows",
        reference.rows, current.rows
    ));
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let report = build(
        &reference,
        &current,
        &settings.analysis,
        env!("CARGO_PKG_VERSION"),
        &now,
    )?;
    spinner.finish_and_clear();
    Ok(report)
}

fn write_report(report: &Report, settings: &ReportSettings, printer: &Printer) -> Result<()> {
    let out = &settings.output;
    let opts = RenderOptions {
        color: out.color,
        width: out.width,
    };
    let mut buf = Vec::new();
    render::render(out.format, report, &mut buf, &opts).context("cannot render the report")?;
    match &out.path {
        Some(path) => {
            atomic_file::write(path, &buf)?;
            printer.note(&format!("wrote the report to `{}`", path.display()));
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&buf).and_then(|_| stdout.flush()) {
                // A closed pipe (`| head`) is the reader's choice, not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.context("cannot write the report to stdout")?,
            }
        }
    }
    Ok(())
}

fn status(report: &Report, fail_on: FailOn) -> ExitStatus {
    let drift = report.dataset_drift.detected;
    let quality = report.quality.errors > 0;
    let failed = match fail_on {
        FailOn::Never => false,
        FailOn::Drift => drift,
        FailOn::Quality => quality,
        FailOn::Any => drift || quality,
    };
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
