//! Reading files into one polars `DataFrame` per dataset.

use std::path::Path;

use polars::prelude::*;

use super::extract::{duplicated_rows, extract_column, row_values};
use super::source::{expand, FileFormat};
use super::{DataError, Dataset};

/// How CSV files are parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    pub delimiter: u8,
    /// Extra strings read as missing (the empty field always is).
    pub null_values: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            null_values: Vec::new(),
        }
    }
}

/// Loads every file `spec` names as one dataset and reduces it to plain
/// columns. The columns named in `keep_rows` (present or not) are also kept
/// row by row.
pub fn load(spec: &str, csv: &CsvOptions, keep_rows: &[String]) -> Result<Dataset, DataError> {
    let files = expand(spec)?;
    let mut frame: Option<(String, DataFrame)> = None;
    for (path, format) in &files {
        let df = read_file(path, *format, csv)?;
        frame = Some(match frame {
            None => (path.display().to_string(), df),
            Some((first, acc)) => (first.clone(), append(&first, acc, path, df)?),
        });
    }
    let (_, df) = frame.expect("expand returns at least one file");
    let rows = df.height();
    if rows == 0 {
        return Err(DataError::NoRows(spec.to_string()));
    }
    let duplicated_rows = duplicated_rows(&df);
    let read_err = |e: PolarsError| DataError::Read {
        path: spec.to_string(),
        message: e.to_string(),
    };
    let columns = {
        use rayon::prelude::*;
        df.columns()
            .par_iter()
            .map(extract_column)
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(read_err)?
    };
    let mut rows_of = std::collections::BTreeMap::new();
    for name in keep_rows {
        if let Ok(column) = df.column(name) {
            rows_of.insert(name.clone(), row_values(column).map_err(read_err)?);
        }
    }
    Ok(Dataset {
        path: spec.to_string(),
        rows_of,
        files: files.iter().map(|(p, _)| p.display().to_string()).collect(),
        rows,
        columns,
        duplicated_rows,
    })
}

fn read_file(path: &Path, format: FileFormat, csv: &CsvOptions) -> Result<DataFrame, DataError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| DataError::Io {
        path: shown.clone(),
        source,
    })?;
    // polars panics on some malformed files instead of failing (Parquet
    // metadata with a field of the wrong type, offsets past the end): a panic
    // while reading is this file's error, not a crash of driftmend.
    let read = std::panic::AssertUnwindSafe(|| read_format(path, file, format, csv));
    let result = std::panic::catch_unwind(read).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let format = match format {
            FileFormat::Parquet => "Parquet",
            FileFormat::Csv => "CSV",
        };
        Err(PolarsError::ComputeError(
            format!("not a valid {format} file (the reader failed: {what})").into(),
        ))
    });
    result.map_err(|e| DataError::Read {
        path: shown,
        message: polars_message(&e),
    })
}

fn read_format(
    path: &Path,
    file: std::fs::File,
    format: FileFormat,
    csv: &CsvOptions,
) -> PolarsResult<DataFrame> {
    match format {
        FileFormat::Parquet => {
            let mut reader = ParquetReader::new(file);
            reader
                .schema()
                .and_then(|schema| match unreadable_column(&schema) {
                    Some(message) => Err(PolarsError::ComputeError(message.into())),
                    None => reader.finish(),
                })
        }
        FileFormat::Csv => read_csv(file, csv, Some(10_000)).or_else(|e| {
            // Type inference looks at the first 10k rows; a value further down
            // that does not parse as the inferred type (a stray "n/a" in a
            // numeric column) fails the read. Retry inferring from every row,
            // which reads such a column as text.
            if is_parse_error(&e) {
                let file = std::fs::File::open(path)?;
                read_csv(file, csv, None)
            } else {
                Err(e)
            }
        }),
    }
}

fn read_csv(
    file: std::fs::File,
    csv: &CsvOptions,
    infer_rows: Option<usize>,
) -> PolarsResult<DataFrame> {
    let null_values = (!csv.null_values.is_empty()).then(|| {
        NullValues::AllColumns(csv.null_values.iter().map(|s| s.as_str().into()).collect())
    });
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(infer_rows)
        .with_raise_if_empty(true)
        .map_parse_options(|opts| {
            opts.with_separator(csv.delimiter)
                .with_null_values(null_values.clone())
                .with_try_parse_dates(true)
        })
        .into_reader_with_file_handle(file)
        .finish()
}

