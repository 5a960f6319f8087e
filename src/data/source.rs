//! Turns what the user typed (a file, a glob or a directory) into the list of
//! data files to read.

use std::path::{Path, PathBuf};

use super::DataError;

/// The file formats driftmend reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileFormat {
    Parquet,
    /// Plain or gzip-compressed (polars decompresses transparently).
    Csv,
}

impl FileFormat {
    /// The format a file name says it is, if any.
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".parquet") || name.ends_with(".pq") {
            Some(FileFormat::Parquet)
        } else if name.ends_with(".csv") || name.ends_with(".csv.gz") {
            Some(FileFormat::Csv)
        } else {
            None
        }
    }
}

/// Expands `spec` into a sorted list of data files.
///
/// A glob (`*`, `?`, `[`) is matched; a directory is walked recursively for
/// `.parquet`/`.pq`/`.csv`/`.csv.gz` files, skipping hidden files and
/// markers like `_SUCCESS`; a plain path must exist and have a known
/// extension.
pub fn expand(spec: &str) -> Result<Vec<(PathBuf, FileFormat)>, DataError> {
    let path = Path::new(spec);
    let files = if spec.contains(['*', '?', '[']) {
        let pattern = glob::glob(spec).map_err(|e| DataError::BadGlob {
            spec: spec.to_string(),
            reason: e.msg.to_string(),
        })?;
        let mut files = Vec::new();
        for entry in pattern {
            let entry = entry.map_err(|e| DataError::Io {
                path: e.path().display().to_string(),
                source: e.into(),
            })?;
            if entry.is_file() && is_data_file(&entry) {
                files.push(entry);
            }
        }
        files
    } else if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        files
    } else if path.is_file() {
        if FileFormat::from_path(path).is_none() {
            return Err(DataError::UnknownFormat(spec.to_string()));
        }
        vec![path.to_path_buf()]
    } else {
        return Err(DataError::NotFound(spec.to_string()));
    };
    if files.is_empty() {
        return Err(DataError::NoFiles(spec.to_string()));
    }
    let mut files: Vec<_> = files
        .into_iter()
        .filter_map(|f| FileFormat::from_path(&f).map(|fmt| (f, fmt)))
        .collect();
    files.sort();
    let first = files[0].1;
    if let Some((other, _)) = files.iter().find(|(_, fmt)| *fmt != first) {
        return Err(DataError::MixedFormats {
            spec: spec.to_string(),
            example: other.display().to_string(),
        });
    }
    Ok(files)
}

fn is_data_file(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n.starts_with('_'));
    !hidden && FileFormat::from_path(path).is_some()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DataError> {
    let io_err = |source| DataError::Io {
        path: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if path.is_dir() && !hidden {
            walk(&path, out)?;
        } else if path.is_file() && is_data_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        assert_eq!(
            FileFormat::from_path(Path::new("a/b.PARQUET")),
            Some(FileFormat::Parquet)
        );
        assert_eq!(
            FileFormat::from_path(Path::new("b.pq")),
            Some(FileFormat::Parquet)
        );
        assert_eq!(
            FileFormat::from_path(Path::new("b.csv.gz")),
            Some(FileFormat::Csv)
        );
        assert_eq!(FileFormat::from_path(Path::new("b.json")), None);
    }

    #[test]
    fn directory_walk_skips_markers_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("dt=2")).unwrap();
        std::fs::create_dir(p.join("dt=1")).unwrap();
        std::fs::write(p.join("dt=2/part-0.parquet"), b"x").unwrap();
        std::fs::write(p.join("dt=1/part-0.parquet"), b"x").unwrap();
        std::fs::write(p.join("_SUCCESS"), b"").unwrap();
        std::fs::write(p.join("dt=1/.part-0.parquet.crc"), b"").unwrap();
        let files = expand(p.to_str().unwrap()).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|(f, _)| f.strip_prefix(p).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["dt=1/part-0.parquet", "dt=2/part-0.parquet"]);
    }

    #[test]
    fn missing_paths_and_empty_globs_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.parquet");
        assert!(matches!(
            expand(missing.to_str().unwrap()),
            Err(DataError::NotFound(_))
        ));
        let glob = dir.path().join("*.parquet");
        assert!(matches!(
            expand(glob.to_str().unwrap()),
            Err(DataError::NoFiles(_))
        ));
        let mixed = dir.path().join("m");
        std::fs::create_dir(&mixed).unwrap();
        std::fs::write(mixed.join("a.csv"), b"x\n1\n").unwrap();
        std::fs::write(mixed.join("b.parquet"), b"x").unwrap();
        assert!(matches!(
            expand(mixed.to_str().unwrap()),
            Err(DataError::MixedFormats { .. })
        ));
    }
}
