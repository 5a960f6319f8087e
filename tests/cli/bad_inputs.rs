//! The bad-input corpus: every broken or hostile file under
//! `tests/bad_inputs/` (made by `generate.py` there) goes through the real
//! binary with the subcommand that reads it. For each, driftmend must not
//! panic, must exit with the documented code (2 for an input or
//! configuration error; `audit verify` on a tampered log, 1), must name the
//! file on stderr, and must leave no partial output behind.
//!
//! An input that fails a check because of a known bug is listed in
//! [`KNOWN_BUGS`] with the reason: it must still fail (so the entry goes
//! once the bug is fixed), and every other input is held to every check.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::BIN;

/// Inputs that currently fail a check, and why. The test fails if one of
/// them starts passing: then remove its entry.
struct KnownBug {
    input: &'static str,
    known_bug: &'static str,
}

const KNOWN_BUGS: &[KnownBug] = &[
    KnownBug {
        input: "data/duplicate_header.csv",
        known_bug: "a CSV header naming `age` twice is read with the second column renamed \
                    `age_duplicated_0` by polars; the report runs (exit 0) on a column the \
                    file does not have",
    },
    KnownBug {
        input: "data/invalid_utf8_header.csv",
        known_bug:
            "invalid UTF-8 in a CSV header is decoded lossily (column `\u{fffd}\u{fffd}age`) \
                    and the report runs (exit 0), while invalid UTF-8 in a value is refused",
    },
    KnownBug {
        input: "data/utf16_with_bom.csv",
        known_bug: "a UTF-16 CSV is read as bytes: column names full of NULs, every column \
                    text, and the report runs (exit 0)",
    },
    KnownBug {
        input: "data/nul_bytes.csv",
        known_bug: "NUL bytes inside CSV fields are accepted: the numeric columns they touch \
                    silently become text (exit 0)",
    },
    KnownBug {
        input: "policy/template_metric_in_data_path.yaml",
        known_bug:
            "a metric in a data path template (`current: data/{{ dataset.drift_share }}.csv`) \
                    passes `policy validate`, though it can never have a value when the data is \
                    read; `run` then fails (exit 2) without naming the policy file",
    },
];

/// The whole corpus must stay at least this large.
const MIN_INPUTS: usize = 150;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

/// The entries of `tests/bad_inputs/<kind>`, sorted: files and
/// directories (a directory is one input).
fn inputs(kind: &str) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(corpus().join(kind))
        .unwrap_or_else(|e| panic!("read tests/bad_inputs/{kind}: {e}"))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    entries
}

fn driftmend(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("COLUMNS", "200")
        .env("NO_COLOR", "1")
        .env_remove("DRIFTMEND_POLICY")
        .output()
        .expect("run driftmend")
}

/// What one input did wrong, across all the commands it went through.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    /// The checks every command must pass on a bad input.
    fn check(&mut self, what: &str, o: &Output, want: i32, names: &str, absent: &[&Path]) {
        let stderr = String::from_utf8_lossy(&o.stderr);
        let code = o.status.code();
        if code == Some(101) || stderr.contains("panicked") {
            self.0.push(format!("{what}: panicked: {stderr}"));
            return;
        }
        if code != Some(want) {
            self.0.push(format!(
                "{what}: exit {code:?}, want {want}; stderr: {stderr}"
            ));
        }
        if !stderr.contains(names) {
            self.0
                .push(format!("{what}: stderr does not name `{names}`: {stderr}"));
        }
        for path in absent {
            if path.exists() {
                self.0
                    .push(format!("{what}: left `{}` behind", path.display()));
            }
        }
    }
}

