//! Turns what the user typed (a file, a glob or a directory) into the list of
//! data files to read, each file once: symlinks are followed, but never into
//! a directory already walked (a loop like `again -> .` would otherwise read
//! the same files again and again), and a file reached under two names
//! (a symlink or a hard link) is read under one.

use std::collections::{HashMap, VecDeque};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
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

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DataFile {
    pub path: PathBuf,
    /// `None` for a stream whose name says nothing (`/dev/fd/63`): its
    /// first bytes tell.
    pub format: Option<FileFormat>,
    /// Not a regular file but a pipe or a device (`<(zcat x.csv.gz)`, a
    /// FIFO): it can be read only once, front to back.
    pub stream: bool,
}

/// What a spec expands to: the files, sorted, and warnings about what was
/// left out (symlink loops, a file reached twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub files: Vec<DataFile>,
    pub warnings: Vec<String>,
}

/// Expands `spec` into a sorted list of data files.
///
/// A glob (`*`, `?`, `[`) is matched; a directory is walked recursively for
/// `.parquet`/`.pq`/`.csv`/`.csv.gz` files, skipping hidden files and
/// directories and markers like `_SUCCESS`; a `**` glob walks the directory
/// before its first wildcard the same way. A plain path must exist and be
/// a regular file with a known extension, or a pipe or device (read as a
/// stream).
pub fn expand(spec: &str) -> Result<Expanded, DataError> {
    let path = Path::new(spec);
    let mut warnings = Vec::new();
    let found = if spec.contains(['*', '?', '[']) {
        glob_files(spec, &mut warnings)?
    } else if path.is_dir() {
        Walk::new(path).run(&mut warnings)?
    } else if let Ok(meta) = std::fs::metadata(path) {
        let format = FileFormat::from_path(path);
        if meta.is_file() {
            if format.is_none() {
                return Err(DataError::UnknownFormat(spec.to_string()));
            }
            return Ok(Expanded {
                files: vec![DataFile {
                    path: path.to_path_buf(),
                    format,
                    stream: false,
                }],
                warnings,
            });
        }
        let kind = meta.file_type();
        if kind.is_socket() {
            return Err(DataError::UnknownFormat(spec.to_string()));
        }
        return Ok(Expanded {
            files: vec![DataFile {
                path: path.to_path_buf(),
                format,
                stream: true,
            }],
            warnings,
        });
    } else {
        return Err(DataError::NotFound(spec.to_string()));
    };
    let mut files: Vec<DataFile> = once_each(found, &mut warnings)
        .into_iter()
        .filter_map(|f| {
            FileFormat::from_path(&f).map(|format| DataFile {
                path: f,
                format: Some(format),
                stream: false,
            })
        })
        .collect();
    if files.is_empty() {
        return Err(DataError::NoFiles(spec.to_string()));
    }
    files.sort();
    let first = files[0].format;
    if let Some(other) = files.iter().find(|f| f.format != first) {
        return Err(DataError::MixedFormats {
            spec: spec.to_string(),
            example: other.path.display().to_string(),
        });
    }
    Ok(Expanded { files, warnings })
}

/// A file or directory, whatever name it was reached by.
type FileId = (u64, u64);

fn file_id(meta: &std::fs::Metadata) -> FileId {
    (meta.dev(), meta.ino())
}

/// A data file found, and whether a symlink led to it (a name without one is
/// preferred when the same file is found twice).
#[derive(Debug)]
struct Found {
    path: PathBuf,
    id: FileId,
    via_link: bool,
}

/// Keeps one name per file: the one reached without a symlink, else the
/// first in path order. Returns the names, unsorted.
fn once_each(mut found: Vec<Found>, warnings: &mut Vec<String>) -> Vec<PathBuf> {
    found.sort_by(|a, b| (a.via_link, &a.path).cmp(&(b.via_link, &b.path)));
    let mut kept: HashMap<FileId, PathBuf> = HashMap::new();
    let mut out = Vec::new();
    let mut dropped = Vec::new();
    for f in found {
        match kept.get(&f.id) {
            Some(first) => dropped.push(format!(
                "`{}` is the same file as `{}`; read once",
                f.path.display(),
                first.display()
            )),
            None => {
                kept.insert(f.id, f.path.clone());
                out.push(f.path);
            }
        }
    }
    dropped.sort();
    warnings.extend(dropped);
    out
}

