//! Loading datasets: the only module that touches polars. It reads Parquet
//! and CSV files (one file, a glob or a directory read as one dataset) and
//! yields plain columns (`column.rs`) for the pure core.

mod column;
mod csv_text;
mod extract;
mod read;
mod source;

pub use column::{number_label, Dataset, Family, RawColumn, RowValues, Values};
pub use read::{load, CsvOptions, KeepRows};
pub use source::{expand, DataFile, Expanded, FileFormat};

/// Why a dataset could not be loaded. Every variant names the path.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("`{0}` does not exist")]
    NotFound(String),
    #[error("no `.parquet`, `.pq`, `.csv` or `.csv.gz` files match `{0}`")]
    NoFiles(String),
    #[error("`{0}` is not a `.parquet`, `.pq`, `.csv` or `.csv.gz` file")]
    UnknownFormat(String),
    #[error("bad glob `{spec}`: {reason}")]
    BadGlob { spec: String, reason: String },
    #[error("`{spec}` mixes Parquet and CSV files (e.g. `{example}`); point it at one format")]
    MixedFormats { spec: String, example: String },
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read `{path}`: {message}")]
    Read { path: String, message: String },
    #[error("`{path}` is {kind} holding {what}, not Parquet or CSV")]
    UnknownContent {
        path: String,
        /// `a pipe`, `a character device`, ...
        kind: &'static str,
        what: String,
    },
    #[error("`{0}` has no rows")]
    NoRows(String),
    #[error("`{file}` does not match the schema of `{first}`: {detail}")]
    SchemaMismatch {
        first: String,
        file: String,
        detail: String,
    },
}
