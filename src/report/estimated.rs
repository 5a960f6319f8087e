//! The `performance.estimated` block: CBPE fitted on the labelled reference
//! (a binary classifier with scores), estimated on the current batch, with
//! the realized values where current labels exist. Pure: it pairs the
//! row-aligned target and score values the loader kept and hands them to
//! `stats::cbpe`.

use std::ops::Range;

use super::build::AnalysisSettings;
use super::model::{
    ChunkSpan, ChunkValue, EstimatedMetric, EstimatedPerformance, Finding, FindingCode, Metrics,
    Performance, Severity,
};
use crate::data::{number_label, Dataset, RowValues};
use crate::quality::finding;
use crate::stats::cbpe::{self, Scored};

/// NannyML's default number of reference chunks.
pub const REFERENCE_CHUNKS: usize = 10;
/// Fewer reference chunks than this make the thresholds unreliable.
pub const MIN_REFERENCE_CHUNKS: usize = 6;

/// The reference chunks thresholds are computed over: `REFERENCE_CHUNKS`
/// equal parts of the `n` rows in file order, a smaller last one kept, by
/// the chunker of `--chunk-by` (NannyML's count-based chunker).
pub fn reference_chunks(n: usize) -> Vec<Range<usize>> {
    use crate::report::chunk::{split, Chunker, Incomplete};
    let chunker = Chunker::Count {
        count: REFERENCE_CHUNKS,
        incomplete: Incomplete::Keep,
    };
    match split(chunker, n, None) {
        Ok(chunks) => chunks.into_iter().map(|c| c.rows).collect(),
        Err(_) => cbpe::equal_chunks(n, REFERENCE_CHUNKS),
    }
}

/// A finding when the reference yields too few chunks for thresholds.
pub fn few_chunks(chunks: usize, what: &str) -> Option<Finding> {
    (chunks < MIN_REFERENCE_CHUNKS).then(|| {
        finding(
            Severity::Warning,
            FindingCode::Estimation,
            None,
            format!(
                "{what}: the reference gives only {chunks} chunk(s); thresholds from fewer than {MIN_REFERENCE_CHUNKS} are unreliable"
            ),
        )
    })
}

/// Estimated performance, when the task is binary classification with
/// scores and the reference has labels; `None` (and maybe a finding saying
/// why) otherwise.
pub fn estimated(
    reference: &Dataset,
    current: &Dataset,
    performance: &Performance,
    s: &AnalysisSettings,
) -> (Option<EstimatedPerformance>, Vec<Finding>) {
    let mut findings = Vec::new();
    let (Some(target), Some(prediction)) = (&s.target, &s.prediction) else {
        return (None, findings);
    };
    // The reference metrics decided the classes and the positive label.
    let Some(Metrics::Classification(m)) = &performance.reference else {
        return (None, findings);
    };
    let (true, Some(positive)) = (m.classes.len() == 2, m.positive_label.clone()) else {
        return (None, findings);
    };
    let scores_of = |d: &Dataset| match d.rows_of.get(prediction) {
        Some(RowValues::Numbers(v)) => Some(v.clone()),
        _ => None,
    };
    let (Some(ref_scores), Some(cur_scores)) = (scores_of(reference), scores_of(current)) else {
        return (None, findings);
    };
    if !super::performance::are_scores(&ref_scores) {
        // Predicted labels or unbounded scores: nothing to estimate from.
        return (None, findings);
    }
    let labels = |d: &Dataset| -> Option<Vec<Option<String>>> {
        Some(match d.rows_of.get(target)? {
            RowValues::Labels(l) => l.clone(),
            RowValues::Numbers(n) => n.iter().map(|v| v.map(number_label)).collect(),
        })
    };
    let Some(ref_labels) = labels(reference) else {
        return (None, findings);
    };
    let (ref_truth, ref_p): (Vec<bool>, Vec<f64>) = ref_labels
        .iter()
        .zip(&ref_scores)
        .filter_map(|(l, p)| Some((l.as_ref()? == &positive, (*p)?)))
        .unzip();
    let cur_p: Vec<f64> = cur_scores.iter().flatten().copied().collect();
    let chunks = reference_chunks(ref_truth.len());
    findings.extend(few_chunks(chunks.len(), "estimated performance"));
    let reference_scored = Scored {
        scores: &ref_p,
        threshold: s.prediction_threshold,
    };
    let fit = match cbpe::fit(
        &ref_truth,
        reference_scored,
        &chunks,
        s.calibration,
        s.method_options.seed,
    ) {
        Ok(fit) => fit,
        Err(e) => {
            findings.push(finding(
                Severity::Warning,
                FindingCode::Estimation,
                Some(prediction),
                format!("performance not estimated: {e}"),
            ));
            return (None, findings);
        }
    };
    // Realized values from the current rows that have both a label and a
    // score (labels may arrive for part of a batch).
    let (cur_truth, cur_labelled_p): (Vec<bool>, Vec<f64>) = labels(current)
        .map(|l| {
            l.iter()
                .zip(&cur_scores)
                .filter_map(|(l, p)| Some((l.as_ref()? == &positive, (*p)?)))
                .unzip()
        })
        .unwrap_or_default();
    let per_chunk: Vec<Vec<cbpe::MetricEstimate>> = chunks
        .iter()
        .map(|r| cbpe::estimate(&fit, &ref_p[r.clone()], None))
        .collect();
    let metrics = cbpe::estimate(&fit, &cur_p, None)
        .into_iter()
        .zip(&fit.metrics)
        .enumerate()
        .map(|(i, (e, mfit))| {
            let realized = cbpe::realized(
                e.metric,
                &cur_truth,
                Scored {
                    scores: &cur_labelled_p,
                    threshold: s.prediction_threshold,
                },
            );
            EstimatedMetric {
                metric: e.metric.name().to_string(),
                value: e.value,
                sampling_error: e.sampling_error,
                lower_confidence_bound: e.lower_confidence_bound,
                upper_confidence_bound: e.upper_confidence_bound,
                lower_threshold: e.lower_threshold,
                upper_threshold: e.upper_threshold,
                alert: e.alert,
                realized,
                reference_chunks: per_chunk
                    .iter()
                    .zip(&mfit.reference_chunks)
                    .map(|(chunk, realized)| ChunkValue {
                        estimated: chunk[i].value,
                        realized: *realized,
                    })
                    .collect(),
            }
        })
        .collect();
    let estimated = EstimatedPerformance {
        method: "cbpe",
        calibration: s.calibration,
        calibrated: fit.calibrated(),
        positive_label: positive,
        threshold: s.prediction_threshold,
        reference_rows: ref_truth.len(),
        current_rows: cur_p.len(),
        reference_chunks: chunks
            .iter()
            .map(|r| ChunkSpan {
                start: r.start,
                end: r.end,
            })
            .collect(),
        metrics,
    };
    (Some(estimated), findings)
}
