//! Number and verdict formatting shared by the text renderers.

use crate::report::model::{
    ColumnReport, EstimatedPerformance, FindingCode, Metrics, Multivariate, Performance, Report,
    Severity, Task, METRIC_NAMES,
};
use crate::stats::{Method, ScoreKind};

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

/// The overall verdict of a report: its worst finding. Ordered from best to
/// worst, so `max` picks the headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Nothing to report.
    Ok,
    /// Quality warnings, or no column could be tested for drift.
    Warnings,
    /// Dataset drift detected.
    Drift,
    /// Error-severity quality findings (an emptied column, ...).
    QualityError,
    /// A column missing from current or whose type changed.
    SchemaBreak,
}

impl Status {
    /// The short word of a badge: `OK`, `WARNINGS`, `DRIFT`, `ERRORS`,
    /// `SCHEMA BREAK`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warnings => "WARNINGS",
            Status::Drift => "DRIFT",
            Status::QualityError => "ERRORS",
            Status::SchemaBreak => "SCHEMA BREAK",
        }
    }

    /// Worse than warnings: what a person must act on.
    pub fn is_failure(self) -> bool {
        self >= Status::Drift
    }
}

/// The worst finding of a report: schema break > quality error > drift >
/// warnings > ok.
pub fn status(report: &Report) -> Status {
    if schema_errors(report, FindingCode::ColumnMissing)
        + schema_errors(report, FindingCode::TypeChanged)
        > 0
    {
        Status::SchemaBreak
    } else if report.quality.errors > 0 {
        Status::QualityError
    } else if report.dataset_drift.detected {
        Status::Drift
    } else if report.quality.warnings > 0 || report.dataset_drift.total_columns == 0 {
        Status::Warnings
    } else {
        Status::Ok
    }
}

/// The one-line verdict that opens every text report: the worst finding
/// first, then the drift result, then what else was found.
pub fn headline(report: &Report) -> (Status, String) {
    let status = status(report);
    let q = &report.quality;
    let drift_phrase = |capital: bool| {
        let text = drift_headline(report);
        if capital {
            text
        } else {
            let mut chars = text.chars();
            chars
                .next()
                .map(|c| c.to_lowercase().chain(chars).collect())
                .unwrap_or_default()
        }
    };
    let warnings = (q.warnings > 0).then(|| plural(q.warnings, "quality warning"));
    let mut parts = Vec::new();
    match status {
        Status::SchemaBreak => {
            let mut what = Vec::new();
            let missing = schema_errors(report, FindingCode::ColumnMissing);
            if missing > 0 {
                what.push(plural(missing, "column") + " missing");
            }
            let retyped = schema_errors(report, FindingCode::TypeChanged);
            if retyped > 0 {
                what.push(plural(retyped, "column") + " changed type");
            }
            parts.push(format!("Schema break: {}", what.join(", ")));
            if q.errors > 0 {
                parts.push(plural(q.errors, "quality error"));
            }
            parts.push(drift_phrase(false));
            parts.extend(warnings);
        }
        Status::QualityError => {
            parts.push(format!("Quality errors: {}", plural(q.errors, "error")));
            parts.push(drift_phrase(false));
            parts.extend(warnings);
        }
        Status::Drift | Status::Warnings | Status::Ok => {
            parts.push(drift_phrase(true));
            parts.extend(warnings);
        }
    }
    (status, parts.join("; "))
}

/// Error-severity findings of one schema code (a type change within a
/// family, int to float, is only a warning and no break).
fn schema_errors(report: &Report, code: FindingCode) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.code == code && f.severity == Severity::Error)
        .count()
}

/// The drift result alone: `Dataset drift detected: 2 of 3 columns drifted
/// (66.7% >= 50.0%)`.
pub fn drift_headline(report: &Report) -> String {
    let d = &report.dataset_drift;
    if d.total_columns == 0 {
        return "No columns could be tested for drift".to_string();
    }
    format!(
        "{}: {} of {} columns drifted ({} {} {})",
        if d.detected {
            "Dataset drift detected"
        } else {
            "No dataset drift"
        },
        d.drifted_columns,
        d.total_columns,
        fmt_share(d.share),
        if d.detected { ">=" } else { "<" },
        fmt_share(d.threshold)
    )
}