fn glob_files(spec: &str, warnings: &mut Vec<String>) -> Result<Vec<Found>, DataError> {
    let bad_glob = |e: glob::PatternError| DataError::BadGlob {
        spec: spec.to_string(),
        reason: e.msg.to_string(),
    };
    if spec.split('/').any(|c| c == "**") {
        // The glob crate follows symlinks under `**` without remembering
        // where it has been: a loop yields the same files 40 levels deep,
        // two loops never end. Walk the directory before the first
        // wildcard ourselves and keep the paths that match.
        let pattern = glob::Pattern::new(spec).map_err(bad_glob)?;
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let base = glob_base(spec);
        if !fs_path(base).is_dir() {
            return Ok(Vec::new());
        }
        let found = Walk::new(base).run(warnings)?;
        return Ok(found
            .into_iter()
            .filter(|f| pattern.matches_path_with(&f.path, options))
            .collect());
    }
    let mut found = Vec::new();
    for entry in glob::glob(spec).map_err(bad_glob)? {
        let path = entry.map_err(|e| DataError::Io {
            path: e.path().display().to_string(),
            source: e.into(),
        })?;
        if !is_data_file(&path) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_file() {
            let via_link = has_symlink(&path);
            found.push(Found {
                id: file_id(&meta),
                path,
                via_link,
            });
        }
    }
    Ok(found)
}

/// The directory part of a glob before its first wildcard: `data/` for
/// `data/**/*.csv`, `` (the working directory) for `**/*.csv`.
fn glob_base(spec: &str) -> &Path {
    let wild = spec.find(['*', '?', '[']).unwrap_or(spec.len());
    match spec[..wild].rfind('/') {
        Some(slash) => Path::new(&spec[..=slash]),
        None => Path::new(""),
    }
}

/// `path` as the file system takes it (the empty path is `.`).
fn fs_path(path: &Path) -> &Path {
    if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    }
}

/// Whether any component of `path` is a symlink.
fn has_symlink(path: &Path) -> bool {
    path.ancestors()
        .filter(|p| !p.as_os_str().is_empty())
        .any(|p| p.is_symlink())
}

fn is_data_file(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n.starts_with('_'));
    !hidden && FileFormat::from_path(path).is_some()
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// A directory walk that enters each directory once. Real directories are
/// walked first, then the directories symlinks lead to (breadth first), so
/// a file is named by its path without symlinks when it has one.
struct Walk {
    root: PathBuf,
    /// Every directory entered, by the name it was first entered under.
    visited: HashMap<FileId, PathBuf>,
    /// Symlinks to directories, not yet followed.
    links: VecDeque<PathBuf>,
    found: Vec<Found>,
}

impl Walk {
    fn new(root: &Path) -> Walk {
        Walk {
            root: root.to_path_buf(),
            visited: HashMap::new(),
            links: VecDeque::new(),
            found: Vec::new(),
        }
    }

    fn run(mut self, warnings: &mut Vec<String>) -> Result<Vec<Found>, DataError> {
        let root = self.root.clone();
        let meta = std::fs::metadata(fs_path(&root)).map_err(|source| DataError::Io {
            path: root.display().to_string(),
            source,
        })?;
        self.visited.insert(file_id(&meta), root.clone());
        self.dir(&root, has_symlink(&root), warnings)?;
        while let Some(link) = self.links.pop_front() {
            // A link that broke or loops onto itself since it was listed
            // has nothing to read.
            let Ok(meta) = std::fs::metadata(&link) else {
                continue;
            };
            if let Some(first) = self.visited.get(&file_id(&meta)) {
                warnings.push(repeated_dir(&link, first));
                continue;
            }
            self.visited.insert(file_id(&meta), link.clone());
            self.dir(&link, true, warnings)?;
        }
        Ok(self.found)
    }

    fn dir(
        &mut self,
        dir: &Path,
        via_link: bool,
        warnings: &mut Vec<String>,
    ) -> Result<(), DataError> {
        let io_err = |source| DataError::Io {
            path: dir.display().to_string(),
            source,
        };
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(fs_path(dir)).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            entries.push((entry.file_name(), entry.file_type().map_err(io_err)?));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, kind) in entries {
            let path = dir.join(name);
            if kind.is_symlink() {
                // Where it leads; a dangling link or one that loops onto
                // itself (`a -> a`) leads nowhere and is skipped.
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                if meta.is_dir() {
                    if !is_hidden(&path) {
                        self.links.push_back(path);
                    }
                } else if meta.is_file() && is_data_file(&path) {
                    self.found.push(Found {
                        path,
                        id: file_id(&meta),
                        via_link: true,
                    });
                }
            } else if kind.is_dir() {
                if is_hidden(&path) {
                    continue;
                }
                let meta = std::fs::metadata(&path).map_err(|source| DataError::Io {
                    path: path.display().to_string(),
                    source,
                })?;
                // A bind mount can make even a real directory repeat.
                if let Some(first) = self.visited.get(&file_id(&meta)) {
                    warnings.push(repeated_dir(&path, first));
                    continue;
                }
                self.visited.insert(file_id(&meta), path.clone());
                self.dir(&path, via_link, warnings)?;
            } else if kind.is_file() && is_data_file(&path) {
                let meta = std::fs::metadata(&path).map_err(|source| DataError::Io {
                    path: path.display().to_string(),
                    source,
                })?;
                self.found.push(Found {
                    path,
                    id: file_id(&meta),
                    via_link,
                });
            }
        }
        Ok(())
    }
}

