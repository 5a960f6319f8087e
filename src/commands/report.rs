//! `driftmend report`: load both datasets, build the report, render it, and
//! map `--fail-on` to the exit status.

use anyhow::{Context, Result};

use crate::atomic_file;
use crate::cli::FailOn;
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::report::render::{self, github, RenderOptions, ReportFormat};
use crate::report::Report;
use crate::report_io::{compute, write_side_outputs};
use crate::settings::{GithubSettings, OutputSettings, ReportSettings};

pub fn report(settings: ReportSettings, printer: &Printer) -> Result<ExitStatus> {
    let started = std::time::Instant::now();
    let report = compute(&settings, printer)?;
    let out = &settings.output;
    if let Some(gh) = &out.github {
        github(&report, gh, out)?;
    }
    write_report(&report, &settings, printer)?;
    write_side_outputs(&report, out, started.elapsed().as_secs_f64(), printer)?;
    Ok(status(&report, settings.fail_on))
}

/// GitHub Actions: the Markdown summary appended to `$GITHUB_STEP_SUMMARY`
/// and one annotation per finding and drifted column. Annotations go to
/// stdout (where the runner reads workflow commands) unless the report
/// itself is machine-readable on stdout; then to stderr.
fn github(report: &Report, gh: &GithubSettings, out: &OutputSettings) -> Result<()> {
    if let Some(path) = &gh.step_summary {
        let mut md = Vec::new();
        render::render(
            ReportFormat::Markdown,
            report,
            &mut md,
            &RenderOptions::default(),
        )?;
        github::append_step_summary(&md, path).with_context(|| {
            format!(
                "cannot append to `$GITHUB_STEP_SUMMARY` (`{}`)",
                path.display()
            )
        })?;
    }
    let machine_stdout = out.path.is_none()
        && matches!(
            out.format,
            ReportFormat::Json | ReportFormat::Junit | ReportFormat::Html
        );
    let lines = github::annotations(report).join("\n");
    if !lines.is_empty() {
        if machine_stdout {
            eprintln!("{lines}");
        } else {
            crate::printer::stdout_line(lines)?;
        }
    }
    Ok(())
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
        None => crate::printer::stdout(&buf).context("cannot write the report to stdout")?,
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
