//! Classifies a run's report into one incident type with its top evidence,
//! so rules, notifications and the audit log say *what* went wrong, not only
//! that a number crossed a line. Pure.

use serde::Serialize;

use crate::report::model::{FindingCode, Report, Role, Severity};

/// Accuracy-like metrics (higher is better) that dropped by at least this
/// much, or error metrics (lower is better) that rose by at least this
/// share of their reference value, count as performance degradation.
pub const PERFORMANCE_DROP: f64 = 0.05;
pub const ERROR_RISE: f64 = 0.10;

/// How many columns the evidence lists.
pub const TOP_EVIDENCE: usize = 3;

/// The incident types, most urgent first: a run is classified as the first
/// that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Incident {
    /// A column disappeared or changed type: the model can't be fed.
    SchemaBreak,
    /// Other quality errors (a feature arrived empty).
    DataQuality,
    /// Labelled performance dropped against the reference.
    PerformanceDegradation,
    /// Dataset drift over the feature columns.
    CovariateDrift,
    /// The prediction column drifted while the features did not.
    PredictionDrift,
    Healthy,
}

impl Incident {
    pub fn name(self) -> &'static str {
        match self {
            Incident::SchemaBreak => "schema_break",
            Incident::DataQuality => "data_quality",
            Incident::PerformanceDegradation => "performance_degradation",
            Incident::CovariateDrift => "covariate_drift",
            Incident::PredictionDrift => "prediction_drift",
            Incident::Healthy => "healthy",
        }
    }
}

/// One piece of evidence: a drifted column and how far it moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub column: String,
    pub method: Option<String>,
    pub score: Option<f64>,
    pub effect_size: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    pub incident: Incident,
    /// The most drifted feature columns by effect size.
    pub evidence: Vec<Evidence>,
    /// One line for humans (`{{ summary }}` in templates).
    pub summary: String,
}

pub fn diagnose(report: &Report) -> Diagnosis {
    let schema_break = report.findings.iter().any(|f| {
        f.severity == Severity::Error
            && matches!(
                f.code,
                FindingCode::ColumnMissing | FindingCode::TypeChanged
            )
    });
    let degraded = degraded_metrics(report);
    let prediction_drift = report
        .columns
        .iter()
        .any(|c| c.role == Role::Prediction && c.drift_detected == Some(true));
    let incident = if schema_break {
        Incident::SchemaBreak
    } else if report.quality.errors > 0 {
        Incident::DataQuality
    } else if !degraded.is_empty() {
        Incident::PerformanceDegradation
    } else if report.dataset_drift.detected {
        Incident::CovariateDrift
    } else if prediction_drift {
        Incident::PredictionDrift
    } else {
        Incident::Healthy
    };

    let mut drifted: Vec<_> = report
        .columns
        .iter()
        .filter(|c| c.role == Role::Feature && c.drift_detected == Some(true))
        .collect();
    drifted.sort_by(|a, b| {
        b.effect_size
            .unwrap_or(0.0)
            .total_cmp(&a.effect_size.unwrap_or(0.0))
            .then_with(|| a.name.cmp(&b.name))
    });
    let evidence: Vec<Evidence> = drifted
        .iter()
        .take(TOP_EVIDENCE)
        .map(|c| Evidence {
            column: c.name.clone(),
            method: c.method.map(|m| m.name().to_string()),
            score: c.score,
            effect_size: c.effect_size,
        })
        .collect();

    let d = &report.dataset_drift;
    let mut summary = format!(
        "{}: {} of {} columns drifted ({:.0}%)",
        incident.name(),
        d.drifted_columns,
        d.total_columns,
        d.share * 100.0
    );
    if !evidence.is_empty() {
        let top: Vec<String> = evidence
            .iter()
            .map(|e| match e.effect_size {
                Some(x) => format!("{} {:.2}", e.column, x),
                None => e.column.clone(),
            })
            .collect();
        summary.push_str(&format!(", most: {}", top.join(", ")));
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    summary.push_str(&format!(
        "; quality: {}, {}",
        plural(report.quality.errors, "error"),
        plural(report.quality.warnings, "warning")
    ));
    if !degraded.is_empty() {
        summary.push_str(&format!("; performance: {}", degraded.join(", ")));
    }
    Diagnosis {
        incident,
        evidence,
        summary,
    }
}

/// `accuracy -0.12`-style notes for metrics that got worse beyond the
/// tolerances.
fn degraded_metrics(report: &Report) -> Vec<String> {
    let Some(p) = &report.performance else {
        return Vec::new();
    };
    let reference = match &p.reference {
        Some(m) => m,
        None => return Vec::new(),
    };
    let higher_is_better = ["accuracy", "f1", "macro_f1", "roc_auc", "r2"];
    let lower_is_better = ["log_loss", "mae", "rmse", "mape"];
    let reference_value = |name: &str| -> Option<f64> {
        reference
            .values()
            .into_iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v)
    };
    let mut out = Vec::new();
    for (name, delta) in &p.delta {
        let worse = if higher_is_better.contains(&name.as_str()) {
            -delta >= PERFORMANCE_DROP
        } else if lower_is_better.contains(&name.as_str()) {
            reference_value(name).is_some_and(|r| r > 0.0 && delta / r >= ERROR_RISE)
        } else {
            false
        };
        if worse {
            out.push(format!("{name} {delta:+.3}"));
        }
    }
    out
}
