//! Integration tests: drive the real `driftmend` executable on the committed
//! fixtures (see `fixtures/README.md`) and check its output and exit codes.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_driftmend");

#[macro_use]
#[path = "cli/harness.rs"]
mod harness;
#[path = "cli/backtest.rs"]
mod backtest;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/estimated.rs"]
mod estimated;
#[path = "cli/explain.rs"]
mod explain;
#[path = "cli/help.rs"]
mod help;
#[path = "cli/run_output.rs"]
mod run_output;

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
            "--preset",
            "evidently",
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
    assert_eq!(r["options"]["preset"], "evidently");
    assert!(column(&r, "income").get("gates").is_none());
}

#[test]
fn the_default_decision_shows_both_gates_per_column() {
    let r = json_report(&["-r", REF, "-c", DRIFTED, "--exclude", "id"], 0);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["options"]["preset"], "default");
    assert_eq!(r["options"]["correction"]["method"], "bh");
    // A 0.39 KS p-value: not significant, whatever its effect.
    let tenure = column(&r, "tenure_days");
    assert_eq!(tenure["method"], "ks");
    assert_eq!(tenure["gates"]["test"]["passed"], false);
    assert_eq!(tenure["gates"]["effect"]["measure"], "trimmed_wasserstein");
    assert_eq!(tenure["drift_detected"], false);
    // The fraud rate moved 5 pp: significant and material (Evidently's
    // Jensen-Shannon of 0.059 misses it).
    let fraud = column(&r, "is_fraud");
    assert_eq!(fraud["method"], "chi2");
    let gates = &fraud["gates"];
    assert_eq!(gates["test"]["passed"], true);
    assert!(gates["test"]["p_value_adjusted"].as_f64().unwrap() < 0.05);
    assert_eq!(gates["effect"]["measure"], "tvd");
    assert_eq!(gates["effect"]["floor"], 0.015);
    assert!((gates["effect"]["value"].as_f64().unwrap() - 0.0513).abs() < 1e-3);
    assert_eq!(fraud["drift_detected"], true);
    // Explicit flags override what the preset sets.
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--preset",
            "evidently",
            "--correction",
            "bh",
        ],
        0,
    );
    assert_eq!(r["options"]["correction"]["method"], "bh");
    assert_eq!(column(&r, "income")["method"], "wasserstein");
}

