//! Number and verdict formatting shared by the text renderers.

use crate::report::model::{
    ColumnReport, EstimatedPerformance, Metrics, Multivariate, Performance, Report, Task,
    METRIC_NAMES,
};

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

/// The verdict word of a column.
pub fn verdict(c: &ColumnReport) -> &'static str {
    match c.drift_detected {
        Some(true) => "DRIFT",
        Some(false) if c.small_effect => "ok (small effect)",
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

/// Column headers of the estimated-performance table.
pub const ESTIMATED_HEADER: [&str; 6] = [
    "Metric",
    "Estimated",
    "Band (3 SE)",
    "Thresholds",
    "Realized",
    "Alert",
];

/// Rows of the estimated-performance table, one per metric.
pub fn estimated_rows(e: &EstimatedPerformance) -> Vec<[String; 6]> {
    let v = |x: Option<f64>| x.map(|x| format!("{x:.4}")).unwrap_or_else(|| "-".into());
    e.metrics
        .iter()
        .map(|m| {
            [
                m.metric.clone(),
                v(m.value),
                range(m.lower_confidence_bound, m.upper_confidence_bound),
                range(m.lower_threshold, m.upper_threshold),
                v(m.realized),
                if m.alert { "ALERT" } else { "ok" }.to_string(),
            ]
        })
        .collect()
}

/// `0.6123 .. 0.7001`, `-` for a missing end.
pub fn range(lo: Option<f64>, hi: Option<f64>) -> String {
    let v = |x: Option<f64>| x.map(|x| format!("{x:.4}")).unwrap_or_else(|| "-".into());
    format!("{} .. {}", v(lo), v(hi))
}

/// `Estimated performance (CBPE, calibrated; positive `1`, 1,000 current rows)`.
pub fn estimated_title(e: &EstimatedPerformance) -> String {
    format!(
        "Estimated performance (CBPE, {}; positive `{}`, {} current rows, {} reference chunks)",
        if e.calibrated {
            "isotonic calibration"
        } else {
            "scores used as probabilities"
        },
        e.positive_label,
        fmt_count(e.current_rows),
        e.reference_chunks.len()
    )
}

/// The multivariate verdict in one line.
pub fn multivariate_line(m: &Multivariate) -> String {
    format!(
        "{}: reconstruction error {:.4} (thresholds {}); {} features, {} components explain {}",
        if m.drift_detected {
            "Multivariate drift detected"
        } else {
            "No multivariate drift"
        },
        m.error,
        range(m.lower_threshold, m.upper_threshold),
        m.features.len(),
        m.components,
        fmt_share(m.explained_variance)
    )
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
