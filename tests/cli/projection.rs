//! `--columns`, `--exclude` and the policy's `report.exclude` limit what is
//! read from disk: a column they leave out is never read (a corrupt one
//! does not fail the file), its name is still known (so a name in neither
//! file is still an error, and one in one file only a schema finding), and
//! duplicated rows are counted over the columns read.

use std::fs;

use super::{code, column, driftmend, finding_codes, json_report, stderr};

/// The bad-input corpus's four-column, 40-row file with bytes flipped
/// inside its first column chunk (`id`): reading `id` fails.
const CORRUPT_ID: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/bad_inputs/data/column_bytes_flipped_0.parquet"
);

#[test]
fn a_column_left_out_is_never_read() {
    let all = driftmend(&["report", "-r", CORRUPT_ID, "-c", CORRUPT_ID]);
    assert_eq!(
        code(&all),
        2,
        "the whole file cannot be read: {}",
        stderr(&all)
    );
    for selection in [&["--columns", "age,country"][..], &["--exclude", "id"][..]] {
        let mut args = vec!["-r", CORRUPT_ID, "-c", CORRUPT_ID];
        args.extend_from_slice(selection);
        let r = json_report(&args, 0);
        let names: Vec<&str> = r["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"id"), "{selection:?}: {names:?}");
        // The file still has its four columns.
        assert_eq!(r["reference"]["columns"], 4, "{selection:?}");
        assert_eq!(r["reference"]["rows"], 40, "{selection:?}");
    }
}

#[test]
fn a_policy_exclude_is_not_read_either() {
    let dir = tempfile::tempdir().unwrap();
    let policy = |exclude: &str| {
        let path = dir.path().join("policy.yaml");
        fs::write(
            &path,
            format!(
                "version: 1\nname: projection\ndata:\n  reference: {CORRUPT_ID}\n  current: {CORRUPT_ID}\n\
                 {exclude}state_dir: state\nguardrails:\n  mode: observe\n\
                 rules:\n  - name: drift\n    when: dataset.drift_detected\n    actions: [notify]\n\
                 actions:\n  notify:\n    type: exec\n    command: [\"true\"]\n"
            ),
        )
        .unwrap();
        driftmend(&["run", "--policy", path.to_str().unwrap(), "--dry-run"])
    };
    let o = policy("");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = policy("report:\n  exclude: [id]\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn selected_names_are_checked_against_every_column_of_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("ref.csv"), "a,b,gone\n1,x,5\n2,y,6\n3,z,7\n").unwrap();
    fs::write(d.join("cur.csv"), "a,b\n1,x\n2,y\n4,z\n").unwrap();
    let (r, c) = (d.join("ref.csv"), d.join("cur.csv"));
    let (r, c) = (r.to_str().unwrap(), c.to_str().unwrap());
    let o = driftmend(&["report", "-r", r, "-c", c, "--columns", "a,nope"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown column `nope` in `--columns`: it is in neither dataset"),
        "{}",
        stderr(&o)
    );
    let report = json_report(&["-r", r, "-c", c, "--columns", "a,gone"], 0);
    assert_eq!(finding_codes(&report, "gone"), ["column_missing"]);
    assert_eq!(column(&report, "a")["kind"], "categorical");
    // `--categorical` may name a column that `--columns` leaves unread.
    json_report(
        &["-r", r, "-c", c, "--columns", "a", "--categorical", "b"],
        0,
    );
}

#[test]
fn duplicated_rows_are_counted_over_the_selected_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Over (a, b): one row repeats an earlier one; over `a`: two do.
    fs::write(d.join("ref.csv"), "a,b\n1,x\n2,y\n3,z\n4,w\n").unwrap();
    fs::write(d.join("cur.csv"), "a,b\n1,x\n1,y\n2,z\n1,x\n").unwrap();
    let (r, c) = (d.join("ref.csv"), d.join("cur.csv"));
    let (r, c) = (r.to_str().unwrap(), c.to_str().unwrap());
    let all = json_report(&["-r", r, "-c", c], 0);
    assert_eq!(all["current"]["duplicated_rows"], 0.25);
    assert_eq!(all["current"].get("duplicated_rows_over"), None);
    let only_a = json_report(&["-r", r, "-c", c, "--columns", "a"], 0);
    assert_eq!(only_a["current"]["duplicated_rows"], 0.5);
    assert_eq!(
        only_a["current"]["duplicated_rows_over"],
        "selected_columns"
    );
    let message = only_a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "duplicated_rows")
        .expect("a duplicated_rows finding")["message"]
        .clone();
    assert_eq!(
        message,
        "duplicated rows rose from 0.0% of the reference to 50.0% of the current data \
         (rows compared over the selected columns)"
    );
}