#[test]
fn calibration_is_shown_in_the_report() {
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            STABLE,
            "--exclude",
            "id",
            "--calibrate",
            "5",
        ],
        0,
    );
    assert_eq!(r["options"]["calibrate"]["chunks"], 5);
    assert_eq!(r["options"]["calibrate"]["quantile"], 0.95);
    for c in r["columns"].as_array().unwrap() {
        if let Some(effect) = c["gates"]["effect"].as_object() {
            let floor = effect["floor"].as_f64().unwrap();
            let calibrated = effect["calibrated"].as_f64().unwrap();
            let threshold = effect["threshold"].as_f64().unwrap();
            assert_eq!(threshold, calibrated.max(floor), "{}", c["name"]);
        }
    }
    let html = Command::new(BIN)
        .args([
            "report",
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--calibrate",
            "5",
            "-f",
            "html",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8(html.stdout).unwrap();
    for shown in [
        "<dt>gate 1: test</dt><dd>ks p-value 1.45e-63, adjusted 2.90e-63 &lt; 0.05: passed</dd>",
        "<dt>gate 1: test</dt><dd>ks p-value 0.3889, adjusted 0.4862 &ge; 0.05: not passed</dd>",
        "<dt>calibration</dt><dd>effect thresholds at the 0.95 quantile of 5 reference chunks, each against the rest</dd>",
        "<dt>preset</dt><dd>default</dd>",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    assert!(html.contains("<dt>gate 2: effect</dt><dd>trimmed_wasserstein 0.7271 &ge; "));
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
            "--preset",
            "evidently",
        ],
        0,
    );
    assert_eq!(column(&r, "income")["method"], "ks");
    assert_eq!(column(&r, "income")["score_kind"], "p_value");
    assert_eq!(column(&r, "country")["method"], "chisquare");
    assert_eq!(column(&r, "is_premium")["method"], "z");
    // The default preset uses two-sample tests at every size.
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
    assert_eq!(column(&r, "country")["method"], "chi2");
    assert_eq!(column(&r, "is_premium")["method"], "chi2");
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

/// `report` output whole, through the harness (fixture paths, times and
/// the version filtered).
#[test]
fn table_markdown_and_json_output_snapshots() {
    let ctx = harness::TestContext::new();
    let (reference, drifted, quality) = (
        harness::fixture("reference.parquet"),
        harness::fixture("current_drifted.parquet"),
        harness::fixture("current_quality.parquet"),
    );
    driftmend_snapshot!(
        "table_drifted",
        ctx.command(&[
            "report",
            "-r",
            &reference,
            "-c",
            &drifted,
            "--exclude",
            "id",
            "--color",
            "never",
        ])
    );
    driftmend_snapshot!(
        "markdown_quality",
        ctx.command(&["report", "-r", &reference, "-c", &quality, "--format", "markdown"])
    );
    driftmend_snapshot!(
        "json_small",
        ctx.command(&[
            "report",
            "-r",
            &harness::fixture("small_reference.csv"),
            "-c",
            &harness::fixture("small_current.csv"),
            "--format",
            "json",
            "--exclude",
            "id",
        ])
    );
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
    assert_eq!(
        stderr(&o),
        format!("wrote the report to `{}`\n", path.display())
    );
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
fn every_method_runs_from_the_command_line() {
    let numerical = [
        "ks",
        "wasserstein",
        "jensenshannon",
        "psi",
        "kl_div",
        "hellinger",
        "anderson",
        "cramer_von_mises",
        "mannw",
        "t_test",
        "welch",
        "es",
        "ed",
        "ed_norm",
        "empirical_mmd",
    ];
    for m in numerical {
        let r = json_report(
            &[
                "-r",
                REF,
                "-c",
                DRIFTED,
                "--columns",
                "income,credit_score",
                "--num-method",
                m,
            ],
            0,
        );
        let income = column(&r, "income");
        assert_eq!(income["method"], m);
        let score = income["score"]
            .as_f64()
            .unwrap_or_else(|| panic!("{m}: {income:#}"));
        assert!(score.is_finite() && score >= 0.0, "{m}: {score}");
        if income["score_kind"] == "p_value" {
            assert!(score <= 1.0, "{m}: {score}");
        }
        assert_eq!(income["drift_detected"], true, "{m} on a 30% income shift");
    }
    for m in [
        "chisquare",
        "jensenshannon",
        "psi",
        "kl_div",
        "hellinger",
        "g_test",
        "tvd",
        "linf",
    ] {
        let r = json_report(
            &[
                "-r",
                REF,
                "-c",
                DRIFTED,
                "--columns",
                "country,is_premium",
                "--cat-method",
                m,
            ],
            0,
        );
        let country = column(&r, "country");
        assert_eq!(country["method"], m);
        assert!(country["score"].is_number(), "{m}: {country:#}");
        assert_eq!(country["drift_detected"], true, "{m}");
    }
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--columns",
            "is_premium,device",
            "--cat-method",
            "fisher_exact",
        ],
        0,
    );
    assert!(column(&r, "is_premium")["score"].is_number());
    // Three categories: Fisher's test is undefined there, a finding says so.
    assert_eq!(column(&r, "device")["score"], Value::Null);
    assert!(finding_codes(&r, "device").contains(&"not_tested".to_string()));
}

#[test]
fn effect_size_is_reported_whatever_the_method() {
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--num-method",
            "ks",
            "--preset",
            "evidently",
        ],
        0,
    );
    for c in r["columns"].as_array().unwrap() {
        if c["score"].is_number() {
            assert!(c["effect_size"].as_f64().is_some(), "{}", c["name"]);
        }
    }
    // Under the default the effect size is the effect gate's value.
    let d = json_report(&["-r", REF, "-c", DRIFTED, "--exclude", "id"], 0);
    for c in d["columns"].as_array().unwrap() {
        if c["score"].is_number() {
            assert_eq!(
                c["effect_size"], c["gates"]["effect"]["value"],
                "{}",
                c["name"]
            );
        }
    }
    let income = column(&r, "income");
    let w = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--columns",
            "income",
            "--preset",
            "evidently",
        ],
        0,
    );
    // For numerical columns the effect size is the normalised Wasserstein
    // distance, which is also Evidently's method's score.
    assert_eq!(income["effect_size"], column(&w, "income")["score"]);
}

