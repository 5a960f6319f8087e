//! The input side, end to end: directory walks over symlink loops, blank
//! lines and quoted headers in CSV, pipes and FIFOs as input, and outputs
//! that would overwrite an input. Each test writes its data into a temp dir
//! and runs there, so paths in the snapshots are relative.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{code, stderr, BIN};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

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

#[test]
fn blank_lines_in_csv_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = table(60);
    fs::write(d.join("ref.csv"), &rows).unwrap();
    let crlf = rows.replace('\n', "\r\n");
    let mut inside = String::new();
    for (i, line) in rows.lines().enumerate() {
        inside.push_str(line);
        inside.push_str(["\n", "\n\n", "\n  \t \n", "\n\r\n"][i % 4]);
    }
    let variants = [
        ("trailing.csv", format!("{rows}\n")),
        ("crlf.csv", format!("{crlf}\r\n\r\n")),
        ("inside.csv", format!("\n{inside}   ")),
    ];
    for (name, text) in &variants {
        fs::write(d.join(name), text).unwrap();
    }
    let status = Command::new("gzip")
        .args(["-k", "trailing.csv"])
        .current_dir(d)
        .status()
        .expect("run gzip");
    assert!(status.success());
    let mut all = String::new();
    for name in ["trailing.csv", "crlf.csv", "inside.csv", "trailing.csv.gz"] {
        let o = report(d, "ref.csv", name, &[]);
        all.push_str(&format!("== {name}\n{}", digest(&o)));
    }
    insta::assert_snapshot!(all, @r#"
    == trailing.csv
    exit 0
    reference: 60 rows from ref.csv
    current: 60 rows from trailing.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    == crlf.csv
    exit 0
    reference: 60 rows from ref.csv
    current: 60 rows from crlf.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    == inside.csv
    exit 0
    reference: 60 rows from ref.csv
    current: 60 rows from inside.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    == trailing.csv.gz
    exit 0
    reference: 60 rows from ref.csv
    current: 60 rows from trailing.csv.gz
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    "#);
}

#[test]
fn a_header_followed_by_blank_lines_has_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ref.csv"), table(60)).unwrap();
    fs::write(dir.path().join("cur.csv"), "id,x,group\n\n\r\n  \n").unwrap();
    let o = report(dir.path(), "ref.csv", "cur.csv", &[]);
    insta::assert_snapshot!(digest(&o), @r"
    exit 2
    --- stderr
    error: cannot load the current dataset (`--current`)
      caused by: `cur.csv` has no rows
    hint: an empty extract usually means the upstream job failed; check it before comparing
    ");
}

/// A line of delimiters only is a row whose fields are all empty: data
/// (its values are missing), unlike a blank line.
#[test]
fn a_row_of_empty_fields_is_data_not_a_blank_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ref.csv"), table(60)).unwrap();
    fs::write(dir.path().join("cur.csv"), format!("{},,\n\n", table(60))).unwrap();
    let o = report(dir.path(), "ref.csv", "cur.csv", &[]);
    insta::assert_snapshot!(digest(&o), @r#"
    exit 0
    reference: 60 rows from ref.csv
    current: 61 rows from cur.csv
    column "id" (i64 / i64): missing 0.0 / 0.01639344262295082
    column "x" (f64 / f64): missing 0.0 / 0.01639344262295082
    column "group" (str / str): missing 0.0 / 0.01639344262295082
    --- stderr
    "#);
}

