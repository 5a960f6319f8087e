//! Reading files (and pipes) into one polars `DataFrame` per dataset.

use std::path::Path;

use polars::prelude::*;

use polars::io::utils::compression::SupportedCompression;

use super::csv_text::{drop_blank_lines, escaped_header_fields};
use super::extract::{duplicated_rows, extract_column, row_values};
use super::source::{expand, DataFile, Expanded, FileFormat};
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

/// Which columns a dataset also keeps row by row, besides the per-column
/// summaries every column gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepRows<'a> {
    /// These columns, where present (target and prediction).
    Named(&'a [String]),
    /// Every column (multivariate drift needs whole rows).
    All,
}

/// Loads every file `spec` names as one dataset and reduces it to plain
/// columns. The columns `keep_rows` names are also kept row by row.
pub fn load(spec: &str, csv: &CsvOptions, keep_rows: KeepRows<'_>) -> Result<Dataset, DataError> {
    let Expanded {
        files,
        mut warnings,
    } = expand(spec)?;
    let mut frame: Option<(String, DataFrame)> = None;
    for file in &files {
        let df = read_file(file, csv, &mut warnings)?;
        frame = Some(match frame {
            None => (file.path.display().to_string(), df),
            Some((first, acc)) => (first.clone(), append(&first, acc, &file.path, df)?),
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
    let names: Vec<String> = match keep_rows {
        KeepRows::Named(names) => names.to_vec(),
        KeepRows::All => df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect(),
    };
    let mut rows_of = std::collections::BTreeMap::new();
    for name in &names {
        if let Ok(column) = df.column(name) {
            rows_of.insert(name.clone(), row_values(column).map_err(read_err)?);
        }
    }
    Ok(Dataset {
        path: spec.to_string(),
        rows_of,
        files: files.iter().map(|f| f.path.display().to_string()).collect(),
        rows,
        columns,
        duplicated_rows,
        warnings,
    })
}

fn read_file(
    file: &DataFile,
    csv: &CsvOptions,
    warnings: &mut Vec<String>,
) -> Result<DataFrame, DataError> {
    let shown = file.path.display().to_string();
    let io_err = |source| DataError::Io {
        path: shown.clone(),
        source,
    };
    let read_err = |e: PolarsError| DataError::Read {
        path: shown.clone(),
        message: polars_message(&e),
    };
    if !file.stream && file.format == Some(FileFormat::Parquet) {
        let handle = std::fs::File::open(&file.path).map_err(io_err)?;
        return guarded(FileFormat::Parquet, || read_parquet(handle)).map_err(read_err);
    }
    // CSV is read into memory to be cleaned before polars parses it; a
    // pipe can only be read once, front to back, and has to be in memory
    // for Parquet's footer-first layout too.
    let bytes = std::fs::read(&file.path).map_err(io_err)?;
    let format = match file.format {
        Some(format) => format,
        None => sniff(&bytes).map_err(|what| DataError::UnknownContent {
            path: shown.clone(),
            kind: stream_kind(&file.path),
            what,
        })?,
    };
    match format {
        FileFormat::Parquet => {
            guarded(format, || read_parquet(std::io::Cursor::new(bytes))).map_err(read_err)
        }
        FileFormat::Csv => {
            let (df, wide) = guarded(format, || read_csv(bytes, csv)).map_err(read_err)?;
            warnings.extend(wide.iter().map(|w| w.warning(&shown)));
            Ok(df)
        }
    }
}

/// Parses CSV bytes (plain or compressed): blank lines skipped, a quoted
/// header's doubled quotes unescaped (see `csv_text`), and a column of
/// integers beyond the 64-bit range read as floats (the columns so read
/// are returned).
fn read_csv(bytes: Vec<u8>, csv: &CsvOptions) -> PolarsResult<(DataFrame, Vec<WideIntegers>)> {
    let mut text = match SupportedCompression::check(&bytes) {
        None => bytes,
        Some(_) => {
            let mut out = Vec::new();
            #[allow(deprecated)] // The whole file is in memory anyway.
            polars::io::utils::compression::maybe_decompress_bytes(&bytes, &mut out)?;
            drop(bytes);
            out
        }
    };
    drop_blank_lines(&mut text, csv.delimiter);
    let mut wide: Vec<WideIntegers> = Vec::new();
    let mut infer_rows = Some(10_000);
    let mut df = loop {
        let floats: Vec<&str> = wide.iter().map(|w| w.column.as_str()).collect();
        let e = match parse_csv(&text, csv, infer_rows, &floats) {
            Ok(df) => break df,
            Err(e) => e,
        };
        // polars infers i64 for any column of integers and then fails on
        // one that does not fit: read that column as floats instead.
        if let Some(found) = WideIntegers::from_error(&e) {
            if !floats.contains(&found.column.as_str()) {
                wide.push(found);
                continue;
            }
        }
        // Type inference looks at the first 10k rows; a value further down
        // that does not parse as the inferred type (a stray "n/a" in a
        // numeric column) fails the read. Retry inferring from every row,
        // which reads such a column as text.
        if infer_rows.is_some() && is_parse_error(&e) {
            infer_rows = None;
            continue;
        }
        return Err(e);
    };
    for w in &mut wide {
        let limit = 2f64.powi(f64::MANTISSA_DIGITS as i32);
        let values = df.column(&w.column)?.f64()?;
        w.beyond_exact = values.iter().flatten().filter(|v| v.abs() > limit).count();
    }
    let escaped = escaped_header_fields(&text, csv.delimiter);
    if !escaped.is_empty() {
        let mut names: Vec<PlSmallStr> = df.get_column_names_owned();
        for (index, _) in &escaped {
            if let Some(name) = names.get_mut(*index) {
                // polars kept the doubled quotes (and may have added a
                // suffix to a duplicate name): unescape what it kept.
                *name = name.replace("\"\"", "\"").into();
            }
        }
        // A name that would now clash with another keeps polars' spelling.
        let _ = df.set_column_names(&names);
    }
    Ok((df, wide))
}

/// A CSV column of integers, some beyond the 64-bit range, read as floats.
#[derive(Debug, Clone, PartialEq)]
struct WideIntegers {
    /// As polars names it.
    column: String,
    /// The first value that did not fit.
    example: String,
    /// Values beyond 2^53, which a float may round.
    beyond_exact: usize,
}

impl WideIntegers {
    /// From polars' ``could not parse `V` as dtype `i64` at column 'C'
    /// (column number N)`` when V is an integer.
    fn from_error(e: &PolarsError) -> Option<WideIntegers> {
        let text = e.to_string();
        let line = text.lines().next()?;
        let (_, rest) = line.split_once("could not parse `")?;
        let (value, rest) = rest.split_once("` as dtype `i64` at column '")?;
        let (column, _) = rest.rsplit_once("' (column number ")?;
        let digits = value.trim().trim_start_matches(['-', '+']);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(WideIntegers {
            column: column.to_string(),
            example: value.trim().to_string(),
            beyond_exact: 0,
        })
    }

    fn warning(&self, path: &str) -> String {
        format!(
            "column `{}` in `{path}` has integers beyond the 64-bit range (`{}`); \
             read as floats, so {} {} beyond ±2^53 may be rounded",
            self.column,
            self.example,
            self.beyond_exact,
            if self.beyond_exact == 1 {
                "value"
            } else {
                "values"
            },
        )
    }
}

fn parse_csv(
    text: &[u8],
    csv: &CsvOptions,
    infer_rows: Option<usize>,
    floats: &[&str],
) -> PolarsResult<DataFrame> {
    let null_values = (!csv.null_values.is_empty()).then(|| {
        NullValues::AllColumns(csv.null_values.iter().map(|s| s.as_str().into()).collect())
    });
    let overwrite = (!floats.is_empty()).then(|| {
        let fields = floats
            .iter()
            .map(|name| Field::new((*name).into(), DataType::Float64));
        Arc::new(Schema::from_iter(fields))
    });
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(infer_rows)
        .with_schema_overwrite(overwrite)
        .with_raise_if_empty(true)
        .map_parse_options(|opts| {
            opts.with_separator(csv.delimiter)
                .with_null_values(null_values.clone())
                .with_try_parse_dates(true)
        })
        .into_reader_with_file_handle(std::io::Cursor::new(text))
        .finish()
}

/// The format of a stream without a telling name, from its first bytes:
/// Parquet's magic, compressed data (read as compressed CSV, as polars
/// does), or text. Anything else is described.
fn sniff(bytes: &[u8]) -> Result<FileFormat, String> {
    if bytes.starts_with(b"PAR1") {
        return Ok(FileFormat::Parquet);
    }
    if SupportedCompression::check(bytes).is_some() {
        return Ok(FileFormat::Csv);
    }
    let head = &bytes[..bytes.len().min(8192)];
    if !head.contains(&0) {
        // Text (an encoding problem is polars' to report, with its line).
        return Ok(FileFormat::Csv);
    }
    let known: [(&[u8], &str); 7] = [
        (b"PK\x03\x04", "a zip archive"),
        (b"BZh", "bzip2-compressed data"),
        (b"\xfd7zXZ\x00", "xz-compressed data"),
        (b"ARROW1", "an Arrow IPC (Feather) file"),
        (b"Obj\x01", "an Avro file"),
        (b"ORC", "an ORC file"),
        (b"SQLite format 3\x00", "an SQLite database"),
    ];
    let what = known
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map_or("binary data", |(_, what)| what);
    let first: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Err(format!("{what} (first bytes `{}`)", first.join(" ")))
}

/// What kind of file a stream is, for messages.
fn stream_kind(path: &Path) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::metadata(path).map(|m| m.file_type()) {
        Ok(t) if t.is_fifo() => "a pipe",
        Ok(t) if t.is_char_device() => "a character device",
        Ok(t) if t.is_block_device() => "a block device",
        _ => "a stream",
    }
}

/// Parquet, refusing (not panicking on) columns polars cannot read here.
fn read_parquet<R: polars::io::mmap::MmapBytesReader>(reader: R) -> PolarsResult<DataFrame> {
    let mut reader = ParquetReader::new(reader);
    let schema = reader.schema()?;
    match unreadable_column(&schema) {
        Some(message) => Err(PolarsError::ComputeError(message.into())),
        None => reader.finish(),
    }
}

/// How many [`guarded`] reads are under way: a panic meanwhile (on the
/// reading thread or one of polars' workers) is reported as the file's
/// error, so the default hook must not print it as a crash.
static READING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs a polars read; a panic in it (polars panics on some malformed
/// files: Parquet metadata of the wrong type, offsets past the end) is this
/// file's error, not a crash of driftmend.
fn guarded<T>(format: FileFormat, read: impl FnOnce() -> PolarsResult<T>) -> PolarsResult<T> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if READING.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                default(info);
            }
        }));
    });
    READING.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    READING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    result.unwrap_or_else(|panic| {
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
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_integers_beyond_i64_are_read_as_floats() {
        let error = |value: &str, column: &str| {
            PolarsError::ComputeError(
                format!(
                    "could not parse `{value}` as dtype `i64` at column '{column}' (column number 2)\n\n\
                     You might want to try: increasing `infer_schema_length`"
                )
                .into(),
            )
        };
        let found = WideIntegers::from_error(&error("18446744073709551616", "it's big")).unwrap();
        assert_eq!(
            (found.column.as_str(), found.example.as_str()),
            ("it's big", "18446744073709551616")
        );
        let found = WideIntegers::from_error(&error("-9223372036854775809", "n")).unwrap();
        assert_eq!(found.example, "-9223372036854775809");
        for not_an_integer in ["n/a", "1.5", "", "-", "12a"] {
            assert_eq!(
                WideIntegers::from_error(&error(not_an_integer, "n")),
                None,
                "{not_an_integer:?}"
            );
        }
    }
}