/// The warning for a directory reached a second time through `link`:
/// a loop when it leads back up to a directory containing it.
fn repeated_dir(link: &Path, first: &Path) -> String {
    let target = std::fs::canonicalize(link).ok();
    let parent = link
        .parent()
        .and_then(|p| std::fs::canonicalize(fs_path(p)).ok());
    let is_loop = match (target, parent) {
        (Some(target), Some(parent)) => parent.starts_with(target),
        _ => false,
    };
    if is_loop {
        format!(
            "`{}` is a symlink loop back to `{}`; not followed",
            link.display(),
            fs_path(first).display()
        )
    } else {
        format!(
            "`{}` leads to `{}`, which is already read; not followed",
            link.display(),
            fs_path(first).display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn names(root: &Path, expanded: &Expanded) -> Vec<String> {
        expanded
            .files
            .iter()
            .map(|f| f.path.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

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
        assert_eq!(
            names(p, &files),
            ["dt=1/part-0.parquet", "dt=2/part-0.parquet"]
        );
        assert!(files.warnings.is_empty());
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

    /// `d/a.csv`, `d/sub/b.csv`, and two loops: `d/again -> .` and
    /// `d/sub/up -> ..`.
    fn looping_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("d");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("a.csv"), b"x\n1\n").unwrap();
        std::fs::write(d.join("sub/b.csv"), b"x\n2\n").unwrap();
        symlink(".", d.join("again")).unwrap();
        symlink("..", d.join("sub/up")).unwrap();
        dir
    }

    #[test]
    fn symlink_loops_are_walked_once_with_a_warning() {
        let dir = looping_dir();
        let d = dir.path().join("d");
        let spec = d.display().to_string();
        let expanded = expand(&spec).unwrap();
        assert_eq!(names(&d, &expanded), ["a.csv", "sub/b.csv"]);
        assert_eq!(
            expanded.warnings,
            [
                format!("`{spec}/again` is a symlink loop back to `{spec}`; not followed"),
                format!("`{spec}/sub/up` is a symlink loop back to `{spec}`; not followed"),
            ]
        );
    }

    #[test]
    fn recursive_globs_over_loops_match_each_file_once() {
        let dir = looping_dir();
        let d = dir.path().join("d");
        let spec = format!("{}/**/*.csv", d.display());
        let expanded = expand(&spec).unwrap();
        assert_eq!(names(&d, &expanded), ["a.csv", "sub/b.csv"]);
        assert_eq!(expanded.warnings.len(), 2, "{:?}", expanded.warnings);
        // Fixed depth: the glob crate, then one name per file.
        let spec = format!("{}/*/*/*.csv", d.display());
        let expanded = expand(&spec).unwrap();
        assert_eq!(
            names(&d, &expanded),
            ["again/again/a.csv", "again/sub/b.csv"]
        );
        assert_eq!(
            expanded.warnings,
            [format!(
                "`{0}/sub/up/a.csv` is the same file as `{0}/again/again/a.csv`; read once",
                d.display()
            )]
        );
    }

    #[test]
    fn glob_base_is_the_directory_before_the_first_wildcard() {
        assert_eq!(glob_base("**/*.csv"), Path::new(""));
        assert_eq!(glob_base("data/**/*.csv"), Path::new("data/"));
        assert_eq!(glob_base("/a/b*/**/x.csv"), Path::new("/a/"));
    }

    #[test]
    fn a_file_under_two_names_is_read_under_the_real_one() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("real")).unwrap();
        std::fs::write(d.join("real/x.csv"), b"x\n1\n").unwrap();
        symlink("real", d.join("latest")).unwrap();
        symlink("real/x.csv", d.join("a_link.csv")).unwrap();
        std::fs::hard_link(d.join("real/x.csv"), d.join("real/y.csv")).unwrap();
        let spec = d.display().to_string();
        let expanded = expand(&spec).unwrap();
        assert_eq!(names(d, &expanded), ["real/x.csv"]);
        assert_eq!(
            expanded.warnings,
            [
                format!(
                    "`{spec}/latest` leads to `{spec}/real`, which is already read; not followed"
                ),
                format!("`{spec}/a_link.csv` is the same file as `{spec}/real/x.csv`; read once"),
                format!("`{spec}/real/y.csv` is the same file as `{spec}/real/x.csv`; read once"),
            ]
        );
    }

    #[test]
    fn pipes_are_streams() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("in");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let expanded = expand(fifo.to_str().unwrap()).unwrap();
        assert_eq!(
            expanded.files,
            [DataFile {
                path: fifo,
                format: None,
                stream: true,
            }]
        );
    }
}
