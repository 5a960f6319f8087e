//! Number and verdict formatting shared by the text renderers.

use crate::report::model::{ColumnReport, Metrics, Performance, Report, Task, METRIC_NAMES};

/// A score short enough for a table: p-values near zero in scientific
/// notation, everything else to 4 decimals.
pub fn fmt_score(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.2e}")
    } else {
        format!("{x:.4}")
    }
}

/// A share as a percentage with one decimal.
pub fn fmt_share(x: f64) -> String {
    crate::quality::percent(x)
}

/// The one-line verdict that opens every text report.
pub fn headline(report: &Report) -> (bool, String) {
    let d = &report.dataset_drift;
    let text = if d.total_columns == 0 {
        "No columns could be tested for drift".to_string()
    } else if d.detected {
        format!(
            "Dataset drift detected: {} of {} columns drifted ({} >= {})",
            d.drifted_columns,
            d.total_columns,
            fmt_share(d.share),
            fmt_share(d.threshold)
        )
    } else {
        format!(
            "No dataset drift: {} of {} columns drifted ({} < {})",
            d.drifted_columns,
            d.total_columns,
            fmt_share(d.share),
            fmt_share(d.threshold)
        )
    };
    (d.detected, text)
}

/// Columns in display order: drifted first, then tested, then untested;
/// file order within each group.
pub fn display_order(report: &Report) -> Vec<&ColumnReport> {
    let mut cols: Vec<&ColumnReport> = report.columns.iter().collect();
    cols.sort_by_key(|c| match c.drift_detected {
        Some(true) => 0,
        Some(false) => 1,
        None => 2,
    });
    cols
}

/// `1.0% -> 2.0%`, with `-` for a missing side.
pub fn missing_pair(c: &ColumnReport) -> String {
    let side = |m: Option<f64>| m.map(fmt_share).unwrap_or_else(|| "-".to_string());
    format!(
        "{} -> {}",
        side(c.missing.reference),
        side(c.missing.current)
    )
}

/// ANSI colours for text outside tables; plain text when `on` is false.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Red,
    Green,
    Yellow,
    Bold,
    Dim,
}

pub fn paint(text: &str, paint: Paint, on: bool) -> String {
    if !on {
        return text.to_string();
    }
    let code = match paint {
        Paint::Red => "1;31",
        Paint::Green => "32",
        Paint::Yellow => "33",
        Paint::Bold => "1",
        Paint::Dim => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The threshold cell: the adjusted raw-p threshold when a correction
/// applied (marked), else the column's threshold.
pub fn threshold_cell(c: &ColumnReport) -> String {
    match (c.adjusted_threshold, c.threshold) {
        (Some(adj), _) => format!("{} (adj.)", fmt_score(adj)),
        (None, Some(t)) => fmt_score(t),
        _ => "-".to_string(),
    }
}

/// The effect cell: with the two gates, the effect against its threshold
/// (`0.1235 >= 0.05`, `0.0100 < 0.015`, a `*` marking a calibrated one);
/// else the column's common-scale effect size.
pub fn effect_cell(c: &ColumnReport) -> String {
    match c.gates.as_ref().and_then(|g| g.effect.as_ref()) {
        Some(e) => format!(
            "{} {} {}{}",
            fmt_score(e.value),
            if e.passed { ">=" } else { "<" },
            fmt_bar(e.threshold),
            if e.calibrated.is_some_and(|q| q > e.floor) {
                "*"
            } else {
                ""
            }
        ),
        None => c
            .effect_size
            .map(fmt_score)
            .unwrap_or_else(|| "-".to_string()),
    }
}

/// A threshold without trailing zeros: `0.05`, `0.015`, `0.1234`.
pub fn fmt_bar(x: f64) -> String {
    let s = fmt_score(x);
    if s.contains('e') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Under a table of two-gate verdicts: what DRIFT means, in one line.
pub fn gates_legend(report: &Report) -> Option<String> {
    if !report.options.preset.two_gates() {
        return None;
    }
    let adjusted = match report.options.correction.method {
        crate::report::model::Correction::None => "p-value",
        crate::report::model::Correction::Bonferroni => "Bonferroni-adjusted p-value",
        crate::report::model::Correction::Bh => "BH-adjusted p-value",
    };
    let calibrated = if report.options.calibrate.is_some() {
        " (* calibrated on the reference)"
    } else {
        ""
    };
    Some(format!(
        "DRIFT = two-sample test significant ({adjusted} < threshold) and effect >= its threshold{calibrated}"
    ))
}

/// The verdict word of a column.
pub fn verdict(c: &ColumnReport) -> &'static str {
    let small = c.small_effect
        || c.gates.as_ref().is_some_and(|g| {
            g.test.as_ref().is_some_and(|t| t.passed)
                && g.effect.as_ref().is_some_and(|e| !e.passed)
        });
    match c.drift_detected {
        Some(true) => "DRIFT",
        Some(false) if small => "ok (small effect)",
        Some(false) => "ok",
        None => "not tested",
    }
}

/// Rows of the performance table: metric, reference, current, delta.
pub fn performance_rows(p: &Performance) -> Vec<[String; 4]> {
    let side = |m: &Option<Metrics>| m.as_ref().map(|m| m.values()).unwrap_or_default();
    let (r, c) = (side(&p.reference), side(&p.current));
    let mut names: Vec<&str> = r
        .iter()
        .chain(&c)
        .map(|(n, _)| *n)
        .filter(|n| *n != "rows")
        .collect();
    names.sort_by_key(|n| METRIC_NAMES.iter().position(|m| m == n));
    names.dedup();
    let get = |values: &[(&str, Option<f64>)], n: &str| {
        values
            .iter()
            .find(|(k, _)| *k == n)
            .and_then(|(_, v)| *v)
            .map(|v| format!("{v:.4}"))
            .unwrap_or_else(|| "-".into())
    };
    names
        .iter()
        .map(|n| {
            let delta = p
                .delta
                .get(*n)
                .map(|d| format!("{d:+.4}"))
                .unwrap_or_else(|| "-".into());
            [n.to_string(), get(&r, n), get(&c, n), delta]
        })
        .collect()
}

/// `Performance (classification; target `y`, prediction `p`)`.
pub fn performance_title(p: &Performance) -> String {
    let task = match p.task {
        Some(Task::Classification) => "classification",
        Some(Task::Regression) => "regression",
        None => "no task",
    };
    let mut parts = vec![task.to_string()];
    if let Some(t) = &p.target {
        parts.push(format!("target `{t}`"));
    }
    if let Some(pr) = &p.prediction {
        parts.push(format!("prediction `{pr}`"));
    }
    format!("Performance ({})", parts.join(", "))
}

/// Thousands separators for row counts.
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(fmt_score(0.0), "0.0000");
        assert_eq!(fmt_score(0.00001234), "1.23e-5");
        assert_eq!(fmt_score(0.12345), "0.1235");
        assert_eq!(fmt_count(1_234_567), "1,234,567");
        assert_eq!(fmt_count(999), "999");
    }
}