#[test]
fn doubled_quotes_in_a_csv_header_are_unescaped() {
    let dir = tempfile::tempdir().unwrap();
    let text = table(60).replacen("group", "\"say \"\"hi\"\"\"", 1);
    fs::write(dir.path().join("ref.csv"), &text).unwrap();
    fs::write(dir.path().join("cur.csv"), &text).unwrap();
    let o = report(
        dir.path(),
        "ref.csv",
        "cur.csv",
        &["--columns", "say \"hi\""],
    );
    insta::assert_snapshot!(digest(&o), @r#"
    exit 0
    reference: 60 rows from ref.csv
    current: 60 rows from cur.csv
    column "say \"hi\"" (str / str): missing 0.0 / 0.0
    --- stderr
    "#);
}

/// A FIFO at `path` fed `bytes` by a `cat` process, killed when dropped
/// (it blocks until a reader opens the FIFO, which a failed run never
/// does).
struct Fifo {
    writer: std::process::Child,
}

impl Fifo {
    fn new(path: &Path, bytes: &[u8]) -> Fifo {
        let source = path.with_extension("source");
        fs::write(&source, bytes).unwrap();
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: `c` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
        let writer = Command::new("sh")
            .arg("-c")
            .arg("exec cat \"$0\" > \"$1\"")
            .arg(&source)
            .arg(path)
            .spawn()
            .expect("start the FIFO's writer");
        Fifo { writer }
    }
}

impl Drop for Fifo {
    fn drop(&mut self) {
        let _ = self.writer.kill();
        let _ = self.writer.wait();
    }
}

#[test]
fn fifos_are_read_as_streams_whatever_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("ref.csv"), table(60)).unwrap();
    fs::write(d.join("plain.csv"), table(45)).unwrap();
    let status = Command::new("gzip")
        .args(["-k", "plain.csv"])
        .current_dir(d)
        .status()
        .expect("run gzip");
    assert!(status.success());
    let gzip = fs::read(d.join("plain.csv.gz")).unwrap();
    let mut all = String::new();
    // Named without an extension, as `<(...)` is: the bytes tell.
    for (name, bytes) in [("text", table(45).into_bytes()), ("gzip", gzip)] {
        let _fifo = Fifo::new(&d.join(name), &bytes);
        let o = report(d, "ref.csv", name, &[]);
        all.push_str(&format!("== {name}\n{}", digest(&o)));
    }
    // Parquet needs its footer first: the whole stream is read.
    let parquet = fs::read(format!("{FIXTURES}/current_drifted.parquet")).unwrap();
    let _fifo = Fifo::new(&d.join("parquet"), &parquet);
    let reference = format!("{FIXTURES}/reference.parquet");
    let o = report(d, &reference, "parquet", &["--columns", "age,country"]);
    all.push_str(&format!("== parquet\n{}", digest(&o)));
    insta::assert_snapshot!(all.replace(FIXTURES, "[fixtures]"), @r#"
    == text
    exit 0
    reference: 60 rows from ref.csv
    current: 45 rows from text
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    == gzip
    exit 0
    reference: 60 rows from ref.csv
    current: 45 rows from gzip
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    == parquet
    exit 0
    reference: 2000 rows from [fixtures]/reference.parquet
    current: 1500 rows from parquet
    column "age" (i64 / i64): missing 0.0 / 0.0
    column "country" (str / str): missing 0.02 / 0.02
    --- stderr
    "#);
}

#[test]
fn a_fifo_holding_neither_parquet_nor_csv_is_named_with_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ref.csv"), table(60)).unwrap();
    let mut bzip2 = b"BZh91AY&SY".to_vec();
    bzip2.extend_from_slice(&[0, 1, 2, 3]);
    let _fifo = Fifo::new(&dir.path().join("cur"), &bzip2);
    let o = report(dir.path(), "ref.csv", "cur", &[]);
    insta::assert_snapshot!(digest(&o), @r"
    exit 2
    --- stderr
    error: cannot load the current dataset (`--current`)
      caused by: `cur` is a pipe holding bzip2-compressed data (first bytes `42 5a 68 39 31 41 59 26`), not Parquet or CSV
    ");
}

/// bash's process substitution passes `/dev/fd/63`, a pipe.
#[test]
fn process_substitution_is_read_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ref.csv"), table(60)).unwrap();
    fs::write(dir.path().join("cur.csv"), table(45)).unwrap();
    let status = Command::new("gzip")
        .args(["-k", "cur.csv"])
        .current_dir(dir.path())
        .status()
        .expect("run gzip");
    assert!(status.success());
    let o = Command::new("bash")
        .arg("-c")
        .arg("exec \"$0\" report --format json -r ref.csv -c <(zcat cur.csv.gz)")
        .arg(BIN)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run bash");
    let text = digest(&o);
    // bash picks the descriptor: `/dev/fd/63` usually.
    let at = text.find("/dev/fd/").expect("read from /dev/fd") + "/dev/fd/".len();
    let digits = text[at..].chars().take_while(char::is_ascii_digit).count();
    let text = format!("{}N{}", &text[..at], &text[at + digits..]);
    insta::assert_snapshot!(text, @r#"
    exit 0
    reference: 60 rows from ref.csv
    current: 45 rows from /dev/fd/N
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "x" (f64 / f64): missing 0.0 / 0.0
    column "group" (str / str): missing 0.0 / 0.0
    --- stderr
    "#);
}

