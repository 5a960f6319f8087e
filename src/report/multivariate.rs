//! The `multivariate` block: PCA data reconstruction fitted on the
//! reference's feature columns, its error on the current batch against
//! thresholds from reference chunks. Pure: it takes the row-aligned values
//! the loader kept (`KeepRows::All`) and hands them to `stats::pca`.

use super::build::AnalysisSettings;
use super::estimated::{few_chunks, reference_chunks};
use super::model::{
    ChunkError, ColumnKind, ColumnReport, Finding, FindingCode, Multivariate, Role, Severity,
};
use crate::data::{Dataset, RowValues};
use crate::quality::finding;
use crate::stats::pca::{self, Feature};

/// The multivariate block over the feature columns both sides hold with
/// the same kind of values (numbers, or labels); `None` with a finding
/// when it cannot be computed.
pub fn multivariate(
    reference: &Dataset,
    current: &Dataset,
    columns: &[ColumnReport],
    s: &AnalysisSettings,
) -> (Option<Multivariate>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut names = Vec::new();
    let mut categorical = Vec::new();
    let (mut ref_features, mut cur_features) = (Vec::new(), Vec::new());
    for c in columns.iter().filter(|c| {
        c.role == Role::Feature && matches!(c.kind, ColumnKind::Numerical | ColumnKind::Categorical)
    }) {
        match (reference.rows_of.get(&c.name), current.rows_of.get(&c.name)) {
            (Some(RowValues::Numbers(r)), Some(RowValues::Numbers(k))) => {
                ref_features.push(Feature::Numeric(r));
                cur_features.push(Feature::Numeric(k));
            }
            (Some(RowValues::Labels(r)), Some(RowValues::Labels(k))) => {
                ref_features.push(Feature::Categorical(r));
                cur_features.push(Feature::Categorical(k));
                categorical.push(c.name.clone());
            }
            // Absent on one side, or numbers on one side and text on the
            // other: the schema findings already say so.
            _ => continue,
        }
        names.push(c.name.clone());
    }
    let fail = |findings: &mut Vec<Finding>, message: String| {
        findings.push(finding(
            Severity::Warning,
            FindingCode::Estimation,
            None,
            format!("multivariate drift not computed: {message}"),
        ));
    };
    if names.is_empty() {
        fail(
            &mut findings,
            "no numerical or categorical feature column is on both sides".into(),
        );
        return (None, findings);
    }
    let fit = match pca::fit(&ref_features, s.pca_variance) {
        Ok(fit) => fit,
        Err(e) => {
            fail(&mut findings, e.to_string());
            return (None, findings);
        }
    };
    let errors = |features: &[Feature<'_>]| pca::errors(&fit, features);
    let (ref_errors, cur_errors) = match (errors(&ref_features), errors(&cur_features)) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(e), _) | (_, Err(e)) => {
            fail(&mut findings, e.to_string());
            return (None, findings);
        }
    };
    let chunks = reference_chunks(ref_errors.len());
    findings.extend(few_chunks(chunks.len(), "multivariate drift"));
    let (lower_threshold, upper_threshold) = pca::thresholds(&ref_errors, &chunks);
    let Some(batch) = pca::batch_error(&cur_errors) else {
        fail(&mut findings, "the current batch has no rows".into());
        return (None, findings);
    };
    let k = fit.components();
    let explained = fit.explained_variance_ratio[..k].iter().sum();
    let band = |sign: f64| {
        batch
            .sampling_error
            .map(|se| batch.mean + sign * crate::stats::cbpe::SAMPLING_ERROR_RANGE * se)
    };
    let report = Multivariate {
        method: "pca_reconstruction",
        features: names,
        categorical,
        variance: s.pca_variance,
        explained_variance: explained,
        components: k,
        reference_rows: ref_errors.len(),
        current_rows: cur_errors.len(),
        error: batch.mean,
        sampling_error: batch.sampling_error,
        lower_confidence_bound: band(-1.0).map(|v| v.max(0.0)),
        upper_confidence_bound: band(1.0),
        lower_threshold,
        upper_threshold,
        drift_detected: pca::alert(batch.mean, lower_threshold, upper_threshold),
        reference_chunks: chunks
            .iter()
            .filter_map(|r| {
                Some(ChunkError {
                    start: r.start,
                    end: r.end,
                    error: pca::batch_error(&ref_errors[r.clone()])?.mean,
                })
            })
            .collect(),
    };
    (Some(report), findings)
}
