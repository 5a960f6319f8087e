//! Every column type a real Parquet or CSV file has, end to end: the files
//! under `fixtures/types/` (written by
//! `scripts/reference/make_type_fixtures.py`, which also wrote the values
//! pyarrow computed into `expected.json`), compared with themselves, and
//! what `--columns`/`--exclude` leave unread.

use std::fs;

use serde_json::Value;

use super::{column, finding_codes, json_report};

const TYPES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/types");

fn fixture(name: &str) -> String {
    format!("{TYPES}/{name}")
}

/// What pyarrow says about `file`'s columns.
fn expected(file: &str) -> Value {
    let text = fs::read_to_string(fixture("expected.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all[file].clone()
}

/// The file compared with itself.
fn self_report(file: &str, extra: &[&str]) -> Value {
    let path = fixture(file);
    let mut args = vec!["-r", path.as_str(), "-c", path.as_str()];
    args.extend_from_slice(extra);
    json_report(&args, 0)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// Every column: name, kind, dtype, and the findings on it.
fn kinds(r: &Value) -> String {
    let mut out = String::new();
    for c in r["columns"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        out.push_str(&format!(
            "{name}: {} {} {:?}\n",
            c["kind"].as_str().unwrap(),
            c["dtype"]["current"].as_str().unwrap(),
            finding_codes(r, name)
        ));
    }
    out
}

fn finding_messages(r: &Value, code: &str) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// min/max of a datetime column as driftmend renders them
/// (`2024-03-10 07:30:15.250 CET`: wall time in the column's zone) and as
/// pyarrow's ISO 8601 in UTC: the same instant.
fn same_instant(driftmend: &str, utc_iso: &str) -> bool {
    let want = chrono::NaiveDateTime::parse_from_str(utc_iso, "%Y-%m-%dT%H:%M:%S%.f")
        .unwrap_or_else(|e| panic!("{utc_iso}: {e}"));
    let (wall, offset_hours) = match driftmend.rsplit_once(' ') {
        Some((wall, "UTC")) => (wall, 0),
        Some((wall, "CET")) => (wall, 1),
        Some((wall, "CEST")) => (wall, 2),
        Some((wall, zone)) if zone.starts_with(['+', '-']) => (
            wall,
            zone.parse::<i64>()
                .unwrap_or_else(|e| panic!("{zone}: {e}")),
        ),
        _ => (driftmend, 0),
    };
    let naive = chrono::NaiveDateTime::parse_from_str(wall, "%Y-%m-%d %H:%M:%S%.f")
        .unwrap_or_else(|e| panic!("{driftmend}: {e}"));
    naive - chrono::Duration::hours(offset_hours) == want
}

#[test]
fn timestamps_of_every_unit_and_zone_are_datetime_columns() {
    let r = self_report("timestamps.parquet", &[]);
    let want = expected("timestamps.parquet");
    insta::assert_snapshot!(kinds(&r), @r#"
        naive_s: datetime datetime[ms] []
        utc_s: datetime datetime[ms, UTC] []
        naive_ms: datetime datetime[ms] []
        utc_ms: datetime datetime[ms, UTC] []
        naive_us: datetime datetime[μs] []
        utc_us: datetime datetime[μs, UTC] []
        naive_ns: datetime datetime[ns] []
        utc_ns: datetime datetime[ns, UTC] []
        amsterdam_us: datetime datetime[μs, Europe/Amsterdam] []
        offset_ms: datetime datetime[ms, Etc/GMT-5] []
        odd_offset_ms: unsupported datetime[ms, +05:30] ["unsupported_type"]
        unknown_zone_us: unsupported datetime[μs, Mars/Olympus] ["unsupported_type"]
        "#);
    for (name, w) in want.as_object().unwrap() {
        let c = column(&r, name);
        if c["kind"] == "unsupported" {
            continue;
        }
        let stats = &c["stats"]["current"];
        assert_eq!(stats["missing"], w["nulls"], "{name}");
        assert_eq!(stats["distinct"], w["distinct"], "{name}");
        assert_eq!(
            stats["count"].as_u64(),
            Some(6 - w["nulls"].as_u64().unwrap()),
            "{name}"
        );
        let (first, last) = (
            stats["first"].as_str().unwrap(),
            stats["last"].as_str().unwrap(),
        );
        assert!(
            same_instant(first, w["min_utc"].as_str().unwrap()),
            "{name}: {first} vs {}",
            w["min_utc"]
        );
        assert!(
            same_instant(last, w["max_utc"].as_str().unwrap()),
            "{name}: {last} vs {}",
            w["max_utc"]
        );
    }
}

#[test]
fn dates_times_and_durations_are_datetime_columns() {
    let r = self_report("dates_times.parquet", &[]);
    let want = expected("dates_times.parquet");
    insta::assert_snapshot!(kinds(&r), @r#"
        date32: datetime date []
        date64: datetime datetime[ms] []
        time32_s: unsupported time[s] ["unsupported_type"]
        time32_ms: datetime time []
        time64_us: datetime time []
        time64_ns: datetime time []
        duration_s: datetime duration[ms] []
        duration_ms: datetime duration[ms] []
        duration_us: datetime duration[μs] []
        duration_ns: datetime duration[ns] []
        "#);
    for (name, w) in want.as_object().unwrap() {
        let c = column(&r, name);
        if c["kind"] == "unsupported" {
            continue;
        }
        let stats = &c["stats"]["current"];
        assert_eq!(stats["missing"], w["nulls"], "{name}");
        assert_eq!(stats["distinct"], w["distinct"], "{name}");
        assert_eq!(
            stats["count"].as_u64(),
            Some(6 - w["nulls"].as_u64().unwrap()),
            "{name}"
        );
    }
}

#[test]
fn decimals_are_numerical_with_the_float_columns_numbers() {
    let r = self_report("decimals.parquet", &[]);
    let want = expected("decimals.parquet");
    insta::assert_snapshot!(kinds(&r), @r#"
        price_float: numerical f64 []
        price_9_2: numerical decimal[9,2] []
        price_18_4: numerical decimal[18,4] []
        price_38_10: numerical decimal[38,10] []
        price_50_2: numerical decimal[50,2] []
        big_60_2: numerical decimal[60,2] []
        id_38_0: numerical decimal[38,0] ["precision_loss", "precision_loss"]
        "#);
    let float_mean = column(&r, "price_float")["stats"]["current"]["mean"]
        .as_f64()
        .unwrap();
    for (name, w) in want.as_object().unwrap() {
        let c = column(&r, name);
        if c["kind"] != "numerical" {
            continue;
        }
        let summary = &c["stats"]["current"];
        for key in ["mean", "min", "max"] {
            let got = summary[key].as_f64().unwrap();
            assert!(
                close(got, w[key].as_f64().unwrap()),
                "{name} {key}: {got} vs {}",
                w[key]
            );
        }
        let rounded = w["rounded"].as_u64().unwrap();
        let losses = finding_messages(&r, "precision_loss")
            .into_iter()
            .filter(|m| m.starts_with(&format!("column `{name}`:")))
            .count();
        assert_eq!(losses, if rounded > 0 { 2 } else { 0 }, "{name}");
    }
    // 38 digits (polars' own decimals) and 50 (decoded here from 256 bits).
    for name in ["price_38_10", "price_50_2"] {
        let price = column(&r, name)["stats"]["current"]["mean"]
            .as_f64()
            .unwrap();
        assert_eq!(price, float_mean, "{name}");
    }
    insta::assert_snapshot!(finding_messages(&r, "precision_loss").join("\n"), @r#"
        column `id_38_0`: 2 reference values (e.g. `12345678901234567890123456789`) have more digits than a 64-bit float holds; statistics use the rounded values
        column `id_38_0`: 2 current values (e.g. `12345678901234567890123456789`) have more digits than a 64-bit float holds; statistics use the rounded values
        "#);
}

#[test]
fn unsigned_half_floats_and_every_string_encoding_keep_their_kind() {
    let r = self_report("numbers_strings.parquet", &[]);
    let want = expected("numbers_strings.parquet");
    insta::assert_snapshot!(kinds(&r), @r#"
        u64: categorical u64 []
        u32: categorical u32 []
        i8: categorical i8 []
        f16: numerical f16 []
        f32: numerical f32 []
        large_str: categorical str []
        dict_str: categorical cat []
        view_str: categorical str []
        flag: categorical bool []
        "#);
    for (name, w) in want.as_object().unwrap() {
        let stats = &column(&r, name)["stats"]["current"];
        assert_eq!(stats["missing"], w["nulls"], "{name}");
        assert_eq!(stats["distinct"], w["distinct"], "{name}");
    }
    // The integers as numbers: u64 beyond i64 included.
    let r = self_report("numbers_strings.parquet", &["--numerical", "u64,u32,i8"]);
    for name in ["u64", "u32", "i8", "f16", "f32"] {
        let stats = &column(&r, name)["stats"]["current"];
        for key in ["mean", "min", "max"] {
            let got = stats[key].as_f64().unwrap();
            let w = want[name][key].as_f64().unwrap();
            assert!(close(got, w), "{name} {key}: {got} vs {w}");
        }
    }
}

#[test]
fn nested_and_binary_columns_are_unsupported_and_the_rest_is_analysed() {
    let r = self_report("nested_binary.parquet", &[]);
    insta::assert_snapshot!(kinds(&r), @r#"
        id: categorical i64 []
        amount: numerical f64 []
        point: unsupported struct[2] ["unsupported_type"]
        tags: unsupported list[str] ["unsupported_type"]
        big_list: unsupported list[i32] ["unsupported_type"]
        pair: unsupported array[i32, 2] ["unsupported_type"]
        attrs: unsupported list[struct[2]] ["unsupported_type"]
        blob: unsupported binary ["unsupported_type"]
        large_blob: unsupported binary ["unsupported_type"]
        uuid: unsupported binary[16] ["unsupported_type"]
        label: categorical str []
        "#);
    insta::assert_snapshot!(finding_messages(&r, "unsupported_type").join("\n"), @r#"
        column `point` is struct[2], a type driftmend does not analyse; it was not read
        column `tags` is list[str], a type driftmend does not analyse; it was not read
        column `big_list` is list[i32], a type driftmend does not analyse; it was not read
        column `pair` is array[i32, 2], a type driftmend does not analyse; it was not read
        column `attrs` is list[struct[2]], a type driftmend does not analyse; it was not read
        column `blob` is binary, a type driftmend does not analyse; it was not read
        column `large_blob` is binary, a type driftmend does not analyse; it was not read
        column `uuid` is binary[16], a type driftmend does not analyse; it was not read
        "#);
    assert_eq!(r["reference"]["columns"], 11);
    assert_eq!(column(&r, "amount")["stats"]["current"]["mean"], 3.85);
}

#[test]
fn a_file_written_the_way_spark_writes_is_read() {
    let r = self_report("spark.parquet", &[]);
    let want = expected("spark.parquet");
    insta::assert_snapshot!(kinds(&r), @r#"
        event_id: categorical i64 []
        event_time: datetime datetime[ns] []
        amount: numerical decimal[10,2] []
        total: numerical decimal[20,2] []
        country: text str ["text_column"]
        valid_to: datetime datetime[ns] ["precision_loss", "precision_loss"]
        "#);
    // 9999-12-31 and 0001-01-01 do not fit a nanosecond timestamp.
    insta::assert_snapshot!(finding_messages(&r, "precision_loss").join("\n"), @r#"
        column `valid_to`: 2 reference values lie outside 1677-09-21..2262-04-11, the range of a nanosecond timestamp (e.g. `9999-12-31` written as INT96), and were read as its limits
        column `valid_to`: 2 current values lie outside 1677-09-21..2262-04-11, the range of a nanosecond timestamp (e.g. `9999-12-31` written as INT96), and were read as its limits
        "#);
    let time = &column(&r, "event_time")["stats"]["current"];
    assert!(same_instant(
        time["first"].as_str().unwrap(),
        want["event_time"]["min_utc"].as_str().unwrap()
    ));
    assert!(same_instant(
        time["last"].as_str().unwrap(),
        want["event_time"]["max_utc"].as_str().unwrap()
    ));
    for name in ["amount", "total"] {
        let mean = column(&r, name)["stats"]["current"]["mean"]
            .as_f64()
            .unwrap();
        assert!(
            close(mean, want[name]["mean"].as_f64().unwrap()),
            "{name}: {mean}"
        );
    }
}

#[test]
fn csv_integers_beyond_64_bits_are_floats_with_a_finding() {
    let r = self_report("wide_integers.csv", &[]);
    let want = expected("wide_integers.csv");
    let numbers = self_report("wide_integers.csv", &["--numerical", "edge_i64"]);
    insta::assert_snapshot!(kinds(&r), @r#"
        id: categorical i64 []
        huge: numerical f64 ["precision_loss", "precision_loss"]
        edge_i64: categorical i64 []
        day: datetime date []
        local_time: datetime datetime[μs] []
        offset_time: datetime datetime[μs, UTC] []
        "#);
    for name in ["huge", "edge_i64"] {
        let stats = &column(&numbers, name)["stats"]["current"];
        assert_eq!(stats["missing"], want[name]["nulls"], "{name}");
        for key in ["min", "max"] {
            let got = stats[key].as_f64().unwrap();
            assert!(
                close(got, want[name][key].as_f64().unwrap()),
                "{name} {key}: {got}"
            );
        }
    }
    insta::assert_snapshot!(finding_messages(&r, "precision_loss").join("\n"), @r#"
        column `huge`: 2 reference values (e.g. `18446744073709551615`) have more digits than a 64-bit float holds; statistics use the rounded values
        column `huge`: 2 current values (e.g. `18446744073709551615`) have more digits than a 64-bit float holds; statistics use the rounded values
        "#);
}
