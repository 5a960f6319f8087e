//! The metric paths a policy can use in `when:` and in templates, checked
//! (`check`), typed (`value_type`) and looked up in a report (`lookup`). One
//! schema serves all three, so `policy validate` accepts exactly what a run
//! can evaluate. Pure.

use super::diagnosis::Diagnosis;
use super::expr::{Type, Value};
use crate::report::model::{
    ColumnReport, ColumnStats, EstimatedPerformance, Metrics, Report, RoleDrift, METRIC_NAMES,
};
use crate::stats::cbpe::ESTIMATED_METRICS;

const DATASET: &[&str] = &[
    "drift_share",
    "drift_detected",
    "drifted_columns",
    "total_columns",
];
const COLUMN: &[&str] = &[
    "score",
    "drift_detected",
    "effect_size",
    "threshold",
    "statistic",
    "p_value_adjusted",
    "method",
    "kind",
    "missing",
    "new_categories",
    "new_category_share",
    "vanished_categories",
    "out_of_range",
    "stats",
];
const MISSING: &[&str] = &["reference", "current", "increase"];
const SIDES: &[&str] = &["reference", "current"];
const STATS: &[&str] = &[
    "count", "missing", "distinct", "mean", "std", "min", "p25", "p50", "p75", "max",
];
const QUALITY: &[&str] = &["errors", "warnings"];
const SCHEMA: &[&str] = &["missing_in_current", "new_in_current", "type_changed"];
const ROWS: &[&str] = &["reference", "current"];
const DUPLICATES: &[&str] = &["reference", "current"];
const PERFORMANCE: &[&str] = &[
    "reference",
    "current",
    "delta",
    "target_drift",
    "prediction_drift",
    "estimated",
];
/// `performance.estimated.<metric>` is the estimate; these follow it.
const ESTIMATED_FIELDS: &[&str] = &["alert", "realized", "lower_threshold", "upper_threshold"];
const MULTIVARIATE: &[&str] = &[
    "error",
    "drift_detected",
    "lower_threshold",
    "upper_threshold",
];
const ROLE_DRIFT: &[&str] = &["score", "drift_detected", "threshold"];
const INCIDENT: &[&str] = &["type"];
const ROOTS: &[&str] = &[
    "dataset",
    "column",
    "quality",
    "schema",
    "rows",
    "duplicates",
    "performance",
    "multivariate",
    "incident",
];

/// Checks a metric path's shape; with `columns`, also that a column it names
/// exists. The error says what is allowed at the first wrong segment.
pub fn check(path: &[String], columns: Option<&[String]>) -> Result<(), String> {
    let seg = |i: usize| path.get(i).map(String::as_str);
    let one_of = |i: usize, allowed: &[&str], what: &str| -> Result<(), String> {
        match seg(i) {
            Some(s) if allowed.contains(&s) => Ok(()),
            Some(s) => Err(format!(
                "unknown {what} `{s}` in `{}`; expected one of: {}",
                dotted(path),
                allowed.join(", ")
            )),
            None => Err(format!(
                "`{}` is incomplete; expected one of: {}",
                dotted(path),
                allowed.join(", ")
            )),
        }
    };
    let end = |n: usize| {
        if path.len() > n {
            Err(format!(
                "`{}` goes on after `{}`",
                dotted(path),
                path[..n].join(".")
            ))
        } else {
            Ok(())
        }
    };
    one_of(0, ROOTS, "metric")?;
    match seg(0) {
        Some("dataset") => one_of(1, DATASET, "field").and(end(2)),
        Some("quality") => one_of(1, QUALITY, "field").and(end(2)),
        Some("schema") => one_of(1, SCHEMA, "field").and(end(2)),
        Some("rows") => one_of(1, ROWS, "field").and(end(2)),
        Some("duplicates") => one_of(1, DUPLICATES, "field").and(end(2)),
        Some("incident") => one_of(1, INCIDENT, "field").and(end(2)),
        Some("multivariate") => one_of(1, MULTIVARIATE, "field").and(end(2)),
        Some("column") => {
            let name = seg(1).ok_or_else(|| {
                "`column` needs a column name, e.g. `column.income.score`".to_string()
            })?;
            if let Some(cols) = columns {
                if !cols.iter().any(|c| c == name) {
                    return Err(format!(
                        "unknown column `{name}` in `{}`{}",
                        dotted(path),
                        suggest(name, cols)
                    ));
                }
            }
            one_of(2, COLUMN, "column field")?;
            match seg(2) {
                Some("missing") => one_of(3, MISSING, "field").and(end(4)),
                Some("stats") => one_of(3, SIDES, "side")
                    .and(one_of(4, STATS, "statistic"))
                    .and(end(5)),
                _ => end(3),
            }
        }
        Some("performance") => {
            one_of(1, PERFORMANCE, "field")?;
            match seg(1) {
                Some("target_drift" | "prediction_drift") => {
                    one_of(2, ROLE_DRIFT, "field").and(end(3))
                }
                Some("estimated") => {
                    one_of(2, ESTIMATED_METRICS, "estimated metric")?;
                    if path.len() > 3 {
                        one_of(3, ESTIMATED_FIELDS, "field").and(end(4))
                    } else {
                        Ok(())
                    }
                }
                _ => one_of(2, METRIC_NAMES, "metric").and(end(3)),
            }
        }
        _ => Ok(()),
    }
}

