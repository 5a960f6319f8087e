//! The snapshot harness, after uv's `uv_snapshot!` and just's `Test`: run
//! the real `driftmend` in a temp dir with a fixed environment, and pin the
//! command line, exit code, stdout and stderr together in one insta
//! snapshot, with what differs between machines and runs filtered out.
//!
//! ```ignore
//! let ctx = TestContext::new();
//! driftmend_snapshot!("missing_reference", ctx.command(&["report", "-r", "nope.parquet", "-c", "x"]));
//! ```
//!
//! Filters (applied in this order):
//!
//! | what | becomes |
//! | --- | --- |
//! | the temp dir (as given and canonical) | `[TEMP]` |
//! | `<crate>/fixtures` | `[FIXTURES]` |
//! | the crate root | `[ROOT]` |
//! | the crate version | `[VERSION]` |
//! | RFC 3339 times, unless the command fixes the clock with `--now` | `[TIME]` |
//! | durations with a fraction or in ms (`123 ms`, `0.12s`) | `[DURATION]` |
//! | `pid 1234` | `pid [PID]` |

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::BIN;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// `<crate>/fixtures/<name>`, for arguments (snapshots show `[FIXTURES]/<name>`).
pub fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

/// One test's temp dir: the working directory of every command it runs.
pub struct TestContext {
    dir: tempfile::TempDir,
}

impl TestContext {
    pub fn new() -> TestContext {
        TestContext {
            dir: tempfile::tempdir().expect("create a temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` to `name` (parent dirs created) and returns its path.
    pub fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// An executable `./<name>` running `body` under `/bin/sh`.
    pub fn script(&self, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.write(name, format!("#!/bin/sh\n{body}"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// `driftmend <args>` in the temp dir, with only `PATH` inherited and
    /// `HOME` (the temp dir), `NO_COLOR=1`, `COLUMNS=100` and `TZ=UTC` set.
    pub fn command(&self, args: &[&str]) -> Cmd {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .env("TZ", "UTC");
        Cmd {
            command,
            line: args.iter().map(|a| shell_word(a)).collect(),
            filter_times: !args
                .iter()
                .any(|a| *a == "--now" || a.starts_with("--now=")),
            filters: self.filters(),
        }
    }

    /// The filters of the table above, as (regex, replacement).
    pub fn filters(&self) -> Vec<(String, String)> {
        let mut filters = Vec::new();
        let given = self.path().to_path_buf();
        let canonical = given.canonicalize().unwrap_or_else(|_| given.clone());
        for dir in [canonical, given] {
            filters.push((regex_escape(&dir.display().to_string()), "[TEMP]".into()));
        }
        filters.push((regex_escape(FIXTURES), "[FIXTURES]".into()));
        filters.push((regex_escape(ROOT), "[ROOT]".into()));
        filters.push((
            format!(r"\b{}\b", regex_escape(env!("CARGO_PKG_VERSION"))),
            "[VERSION]".into(),
        ));
        filters
    }
}

/// Filters that don't depend on the temp dir; times only when asked.
fn value_filters(filter_times: bool) -> Vec<(String, String)> {
    let mut filters = Vec::new();
    if filter_times {
        filters.push((
            r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})".into(),
            "[TIME]".into(),
        ));
    }
    filters.push((r"\b\d+(\.\d+)? ?ms\b".into(), "[DURATION]".into()));
    filters.push((r"\b\d+\.\d+ ?s\b".into(), "[DURATION]".into()));
    filters.push((r"\bpid \d+".into(), "pid [PID]".into()));
    filters
}

/// A command to run and snapshot (see [`driftmend_snapshot!`]).
pub struct Cmd {
    command: Command,
    line: Vec<String>,
    filter_times: bool,
    filters: Vec<(String, String)>,
}

impl Cmd {
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    /// Adds a filter of its own (a regex and its replacement).
    pub fn filter(mut self, regex: &str, replacement: &str) -> Cmd {
        self.filters.push((regex.into(), replacement.into()));
        self
    }

    /// Runs it; returns the output and the text to snapshot, with the
    /// filters to apply to that text.
    pub fn run(mut self) -> Snapshot {
        let output = self.command.output().expect("run driftmend");
        let text = format!(
            "$ {}\nexit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            std::iter::once("driftmend".to_string())
                .chain(self.line)
                .collect::<Vec<_>>()
                .join(" "),
            output
                .status
                .code()
                .map_or_else(|| format!("killed ({})", output.status), |c| c.to_string()),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        let mut filters = self.filters;
        filters.extend(value_filters(self.filter_times));
        Snapshot {
            output,
            text,
            filters,
        }
    }
}

/// What a command printed, ready for insta.
pub struct Snapshot {
    pub output: Output,
    pub text: String,
    pub filters: Vec<(String, String)>,
}

/// Runs a [`Cmd`] and asserts the named snapshot of its command line, exit
/// code, stdout and stderr; returns the `Output` for further checks.
macro_rules! driftmend_snapshot {
    ($name:expr, $cmd:expr $(,)?) => {{
        let snapshot: $crate::harness::Snapshot = $cmd.run();
        let filters: Vec<(&str, &str)> = snapshot
            .filters
            .iter()
            .map(|(r, s)| (r.as_str(), s.as_str()))
            .collect();
        ::insta::with_settings!({filters => filters, omit_expression => true}, {
            ::insta::assert_snapshot!($name, snapshot.text);
        });
        snapshot.output
    }};
}

/// `arg` as a shell would need it, so the command line can be pasted.
fn shell_word(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./=:,@%+-".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `text` matched literally by a regex.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if r"\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[test]
fn filters_replace_paths_times_durations_and_the_version() {
    let ctx = TestContext::new();
    let temp = ctx.path().display().to_string();
    let text = format!(
        "{temp}/a.yaml {FIXTURES}/r.parquet {ROOT}/policies driftmend {} \
         at 2026-11-22T03:00:00Z took 0.12s and 123 ms (pid 77) 10s 0.1",
        env!("CARGO_PKG_VERSION")
    );
    let filtered = |filter_times: bool| {
        let mut filters = ctx.filters();
        filters.extend(value_filters(filter_times));
        let filters: Vec<(&str, &str)> = filters
            .iter()
            .map(|(r, s)| (r.as_str(), s.as_str()))
            .collect();
        let mut settings = insta::Settings::clone_current();
        settings.set_filters(filters);
        settings
    };
    // Seconds without a fraction (`10s`, a flag's default) and plain
    // numbers stay: they don't change between runs.
    filtered(true).bind(|| {
        insta::assert_snapshot!(text, @"[TEMP]/a.yaml [FIXTURES]/r.parquet [ROOT]/policies driftmend [VERSION] at [TIME] took [DURATION] and [DURATION] (pid [PID]) 10s 0.1");
    });
    // With `--now` the clock is fixed: times are the test's own.
    filtered(false).bind(|| {
        insta::assert_snapshot!(text, @"[TEMP]/a.yaml [FIXTURES]/r.parquet [ROOT]/policies driftmend [VERSION] at 2026-11-22T03:00:00Z took [DURATION] and [DURATION] (pid [PID]) 10s 0.1");
    });
    assert_eq!(shell_word("a b"), "'a b'");
    assert_eq!(shell_word("it's"), r"'it'\''s'");
    assert_eq!(
        shell_word("--now=2026-11-22T03:00:00Z"),
        "--now=2026-11-22T03:00:00Z"
    );
}
