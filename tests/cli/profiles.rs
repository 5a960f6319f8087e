//! `profile`, `merge`, and reports from profiles: the same numbers as from
//! the data where the profile is exact, proven bounds where it is not.

use std::path::Path;

use serde_json::Value;

use super::*;

fn make_profile(data: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["profile", data, "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = driftmend(&args);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
}

/// `report --format json ARGS`: the exit code and the parsed report.
fn report_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let o = driftmend(&all);
    assert!(code(&o) <= 1, "{args:?}: {}", stderr(&o));
    (code(&o), serde_json::from_slice(&o.stdout).unwrap())
}

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs())),
        _ => a == b,
    }
}

/// Every column's verdict and numbers agree, and each tested column says
/// it is exact.
fn assert_same_numbers(from_data: &Value, from_profiles: &Value, label: &str) {
    let (a, b) = (
        from_data["columns"].as_array().unwrap(),
        from_profiles["columns"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len(), "{label}");
    for (x, y) in a.iter().zip(b) {
        let name = &x["name"];
        for key in ["method", "drift_detected", "missing", "kind"] {
            assert_eq!(x[key], y[key], "{label}: {name} {key}");
        }
        for key in ["score", "statistic", "effect_size"] {
            assert!(
                close(&x[key], &y[key]),
                "{label}: {name} {key}: {} vs {}",
                x[key],
                y[key]
            );
        }
        for side in ["reference", "current"] {
            for key in ["count", "missing", "distinct"] {
                // A date/time column's distinct count after a merge or a
                // streamed read is a lower bound (docs/profiles.md); the
                // tests merge or stream the current side only.
                if key == "distinct" && x["kind"] == "datetime" && side == "current" {
                    continue;
                }
                assert_eq!(
                    x["stats"][side][key], y["stats"][side][key],
                    "{label}: {name} {side} {key}"
                );
            }
        }
        if y["method"].is_string() {
            let approximate = y["approximate"].as_bool().expect("exactness is stated");
            assert!(!approximate, "{label}: {name}");
        }
    }
    assert_eq!(
        from_data["dataset_drift"], from_profiles["dataset_drift"],
        "{label}"
    );
}

#[test]
fn every_method_from_profiles_matches_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let (rp, cp) = (dir.path().join("ref.dmp"), dir.path().join("cur.dmp"));
    make_profile(REF, &rp, &[]);
    // The current side streamed in batches of 100 rows: streamed ==
    // in-memory for every method too.
    let o = std::process::Command::new(BIN)
        .args([
            "profile",
            DRIFTED,
            "--memory",
            "bounded",
            "-o",
            cp.to_str().unwrap(),
        ])
        .env("DRIFTMEND_BATCH_ROWS", "100")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (rp, cp) = (rp.to_str().unwrap(), cp.to_str().unwrap());
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
    let categorical = [
        "chisquare",
        "z",
        "jensenshannon",
        "psi",
        "kl_div",
        "hellinger",
        "fisher_exact",
        "g_test",
        "tvd",
        "linf",
    ];
    for (i, num) in numerical.iter().enumerate() {
        let cat = categorical[i % categorical.len()];
        // Small mmd/permutation settings: `empirical_mmd` is O(n^2) per
        // permutation, minutes in a debug build with the defaults.
        let flags = [
            "--num-method",
            num,
            "--cat-method",
            cat,
            "--exclude",
            "id,email",
            "--mmd-sample",
            "300",
            "--permutations",
            "50",
        ];
        let mut data_args = vec!["-r", REF, "-c", DRIFTED];
        data_args.extend_from_slice(&flags);
        let mut profile_args = vec!["-r", rp, "-c", cp];
        profile_args.extend_from_slice(&flags);
        let (code_data, from_data) = report_json(&data_args);
        let (code_profiles, from_profiles) = report_json(&profile_args);
        assert_eq!(code_data, code_profiles, "{num}/{cat}");
        assert_same_numbers(&from_data, &from_profiles, &format!("{num}/{cat}"));
    }
}

