//! `driftmend profile` and `driftmend merge`'s settings.

use std::path::PathBuf;

use super::{delimiter, invalid, SettingsError};
use crate::cli::{MergeArgs, ProfileArgs};
use crate::data::{CsvOptions, StorageOptions};

/// `driftmend profile`, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSettings {
    pub data: String,
    pub output: PathBuf,
    pub csv: CsvOptions,
    pub storage: StorageOptions,
    pub columns: Option<Vec<String>>,
    pub exclude: Vec<String>,
    pub quiet: bool,
    pub memory: crate::cli::MemoryMode,
    /// Rows per streamed read (`DRIFTMEND_BATCH_ROWS`, for tests); `None`:
    /// one row group.
    pub batch_rows: Option<usize>,
}

impl ProfileSettings {
    pub fn resolve(args: ProfileArgs) -> Result<ProfileSettings, SettingsError> {
        Ok(ProfileSettings {
            csv: CsvOptions {
                delimiter: delimiter(&args.delimiter)?,
                null_values: args.null_values,
            },
            storage: StorageOptions::parse(&args.storage_option)
                .map_err(|e| invalid("--storage-option", e.to_string()))?,
            data: args.data,
            output: args.output,
            columns: args.columns,
            exclude: args.exclude,
            quiet: args.quiet,
            memory: args.memory,
            batch_rows: match std::env::var("DRIFTMEND_BATCH_ROWS") {
                Ok(v) => Some(v.parse().ok().filter(|&n: &usize| n > 0).ok_or_else(|| {
                    invalid(
                        "DRIFTMEND_BATCH_ROWS",
                        format!("`{v}` is not a positive whole number"),
                    )
                })?),
                Err(_) => None,
            },
        })
    }
}

/// `driftmend merge`, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeSettings {
    pub profiles: Vec<PathBuf>,
    pub output: PathBuf,
    pub quiet: bool,
}

impl MergeSettings {
    pub fn resolve(args: MergeArgs) -> MergeSettings {
        MergeSettings {
            profiles: args.profiles,
            output: args.output,
            quiet: args.quiet,
        }
    }
}
