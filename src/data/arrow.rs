//! Datasets handed over in memory as an Arrow C stream (the Arrow C stream
//! interface: a pyarrow `Table` or `RecordBatchReader`, a polars or pandas
//! `DataFrame` through `__arrow_c_stream__`, Spark's `toArrow()`), reduced to
//! the same plain columns the file reader produces. The buffers are imported,
//! not copied, where polars keeps Arrow's layout (numbers, booleans, views).

use polars::prelude::*;
use polars_arrow::array::{Array, StructArray};
use polars_arrow::ffi;

use super::read::{reduce, FileFrame};
use super::schema::unsupported;
use super::{DataError, Dataset, Selection};

/// An Arrow C stream, owned: dropping it releases the producer's resources.
pub struct ArrowStream(Box<ffi::ArrowArrayStream>);

impl ArrowStream {
    /// Takes over the stream `ptr` points to, leaving it released there (as
    /// the C stream interface has a consumer do, so the producer's capsule
    /// does not release it a second time).
    ///
    /// # Safety
    ///
    /// `ptr` points to a valid `struct ArrowArrayStream` that nothing else
    /// consumes.
    pub unsafe fn from_raw(ptr: *mut std::ffi::c_void) -> ArrowStream {
        let ptr = ptr.cast::<ffi::ArrowArrayStream>();
        // SAFETY: the caller's promise; the producer's struct is left in
        // the released state (`release` null), which it must then ignore.
        let stream = unsafe { std::ptr::replace(ptr, ffi::ArrowArrayStream::empty()) };
        ArrowStream(Box::new(stream))
    }

    /// A stream over `batches` of `schema`'s columns.
    #[cfg(test)]
    pub(crate) fn from_batches(schema: &ArrowSchema, batches: Vec<Box<dyn Array>>) -> ArrowStream {
        let field = ArrowField::new(
            "".into(),
            ArrowDataType::Struct(schema.iter_values().cloned().collect()),
            false,
        );
        let iter = Box::new(batches.into_iter().map(Ok));
        ArrowStream(Box::new(ffi::export_iterator(iter, field)))
    }
}

/// Reads every batch of `stream` as one dataset and reduces it to plain
/// columns, as [`super::load`] does a file: the same [`Dataset`] for the
/// same values. `name` stands for the dataset in errors and in the report
/// (`<pyarrow.Table>`); only the columns `selection` reads are imported,
/// and columns of an unsupported type never are.
pub fn load_arrow(
    name: &str,
    stream: ArrowStream,
    selection: &Selection,
) -> Result<Dataset, DataError> {
    let read_err = |message: String| DataError::Read {
        path: name.to_string(),
        message,
    };
    let (frame, rows) = read_stream(stream, selection).map_err(|e| read_err(first_line(&e)))?;
    reduce(name, Vec::new(), frame, rows, selection, Vec::new())
}

