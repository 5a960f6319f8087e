//! The IO around a report that `report` and `run` share: load both
//! datasets and build it; write it to more files, the Prometheus textfile
//! and a Pushgateway.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::printer::Printer;
use crate::report::render::prometheus::{self, MetricLabels};
use crate::report::render::{self, RenderOptions, ReportFormat};
use crate::report::{build, AnalysisSettings, Report};
use crate::settings::{OutputSettings, ReportSettings};
use crate::{atomic_file, data, profile};

/// Loads both datasets and builds the report.
pub fn compute(settings: &ReportSettings, printer: &Printer) -> Result<Report> {
    let spinner = printer.spinner("loading reference and current data");
    let selection = selection(&settings.analysis);
    let storage = &settings.storage;
    let (reference, current) = load_both(
        || match &settings.reference_profile {
            Some(cache) => {
                cached_profile(cache, &settings.reference, &settings.csv, storage, printer)
                    .map(data::Input::Profile)
            }
            None => data::load_input(&settings.reference, &settings.csv, &selection, storage)
                .map_err(anyhow::Error::from),
        },
        &settings.reference_from,
        || match &settings.chunking {
            None => data::load_input(&settings.current, &settings.csv, &selection, storage)
                .map(|input| (input, None))
                .map_err(anyhow::Error::from),
            Some(how) => {
                data::load_chunked(&settings.current, &settings.csv, &selection, storage, how)
                    .map(|c| (data::Input::Data(c.whole), Some(c.chunks)))
                    .map_err(anyhow::Error::from)
            }
        },
        &settings.current_from,
    )?;
    let (current, chunks) = current;
    // A profile on either side: compare two profiles (the data side is
    // profiled too), so both sides are rebuilt alike and every score says
    // how exact it is.
    let (reference, current, profiles) = match (reference, current) {
        (data::Input::Data(r), data::Input::Data(c)) => (r, c, None),
        (r, c) => {
            if settings.analysis.target.is_some() || settings.analysis.prediction.is_some() {
                spinner.suspend(|| {
                    printer.warn(
                        "performance metrics need row-aligned target and prediction values, which a profile does not keep; they are left out",
                    )
                });
            }
            let as_profile = |input: data::Input, path: &str| match input {
                data::Input::Profile(p) => p,
                data::Input::Data(d) => {
                    profile::Profile::from_dataset(&d, path, env!("CARGO_PKG_VERSION"))
                }
            };
            let rp = as_profile(r, &settings.reference);
            let cp = as_profile(c, &settings.current);
            for (p, from) in [
                (&rp, &settings.reference_from),
                (&cp, &settings.current_from),
            ] {
                if p.rows > profile::MAX_REBUILD_ROWS {
                    anyhow::bail!(
                        "the profile ({from}) has {} rows; a report rebuilds a profile's values in memory and takes at most {} rows per side",
                        p.rows,
                        profile::MAX_REBUILD_ROWS
                    );
                }
            }
            (
                profile::to_dataset(&rp, &settings.reference),
                profile::to_dataset(&cp, &settings.current),
                Some((rp, cp)),
            )
        }
    };
    spinner.suspend(|| {
        for warning in reference.warnings.iter().chain(&current.warnings) {
            printer.warn(warning);
        }
    });
    spinner.set_message(format!(
        "comparing {} reference rows with {} current rows",
        reference.rows, current.rows
    ));
    let mut report = compare(&reference, &current, &settings.analysis)?;
    if let Some((rp, cp)) = &profiles {
        profile::annotate(&mut report, rp, cp);
    }
    if let (Some(how), Some(chunks)) = (&settings.chunking, chunks) {
        spinner.set_message(format!(
            "comparing {} chunks with the reference",
            chunks.len()
        ));
        let now = report.generated_at.clone();
        report.chunks = Some(crate::report::chunked::build_chunks(
            &reference,
            &report,
            &chunks,
            &settings.analysis,
            env!("CARGO_PKG_VERSION"),
            &now,
        )?);
        report.chunking = Some(crate::report::model::ChunkingInfo {
            chunker: how.chunker,
            timestamp: how.timestamp.clone(),
        });
    }
    spinner.finish_and_clear();
    Ok(report)
}

