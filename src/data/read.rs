//! Reading files (and pipes) into one polars `DataFrame` per dataset.

use std::path::Path;

use polars::prelude::*;

use polars::io::utils::compression::SupportedCompression;

use super::column::{Family, RawColumn, Rounded, Values};
use super::csv_text::{delimiter_hint, drop_blank_lines, escaped_header_fields};
use super::extract::{duplicated_rows, extract_column, row_values};
use super::object_store::{Files, StorageOptions};
use super::rounding::integer_text_survives;
use super::schema::unsupported;
use super::selection::Selection;
use super::source::{DataFile, FileFormat};
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

/// One file (or an Arrow stream), read.
#[derive(Clone)]
pub(super) struct FileFrame {
    /// The columns read.
    pub df: DataFrame,
    /// Every column of the source in order, with the type of each one left
    /// unread because driftmend does not analyse it.
    pub fields: Vec<(String, Option<String>)>,
    /// Columns read as floats (CSV integers beyond the 64-bit range, wide
    /// decimals), with the values so rounded.
    pub rounded: Vec<(String, Rounded)>,
    /// Columns shown with the file's type rather than the one they were
    /// read as (a decimal of more than 38 digits, read as floats).
    pub file_types: Vec<(String, String)>,
}

/// Loads every file `spec` names as one dataset and reduces the columns
/// `selection` reads to plain columns; the others are never read from disk
/// (their names are still listed). Columns of a type driftmend does not
/// analyse are listed as `Values::Unsupported`, never read. `spec` is local,
/// or an `s3://` URI read with `storage`.
pub fn load(
    spec: &str,
    csv: &CsvOptions,
    selection: &Selection,
    storage: &StorageOptions,
) -> Result<Dataset, DataError> {
    let Frame {
        files,
        warnings,
        frame,
        rows,
    } = read_frame(spec, csv, selection, storage)?;
    reduce(spec, files, frame, rows, selection, warnings)
}

/// Every file `spec` names, read into one frame (before it is reduced to
/// plain columns).
pub(super) struct Frame {
    pub files: Vec<String>,
    pub warnings: Vec<String>,
    pub frame: FileFrame,
    pub rows: usize,
}

/// Reads every file `spec` names (the columns `selection` reads) into one
/// frame.
pub(super) fn read_frame(
    spec: &str,
    csv: &CsvOptions,
    selection: &Selection,
    storage: &StorageOptions,
) -> Result<Frame, DataError> {
    let listed = Files::list(spec, storage)?;
    let files = &listed.expanded.files;
    let mut warnings = listed.expanded.warnings.clone();
    let mut frame: Option<(String, DataFrame)> = None;
    let mut fields: Vec<(String, Option<String>)> = Vec::new();
    let mut rounded: Vec<(String, Rounded)> = Vec::new();
    let mut file_types: Vec<(String, String)> = Vec::new();
    let mut rows = 0;
    for file in files {
        // An object is read from a local copy, deleted once read.
        let opened = listed.open(file)?;
        let read = read_file(&opened.file, &file.path, csv, selection)?;
        let shown = file.path.display().to_string();
        if let ([(only, _)], false) = (
            read.fields.as_slice(),
            file.format == Some(FileFormat::Parquet),
        ) {
            warnings.extend(delimiter_hint(only, csv.delimiter, &shown));
        }
        rows += read.df.height();
        for (column, r) in read.rounded {
            match rounded.iter_mut().find(|(c, _)| *c == column) {
                Some((_, seen)) => seen.count += r.count,
                None => rounded.push((column, r)),
            }
        }
        frame = Some(match frame {
            None => {
                fields = read.fields;
                file_types = read.file_types;
                (shown, read.df)
            }
            Some((first, acc)) => {
                same_columns(&first, &fields, &shown, &read.fields)?;
                let df = append(&first, acc, &file.path, read.df)?;
                (first, df)
            }
        });
    }
    let (_, df) = frame.expect("expand returns at least one file");
    let files = files.iter().map(|f| f.path.display().to_string()).collect();
    let frame = FileFrame {
        df,
        fields,
        rounded,
        file_types,
    };
    Ok(Frame {
        files,
        warnings,
        frame,
        rows,
    })
}

