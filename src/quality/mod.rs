//! Data-quality checks on plain values: schema breaks, missing values,
//! constant columns, new and vanished categories, out-of-range values,
//! duplicated rows. Pure: no IO, no polars; each check returns findings.

use crate::data::Family;
use crate::report::model::{
    CategoryChanges, Finding, FindingCode, NewCategories, SchemaDiff, Severity, TypeChange,
};

/// Limits that turn an observation into a finding.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct QualitySettings {
    /// Warn when a column's missing share grows by at least this much
    /// (absolute, e.g. 0.05 = five percentage points).
    pub missing_increase: f64,
    /// Warn when at least this share of current values lies outside the
    /// reference min..max.
    pub out_of_range: f64,
    /// Warn when the duplicated-row share grows by at least this much.
    pub duplicated_increase: f64,
}

impl Default for QualitySettings {
    fn default() -> Self {
        QualitySettings {
            missing_increase: 0.05,
            out_of_range: 0.01,
            duplicated_increase: 0.05,
        }
    }
}

/// How many examples a finding lists.
pub const EXAMPLES: usize = 5;

pub fn finding(
    severity: Severity,
    code: FindingCode,
    column: Option<&str>,
    message: String,
) -> Finding {
    Finding {
        severity,
        code,
        column: column.map(str::to_string),
        message,
    }
}