/// The columns a report reads from disk: those `--columns` names (every
/// one without it) but not those `--exclude` (or the policy's
/// `report.exclude`) names, plus the target and prediction, kept row by
/// row. `report::build` makes the same choice among the columns read.
pub fn selection(analysis: &AnalysisSettings) -> data::Selection {
    let roles: Vec<String> = [&analysis.target, &analysis.prediction]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let chosen = match &analysis.columns {
        Some(columns) => data::Selection::only(columns.iter().cloned()),
        None => data::Selection::all(),
    };
    let selection = chosen
        .excluding(analysis.exclude.iter().cloned())
        .keeping_rows_of(roles);
    // Multivariate drift needs the features' whole rows.
    if analysis.multivariate {
        selection.keeping_all_rows()
    } else {
        selection
    }
}

/// Loads both sides at once; an error says which side and where it came
/// from (`reference_from`: `` `--reference` ``, a policy's `data:`, a
/// Python argument).
pub fn load_both<R: Send, C: Send, E: Into<anyhow::Error> + Send>(
    reference: impl FnOnce() -> Result<R, E> + Send,
    reference_from: &str,
    current: impl FnOnce() -> Result<C, E> + Send,
    current_from: &str,
) -> Result<(R, C)> {
    let (reference, current) = rayon::join(reference, current);
    let reference = reference
        .map_err(Into::into)
        .with_context(|| format!("cannot load the reference dataset ({reference_from})"))?;
    let current = current
        .map_err(Into::into)
        .with_context(|| format!("cannot load the current dataset ({current_from})"))?;
    Ok((reference, current))
}

/// Builds the report of two loaded datasets, stamped with now.
pub fn compare(
    reference: &data::Dataset,
    current: &data::Dataset,
    analysis: &AnalysisSettings,
) -> Result<Report> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(build(
        reference,
        current,
        analysis,
        env!("CARGO_PKG_VERSION"),
        &now,
    )?)
}

/// What `report` writes besides its main output: the report in more
/// formats, the Prometheus textfile and the Pushgateway. `duration` is how
/// long the report took, in seconds.
pub fn write_side_outputs(
    report: &Report,
    out: &OutputSettings,
    duration: f64,
    printer: &Printer,
) -> Result<()> {
    write_outputs(report, &out.extra, printer)?;
    let labels = MetricLabels {
        model: out.model.clone(),
        policy: None,
    };
    if let Some(path) = &out.prometheus_textfile {
        write_metrics(report, path, &labels, duration, true)?;
    }
    if let Some(url) = &out.pushgateway {
        push_metrics(report, url, &labels, duration, true, printer)?;
    }
    Ok(())
}

/// The profile of `spec` kept at `cache`: reused while the files of
/// `spec` have the fingerprint it was built from, else built and written
/// (atomically) for the next run.
fn cached_profile(
    cache: &Path,
    spec: &str,
    csv: &data::CsvOptions,
    storage: &data::StorageOptions,
    printer: &Printer,
) -> Result<profile::Profile> {
    let fingerprint = data::fingerprint(spec)?;
    let shown = cache.display().to_string();
    match data::read_profile(&shown) {
        Ok(Some(p)) if fingerprint.is_some() && p.fingerprint == fingerprint => {
            printer.note(&format!("reusing the reference profile `{shown}`"));
            return Ok(p);
        }
        Ok(Some(_)) => printer.note(&format!(
            "the reference changed since `{shown}` was built; rebuilding it"
        )),
        Ok(None) if cache.exists() => anyhow::bail!(
            "`{shown}` (`data.reference_profile`) exists and is not a driftmend profile; refusing to overwrite it"
        ),
        Ok(None) => printer.note(&format!("building the reference profile `{shown}`")),
        Err(e) => printer.warn(&format!("{e}; rebuilding it")),
    }
    let ds = data::load(spec, csv, &data::Selection::all(), storage)?;
    let mut p = profile::Profile::from_dataset(&ds, spec, env!("CARGO_PKG_VERSION"));
    p.fingerprint = fingerprint;
    if let Some(dir) = cache.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
    }
    atomic_file::write(cache, &profile::encode(&p))?;
    Ok(p)
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