/// Reduces one dataset's frame to plain columns: what every source (files,
/// an Arrow stream) hands the core. `spec` names the dataset in errors;
/// `rows` counts them even when no column was read.
pub(super) fn reduce(
    spec: &str,
    files: Vec<String>,
    frame: FileFrame,
    rows: usize,
    selection: &Selection,
    warnings: Vec<String>,
) -> Result<Dataset, DataError> {
    let FileFrame {
        df,
        fields,
        rounded,
        file_types,
    } = frame;
    if rows == 0 {
        return Err(DataError::NoRows(spec.to_string()));
    }
    let duplicated_rows = duplicated_rows(&df);
    let read_err = |e: PolarsError| DataError::Read {
        path: spec.to_string(),
        message: e.to_string(),
    };
    let mut read: Vec<RawColumn> = {
        use rayon::prelude::*;
        df.columns()
            .par_iter()
            .map(extract_column)
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(read_err)?
    };
    for (name, r) in rounded {
        if let Some(column) = read.iter_mut().find(|c| c.name == name) {
            column.rounded = Some(r);
        }
    }
    for (name, dtype) in file_types {
        if let Some(column) = read.iter_mut().find(|c| c.name == name) {
            column.dtype = dtype;
        }
    }
    // In file order: the columns read, and the unsupported ones selected.
    let mut columns = Vec::with_capacity(read.len());
    let mut read = read.into_iter().peekable();
    for (name, unread) in &fields {
        match unread {
            Some(dtype) if selection.reads(name) => columns.push(RawColumn {
                name: name.clone(),
                dtype: dtype.clone(),
                family: Family::Other,
                values: Values::Unsupported,
                rounded: None,
            }),
            Some(_) => {}
            None => {
                if read.peek().is_some_and(|c| c.name == *name) {
                    columns.extend(read.next());
                }
            }
        }
    }
    // A column polars renamed (a CSV header naming one twice) keeps its
    // place at the end.
    columns.extend(read);
    let mut rows_of = std::collections::BTreeMap::new();
    let all: Vec<String>;
    let kept: &[String] = if selection.keeps_all_rows() {
        all = df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        &all
    } else {
        selection.rows_of()
    };
    for name in kept {
        if let Ok(column) = df.column(name) {
            rows_of.insert(name.clone(), row_values(column).map_err(read_err)?);
        }
    }
    let selected = fields
        .iter()
        .any(|(name, unread)| unread.is_none() && !selection.reads(name));
    Ok(Dataset {
        path: spec.to_string(),
        rows_of,
        files,
        rows,
        columns,
        names: fields.into_iter().map(|(name, _)| name).collect(),
        duplicated_rows,
        selected,
        warnings,
    })
}