/// One column's type on each side, by name; `None` where absent.
pub struct ColumnTypes<'a> {
    pub name: &'a str,
    pub reference: Option<(&'a str, Family)>,
    pub current: Option<(&'a str, Family)>,
}

/// Compares the two schemas. `columns` gives each selected column's dtype
/// name and family, per side. A dropped column and a type change between
/// families are errors (a model fed this data breaks); a new column, or a
/// change within numbers (int <-> float) or labels (str <-> categorical), is
/// a warning.
pub fn schema(columns: &[ColumnTypes<'_>]) -> (SchemaDiff, Vec<Finding>) {
    let mut diff = SchemaDiff::default();
    let mut findings = Vec::new();
    for c in columns {
        match (c.reference, c.current) {
            (Some(_), None) => {
                diff.missing_in_current.push(c.name.to_string());
                findings.push(finding(
                    Severity::Error,
                    FindingCode::ColumnMissing,
                    Some(c.name),
                    format!(
                        "column `{}` is in the reference but missing from the current data",
                        c.name
                    ),
                ));
            }
            (None, Some(_)) => {
                diff.new_in_current.push(c.name.to_string());
                findings.push(finding(
                    Severity::Warning,
                    FindingCode::ColumnAdded,
                    Some(c.name),
                    format!(
                        "column `{}` is new in the current data (not in the reference)",
                        c.name
                    ),
                ));
            }
            (Some((rt, rf)), Some((ct, cf))) if rt != ct => {
                diff.type_changed.push(TypeChange {
                    column: c.name.to_string(),
                    reference: rt.to_string(),
                    current: ct.to_string(),
                });
                let widening = rf.comparable(cf);
                findings.push(finding(
                    if widening {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    FindingCode::TypeChanged,
                    Some(c.name),
                    if widening {
                        format!(
                            "column `{}` changed type from {rt} to {ct}; still compared",
                            c.name
                        )
                    } else {
                        format!(
                            "column `{}` changed type from {rt} to {ct}; drift not tested",
                            c.name
                        )
                    },
                ));
            }
            _ => {}
        }
    }
    (diff, findings)
}

/// Missing-value checks for one column: entirely missing on a side, or a
/// jump in the missing share. Shares are of all rows.
pub fn missing(
    name: &str,
    reference: Option<f64>,
    current: Option<f64>,
    s: &QualitySettings,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(cur) = current {
        if cur >= 1.0 {
            // A feature that arrives empty is as broken as a dropped one when
            // the reference had values.
            let broken = reference.is_some_and(|r| r < 1.0);
            out.push(finding(
                if broken {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                FindingCode::AllMissing,
                Some(name),
                format!("column `{name}` is entirely missing in the current data"),
            ));
            return out;
        }
        if let Some(r) = reference {
            if cur - r >= s.missing_increase {
                out.push(finding(
                    Severity::Warning,
                    FindingCode::MissingIncrease,
                    Some(name),
                    format!(
                        "column `{name}`: missing values rose from {} to {}",
                        percent(r),
                        percent(cur)
                    ),
                ));
            }
        }
    }
    if reference.is_some_and(|r| r >= 1.0) {
        out.push(finding(
            Severity::Warning,
            FindingCode::AllMissing,
            Some(name),
            format!("column `{name}` is entirely missing in the reference data"),
        ));
    }
    out
}

/// A column with one distinct non-missing value carries no information.
pub fn constant(name: &str, side: &str, distinct: usize, count: usize) -> Option<Finding> {
    (distinct == 1 && count > 1).then(|| {
        finding(
            Severity::Warning,
            FindingCode::Constant,
            Some(name),
            format!("column `{name}` is constant in the {side} data"),
        )
    })
}

/// Categories new in current and vanished from it. `reference` and
/// `current` are (label, count) pairs over non-missing values.
pub fn categories(
    name: &str,
    reference: &[(String, u64)],
    current: &[(String, u64)],
) -> (CategoryChanges, Vec<Finding>) {
    use std::collections::HashMap;
    let ref_set: HashMap<&str, u64> = reference.iter().map(|(l, n)| (l.as_str(), *n)).collect();
    let cur_set: HashMap<&str, u64> = current.iter().map(|(l, n)| (l.as_str(), *n)).collect();
    let cur_total: u64 = current.iter().map(|(_, n)| n).sum();

    let mut new: Vec<(&str, u64)> = current
        .iter()
        .filter(|(l, _)| !ref_set.contains_key(l.as_str()))
        .map(|(l, n)| (l.as_str(), *n))
        .collect();
    new.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let new_rows: u64 = new.iter().map(|(_, n)| n).sum();
    let mut vanished: Vec<(&str, u64)> = reference
        .iter()
        .filter(|(l, _)| !cur_set.contains_key(l.as_str()))
        .map(|(l, n)| (l.as_str(), *n))
        .collect();
    vanished.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));

    let changes = CategoryChanges {
        new: NewCategories {
            count: new.len(),
            share: if cur_total == 0 {
                0.0
            } else {
                new_rows as f64 / cur_total as f64
            },
            examples: new
                .iter()
                .take(EXAMPLES)
                .map(|(l, _)| l.to_string())
                .collect(),
        },
        vanished: vanished
            .iter()
            .take(EXAMPLES)
            .map(|(l, _)| l.to_string())
            .collect(),
        vanished_count: vanished.len(),
    };
    let mut findings = Vec::new();
    if !new.is_empty() {
        findings.push(finding(
            Severity::Warning,
            FindingCode::NewCategories,
            Some(name),
            format!(
                "column `{name}`: {} new {} in {} of current rows ({})",
                new.len(),
                plural(new.len(), "category", "categories"),
                percent(changes.new.share),
                quoted(&changes.new.examples, new.len()),
            ),
        ));
    }
    if !vanished.is_empty() {
        findings.push(finding(
            Severity::Warning,
            FindingCode::VanishedCategories,
            Some(name),
            format!(
                "column `{name}`: {} reference {} absent from the current data ({})",
                vanished.len(),
                plural(vanished.len(), "category is", "categories are"),
                quoted(&changes.vanished, vanished.len()),
            ),
        ));
    }
    (changes, findings)
}

/// Share of `current` (sorted) outside `[min, max]` of the reference.
pub fn out_of_range_share(min: f64, max: f64, current_sorted: &[f64]) -> f64 {
    if current_sorted.is_empty() {
        return 0.0;
    }
    let below = current_sorted.partition_point(|&v| v < min);
    let above = current_sorted.len() - current_sorted.partition_point(|&v| v <= max);
    (below + above) as f64 / current_sorted.len() as f64
}

pub fn out_of_range(
    name: &str,
    share: f64,
    min: f64,
    max: f64,
    s: &QualitySettings,
) -> Option<Finding> {
    (share > 0.0 && share >= s.out_of_range).then(|| {
        finding(
            Severity::Warning,
            FindingCode::OutOfRange,
            Some(name),
            format!(
                "column `{name}`: {} of current values lie outside the reference range {}..{}",
                percent(share),
                number(min),
                number(max)
            ),
        )
    })
}

pub fn infinite(name: &str, side: &str, count: usize) -> Option<Finding> {
    (count > 0).then(|| {
        finding(
            Severity::Warning,
            FindingCode::InfiniteValues,
            Some(name),
            format!("column `{name}` has {count} infinite {} in the {side} data (left out of drift tests)", plural(count, "value", "values")),
        )
    })
}

/// `selected`: rows were compared over the selected columns only
/// (`--columns`/`--exclude`), not every column of the files.
pub fn duplicated_rows(
    reference: f64,
    current: f64,
    selected: bool,
    s: &QualitySettings,
) -> Option<Finding> {
    (current - reference >= s.duplicated_increase).then(|| {
        finding(
            Severity::Warning,
            FindingCode::DuplicatedRows,
            None,
            format!(
                "duplicated rows rose from {} of the reference to {} of the current data{}",
                percent(reference),
                percent(current),
                if selected {
                    " (rows compared over the selected columns)"
                } else {
                    ""
                }
            ),
        )
    })
}

/// A column of a type driftmend does not analyse (struct, list, map,
/// binary, ...): listed, never read.
pub fn unsupported_type(name: &str, dtype: &str) -> Finding {
    finding(
        Severity::Warning,
        FindingCode::UnsupportedType,
        Some(name),
        format!("column `{name}` is {dtype}, a type driftmend does not analyse; it was not read"),
    )
}

/// Timestamps of one side beyond what a nanosecond timestamp holds, read
/// at its limits (INT96 dates such as `0001-01-01` or `9999-12-31`).
pub fn clamped_timestamps(name: &str, side: &str, count: usize) -> Finding {
    let values = if count == 1 {
        "value lies"
    } else {
        "values lie"
    };
    finding(
        Severity::Warning,
        FindingCode::PrecisionLoss,
        Some(name),
        format!(
            "column `{name}`: {count} {side} {values} outside 1677-09-21..2262-04-11, the range of a nanosecond timestamp (e.g. `9999-12-31` written as INT96), and were read as its limits"
        ),
    )
}

/// Values of one side that reading them as 64-bit floats rounded (a
/// decimal or an integer with more digits than a float holds).
pub fn precision_loss(name: &str, side: &str, count: usize, example: &str) -> Finding {
    let (values, have) = if count == 1 {
        ("value", "has")
    } else {
        ("values", "have")
    };
    finding(
        Severity::Warning,
        FindingCode::PrecisionLoss,
        Some(name),
        format!(
            "column `{name}`: {count} {side} {values} (e.g. `{example}`) {have} more digits than a 64-bit float holds; statistics use the rounded values"
        ),
    )
}

/// `0.1234` -> `12.3%`, with small non-zero shares kept visible.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 0.1 {
        "<0.1%".to_string()
    } else {
        format!("{p:.1}%")
    }
}