#[test]
fn an_output_naming_an_input_data_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("parts")).unwrap();
    fs::create_dir_all(d.join("sub")).unwrap();
    fs::write(d.join("ref.csv"), table(60)).unwrap();
    fs::write(d.join("cur.csv"), table(50)).unwrap();
    fs::write(d.join("parts/part-0.csv"), table(40)).unwrap();
    symlink("ref.csv", d.join("link.csv")).unwrap();
    fs::hard_link(d.join("cur.csv"), d.join("hard.csv")).unwrap();
    let cases: [(&str, &str, &[&str]); 7] = [
        ("ref.csv", "cur.csv", &["--output", "cur.csv"]),
        (
            "ref.csv",
            "cur.csv",
            &["--output", "ref.csv", "--format", "json"],
        ),
        ("ref.csv", "parts", &["--output-json", "parts/part-0.csv"]),
        (
            "ref.csv",
            "parts/*.csv",
            &["--output-markdown", "parts/part-0.csv"],
        ),
        ("ref.csv", "cur.csv", &["--output-junit", "link.csv"]),
        ("ref.csv", "cur.csv", &["--output-html", "hard.csv"]),
        (
            "ref.csv",
            "cur.csv",
            &["--prometheus-textfile", "sub/../cur.csv"],
        ),
    ];
    let before: Vec<Vec<u8>> = ["ref.csv", "cur.csv", "parts/part-0.csv"]
        .iter()
        .map(|f| fs::read(d.join(f)).unwrap())
        .collect();
    let mut all = String::new();
    for (reference, current, extra) in cases {
        let mut args = vec!["report", "-r", reference, "-c", current];
        args.extend_from_slice(extra);
        let o = run_in(d, &args);
        all.push_str(&format!(
            "== {}\nexit {}\n{}",
            args.join(" "),
            code(&o),
            stderr(&o)
        ));
    }
    let after: Vec<Vec<u8>> = ["ref.csv", "cur.csv", "parts/part-0.csv"]
        .iter()
        .map(|f| fs::read(d.join(f)).unwrap())
        .collect();
    assert!(before == after, "an input was overwritten");
    insta::assert_snapshot!(all, @r"
    == report -r ref.csv -c cur.csv --output cur.csv
    exit 2
    error: invalid value for `--output`: `cur.csv` is an input data file (`--current`); writing there would destroy it, choose another path
    == report -r ref.csv -c cur.csv --output ref.csv --format json
    exit 2
    error: invalid value for `--output`: `ref.csv` is an input data file (`--reference`); writing there would destroy it, choose another path
    == report -r ref.csv -c parts --output-json parts/part-0.csv
    exit 2
    error: invalid value for `--output-json`: `parts/part-0.csv` is an input data file (`--current`); writing there would destroy it, choose another path
    == report -r ref.csv -c parts/*.csv --output-markdown parts/part-0.csv
    exit 2
    error: invalid value for `--output-markdown`: `parts/part-0.csv` is an input data file (`--current`); writing there would destroy it, choose another path
    == report -r ref.csv -c cur.csv --output-junit link.csv
    exit 2
    error: invalid value for `--output-junit`: `link.csv` is the same file as `ref.csv`, an input data file (`--reference`); writing there would destroy it, choose another path
    == report -r ref.csv -c cur.csv --output-html hard.csv
    exit 2
    error: invalid value for `--output-html`: `hard.csv` is the same file as `cur.csv`, an input data file (`--current`); writing there would destroy it, choose another path
    == report -r ref.csv -c cur.csv --prometheus-textfile sub/../cur.csv
    exit 2
    error: invalid value for `--prometheus-textfile`: `sub/../cur.csv` is the same file as `cur.csv`, an input data file (`--current`); writing there would destroy it, choose another path
    ");
}

#[test]
fn run_refuses_outputs_naming_an_input_data_file_before_taking_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("ref.csv"), table(60)).unwrap();
    fs::write(d.join("cur.csv"), table(50)).unwrap();
    fs::write(d.join("new.csv"), table(40)).unwrap();
    fs::write(
        d.join("policy.yaml"),
        "version: 1
name: t
data:
  reference: ref.csv
  current: cur.csv
guardrails:
  mode: observe
rules:
  - name: drift
    when: \"dataset.drift_detected\"
    actions: [note]
actions:
  note:
    type: exec
    command: [\"true\"]
",
    )
    .unwrap();
    let before = fs::read(d.join("cur.csv")).unwrap();
    let mut all = String::new();
    for extra in [
        ["--report-output", "cur.csv"],
        ["--html", "./ref.csv"],
        ["--prometheus-textfile", "cur.csv"],
    ] {
        let mut args = vec!["run", "--policy", "policy.yaml"];
        args.extend_from_slice(&extra);
        let o = run_in(d, &args);
        all.push_str(&format!(
            "== {}\nexit {}\n{}",
            args.join(" "),
            code(&o),
            stderr(&o)
        ));
    }
    let o = run_in(
        d,
        &[
            "run",
            "--policy",
            "policy.yaml",
            "--current",
            "new.csv",
            "--html",
            "new.csv",
        ],
    );
    all.push_str(&format!(
        "== --current new.csv --html new.csv\nexit {}\n{}",
        code(&o),
        stderr(&o)
    ));
    assert_eq!(fs::read(d.join("cur.csv")).unwrap(), before);
    assert!(!d.join(".driftmend").exists(), "the run took the lock");
    insta::assert_snapshot!(all, @r"
    == run --policy policy.yaml --report-output cur.csv
    exit 2
    error: invalid value for `--output-json`: `cur.csv` is the same file as `./cur.csv`, an input data file (`data.current` in `policy.yaml`); writing there would destroy it, choose another path
    == run --policy policy.yaml --html ./ref.csv
    exit 2
    error: invalid value for `--output-html`: `./ref.csv` is an input data file (`data.reference` in `policy.yaml`); writing there would destroy it, choose another path
    == run --policy policy.yaml --prometheus-textfile cur.csv
    exit 2
    error: invalid value for `--prometheus-textfile`: `cur.csv` is the same file as `./cur.csv`, an input data file (`data.current` in `policy.yaml`); writing there would destroy it, choose another path
    == --current new.csv --html new.csv
    exit 2
    error: invalid value for `--output-html`: `new.csv` is an input data file (`--current`); writing there would destroy it, choose another path
    ");
}

/// polars infers `i64` for a column of integers and used to fail the whole
/// file on one beyond the 64-bit range: such a column is read as floats,
/// and the values a float rounds are a `precision_loss` finding.
#[test]
fn integers_beyond_64_bits_are_read_as_floats_with_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut reference, mut current, mut long) = (
        String::from("id,big,huge\n"),
        String::from("id,big,huge\n"),
        String::from("id,big,score\n"),
    );
    for i in 0..60i128 {
        let huge = -(1i128 << 63) - 1 - i;
        reference.push_str(&format!("{i},{},{huge}\n", i * 3));
        let big = if i == 7 { (1i128 << 64) + 12345 } else { i * 3 };
        current.push_str(&format!("{i},{big},{huge}\n"));
    }
    // Past the 10k rows types are inferred from: a value beyond i64 in
    // `big` and a stray `n/a` in `score`.
    for i in 0..10_050i128 {
        let big = if i == 10_020 { 1i128 << 70 } else { i };
        let score = if i == 10_030 {
            "n/a".to_string()
        } else {
            (i % 7).to_string()
        };
        long.push_str(&format!("{i},{big},{score}\n"));
    }
    fs::write(d.join("ref.csv"), reference).unwrap();
    fs::write(d.join("cur.csv"), current).unwrap();
    fs::write(d.join("long.csv"), long).unwrap();
    let mut all = String::new();
    for (reference, current) in [("ref.csv", "cur.csv"), ("long.csv", "long.csv")] {
        let o = report(d, reference, current, &[]);
        all.push_str(&format!("== {reference} {current}\n{}", digest(&o)));
        let r: Value = serde_json::from_slice(&o.stdout).unwrap();
        for f in r["findings"].as_array().unwrap() {
            if f["code"] == "precision_loss" {
                all.push_str(&format!("finding: {}\n", f["message"].as_str().unwrap()));
            }
        }
    }
    insta::assert_snapshot!(all, @r#"
    == ref.csv cur.csv
    exit 0
    reference: 60 rows from ref.csv
    current: 60 rows from cur.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "big" (i64 / f64): missing 0.0 / 0.0
    column "huge" (f64 / f64): missing 0.0 / 0.0
    --- stderr
    finding: column `big`: 1 current value (e.g. `18446744073709563961`) has more digits than a 64-bit float holds; statistics use the rounded values
    finding: column `huge`: 60 reference values (e.g. `-9223372036854775809`) have more digits than a 64-bit float holds; statistics use the rounded values
    finding: column `huge`: 60 current values (e.g. `-9223372036854775809`) have more digits than a 64-bit float holds; statistics use the rounded values
    == long.csv long.csv
    exit 0
    reference: 10050 rows from long.csv
    current: 10050 rows from long.csv
    column "id" (i64 / i64): missing 0.0 / 0.0
    column "big" (f64 / f64): missing 0.0 / 0.0
    column "score" (str / str): missing 0.0 / 0.0
    --- stderr
    "#);
}
