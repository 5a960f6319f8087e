//! Integration tests: drive the real `driftmend` executable on the committed
//! fixtures (see `fixtures/README.md`) and check its output and exit codes.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_driftmend");

fn driftmend(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "200")
        .output()
        .expect("run driftmend")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

/// Runs `report` with JSON output and parses it; asserts exit code `want`.
fn json_report(args: &[&str], want: i32) -> Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let o = driftmend(&all);
    assert_eq!(code(&o), want, "stderr: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(&o)))
}

fn column<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn finding_codes(report: &Value, column: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["column"] == column)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// Replaces what changes between runs (time stamp, version) for snapshots.
fn stable(text: &str) -> String {
    let re_time = regex_lite_time(text);
    re_time.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

fn regex_lite_time(text: &str) -> String {
    // `"generated_at": "2026-11-22T02:13:00Z"` -> `"generated_at": "[time]"`
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if let Some(i) = line.find("\"generated_at\": \"") {
            out.push_str(&line[..i]);
            out.push_str("\"generated_at\": \"[time]\"");
            out.push_str(if line.trim_end().ends_with(',') {
                ",\n"
            } else {
                "\n"
            });
        } else {
            out.push_str(line);
        }
    }
    out
}

const REF: &str = "fixtures/reference.parquet";
const DRIFTED: &str = "fixtures/current_drifted.parquet";
const STABLE: &str = "fixtures/current_stable.parquet";
const QUALITY: &str = "fixtures/current_quality.parquet";

#[test]
fn drifted_data_is_detected_with_evidently_defaults() {
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--target",
            "is_fraud",
            "--prediction",
            "fraud_score",
        ],
        0,
    );
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["dataset_drift"]["detected"], true);
    // > 1000 reference rows: Evidently picks Wasserstein for numerical
    // columns and Jensen-Shannon for categorical ones.
    assert_eq!(column(&r, "income")["method"], "wasserstein");
    assert_eq!(column(&r, "income")["drift_detected"], true);
    assert_eq!(column(&r, "country")["method"], "jensenshannon");
    assert_eq!(column(&r, "credit_score")["drift_detected"], false);
    // Integers with <= 10 distinct values are categorical.
    assert_eq!(column(&r, "num_transactions")["kind"], "categorical");
    // Identifiers are reported but not tested.
    assert_eq!(column(&r, "email")["kind"], "text");
    assert_eq!(column(&r, "email")["score"], Value::Null);
    assert!(finding_codes(&r, "email").contains(&"text_column".to_string()));
    assert_eq!(column(&r, "signup_date")["kind"], "datetime");
    // Roles are recorded and kept out of the dataset share.
    assert_eq!(column(&r, "is_fraud")["role"], "target");
    assert_eq!(column(&r, "fraud_score")["role"], "prediction");
    let features = r["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["role"] == "feature" && !c["drift_detected"].is_null())
        .count();
    assert_eq!(r["dataset_drift"]["total_columns"], features);
}

#[test]
fn stable_data_shows_no_dataset_drift_and_exits_zero_with_fail_on() {
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            STABLE,
            "--exclude",
            "id",
            "--fail-on",
            "any",
        ],
        0,
    );
    assert_eq!(r["dataset_drift"]["detected"], false);
    assert_eq!(r["quality"]["errors"], 0);
}

#[test]
fn fail_on_maps_to_exit_code_one() {
    json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--fail-on",
            "drift",
        ],
        1,
    );
    json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--fail-on",
            "quality",
        ],
        0,
    );
    json_report(&["-r", REF, "-c", QUALITY, "--fail-on", "quality"], 1);
    json_report(&["-r", REF, "-c", QUALITY, "--fail-on", "never"], 0);
}

