//! Every error a user can hit in `report` and `run` (and the state commands
//! around `run`), pinned whole: exit code, message, causes and hint.

use std::fs;

use super::harness::{fixture, Cmd, TestContext};

/// `driftmend report -r <reference.parquet> -c <current> <extra>`.
fn report(ctx: &TestContext, current: &str, extra: &[&str]) -> Cmd {
    let reference = fixture("reference.parquet");
    let mut args = vec!["report", "-r", &reference, "-c", current];
    args.extend_from_slice(extra);
    ctx.command(&args)
}

#[test]
fn report_input_errors() {
    let ctx = TestContext::new();
    let drifted = fixture("current_drifted.parquet");
    driftmend_snapshot!(
        "report_reference_missing",
        ctx.command(&["report", "-r", &fixture("nope.parquet"), "-c", &drifted])
    );
    let cases = [
        ("report_current_missing", fixture("nope.parquet")),
        ("report_glob_matches_nothing", fixture("*.nothing")),
        ("report_bad_glob", fixture("[")),
        ("report_unknown_format", fixture("README.md")),
        ("report_truncated_parquet", fixture("bad/truncated.parquet")),
        ("report_not_parquet", fixture("bad/not_parquet.parquet")),
        ("report_empty_csv", fixture("bad/empty.csv")),
        ("report_header_only_csv", fixture("bad/header_only.csv")),
        ("report_no_rows_parquet", fixture("bad/no_rows.parquet")),
    ];
    for (name, current) in &cases {
        driftmend_snapshot!(*name, report(&ctx, current, &[]));
    }

    // Directories read as one dataset: nothing in it, two formats, two
    // schemas. Relative paths: the messages show them as given.
    fs::create_dir(ctx.path().join("empty")).unwrap();
    driftmend_snapshot!("report_empty_directory", report(&ctx, "empty", &[]));
    ctx.write("mixed/a.csv", "a,b\n1,2\n");
    fs::copy(
        fixture("reference.parquet"),
        ctx.path().join("mixed/b.parquet"),
    )
    .unwrap();
    driftmend_snapshot!("report_mixed_formats", report(&ctx, "mixed", &[]));
    ctx.write("parts/p1.csv", "a,b\n1,2\n");
    ctx.write("parts/p2.csv", "a,c\n1,2\n");
    driftmend_snapshot!("report_schema_mismatch", report(&ctx, "parts", &[]));
    ctx.write("ragged.csv", "a,b\n1,2\n3,4,5\n");
    driftmend_snapshot!("report_ragged_csv", report(&ctx, "ragged.csv", &[]));
}

#[test]
fn report_flag_errors() {
    let ctx = TestContext::new();
    let drifted = fixture("current_drifted.parquet");
    let cases: &[(&str, &[&str])] = &[
        // Checked by clap.
        ("report_current_not_given", &[]),
        ("report_unknown_flag", &["--nope"]),
        ("report_unknown_format_value", &["--format", "xml"]),
        ("report_share_not_a_number", &["--drift-share", "abc"]),
        ("report_unknown_fail_on", &["--fail-on", "sometimes"]),
        // Checked by `settings`.
        ("report_delimiter_two_chars", &["--delimiter", ";;"]),
        ("report_unknown_num_method", &["--num-method", "kss"]),
        (
            "report_num_method_for_categories",
            &["--num-method", "chisquare"],
        ),
        ("report_cat_method_for_numbers", &["--cat-method", "ks"]),
        ("report_method_without_column", &["--method", "income"]),
        ("report_method_unknown", &["--method", "income=foo"]),
        ("report_target_method_unknown", &["--target-method", "foo"]),
        (
            "report_prediction_method_unknown",
            &["--prediction-method", "foo"],
        ),
        (
            "report_threshold_not_a_number",
            &["--threshold", "income=abc"],
        ),
        ("report_threshold_negative", &["--threshold=-1"]),
        (
            "report_two_global_thresholds",
            &["--threshold", "0.2", "--threshold", "0.3"],
        ),
        ("report_bins_unknown", &["--bins", "deciles"]),
        ("report_bins_one_quantile", &["--bins", "quantile:1"]),
        ("report_permutations_zero", &["--permutations", "0"]),
        ("report_mmd_sample_one", &["--mmd-sample", "1"]),
        ("report_unknown_preset", &["--preset", "nannyml"]),
        ("report_calibrate_one_chunk", &["--calibrate", "1"]),
        (
            "report_calibrate_with_evidently",
            &["--calibrate", "5", "--preset", "evidently"],
        ),
        ("report_min_effect_negative", &["--min-effect=-1"]),
        ("report_min_effect_nan", &["--min-effect", "NaN"]),
        (
            "report_prediction_threshold_above_one",
            &["--prediction-threshold", "2"],
        ),
        ("report_drift_share_above_one", &["--drift-share", "2"]),
        (
            "report_missing_increase_above_one",
            &["--missing-increase", "1.5"],
        ),
        ("report_out_of_range_negative", &["--out-of-range=-0.1"]),
        (
            "report_categorical_and_numerical",
            &["--categorical", "age", "--numerical", "age"],
        ),
    ];
    for (name, extra) in cases {
        let args: Vec<&str> = if extra.is_empty() {
            // `--current` left out.
            vec!["report", "-r", "x.parquet"]
        } else {
            let mut a = vec!["report", "-r", "x.parquet", "-c", &drifted];
            a.extend_from_slice(extra);
            a
        };
        // Flags are checked before any data is read: `x.parquet` need
        // not exist.
        driftmend_snapshot!(*name, ctx.command(&args));
    }
}

