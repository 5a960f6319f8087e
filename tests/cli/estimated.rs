//! Model health without labels: `performance.estimated` (CBPE) and the
//! `multivariate` block, end to end on `fixtures/cbpe/` against the NannyML
//! values in `fixtures/reference/cbpe.json`; the terminal table pinned.

use serde_json::Value;

use super::harness::{fixture, TestContext};
use super::{code, json_report, stderr};

fn nannyml() -> Value {
    serde_json::from_str(include_str!("../../fixtures/reference/cbpe.json")).unwrap()
}

fn estimated_args<'a>(current: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "-r",
        "fixtures/cbpe/reference.csv",
        "-c",
        current,
        "--target",
        "y",
        "--prediction",
        "score",
        "--multivariate",
    ];
    args.extend_from_slice(extra);
    args
}

fn close(got: &Value, want: &Value, tolerance: f64, what: &str) {
    match (got.as_f64(), want.as_f64()) {
        (Some(g), Some(w)) => assert!((g - w).abs() <= tolerance, "{what}: {g} vs NannyML {w}"),
        _ => assert_eq!(got, want, "{what}"),
    }
}

/// Labels withheld: the estimates are NannyML's (calibration forced on,
/// as the fixture was made), no realized values, and the target's absence
/// is not a schema break.
#[test]
fn estimates_without_labels_match_nannyml() {
    let r = json_report(
        &estimated_args(
            "fixtures/cbpe/current_unlabelled.csv",
            &["--calibration", "always"],
        ),
        0,
    );
    let want = nannyml();
    let e = &r["performance"]["estimated"];
    assert_eq!(e["method"], "cbpe");
    assert_eq!(e["calibration"], "always");
    assert_eq!(e["calibrated"], true);
    assert_eq!(e["positive_label"], "1");
    assert_eq!(e["reference_rows"], 2000);
    assert_eq!(e["current_rows"], 1000);
    assert_eq!(e["reference_chunks"].as_array().unwrap().len(), 10);
    assert_eq!(r["performance"]["current"], Value::Null);
    assert_eq!(r["schema"]["missing_in_current"], serde_json::json!([]));
    assert_eq!(r["quality"]["errors"], 0);
    let metrics = e["metrics"].as_array().unwrap();
    let names: Vec<&str> = metrics
        .iter()
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "roc_auc",
            "accuracy",
            "precision",
            "recall",
            "f1",
            "specificity"
        ]
    );
    for m in metrics {
        let name = m["metric"].as_str().unwrap();
        let w = &want["cbpe"]["current"][name];
        for (ours, theirs) in [
            ("value", "value"),
            ("sampling_error", "sampling_error"),
            ("lower_confidence_bound", "lower_confidence_boundary"),
            ("upper_confidence_bound", "upper_confidence_boundary"),
            ("lower_threshold", "lower_threshold"),
            ("upper_threshold", "upper_threshold"),
        ] {
            close(&m[ours], &w[theirs], 1e-12, &format!("{name} {ours}"));
        }
        assert_eq!(m["alert"], w["alert"], "{name} alert");
        assert_eq!(m["realized"], Value::Null, "{name}");
        assert_eq!(m["reference_chunks"].as_array().unwrap().len(), 10);
    }
    let mv = &r["multivariate"];
    let w = &want["multivariate"];
    assert_eq!(
        mv["features"],
        serde_json::json!(["x1", "x2", "x3", "x4", "c1"])
    );
    assert_eq!(mv["categorical"], serde_json::json!(["c1"]));
    assert_eq!(mv["components"], w["n_components"]);
    close(
        &mv["error"],
        &w["current"]["value"],
        1e-9,
        "reconstruction error",
    );
    close(
        &mv["sampling_error"],
        &w["current"]["sampling_error"],
        1e-9,
        "sampling error",
    );
    close(
        &mv["upper_threshold"],
        &w["upper_threshold"],
        1e-9,
        "upper threshold",
    );
    close(
        &mv["lower_threshold"],
        &w["lower_threshold"],
        1e-9,
        "lower threshold",
    );
    assert_eq!(mv["drift_detected"], w["current"]["alert"]);
    assert_eq!(mv["drift_detected"], true);
}

