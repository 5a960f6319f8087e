//! Profile files as inputs: a path that is a regular file starting with
//! the profile magic bytes is a profile, whatever its name.

use std::io::Read;
use std::path::Path;

use super::{is_uri, load, read_object, CsvOptions, DataError, Dataset, Selection, StorageOptions};
use crate::profile::{self, format, Profile};

/// A side of a comparison as given: data files, or a profile of them.
pub enum Input {
    Data(Dataset),
    Profile(Profile),
}

/// Loads `spec` as a profile when it is one, else as data (`load`).
pub fn load_input(
    spec: &str,
    csv: &CsvOptions,
    selection: &Selection,
    storage: &StorageOptions,
) -> Result<Input, DataError> {
    let profile = if is_uri(spec) {
        read_remote_profile(spec, storage)?
    } else {
        read_profile(spec)?
    };
    match profile {
        Some(p) => Ok(Input::Profile(p)),
        None => load(spec, csv, selection, storage).map(Input::Data),
    }
}

/// `Some` when `uri` names one object (not a prefix or a key glob, not a
/// `.parquet`/`.csv` key) that starts like a profile. Anything the object
/// store cannot fetch as one object is left to `load`, which says why.
fn read_remote_profile(uri: &str, storage: &StorageOptions) -> Result<Option<Profile>, DataError> {
    let lower = uri.to_ascii_lowercase();
    let data_key = [".parquet", ".pq", ".csv", ".csv.gz"]
        .iter()
        .any(|ext| lower.ends_with(ext));
    if data_key || uri.ends_with('/') || uri.contains(['*', '?', '[']) {
        return Ok(None);
    }
    let Ok(bytes) = read_object(uri, storage, format::MAX_BYTES) else {
        return Ok(None);
    };
    if !profile::is_profile(&bytes) {
        return Ok(None);
    }
    profile::decode(&bytes)
        .map(Some)
        .map_err(|reason| DataError::Profile {
            path: uri.to_string(),
            reason,
        })
}

/// `Some` when `spec` names a regular file that starts like a profile;
/// a file that starts like one but does not decode is an error.
pub fn read_profile(spec: &str) -> Result<Option<Profile>, DataError> {
    let path = Path::new(spec);
    let io = |source| DataError::Io {
        path: spec.to_string(),
        source,
    };
    if !path.is_file() {
        return Ok(None);
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]).map_err(io)? {
            0 => break,
            n => got += n,
        }
    }
    if !profile::is_profile(&head[..got]) {
        return Ok(None);
    }
    let len = file.metadata().map_err(io)?.len();
    let bad = |reason: format::FormatError| DataError::Profile {
        path: spec.to_string(),
        reason,
    };
    if len > format::MAX_BYTES {
        return Err(bad(format::FormatError::TooLarge {
            limit: format::MAX_BYTES,
        }));
    }
    let mut bytes = head[..got].to_vec();
    file.read_to_end(&mut bytes).map_err(io)?;
    profile::decode(&bytes).map(Some).map_err(bad)
}

/// Bytes hashed at each end of a file: a CSV's head, a Parquet file's
/// footer (its schema, row groups and statistics) and magic.
const FINGERPRINT_BYTES: u64 = 64 * 1024;

/// What the files of `spec` are now: per file (in listing order) its
/// size, modification time and a SHA-256 of its first and last 64 KiB,
/// hashed together. Names do not count (a renamed file is the same data).
/// `None` when a file is a pipe or a device, which has no stable identity,
/// or `spec` is an object-store URI.
pub fn fingerprint(spec: &str) -> Result<Option<String>, DataError> {
    use sha2::{Digest, Sha256};
    use std::io::{Seek, SeekFrom};
    if is_uri(spec) {
        // Object-store data has no local identity here: the profile is
        // rebuilt on every run (docs/profiles.md).
        return Ok(None);
    }
    let expanded = super::expand(spec)?;
    let mut all = Sha256::new();
    for file in &expanded.files {
        if file.stream {
            return Ok(None);
        }
        let shown = file.path.display().to_string();
        let io = |source| DataError::Io {
            path: shown.clone(),
            source,
        };
        let mut f = std::fs::File::open(&file.path).map_err(io)?;
        let meta = f.metadata().map_err(io)?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        all.update(meta.len().to_le_bytes());
        all.update(mtime.to_le_bytes());
        let mut buf = Vec::new();
        (&mut f)
            .take(FINGERPRINT_BYTES)
            .read_to_end(&mut buf)
            .map_err(io)?;
        if meta.len() > FINGERPRINT_BYTES {
            let from = meta
                .len()
                .saturating_sub(FINGERPRINT_BYTES)
                .max(FINGERPRINT_BYTES);
            f.seek(SeekFrom::Start(from)).map_err(io)?;
            f.read_to_end(&mut buf).map_err(io)?;
        }
        all.update(Sha256::digest(&buf));
    }
    Ok(Some(
        all.finalize().iter().map(|b| format!("{b:02x}")).collect(),
    ))
}