/// Every file of a dataset has the same columns, read or not (the types
/// of the columns read are reconciled by `append`).
fn same_columns(
    first: &str,
    first_fields: &[(String, Option<String>)],
    file: &str,
    fields: &[(String, Option<String>)],
) -> Result<(), DataError> {
    let mismatch = |detail: String| DataError::SchemaMismatch {
        first: first.to_string(),
        file: file.to_string(),
        detail,
    };
    let has =
        |fields: &[(String, Option<String>)], name: &str| fields.iter().any(|(n, _)| n == name);
    if let Some((missing, _)) = first_fields.iter().find(|(n, _)| !has(fields, n)) {
        return Err(mismatch(format!("column `{missing}` is missing")));
    }
    if let Some((extra, _)) = fields.iter().find(|(n, _)| !has(first_fields, n)) {
        return Err(mismatch(format!(
            "column `{extra}` is not in the first file"
        )));
    }
    for (name, unread) in fields {
        let before = first_fields.iter().find(|(n, _)| n == name).map(|(_, u)| u);
        match (before, unread) {
            (Some(Some(a)), None) => {
                return Err(mismatch(format!(
                    "column `{name}` is {a} in the first file but of another type here"
                )))
            }
            (Some(None), Some(a)) => {
                return Err(mismatch(format!(
                    "column `{name}` is {a} here but of another type in the first file"
                )))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads `file`, a local file; messages name it `name` (the object's URI
/// for a downloaded copy).
fn read_file(
    file: &DataFile,
    name: &Path,
    csv: &CsvOptions,
    selection: &Selection,
) -> Result<FileFrame, DataError> {
    let shown = name.display().to_string();
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
        let chunk = |range: std::ops::Range<u64>| {
            use std::io::{Read, Seek, SeekFrom};
            let mut file = std::fs::File::open(&file.path)?;
            file.seek(SeekFrom::Start(range.start))?;
            let mut bytes = vec![0; (range.end - range.start) as usize];
            file.read_exact(&mut bytes)?;
            Ok(bytes)
        };
        return guarded(FileFormat::Parquet, || {
            read_parquet(handle, &chunk, selection)
        })
        .map_err(read_err);
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
            let bytes: Arc<[u8]> = bytes.into();
            let chunk = |range: std::ops::Range<u64>| match bytes
                .get(range.start as usize..range.end as usize)
            {
                Some(part) => Ok(part.to_vec()),
                None => Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof)),
            };
            guarded(format, || {
                read_parquet(std::io::Cursor::new(bytes.clone()), &chunk, selection)
            })
            .map_err(read_err)
        }
        FileFormat::Csv => guarded(format, || read_csv(bytes, csv, selection)).map_err(read_err),
    }
}

/// Parses CSV bytes (plain or compressed): blank lines skipped, a quoted
/// header's doubled quotes unescaped (see `csv_text`), only the selected
/// fields parsed, and a column of integers beyond the 64-bit range read as
/// floats (the values so rounded are counted).
fn read_csv(bytes: Vec<u8>, csv: &CsvOptions, selection: &Selection) -> PolarsResult<FileFrame> {
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
    let escaped = escaped_header_fields(&text, csv.delimiter);
    // The header as polars names it (duplicates suffixed), and as the
    // user reads it (doubled quotes unescaped).
    let header = match selection.is_all() {
        true => Vec::new(),
        false => parse_csv(&text, csv, &CsvPlan::header())?.get_column_names_owned(),
    };
    let names = unescaped(&header, &escaped);
    let wanted: Vec<usize> = (0..names.len())
        .filter(|i| selection.reads(&names[*i]))
        .collect();
    let mut plan = CsvPlan {
        // Nothing selected: parse the first field only, to count the rows.
        projection: (!selection.is_all()).then(|| match wanted.is_empty() {
            true => vec![0],
            false => wanted.clone(),
        }),
        infer_rows: Some(10_000),
        n_rows: None,
        text: Vec::new(),
    };
    let mut wide: Vec<WideIntegers> = Vec::new();
    let mut df = loop {
        plan.text = wide.iter().map(|w| w.column.clone()).collect();
        let e = match parse_csv(&text, csv, &plan) {
            Ok(df) => break df,
            Err(e) => e,
        };
        // polars infers i64 for any column of integers and then fails on
        // one that does not fit: read that column as text, then as floats.
        if let Some(found) = WideIntegers::from_error(&e) {
            if !wide.iter().any(|w| w.column == found.column) {
                wide.push(found);
                continue;
            }
        }
        // Type inference looks at the first 10k rows; a value further down
        // that does not parse as the inferred type (a stray "n/a" in a
        // numeric column) fails the read. Retry inferring from every row,
        // which reads such a column as text.
        if plan.infer_rows.is_some() && is_parse_error(&e) {
            plan.infer_rows = None;
            continue;
        }
        return Err(e);
    };
    let (header, names) = match selection.is_all() {
        true => {
            let header = df.get_column_names_owned();
            let names = unescaped(&header, &escaped);
            (header, names)
        }
        false => (header, names),
    };
    let mut rounded = Vec::new();
    for w in &wide {
        if let Some((floats, r)) = wide_integers(df.column(&w.column)?)? {
            df.replace(&w.column, floats)?;
            rounded.extend(r.map(|r| (w.column.clone(), r)));
        }
    }
    if wanted.is_empty() && !selection.is_all() {
        df = DataFrame::empty_with_height(df.height());
    }
    // Restore the unescaped names polars kept doubled; a name that would
    // now clash with another keeps polars' spelling.
    let kept: Vec<usize> = plan
        .projection
        .unwrap_or_else(|| (0..names.len()).collect());
    let renamed: Vec<PlSmallStr> = df
        .get_column_names_owned()
        .into_iter()
        .zip(&kept)
        .map(|(name, i)| names.get(*i).map_or(name, |n| n.as_str().into()))
        .collect();
    if renamed.len() == df.width() {
        let _ = df.set_column_names(&renamed);
    }
    let rounded = rounded
        .into_iter()
        .map(|(column, r)| {
            let at = header.iter().position(|h| h.as_str() == column);
            (at.map_or(column, |i| names[i].clone()), r)
        })
        .collect();
    Ok(FileFrame {
        df,
        fields: names.into_iter().map(|n| (n, None)).collect(),
        rounded,
        file_types: Vec::new(),
    })
}

/// The header's names as the user reads them: polars keeps the doubled
/// quotes of a quoted name (and may have added a suffix to a duplicate
/// name): unescape what it kept.
fn unescaped(header: &[PlSmallStr], escaped: &[(usize, String)]) -> Vec<String> {
    header
        .iter()
        .enumerate()
        .map(
            |(index, name)| match escaped.iter().any(|(i, _)| *i == index) {
                true => name.replace("\"\"", "\""),
                false => name.to_string(),
            },
        )
        .collect()
}

/// What one polars CSV parse reads.
struct CsvPlan {
    /// The fields parsed, by position (`None`: all).
    projection: Option<Vec<usize>>,
    /// Rows type inference looks at (`None`: all).
    infer_rows: Option<usize>,
    /// Rows read (`None`: all).
    n_rows: Option<usize>,
    /// Columns read as text, whatever inference says.
    text: Vec<String>,
}

impl CsvPlan {
    /// The header alone.
    fn header() -> CsvPlan {
        CsvPlan {
            projection: None,
            infer_rows: Some(0),
            n_rows: Some(0),
            text: Vec::new(),
        }
    }
}

/// A column of integer text beyond the 64-bit range (read as text) as
/// floats, with the values that did not survive the conversion; `None`
/// when a value is not a number at all (the column stays text).
fn wide_integers(column: &Column) -> PolarsResult<Option<(Column, Option<Rounded>)>> {
    let text = column.str()?;
    let mut floats: Vec<Option<f64>> = Vec::with_capacity(text.len());
    let mut rounded: Option<Rounded> = None;
    for value in text.iter() {
        let Some(value) = value else {
            floats.push(None);
            continue;
        };
        let Ok(f) = value.trim().parse::<f64>() else {
            return Ok(None);
        };
        if !integer_text_survives(value, f) {
            match &mut rounded {
                Some(r) => r.count += 1,
                None => {
                    rounded = Some(Rounded {
                        count: 1,
                        example: value.trim().to_string(),
                    })
                }
            }
        }
        floats.push(Some(f));
    }
    let floats = Float64Chunked::from_iter_options(column.name().clone(), floats.into_iter());
    Ok(Some((floats.into_series().into(), rounded)))
}

/// A CSV column of integers, some beyond the 64-bit range.
#[derive(Debug, Clone, PartialEq)]
struct WideIntegers {
    /// As polars names it.
    column: String,
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
        })
    }
}

