//! Atomic file writes: a reader sees the old file or the new one, never a
//! half-written one (temp file in the same directory, fsync, rename).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = path.display();
    // A device or pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written as it
    // is: renaming a temp file over it would replace the device itself.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, bytes).with_context(|| format!("cannot write `{shown}`"));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".driftmend-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file next to `{shown}`"))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write `{shown}`"))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace `{shown}`"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn devices_are_written_in_place() {
        write(Path::new("/dev/null"), b"x").unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_file() {
        let err = write(Path::new("/nonexistent-dir/x.json"), b"x").unwrap_err();
        assert!(
            format!("{err:#}").contains("/nonexistent-dir/x.json"),
            "{err:#}"
        );
    }
}