#[test]
fn a_profile_is_found_by_its_bytes_and_mixes_with_data() {
    let dir = tempfile::tempdir().unwrap();
    let named_like_data = dir.path().join("reference.csv");
    make_profile(REF, &named_like_data, &[]);
    let from_data = report_json(&["-r", REF, "-c", DRIFTED]).1;
    let mixed = report_json(&["-r", named_like_data.to_str().unwrap(), "-c", DRIFTED]).1;
    assert_same_numbers(&from_data, &mixed, "mixed");
}

#[test]
fn merged_shards_report_as_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    make_profile(
        "fixtures/current_parts/part-0.parquet",
        Path::new(&p("a.dmp")),
        &[],
    );
    make_profile(
        "fixtures/current_parts/part-1.parquet",
        Path::new(&p("b.dmp")),
        &[],
    );
    for order in [["a.dmp", "b.dmp"], ["b.dmp", "a.dmp"]] {
        let o = driftmend(&["merge", &p(order[0]), &p(order[1]), "--output", &p("m.dmp")]);
        assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
        let whole = report_json(&["-r", REF, "-c", "fixtures/current_parts"]).1;
        let merged = report_json(&["-r", REF, "-c", &p("m.dmp")]).1;
        assert_same_numbers(&whole, &merged, "merged");
        assert_eq!(merged["current"]["rows"], whole["current"]["rows"]);
    }
}

#[test]
fn profile_and_merge_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    make_profile(REF, Path::new(&p("all.dmp")), &[]);
    make_profile(REF, Path::new(&p("some.dmp")), &["--columns", "age,income"]);

    let o = driftmend(&["merge", &p("all.dmp"), REF, "--output", &p("m.dmp")]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o).replace(&p(""), "TMP/"),
        "error: `fixtures/reference.parquet` is not a driftmend profile\nhint: build one with `driftmend profile fixtures/reference.parquet --output PROFILE`\n"
    );

    let o = driftmend(&[
        "merge",
        &p("all.dmp"),
        &p("some.dmp"),
        "--output",
        &p("m.dmp"),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with(
            "error: cannot merge `TMP/some.dmp` with the profiles before it"
                .replace("TMP/", &p(""))
                .as_str()
        ),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("the profiles have different columns: only one has `id`"),
        "{}",
        stderr(&o)
    );

    let mut bytes = std::fs::read(p("all.dmp")).unwrap();
    let last = bytes.len() - 40;
    bytes[last] ^= 1;
    std::fs::write(p("bad.dmp"), &bytes).unwrap();
    let o = driftmend(&["report", "-r", &p("bad.dmp"), "-c", DRIFTED]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o).replace(&p(""), "TMP/"),
        "error: cannot load the reference dataset (`--reference`)\n  caused by: cannot read the profile `TMP/bad.dmp`: the profile is corrupt: its checksum does not match\nhint: rebuild it with `driftmend profile DATA --output FILE` (or `driftmend merge`)\n"
    );

    let o = driftmend(&["profile", REF, "--output", &p("x.dmp"), "--columns", "nope"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown column `nope` in `--columns`"),
        "{}",
        stderr(&o)
    );
}