/// Runs `check` on every input of `kind` and applies [`KNOWN_BUGS`].
/// Returns how many inputs were checked.
fn check_all(kind: &str, check: impl Fn(&Path, &mut Failures)) -> usize {
    let mut problems = Vec::new();
    let all = inputs(kind);
    for input in &all {
        let name = format!("{kind}/{}", input.file_name().unwrap().to_string_lossy());
        let mut failures = Failures::default();
        check(input, &mut failures);
        match KNOWN_BUGS.iter().find(|b| b.input == name) {
            Some(bug) if failures.0.is_empty() => problems.push(format!(
                "{name}: passes every check now; remove it from KNOWN_BUGS ({})",
                bug.known_bug
            )),
            Some(_) => {}
            None => problems.extend(failures.0.into_iter().map(|f| format!("{name}: {f}"))),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    all.len()
}

/// A data file (or directory) as the reference and as the current dataset
/// of `report`, the other side being a good fixture: exit 2, the file
/// named, no report written.
#[test]
fn bad_data_files_are_refused_with_exit_2_and_no_report() {
    let good = fixture("small_current.csv");
    let n = check_all("data", |input, failures| {
        let path = input.display().to_string();
        for (role, reference, current) in [
            ("--reference", path.as_str(), good.as_str()),
            ("--current", good.as_str(), path.as_str()),
        ] {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out.json");
            let o = driftmend(&[
                "report",
                "--reference",
                reference,
                "--current",
                current,
                "--output",
                out.to_str().unwrap(),
            ]);
            failures.check(&format!("report {role}"), &o, 2, &path, &[&out]);
        }
    });
    assert!(n >= 60, "only {n} data inputs");
}

/// A policy through `policy validate --no-data` (so that only the policy's
/// own problem can make it fail) and through `run --dry-run` with the data
/// paths pointed at good fixtures: exit 2, the file named, and the run
/// leaves nothing (no report, no state dir).
#[test]
fn bad_policies_are_refused_with_exit_2_and_no_output() {
    let n = check_all("policy", |input, failures| {
        let path = input.display().to_string();
        let o = driftmend(&["policy", "validate", "--no-data", &path]);
        failures.check("policy validate", &o, 2, &path, &[]);

        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join(input.file_name().unwrap());
        if input.is_dir() {
            fs::create_dir(&copy).unwrap();
        } else {
            fs::write(&copy, with_fixture_data(&fs::read(input).unwrap())).unwrap();
        }
        let out = tmp.path().join("out.json");
        let copy_str = copy.display().to_string();
        let o = driftmend(&[
            "run",
            "--policy",
            &copy_str,
            "--dry-run",
            "--report-output",
            out.to_str().unwrap(),
        ]);
        let state_dir = tmp.path().join(".driftmend");
        failures.check("run --dry-run", &o, 2, &copy_str, &[&out, &state_dir]);
    });
    assert!(n >= 80, "only {n} policy inputs");
}

/// The policy's data paths (`reference.csv`, `current.csv` in the corpus)
/// pointed at the fixtures, so that `run` fails on the policy itself and
/// not on missing data.
fn with_fixture_data(policy: &[u8]) -> Vec<u8> {
    let mut out = policy.to_vec();
    for (from, to) in [
        ("reference: reference.csv", fixture("small_reference.csv")),
        ("current: current.csv", fixture("small_current.csv")),
    ] {
        let key = from.split(':').next().unwrap();
        let to = format!("{key}: {to}");
        if let Some(at) = find(&out, from.as_bytes()) {
            out.splice(at..at + from.len(), to.bytes());
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A good observe-mode policy whose state dir is `<dir>/state`.
fn state_sandbox() -> (tempfile::TempDir, String, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("policy.yaml");
    fs::write(
        &policy,
        format!(
            "version: 1
name: bad-inputs
data:
  reference: {}
  current: {}
state_dir: state
guardrails:
  mode: observe
rules:
  - name: drift
    when: \"dataset.drift_detected\"
    actions: [notify]
actions:
  notify:
    type: exec
    command: [\"./notify.sh\", \"{{{{ summary }}}}\"]
",
            fixture("small_reference.csv"),
            fixture("small_current.csv")
        ),
    )
    .unwrap();
    let state_dir = tmp.path().join("state");
    fs::create_dir(&state_dir).unwrap();
    let policy = policy.display().to_string();
    (tmp, policy, state_dir)
}

/// A state file under `run` and `pending`: exit 2, `state.json` named,
/// the file left as it was (never reset), no report and no audit record.
#[test]
fn bad_state_files_are_refused_with_exit_2_and_left_alone() {
    // The control: the sandbox's policy works with no state at all.
    let (_tmp, policy, _) = state_sandbox();
    let o = driftmend(&["pending", "--policy", &policy]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");

    let n = check_all("state", |input, failures| {
        let (tmp, policy, state_dir) = state_sandbox();
        let state = state_dir.join("state.json");
        let bytes = fs::read(input).unwrap();
        fs::write(&state, &bytes).unwrap();
        let shown = state.display().to_string();
        let out = tmp.path().join("out.json");
        let audit = state_dir.join("audit.jsonl");

        let o = driftmend(&[
            "run",
            "--policy",
            &policy,
            "--report-output",
            out.to_str().unwrap(),
        ]);
        failures.check("run", &o, 2, &shown, &[&out, &audit]);
        let o = driftmend(&["pending", "--policy", &policy]);
        failures.check("pending", &o, 2, &shown, &[&audit]);
        if fs::read(&state).ok().as_deref() != Some(&bytes[..]) {
            failures.0.push("`state.json` was changed".to_string());
        }
    });
    assert!(n >= 30, "only {n} state inputs");
}

/// An audit log under `audit verify`: exit 1 (the chain is broken), the log
/// named with the line, and the log left as it was. `<name>.state.json`
/// beside a log is its state file (a log cut at the end shows only there).
#[test]
fn tampered_audit_logs_fail_verify_with_exit_1() {
    // The control: the same chain, untouched, verifies (exit 0), so exit 1
    // below is the tampering found, not a broken set-up.
    let (_tmp, policy, state_dir) = state_sandbox();
    fs::copy(
        corpus().join("audit_ok/sound.jsonl"),
        state_dir.join("audit.jsonl"),
    )
    .unwrap();
    let o = driftmend(&["audit", "verify", "--policy", &policy]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");

    let logs: Vec<PathBuf> = inputs("audit")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    let n = check_all("audit", |input, failures| {
        if input.extension().is_none_or(|e| e != "jsonl") {
            return; // a state file that goes with a log
        }
        let (_tmp, policy, state_dir) = state_sandbox();
        let log = state_dir.join("audit.jsonl");
        let bytes = fs::read(input).unwrap();
        fs::write(&log, &bytes).unwrap();
        let state = input.with_extension("state.json");
        if state.exists() {
            fs::copy(&state, state_dir.join("state.json")).unwrap();
        }
        let shown = log.display().to_string();
        let o = driftmend(&["audit", "verify", "--policy", &policy]);
        failures.check("audit verify", &o, 1, &shown, &[]);
        if fs::read(&log).ok().as_deref() != Some(&bytes[..]) {
            failures.0.push("`audit.jsonl` was changed".to_string());
        }
    });
    assert_eq!(n, inputs("audit").len());
    assert!(logs.len() >= 30, "only {} audit logs", logs.len());
}

/// The four kinds together make the corpus the issue asks for.
#[test]
fn the_bad_input_corpus_is_large_enough() {
    let n: usize = ["data", "policy", "state", "audit"]
        .iter()
        .map(|kind| inputs(kind).len())
        .sum();
    assert!(n >= MIN_INPUTS, "only {n} bad inputs");
    for bug in KNOWN_BUGS {
        assert!(
            corpus().join(bug.input).exists(),
            "KNOWN_BUGS names `{}`, which is not in the corpus",
            bug.input
        );
    }
}