#[test]
fn permutation_tests_are_deterministic_under_a_seed() {
    let run = |seed: &str| {
        let r = json_report(
            &[
                "-r",
                REF,
                "-c",
                STABLE,
                "--columns",
                "country,income",
                "--cat-method",
                "tvd",
                "--num-method",
                "empirical_mmd",
                "--seed",
                seed,
                "--permutations",
                "200",
            ],
            0,
        );
        (
            column(&r, "country")["score"].clone(),
            column(&r, "income")["score"].clone(),
        )
    };
    assert_eq!(run("7"), run("7"));
}

#[test]
fn corrections_adjust_p_value_verdicts() {
    let base = &[
        "-r",
        "fixtures/small_reference.csv",
        "-c",
        "fixtures/small_current.csv",
        "--exclude",
        "id",
        "--num-method",
        "ks",
    ];
    let plain = json_report(base, 0);
    let mut args = base.to_vec();
    args.extend(["--correction", "bonferroni"]);
    let bonf = json_report(&args, 0);
    let tests = bonf["options"]["correction"]["tests"].as_u64().unwrap();
    assert!(tests >= 5, "{tests}");
    let income = column(&bonf, "income");
    let p = column(&plain, "income")["score"].as_f64().unwrap();
    let adj = income["p_value_adjusted"].as_f64().unwrap();
    assert!((adj - (p * tests as f64).min(1.0)).abs() < 1e-12);
    assert!((income["adjusted_threshold"].as_f64().unwrap() - 0.05 / tests as f64).abs() < 1e-12);
    let mut args = base.to_vec();
    args.extend(["--correction", "bh"]);
    let bh = json_report(&args, 0);
    assert_eq!(bh["options"]["correction"]["method"], "bh");
    let drifted = |r: &Value| r["dataset_drift"]["drifted_columns"].as_u64().unwrap();
    assert!(drifted(&bonf) <= drifted(&bh) && drifted(&bh) <= drifted(&plain));
}

#[test]
fn min_effect_overrules_tiny_significant_shifts() {
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--num-method",
            "ks",
            "--min-effect",
            "100",
            "--preset",
            "evidently",
        ],
        0,
    );
    for c in r["columns"].as_array().unwrap() {
        if c["score_kind"] == "p_value" {
            assert_ne!(c["drift_detected"], true, "{}", c["name"]);
        }
    }
    assert_eq!(column(&r, "income")["small_effect"], true);
    // Distances are not p-values: `--min-effect` leaves them alone.
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--columns",
            "income",
            "--min-effect",
            "100",
            "--preset",
            "evidently",
        ],
        0,
    );
    assert_eq!(column(&r, "income")["drift_detected"], true);
    // Under the default preset `--min-effect` is the effect gate's floor.
    let r = json_report(
        &[
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--columns",
            "income",
            "--min-effect",
            "100",
        ],
        0,
    );
    let income = column(&r, "income");
    assert_eq!(income["gates"]["effect"]["floor"], 100.0);
    assert_eq!(income["gates"]["test"]["passed"], true);
    assert_eq!(income["drift_detected"], false);
}

