//! Hostile user text through every output format: column names and a
//! category value holding a line break (or a carriage return) and then a
//! GitHub Actions workflow command. The human formats show it escaped
//! (`\n`), so no line a runner reads from stdout or the step summary starts
//! with `::`; JSON keeps it exact.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use super::{code, stderr, stdout, BIN};

const NAME: &str = "x\n::error::pwned";
const CR_NAME: &str = "y\r::warning::cr";
const CATEGORY: &str = "evil\n::notice::cat";

/// `r.csv` and `c.csv` in `dir`: the hostile columns drift (the numbers
/// shift, the current data has a new category).
fn write_data(dir: &Path) {
    let header = format!("\"{NAME}\",\"{CR_NAME}\",city\n");
    let (mut reference, mut current) = (header.clone(), header);
    for i in 0..60 {
        let city = ["a", "b", "c"][i % 3];
        reference.push_str(&format!("{i},{},{city}\n", i % 7));
        let city = if i % 4 == 0 {
            format!("\"{CATEGORY}\"")
        } else {
            city.to_string()
        };
        current.push_str(&format!("{},{},{city}\n", i + 40, i % 7));
    }
    std::fs::write(dir.join("r.csv"), reference).unwrap();
    std::fs::write(dir.join("c.csv"), current).unwrap();
}

/// `driftmend report -r r.csv -c c.csv <args>` in `dir`, outside GitHub
/// Actions unless `env` says otherwise.
fn report(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .args(["report", "-r", "r.csv", "-c", "c.csv", "--color", "never"])
        .args(args)
        .env("COLUMNS", "200")
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("run driftmend");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    o
}

/// Lines as a runner splits them (LF and CR), trimmed as it trims them.
fn runner_lines(text: &str) -> Vec<&str> {
    text.split(['\n', '\r']).map(str::trim).collect()
}

fn assert_no_command_line(what: &str, text: &str) {
    for line in runner_lines(text) {
        assert!(!line.starts_with("::"), "{what}: {line:?} in:\n{text}");
    }
    assert!(!text.contains(['\r', '\u{1b}']), "{what}:\n{text}");
}

#[test]
fn human_formats_show_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());

    let table = stdout(&report(dir.path(), &[], &[]));
    assert_no_command_line("table", &table);
    insta::assert_snapshot!("hostile_table", table);

    let markdown = stdout(&report(dir.path(), &["--format", "markdown"], &[]));
    assert_no_command_line("markdown", &markdown);
    insta::assert_snapshot!("hostile_markdown", markdown);

    for format in ["html", "junit"] {
        let out = stdout(&report(dir.path(), &["--format", format], &[]));
        assert_no_command_line(format, &out);
        assert!(out.contains("x\\n::error::pwned"), "{format}:\n{out}");
        assert!(out.contains("evil\\n::notice::cat"), "{format}:\n{out}");
    }
}

#[test]
fn json_keeps_the_exact_names() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let o = report(dir.path(), &["--format", "json"], &[]);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = r["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [NAME, CR_NAME, "city"]);
    let city = &r["columns"][2];
    assert_eq!(city["categories"]["new"]["examples"][0], CATEGORY);
    // Serialized, the line breaks are escapes: one JSON document, no `::`
    // line.
    assert_no_command_line("json", &stdout(&o));
}

#[test]
fn under_github_actions_only_the_annotations_are_commands() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let summary = dir.path().join("summary.md");
    let o = report(
        dir.path(),
        &[],
        &[
            ("GITHUB_ACTIONS", Path::new("true")),
            ("GITHUB_STEP_SUMMARY", &summary),
        ],
    );
    let out = stdout(&o);
    let commands: Vec<&str> = runner_lines(&out)
        .into_iter()
        .filter(|l| l.starts_with("::"))
        .collect();
    // The dataset and column drift warnings, then the others, one line
    // each, the names escaped twice: visibly, then as GitHub's toolkit
    // escapes a property.
    assert_eq!(
        commands,
        [
            "::warning title=driftmend%3A dataset drift::Dataset drift detected: 2 of 3 columns drifted (66.7%25 >= 50.0%25)",
            "::warning title=driftmend%3A drift in x\\n%3A%3Aerror%3A%3Apwned::ks 6.1e-13 (adjusted 1.83e-12) <= 0.05, and effect trimmed_wasserstein 1.8291 >= 0.05",
            "::warning title=driftmend%3A drift in city::chi2 6.61e-4 (adjusted 9.91e-4) < 0.05, and effect tvd 0.25 >= 0.015",
            "::warning title=driftmend%3A out of range::column `x\\n::error::pwned`: 66.7%25 of current values lie outside the reference range 0..59",
            "::warning title=driftmend%3A new categories::column `city`: 1 new category in 25.0%25 of current rows (\"evil\\n::notice::cat\")",
        ],
        "{out}"
    );
    let step = std::fs::read_to_string(&summary).unwrap();
    assert_no_command_line("step summary", &step);
    assert!(step.contains("| `x\\n::error::pwned` |"), "{step}");
}

/// Errors and warnings on stderr name the hostile text too (an unknown
/// column, a target that is not there); the runner reads stderr as well,
/// so no line of it may start with `::` either.
#[test]
fn stderr_messages_naming_hostile_text_are_inert() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    for args in [
        &["--exclude", "evil\n::error::from-flag"][..],
        &["--target", "t\r::error::cr-flag"][..],
        &["--columns", "nope\n::error::x"][..],
    ] {
        let o = Command::new(BIN)
            .current_dir(dir.path())
            .args(["report", "-r", "r.csv", "-c", "c.csv"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert_no_command_line(&format!("stderr of {args:?}"), &stderr(&o));
    }
}
