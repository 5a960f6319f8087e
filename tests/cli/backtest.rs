//! `backtest` and `report --chunk-by`: a generated history of 30 daily
//! partitions with a drift episode from the 12th to the 20th. The backtest's
//! exact timeline is pinned (first firing, cooldown gaps, the breaker with
//! failed actions), and checked decision by decision against 30 real
//! `driftmend run --now <day>` calls on the same data.

use std::fs;

use serde_json::Value;

use super::harness::TestContext;

/// Reference: 1000 evenly spread values of `x` and `y` in (0, 1). A
/// partition: 200 of them (every fifth), so a healthy day's KS statistic is
/// tiny; from the 12th to the 20th, `x` is shifted by 0.3 (drift).
/// Deterministic: no test depends on a random draw.
const FIRST_DRIFT: u32 = 12;
const LAST_DRIFT: u32 = 20;

fn grid(n: usize, step: usize, shift: f64) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * step) as f64 + step as f64 / 2.0) / 1000.0 + shift)
        .collect()
}

fn csv(x: &[f64], y: &[f64], day: Option<u32>) -> String {
    let mut out = String::from(if day.is_some() { "ts,x,y\n" } else { "x,y\n" });
    for (i, (a, b)) in x.iter().zip(y).enumerate() {
        match day {
            Some(d) => out.push_str(&format!("2026-11-{d:02}T{:02}:00:00,{a},{b}\n", i % 24)),
            None => out.push_str(&format!("{a},{b}\n")),
        }
    }
    out
}

fn drifting(day: u32) -> bool {
    (FIRST_DRIFT..=LAST_DRIFT).contains(&day)
}

/// The history, the reference and `policy.yaml` (retrain on 2 consecutive
/// drifted runs; cooldown 2 days; a breaker after 2 failures for 3 days;
/// `page` escalates). `retrain` runs `retrain_cmd`.
fn history(retrain_cmd: &str) -> TestContext {
    let ctx = TestContext::new();
    ctx.write(
        "ref.csv",
        csv(&grid(1000, 1, 0.0), &grid(1000, 1, 0.0), None),
    );
    for day in 1..=30 {
        let shift = if drifting(day) { 0.3 } else { 0.0 };
        ctx.write(
            &format!("data/dt=2026-11-{day:02}/part-0.csv"),
            csv(&grid(200, 5, shift), &grid(200, 5, 0.0), None),
        );
    }
    ctx.script("ok.sh", "echo \"$*\" >> calls.log\n");
    ctx.script("fail.sh", "echo \"$*\" >> calls.log\nexit 1\n");
    ctx.write(
        "policy.yaml",
        format!(
            "version: 1
name: backtested
data:
  reference: ref.csv
  current: data/latest/
report:
  num_method: ks
guardrails:
  mode: auto
  cooldown: 2d
  circuit_breaker: {{ failures: 2, open_for: 3d }}
  escalate: [page]
rules:
  - name: drift
    when: \"dataset.drift_detected\"
    for: 2
    actions: [retrain]
actions:
  retrain:
    type: exec
    command: [{retrain_cmd}, retrain]
  page:
    type: exec
    command: [./ok.sh, page]
"
        ),
    );
    ctx
}

fn json(o: &std::process::Output) -> Value {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

/// Per run: `(day, fired rules, [action outcome guardrail])` from the
/// backtest's JSON timeline.
fn backtest_decisions(timeline: &Value) -> Vec<(String, Vec<String>, Vec<String>)> {
    timeline["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let fired = r["fired"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_string())
                .collect();
            let actions = r["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    format!(
                        "{} {} {}",
                        a["action"].as_str().unwrap(),
                        a["outcome"].as_str().unwrap(),
                        a["guardrail"].as_str().unwrap_or("-")
                    )
                })
                .collect();
            (r["at"].as_str().unwrap()[..10].to_string(), fired, actions)
        })
        .collect()
}

/// The same from a real run's `--format json` summary.
fn run_decisions(day: &str, summary: &Value) -> (String, Vec<String>, Vec<String>) {
    let fired = summary["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["fired"] == true)
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect();
    let actions = summary["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let outcome = match (
                d["verdict"].as_str().unwrap(),
                d["outcome"]["status"].as_str(),
            ) {
                ("run", Some("succeeded")) => "ran",
                ("run", _) => "failed",
                ("queue", _) => "queued",
                ("blocked", _) => "blocked",
                (_, _) => "observed",
            };
            format!(
                "{} {outcome} {}",
                d["action"].as_str().unwrap(),
                d["guardrail"].as_str().unwrap_or("-")
            )
        })
        .collect();
    (day.to_string(), fired, actions)
}