#[test]
fn classification_performance_and_role_drift() {
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
    let p = &r["performance"];
    assert_eq!(p["task"], "classification");
    for side in ["reference", "current"] {
        let m = &p[side];
        for k in [
            "accuracy",
            "precision",
            "recall",
            "f1",
            "macro_f1",
            "roc_auc",
            "log_loss",
        ] {
            let v = m[k].as_f64().unwrap_or_else(|| panic!("{side}.{k}: {m:#}"));
            assert!(v.is_finite(), "{side}.{k}");
        }
        assert_eq!(m["positive_label"], "1");
    }
    let delta = p["delta"]["accuracy"].as_f64().unwrap();
    let want =
        p["current"]["accuracy"].as_f64().unwrap() - p["reference"]["accuracy"].as_f64().unwrap();
    assert!((delta - want).abs() < 1e-12);
    assert_eq!(p["prediction_drift"]["column"], "fraud_score");
    assert_eq!(p["target_drift"]["column"], "is_fraud");
    let custom = json_report(
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
            "--prediction-method",
            "psi",
            "--target-method",
            "chisquare",
        ],
        0,
    );
    assert_eq!(custom["performance"]["prediction_drift"]["method"], "psi");
    assert_eq!(custom["performance"]["target_drift"]["method"], "chisquare");
}

/// Writes a CSV into `dir` and returns its path.
fn csv(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn regression_performance_and_missing_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut reference = String::from("x,y,yhat\n");
    let mut current = String::from("x,y,yhat\n");
    let mut unlabelled = String::from("x,y,yhat\n");
    for i in 0..60 {
        let y = (i % 17) as f64 * 1.5;
        reference.push_str(&format!("{i},{y},{}\n", y + 0.5));
        current.push_str(&format!(
            "{i},{y},{}\n",
            y + if i % 2 == 0 { 2.0 } else { -1.0 }
        ));
        unlabelled.push_str(&format!("{i},,{}\n", y + 1.0));
    }
    let (r, c, u) = (
        csv(dir.path(), "r.csv", &reference),
        csv(dir.path(), "c.csv", &current),
        csv(dir.path(), "u.csv", &unlabelled),
    );
    let rep = json_report(
        &["-r", &r, "-c", &c, "--target", "y", "--prediction", "yhat"],
        0,
    );
    let p = &rep["performance"];
    assert_eq!(p["task"], "regression");
    assert!((p["reference"]["mae"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert!((p["current"]["mae"].as_f64().unwrap() - 1.5).abs() < 1e-12);
    assert!((p["delta"]["mae"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    // y = 0 on 4 rows: MAPE skips them and says how many.
    assert_eq!(p["reference"]["mape_skipped_zero_targets"], 4);
    // Labels not arrived yet: prediction drift only.
    let rep = json_report(
        &["-r", &r, "-c", &u, "--target", "y", "--prediction", "yhat"],
        0,
    );
    assert_eq!(rep["performance"]["current"], Value::Null);
    assert!(rep["performance"]["prediction_drift"]["score"].is_number());
}

#[test]
fn bad_labels_are_findings_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let mut one_class = String::from("f,y,p\n");
    let mut text_pred = String::from("f,y,p\n");
    for i in 0..40 {
        one_class.push_str(&format!("{i},1,{}\n", if i % 3 == 0 { 0 } else { 1 }));
        text_pred.push_str(&format!(
            "{i},{}.5,{}\n",
            i * 3,
            if i % 2 == 0 { "high" } else { "low" }
        ));
    }
    let a = csv(dir.path(), "a.csv", &one_class);
    let r = json_report(
        &["-r", &a, "-c", &a, "--target", "y", "--prediction", "p"],
        0,
    );
    let m = &r["performance"]["reference"];
    assert_eq!(m["accuracy"].as_f64(), Some(26.0 / 40.0));
    assert_eq!(
        m["undefined_reason"],
        "the target has one class (`1`); precision, recall and ROC AUC need two",
        "{m:#}"
    );
    let b = csv(dir.path(), "b.csv", &text_pred);
    let r = json_report(
        &["-r", &b, "-c", &b, "--target", "y", "--prediction", "p"],
        0,
    );
    let perf_findings: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "performance")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        perf_findings,
        ["reference", "current"].map(|side| format!(
            "performance on the {side} data not computed: non-numeric predictions for a \
             regression task (e.g. `high`); is the target meant to be categorical?"
        )),
    );
}

#[path = "cli/bad_inputs.rs"]
mod bad_inputs;
#[path = "cli/fuzz_regressions.rs"]
mod fuzz_regressions;
#[path = "cli/policy.rs"]
mod policy;
#[path = "cli/profiles.rs"]
mod profiles;

#[path = "cli/input.rs"]
mod input;
#[path = "cli/projection.rs"]
mod projection;
#[path = "cli/types.rs"]
mod types;

#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/s3.rs"]
mod s3;

#[test]
fn completions_match_the_committed_scripts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = [
        ("bash", "driftmend.bash"),
        ("zsh", "_driftmend"),
        ("fish", "driftmend.fish"),
        ("powershell", "_driftmend.ps1"),
        ("elvish", "driftmend.elv"),
    ];
    for (shell, file) in files {
        let o = driftmend(&["completions", shell]);
        assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
        assert!(!o.stdout.is_empty(), "empty {shell} completions");
        let path = root.join("completions").join(file);
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()));
        assert!(
            o.stdout == committed,
            "`completions/{file}` is out of date with the CLI\n\
             hint: run `scripts/update-completions` (it builds the binary, then \
             `for s in bash zsh fish powershell elvish; do driftmend completions $s > \
             completions/<file>; done`) and commit the result"
        );
    }
    let o = driftmend(&["completions", "tcsh"]);
    assert_eq!(code(&o), 2, "unknown shells are usage errors");
}