#[test]
fn report_column_and_method_errors() {
    let ctx = TestContext::new();
    let drifted = fixture("current_drifted.parquet");
    let cases: &[(&str, &[&str])] = &[
        (
            "report_unknown_column_in_columns",
            &["--columns", "income,nope"],
        ),
        ("report_unknown_column_in_exclude", &["--exclude", "nope"]),
        (
            "report_unknown_column_in_categorical",
            &["--categorical", "nope"],
        ),
        (
            "report_unknown_column_in_numerical",
            &["--numerical", "nope"],
        ),
        ("report_unknown_column_in_method", &["--method", "nope=ks"]),
        (
            "report_unknown_column_in_threshold",
            &["--threshold", "nope=0.2"],
        ),
        ("report_unknown_column_in_target", &["--target", "nope"]),
        (
            "report_unknown_column_in_prediction",
            &["--prediction", "nope"],
        ),
        (
            "report_numerical_method_on_categories",
            &["--method", "country=ks"],
        ),
        (
            "report_categorical_method_on_numbers",
            &["--method", "income=chisquare"],
        ),
        (
            "report_datetime_as_numerical",
            &["--numerical", "signup_date"],
        ),
        (
            "report_datetime_as_categorical",
            &["--categorical", "signup_date"],
        ),
        (
            "report_no_columns_left",
            &["--columns", "id", "--exclude", "id"],
        ),
    ];
    for (name, extra) in cases {
        driftmend_snapshot!(*name, report(&ctx, &drifted, extra));
    }
}

#[test]
fn report_pushgateway_unreachable() {
    let ctx = TestContext::new();
    // Port 1 on the loopback: refused at once, retried, then given up.
    let o = driftmend_snapshot!(
        "report_pushgateway_unreachable",
        report(
            &ctx,
            &fixture("current_stable.parquet"),
            &["--columns", "age", "--pushgateway", "http://127.0.0.1:1"]
        )
    );
    assert!(!o.stdout.is_empty(), "the report came first");
}

#[test]
fn report_output_errors() {
    let ctx = TestContext::new();
    let stable = fixture("current_stable.parquet");
    // The temporary file's random suffix.
    let random = (r"\.driftmend-[A-Za-z0-9]{6}", ".driftmend-[RANDOM]");
    for (name, flag) in [
        ("report_output_in_missing_dir", "--output"),
        ("report_output_json_in_missing_dir", "--output-json"),
        ("report_prometheus_in_missing_dir", "--prometheus-textfile"),
    ] {
        let cmd = report(
            &ctx,
            &stable,
            &["--columns", "age", "--quiet", flag, "missing/out"],
        )
        .filter(random.0, random.1);
        let o = driftmend_snapshot!(name, cmd);
        assert!(!ctx.path().join("missing").exists());
        if flag != "--output" {
            // The report itself went to stdout before the extra file failed.
            assert!(!o.stdout.is_empty());
        }
    }
}

/// A policy on the fixtures, with an exec action `retrain` running
/// `./retrain.sh`; `body` is what follows `data:` (report, guardrails, ...).
fn policy(ctx: &TestContext, file: &str, body: &str) {
    let text = format!(
        "version: 1
name: t
data:
  reference: {}
  current: {}
{body}",
        fixture("reference.parquet"),
        fixture("current_drifted.parquet")
    );
    ctx.write(file, text);
}

const RULES: &str = "rules:
  - name: drift
    when: dataset.drift_detected
    actions: [retrain]