fn read_stream(stream: ArrowStream, selection: &Selection) -> PolarsResult<(FileFrame, usize)> {
    // SAFETY: `ArrowStream` owns a stream taken over from a producer that
    // promised the C stream interface (`from_raw`) or made here.
    let mut reader = unsafe { ffi::ArrowArrayStreamReader::try_new(stream.0)? };
    let fields = match reader.field().dtype() {
        ArrowDataType::Struct(fields) => fields.clone(),
        other => polars_bail!(
            ComputeError: "the Arrow stream holds `{other:?}` arrays, not record batches (a struct of columns)"
        ),
    };
    let kinds: Vec<(String, Option<String>)> = fields
        .iter()
        .map(|f| (f.name.to_string(), unsupported(&f.dtype)))
        .collect();
    let wanted: Vec<bool> = kinds
        .iter()
        .map(|(name, unread)| unread.is_none() && selection.reads(name))
        .collect();
    let mut chunks: Vec<Vec<Box<dyn Array>>> = vec![Vec::new(); fields.len()];
    let mut rows = 0;
    // SAFETY: as above; each array comes from the same producer.
    while let Some(batch) = unsafe { reader.next() } {
        let batch = batch?;
        let Some(batch) = batch.as_any().downcast_ref::<StructArray>() else {
            polars_bail!(ComputeError: "the Arrow stream yielded a batch that is not a struct of columns");
        };
        // A top-level null marks a whole row missing only in a struct
        // column, never in a record batch; nothing to honour here.
        rows += batch.len();
        for ((column, values), wanted) in chunks.iter_mut().zip(batch.values()).zip(&wanted) {
            if values.len() != batch.len() {
                polars_bail!(ComputeError: "the Arrow stream yielded a batch whose columns differ in length");
            }
            if *wanted && !values.is_empty() {
                column.push(values.clone());
            }
        }
    }
    let columns = fields
        .iter()
        .zip(chunks)
        .zip(&wanted)
        .filter(|(_, wanted)| **wanted)
        .map(|((field, chunks), _)| {
            let series = if chunks.is_empty() {
                Series::new_empty(field.name.clone(), &DataType::from_arrow_field(field))
            } else {
                Series::try_from((field, chunks))?
            };
            Ok(Column::from(series))
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    let frame = FileFrame {
        df: DataFrame::new(rows, columns)?,
        fields: kinds,
        rounded: Vec::new(),
        file_types: Vec::new(),
    };
    Ok((frame, rows))
}

/// polars' first line (its later lines are hints for Python users).
fn first_line(e: &PolarsError) -> String {
    e.to_string()
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{load, CsvOptions};

    /// A file's frame as an Arrow stream of `batches` record batches.
    fn stream_of(path: &str, batches: usize) -> ArrowStream {
        let df = match path.ends_with(".csv") {
            true => CsvReadOptions::default()
                .with_has_header(true)
                .try_into_reader_with_file_path(Some(path.into()))
                .unwrap()
                .finish()
                .unwrap(),
            false => ParquetReader::new(std::fs::File::open(path).unwrap())
                .finish()
                .unwrap(),
        };
        frame_stream(&df, batches)
    }

    fn frame_stream(df: &DataFrame, batches: usize) -> ArrowStream {
        let schema = df.schema().to_arrow(CompatLevel::newest());
        let step = df.height().div_ceil(batches).max(1);
        let mut arrays = Vec::new();
        let mut offset = 0;
        while offset < df.height() {
            let part = df.slice(offset as i64, step);
            for batch in part.iter_chunks(CompatLevel::newest(), false) {
                let len = batch.len();
                let struct_dtype = ArrowDataType::Struct(schema.iter_values().cloned().collect());
                arrays.push(StructArray::new(struct_dtype, len, batch.into_arrays(), None).boxed());
            }
            offset += step;
        }
        ArrowStream::from_batches(&schema, arrays)
    }

    #[test]
    fn a_stream_gives_the_columns_the_file_reader_gives() {
        let keep = Selection::all().keeping_rows_of(["target", "prediction"]);
        for path in [
            "fixtures/reference.parquet",
            "fixtures/current_quality.parquet",
            "fixtures/small_reference.csv",
        ] {
            let from_file = load(path, &CsvOptions::default(), &keep, &Default::default()).unwrap();
            for batches in [1, 7] {
                let from_stream = load_arrow("<test>", stream_of(path, batches), &keep).unwrap();
                let expected = Dataset {
                    path: "<test>".to_string(),
                    files: Vec::new(),
                    ..from_file.clone()
                };
                assert_eq!(from_stream, expected, "{path} in {batches} batches");
            }
        }
    }

    #[test]
    fn an_empty_stream_has_no_rows() {
        let df = df!("x" => Vec::<f64>::new()).unwrap();
        let err = load_arrow("<empty>", frame_stream(&df, 1), &Selection::all()).unwrap_err();
        assert_eq!(err.to_string(), "`<empty>` has no rows");
    }

    #[test]
    fn a_stream_of_plain_arrays_is_refused() {
        let field = ArrowField::new("x".into(), ArrowDataType::Int64, true);
        let iter = Box::new(std::iter::once(Ok(
            polars_arrow::array::Int64Array::from_slice([1, 2]).boxed(),
        )));
        let stream = ArrowStream(Box::new(ffi::export_iterator(iter, field)));
        let err = load_arrow("<ints>", stream, &Selection::all()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read `<ints>`: the Arrow stream holds `Int64` arrays, not record batches (a struct of columns)"
        );
    }

    #[test]
    fn a_producer_error_is_the_datasets_error() {
        let schema =
            ArrowSchema::from_iter([ArrowField::new("x".into(), ArrowDataType::Int64, true)]);
        let field = ArrowField::new(
            "".into(),
            ArrowDataType::Struct(schema.iter_values().cloned().collect()),
            false,
        );
        let iter = Box::new(std::iter::once(Err(
            polars_err!(ComputeError: "the source went away"),
        )));
        let stream = ArrowStream(Box::new(ffi::export_iterator(iter, field)));
        let err = load_arrow("<broken>", stream, &Selection::all()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read `<broken>`: got external error: the source went away"
        );
    }
}
