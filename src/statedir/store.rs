//! The state file: one pretty-printed JSON object with an integer `version`
//! field, replaced atomically on every save so that a crash leaves the old
//! file or the new one, never a torn one.
//!
//! A file from a newer driftmend, or one that does not parse, is an error,
//! never a silent reset: losing a policy's counters and cooldowns could let it
//! act again when it should not.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::StateError;
use crate::atomic_file;

/// Reads the state at `path`: `Ok(None)` if there is no file yet.
///
/// The file must be a JSON object whose `version` is an integer no larger
/// than `max_version`. Older versions are handed to `T` as they are: `T`
/// (e.g. with `#[serde(default)]` fields) is where migrations live.
pub fn load<T: DeserializeOwned>(path: &Path, max_version: u32) -> Result<Option<T>, StateError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::io(path, "read", e)),
    };
    // Check the version on an untyped parse first: a newer file is reported
    // as newer, not as a shape mismatch.
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| StateError::corrupt(path, format!("not valid JSON ({e})")))?;
    let object = value
        .as_object()
        .ok_or_else(|| StateError::corrupt(path, "the top level is not a JSON object"))?;
    let version = match object.get("version") {
        None => return Err(StateError::corrupt(path, "it has no `version` field")),
        Some(v) => v.as_u64().ok_or_else(|| {
            StateError::corrupt(path, format!("`version` is {v}, not a whole number"))
        })?,
    };
    if version > u64::from(max_version) {
        return Err(StateError::NewerVersion {
            path: path.to_path_buf(),
            found: version,
            supported: max_version,
        });
    }
    // Parse again from the text (not from `value`) so errors keep serde's
    // line and column.
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        StateError::corrupt(
            path,
            format!("it does not match the state format of this driftmend ({e})"),
        )
    })
}

/// Writes `value` to `path` as pretty JSON with a trailing newline,
/// atomically and durably, with mode 0600 (see [`atomic_file::replace`]:
/// a crash leaves the old file or the new one, never a torn one).
///
/// `value` must serialise to an object with an integer `version` (not
/// checked here).
pub fn save<T: Serialize>(path: &Path, value: &T) -> Result<(), StateError> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| StateError::io(path, "serialise the state for", std::io::Error::other(e)))?;
    bytes.push(b'\n');
    Ok(atomic_file::replace(path, &bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Counters {
        version: u32,
        name: String,
        breaches: u64,
        score: f64,
    }

    fn sample() -> Counters {
        Counters {
            version: 1,
            name: "fraud".into(),
            breaches: 2,
            score: 0.1 + 0.2,
        }
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let loaded: Option<Counters> = load(&dir.path().join("state.json"), 1).unwrap();
        assert_eq!(loaded, None);
    }

    #[test]
    fn round_trip_is_pretty_with_a_trailing_newline_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        save(&path, &sample()).unwrap();
        save(&path, &sample()).unwrap();
        assert_eq!(load::<Counters>(&path, 1).unwrap(), Some(sample()));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\n  \"version\": 1,\n"), "{text}");
        assert!(text.ends_with("}\n"), "{text}");
        assert_eq!(files_in(dir.path()), ["state.json"]);
    }

    #[test]
    fn newer_version_is_refused_with_both_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        // A newer format may also have changed shape: the version wins.
        std::fs::write(&path, r#"{"version": 3, "other": []}"#).unwrap();
        let err = load::<Counters>(&path, 1).unwrap_err();
        match &err {
            StateError::NewerVersion {
                path: p,
                found,
                supported,
            } => {
                assert_eq!(p, &path);
                assert_eq!((*found, *supported), (3, 1));
            }
            other => panic!("expected NewerVersion, got {other:?}"),
        }
        assert!(err
            .to_string()
            .contains("state version 3; this one reads up to 1"));
    }

    #[test]
    fn malformed_json_is_corrupt_with_path_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{\n  \"version\": 1,\n  \"name\": \n").unwrap();
        let err = load::<Counters>(&path, 1).unwrap_err();
        assert!(matches!(err, StateError::Corrupt { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!(
                "`{}` is damaged: not valid JSON (",
                path.display()
            )),
            "{msg}"
        );
        assert!(msg.contains("line 4 column 0"), "{msg}");
    }

    #[test]
    fn wrong_shape_is_corrupt_with_serde_detail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(
            &path,
            "{\n  \"version\": 1,\n  \"name\": \"x\",\n  \"breaches\": \"two\",\n  \"score\": 0\n}\n",
        )
        .unwrap();
        let msg = load::<Counters>(&path, 1).unwrap_err().to_string();
        assert!(
            msg.contains("state.json` is damaged: it does not match"),
            "{msg}"
        );
        assert!(msg.contains("expected u64 at line 4"), "{msg}");
    }

    #[test]
    fn missing_or_non_integer_version_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        for (text, expected) in [
            ("{}", "no `version` field"),
            (
                r#"{"version": "1"}"#,
                "`version` is \"1\", not a whole number",
            ),
            (r#"{"version": -1}"#, "`version` is -1, not a whole number"),
            ("[1]", "not a JSON object"),
        ] {
            std::fs::write(&path, text).unwrap();
            let msg = load::<Counters>(&path, 1).unwrap_err().to_string();
            assert!(msg.contains(expected), "{text}: {msg}");
        }
    }

    #[test]
    fn unreadable_state_is_an_io_error_not_none() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be.
        let path = dir.path().join("state.json");
        std::fs::create_dir(&path).unwrap();
        let err = load::<Counters>(&path, 1).unwrap_err();
        assert!(
            matches!(err, StateError::Io { action: "read", .. }),
            "{err:?}"
        );
    }

    #[test]
    fn crash_before_rename_leaves_the_old_state_and_later_saves_work() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        save(&path, &sample()).unwrap();

        // A crash after the temp file was written but before the rename:
        // a complete-looking and a torn temp file, named as `save` names them.
        let stray = dir.path().join(".state.json.AbC123.tmp");
        std::fs::write(
            &stray,
            r#"{"version": 1, "name": "new", "breaches": 9, "score": 1}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join(".state.json.XyZ789.tmp"), r#"{"vers"#).unwrap();
        assert_eq!(load::<Counters>(&path, 1).unwrap(), Some(sample()));

        let next = Counters {
            breaches: 3,
            ..sample()
        };
        save(&path, &next).unwrap();
        assert_eq!(load::<Counters>(&path, 1).unwrap(), Some(next));
        // The strays are untouched and no new one is left.
        assert_eq!(
            files_in(dir.path()),
            [
                ".state.json.AbC123.tmp",
                ".state.json.XyZ789.tmp",
                "state.json"
            ]
        );
    }

    #[test]
    fn saved_state_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        save(&path, &sample()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn save_into_a_missing_directory_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("state.json");
        let err = save(&path, &sample()).unwrap_err();
        assert!(matches!(err, StateError::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("missing/state.json`"), "{err}");
    }

    #[test]
    fn unserialisable_value_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut bad = std::collections::BTreeMap::new();
        bad.insert((1, 2), 3);
        let err = save(&path, &bad).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot serialise the state for `"),
            "{err}"
        );
        assert!(!path.exists());
    }
}