fn parse_csv(text: &[u8], csv: &CsvOptions, plan: &CsvPlan) -> PolarsResult<DataFrame> {
    let null_values = (!csv.null_values.is_empty()).then(|| {
        NullValues::AllColumns(csv.null_values.iter().map(|s| s.as_str().into()).collect())
    });
    let overwrite = (!plan.text.is_empty()).then(|| {
        let fields = plan
            .text
            .iter()
            .map(|name| Field::new(name.as_str().into(), DataType::String));
        Arc::new(Schema::from_iter(fields))
    });
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(plan.infer_rows)
        .with_n_rows(plan.n_rows)
        .with_projection(plan.projection.clone().map(Arc::new))
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

/// Parquet: the selected columns of a type driftmend analyses, and no
/// other (projection pushdown: the rest is never read from disk).
/// `chunk` reads a byte range of the file, for the decimals wider than
/// polars holds (`wide_decimal`).
fn read_parquet<R: polars::io::mmap::MmapBytesReader>(
    reader: R,
    chunk: &dyn Fn(std::ops::Range<u64>) -> std::io::Result<Vec<u8>>,
    selection: &Selection,
) -> PolarsResult<FileFrame> {
    let mut reader = ParquetReader::new(reader);
    let schema = reader.schema()?;
    let mut fields: Vec<(String, Option<String>)> = Vec::new();
    // Decimals of more than 38 digits: (position, name, precision, scale).
    let mut wide: Vec<(usize, String, usize, usize)> = Vec::new();
    for field in schema.iter_values() {
        let name = field.name.to_string();
        match wide_decimal(&field.dtype) {
            Some((p, s)) if selection.reads(&name) => {
                wide.push((fields.len(), name.clone(), p, s));
                fields.push((name, None));
            }
            _ => fields.push((name, unsupported(&field.dtype))),
        }
    }
    let projection: Vec<usize> = fields
        .iter()
        .enumerate()
        .filter(|(i, (name, unread))| {
            unread.is_none() && selection.reads(name) && !wide.iter().any(|w| w.0 == *i)
        })
        .map(|(i, _)| i)
        .collect();
    let metadata = reader.get_metadata()?.clone();
    let mut df = if projection.is_empty() {
        DataFrame::empty_with_height(reader.num_rows()?)
    } else if projection.len() == fields.len() {
        reader.finish()?
    } else {
        reader.with_projection(Some(projection.clone())).finish()?
    };
    let mut rounded = Vec::new();
    let mut file_types = Vec::new();
    for (position, name, precision, scale) in wide {
        file_types.push((name.clone(), format!("decimal[{precision},{scale}]")));
        let (column, r) = read_wide_decimal(&metadata, chunk, &name, precision, scale)?;
        // Its place among the columns read, in file order.
        let at = projection.iter().filter(|i| **i < position).count();
        let at = at + df.get_column_names().len() - projection.len();
        df.insert_column(at.min(df.width()), column)?;
        rounded.extend(r.map(|r| (name, r)));
    }
    Ok(FileFrame {
        df,
        fields,
        rounded,
        file_types,
    })
}

/// A decimal wider than polars' 128 bits (precision 39 to 76, stored as
/// fixed-length bytes): its precision and scale.
fn wide_decimal(dtype: &ArrowDataType) -> Option<(usize, usize)> {
    use ArrowDataType as A;
    match dtype {
        A::Decimal(p, s) | A::Decimal256(p, s) if *p > 38 && *p <= 76 => Some((*p, *s)),
        _ => None,
    }
}

/// Decodes a wide decimal column chunk by chunk (polars' Parquet decoder
/// reads them as 256-bit integers; polars' frames cannot hold them) and
/// converts each value to the nearest float, counting those it rounds.
fn read_wide_decimal(
    metadata: &polars::io::parquet::read::FileMetadata,
    chunk: &dyn Fn(std::ops::Range<u64>) -> std::io::Result<Vec<u8>>,
    name: &str,
    precision: usize,
    scale: usize,
) -> PolarsResult<(Column, Option<Rounded>)> {
    use polars_arrow::array::PrimitiveArray;
    use polars_arrow::types::i256;
    let field = ArrowField::new(
        name.into(),
        ArrowDataType::Decimal256(precision, scale),
        true,
    );
    let mut values: Vec<Option<f64>> = Vec::new();
    let mut rounded: Option<Rounded> = None;
    for group in &metadata.row_groups {
        let Some(columns) = group.columns_under_root_iter(name) else {
            polars_bail!(ComputeError: "column `{name}` has no data in a row group");
        };
        let mut parts = Vec::new();
        for column in columns {
            let bytes = chunk(column.byte_range()).map_err(|e| polars_err!(ComputeError: "{e}"))?;
            parts.push((column, bytes.into()));
        }
        let (arrays, _) =
            polars::io::parquet::read::_internal::to_deserializer(parts, field.clone(), None)?;
        for array in arrays {
            let Some(array) = array.as_any().downcast_ref::<PrimitiveArray<i256>>() else {
                polars_bail!(ComputeError: "column `{name}`: a decimal chunk decoded as another type");
            };
            for value in array.iter() {
                let Some(value) = value else {
                    values.push(None);
                    continue;
                };
                let unscaled = value.0.to_string();
                let float: f64 = format!("{unscaled}e-{scale}").parse().unwrap_or(f64::NAN);
                if !super::rounding::unscaled_text_survives(&unscaled, scale, float) {
                    match &mut rounded {
                        Some(r) => r.count += 1,
                        None => {
                            rounded = Some(Rounded {
                                count: 1,
                                example: super::extract::decimal_text(&unscaled, scale),
                            })
                        }
                    }
                }
                values.push(Some(float));
            }
        }
    }
    let floats = Float64Chunked::from_iter_options(name.into(), values.into_iter());
    Ok((floats.into_series().into(), rounded))
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
        assert_eq!(found.column, "it's big");
        let found = WideIntegers::from_error(&error("-9223372036854775809", "n")).unwrap();
        assert_eq!(found.column, "n");
        for not_an_integer in ["n/a", "1.5", "", "-", "12a"] {
            assert_eq!(
                WideIntegers::from_error(&error(not_an_integer, "n")),
                None,
                "{not_an_integer:?}"
            );
        }
    }
}
