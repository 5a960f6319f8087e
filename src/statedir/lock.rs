//! The run lock: an exclusive advisory lock on `<state dir>/lock`, held for a
//! whole run so that two runs of one policy never overlap.
//!
//! It is an OS lock on an open file (`flock` on Unix, via std's
//! `File::lock`), so the kernel releases it when the holder exits or
//! crashes: there are no stale locks to clean up, and the file itself is
//! never deleted (deleting it would let two runs lock two different files).
//! While held, the file says who holds it, for the second run's error.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{StateError, LOCK_FILE};

/// How often a waiting run tries again.
const POLL: Duration = Duration::from_millis(50);

/// Held for the duration of a run; dropping it releases the lock.
#[derive(Debug)]
pub struct StateLock {
    file: File,
    path: PathBuf,
}

/// What the holder writes into the lock file.
#[derive(Serialize, Deserialize)]
struct Holder {
    pid: u32,
    started: String,
}

/// Creates the state directory (and missing parents) with mode 0700: the
/// state and the audit log are nobody else's business. An existing
/// directory keeps its mode.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Locks `<dir>/lock`, creating `dir` if needed. Tries at once, then
/// every 50 ms until `timeout` has passed (`Duration::ZERO`: one try).
/// Fails with [`StateError::Held`] naming the holder if it stays locked.
///
/// The lock is per open file: a second `acquire` in the same process
/// fails too, as it would in another process.
pub fn acquire(dir: &Path, timeout: Duration) -> Result<StateLock, StateError> {
    create_private_dir(dir).map_err(|e| StateError::io(dir, "create the state directory", e))?;
    let path = dir.join(LOCK_FILE);
    let mut file = super::private_file(OpenOptions::new().read(true).write(true))
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| StateError::io(&path, "open", e))?;
    // No deadline: a timeout too large to represent waits for ever.
    let deadline = Instant::now().checked_add(timeout);
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                let now = Instant::now();
                let left = deadline.map_or(POLL, |d| d.saturating_duration_since(now));
                if left.is_zero() {
                    let holder = read_holder(&mut file);
                    return Err(StateError::Held {
                        path,
                        pid: holder.as_ref().map(|h| h.pid),
                        since: holder.map(|h| h.started),
                    });
                }
                std::thread::sleep(POLL.min(left));
            }
            Err(TryLockError::Error(e)) => return Err(StateError::io(&path, "lock", e)),
        }
    }
    let holder = Holder {
        pid: std::process::id(),
        started: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    write_holder(&mut file, &holder).map_err(|e| StateError::io(&path, "write", e))?;
    Ok(StateLock { file, path })
}

impl StateLock {
    /// The lock file, `<dir>/lock`.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        // Clear the holder first, while still holding the lock, so the file
        // never names a run that has finished. Errors are moot: closing the
        // file releases the lock whatever happens here.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn write_holder(file: &mut File, holder: &Holder) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(holder).map_err(std::io::Error::other)?;
    line.push(b'\n');
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&line)
}

/// Who holds the lock, if the holder has written it yet (there is a short
/// window between taking the lock and writing the file).
fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_in_the_same_process_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = dir.path().join(".driftmend");
        let first = acquire(&state_dir, Duration::ZERO).unwrap();
        assert_eq!(first.path(), state_dir.join("lock"));

        let err = acquire(&state_dir, Duration::ZERO).unwrap_err();
        match &err {
            StateError::Held { path, pid, since } => {
                assert_eq!(path, &state_dir.join("lock"));
                assert_eq!(*pid, Some(std::process::id()));
                let since = since.as_deref().unwrap();
                assert!(
                    chrono::DateTime::parse_from_rfc3339(since).is_ok(),
                    "{since}"
                );
                assert!(since.ends_with('Z'), "{since}");
            }
            other => panic!("expected Held, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!(
                "another driftmend run (pid {}, started ",
                std::process::id()
            )),
            "{msg}"
        );
        assert!(msg.contains("lock`"), "{msg}");

        drop(first);
        let again = acquire(&state_dir, Duration::ZERO).unwrap();
        drop(again);
        // Never deleted, and emptied on release.
        assert_eq!(std::fs::read(state_dir.join("lock")).unwrap(), b"");
    }

    #[test]
    fn waits_until_the_holder_releases_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), Duration::ZERO).unwrap();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            drop(first);
        });
        let started = Instant::now();
        let second = acquire(dir.path(), Duration::from_secs(10));
        let waited = started.elapsed();
        releaser.join().unwrap();
        assert!(second.is_ok(), "{second:?}");
        assert!(waited >= Duration::from_millis(150), "{waited:?}");
    }

    #[test]
    fn gives_up_after_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let _first = acquire(dir.path(), Duration::ZERO).unwrap();
        let started = Instant::now();
        let second = acquire(dir.path(), Duration::from_millis(120));
        let waited = started.elapsed();
        assert!(matches!(second, Err(StateError::Held { .. })), "{second:?}");
        assert!(waited >= Duration::from_millis(120), "{waited:?}");
        assert!(waited < Duration::from_secs(5), "{waited:?}");
    }

    #[test]
    fn an_unbounded_timeout_does_not_overflow() {
        let dir = tempfile::tempdir().unwrap();
        assert!(acquire(dir.path(), Duration::MAX).is_ok());
    }

    #[test]
    fn holder_that_has_not_written_yet_is_reported_without_details() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        // Someone else's handle holds the lock but wrote nothing (yet).
        let raw = File::create(&path).unwrap();
        raw.lock().unwrap();
        let err = acquire(dir.path(), Duration::ZERO).unwrap_err();
        assert!(
            matches!(
                err,
                StateError::Held {
                    pid: None,
                    since: None,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn unusable_directory_is_an_io_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = acquire(&file, Duration::ZERO).unwrap_err();
        assert!(matches!(err, StateError::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("not-a-dir`"), "{err}");
    }
}
