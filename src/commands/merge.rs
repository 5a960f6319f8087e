//! `driftmend merge`: the profile of a whole dataset from profiles of its
//! parts.

use anyhow::{Context, Result};

use crate::atomic_file;
use crate::data;
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::profile::{self, Profile};
use crate::settings::MergeSettings;

pub fn merge(settings: MergeSettings, printer: &Printer) -> Result<ExitStatus> {
    let mut merged: Option<Profile> = None;
    for path in &settings.profiles {
        let shown = path.display().to_string();
        let p = data::read_profile(&shown)
            .with_context(|| format!("cannot merge `{shown}`"))?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "`{shown}` is not a driftmend profile\nhint: build one with `driftmend profile {shown} --output PROFILE`"
                )
            })?;
        merged = Some(match merged {
            None => p,
            Some(acc) => acc
                .merge(&p)
                .with_context(|| format!("cannot merge `{shown}` with the profiles before it"))?,
        });
    }
    let merged = merged.context("nothing to merge")?;
    let bytes = profile::encode(&merged);
    atomic_file::write(&settings.output, &bytes)?;
    printer.note(&format!(
        "merged {} profiles ({} rows) into `{}`",
        settings.profiles.len(),
        merged.rows,
        settings.output.display()
    ));
    Ok(ExitStatus::Success)
}
