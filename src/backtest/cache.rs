//! The backtest's cache of partition reports, so a second backtest of the
//! same history reads one small JSON file per partition instead of its
//! data. An entry's key covers everything the report depends on: the
//! partition's files (path, size, modification time and SHA-256 of their
//! content), the reference's files (path, size, modification time), the
//! analysis and CSV options, and the driftmend version. Changing any of
//! them misses the cache; nothing is ever stale. Entries are written
//! atomically; an unreadable entry is rebuilt.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::report::Report;
use crate::settings::ReportSettings;

/// Bump when the entry format or what the key covers changes.
const FORMAT: &str = "driftmend-backtest-cache 1";

/// A directory of cached reports (`None`: no cache).
#[derive(Debug, Clone)]
pub struct ReportCache {
    dir: Option<PathBuf>,
}

/// A cached entry (times for `--time-from` are kept in `.time` files).
#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    report: Report,
}

impl ReportCache {
    pub fn new(dir: Option<PathBuf>) -> ReportCache {
        ReportCache { dir }
    }

    /// The key of the report `settings` builds; `None` when the data cannot
    /// be keyed (a pipe, a missing file: the build reports that) or there
    /// is no cache.
    pub fn key(&self, settings: &ReportSettings) -> Option<String> {
        self.dir.as_ref()?;
        let mut h = Sha256::new();
        h.update(FORMAT.as_bytes());
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(format!("{:?}\0{:?}\0", settings.analysis, settings.csv).as_bytes());
        for (spec, content) in [(&settings.reference, false), (&settings.current, true)] {
            h.update(spec.as_bytes());
            for file in crate::data::expand(spec).ok()?.files {
                if file.stream {
                    return None;
                }
                file_key(&file.path, content, &mut h).ok()?;
            }
        }
        Some(hex(&h.finalize()))
    }

    /// A key for a partition's time read from `column` (`--time-from`).
    pub fn time_key(&self, partition: &str, column: &str) -> Option<String> {
        self.dir.as_ref()?;
        let mut h = Sha256::new();
        h.update(FORMAT.as_bytes());
        h.update(format!("time\0{column}\0{partition}\0").as_bytes());
        for file in crate::data::expand(partition).ok()?.files {
            if file.stream {
                return None;
            }
            file_key(&file.path, true, &mut h).ok()?;
        }
        Some(hex(&h.finalize()))
    }

    fn path(&self, key: &str, ext: &str) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join(format!("{key}.{ext}")))
    }

    pub fn get(&self, key: &str) -> Option<Report> {
        let bytes = std::fs::read(self.path(key, "json")?).ok()?;
        serde_json::from_slice::<Entry>(&bytes)
            .ok()
            .map(|e| e.report)
    }

    pub fn put(&self, key: &str, report: &Report) -> Result<()> {
        let Some(path) = self.path(key, "json") else {
            return Ok(());
        };
        self.ensure_dir()?;
        let entry = Entry {
            report: report.clone(),
        };
        crate::atomic_file::write(&path, &serde_json::to_vec(&entry)?)
    }

    pub fn get_time(&self, key: &str) -> Option<String> {
        std::fs::read_to_string(self.path(key, "time")?).ok()
    }

    pub fn put_time(&self, key: &str, time: &str) -> Result<()> {
        let Some(path) = self.path(key, "time") else {
            return Ok(());
        };
        self.ensure_dir()?;
        crate::atomic_file::write(&path, time.as_bytes())
    }

    fn ensure_dir(&self) -> Result<()> {
        if let Some(dir) = &self.dir {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("cannot create the cache directory `{}`", dir.display())
            })?;
        }
        Ok(())
    }
}

/// Path, size and modification time of a file, and with `content` the
/// SHA-256 of its bytes.
fn file_key(path: &Path, content: bool, h: &mut Sha256) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    let mtime = meta
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.update(format!("{}\0{}\0{mtime}\0", path.display(), meta.len()).as_bytes());
    if content {
        let mut file = std::fs::File::open(path)?;
        let mut buf = vec![0u8; 1 << 16];
        let mut inner = Sha256::new();
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            inner.update(&buf[..n]);
        }
        h.update(inner.finalize());
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::sample;

    /// A cached report reads back equal to the one written: every field the
    /// engine and the templates read survives the round trip.
    #[test]
    fn reports_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ReportCache::new(Some(dir.path().join("cache")));
        for (i, report) in [sample::drifted(), sample::healthy(), sample::hostile()]
            .into_iter()
            .enumerate()
        {
            let key = format!("k{i}");
            assert_eq!(cache.get(&key), None);
            cache.put(&key, &report).unwrap();
            assert_eq!(cache.get(&key).as_ref(), Some(&report));
        }
        // A damaged entry is a miss, not an error.
        std::fs::write(dir.path().join("cache/k0.json"), "{").unwrap();
        assert_eq!(cache.get("k0"), None);
        // No directory, no cache.
        assert_eq!(ReportCache::new(None).get("k1"), None);
    }
}