actions:
  retrain:
    type: exec
    command: [./retrain.sh]
";

const NOW: &str = "2026-11-22T03:00:00Z";

fn run(ctx: &TestContext, file: &str, extra: &[&str]) -> Cmd {
    let mut args = vec!["run", "--policy", file, "--now", NOW];
    args.extend_from_slice(extra);
    ctx.command(&args)
}

#[test]
fn run_flag_and_policy_file_errors() {
    let ctx = TestContext::new();
    policy(
        &ctx,
        "policy.yaml",
        &format!("guardrails: {{mode: auto}}\n{RULES}"),
    );
    driftmend_snapshot!("run_policy_not_given", ctx.command(&["run", "--now", NOW]));
    driftmend_snapshot!("run_policy_missing", run(&ctx, "nope.yaml", &[]));
    driftmend_snapshot!("run_policy_is_a_directory", run(&ctx, ".", &[]));
    ctx.write("big.yaml", format!("# {}\n", "x".repeat(1 << 20)));
    driftmend_snapshot!("run_policy_too_big", run(&ctx, "big.yaml", &[]));
    driftmend_snapshot!(
        "run_now_not_rfc3339",
        ctx.command(&["run", "--policy", "policy.yaml", "--now", "yesterday"])
    );
    driftmend_snapshot!(
        "run_lock_timeout_not_a_duration",
        run(&ctx, "policy.yaml", &["--lock-timeout", "5x"])
    );
    driftmend_snapshot!(
        "run_no_audit_without_dry_run",
        run(&ctx, "policy.yaml", &["--no-audit"])
    );
    driftmend_snapshot!(
        "run_unknown_format",
        run(&ctx, "policy.yaml", &["--format", "yaml"])
    );
    // None of these got as far as the state dir.
    assert!(!ctx.path().join(".driftmend").exists());
}

#[test]
fn run_policy_load_errors_name_file_line_column_and_field() {
    let ctx = TestContext::new();
    ctx.write("syntax.yaml", "version: 1\nname: x: y\n");
    driftmend_snapshot!("run_policy_yaml_syntax", run(&ctx, "syntax.yaml", &[]));

    // Every problem at once.
    policy(
        &ctx,
        "many.yaml",
        "guardrails:
  cooldwn: 6h
  approval_expiry: 6x
rules:
  - name: drift
    when: \"dataset.drift_shar > 0.3\"
    for: three
    actions: [retrian]
  - name: drift
    when: \"quality.errors >\"
    actions: [notify]
actions:
  notify:
    type: exec
    comand: [./notify.sh]
",
    );
    driftmend_snapshot!("run_policy_many_problems", run(&ctx, "many.yaml", &[]));

    ctx.write("version.yaml", "version: 2\nname: t\n");
    driftmend_snapshot!("run_policy_unknown_version", run(&ctx, "version.yaml", &[]));

    // A method that does not fit the kind, in `report:`.
    policy(
        &ctx,
        "method.yaml",
        &format!("report:\n  num_method: chisquare\n{RULES}"),
    );
    driftmend_snapshot!("run_policy_report_method", run(&ctx, "method.yaml", &[]));

    // A data path template: checked at load, rendered at run time.
    let templated = |file: &str, current: &str| {
        ctx.write(
            file,
            format!(
                "version: 1\nname: t\ndata:\n  reference: {}\n  current: \"{current}\"\n{RULES}",
                fixture("reference.parquet")
            ),
        );
    };
    templated("duration.yaml", "data/{{ date(-1x) }}/*.parquet");
    driftmend_snapshot!(
        "run_policy_template_bad_duration",
        run(&ctx, "duration.yaml", &[])
    );
    templated("unknown.yaml", "data/{{ nope }}/*.parquet");
    driftmend_snapshot!(
        "run_data_template_without_value",
        run(&ctx, "unknown.yaml", &[])
    );
    assert!(!ctx.path().join(".driftmend").exists());
}

#[test]
fn run_data_errors_are_audited() {
    let ctx = TestContext::new();
    policy(
        &ctx,
        "policy.yaml",
        &format!("guardrails: {{mode: auto}}\n{RULES}"),
    );
    driftmend_snapshot!(
        "run_current_missing",
        run(&ctx, "policy.yaml", &["--current", "missing/*.parquet"])
    );
    driftmend_snapshot!(
        "run_reference_not_parquet",
        run(
            &ctx,
            "policy.yaml",
            &["--reference", &fixture("bad/not_parquet.parquet")]
        )
    );
}

