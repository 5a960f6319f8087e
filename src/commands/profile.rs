//! `driftmend profile`: summarise a dataset into a profile file.

use anyhow::{Context, Result};

use crate::atomic_file;
use crate::cli::MemoryMode;
use crate::data::{self, Input};
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::profile::{self, Profile};
use crate::settings::ProfileSettings;

/// `--memory auto` streams Parquet inputs larger than this.
const AUTO_STREAM_BYTES: u64 = 512 << 20;

pub fn profile(settings: ProfileSettings, printer: &Printer) -> Result<ExitStatus> {
    let context = || format!("cannot profile `{}`", settings.data);
    let parquet_bytes = match data::read_profile(&settings.data).with_context(context)? {
        Some(_) => None,
        None => data::stream::streamable(&settings.data).with_context(context)?,
    };
    let stream = match (settings.memory, parquet_bytes) {
        (MemoryMode::InMemory, _) => false,
        (MemoryMode::Bounded, Some(_)) => true,
        (MemoryMode::Bounded, None) => anyhow::bail!(
            "`--memory bounded` streams Parquet files only; `{}` is not all Parquet\nhint: use `--memory in-memory` for CSV",
            settings.data
        ),
        (MemoryMode::Auto, bytes) => bytes.is_some_and(|b| b > AUTO_STREAM_BYTES),
    };
    let input = if stream {
        let batch = settings.batch_rows.unwrap_or(usize::MAX);
        Input::Profile(
            data::stream::profile_parquet(&settings.data, batch, env!("CARGO_PKG_VERSION"))
                .with_context(context)?,
        )
    } else {
        data::load_input(
            &settings.data,
            &settings.csv,
            &data::Selection::all(),
            &settings.storage,
        )
        .with_context(context)?
    };
    let mut profile = match input {
        Input::Data(ds) => {
            for warning in &ds.warnings {
                printer.warn(warning);
            }
            Profile::from_dataset(&ds, &settings.data, env!("CARGO_PKG_VERSION"))
        }
        Input::Profile(p) => p,
    };
    select(&mut profile, &settings)?;
    let bytes = profile::encode(&profile);
    atomic_file::write(&settings.output, &bytes)?;
    printer.note(&format!(
        "wrote the profile of {} rows x {} columns to `{}` ({} bytes)",
        profile.rows,
        profile.columns.len(),
        settings.output.display(),
        bytes.len()
    ));
    Ok(ExitStatus::Success)
}

/// Keeps the columns `--columns`/`--exclude` select; a name in neither the
/// data nor the profile is an error, as in `report`.
fn select(profile: &mut Profile, s: &ProfileSettings) -> Result<()> {
    let known = |name: &String, flag: &str| {
        if profile.columns.iter().any(|c| &c.name == name) {
            Ok(())
        } else {
            Err(anyhow::anyhow!(
                "unknown column `{name}` in `{flag}`: `{}` has no such column",
                s.data
            ))
        }
    };
    for name in s.columns.iter().flatten() {
        known(name, "--columns")?;
    }
    for name in &s.exclude {
        known(name, "--exclude")?;
    }
    profile.columns.retain(|c| {
        s.columns.as_ref().is_none_or(|keep| keep.contains(&c.name)) && !s.exclude.contains(&c.name)
    });
    if profile.columns.is_empty() {
        anyhow::bail!("no columns left to profile after `--columns`/`--exclude`");
    }
    Ok(())
}
