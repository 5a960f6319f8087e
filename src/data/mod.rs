//! Loading datasets: the only module that touches polars. It reads Parquet
//! and CSV files (one file, a glob or a directory read as one dataset), local
//! or in object storage (`s3://`, `object_store.rs`), and yields plain
//! columns (`column.rs`) for the pure core; an Arrow stream handed over in
//! memory (`arrow.rs`, the Python module's input) yields the same columns.

mod arrow;
mod chunks;
mod column;
mod csv_text;
mod extract;
mod object_store;
mod profile_file;
mod read;
mod rounding;
mod schema;
mod selection;
mod source;
pub mod stream;

pub use arrow::{load_arrow, ArrowStream};
pub use chunks::{load_chunked, ChunkSpec, Chunked};
pub use column::{number_label, Dataset, Family, RawColumn, Rounded, RowValues, Values};
pub use object_store::{
    is_uri, read_object, write_object, Files, Opened, StorageOptionError, StorageOptions,
};
pub use profile_file::{fingerprint, load_input, read_profile, Input};
pub use read::{load, CsvOptions};
pub use selection::Selection;
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
    /// Object storage refused or failed (credentials never in `message`).
    #[error("cannot access `{uri}`: {message}")]
    Storage {
        uri: String,
        message: String,
        hint: &'static str,
    },
    #[error("`{path}` is {kind} holding {what}, not Parquet or CSV")]
    UnknownContent {
        path: String,
        /// `a pipe`, `a character device`, ...
        kind: &'static str,
        what: String,
    },
    #[error("cannot split `{path}` into chunks: {message}")]
    Chunk { path: String, message: String },
    #[error("`{0}` has no rows")]
    NoRows(String),
    #[error("cannot read the profile `{path}`: {reason}")]
    Profile {
        path: String,
        reason: crate::profile::FormatError,
    },
    #[error("`{file}` does not match the schema of `{first}`: {detail}")]
    SchemaMismatch {
        first: String,
        file: String,
        detail: String,
    },
}
