//! Model performance per side (when labels and predictions are there), and
//! the target/prediction drift entries. Pure: it pairs the row-aligned
//! target and prediction values the loader kept and hands them to
//! `stats::performance`.

use std::collections::BTreeMap;

use super::build::AnalysisSettings;
use super::model::{
    ColumnKind, ColumnReport, Finding, FindingCode, Metrics, Performance, RoleDrift, Severity, Task,
};
use crate::data::{number_label, Dataset, RowValues};
use crate::quality::finding;
use crate::stats::performance::{self, Prediction};

/// Builds the `performance` section, or `None` when no role was given.
pub fn performance(
    reference: &Dataset,
    current: &Dataset,
    columns: &[ColumnReport],
    s: &AnalysisSettings,
) -> (Option<Performance>, Vec<Finding>) {
    if s.target.is_none() && s.prediction.is_none() {
        return (None, Vec::new());
    }
    let column = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| columns.iter().find(|c| &c.name == n))
    };
    let target = column(&s.target);
    let task = target.and_then(|c| match c.kind {
        ColumnKind::Categorical => Some(Task::Classification),
        ColumnKind::Numerical => Some(Task::Regression),
        _ => None,
    });
    let mut findings = Vec::new();
    if let (Some(t), None) = (target, task) {
        findings.push(finding(
            Severity::Warning,
            FindingCode::Performance,
            Some(&t.name),
            format!(
                "target `{}` is {}; performance needs a categorical (classification) or numerical (regression) target",
                t.name,
                t.kind.name()
            ),
        ));
    }
    let mut side = |d: &Dataset, label: &str| -> Option<Metrics> {
        let (task, target, prediction) = (task?, s.target.as_ref()?, s.prediction.as_ref()?);
        let (truth, predicted) = (d.rows_of.get(target)?, d.rows_of.get(prediction)?);
        match metrics(task, truth, predicted, s) {
            Ok(m) => m,
            Err(message) => {
                findings.push(finding(
                    Severity::Warning,
                    FindingCode::Performance,
                    Some(prediction),
                    format!("performance on the {label} data not computed: {message}"),
                ));
                None
            }
        }
    };
    let reference_metrics = side(reference, "reference");
    let current_metrics = side(current, "current");
    let delta = match (&reference_metrics, &current_metrics) {
        (Some(r), Some(c)) => {
            let r: BTreeMap<_, _> = r.values().into_iter().collect();
            c.values()
                .into_iter()
                .filter(|(name, _)| *name != "rows")
                .filter_map(|(name, cur)| Some((name.to_string(), cur? - (*r.get(name)?)?)))
                .collect()
        }
        _ => BTreeMap::new(),
    };
    let role_drift = |c: Option<&ColumnReport>| {
        c.map(|c| RoleDrift {
            column: c.name.clone(),
            method: c.method,
            score: c.score,
            threshold: c.threshold,
            drift_detected: c.drift_detected,
        })
    };
    let perf = Performance {
        task,
        target: s.target.clone(),
        prediction: s.prediction.clone(),
        reference: reference_metrics,
        current: current_metrics,
        delta,
        target_drift: role_drift(target),
        prediction_drift: role_drift(column(&s.prediction)),
        estimated: None,
    };
    (Some(perf), findings)
}

/// Metrics of one side; `Ok(None)` when no row has both a label and a
/// prediction (a current batch whose labels have not arrived yet).
fn metrics(
    task: Task,
    truth: &RowValues,
    predicted: &RowValues,
    s: &AnalysisSettings,
) -> Result<Option<Metrics>, String> {
    match task {
        Task::Classification => {
            let truth_labels = labels(truth);
            match predicted {
                RowValues::Numbers(scores) if are_scores(scores) => {
                    let (t, p): (Vec<String>, Vec<f64>) = pairs(&truth_labels, scores).unzip();
                    classify(&t, Prediction::Scores(&p), s)
                }
                _ => {
                    let predicted_labels = labels(predicted);
                    let (t, p): (Vec<String>, Vec<String>) =
                        pairs(&truth_labels, &predicted_labels).unzip();
                    classify(&t, Prediction::Labels(&p), s)
                }
            }
        }
        Task::Regression => {
            let truth = numbers(truth)
                .map_err(|bad| format!("the target has non-numeric values (e.g. `{bad}`)"))?;
            let predicted = numbers(predicted).map_err(|bad| {
                format!("non-numeric predictions for a regression task (e.g. `{bad}`); is the target meant to be categorical?")
            })?;
            let (t, p): (Vec<f64>, Vec<f64>) = pairs(&truth, &predicted).unzip();
            if t.is_empty() {
                return Ok(None);
            }
            performance::regression(&t, &p)
                .map(|m| Some(Metrics::Regression(m)))
                .map_err(|e| e.to_string())
        }
    }
}

fn classify(
    truth: &[String],
    predicted: Prediction<'_>,
    s: &AnalysisSettings,
) -> Result<Option<Metrics>, String> {
    if truth.is_empty() {
        return Ok(None);
    }
    performance::classification(
        truth,
        predicted,
        s.positive_label.as_deref(),
        s.prediction_threshold,
    )
    .map(|m| Some(Metrics::Classification(m)))
    .map_err(|e| e.to_string())
}

/// Rows where both values are present.
fn pairs<'a, A: Clone, B: Clone>(
    a: &'a [Option<A>],
    b: &'a [Option<B>],
) -> impl Iterator<Item = (A, B)> + 'a {
    a.iter()
        .zip(b)
        .filter_map(|(x, y)| Some((x.clone()?, y.clone()?)))
}

/// Scores are probabilities: all in [0, 1] and not all whole numbers (a
/// column of 0/1 is predicted labels).
pub(super) fn are_scores(values: &[Option<f64>]) -> bool {
    let mut any = false;
    let mut fractional = false;
    for v in values.iter().flatten() {
        if !(0.0..=1.0).contains(v) {
            return false;
        }
        any = true;
        fractional |= v.fract() != 0.0;
    }
    any && fractional
}

/// Labels as the report shows categories (`1`, not `1.0`).
fn labels(values: &RowValues) -> Vec<Option<String>> {
    match values {
        RowValues::Labels(l) => l.clone(),
        RowValues::Numbers(n) => n.iter().map(|v| v.map(number_label)).collect(),
    }
}

/// Numbers, parsing text; the first value that is not a number on error.
fn numbers(values: &RowValues) -> Result<Vec<Option<f64>>, String> {
    match values {
        RowValues::Numbers(n) => Ok(n.clone()),
        RowValues::Labels(l) => l
            .iter()
            .map(|v| match v {
                None => Ok(None),
                Some(text) => text
                    .trim()
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| text.clone()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_fractional_probabilities() {
        assert!(are_scores(&[Some(0.2), None, Some(1.0)]));
        assert!(
            !are_scores(&[Some(0.0), Some(1.0)]),
            "0/1 columns are labels"
        );
        assert!(!are_scores(&[Some(0.5), Some(2.0)]));
        assert!(!are_scores(&[None]));
    }

    #[test]
    fn labels_and_numbers_convert() {
        assert_eq!(
            labels(&RowValues::Numbers(vec![Some(1.0), None])),
            vec![Some("1".to_string()), None]
        );
        assert_eq!(
            numbers(&RowValues::Labels(vec![Some("2.5".into()), None])).unwrap(),
            vec![Some(2.5), None]
        );
        assert_eq!(
            numbers(&RowValues::Labels(vec![Some("yes".into())])).unwrap_err(),
            "yes"
        );
    }
}