#[test]
fn man_page_is_roff_with_commands_and_exit_codes() {
    let o = driftmend(&["man"]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with(".TH DRIFTMEND 1"), "{page}");
    assert!(page.contains(".SS \"driftmend run\""), "{page}");
    assert!(
        page.contains("\\-\\-exit\\-zero\\-when\\-handled"),
        "{page}"
    );
    assert!(page.contains(".SH \"EXIT STATUS\""), "{page}");
    assert!(
        page.contains("4  another run of the same policy holds the lock"),
        "{page}"
    );
}

#[test]
fn one_run_writes_every_output_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let summary = p("step-summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let o = Command::new(BIN)
        .args([
            "report",
            "-r",
            REF,
            "-c",
            DRIFTED,
            "--exclude",
            "id",
            "--color",
            "never",
        ])
        .args(["--output-json", &p("r.json"), "--output-html", &p("r.html")])
        .args([
            "--output-junit",
            &p("r.xml"),
            "--output-markdown",
            &p("r.md"),
        ])
        .args([
            "--prometheus-textfile",
            &p("driftmend.prom"),
            "--model",
            "fraud",
        ])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The table still goes to stdout, with the annotations before it.
    let out = stdout(&o);
    assert!(
        out.contains("::warning title=driftmend%3A drift in income::"),
        "{out}"
    );
    assert!(out.contains("Dataset drift detected"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(p("r.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    let html = std::fs::read_to_string(p("r.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && html.len() < 1_000_000);
    for external in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "src=\"//",
    ] {
        assert!(!html.contains(external), "external resource: `{external}`");
    }
    let xml = std::fs::read_to_string(p("r.xml")).unwrap();
    assert!(
        xml.contains("<testsuites") && xml.contains("<failure"),
        "{xml}"
    );
    assert!(std::fs::read_to_string(p("r.md"))
        .unwrap()
        .starts_with("## "));
    let step = std::fs::read_to_string(&summary).unwrap();
    assert!(
        step.starts_with("# earlier step\n") && step.contains("| Column |"),
        "appended, not replaced"
    );
    let prom = std::fs::read_to_string(p("driftmend.prom")).unwrap();
    assert!(
        prom.contains("driftmend_dataset_drift_share{model=\"fraud\"} 0.7"),
        "{prom}"
    );
    assert!(prom.contains("# TYPE driftmend_column_drift_score gauge"));
    assert!(
        prom.lines()
            .all(|l| l.starts_with('#') || l.split(' ').count() == 2),
        "no timestamps: {prom}"
    );
    // JSON on stdout stays parseable: annotations go to stderr then.
    let o = Command::new(BIN)
        .args([
            "report", "-r", REF, "-c", DRIFTED, "--format", "json", "--github",
        ])
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert!(serde_json::from_slice::<Value>(&o.stdout).is_ok());
    assert!(stderr(&o).contains("::warning"));
}

#[test]
fn run_writes_html_with_history_and_policy_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let policy = dir.path().join("p.yaml");
    std::fs::write(
        &policy,
        format!(
            "version: 1\nname: watch\ndata:\n  reference: {}\n  current: {}\nreport:\n  exclude: [id]\nrules:\n  - name: drift\n    when: \"dataset.drift_detected\"\n    actions: [note]\nactions:\n  note:\n    type: exec\n    command: [\"true\"]\n",
            fixtures.join("reference.parquet").display(),
            fixtures.join("current_drifted.parquet").display()
        ),
    )
    .unwrap();
    let html = dir.path().join("r.html");
    let prom = dir.path().join("m.prom");
    for hour in ["01", "02"] {
        let o = Command::new(BIN)
            .args([
                "run",
                "--policy",
                policy.to_str().unwrap(),
                "--now",
                &format!("2026-11-22T{hour}:00:00Z"),
            ])
            .args([
                "--html",
                html.to_str().unwrap(),
                "--prometheus-textfile",
                prom.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(
            code(&o),
            1,
            "observe mode: fired and handled; {}",
            stderr(&o)
        );
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("aria-label=\"Drift share of the last 2 runs against the threshold 50.0%\""),
        "history chart with both runs: {page}"
    );
    let metrics = std::fs::read_to_string(&prom).unwrap();
    assert!(metrics.contains("policy=\"watch\""));
    assert!(
        metrics.contains("driftmend_last_success_timestamp_seconds{"),
        "nothing failed (observe mode runs nothing)"
    );
}

/// An outside service `scripts/test` started (its address in `var`), or
/// `None`: the test is skipped with a note outside CI; under `CI` a missing
/// service is a failure, so CI can't pass by skipping.
fn service(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false")) => {
            panic!("{var} is not set: run the tests with scripts/test, which starts the service")
        }
        _ => {
            eprintln!("skipped: {var} is not set (scripts/test starts the service)");
            None
        }
    }
}

/// The body of `GET url` (a test server's page).
fn get_text(url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::get(url).await.expect("the server answers");
        resp.text().await.unwrap()
    })
}