#[test]
fn quality_breaks_are_findings_not_crashes() {
    let r = json_report(&["-r", REF, "-c", QUALITY], 0);
    assert_eq!(
        r["schema"]["missing_in_current"],
        serde_json::json!(["credit_score"])
    );
    assert_eq!(
        r["schema"]["new_in_current"],
        serde_json::json!(["referral_code"])
    );
    let changed = &r["schema"]["type_changed"][0];
    assert_eq!(changed["column"], "tenure_days");
    assert_eq!(finding_codes(&r, "credit_score"), ["column_missing"]);
    assert!(finding_codes(&r, "income").contains(&"all_missing".to_string()));
    assert_eq!(column(&r, "income")["score"], Value::Null);
    let country = column(&r, "country");
    assert_eq!(country["categories"]["new"]["count"], 2);
    assert!(country["categories"]["vanished_count"].as_u64().unwrap() >= 1);
    assert!(finding_codes(&r, "country").contains(&"new_categories".to_string()));
    assert!(finding_codes(&r, "age").contains(&"out_of_range".to_string()));
    assert!(column(&r, "age")["out_of_range"].as_f64().unwrap() > 0.05);
    assert!(finding_codes(&r, "device").contains(&"missing_increase".to_string()));
    assert!(r["current"]["duplicated_rows"].as_f64().unwrap() > 0.03);
    let errors = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(r["quality"]["errors"], errors);
    assert!(errors >= 3, "missing column, type change, emptied column");
}

#[test]
fn csv_parquet_directory_glob_and_gzip_read_the_same_data() {
    let scores = |r: &Value| -> Vec<(String, Value)> {
        r["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_string(), c["score"].clone()))
            .collect()
    };
    let base = json_report(
        &["-r", REF, "-c", DRIFTED, "--exclude", "id,signup_date"],
        0,
    );
    for current in [
        "fixtures/current_drifted.csv",
        "fixtures/current_drifted.csv.gz",
        "fixtures/current_parts",
        "fixtures/current_parts/*.parquet",
    ] {
        let r = json_report(
            &["-r", REF, "-c", current, "--exclude", "id,signup_date"],
            0,
        );
        let (a, b) = (scores(&base), scores(&r));
        assert_eq!(a.len(), b.len(), "{current}");
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{current} {name}: {x} vs {y}"),
                _ => assert_eq!(x, y, "{current} {name}"),
            }
        }
        assert_eq!(r["current"]["rows"], base["current"]["rows"], "{current}");
    }
    let parts = json_report(&["-r", REF, "-c", "fixtures/current_parts"], 0);
    assert_eq!(parts["current"]["files"].as_array().unwrap().len(), 2);
}

#[test]
fn small_samples_use_statistical_tests() {
    let r = json_report(
        &[
            "-r",
            "fixtures/small_reference.csv",
            "-c",
            "fixtures/small_current.csv",
            "--exclude",
            "id",
        ],
        0,
    );
    assert_eq!(column(&r, "income")["method"], "ks");
    assert_eq!(column(&r, "income")["score_kind"], "p_value");
    assert_eq!(column(&r, "country")["method"], "chisquare");
    assert_eq!(column(&r, "is_premium")["method"], "z");
}

#[test]
fn methods_thresholds_and_kinds_can_be_overridden() {
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--num-method",
            "psi",
            "--cat-method",
            "hellinger",
            "--method",
            "income=kl_div",
            "--threshold",
            "income=5",
            "--numerical",
            "num_transactions",
            "--bins",
            "quantile:10",
        ],
        0,
    );
    let income = column(&r, "income");
    assert_eq!(income["method"], "kl_div");
    assert_eq!(income["threshold"], 5.0);
    assert_eq!(income["drift_detected"], false);
    assert_eq!(column(&r, "age")["method"], "psi");
    assert_eq!(column(&r, "country")["method"], "hellinger");
    assert_eq!(column(&r, "num_transactions")["kind"], "numerical");
    assert_eq!(r["options"]["bins"], "quantile:10");
}

