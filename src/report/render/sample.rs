//! A small hand-built drifted report shared by the renderers' unit tests
//! (compiled for tests only), so each renderer is checked against the same
//! data without a copy of this builder.

use crate::report::model::{
    ColumnKind, ColumnReport, ColumnStats, CorrectionInfo, DatasetDrift, DatasetInfo, Finding,
    FindingCode, Metrics, Performance, QualitySummary, Report, ReportOptions, Role, SchemaDiff,
    Severity, Sides, Task, TopCategory,
};
use crate::stats::describe::Summary;
use crate::stats::performance::RegressionMetrics;
use crate::stats::Method;

/// A tested column, not drifted, with nothing missing and no stats.
pub fn column(name: &str, kind: ColumnKind, method: Method, score: f64) -> ColumnReport {
    ColumnReport {
        name: name.into(),
        kind,
        role: Role::Feature,
        dtype: Sides {
            reference: Some("f64".into()),
            current: Some("f64".into()),
        },
        method: Some(method),
        score: Some(score),
        score_kind: Some(method.score_kind()),
        statistic: None,
        threshold: Some(method.default_threshold()),
        p_value_adjusted: None,
        adjusted_threshold: None,
        effect_size: Some(score),
        drift_detected: Some(false),
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

/// A column that got no drift verdict.
pub fn untested(name: &str, kind: ColumnKind) -> ColumnReport {
    ColumnReport {
        method: None,
        score: None,
        score_kind: None,
        threshold: None,
        effect_size: None,
        drift_detected: None,
        ..column(name, kind, Method::Ks, 0.0)
    }
}

pub fn finding(severity: Severity, code: FindingCode, column: Option<&str>, m: &str) -> Finding {
    Finding {
        severity,
        code,
        column: column.map(str::to_string),
        message: m.into(),
    }
}

fn numbers(count: usize, missing: usize, mean: f64) -> ColumnStats {
    ColumnStats {
        count,
        missing,
        distinct: count,
        summary: Some(Summary {
            mean,
            std: Some(mean / 4.0),
            min: mean / 10.0,
            p25: mean * 0.7,
            p50: mean,
            p75: mean * 1.3,
            max: mean * 5.0,
        }),
        infinite: 0,
        top: None,
        first: None,
        last: None,
    }
}

fn info(path: &str, rows: usize, duplicated_rows: f64) -> DatasetInfo {
    DatasetInfo {
        path: path.into(),
        files: vec![path.into()],
        rows,
        columns: 6,
        duplicated_rows,
        duplicated_rows_over: None,
    }
}

fn regression(mae: f64) -> Metrics {
    Metrics::Regression(RegressionMetrics {
        rows: 100,
        mae,
        rmse: mae * 1.5,
        mape: Some(0.1),
        mape_skipped_zero_targets: 0,
        r2: Some(0.8),
    })
}

/// Dataset drift: `age` (Wasserstein) and `income` (PSI 0.31 >= 0.2)
/// drifted, `country` did not; `email` (text) and `credit_score` (missing
/// from current, an error) untested; a prediction column; duplicated rows
/// and a missing-value rise as warnings; regression performance.
pub fn drifted() -> Report {
    let mut age = column("age", ColumnKind::Numerical, Method::Wasserstein, 0.774);
    age.drift_detected = Some(true);
    age.stats = Sides {
        reference: Some(numbers(2000, 0, 40.0)),
        current: Some(numbers(1500, 0, 49.0)),
    };
    let mut income = column("income", ColumnKind::Numerical, Method::Psi, 0.31);
    income.threshold = Some(0.2);
    income.effect_size = Some(0.52);
    income.drift_detected = Some(true);
    income.missing = Sides {
        reference: Some(0.03),
        current: Some(0.1),
    };
    income.stats = Sides {
        reference: Some(numbers(1940, 60, 52000.0)),
        current: Some(numbers(1350, 150, 67600.0)),
    };
    let mut country = column(
        "country",
        ColumnKind::Categorical,
        Method::JensenShannon,
        0.05,
    );
    country.dtype = Sides {
        reference: Some("str".into()),
        current: Some("str".into()),
    };
    country.stats.current = Some(ColumnStats {
        count: 1470,
        missing: 30,
        distinct: 6,
        summary: None,
        infinite: 0,
        top: Some(TopCategory {
            value: "US".into(),
            share: 0.35,
        }),
        first: None,
        last: None,
    });
    let email = untested("email", ColumnKind::Text);
    let mut credit_score = untested("credit_score", ColumnKind::Numerical);
    credit_score.dtype.current = None;
    credit_score.missing.current = None;
    let mut score = column("score", ColumnKind::Numerical, Method::Wasserstein, 0.04);
    score.role = Role::Prediction;

    let findings = vec![
        finding(
            Severity::Error,
            FindingCode::ColumnMissing,
            Some("credit_score"),
            "column `credit_score` is in the reference but missing from the current data",
        ),
        finding(
            Severity::Warning,
            FindingCode::MissingIncrease,
            Some("income"),
            "column `income`: missing values rose from 3.0% to 10.0%",
        ),
        finding(
            Severity::Warning,
            FindingCode::TextColumn,
            Some("email"),
            "column `email` looks like an identifier or free text (most values distinct); drift not tested",
        ),
        finding(
            Severity::Warning,
            FindingCode::DuplicatedRows,
            None,
            "duplicated rows rose from 0.0% of the reference to 5.0% of the current data",
        ),
    ];
    let mut columns = vec![age, income, country, email, credit_score, score];
    for c in &mut columns {
        c.findings = findings
            .iter()
            .filter(|f| f.column.as_deref() == Some(c.name.as_str()))
            .cloned()
            .collect();
    }
    Report {
        schema_version: 1,
        driftmend_version: "0.1.0".into(),
        generated_at: "2026-11-22T03:00:00Z".into(),
        reference: info("ref.parquet", 2000, 0.0),
        current: info("cur.parquet", 1500, 0.05),
        options: ReportOptions {
            drift_share: 0.5,
            bins: "auto".into(),
            target: Some("y".into()),
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
            detected: true,
            drifted_columns: 2,
            total_columns: 3,
            share: 2.0 / 3.0,
            threshold: 0.5,
        },
        schema: SchemaDiff {
            missing_in_current: vec!["credit_score".into()],
            ..SchemaDiff::default()
        },
        quality: QualitySummary {
            errors: 1,
            warnings: 3,
        },
        columns,
        performance: Some(Performance {
            task: Some(Task::Regression),
            target: Some("y".into()),
            prediction: Some("score".into()),
            reference: Some(regression(5.0)),
            current: Some(regression(6.0)),
            delta: [("mae".to_string(), 1.0), ("rmse".to_string(), 1.5)]
                .into_iter()
                .collect(),
            target_drift: None,
            prediction_drift: None,
            estimated: None,
        }),
        multivariate: None,
        history: None,
        chunking: None,
        chunks: None,
        findings,
    }
}

/// A finding-free report with no drift, for the "all green" cases.
pub fn healthy() -> Report {
    let mut r = drifted();
    for c in &mut r.columns {
        if c.drift_detected == Some(true) {
            c.drift_detected = Some(false);
            c.score = Some(0.01);
            c.effect_size = Some(0.01);
        }
        c.findings.clear();
    }
    r.columns.retain(|c| c.name != "credit_score");
    r.findings.clear();
    r.schema = SchemaDiff::default();
    r.quality = QualitySummary::default();
    r.dataset_drift.detected = false;
    r.dataset_drift.drifted_columns = 0;
    r.dataset_drift.share = 0.0;
    r.current.duplicated_rows = 0.0;
    r
}

/// A column name that breaks a line and then, on stdout under GitHub
/// Actions, would be run as a workflow command.
pub const HOSTILE: &str = "x\n::error::pwned";

/// [`drifted`] with user text no human format may show raw: `income`
/// renamed [`HOSTILE`] (its findings follow), a carriage return in the
/// reference path, a terminal escape and a line separator in a category
/// value.
pub fn hostile() -> Report {
    let mut r = drifted();
    let rename = |name: &mut String| {
        if name == "income" {
            *name = HOSTILE.into();
        }
    };
    for c in &mut r.columns {
        rename(&mut c.name);
        for f in &mut c.findings {
            f.column.iter_mut().for_each(rename);
            f.message = f.message.replace("`income`", &format!("`{HOSTILE}`"));
        }
    }
    for f in &mut r.findings {
        f.column.iter_mut().for_each(rename);
        f.message = f.message.replace("`income`", &format!("`{HOSTILE}`"));
    }
    r.reference.path = "ref\r::warning::cr.parquet".into();
    r.reference.files = vec![r.reference.path.clone()];
    let country = r.columns.iter_mut().find(|c| c.name == "country");
    if let Some(top) = country.and_then(|c| c.stats.current.as_mut()?.top.as_mut()) {
        top.value = "U\u{1b}[2J\u{2028}::notice::S".into();
    }
    r
}

/// Asserts `out` carries no character [`super::visible::needs_escape`]
/// names but the line feeds of its own layout, and no line (split where a
/// CI runner splits: LF, CR) that starts with `::`, trimmed as GitHub's
/// runner trims it.
pub fn assert_no_hidden_text(out: &str) {
    for c in out.chars() {
        assert!(
            c == '\n' || !super::visible::needs_escape(c),
            "raw {c:?} in:\n{out}"
        );
    }
    for line in out.split(['\n', '\r']) {
        assert!(
            !line.trim().starts_with("::"),
            "command line {line:?} in:\n{out}"
        );
    }
}

/// Chunk `i` (keyed `2026-11-0<i+1>`, 10 rows) with each column's verdict
/// and score; dataset drift when at least half the columns drifted.
pub fn chunk(
    i: usize,
    columns: &[(&str, Option<bool>, Option<f64>)],
) -> crate::report::model::ChunkReport {
    use crate::report::model::{ChunkColumn, ChunkReport};
    let drifted = columns.iter().filter(|c| c.1 == Some(true)).count();
    let share = drifted as f64 / columns.len().max(1) as f64;
    ChunkReport {
        chunk: crate::report::chunk::Chunk {
            index: i,
            key: format!("2026-11-0{}", i + 1),
            rows: 0..10,
            start: None,
            end: None,
        },
        rows: 10,
        dataset_drift: DatasetDrift {
            detected: drifted > 0 && share >= 0.5,
            drifted_columns: drifted,
            total_columns: columns.len(),
            share,
            threshold: 0.5,
        },
        columns: columns
            .iter()
            .map(|(name, drift, score)| ChunkColumn {
                name: name.to_string(),
                method: None,
                score: *score,
                score_kind: None,
                threshold: Some(0.1),
                drift_detected: *drift,
            })
            .collect(),
    }
}