#[test]
fn metrics_pushed_to_a_real_pushgateway_can_be_read_back() {
    let Some(gateway) = service("DRIFTMEND_TEST_PUSHGATEWAY") else {
        return;
    };
    let model = format!("fraud-{}", std::process::id());
    let o = driftmend(&[
        "report",
        "-r",
        REF,
        "-c",
        DRIFTED,
        "--exclude",
        "id",
        "--pushgateway",
        &gateway,
        "--model",
        &model,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "pushed the metrics to `{gateway}/metrics/job/driftmend/model/{model}`"
        )),
        "{}",
        stderr(&o)
    );
    let page = get_text(&format!("{gateway}/metrics"));
    let line = |name: &str, rest: &str| {
        page.lines()
            .find(|l| {
                l.starts_with(name) && l.contains(&format!("model=\"{model}\"")) && l.contains(rest)
            })
            .unwrap_or_else(|| panic!("no `{name}` for {model} in:\n{page}"))
            .to_string()
    };
    let share = line("driftmend_dataset_drift_share{", "");
    assert!(share.contains("job=\"driftmend\""), "{share}");
    // 7 of 10 columns: the default two gates also flag `is_fraud`.
    assert!(share.ends_with(" 0.7"), "{share}");
    let income = line("driftmend_column_drift_detected{", "column=\"income\"");
    assert!(income.ends_with(" 1"), "{income}");
    // The Pushgateway's own bookkeeping: a successful push, no failure.
    let pushed = line("push_time_seconds{", "");
    assert!(!pushed.ends_with(" 0"), "{pushed}");
    let failed = line("push_failure_time_seconds{", "");
    assert!(failed.ends_with(" 0"), "{failed}");
}

