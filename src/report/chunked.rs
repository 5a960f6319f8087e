//! Drift over time: each chunk of the current data compared with the whole
//! reference, with the methods, kinds and thresholds the whole report chose
//! (a small chunk must not switch a column from Wasserstein to KS, or from
//! numerical to categorical, by `auto`'s size rules). PURE.

use super::build::{build, AnalysisError, AnalysisSettings};
use super::chunk::Chunk;
use super::model::{ChunkColumn, ChunkReport, ColumnKind, Report};
use crate::data::Dataset;

/// The chunk reports, in chunk order.
pub fn build_chunks(
    reference: &Dataset,
    whole: &Report,
    chunks: &[(Chunk, Dataset)],
    settings: &AnalysisSettings,
    version: &str,
    generated_at: &str,
) -> Result<Vec<ChunkReport>, AnalysisError> {
    let pinned = pinned(settings, whole);
    chunks
        .iter()
        .map(|(chunk, data)| {
            let report = build(reference, data, &pinned, version, generated_at)?;
            Ok(summarize(whole, chunk, &report))
        })
        .collect()
}

/// `settings` with each tested column's method, kind and threshold fixed to
/// the whole report's.
fn pinned(settings: &AnalysisSettings, whole: &Report) -> AnalysisSettings {
    let mut s = settings.clone();
    for c in whole.columns.iter().filter(|c| c.method.is_some()) {
        if let Some(method) = c.method {
            s.methods.insert(c.name.clone(), method);
        }
        if let Some(threshold) = c.threshold {
            s.thresholds.insert(c.name.clone(), threshold);
        }
        let (add, remove) = match c.kind {
            ColumnKind::Numerical => (&mut s.numerical, &mut s.categorical),
            ColumnKind::Categorical => (&mut s.categorical, &mut s.numerical),
            _ => continue,
        };
        remove.retain(|n| n != &c.name);
        if !add.contains(&c.name) {
            add.push(c.name.clone());
        }
    }
    s
}

/// One chunk's line: the verdict of every column the whole report tested.
pub fn summarize(whole: &Report, chunk: &Chunk, report: &Report) -> ChunkReport {
    let columns = whole
        .columns
        .iter()
        .filter(|c| c.method.is_some())
        .map(|w| {
            let c = report.columns.iter().find(|c| c.name == w.name);
            ChunkColumn {
                name: w.name.clone(),
                method: c.and_then(|c| c.method).or(w.method),
                score: c.and_then(|c| c.score),
                score_kind: c.and_then(|c| c.score_kind).or(w.score_kind),
                threshold: c.and_then(|c| c.threshold).or(w.threshold),
                drift_detected: c.and_then(|c| c.drift_detected),
            }
        })
        .collect();
    ChunkReport {
        chunk: chunk.clone(),
        rows: report.current.rows,
        dataset_drift: report.dataset_drift.clone(),
        columns,
    }
}

/// The first chunk where the column drifted, by index.
pub fn first_drift(chunks: &[ChunkReport], column: &str) -> Option<usize> {
    chunks.iter().position(|c| {
        c.columns
            .iter()
            .any(|col| col.name == column && col.drift_detected == Some(true))
    })
}