fn backtest(ctx: &TestContext, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "backtest",
        "--policy",
        "policy.yaml",
        "--history",
        "data/dt=*/",
        "--format",
        "json",
        "--no-cache",
    ];
    args.extend_from_slice(extra);
    ctx.command(&args).run().output
}

/// 30 real runs, one per partition, in order; their decisions.
fn real_runs(ctx: &TestContext) -> Vec<(String, Vec<String>, Vec<String>)> {
    (1..=30)
        .map(|day| {
            let date = format!("2026-11-{day:02}");
            let now = format!("{date}T00:00:00Z");
            let current = format!("data/dt={date}/");
            let o = ctx
                .command(&[
                    "run",
                    "--policy",
                    "policy.yaml",
                    "--now",
                    &now,
                    "--current",
                    &current,
                    "--format",
                    "json",
                    "--quiet",
                ])
                .run()
                .output;
            let summary: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
                panic!(
                    "run {date}: {e}: {}\n{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                )
            });
            run_decisions(&date, &summary)
        })
        .collect()
}

/// The eventful days of a decision list, as lines.
fn eventful(d: &[(String, Vec<String>, Vec<String>)]) -> Vec<String> {
    d.iter()
        .filter(|(_, fired, actions)| !fired.is_empty() || !actions.is_empty())
        .map(|(day, fired, actions)| format!("{day} [{}] {}", fired.join(","), actions.join("; ")))
        .collect()
}

#[test]
fn backtest_timeline_with_successes_shows_first_firing_and_cooldown_gaps() {
    let ctx = history("./ok.sh");
    let out = json(&backtest(&ctx, &[]));
    let d = backtest_decisions(&out["policy"]);
    assert_eq!(d.len(), 30);
    // The 12th is the first drifted run (1 of 2); the rule fires on the
    // 13th, and retrain runs every other day: a 2-day cooldown blocks it
    // on the 14th, 16th, ..., each block escalating to `page`.
    assert_eq!(
        eventful(&d),
        [
            "2026-11-13 [drift] retrain ran -",
            "2026-11-14 [drift] retrain blocked cooldown; page ran -",
            "2026-11-15 [drift] retrain ran -",
            "2026-11-16 [drift] retrain blocked cooldown; page ran -",
            "2026-11-17 [drift] retrain ran -",
            "2026-11-18 [drift] retrain blocked cooldown; page ran -",
            "2026-11-19 [drift] retrain ran -",
            "2026-11-20 [drift] retrain blocked cooldown; page ran -",
        ]
    );
    let totals = &out["policy"]["totals"];
    assert_eq!(totals["runs"], 30);
    assert_eq!(totals["alerts"], 8);
    assert_eq!(totals["actions"]["exec"]["ran"], 8);
    assert_eq!(totals["actions"]["exec"]["blocked"], 4);
    // Nothing ran: no script was called, and the policy's state directory
    // was not created.
    assert!(!ctx.path().join("calls.log").exists());
    assert!(!ctx.path().join(".driftmend").exists());
    // The real engine on the same data decides the same, run by run.
    assert_eq!(real_runs(&ctx), d);
}

#[test]
fn backtest_with_failed_actions_opens_the_breaker_like_real_runs() {
    let ctx = history("./fail.sh");
    let out = json(&backtest(&ctx, &["--fail", "retrain"]));
    let d = backtest_decisions(&out["policy"]);
    // Two failures (13th, 15th) open the breaker for 3 days: retrain is
    // blocked by it on the 16th and 17th (escalating); on the 18th it may
    // try again, fails, and the breaker opens at once for 3 more days.
    assert_eq!(
        eventful(&d),
        [
            "2026-11-13 [drift] retrain failed -; page ran -",
            "2026-11-14 [drift] retrain blocked cooldown; page ran -",
            "2026-11-15 [drift] retrain failed -; page ran -",
            "2026-11-16 [drift] retrain blocked circuit_breaker; page ran -",
            "2026-11-17 [drift] retrain blocked circuit_breaker; page ran -",
            "2026-11-18 [drift] retrain failed -; page ran -",
            "2026-11-19 [drift] retrain blocked circuit_breaker; page ran -",
            "2026-11-20 [drift] retrain blocked circuit_breaker; page ran -",
        ]
    );
    assert_eq!(real_runs(&ctx), d);
}