/// The type of a path's value (which may also be null on a run without the
/// metric); `None` for a path `check` rejects. `lookup` yields exactly
/// these types.
pub fn value_type(path: &[String]) -> Option<Type> {
    check(path, None).ok()?;
    let s = |i: usize| path[i].as_str();
    Some(match s(0) {
        "dataset" if s(1) == "drift_detected" => Type::Bool,
        "incident" => Type::Text,
        "column" => match s(2) {
            "drift_detected" => Type::Bool,
            "method" | "kind" => Type::Text,
            _ => Type::Number,
        },
        "performance" if s(2) == "drift_detected" => Type::Bool,
        "performance" if path.get(3).is_some_and(|f| f == "alert") => Type::Bool,
        "multivariate" if s(1) == "drift_detected" => Type::Bool,
        _ => Type::Number,
    })
}

/// The value of a (checked) path in a report. A path that is well formed
/// but has no value in this run (a column absent, no performance section, a
/// column not tested) is `Null`.
pub fn lookup(report: &Report, diagnosis: &Diagnosis, path: &[String]) -> Value {
    if check(path, None).is_err() {
        return Value::Null;
    }
    let s = |i: usize| path[i].as_str();
    let num = |x: f64| Value::Number(x);
    let count = |n: usize| Value::Number(n as f64);
    let opt = |x: Option<f64>| x.map(Value::Number).unwrap_or(Value::Null);
    match s(0) {
        "dataset" => {
            let d = &report.dataset_drift;
            match s(1) {
                "drift_share" => num(d.share),
                "drift_detected" => Value::Bool(d.detected),
                "drifted_columns" => count(d.drifted_columns),
                _ => count(d.total_columns),
            }
        }
        "quality" => match s(1) {
            "errors" => count(report.quality.errors),
            _ => count(report.quality.warnings),
        },
        "schema" => match s(1) {
            "missing_in_current" => count(report.schema.missing_in_current.len()),
            "new_in_current" => count(report.schema.new_in_current.len()),
            _ => count(report.schema.type_changed.len()),
        },
        "rows" => match s(1) {
            "reference" => count(report.reference.rows),
            _ => count(report.current.rows),
        },
        "duplicates" => match s(1) {
            "reference" => num(report.reference.duplicated_rows),
            _ => num(report.current.duplicated_rows),
        },
        "incident" => Value::Text(diagnosis.incident.name().to_string()),
        "multivariate" => match &report.multivariate {
            None => Value::Null,
            Some(m) => match s(1) {
                "error" => num(m.error),
                "drift_detected" => Value::Bool(m.drift_detected),
                "lower_threshold" => opt(m.lower_threshold),
                _ => opt(m.upper_threshold),
            },
        },
        "column" => match report.columns.iter().find(|c| c.name == path[1]) {
            Some(c) => column_value(c, &path[2..]),
            None => Value::Null,
        },
        _ => match &report.performance {
            None => Value::Null,
            Some(p) => match s(1) {
                "target_drift" => role_value(p.target_drift.as_ref(), s(2)),
                "prediction_drift" => role_value(p.prediction_drift.as_ref(), s(2)),
                "delta" => opt(p.delta.get(s(2)).copied()),
                "estimated" => estimated_value(p.estimated.as_ref(), &path[2..]),
                side => {
                    let m = if side == "reference" {
                        &p.reference
                    } else {
                        &p.current
                    };
                    opt(m.as_ref().and_then(|m| metric(m, s(2))))
                }
            },
        },
    }
}

