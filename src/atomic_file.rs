//! Atomic, durable file replacement, the one writer for `state.json` and the
//! report outputs: a reader sees the old file or the new one, never a
//! half-written one, and once [`replace`] returns the new one survives a
//! crash (temp file in the same directory, fsync, rename, fsync of the
//! directory).
//!
//! Modes: `state.json` ([`replace`]) is private, 0600. Report outputs
//! ([`write`]) are created like any file a program writes, 0666 less the
//! umask (0644 under the usual 022), so another user, such as
//! node_exporter's textfile collector, can read them.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A step of [`replace`] failed. Shown as `cannot {action} `{path}``, the
/// OS error as its cause.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} `{}`", path.display())]
pub struct AtomicWriteError {
    pub path: PathBuf,
    /// A verb phrase: "create a temporary file next to", "write",
    /// "replace", "sync the directory of".
    pub action: &'static str,
    #[source]
    pub source: std::io::Error,
}

/// Replaces `path` with `bytes`: a new `.<name>.<random>.tmp` next to it,
/// written and fsynced, renamed over `path`, then the directory fsynced.
///
/// The new file has mode 0600 (the temp file's) whatever the old one had.
/// A crash can leave a stray temp file behind; it is never read, and a
/// later call picks a fresh name. On an error before the rename the temp
/// file is removed and `path` is untouched.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), AtomicWriteError> {
    replace_with_mode(path, bytes, Mode::Private)
}

/// Who may read a file [`replace_with_mode`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// 0600, whatever the umask: the state.
    Private,
    /// 0666 less the umask: a report output.
    Umask,
}

fn replace_with_mode(path: &Path, bytes: &[u8], mode: Mode) -> Result<(), AtomicWriteError> {
    let fail = |action, source| AtomicWriteError {
        path: path.to_path_buf(),
        action,
        source,
    };
    let mut tmp =
        create_temp(path, mode).map_err(|e| fail("create a temporary file next to", e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail("write", e))?;
    // On failure the temp file is removed when `PersistError` drops.
    tmp.persist(path).map_err(|e| fail("replace", e.error))?;
    sync_dir(parent_dir(path)).map_err(|e| fail("sync the directory of", e))
}

/// [`replace`] for a report output, with mode 0666 less the umask (0644
/// typically) instead of 0600, except that a device or pipe
/// (`/dev/null`, `/dev/stdout`, a FIFO) is written as it is: renaming a temp
/// file over it would replace the device itself.
pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, bytes)
            .map_err(|source| AtomicWriteError {
                path: path.to_path_buf(),
                action: "write",
                source,
            })
            .map_err(Into::into);
    }
    Ok(replace_with_mode(path, bytes, Mode::Umask)?)
}

/// A new, exclusively created `.<name>.<random>.tmp` next to `path`: hidden,
/// never equal to `path`, and never one left behind by a crash.
fn create_temp(path: &Path, mode: Mode) -> std::io::Result<tempfile::NamedTempFile> {
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    let dir = parent_dir(path);
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    if mode == Mode::Umask {
        use std::os::unix::fs::PermissionsExt;
        // The mode is passed to open(2), which applies the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.tempfile_in(dir).map_err(|e| {
        // tempfile names its random file in the message; say what a
        // person can act on instead.
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("the directory `{}` does not exist", dir.display())
            }
            std::io::ErrorKind::PermissionDenied => {
                format!("no permission to create files in `{}`", dir.display())
            }
            _ => e.to_string(),
        };
        std::io::Error::new(e.kind(), why)
    })
}

/// The directory `path` lives in, `.` for a bare file name.
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a rename or a file creation in `dir` durable. Only Unix can open a
/// directory to fsync it; elsewhere this is a no-op.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir).and_then(|d| d.sync_all())?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(files_in(dir.path()), ["out.json"]);
    }

    /// The process umask, read without changing it (Linux `/proc`).
    fn umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
        u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
    }

    #[test]
    fn outputs_follow_the_umask_and_the_state_stays_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.prom");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o666 & !umask(), "umask {:o}", umask());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        replace(&dir.path().join("state.json"), b"{}").unwrap();
        let mode = std::fs::metadata(dir.path().join("state.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
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
            format!("{err:#}")
                .starts_with("cannot create a temporary file next to `/nonexistent-dir/x.json`: "),
            "{err:#}"
        );
        let err = replace(Path::new("/nonexistent-dir/x.json"), b"x").unwrap_err();
        assert_eq!(err.action, "create a temporary file next to");
        assert_eq!(err.source.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn a_directory_in_the_way_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        std::fs::create_dir(&path).unwrap();
        let err = replace(&path, b"x").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot replace `{}`", path.display())
        );
        assert!(path.is_dir());
        assert_eq!(files_in(dir.path()), ["out"], "the temp file is removed");
    }

    #[test]
    fn temp_names_are_hidden_distinct_and_never_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let names: Vec<String> = (0..50)
            .map(|_| {
                // Keep each, so a collision would have to pick a new name.
                let (_, kept) = create_temp(&path, Mode::Private).unwrap().keep().unwrap();
                kept.file_name().unwrap().to_string_lossy().into_owned()
            })
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        for name in &names {
            assert!(
                name.starts_with(".state.json.") && name.ends_with(".tmp"),
                "{name}"
            );
            assert_ne!(name, "state.json");
        }
        // With all those strays present, a replace still works.
        replace(&path, b"{}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
    }

    #[test]
    fn parent_of_a_bare_name_is_the_current_directory() {
        assert_eq!(parent_dir(Path::new("state.json")), Path::new("."));
        assert_eq!(parent_dir(Path::new("a/state.json")), Path::new("a"));
        sync_dir(parent_dir(Path::new("state.json"))).unwrap();
        assert_eq!(
            sync_dir(Path::new("/nonexistent-dir")).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
    }
}