/// `1 column`, `2 columns`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// How bad a column is, worst first: an error finding (a schema break, an
/// emptied column), drift, a warning, ok, not tested.
pub fn column_severity(c: &ColumnReport) -> u8 {
    let worst = c.findings.iter().map(|f| f.severity).max();
    match (worst, c.drift_detected) {
        (Some(Severity::Error), _) => 0,
        (_, Some(true)) => 1,
        (Some(Severity::Warning), _) => 2,
        (None, Some(false)) => 3,
        (None, None) => 4,
    }
}

/// How far a column's score is past (or short of) its threshold, on one
/// scale for every method: larger is more drifted. A distance compares as
/// `score / threshold`, a p-value as `threshold / p`.
pub fn drift_margin(c: &ColumnReport) -> Option<f64> {
    let (score, threshold) = (c.p_value_adjusted.or(c.score)?, c.threshold?);
    let ratio = match c.score_kind? {
        ScoreKind::PValue => threshold / score,
        ScoreKind::Distance => score / threshold,
    };
    (!ratio.is_nan()).then_some(ratio)
}

/// Columns in display order: by severity ([`column_severity`]), then most
/// drifted first ([`drift_margin`], ties by effect size), then file order.
pub fn display_order(report: &Report) -> Vec<&ColumnReport> {
    let mut cols: Vec<&ColumnReport> = report.columns.iter().collect();
    let desc = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    // A stable sort keeps file order among equals.
    cols.sort_by(|a, b| {
        column_severity(a)
            .cmp(&column_severity(b))
            .then_with(|| desc(drift_margin(a), drift_margin(b)))
            .then_with(|| desc(a.effect_size, b.effect_size))
    });
    cols
}

/// What a method's score means, in one line, for a person reading a report.
pub fn method_meaning(m: Method) -> &'static str {
    match m {
        Method::Ks => "p-value of the two-sample Kolmogorov-Smirnov test: how likely a gap this large between the two distributions is by chance; drift when at or under the threshold",
        Method::ChiSquare => "p-value of the chi-square test of current category counts against reference shares; drift when under the threshold",
        Method::Chi2 => "p-value of the chi-square test of homogeneity of the two samples' category counts (2 x k table); drift when under the threshold",
        Method::Z => "p-value of the two-proportion z-test (two categories); drift when under the threshold",
        Method::Wasserstein => "how far values moved (Wasserstein distance) in units of the reference's standard deviation: 0.1 is a tenth of a std; drift when at or over the threshold",
        Method::JensenShannon => "Jensen-Shannon distance of the two distributions: 0 identical, 1 no overlap; drift when at or over the threshold",
        Method::Psi => "population stability index: 0 identical, 0.1 a small shift, 0.25 and more a large one; drift when at or over the threshold",
        Method::KlDiv => "Kullback-Leibler divergence of current from reference: 0 identical, grows without bound; drift when at or over the threshold",
        Method::Hellinger => "Hellinger distance of the two distributions: 0 identical, 1 no overlap; drift when at or over the threshold",
        Method::Anderson => "significance level of the k-sample Anderson-Darling test (0.001 to 0.25); drift when under the threshold",
        Method::CramerVonMises => "p-value of the two-sample Cramér-von Mises test; drift when at or under the threshold",
        Method::MannWhitney => "p-value of the two-sided Mann-Whitney U test (a shift in ranks); drift when under the threshold",
        Method::TTest => "p-value of Student's t-test (a change of the mean); drift when under the threshold",
        Method::Welch => "p-value of Welch's t-test (a change of the mean, unequal variances); drift when under the threshold",
        Method::EppsSingleton => "p-value of the Epps-Singleton test of the two distributions; drift when under the threshold",
        Method::Energy => "energy distance of the two samples, in the data's units (square-rooted); drift when over the threshold",
        Method::EnergyNorm => "energy distance of the samples scaled by the reference's std (unit-free); drift when over the threshold",
        Method::Mmd => "p-value of a kernel MMD permutation test; drift when under the threshold",
        Method::FisherExact => "p-value of Fisher's exact test (two categories); drift when under the threshold",
        Method::GTest => "p-value of the G-test of current category counts against reference shares; drift when under the threshold",
        Method::Tvd => "p-value of a permutation test of the total variation distance of the category shares; drift when under the threshold",
        Method::Linf => "largest change of any category's share (L-infinity): 0.1 is 10 points; drift when at or over the threshold",
    }
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
        None if has_error(c) => "error",
        None => "not tested",
    }
}

/// The column has an error finding (missing, emptied, retyped).
pub fn has_error(c: &ColumnReport) -> bool {
    c.findings.iter().any(|f| f.severity == Severity::Error)
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