#[test]
fn html_report_renders_in_a_real_browser_without_script_errors() {
    let Some(chromium) = service("DRIFTMEND_TEST_CHROMIUM") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let o = driftmend(&[
        "report",
        "-r",
        REF,
        "-c",
        DRIFTED,
        "--exclude",
        "id",
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let profile = dir.path().join("chromium-profile");
    let mut child = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Chromium can hang on a broken machine: give it 120 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let dom = stdout(&out);
    let log = stderr(&out);
    assert!(out.status.success(), "chromium failed: {log}");
    // The script ran to its end (it marks the root last)...
    assert!(
        dom.contains("data-js=\"ready\""),
        "script did not finish:\n{log}"
    );
    // ... with no error and nothing refused by the page's CSP.
    for bad in ["Uncaught", "Refused to", "SyntaxError", "TypeError"] {
        assert!(!log.contains(bad), "`{bad}` in the browser log:\n{log}");
    }
    // The column table, made sortable and filtered by the script.
    assert!(dom.contains("<table id=\"cols\""), "{dom}");
    assert!(dom.contains("class=\"sort\""), "sort buttons were added");
    assert!(
        dom.contains(">12 of 12 columns<"),
        "the filter counted the rows"
    );
    // Plots: overlaid histograms and category bars as inline SVG.
    assert!(
        dom.matches("<svg").count() >= 10,
        "a plot per tested column"
    );
    assert!(dom.contains("income"));
}

/// Runs headless Chromium on `page` with `extra` flags; returns the DOM it
/// dumps (after scripts ran) and its log.
fn chromium_dom(chromium: &str, page: &Path, extra: &[&str]) -> (String, String) {
    let profile = page.with_file_name("chromium-profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .args(extra)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chromium");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "chromium failed: {}", stderr(&out));
    (stdout(&out), stderr(&out))
}

/// The report in a 390 px wide frame (a phone): the page does not scroll
/// sideways, and each row's verdict stands next to the column's name.
/// Measured by a test page framing the report (the report's own CSP
/// allows no script but its own).
#[test]
fn html_report_on_a_phone_shows_the_verdict_next_to_the_name() {
    let Some(chromium) = service("DRIFTMEND_TEST_CHROMIUM") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let o = driftmend(&[
        "report",
        "-r",
        REF,
        "-c",
        DRIFTED,
        "--exclude",
        "id",
        "--output-html",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let frame = dir.path().join("phone.html");
    std::fs::write(
        &frame,
        r##"<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="report.html" style="width:390px;height:844px;border:0"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {
  var w = this.contentWindow, d = this.contentDocument, out = [];
  try {
    out.push("ready=" + d.documentElement.getAttribute("data-js"));
    out.push("overflow=" + (d.documentElement.scrollWidth > w.innerWidth ? "yes" : "no"));
    var rows = d.querySelectorAll("#cols tbody tr"), beside = 0, hidden = 0;
    for (var i = 0; i < rows.length; i++) {
      var name = rows[i].cells[0].querySelector("a"), badge = rows[i].cells[0].querySelector(".pv");
      var n = name.getBoundingClientRect(), b = badge.getBoundingClientRect();
      if (w.getComputedStyle(badge).display !== "none" && b.right <= w.innerWidth && b.top < n.bottom + 24) beside++;
      if (w.getComputedStyle(rows[i].querySelector(".vc")).display === "none") hidden++;
    }
    out.push("rows=" + rows.length + " beside=" + beside + " verdict_column_hidden=" + hidden);
  } catch (e) { out.push("error=" + e); }
  var p = document.createElement("pre"); p.id = "result"; p.textContent = out.join(" ");
  document.body.appendChild(p);
});
</script></body></html>"##,
    )
    .unwrap();
    let (dom, log) = chromium_dom(
        &chromium,
        &frame,
        &[
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
        ],
    );
    let result = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("no result in the test page:\n{dom}\n{log}"));
    assert_eq!(
        result, "ready=ready overflow=no rows=12 beside=12 verdict_column_hidden=12",
        "{log}"
    );

    // On a desktop-wide frame the verdict keeps its own column instead.
    let wide = std::fs::read_to_string(&frame)
        .unwrap()
        .replace("width:390px", "width:1280px");
    std::fs::write(&frame, wide).unwrap();
    let (dom, _) = chromium_dom(
        &chromium,
        &frame,
        &[
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
        ],
    );
    assert!(
        dom.contains("ready=ready overflow=no rows=12 beside=0 verdict_column_hidden=0"),
        "{dom}"
    );
}

#[path = "cli/first_contact.rs"]
mod first_contact;