#[test]
fn run_state_errors() {
    let ctx = TestContext::new();
    let state = ctx.path().join(".driftmend/state.json");
    let audit = ctx.path().join(".driftmend/audit.jsonl");
    ctx.script("retrain.sh", "exit 0\n");
    policy(
        &ctx,
        "policy.yaml",
        &format!("guardrails: {{mode: auto}}\n{RULES}"),
    );
    let o = run(&ctx, "policy.yaml", &[]).run().output;
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let (good_state, good_audit) = (fs::read(&state).unwrap(), fs::read(&audit).unwrap());

    // Another policy pointed at the same state dir.
    ctx.write(
        "other.yaml",
        fs::read_to_string(ctx.path().join("policy.yaml"))
            .unwrap()
            .replace("name: t", "name: other"),
    );
    driftmend_snapshot!("run_state_of_another_policy", run(&ctx, "other.yaml", &[]));

    for (name, text) in [
        ("run_state_newer_version", "{\"version\": 99}"),
        ("run_state_not_json", "{\"version\": 1, \"policy\": "),
        ("run_state_without_version", "{\"policy\": \"t\"}"),
    ] {
        fs::write(&state, text).unwrap();
        driftmend_snapshot!(name, run(&ctx, "policy.yaml", &[]));
    }
    fs::write(&state, &good_state).unwrap();

    // Records cut off the end of the audit log; then a half-written line.
    let text = String::from_utf8(good_audit.clone()).unwrap();
    let first_two: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    fs::write(&audit, first_two).unwrap();
    // The hash covers the action's duration, which varies.
    driftmend_snapshot!(
        "run_audit_log_cut",
        run(&ctx, "policy.yaml", &[]).filter(r"\(hash [0-9a-f]{12}\)", "(hash [HASH])")
    );
    fs::write(&audit, format!("{text}{{\"x\": 1")).unwrap();
    driftmend_snapshot!(
        "run_audit_log_half_written_line",
        run(&ctx, "policy.yaml", &[])
    );

    // Nothing above changed the state.
    assert_eq!(fs::read(&state).unwrap(), good_state);
}

#[test]
fn run_gives_up_when_another_run_holds_the_lock() {
    let ctx = TestContext::new();
    policy(
        &ctx,
        "policy.yaml",
        &format!("guardrails: {{mode: auto}}\n{RULES}"),
    );
    let path = ctx.path().join(".driftmend/lock");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    lock.lock().unwrap();
    // What a holding run writes into the lock file.
    std::io::Write::write_all(
        &mut lock,
        b"{\"pid\":4242,\"started\":\"2026-11-22T02:59:00Z\"}\n",
    )
    .unwrap();
    driftmend_snapshot!("run_lock_held", run(&ctx, "policy.yaml", &[]));
    driftmend_snapshot!(
        "approve_lock_held",
        ctx.command(&["approve", "t-1", "--policy", "policy.yaml", "--now", NOW])
    );
    lock.unlock().unwrap();
    assert!(!ctx.path().join(".driftmend/state.json").exists());
}

#[test]
fn state_command_errors() {
    let ctx = TestContext::new();
    ctx.script("retrain.sh", "exit 0\n");
    policy(
        &ctx,
        "policy.yaml",
        &format!("guardrails: {{mode: auto}}\n{RULES}"),
    );
    let o = run(&ctx, "policy.yaml", &[]).run().output;
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let state = |cmd: &[&str]| {
        let mut args = cmd.to_vec();
        args.extend_from_slice(&["--policy", "policy.yaml", "--now", NOW]);
        ctx.command(&args)
    };
    driftmend_snapshot!("pending_policy_not_given", ctx.command(&["pending"]));
    driftmend_snapshot!(
        "pending_policy_from_env",
        ctx.command(&["pending", "--now", NOW])
            .env("DRIFTMEND_POLICY", "policy.yaml")
    );
    driftmend_snapshot!("approve_unknown_id", state(&["approve", "t-9"]));
    driftmend_snapshot!("reject_unknown_id", state(&["reject", "t-9"]));
    driftmend_snapshot!("ack_unknown_action", state(&["ack", "nope", "--failed"]));
    driftmend_snapshot!(
        "ack_nothing_to_confirm",
        state(&["ack", "retrain", "--succeeded"])
    );
    driftmend_snapshot!(
        "ack_both_outcomes",
        state(&["ack", "retrain", "--succeeded", "--failed"])
    );
    driftmend_snapshot!(
        "audit_since_not_a_duration",
        state(&["audit", "--since", "5x"])
    );
}