fn column_value(c: &ColumnReport, rest: &[String]) -> Value {
    let opt = |x: Option<f64>| x.map(Value::Number).unwrap_or(Value::Null);
    let text = |x: Option<&str>| x.map(|s| Value::Text(s.to_string())).unwrap_or(Value::Null);
    match rest[0].as_str() {
        "score" => opt(c.score),
        "drift_detected" => c.drift_detected.map(Value::Bool).unwrap_or(Value::Null),
        "effect_size" => opt(c.effect_size),
        "threshold" => opt(c.threshold),
        "statistic" => opt(c.statistic),
        "p_value_adjusted" => opt(c.p_value_adjusted),
        "method" => text(c.method.map(|m| m.name())),
        "kind" => text(Some(c.kind.name())),
        "missing" => match rest[1].as_str() {
            "reference" => opt(c.missing.reference),
            "current" => opt(c.missing.current),
            _ => opt(c
                .missing
                .current
                .zip(c.missing.reference)
                .map(|(cur, r)| cur - r)),
        },
        "new_categories" => opt(c.categories.as_ref().map(|x| x.new.count as f64)),
        "new_category_share" => opt(c.categories.as_ref().map(|x| x.new.share)),
        "vanished_categories" => opt(c.categories.as_ref().map(|x| x.vanished_count as f64)),
        "out_of_range" => opt(c.out_of_range),
        _ => {
            let side = if rest[1] == "reference" {
                &c.stats.reference
            } else {
                &c.stats.current
            };
            opt(side.as_ref().and_then(|st| stat(st, &rest[2])))
        }
    }
}

fn stat(st: &ColumnStats, name: &str) -> Option<f64> {
    let summary = st.summary.as_ref();
    match name {
        "count" => Some(st.count as f64),
        "missing" => Some(st.missing as f64),
        "distinct" => Some(st.distinct as f64),
        "mean" => summary.map(|s| s.mean),
        "std" => summary.and_then(|s| s.std),
        "min" => summary.map(|s| s.min),
        "p25" => summary.map(|s| s.p25),
        "p50" => summary.map(|s| s.p50),
        "p75" => summary.map(|s| s.p75),
        _ => summary.map(|s| s.max),
    }
}

fn metric(m: &Metrics, name: &str) -> Option<f64> {
    m.values()
        .into_iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| v)
}

fn estimated_value(e: Option<&EstimatedPerformance>, rest: &[String]) -> Value {
    let Some(m) = e.and_then(|e| e.metrics.iter().find(|m| m.metric == rest[0])) else {
        return Value::Null;
    };
    let opt = |x: Option<f64>| x.map(Value::Number).unwrap_or(Value::Null);
    match rest.get(1).map(String::as_str) {
        None => opt(m.value),
        Some("alert") => Value::Bool(m.alert),
        Some("realized") => opt(m.realized),
        Some("lower_threshold") => opt(m.lower_threshold),
        Some(_) => opt(m.upper_threshold),
    }
}

fn role_value(r: Option<&RoleDrift>, field: &str) -> Value {
    let Some(r) = r else { return Value::Null };
    let opt = |x: Option<f64>| x.map(Value::Number).unwrap_or(Value::Null);
    match field {
        "score" => opt(r.score),
        "threshold" => opt(r.threshold),
        _ => r.drift_detected.map(Value::Bool).unwrap_or(Value::Null),
    }
}

fn dotted(path: &[String]) -> String {
    path.join(".")
}

