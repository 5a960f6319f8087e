//! The IO around a report that `report` and `run` share: load both
//! datasets and build it; write it to more files, the Prometheus textfile
//! and a Pushgateway.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::printer::Printer;
use crate::report::render::prometheus::{self, MetricLabels};
use crate::report::render::{self, RenderOptions, ReportFormat};
use crate::report::{build, Report};
use crate::settings::ReportSettings;
use crate::{atomic_file, data};

/// Loads both datasets and builds the report .
pub fn compute(settings: &ReportSettings, printer: &Printer) -> Result<Report> {
    let spinner = printer.spinner("loading reference and current data");
    let roles: Vec<String> = [&settings.analysis.target, &settings.analysis.prediction]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let keep = if settings.analysis.multivariate {
        data::KeepRows::All
    } else {
        data::KeepRows::Named(&roles)
    };
    let (reference, current) = rayon::join(
        || data::load(&settings.reference, &settings.csv, keep),
        || data::load(&settings.current, &settings.csv, keep),
    );
    let reference = reference.with_context(|| {
        format!(
            "cannot load the reference dataset ({})",
            settings.reference_from
        )
    })?;
    let current = current.with_context(|| {
        format!(
            "cannot load the current dataset ({})",
            settings.current_from
        )
    })?;
    spinner.suspend(|| {
        for warning in reference.warnings.iter().chain(&current.warnings) {
            printer.warn(warning);
        }
    });
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

/// Writes the report in more formats (`--output-json`, `run --html`, ...),
/// each atomically.
pub fn write_outputs(
    report: &Report,
    outputs: &[(ReportFormat, PathBuf)],
    printer: &Printer,
) -> Result<()> {
    for (format, path) in outputs {
        let mut buf = Vec::new();
        render::render(*format, report, &mut buf, &RenderOptions::default())
            .context("cannot render the report")?;
        atomic_file::write(path, &buf)?;
        printer.note(&format!("wrote the report to `{}`", path.display()));
    }
    Ok(())
}

/// Writes the Prometheus textfile (atomically: node_exporter never reads a
/// half-written file). When the run `succeeded`, now is its last success.
pub fn write_metrics(
    report: &Report,
    path: &Path,
    labels: &MetricLabels,
    duration: f64,
    succeeded: bool,
) -> Result<()> {
    let buf = render_metrics(report, labels, duration, succeeded)?;
    atomic_file::write(path, &buf)
}

/// The metrics text; with `succeeded`, now is the last success time.
fn render_metrics(
    report: &Report,
    labels: &MetricLabels,
    duration: f64,
    succeeded: bool,
) -> Result<Vec<u8>> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .ok()
        .filter(|_| succeeded);
    let mut buf = Vec::new();
    prometheus::render(report, labels, duration, now, &mut buf)
        .context("cannot render the metrics")?;
    Ok(buf)
}

/// Pushes the metrics to a Pushgateway group (`/metrics/job/driftmend/...`).
/// A successful run replaces the group (PUT); a failed one only replaces
/// the metrics it has (POST), so the last success time pushed before stays.
pub fn push_metrics(
    report: &Report,
    base: &str,
    labels: &MetricLabels,
    duration: f64,
    succeeded: bool,
    printer: &Printer,
) -> Result<()> {
    use crate::actions::http::{self, Body, Http, HttpOptions, Repeat, Request};
    let buf = render_metrics(report, labels, duration, succeeded)?;
    let url = format!(
        "{}{}",
        base.trim_end_matches('/'),
        prometheus::push_path("driftmend", labels)
    );
    let mut req = Request::new(if succeeded { "PUT" } else { "POST" }, &url).repeat(Repeat::Safe);
    req.body = Some(Body::Text {
        content_type: "text/plain; version=0.0.4".to_string(),
        text: String::from_utf8_lossy(&buf).into_owned(),
    });
    // Plain http is fine here: a Pushgateway is usually an in-cluster
    // http service, and the metrics carry no credentials.
    let http = Http::new(HttpOptions::new(std::time::Duration::from_secs(30), true))
        .map_err(anyhow::Error::msg)?;
    let ex = http.send(&req);
    match &ex.result {
        Ok(_) => {
            printer.note(&format!("pushed the metrics to `{url}`"));
            Ok(())
        }
        Err(f) => anyhow::bail!(
            "cannot push the metrics to the Pushgateway: {} (after {} attempt{})",
            http::failure_text("Pushgateway", f, &Default::default()),
            ex.attempts,
            if ex.attempts == 1 { "" } else { "s" }
        ),
    }
}