/// Columns with more distinct values than a profile keeps exactly: ks and
/// wasserstein carry an interval that holds the data's value, t_test and
/// welch come from the exact moments.
#[test]
fn bucketed_columns_state_bounds_that_hold() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let write = |name: &str, n: usize, shift: f64| {
        let mut s = String::from("x\n");
        let mut state: u64 = 0x9e3779b97f4a7c15 ^ n as u64;
        for _ in 0..n {
            // xorshift: deterministic, no crate needed.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            s.push_str(&format!("{}\n", u * 10.0 - 5.0 + shift));
        }
        std::fs::write(p(name), s).unwrap();
    };
    write("r.csv", 15_000, 0.0);
    write("c.csv", 12_000, 0.1);
    make_profile(&p("r.csv"), Path::new(&p("r.dmp")), &[]);
    make_profile(&p("c.csv"), Path::new(&p("c.dmp")), &[]);
    // The current side also as the merge of two shards' profiles.
    let text = std::fs::read_to_string(p("c.csv")).unwrap();
    let lines: Vec<&str> = text.lines().skip(1).collect();
    for (name, part) in [("c1", &lines[..5000]), ("c2", &lines[5000..])] {
        std::fs::write(
            p(&format!("{name}.csv")),
            format!("x\n{}\n", part.join("\n")),
        )
        .unwrap();
        make_profile(
            &p(&format!("{name}.csv")),
            Path::new(&p(&format!("{name}.dmp"))),
            &[],
        );
    }
    let o = driftmend(&["merge", &p("c2.dmp"), &p("c1.dmp"), "-o", &p("cm.dmp")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for (method, current) in ["ks", "wasserstein", "t_test", "welch", "psi", "anderson"]
        .into_iter()
        .flat_map(|m| [(m, "c.dmp"), (m, "cm.dmp")])
    {
        let run =
            // Evidently's single gate: the method's own exactness (under
            // the default preset the effect gate rebuilds values too).
            |r: &str, c: &str| {
                report_json(&[
                    "-r",
                    &p(r),
                    "-c",
                    &p(c),
                    "--num-method",
                    method,
                    "--preset",
                    "evidently",
                ])
                .1
            };
        let data = run("r.csv", "c.csv");
        let prof = run("r.dmp", current);
        let (d, q) = (column(&data, "x"), column(&prof, "x"));
        match method {
            "ks" | "wasserstein" => {
                assert_eq!(q["approximate"], true);
                let key = if method == "ks" { "statistic" } else { "score" };
                let truth = d[key].as_f64().unwrap();
                let range = q["statistic_range"].as_array().unwrap();
                let (lo, hi) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
                assert!(
                    lo <= truth && truth <= hi,
                    "{method}: {truth} not in [{lo}, {hi}]"
                );
                assert!(hi - lo < 0.01, "{method}: [{lo}, {hi}] is loose");
                let p_range = q["score_range"].as_array().unwrap();
                let truth = d["score"].as_f64().unwrap();
                assert!(
                    p_range[0].as_f64().unwrap() <= truth && truth <= p_range[1].as_f64().unwrap(),
                    "{method}: score {truth} not in {p_range:?}"
                );
            }
            "t_test" | "welch" => {
                assert_eq!(q["approximate"], false);
                assert_eq!(q["exactness"], "moments");
                assert!(
                    close(&d["score"], &q["score"]),
                    "{} vs {}",
                    d["score"],
                    q["score"]
                );
                assert!(close(&d["statistic"], &q["statistic"]));
            }
            _ => {
                assert_eq!(q["approximate"], true);
                assert_eq!(q["exactness"], "buckets");
            }
        }
    }
}

/// `run` with `data.reference_profile`: built on the first run, reused
/// while the reference is unchanged, rebuilt when it changes; the report
/// is the one from the data.
#[test]
fn run_builds_reuses_and_rebuilds_the_reference_profile() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::copy("fixtures/reference.csv", p("ref.csv")).unwrap();
    let current = std::fs::canonicalize(DRIFTED).unwrap();
    std::fs::write(
        p("policy.yaml"),
        format!(
            "version: 1\nname: t\ndata:\n  reference: ref.csv\n  current: {}\n  reference_profile: cache/ref.dmp\nreport:\n  exclude: [id, email]\nrules:\n  - {{name: drift, when: dataset.drift_detected, actions: [a]}}\nactions:\n  a: {{type: exec, command: [./a.sh]}}\n",
            current.display()
        ),
    )
    .unwrap();
    let run = || {
        let o = std::process::Command::new(BIN)
            .current_dir(dir.path())
            .args([
                "run",
                "--policy",
                "policy.yaml",
                "--report-output",
                "report.json",
            ])
            .output()
            .unwrap();
        assert!(code(&o) <= 1, "{}", stderr(&o));
        let report: Value =
            serde_json::from_slice(&std::fs::read(p("report.json")).unwrap()).unwrap();
        (stderr(&o), report)
    };
    let (first, report) = run();
    assert!(
        first.contains("building the reference profile `"),
        "{first}"
    );
    assert!(p("cache/ref.dmp").is_file());
    let from_data = report_json(&[
        "-r",
        p("ref.csv").to_str().unwrap(),
        "-c",
        DRIFTED,
        "--exclude",
        "id,email",
    ])
    .1;
    assert_same_numbers(&from_data, &report, "run");

    let (second, again) = run();
    assert!(
        second.contains("reusing the reference profile `"),
        "{second}"
    );
    assert_same_numbers(&from_data, &again, "reused");

    // Same name, other rows: the fingerprint changes, the profile is rebuilt.
    let text = std::fs::read_to_string(p("ref.csv")).unwrap();
    let fewer: String = text.lines().take(1200).map(|l| format!("{l}\n")).collect();
    std::fs::write(p("ref.csv"), fewer).unwrap();
    let (third, changed) = run();
    assert!(third.contains("the reference changed since `"), "{third}");
    let from_new = report_json(&[
        "-r",
        p("ref.csv").to_str().unwrap(),
        "-c",
        DRIFTED,
        "--exclude",
        "id,email",
    ])
    .1;
    assert_same_numbers(&from_new, &changed, "rebuilt");
    assert_eq!(changed["reference"]["rows"], 1199);

    // Something else at the cache path is never overwritten.
    std::fs::write(p("cache/ref.dmp"), "x,y\n1,2\n").unwrap();
    let o = std::process::Command::new(BIN)
        .current_dir(dir.path())
        .args(["run", "--policy", "policy.yaml"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not a driftmend profile; refusing to overwrite it"),
        "{}",
        stderr(&o)
    );
}

/// `profile --memory bounded` with tiny batches gives the report the data
/// gives (duplicates and date/time distinct counts aside, which a batch
/// cannot see across batches).
#[test]
fn a_bounded_profile_read_in_tiny_batches_reports_as_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ref.dmp");
    let o = std::process::Command::new(BIN)
        .args([
            "profile",
            REF,
            "--memory",
            "bounded",
            "--output",
            p.to_str().unwrap(),
        ])
        .env("DRIFTMEND_BATCH_ROWS", "128")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let from_data = report_json(&[
        "-r",
        REF,
        "-c",
        DRIFTED,
        "--exclude",
        "id,email,signup_date",
    ])
    .1;
    let from_profile = report_json(&[
        "-r",
        p.to_str().unwrap(),
        "-c",
        DRIFTED,
        "--exclude",
        "id,email,signup_date",
    ])
    .1;
    assert_same_numbers(&from_data, &from_profile, "bounded");

    let o = driftmend(&[
        "profile",
        "fixtures/reference.csv",
        "--memory",
        "bounded",
        "-o",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: `--memory bounded` streams Parquet files only; `fixtures/reference.csv` is not all Parquet\nhint: use `--memory in-memory` for CSV\n"
    );
}

/// The table marks approximate scores and says where their ranges are.
#[test]
fn the_table_marks_approximate_scores() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let mut s = String::from("x\n");
    for i in 0..12_000u64 {
        s.push_str(&format!("{}\n", (i * 7919 % 12_007) as f64 / 3.0));
    }
    std::fs::write(p("r.csv"), s).unwrap();
    make_profile(&p("r.csv"), Path::new(&p("r.dmp")), &[]);
    let o = driftmend(&[
        "report",
        "-r",
        &p("r.dmp"),
        "-c",
        &p("r.csv"),
        "--num-method",
        "ks",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("~1.0000") || out.contains("~1"), "{out}");
    assert!(
        out.contains("~ approximate: computed from a profile"),
        "{out}"
    );
    let exact = driftmend(&[
        "report",
        "-r",
        &p("r.csv"),
        "-c",
        &p("r.csv"),
        "--num-method",
        "ks",
    ]);
    assert!(!stdout(&exact).contains("~"), "{}", stdout(&exact));
}