/// With labels in the current batch, the realized values sit next to the
/// estimates (NannyML's `realized`).
#[test]
fn realized_values_sit_next_to_the_estimates() {
    let r = json_report(
        &estimated_args("fixtures/cbpe/current.csv", &["--calibration", "always"]),
        0,
    );
    let want = nannyml();
    for m in r["performance"]["estimated"]["metrics"].as_array().unwrap() {
        let name = m["metric"].as_str().unwrap();
        close(
            &m["realized"],
            &want["cbpe"]["current"][name]["realized"],
            1e-12,
            &format!("{name} realized"),
        );
    }
    close(
        &r["performance"]["current"]["accuracy"],
        &want["cbpe"]["current"]["accuracy"]["realized"],
        1e-15,
        "measured accuracy",
    );
}

#[test]
fn the_terminal_table_shows_estimates_and_multivariate_drift() {
    let ctx = TestContext::new();
    let reference = fixture("cbpe/reference.csv");
    let current = fixture("cbpe/current_unlabelled.csv");
    let o = driftmend_snapshot!(
        "estimated_table",
        ctx.command(&[
            "report",
            "-r",
            &reference,
            "-c",
            &current,
            "--target",
            "y",
            "--prediction",
            "score",
            "--multivariate",
            "--calibration",
            "always",
        ])
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn markdown_html_and_prometheus_carry_the_new_blocks() {
    let ctx = TestContext::new();
    let reference = fixture("cbpe/reference.csv");
    let current = fixture("cbpe/current_unlabelled.csv");
    let run = |format: &str| {
        let o = ctx
            .command(&[
                "report",
                "-r",
                &reference,
                "-c",
                &current,
                "--target",
                "y",
                "--prediction",
                "score",
                "--multivariate",
                "--format",
                format,
                "--prometheus-textfile",
                "metrics.prom",
            ])
            .run()
            .output;
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let md = run("markdown");
    assert!(md.contains("\n### Estimated performance (CBPE, "), "{md}");
    assert!(md.contains("\n| roc_auc | 0.6995 | "), "{md}");
    assert!(md.contains("\n### Multivariate drift\n\n:red_circle: Multivariate drift detected: reconstruction error 1.6086"), "{md}");
    let html = run("html");
    assert!(html.contains("<a href=\"#multivariate\">Multivariate</a>"));
    assert!(html.contains("<h3 id=\"estimated\">Estimated performance (CBPE, "));
    assert_eq!(
        html.matches("<figure><svg class=\"chart\" viewBox=\"0 0 320 150\"")
            .count(),
        7
    );
    let prom = std::fs::read_to_string(ctx.path().join("metrics.prom")).unwrap();
    for line in [
        "driftmend_performance_estimated{metric=\"roc_auc\"} 0.699",
        "driftmend_performance_estimated_alert{metric=\"roc_auc\"} 1",
        "driftmend_multivariate_drift_detected 1",
        "driftmend_multivariate_error 1.608",
    ] {
        assert!(prom.contains(line), "{line} in:\n{prom}");
    }
}

#[test]
fn pca_variance_must_be_a_share() {
    let mut args = vec!["report"];
    args.extend(estimated_args(
        "fixtures/cbpe/current.csv",
        &["--pca-variance", "1"],
    ));
    let o = super::driftmend(&args);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "error: invalid value for `--pca-variance`: `1` must be between 0 and 1 (exclusive)\n"
    );
}

/// The shipped label-free policy on its own data: the estimated ROC AUC
/// alert fires the rollback rule, the diagnosis is performance degradation
/// marked "estimated", and multivariate drift starts its two-run count.
#[test]
fn the_label_free_policy_rolls_back_on_an_estimated_drop() {
    let ctx = TestContext::new();
    let policy = include_str!("../../policies/rollback-on-estimated-performance.yaml")
        .replace("../fixtures/", &format!("{}/", super::harness::FIXTURES));
    ctx.write("policy.yaml", policy);
    let o = ctx
        .command(&[
            "run",
            "--policy",
            "policy.yaml",
            "--dry-run",
            "--now",
            "2026-12-08T00:00:00Z",
        ])
        .run()
        .output;
    // 1: a rule fired and was handled (queued for approval).
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    for line in [
        "\nperformance_degradation: 2 of 5 columns drifted (40%)",
        "performance: roc_auc -0.095 (estimated), accuracy -0.073 (estimated)",
        "\n  estimated-performance-drop FIRED (1/1 consecutive runs)\n",
        "performance.estimated.roc_auc.alert = true, performance.estimated.accuracy.alert = false\n",
        "\n  multivariate-drift       holds (1/2 consecutive runs; not yet)\n",
        "--estimated-auc 0.6994746337190417\n",
    ] {
        assert!(out.contains(line), "{line:?} in:\n{out}");
    }
}
