//! What a new user meets first: an honest verdict on broken data, and output
//! files another user (node_exporter) can read while the state stays
//! private.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use super::harness::{fixture, TestContext};
use super::BIN;

/// `driftmend <args>` under `umask 022` in `ctx`.
fn with_umask_022(ctx: &TestContext, args: &[&str]) -> std::process::Output {
    Command::new("/bin/sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(args)
        .current_dir(ctx.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run driftmend")
}

fn mode(ctx: &TestContext, name: &str) -> u32 {
    std::fs::metadata(ctx.path().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn broken_data_gets_a_red_verdict_everywhere() {
    let ctx = TestContext::new();
    let args = [
        "report",
        "-r",
        &fixture("reference.parquet"),
        "-c",
        &fixture("current_quality.parquet"),
        "--output-html",
        "r.html",
        "--output-markdown",
        "r.md",
        "--output-junit",
        "r.xml",
        "--fail-on",
        "any",
    ];
    let o = ctx.command(&args).run().output;
    assert_eq!(o.status.code(), Some(1), "--fail-on any fails");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let first = stdout.lines().next().unwrap();
    assert!(first.starts_with("Schema break: "), "{first}");
    let html = std::fs::read_to_string(ctx.path().join("r.html")).unwrap();
    assert!(
        html.contains("<span class=\"b b-drift\">SCHEMA BREAK</span>"),
        "the HTML badge"
    );
    assert!(!html.contains("<span class=\"b b-ok\">OK</span> <span>"));
    let md = std::fs::read_to_string(ctx.path().join("r.md")).unwrap();
    assert!(
        md.starts_with("## :red_circle: driftmend: Schema break: "),
        "{md}"
    );
    let xml = std::fs::read_to_string(ctx.path().join("r.xml")).unwrap();
    assert!(
        xml.contains("<property name=\"verdict\" value=\"SCHEMA BREAK\"/>"),
        "{xml}"
    );
}

#[test]
fn outputs_follow_the_umask_and_the_state_stays_private() {
    let ctx = TestContext::new();
    let o = with_umask_022(
        &ctx,
        &[
            "report",
            "-r",
            &fixture("reference.parquet"),
            "-c",
            &fixture("current_stable.parquet"),
            "--output",
            "report.json",
            "--output-html",
            "report.html",
            "--prometheus-textfile",
            "drift.prom",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in ["report.json", "report.html", "drift.prom"] {
        assert_eq!(mode(&ctx, name), 0o644, "{name}");
    }

    ctx.write(
        "policy.yaml",
        format!(
            "version: 1\nname: m\ndata:\n  reference: {}\n  current: {}\n\
             rules:\n  - {{name: drift, when: dataset.drift_detected, actions: [notify]}}\n\
             actions:\n  notify: {{type: exec, command: [\"true\"]}}\n",
            fixture("reference.parquet"),
            fixture("current_stable.parquet")
        ),
    );
    let o = with_umask_022(
        &ctx,
        &[
            "run",
            "--policy",
            "policy.yaml",
            "--output-json",
            "run.json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(mode(&ctx, "run.json"), 0o644);
    assert_eq!(mode(&ctx, ".driftmend"), 0o700);
    for name in [".driftmend/state.json", ".driftmend/audit.jsonl"] {
        assert_eq!(mode(&ctx, name), 0o600, "{name}");
    }
}

#[test]
fn mistakes_get_a_fix_not_a_list() {
    let ctx = TestContext::new();
    let (r, c) = (
        fixture("reference.parquet"),
        fixture("current_drifted.parquet"),
    );
    driftmend_snapshot!(
        "did_you_mean_column",
        ctx.command(&["report", "-r", &r, "-c", &c, "--exclude", "idd"])
    );
    driftmend_snapshot!(
        "did_you_mean_target",
        ctx.command(&["report", "-r", &r, "-c", &c, "--target", "is_frud"])
    );
    driftmend_snapshot!(
        "did_you_mean_method",
        ctx.command(&["report", "-r", &r, "-c", &c, "--num-method", "wasserstien"])
    );
    // `--current data/*.parquet` unquoted: the shell hands over two files.
    driftmend_snapshot!(
        "unquoted_glob",
        ctx.command(&[
            "report",
            "-r",
            &r,
            "-c",
            &c,
            &fixture("current_stable.parquet")
        ])
    );
    // A `;`-separated CSV read with the default `,`.
    ctx.write("ref.csv", "a;b;c\n1;2;3\n4;5;6\n7;8;9\n");
    ctx.write("cur.csv", "a;b;c\n1;2;3\n4;5;6\n7;8;10\n");
    driftmend_snapshot!(
        "semicolon_csv",
        ctx.command(&["report", "-r", "ref.csv", "-c", "cur.csv", "-q"])
    );
}
