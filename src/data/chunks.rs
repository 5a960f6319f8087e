//! A dataset split into chunks (`report --chunk-by/--chunk-size/--chunks`):
//! the files are read once, the rows sorted by the timestamp column when
//! there is one (as NannyML does), split by the pure chunker
//! (`report::chunk`), and each chunk reduced to a dataset of its own.

use polars::prelude::*;

use super::read::{read_frame, reduce, FileFrame};
use super::{CsvOptions, DataError, Dataset, Selection, StorageOptions};
use crate::report::chunk::{self, Chunk, Chunker};

/// How to split a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSpec {
    pub chunker: Chunker,
    /// The timestamp column rows are sorted and (for periods) grouped by.
    pub timestamp: Option<String>,
}

/// The whole dataset, and each chunk of it.
#[derive(Debug, Clone)]
pub struct Chunked {
    pub whole: Dataset,
    pub chunks: Vec<(Chunk, Dataset)>,
}

/// Loads `spec` as [`super::load`] does, and split as `how` says. Rows
/// whose timestamp is missing are in the whole dataset but in no chunk (a
/// warning says how many).
pub fn load_chunked(
    spec: &str,
    csv: &CsvOptions,
    selection: &Selection,
    storage: &StorageOptions,
    how: &ChunkSpec,
) -> Result<Chunked, DataError> {
    // The timestamp column is read whatever the selection says.
    let selection = match &how.timestamp {
        Some(name) => selection.clone().keeping_rows_of([name.as_str()]),
        None => selection.clone(),
    };
    let read = read_frame(spec, csv, &selection, storage)?;
    if read.rows == 0 {
        return Err(DataError::NoRows(spec.to_string()));
    }
    let frame = &read.frame;
    let chunk_err = |message: String| DataError::Chunk {
        path: spec.to_string(),
        message,
    };
    let polars_err =
        |e: PolarsError| chunk_err(e.to_string().lines().next().unwrap_or("").to_string());
    let mut warnings = Vec::new();
    let (sorted, times) = match &how.timestamp {
        None => (frame.df.clone(), None),
        Some(name) => {
            let column = frame
                .df
                .column(name)
                .map_err(|_| chunk_err(format!("it has no column `{name}` to chunk by")))?;
            let missing = column.null_count();
            let df = if missing > 0 {
                warnings.push(format!(
                    "{missing} {} of `{spec}` {} no `{name}`; left out of every chunk",
                    if missing == 1 { "row" } else { "rows" },
                    if missing == 1 { "has" } else { "have" },
                ));
                let keep = column.is_not_null();
                frame.df.filter(&keep).map_err(polars_err)?
            } else {
                frame.df.clone()
            };
            let df = df
                .sort(
                    [name.as_str()],
                    SortMultipleOptions::default().with_maintain_order(true),
                )
                .map_err(polars_err)?;
            let times = micros(df.column(name).map_err(polars_err)?).map_err(|what| {
                chunk_err(format!("column `{name}` is {what}, not a date or datetime"))
            })?;
            (df, Some(times))
        }
    };
    let spans = chunk::split(how.chunker, sorted.height(), times.as_deref())
        .map_err(|e| chunk_err(e.to_string()))?;
    let mut chunks = Vec::with_capacity(spans.len());
    for span in spans {
        let part = sorted.slice(span.rows.start as i64, span.len());
        let rows = part.height();
        let part = FileFrame {
            df: part,
            ..frame.clone()
        };
        let data = reduce(spec, read.files.clone(), part, rows, &selection, Vec::new())?;
        chunks.push((span, data));
    }
    let mut whole = reduce(
        spec,
        read.files,
        read.frame,
        read.rows,
        &selection,
        read.warnings,
    )?;
    whole.warnings.extend(warnings);
    Ok(Chunked { whole, chunks })
}

/// A date or datetime column (no missing values) as microseconds since the
/// Unix epoch, UTC; a column of another type is refused with its type.
fn micros(column: &Column) -> Result<Vec<i64>, String> {
    let series = column.as_materialized_series();
    let scale: i64 = match series.dtype() {
        DataType::Date => 86_400_000_000,
        DataType::Datetime(TimeUnit::Milliseconds, _) => 1_000,
        DataType::Datetime(TimeUnit::Microseconds, _) => 1,
        DataType::Datetime(TimeUnit::Nanoseconds, _) => -1_000,
        other => return Err(format!("`{other}`")),
    };
    let physical = series
        .to_physical_repr()
        .cast(&DataType::Int64)
        .map_err(|e| e.to_string())?;
    let ca = physical.i64().map_err(|e| e.to_string())?;
    Ok(ca
        .iter()
        .flatten()
        .map(|v| {
            if scale > 0 {
                v.saturating_mul(scale)
            } else {
                v.div_euclid(-scale)
            }
        })
        .collect())
}