/// ` (did you mean `income`?)` when a known name is within two edits (a
/// swap of neighbours is one, as in the policy loader).
pub fn suggest(name: &str, known: &[String]) -> String {
    known
        .iter()
        .map(|k| (strsim::osa_distance(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn valid_paths() {
        let cols = vec!["income".to_string(), "tenure_days".to_string()];
        for ok in [
            "dataset.drift_share",
            "quality.errors",
            "column.tenure_days.missing.current",
            "column.income.stats.current.mean",
            "column.income.new_categories",
            "performance.delta.accuracy",
            "performance.prediction_drift.drift_detected",
            "incident.type",
            "schema.missing_in_current",
            "performance.estimated.accuracy",
            "performance.estimated.roc_auc.alert",
            "multivariate.error",
            "multivariate.drift_detected",
        ] {
            assert_eq!(check(&p(ok), Some(&cols)), Ok(()), "{ok}");
        }
    }

    #[test]
    fn invalid_paths_say_what_is_allowed() {
        let cols = vec!["income".to_string()];
        let err = check(&p("dataset.drift"), Some(&cols)).unwrap_err();
        assert!(
            err.starts_with(
                "unknown field `drift` in `dataset.drift`; expected one of: drift_share"
            ),
            "{err}"
        );
        let err = check(&p("column.incme.score"), Some(&cols)).unwrap_err();
        assert_eq!(
            err,
            "unknown column `incme` in `column.incme.score` (did you mean `income`?)"
        );
        assert!(check(&p("column.income.missing"), Some(&cols))
            .unwrap_err()
            .contains("incomplete"));
        assert!(check(&p("quality.errors.count"), None)
            .unwrap_err()
            .contains("goes on after"));
        assert!(check(&p("datasets.x"), None)
            .unwrap_err()
            .contains("unknown metric `datasets`"));
        assert!(check(&p("performance.estimated.log_loss"), None)
            .unwrap_err()
            .starts_with("unknown estimated metric `log_loss`"));
        assert!(check(&p("performance.estimated.f1.alert.x"), None)
            .unwrap_err()
            .contains("goes on after"));
        assert!(check(&p("multivariate"), None)
            .unwrap_err()
            .contains("incomplete"));
        // Without a column list any name is accepted.
        assert_eq!(check(&p("column.whatever.score"), None), Ok(()));
    }

    #[test]
    fn suggestions_are_within_two_edits_nearest_first() {
        let known: Vec<String> = ["income", "incomes", "age", "état"]
            .map(String::from)
            .to_vec();
        let cases = [
            ("incme", " (did you mean `income`?)"),
            // A swap of neighbours is one edit.
            ("icnome", " (did you mean `income`?)"),
            ("incomess", " (did you mean `incomes`?)"),
            ("etat", " (did you mean `état`?)"),
            ("salary", ""),
            ("", ""),
        ];
        for (name, expected) in cases {
            assert_eq!(suggest(name, &known), expected, "{name}");
        }
    }

    /// Every path the catalogue accepts, with the columns of `report`.
    fn every_path(report: &Report) -> Vec<Vec<String>> {
        let mut paths: Vec<Vec<&str>> = Vec::new();
        for (root, fields) in [
            ("dataset", DATASET),
            ("quality", QUALITY),
            ("schema", SCHEMA),
            ("rows", ROWS),
            ("duplicates", DUPLICATES),
            ("incident", INCIDENT),
        ] {
            paths.extend(fields.iter().map(|f| vec![root, f]));
        }
        for c in &report.columns {
            for &field in COLUMN {
                match field {
                    "missing" => {
                        paths.extend(MISSING.iter().map(|m| vec!["column", &c.name, field, m]))
                    }
                    "stats" => {
                        for side in SIDES {
                            paths.extend(
                                STATS
                                    .iter()
                                    .map(|st| vec!["column", &c.name, field, side, st]),
                            );
                        }
                    }
                    _ => paths.push(vec!["column", &c.name, field]),
                }
            }
        }
        for &field in PERFORMANCE {
            let leaves = match field {
                "target_drift" | "prediction_drift" => ROLE_DRIFT,
                "estimated" => ESTIMATED_METRICS,
                _ => METRIC_NAMES,
            };
            paths.extend(leaves.iter().map(|l| vec!["performance", field, l]));
        }
        for &m in ESTIMATED_METRICS {
            paths.extend(
                ESTIMATED_FIELDS
                    .iter()
                    .map(|f| vec!["performance", "estimated", m, f]),
            );
        }
        paths.extend(MULTIVARIATE.iter().map(|f| vec!["multivariate", f]));
        paths
            .into_iter()
            .map(|p| p.into_iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn lookup_yields_the_type_value_type_gives() {
        use crate::report::render::sample;
        let mut seen = std::collections::HashSet::new();
        for report in [sample::drifted(), sample::healthy()] {
            let diagnosis = crate::policy::diagnosis::diagnose(&report);
            for path in every_path(&report) {
                let dotted = path.join(".");
                let declared = value_type(&path);
                assert!(declared.is_some(), "no type for `{dotted}`");
                let value = lookup(&report, &diagnosis, &path);
                match value.type_of() {
                    None => {}
                    found => {
                        assert_eq!(found, declared, "`{dotted}` is {value:?}");
                        seen.extend(found);
                    }
                }
            }
        }
        // The samples exercise every type.
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert_eq!(value_type(&p("dataset.drift")), None);
        assert_eq!(value_type(&p("column.income")), None);
    }
}