/// A number shown in a message: short, without trailing zeros.
pub fn number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn quoted(examples: &[String], total: usize) -> String {
    let mut s = examples
        .iter()
        .map(|e| format!("\"{e}\""))
        .collect::<Vec<_>>()
        .join(", ");
    if total > examples.len() {
        s.push_str(&format!(", ... {} more", total - examples.len()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(l, n)| (l.to_string(), *n)).collect()
    }

    #[test]
    fn schema_breaks_are_errors_and_additions_warnings() {
        let cols = [
            ColumnTypes {
                name: "a",
                reference: Some(("i64", Family::Integer)),
                current: None,
            },
            ColumnTypes {
                name: "b",
                reference: None,
                current: Some(("str", Family::String)),
            },
            ColumnTypes {
                name: "c",
                reference: Some(("i64", Family::Integer)),
                current: Some(("str", Family::String)),
            },
            ColumnTypes {
                name: "d",
                reference: Some(("i64", Family::Integer)),
                current: Some(("f64", Family::Float)),
            },
            ColumnTypes {
                name: "e",
                reference: Some(("f64", Family::Float)),
                current: Some(("f64", Family::Float)),
            },
            ColumnTypes {
                name: "f",
                reference: Some(("str", Family::String)),
                current: Some(("cat", Family::Categorical)),
            },
        ];
        let (diff, findings) = schema(&cols);
        assert_eq!(diff.missing_in_current, ["a"]);
        assert_eq!(diff.new_in_current, ["b"]);
        assert_eq!(diff.type_changed.len(), 3);
        let sev: Vec<_> = findings
            .iter()
            .map(|f| (f.column.as_deref().unwrap(), f.severity))
            .collect();
        assert_eq!(
            sev,
            [
                ("a", Severity::Error),
                ("b", Severity::Warning),
                ("c", Severity::Error),
                ("d", Severity::Warning),
                ("f", Severity::Warning)
            ]
        );
    }

    #[test]
    fn missing_spike_and_all_missing() {
        let s = QualitySettings::default();
        assert!(missing("x", Some(0.01), Some(0.02), &s).is_empty());
        let spike = missing("x", Some(0.01), Some(0.2), &s);
        assert_eq!(spike[0].code, FindingCode::MissingIncrease);
        assert_eq!(
            spike[0].message,
            "column `x`: missing values rose from 1.0% to 20.0%"
        );
        let empty = missing("x", Some(0.0), Some(1.0), &s);
        assert_eq!(
            (empty[0].code, empty[0].severity),
            (FindingCode::AllMissing, Severity::Error)
        );
        let always_empty = missing("x", Some(1.0), Some(1.0), &s);
        assert_eq!(always_empty[0].severity, Severity::Warning);
    }

    #[test]
    fn new_and_vanished_categories() {
        let r = counts(&[("DE", 10), ("FR", 5), ("US", 20)]);
        let c = counts(&[("BR", 3), ("DE", 10), ("IN", 7), ("US", 20)]);
        let (changes, findings) = categories("country", &r, &c);
        assert_eq!(changes.new.count, 2);
        assert_eq!(changes.new.examples, ["IN", "BR"]);
        assert!((changes.new.share - 0.25).abs() < 1e-12);
        assert_eq!(changes.vanished, ["FR"]);
        assert_eq!(findings.len(), 2);
        assert_eq!(
            findings[0].message,
            "column `country`: 2 new categories in 25.0% of current rows (\"IN\", \"BR\")"
        );
    }

    #[test]
    fn out_of_range_counts_both_tails() {
        let cur = [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0];
        assert!((out_of_range_share(0.0, 1.0, &cur) - 0.5).abs() < 1e-12);
        assert_eq!(out_of_range_share(0.0, 1.0, &[]), 0.0);
        assert!(out_of_range("x", 0.005, 0.0, 1.0, &QualitySettings::default()).is_none());
        assert!(out_of_range("x", 0.5, 0.0, 1.0, &QualitySettings::default()).is_some());
    }

    #[test]
    fn formatting() {
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(0.0004), "<0.1%");
        assert_eq!(number(18.0), "18");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(2.5), "2.5");
    }
}