/// The first column of a type this build of polars panics on (it lacks the
/// features for decimals, 128-bit integers, half floats, intervals and
/// structs, maps included), as a message: such a file is refused, not a
/// crash.
fn unreadable_column(schema: &ArrowSchema) -> Option<String> {
    fn unreadable(dtype: &ArrowDataType) -> Option<String> {
        use ArrowDataType as A;
        let name = match dtype {
            A::Decimal(..) | A::Decimal32(..) | A::Decimal64(..) | A::Decimal256(..) => "decimal",
            A::Int128 | A::UInt128 => "128-bit integer",
            A::Float16 => "16-bit float",
            A::Interval(_) => "interval",
            A::Struct(_) => "struct",
            A::Map(..) => "map",
            A::List(f) | A::LargeList(f) | A::FixedSizeList(f, _) => {
                return unreadable(&f.dtype).map(|inner| format!("list of {inner}"))
            }
            A::Dictionary(_, values, _) => return unreadable(values),
            _ => return None,
        };
        Some(name.to_string())
    }
    schema.iter_values().find_map(|field| {
        unreadable(&field.dtype).map(|kind| {
            format!(
                "column `{}` is of type {kind}, which driftmend cannot read",
                field.name
            )
        })
    })
}

fn is_parse_error(e: &PolarsError) -> bool {
    let text = e.to_string();
    text.contains("could not parse") || text.contains("parse")
}

/// polars' messages carry hints meant for Python users; keep the first line.
fn polars_message(e: &PolarsError) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("").trim();
    let lower = first.to_ascii_lowercase();
    if lower.contains("empty csv") || lower.contains("empty data") || lower.contains("no data") {
        "the file is empty (no header, no rows)".to_string()
    } else if lower.contains("parquet")
        && (lower.contains("magic") || lower.contains("out of spec") || lower.contains("footer"))
    {
        format!("not a valid Parquet file ({first})")
    } else {
        first.to_string()
    }
}

/// Appends `next` (read from `path`) to `acc`, reconciling the small type
/// differences that partitioned data commonly has: integer vs float
/// partitions become float, and a column that is all-null in one file takes
/// the other file's type. Anything else is an error naming both files.
fn append(
    first: &str,
    mut acc: DataFrame,
    path: &Path,
    next: DataFrame,
) -> Result<DataFrame, DataError> {
    let file = path.display().to_string();
    let mismatch = |detail: String| DataError::SchemaMismatch {
        first: first.to_string(),
        file: file.clone(),
        detail,
    };
    let acc_names: Vec<String> = acc
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let next_names: Vec<String> = next
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    if let Some(missing) = acc_names.iter().find(|n| !next_names.contains(n)) {
        return Err(mismatch(format!("column `{missing}` is missing")));
    }
    if let Some(extra) = next_names.iter().find(|n| !acc_names.contains(n)) {
        return Err(mismatch(format!(
            "column `{extra}` is not in the first file"
        )));
    }
    let mut aligned = Vec::with_capacity(acc_names.len());
    for name in &acc_names {
        let left = acc.column(name).expect("name from acc").clone();
        let right = next.column(name).expect("checked above").clone();
        let (l, r) = (left.dtype().clone(), right.dtype().clone());
        if l == r {
            aligned.push(right);
            continue;
        }
        let target = if l.is_primitive_numeric() && r.is_primitive_numeric() {
            DataType::Float64
        } else if right.null_count() == right.len() {
            l.clone()
        } else if left.null_count() == left.len() {
            r.clone()
        } else {
            return Err(mismatch(format!(
                "column `{name}` is {r} here but {l} in the first file"
            )));
        };
        let cast = |c: &Column| {
            c.cast(&target)
                .map_err(|e| mismatch(format!("column `{name}`: {}", polars_message(&e))))
        };
        if l != target {
            let new_left = cast(&left)?;
            acc.replace(name, new_left)
                .map_err(|e| mismatch(polars_message(&e)))?;
        }
        aligned.push(if r != target { cast(&right)? } else { right });
    }
    let next = DataFrame::new(next.height(), aligned).map_err(|e| mismatch(polars_message(&e)))?;
    acc.vstack_mut_owned(next)
        .map_err(|e| mismatch(polars_message(&e)))?;
    Ok(acc)
}
