//! Each partition's report, as `driftmend run` would build it at the
//! partition's time: read from the cache when it holds it, else built
//! (the reference loaded once per distinct path) and cached.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::cache::ReportCache;
use crate::data::{self, Dataset};
use crate::report::{build, Report};
use crate::settings::ReportSettings;

/// Builds and caches partition reports.
pub struct Reports {
    cache: ReportCache,
    references: HashMap<String, Arc<Dataset>>,
    /// Reports built, and read from the cache.
    pub built: usize,
    pub cached: usize,
}

impl Reports {
    pub fn new(cache: ReportCache) -> Reports {
        Reports {
            cache,
            references: HashMap::new(),
            built: 0,
            cached: 0,
        }
    }

    /// The report of `settings` (its `current` is the partition), stamped
    /// `generated_at` (the partition's time, so a cached report and a fresh
    /// one are the same).
    pub fn report(&mut self, settings: &ReportSettings, generated_at: &str) -> Result<Report> {
        let key = self.cache.key(settings);
        if let Some(report) = key.as_deref().and_then(|k| self.cache.get(k)) {
            self.cached += 1;
            return Ok(report);
        }
        let selection = crate::report_io::selection(&settings.analysis);
        let reference = self.reference(settings, &selection)?;
        let current = data::load(
            &settings.current,
            &settings.csv,
            &selection,
            &settings.storage,
        )
        .with_context(|| {
            format!(
                "cannot load the current dataset ({})",
                settings.current_from
            )
        })?;
        let report = build(
            &reference,
            &current,
            &settings.analysis,
            env!("CARGO_PKG_VERSION"),
            generated_at,
        )?;
        self.built += 1;
        if let Some(key) = key {
            self.cache.put(&key, &report)?;
        }
        Ok(report)
    }

    fn reference(
        &mut self,
        settings: &ReportSettings,
        selection: &data::Selection,
    ) -> Result<Arc<Dataset>> {
        let id = format!("{}\0{:?}\0{selection:?}", settings.reference, settings.csv);
        if let Some(d) = self.references.get(&id) {
            return Ok(d.clone());
        }
        let d = data::load(
            &settings.reference,
            &settings.csv,
            selection,
            &settings.storage,
        )
        .with_context(|| {
            format!(
                "cannot load the reference dataset ({})",
                settings.reference_from
            )
        })?;
        let d = Arc::new(d);
        self.references.insert(id, d.clone());
        Ok(d)
    }

    /// The latest value of `column` in `partition`, for `--time-from`
    /// (cached by the partition's content).
    pub fn latest(
        &mut self,
        partition: &str,
        column: &str,
        csv: &data::CsvOptions,
    ) -> Result<chrono::DateTime<chrono::Utc>> {
        let key = self.cache.time_key(partition, column);
        if let Some(text) = key.as_deref().and_then(|k| self.cache.get_time(k)) {
            if let Some(t) = super::history::parse_time(&text, false) {
                return Ok(t);
            }
        }
        let only = data::Selection::only([column]);
        let d = data::load(partition, csv, &only, &Default::default())
            .with_context(|| format!("cannot load the partition `{partition}`"))?;
        let Some(c) = d.column(column) else {
            anyhow::bail!("partition `{partition}` has no column `{column}` (`--time-from`)");
        };
        let latest = match &c.values {
            data::Values::Temporal { max: Some(max), .. } => {
                super::history::parse_time(max, false).with_context(|| {
                    format!("cannot read `{max}`, the latest `{column}` in `{partition}`, as a time")
                })?
            }
            data::Values::Temporal { max: None, .. } => {
                anyhow::bail!("column `{column}` of `{partition}` has no values (`--time-from`)")
            }
            _ => anyhow::bail!(
                "column `{column}` of `{partition}` is `{}`, not a date or datetime (`--time-from`)",
                c.dtype
            ),
        };
        if let Some(key) = key {
            self.cache
                .put_time(&key, &crate::policy::decide::stamp(latest))?;
        }
        Ok(latest)
    }
}