#[test]
fn table_output_snapshot() {
    let o = driftmend(&[
        "report",
        "-r",
        REF,
        "-c",
        DRIFTED,
        "--exclude",
        "id",
        "--color",
        "never",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    insta::assert_snapshot!("table_drifted", stable(&stdout(&o)));
}

#[test]
fn markdown_output_snapshot() {
    let o = driftmend(&["report", "-r", REF, "-c", QUALITY, "--format", "markdown"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    insta::assert_snapshot!("markdown_quality", stable(&stdout(&o)));
}

#[test]
fn json_output_snapshot() {
    let o = driftmend(&[
        "report",
        "-r",
        "fixtures/small_reference.csv",
        "-c",
        "fixtures/small_current.csv",
        "--format",
        "json",
        "--exclude",
        "id",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    insta::assert_snapshot!("json_small", stable(&stdout(&o)));
}

#[test]
fn output_file_is_written_and_format_follows_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let o = driftmend(&[
        "report",
        "-r",
        REF,
        "-c",
        STABLE,
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("wrote the report to"));
    let r: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(r["schema_version"], 1);
    let quiet = driftmend(&[
        "report",
        "-r",
        REF,
        "-c",
        STABLE,
        "-o",
        path.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(quiet.stderr.is_empty(), "{}", stderr(&quiet));
}

fn assert_usage_error(args: &[&str], needles: &[&str]) {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let o = driftmend(&all);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "args {args:?}: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_inputs_exit_2_naming_the_file() {
    assert_usage_error(
        &["-r", "fixtures/nope.parquet", "-c", DRIFTED],
        &[
            "`fixtures/nope.parquet` does not exist",
            "--reference",
            "hint:",
        ],
    );
    assert_usage_error(
        &["-r", REF, "-c", "fixtures/bad/truncated.parquet"],
        &["fixtures/bad/truncated.parquet", "--current"],
    );
    assert_usage_error(
        &["-r", REF, "-c", "fixtures/bad/not_parquet.parquet"],
        &["fixtures/bad/not_parquet.parquet"],
    );
    assert_usage_error(
        &["-r", "fixtures/bad/empty.csv", "-c", DRIFTED],
        &["fixtures/bad/empty.csv", "empty"],
    );
    assert_usage_error(
        &["-r", REF, "-c", "fixtures/bad/header_only.csv"],
        &["fixtures/bad/header_only.csv", "has no rows"],
    );
    assert_usage_error(
        &["-r", REF, "-c", "fixtures/bad/no_rows.parquet"],
        &["fixtures/bad/no_rows.parquet", "has no rows"],
    );
    assert_usage_error(&["-r", REF, "-c", "fixtures/*.nothing"], &["no `.parquet`"]);
}

#[test]
fn bad_options_exit_2_naming_the_column_or_method() {
    assert_usage_error(
        &["-r", REF, "-c", DRIFTED, "--num-method", "kss"],
        &["unknown drift method `kss`"],
    );
    assert_usage_error(
        &["-r", REF, "-c", DRIFTED, "--method", "country=ks"],
        &["method `ks` does not apply to column `country`, which is categorical"],
    );
    assert_usage_error(
        &["-r", REF, "-c", DRIFTED, "--columns", "income,nope"],
        &["unknown column `nope` in `--columns`"],
    );
    assert_usage_error(
        &["-r", REF, "-c", DRIFTED, "--numerical", "signup_date"],
        &["column `signup_date`", "cannot be compared as numerical"],
    );
    assert_usage_error(
        &["-r", REF, "-c", DRIFTED, "--drift-share", "2"],
        &["--drift-share"],
    );
    let o = driftmend(&["report", "-r", REF]);
    assert_eq!(code(&o), 2, "missing --current is a usage error");
}

#[test]
fn all_null_and_mixed_type_columns_are_findings() {
    let r = json_report(
        &[
            "-r",
            "fixtures/bad/all_null.csv",
            "-c",
            "fixtures/bad/all_null.csv",
        ],
        0,
    );
    let empty: Vec<&Value> = r["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["missing"]["current"] == 1.0)
        .collect();
    assert!(!empty.is_empty(), "fixture has an all-null column");
    for c in empty {
        assert_eq!(c["score"], Value::Null);
        assert!(c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "all_missing"));
    }
    let r = json_report(
        &[
            "-r",
            "fixtures/bad/mixed_types.csv",
            "-c",
            "fixtures/bad/mixed_types.csv",
        ],
        0,
    );
    assert!(
        finding_codes(&r, "amount").contains(&"mixed_types".to_string()),
        "{r:#}"
    );
    let r = json_report(
        &[
            "-r",
            "fixtures/bad/mixed_types.csv",
            "-c",
            "fixtures/bad/mixed_types.csv",
            "--numerical",
            "amount",
        ],
        0,
    );
    assert_eq!(column(&r, "amount")["kind"], "numerical");
    assert!(column(&r, "amount")["score"].is_number());
}

#[test]
fn help_documents_exit_codes() {
    let o = driftmend(&["report", "--help"]);
    assert_eq!(code(&o), 0);
    let help = stdout(&o);
    assert!(
        help.contains("Exit codes:") && help.contains("2  usage"),
        "{help}"
    );
    assert!(Path::new(BIN).exists());
}