#[test]
fn backtest_table_against_another_policy_and_a_cached_second_run() {
    let ctx = history("./ok.sh");
    let text = fs::read_to_string(ctx.path().join("policy.yaml")).unwrap();
    ctx.write(
        "strict.yaml",
        text.replace("name: backtested", "name: strict")
            .replace("for: 2", "for: 1")
            .replace("mode: auto", "mode: approve"),
    );
    let args = [
        "backtest",
        "--policy",
        "policy.yaml",
        "--history",
        "data/dt=*/",
        "--against",
        "strict.yaml",
        "--from",
        "2026-11-10",
        "--to",
        "2026-11-22",
    ];
    let cold = driftmend_snapshot!("backtest_against", ctx.command(&args));
    // A second backtest reads every report from the cache, and says the same.
    let warm = ctx.command(&args).run().output;
    assert_eq!(warm.stdout, cold.stdout);
    let note = String::from_utf8_lossy(&warm.stderr);
    assert!(
        note.contains("0 reports built, 13 read from the cache"),
        "{note}"
    );
    // The cache lives in the policy's state directory; nothing else does.
    let state: Vec<String> = fs::read_dir(ctx.path().join(".driftmend"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(state, ["backtest-cache"]);
}

#[test]
fn backtest_errors_name_the_problem() {
    let ctx = history("./ok.sh");
    ctx.write("plain/a.csv", "x,y\n1,2\n");
    driftmend_snapshot!(
        "backtest_no_time_in_path",
        ctx.command(&[
            "backtest",
            "--policy",
            "policy.yaml",
            "--history",
            "plain/*.csv"
        ])
    );
    driftmend_snapshot!(
        "backtest_unknown_fail_action",
        ctx.command(&[
            "backtest",
            "--policy",
            "policy.yaml",
            "--history",
            "data/dt=*/",
            "--fail",
            "retrian"
        ])
    );
}

#[test]
fn report_chunks_by_day_show_when_drift_started() {
    let ctx = TestContext::new();
    ctx.write(
        "ref.csv",
        csv(&grid(1000, 1, 0.0), &grid(1000, 1, 0.0), None),
    );
    // 8 days of 96 rows; `x` shifts from the 6th on.
    let mut text = String::from("ts,x,y\n");
    for day in 1..=8u32 {
        let shift = if day >= 6 { 0.3 } else { 0.0 };
        let part = csv(&grid(96, 10, shift), &grid(96, 10, 0.0), Some(day));
        text.push_str(part.split_once('\n').unwrap().1);
    }
    ctx.write("cur.csv", text);
    let base = [
        "report",
        "-r",
        "ref.csv",
        "-c",
        "cur.csv",
        "--exclude",
        "ts",
        "--num-method",
        "ks",
    ];
    let mut args = base.to_vec();
    args.extend(["--chunk-by", "ts", "--period", "day", "--format", "json"]);
    let r = json(&ctx.command(&args).run().output);
    let chunks = r["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 8);
    assert_eq!(r["chunking"]["by"], "period");
    assert_eq!(chunks[0]["key"], "2026-11-01");
    assert_eq!(chunks[0]["start"], "2026-11-01T00:00:00Z");
    assert_eq!(chunks[0]["end"], "2026-11-02T00:00:00Z");
    assert_eq!(chunks[0]["rows"], 96);
    let x_drift: Vec<bool> = chunks
        .iter()
        .map(|c| {
            c["columns"]
                .as_array()
                .unwrap()
                .iter()
                .find(|col| col["name"] == "x")
                .unwrap()["drift_detected"]
                .as_bool()
                .unwrap()
        })
        .collect();
    assert_eq!(
        x_drift,
        [false, false, false, false, false, true, true, true]
    );
    // Each chunk is tested like the whole: the same method and threshold.
    assert_eq!(chunks[7]["columns"][0]["method"], "ks");
    assert_eq!(chunks[7]["dataset_drift"]["drifted_columns"], 1);
    // The terminal block: a strip per column and where drift started.
    let mut args = base.to_vec();
    args.extend(["--chunk-by", "ts", "--period", "day"]);
    driftmend_snapshot!("report_chunks_by_day", ctx.command(&args));
    // Size chunks keep, append or drop the leftover rows as NannyML does.
    for (incomplete, count) in [("keep", 4), ("append", 3), ("drop", 3)] {
        let mut args = base.to_vec();
        args.extend([
            "--chunk-size",
            "250",
            "--incomplete",
            incomplete,
            "--format",
            "json",
        ]);
        let r = json(&ctx.command(&args).run().output);
        assert_eq!(r["chunks"].as_array().unwrap().len(), count, "{incomplete}");
    }
    driftmend_snapshot!(
        "report_chunk_by_needs_a_way",
        ctx.command(&[
            "report",
            "-r",
            "ref.csv",
            "-c",
            "cur.csv",
            "--chunk-by",
            "ts"
        ])
    );
    driftmend_snapshot!(
        "report_chunk_by_not_a_date",
        ctx.command(&[
            "report",
            "-r",
            "ref.csv",
            "-c",
            "cur.csv",
            "--chunk-by",
            "x",
            "--period",
            "day"
        ])
    );
}

#[test]
fn backtest_times_from_a_column_and_html() {
    let ctx = history("./ok.sh");
    // The same history, in files named without times, the time in a column
    // (and the files listed out of order).
    for day in 1..=30u32 {
        let shift = if drifting(day) { 0.3 } else { 0.0 };
        let name = format!("flat/{:02}.csv", 31 - day);
        ctx.write(
            &name,
            csv(&grid(200, 5, shift), &grid(200, 5, 0.0), Some(day)),
        );
    }
    let text = fs::read_to_string(ctx.path().join("policy.yaml")).unwrap();
    ctx.write(
        "flat.yaml",
        text.replace("  num_method: ks", "  num_method: ks\n  exclude: [ts]"),
    );
    let o = ctx
        .command(&[
            "backtest",
            "--policy",
            "flat.yaml",
            "--history",
            "flat/*.csv",
            "--time-from",
            "ts",
            "--format",
            "json",
            "--no-cache",
        ])
        .run()
        .output;
    let d = backtest_decisions(&json(&o)["policy"]);
    // A partition's time is its latest `ts` (23:00 of its day).
    let first = &json(&o)["policy"]["runs"][0];
    assert_eq!(first["at"], "2026-11-01T23:00:00Z");
    assert_eq!(first["partition"], "flat/30.csv");
    assert_eq!(
        eventful(&d)[..2],
        [
            "2026-11-13 [drift] retrain ran -".to_string(),
            "2026-11-14 [drift] retrain blocked cooldown; page ran -".to_string(),
        ]
    );
    let html = ctx
        .command(&[
            "backtest",
            "--policy",
            "policy.yaml",
            "--history",
            "data/dt=*/",
            "--format",
            "html",
        ])
        .run()
        .output;
    let page = String::from_utf8(html.stdout).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert_eq!(page.matches("<span style=\"background:").count(), 30);
    assert!(
        page.contains("<td>2026-11-14</td><td>covariate_drift</td><td>drift</td>"),
        "{page}"
    );
    assert!(!page.contains("<script") && !page.contains("src=\""));
}

#[test]
fn backtest_pages_open_incidents_that_a_healthy_run_resolves() {
    let ctx = history("./ok.sh");
    let text = fs::read_to_string(ctx.path().join("policy.yaml")).unwrap();
    ctx.write(
        "policy.yaml",
        text.replace(
            "  page:\n    type: exec\n    command: [./ok.sh, page]\n",
            "  page:\n    type: pagerduty\n    routing_key: \"{{ env.PD_KEY }}\"\n",
        ),
    );
    let o = ctx
        .command(&[
            "backtest",
            "--policy",
            "policy.yaml",
            "--history",
            "data/dt=*/",
            "--to",
            "2026-11-22",
            "--format",
            "json",
            "--no-cache",
        ])
        .env("PD_KEY", "R0123456789abcdef0123456789abcdef")
        .run()
        .output;
    let out = json(&o);
    let d = backtest_decisions(&out["policy"]);
    let runs = out["policy"]["runs"].as_array().unwrap();
    // The blocks of the 14th, 16th, 18th and 20th page (4 pages over the
    // 22 days); the first healthy run, the 21st, resolves the incident
    // (not a page), and the 22nd has nothing left to resolve.
    assert_eq!(d[13].2, ["retrain blocked cooldown", "page ran -"]);
    assert_eq!(d[20].2, ["page ran -"]);
    assert_eq!(runs[20]["actions"][0]["rule"], "healthy");
    assert!(d[21].2.is_empty());
    let totals = &out["policy"]["totals"];
    assert_eq!(totals["pages"], 4);
    assert_eq!(totals["actions"]["pagerduty"]["ran"], 5);
}
