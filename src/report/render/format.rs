//! Number and verdict formatting shared by the text renderers.

use crate::report::model::{ColumnReport, Report};

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
        Paint::Dim => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Thousands separators for row counts.
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
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
