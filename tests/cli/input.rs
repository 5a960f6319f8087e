//! The input side, end to end: directory walks and globs over symlink
//! loops. Each test writes its data into a temp dir and runs there, so paths
//! in the snapshots are relative.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{code, stderr, BIN};

/// Runs driftmend in `dir`; a run that takes over a minute has hung (a
/// symlink loop walked forever) and fails the test instead of blocking it.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run driftmend");
    let started = Instant::now();
    while child.try_wait().expect("wait for driftmend").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("driftmend {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
        .wait_with_output()
        .expect("collect driftmend's output")
}

/// `report --format json -r <reference> -c <current>` in `dir`.
fn report(dir: &Path, reference: &str, current: &str, extra: &[&str]) -> Output {
    let mut args = vec!["report", "--format", "json", "-r", reference, "-c", current];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// A small table as CSV: `id,x,group`, `rows` rows, deterministic.
fn table(rows: usize) -> String {
    let mut text = String::from("id,x,group\n");
    for i in 0..rows {
        let x = (i as f64 * 0.37).sin() * 10.0;
        text.push_str(&format!("{i},{x:.2},{}\n", ["a", "b", "c"][i % 3]));
    }
    text
}

/// What a run read and said: the exit code, each side's rows and files,
/// each column's type and missing share, then stderr whole.
fn digest(o: &Output) -> String {
    let mut out = format!("exit {}\n", code(o));
    if let Ok(r) = serde_json::from_slice::<Value>(&o.stdout) {
        for side in ["reference", "current"] {
            let files: Vec<&str> = r[side]["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            out.push_str(&format!(
                "{side}: {} rows from {}\n",
                r[side]["rows"],
                files.join(", ")
            ));
        }
        for c in r["columns"].as_array().unwrap() {
            out.push_str(&format!(
                "column {} ({} / {}): missing {} / {}\n",
                c["name"],
                c["dtype"]["reference"].as_str().unwrap_or("-"),
                c["dtype"]["current"].as_str().unwrap_or("-"),
                c["missing"]["reference"],
                c["missing"]["current"],
            ));
        }
    }
    out.push_str("--- stderr\n");
    out.push_str(&stderr(o));
    out
}

/// `dir/d/part-0.csv` (60 rows) and the symlink loop `dir/d/again -> .`;
/// with `two`, also `dir/d/sub/part-1.csv` (30 rows) and `d/sub/up -> ..`.
fn looping_dir(dir: &Path, two: bool) {
    fs::create_dir_all(dir.join("d")).unwrap();
    fs::write(dir.join("ref.csv"), table(60)).unwrap();
    fs::write(dir.join("d/part-0.csv"), table(60)).unwrap();
    symlink(".", dir.join("d/again")).unwrap();
    if two {
        fs::create_dir(dir.join("d/sub")).unwrap();
        fs::write(dir.join("d/sub/part-1.csv"), table(30)).unwrap();
        symlink("..", dir.join("d/sub/up")).unwrap();
    }
}

#[test]
fn a_symlink_loop_in_a_data_directory_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    looping_dir(dir.path(), false);
    let o = report(dir.path(), "ref.csv", "d", &[]);
    insta::assert_snapshot!(digest(&o), @r#"
    exit 0
    reference: 60 rows from ref.csv
    current: 60 rows from d/part-0.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    warning: `d/again` is a symlink loop back to `d`; not followed
    "#);
}

#[test]
fn two_symlink_loops_neither_hang_nor_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    looping_dir(dir.path(), true);
    let o = report(dir.path(), "ref.csv", "d", &[]);
    insta::assert_snapshot!(digest(&o), @r#"
    exit 0
    reference: 60 rows from ref.csv
    current: 90 rows from d/part-0.csv, d/sub/part-1.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    warning: `d/again` is a symlink loop back to `d`; not followed
    warning: `d/sub/up` is a symlink loop back to `d`; not followed
    "#);
}

#[test]
fn globs_over_symlink_loops_match_each_file_once() {
    let dir = tempfile::tempdir().unwrap();
    looping_dir(dir.path(), true);
    let mut all = String::new();
    for glob in ["d/**/*.csv", "**/part-*.csv", "d/*/*/*.csv"] {
        let o = report(dir.path(), "ref.csv", glob, &[]);
        all.push_str(&format!("== {glob}\n{}", digest(&o)));
    }
    insta::assert_snapshot!(all, @r#"
    == d/**/*.csv
    exit 0
    reference: 60 rows from ref.csv
    current: 90 rows from d/part-0.csv, d/sub/part-1.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    warning: `d/again` is a symlink loop back to `d/`; not followed
    warning: `d/sub/up` is a symlink loop back to `d/`; not followed
    == **/part-*.csv
    exit 0
    reference: 60 rows from ref.csv
    current: 90 rows from d/part-0.csv, d/sub/part-1.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    warning: `d/again` is a symlink loop back to `d`; not followed
    warning: `d/sub/up` is a symlink loop back to `d`; not followed
    == d/*/*/*.csv
    exit 0
    reference: 60 rows from ref.csv
    current: 90 rows from d/again/again/part-0.csv, d/again/sub/part-1.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    warning: `d/sub/up/part-0.csv` is the same file as `d/again/again/part-0.csv`; read once
    "#);
}
