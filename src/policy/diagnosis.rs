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
    /// Performance dropped against the reference: measured with current
    /// labels, or, without them, estimated (CBPE).
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
/// tolerances. Without current labels, estimated metrics count, marked
/// `(estimated)`: an estimate below its lower threshold, or
/// `PERFORMANCE_DROP` under the reference value.
fn degraded_metrics(report: &Report) -> Vec<String> {
    let Some(p) = &report.performance else {
        return Vec::new();
    };
    let reference = match &p.reference {
        Some(m) => m,
        None => return Vec::new(),
    };
    if let (None, Some(estimated)) = (&p.current, &p.estimated) {
        let reference_values = reference.values();
        return estimated
            .metrics
            .iter()
            .filter_map(|m| {
                let value = m.value?;
                let below = m.lower_threshold.is_some_and(|l| value < l);
                let delta = reference_values
                    .iter()
                    .find(|(n, _)| *n == m.metric)
                    .and_then(|(_, r)| *r)
                    .map(|r| value - r);
                let dropped = delta.is_some_and(|d| -d >= PERFORMANCE_DROP);
                (below || dropped).then(|| match delta {
                    Some(d) => format!("{} {d:+.3} (estimated)", m.metric),
                    None => format!("{} {value:.3} below its threshold (estimated)", m.metric),
                })
            })
            .collect();
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Metrics;
    use crate::report::model::{
        ColumnKind, ColumnReport, CorrectionInfo, DatasetDrift, DatasetInfo, Finding, Performance,
        QualitySummary, ReportOptions, SchemaDiff, Sides, Task,
    };
    use crate::stats::performance::RegressionMetrics;
    use crate::stats::{Method, ScoreKind};

    fn column(name: &str, role: Role, drifted: bool, effect: Option<f64>) -> ColumnReport {
        ColumnReport {
            name: name.into(),
            kind: ColumnKind::Numerical,
            role,
            dtype: Sides {
                reference: Some("f64".into()),
                current: Some("f64".into()),
            },
            method: Some(Method::Wasserstein),
            score: effect,
            score_kind: Some(ScoreKind::Distance),
            statistic: None,
            threshold: Some(0.1),
            p_value_adjusted: None,
            adjusted_threshold: None,
            effect_size: effect,
            drift_detected: Some(drifted),
            small_effect: false,
            gates: None,
            missing: Sides {
                reference: Some(0.0),
                current: Some(0.0),
            },
            stats: Sides {
                reference: None,
                current: None,
            },
            categories: None,
            distribution: None,
            exactness: None,
            out_of_range: None,
            findings: Vec::new(),
        }
    }

    fn info() -> DatasetInfo {
        DatasetInfo {
            path: "x.parquet".into(),
            files: vec!["x.parquet".into()],
            rows: 100,
            columns: 4,
            duplicated_rows: 0.0,
            duplicated_rows_over: None,
        }
    }

    /// Four features and a prediction, none drifted, no findings.
    fn healthy() -> Report {
        Report {
            schema_version: 1,
            driftmend_version: "0".into(),
            generated_at: "2026-11-22T03:00:00Z".into(),
            reference: info(),
            current: info(),
            options: ReportOptions {
                drift_share: 0.5,
                bins: "auto".into(),
                target: None,
                prediction: Some("score".into()),
                seed: 0,
                min_effect: None,
                correction: CorrectionInfo {
                    method: Default::default(),
                    tests: 0,
                },
                preset: Default::default(),
                calibrate: None,
            },
            dataset_drift: DatasetDrift {
                detected: false,
                drifted_columns: 0,
                total_columns: 4,
                share: 0.0,
                threshold: 0.5,
            },
            schema: SchemaDiff::default(),
            quality: QualitySummary::default(),
            columns: vec![
                column("age", Role::Feature, false, Some(0.01)),
                column("income", Role::Feature, false, Some(0.02)),
                column("country", Role::Feature, false, Some(0.03)),
                column("device", Role::Feature, false, Some(0.04)),
                column("score", Role::Prediction, false, Some(0.05)),
            ],
            performance: None,
            multivariate: None,
            history: None,
            chunking: None,
            chunks: None,
            findings: Vec::new(),
        }
    }

    fn regression(mae: f64, r2: f64) -> Metrics {
        Metrics::Regression(RegressionMetrics {
            rows: 100,
            mae,
            rmse: mae * 1.5,
            mape: Some(0.1),
            mape_skipped_zero_targets: 0,
            r2: Some(r2),
        })
    }

    /// A regression model whose metrics moved by `delta` from a reference
    /// with MAE 5 and R^2 0.8.
    fn performance(delta: &[(&str, f64)]) -> Performance {
        Performance {
            task: Some(Task::Regression),
            target: Some("y".into()),
            prediction: Some("score".into()),
            reference: Some(regression(5.0, 0.8)),
            current: Some(regression(5.0, 0.8)),
            delta: delta.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            target_drift: None,
            prediction_drift: None,
            estimated: None,
        }
    }

    fn finding(severity: Severity, code: FindingCode, column: &str) -> Finding {
        Finding {
            severity,
            code,
            column: Some(column.into()),
            message: "m".into(),
        }
    }

    fn set_drift(r: &mut Report, name: &str, effect: Option<f64>) {
        let c = r.columns.iter_mut().find(|c| c.name == name).unwrap();
        c.drift_detected = Some(true);
        c.effect_size = effect;
    }

    fn dataset_drift(r: &mut Report) {
        for (name, effect) in [("age", 0.77), ("income", 0.52), ("country", 0.23)] {
            set_drift(r, name, Some(effect));
        }
        r.dataset_drift = DatasetDrift {
            detected: true,
            drifted_columns: 3,
            total_columns: 4,
            share: 0.75,
            threshold: 0.5,
        };
    }

    #[test]
    fn the_most_urgent_incident_wins() {
        // Each step adds one more problem; the new one outranks the others.
        type Step = (&'static str, fn(&mut Report), Incident);
        let steps: [Step; 6] = [
            ("nothing wrong", |_| {}, Incident::Healthy),
            (
                "the prediction drifted",
                |r| set_drift(r, "score", Some(0.5)),
                Incident::PredictionDrift,
            ),
            (
                "the features drifted",
                dataset_drift,
                Incident::CovariateDrift,
            ),
            (
                "performance dropped",
                |r| r.performance = Some(performance(&[("r2", -0.2)])),
                Incident::PerformanceDegradation,
            ),
            (
                "a feature arrived empty",
                |r| {
                    r.quality.errors += 1;
                    r.findings
                        .push(finding(Severity::Error, FindingCode::AllMissing, "income"));
                },
                Incident::DataQuality,
            ),
            (
                "a column disappeared",
                |r| {
                    r.quality.errors += 1;
                    r.findings.push(finding(
                        Severity::Error,
                        FindingCode::ColumnMissing,
                        "device",
                    ));
                },
                Incident::SchemaBreak,
            ),
        ];
        let mut report = healthy();
        for (what, change, expected) in steps {
            change(&mut report);
            assert_eq!(diagnose(&report).incident, expected, "{what}");
        }
    }

    #[test]
    fn schema_break_needs_an_error_and_type_changes_count() {
        let mut r = healthy();
        // Within a family (int -> float) a type change is only a warning.
        r.quality.warnings = 1;
        r.findings
            .push(finding(Severity::Warning, FindingCode::TypeChanged, "age"));
        assert_eq!(diagnose(&r).incident, Incident::Healthy);
        r.quality.errors = 1;
        r.findings
            .push(finding(Severity::Error, FindingCode::TypeChanged, "income"));
        assert_eq!(diagnose(&r).incident, Incident::SchemaBreak);
    }

    #[test]
    fn performance_degradation_needs_a_drop_beyond_the_tolerances() {
        // (delta, degraded); the reference has MAE 5 and R^2 0.8.
        let cases: &[(&[(&str, f64)], bool)] = &[
            (&[("r2", -0.04)], false),
            (&[("r2", -0.05)], true),
            (&[("r2", 0.3)], false),
            // MAE: a rise of 10% of the reference counts.
            (&[("mae", 0.4)], false),
            (&[("mae", 0.5)], true),
            (&[("mae", -2.0)], false),
            // Row counts are no measure of quality.
            (&[("rows", -90.0)], false),
        ];
        for (delta, degraded) in cases {
            let mut r = healthy();
            r.performance = Some(performance(delta));
            let d = diagnose(&r);
            assert_eq!(
                d.incident == Incident::PerformanceDegradation,
                *degraded,
                "{delta:?}: {}",
                d.summary
            );
        }
        // Without reference metrics nothing can have dropped.
        let mut r = healthy();
        let mut p = performance(&[("r2", -0.5)]);
        p.reference = None;
        r.performance = Some(p);
        assert_eq!(diagnose(&r).incident, Incident::Healthy);
    }

    #[test]
    fn evidence_is_the_most_drifted_features_by_effect_size() {
        let mut r = healthy();
        // Four features drifted; ties break by name; the prediction column
        // is never evidence, however far it moved.
        set_drift(&mut r, "age", Some(0.3));
        set_drift(&mut r, "income", Some(0.9));
        set_drift(&mut r, "country", Some(0.3));
        set_drift(&mut r, "device", Some(0.1));
        set_drift(&mut r, "score", Some(2.0));
        let d = diagnose(&r);
        let got: Vec<(&str, Option<f64>)> = d
            .evidence
            .iter()
            .map(|e| (e.column.as_str(), e.effect_size))
            .collect();
        assert_eq!(
            got,
            [
                ("income", Some(0.9)),
                ("age", Some(0.3)),
                ("country", Some(0.3))
            ]
        );
        assert_eq!(d.evidence.len(), TOP_EVIDENCE);
        assert_eq!(d.evidence[0].method.as_deref(), Some("wasserstein"));

        // No effect size sorts last; undrifted columns are left out.
        let mut r = healthy();
        set_drift(&mut r, "device", None);
        set_drift(&mut r, "age", Some(0.2));
        let d = diagnose(&r);
        let names: Vec<&str> = d.evidence.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(names, ["age", "device"]);
    }

    #[test]
    fn summary_says_what_went_wrong_in_one_line() {
        assert_eq!(
            diagnose(&healthy()).summary,
            "healthy: 0 of 4 columns drifted (0%); quality: 0 errors, 0 warnings"
        );

        let mut r = healthy();
        dataset_drift(&mut r);
        r.quality = QualitySummary {
            errors: 0,
            warnings: 1,
        };
        let d = diagnose(&r);
        assert_eq!(
            d.summary,
            "covariate_drift: 3 of 4 columns drifted (75%), most: age 0.77, income 0.52, country 0.23; quality: 0 errors, 1 warning"
        );

        set_drift(&mut r, "device", None);
        r.performance = Some(performance(&[("mae", 1.0), ("r2", -0.1), ("rmse", 0.1)]));
        r.quality = QualitySummary {
            errors: 1,
            warnings: 2,
        };
        let d = diagnose(&r);
        assert_eq!(d.incident, Incident::DataQuality);
        assert_eq!(
            d.summary,
            "data_quality: 3 of 4 columns drifted (75%), most: age 0.77, income 0.52, country 0.23; quality: 1 error, 2 warnings; performance: mae +1.000, r2 -0.100"
        );

        // A drifted column without an effect size is named alone.
        let mut r = healthy();
        set_drift(&mut r, "device", None);
        let summary = diagnose(&r).summary;
        assert!(summary.contains(", most: device;"), "{summary}");
    }

    fn dataset(columns: Vec<(&str, Vec<f64>)>) -> crate::data::Dataset {
        use crate::data::{Dataset, Family, RawColumn, Values};
        let names = columns.iter().map(|(name, _)| name.to_string()).collect();
        Dataset {
            path: "mem".into(),
            files: vec!["mem".into()],
            rows: columns.first().map_or(0, |c| c.1.len()),
            columns: columns
                .into_iter()
                .map(|(name, finite)| RawColumn {
                    name: name.into(),
                    dtype: "f64".into(),
                    family: Family::Float,
                    values: Values::Numbers {
                        finite,
                        null: 0,
                        nan: 0,
                        infinite: 0,
                    },
                    rounded: None,
                })
                .collect(),
            names,
            duplicated_rows: 0,
            selected: false,
            rows_of: Default::default(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn reports_built_from_data_are_diagnosed() {
        let build = |reference, current| {
            let settings = crate::report::AnalysisSettings::default();
            let r = crate::report::build(&reference, &current, &settings, "0", "now").unwrap();
            diagnose(&r)
        };
        let base: Vec<f64> = (0..200).map(|i| f64::from(i % 50)).collect();
        let shifted: Vec<f64> = base.iter().map(|x| x + 40.0).collect();
        let same = || dataset(vec![("a", base.clone()), ("b", base.clone())]);
        assert_eq!(build(same(), same()).incident, Incident::Healthy);
        let d = build(
            same(),
            dataset(vec![("a", shifted.clone()), ("b", shifted.clone())]),
        );
        assert_eq!(d.incident, Incident::CovariateDrift);
        assert_eq!(d.evidence.len(), 2);
        assert!(
            d.summary
                .starts_with("covariate_drift: 2 of 2 columns drifted (100%), most: "),
            "{}",
            d.summary
        );
        // `b` is gone from the current data: the model cannot be fed.
        let d = build(same(), dataset(vec![("a", shifted)]));
        assert_eq!(d.incident, Incident::SchemaBreak);
    }

    /// A classifier without current labels whose estimated accuracy is
    /// `accuracy` (reference: 0.9, lower threshold 0.85).
    fn estimated_only(accuracy: f64) -> Performance {
        use crate::report::model::{EstimatedMetric, EstimatedPerformance};
        let reference = crate::stats::performance::classification(
            &["1", "1", "0", "0", "1", "0", "1", "0", "1", "0"].map(String::from),
            crate::stats::performance::Prediction::Labels(
                &["1", "1", "0", "0", "1", "0", "1", "0", "1", "1"].map(String::from),
            ),
            None,
            0.5,
        )
        .unwrap();
        assert_eq!(reference.accuracy, 0.9);
        Performance {
            task: Some(Task::Classification),
            target: Some("y".into()),
            prediction: Some("score".into()),
            reference: Some(Metrics::Classification(reference)),
            current: None,
            delta: Default::default(),
            target_drift: None,
            prediction_drift: None,
            estimated: Some(EstimatedPerformance {
                method: "cbpe",
                calibration: Default::default(),
                calibrated: true,
                positive_label: "1".into(),
                threshold: 0.5,
                reference_rows: 10,
                current_rows: 10,
                reference_chunks: Vec::new(),
                metrics: vec![EstimatedMetric {
                    metric: "accuracy".into(),
                    value: Some(accuracy),
                    sampling_error: Some(0.01),
                    lower_confidence_bound: None,
                    upper_confidence_bound: None,
                    lower_threshold: Some(0.85),
                    upper_threshold: Some(0.95),
                    alert: !(0.85..=0.95).contains(&accuracy),
                    realized: None,
                    reference_chunks: Vec::new(),
                }],
            }),
        }
    }

    #[test]
    fn an_estimated_drop_is_performance_degradation_without_labels() {
        let mut r = healthy();
        r.performance = Some(estimated_only(0.88));
        assert_eq!(diagnose(&r).incident, Incident::Healthy);
        r.performance = Some(estimated_only(0.84));
        let d = diagnose(&r);
        assert_eq!(d.incident, Incident::PerformanceDegradation);
        assert!(
            d.summary
                .ends_with("; performance: accuracy -0.060 (estimated)"),
            "{}",
            d.summary
        );
        // With current labels the realized delta decides, not the estimate.
        let mut p = estimated_only(0.84);
        p.current = p.reference.clone();
        r.performance = Some(p);
        assert_eq!(diagnose(&r).incident, Incident::Healthy);
    }
}
