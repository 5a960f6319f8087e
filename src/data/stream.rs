//! Profiling Parquet files in bounded memory: one row group (or a slice of
//! at most `batch_rows` rows of it) is read, summarised and dropped before
//! the next, so memory holds one batch, not the dataset.
//!
//! The profile equals the in-memory one (`Profile::from_dataset` over the
//! whole dataset) in everything `report` compares: counts, value counts,
//! buckets, min/max, moments (merged with Chan's formulas). Two numbers are
//! per batch: duplicated rows count duplicates within a batch only, and a
//! date/time column's distinct count is the largest batch's (a lower
//! bound); `docs/profiles.md` says so.

use std::sync::atomic::{AtomicUsize, Ordering};

use polars::prelude::*;

use super::extract::extract_column;
use super::source::{expand, FileFormat};
use super::{DataError, Dataset};
use crate::profile::Profile;

/// The most rows held at once by any streamed read in this process: the
/// test hook that proves memory does not grow with rows.
static PEAK_BATCH_ROWS: AtomicUsize = AtomicUsize::new(0);

pub fn peak_batch_rows() -> usize {
    PEAK_BATCH_ROWS.load(Ordering::SeqCst)
}

/// Whether every file of `spec` is a Parquet file on disk (what can be
/// streamed), and their total size in bytes.
pub fn streamable(spec: &str) -> Result<Option<u64>, DataError> {
    let expanded = expand(spec)?;
    let mut total = 0;
    for f in &expanded.files {
        if f.stream || f.format != Some(FileFormat::Parquet) {
            return Ok(None);
        }
        total += std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
    }
    Ok(Some(total))
}

/// The profile of the Parquet files of `spec`, read `batch_rows` rows at a
/// time (at most one row group per read).
pub fn profile_parquet(spec: &str, batch_rows: usize, version: &str) -> Result<Profile, DataError> {
    let batch_rows = batch_rows.max(1);
    let expanded = expand(spec)?;
    let mut profile: Option<Profile> = None;
    for file in &expanded.files {
        let shown = file.path.display().to_string();
        let read_err = |e: PolarsError| DataError::Read {
            path: shown.clone(),
            message: e.to_string(),
        };
        let open = || {
            std::fs::File::open(&file.path).map_err(|source| DataError::Io {
                path: shown.clone(),
                source,
            })
        };
        let mut reader = ParquetReader::new(open()?);
        let metadata = reader.get_metadata().map_err(read_err)?.clone();
        let mut offset = 0usize;
        let groups: Vec<usize> = metadata.row_groups.iter().map(|g| g.num_rows()).collect();
        for group_rows in groups {
            let mut done = 0;
            while done < group_rows {
                let len = batch_rows.min(group_rows - done);
                let mut reader = ParquetReader::new(open()?);
                reader.set_metadata(metadata.clone());
                let df = reader
                    .with_slice(Some((offset + done, len)))
                    .finish()
                    .map_err(read_err)?;
                PEAK_BATCH_ROWS.fetch_max(df.height(), Ordering::SeqCst);
                let part = summarise(&df, spec, &shown, version).map_err(read_err)?;
                drop(df);
                profile = Some(match profile {
                    None => part,
                    Some(acc) => acc.merge(&part).map_err(|e| DataError::SchemaMismatch {
                        first: expanded.files[0].path.display().to_string(),
                        file: shown.clone(),
                        detail: e.to_string(),
                    })?,
                });
                done += len;
            }
            offset += group_rows;
        }
    }
    let mut profile = profile.ok_or_else(|| DataError::NoRows(spec.to_string()))?;
    if profile.rows == 0 {
        return Err(DataError::NoRows(spec.to_string()));
    }
    profile.sources = vec![spec.to_string()];
    profile.files = expanded
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    Ok(profile)
}

fn summarise(df: &DataFrame, spec: &str, file: &str, version: &str) -> PolarsResult<Profile> {
    let columns = df
        .columns()
        .iter()
        .map(extract_column)
        .collect::<PolarsResult<Vec<_>>>()?;
    let names = columns.iter().map(|c| c.name.clone()).collect();
    let ds = Dataset {
        path: spec.to_string(),
        files: vec![file.to_string()],
        rows: df.height(),
        columns,
        names,
        selected: false,
        duplicated_rows: if df.height() == 0 {
            0
        } else {
            super::extract::duplicated_rows(df)
        },
        rows_of: Default::default(),
        warnings: Vec::new(),
    };
    Ok(Profile::from_dataset(&ds, spec, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Summary;

    /// `n` rows in row groups of `group` rows: a float with many distinct
    /// values, an integer with few, a string.
    fn write(path: &std::path::Path, n: usize, group: usize) {
        let x: Vec<Option<f64>> = (0..n)
            .map(|i| (i % 97 != 0).then(|| ((i * 7919) % 100_003) as f64 / 7.0 - 3000.0))
            .collect();
        let k: Vec<i64> = (0..n).map(|i| (i % 5) as i64).collect();
        let s: Vec<&str> = (0..n).map(|i| ["a", "b", "c"][i % 3]).collect();
        let mut df = polars::df!("x" => x, "k" => k, "s" => s).unwrap();
        ParquetWriter::new(std::fs::File::create(path).unwrap())
            .with_row_group_size(Some(group))
            .finish(&mut df)
            .unwrap();
    }

    #[test]
    fn streamed_profile_equals_the_in_memory_one_and_holds_one_batch() {
        let dir = tempfile::tempdir().unwrap();
        for (rows, group, batch) in [(20_000, 3_000, 1_000), (60_000, 3_000, 1_000)] {
            let path = dir.path().join(format!("d{rows}.parquet"));
            write(&path, rows, group);
            let spec = path.display().to_string();
            let whole = super::super::load(
                &spec,
                &Default::default(),
                &super::super::Selection::all(),
                &Default::default(),
            )
            .unwrap();
            let in_memory = Profile::from_dataset(&whole, &spec, "t");
            let streamed = profile_parquet(&spec, batch, "t").unwrap();
            assert_eq!(streamed.rows, in_memory.rows);
            for (a, b) in streamed.columns.iter().zip(&in_memory.columns) {
                match (&a.summary, &b.summary) {
                    (Summary::Numbers(x), Summary::Numbers(y)) => {
                        assert_eq!(
                            (x.count, x.null, x.min, x.max),
                            (y.count, y.null, y.min, y.max)
                        );
                        assert_eq!(x.exact, y.exact);
                        let key = |v: &crate::profile::NumberSummary| {
                            v.buckets
                                .iter()
                                .map(|b| (b.key, b.count, b.min, b.max))
                                .collect::<Vec<_>>()
                        };
                        assert_eq!(key(x), key(y));
                        assert!((x.mean - y.mean).abs() <= 1e-9 * y.mean.abs().max(1.0));
                        assert!((x.m2 - y.m2).abs() <= 1e-9 * y.m2);
                    }
                    (x, y) => assert_eq!(x, y),
                }
            }
            // Three times the rows, the same peak: memory follows the batch.
            assert!(peak_batch_rows() <= batch, "{}", peak_batch_rows());
        }
    }
}
