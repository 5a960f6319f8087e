//! Model-performance metrics on plain values, each defined as scikit-learn 1.9
//! defines it: accuracy, precision, recall, F1, ROC AUC and log loss for
//! classification; MAE, RMSE, MAPE and R² for regression.
//!
//! Must not read files, look at the clock or print. Every metric is checked
//! against sklearn in `fixtures/reference/performance.json`, written by
//! `scripts/reference/performance_reference.py`.
//!
//! Where sklearn leaves a choice, warns, or returns a placeholder, this module
//! decides as follows:
//!
//! - **Class order.** Classes sort as numbers when every class of the target
//!   reads as a finite number (numpy sorts a numeric label column that way, so
//!   `2` < `10`), otherwise as text by code point (as numpy sorts strings).
//! - **Positive label.** For a binary target without an explicit positive
//!   label, the positive class is the larger of the two: sklearn's
//!   `pos_label=1` for `{0, 1}`, and the class `roc_auc_score` and `log_loss`
//!   take a 1-D score to be the probability of (`LabelBinarizer.classes_[1]`).
//! - **Zero division.** Precision, recall and F1 that divide 0 by 0 (a class
//!   never predicted) count as 0, i.e. `zero_division=0`: what sklearn's
//!   default `"warn"` returns, without the warning. Macro averages include
//!   those zeros, so a model that never predicts a class is penalised.
//! - **One class in the target.** Accuracy (and log loss, when the positive
//!   label is known) is still computed; precision, recall, F1, their macro
//!   averages and ROC AUC are `None`, and `undefined_reason` says why. sklearn
//!   returns NaN for ROC AUC there and degenerate 0/0 ratios for the others.
//!   Such a target is one side of a binary task, so its predictions may name
//!   one other label: the positive label when one is given and it is not the
//!   target's class, otherwise any single label.
//! - **Predicted labels outside the target** are an error (they usually mean
//!   a spelling or type mismatch such as `1` vs `1.0`), except as above.
//! - **Scores** are P(positive), binary tasks only; a row is predicted
//!   positive when `score >= threshold`. The threshold is not used with labels.
//! - **MAPE** averages `|y - ŷ| / |y|` over the rows whose target is not 0 and
//!   counts the rows it skipped, instead of sklearn's division by
//!   `max(|y|, eps)`, which turns a zero target into a 1e15 error. The two
//!   agree on the rows kept, unless a target is smaller than 2.2e-16.
//! - **R²** is `None` when the target has zero variance (constant, or a single
//!   row), where sklearn returns 1.0 or 0.0 (`force_finite=True`) — or, for a
//!   constant such as 3.7 whose numpy mean is one ulp off, a huge negative
//!   number from dividing by rounding noise.
//!
//! All sums are compensated (Neumaier), so means over millions of rows agree
//! with numpy's pairwise sums to about 1e-15.

use super::sum::CompensatedSum;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// The score threshold when none is configured: P(positive) >= 0.5.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// What the model predicted, one entry per row of the target.
#[derive(Debug, Clone, Copy)]
pub enum Prediction<'a> {
    /// The predicted class of each row.
    Labels(&'a [String]),
    /// P(positive class) of each row, in [0, 1]; binary targets only.
    Scores(&'a [f64]),
}

impl Prediction<'_> {
    fn len(&self) -> usize {
        match self {
            Prediction::Labels(labels) => labels.len(),
            Prediction::Scores(scores) => scores.len(),
        }
    }
}

/// Classification metrics of one dataset. `None` means "not defined for
/// this task or input", never "failed".
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClassificationMetrics {
    pub rows: usize,
    /// The target's classes, sorted (see the module docs for the order).
    pub classes: Vec<String>,
    /// The class `precision`, `recall` and `f1` are about; `None` for a
    /// multiclass target, and for a one-class target with predicted labels
    /// and no positive label given.
    pub positive_label: Option<String>,
    /// `accuracy_score`.
    pub accuracy: f64,
    /// `precision_score(average="binary", pos_label=positive_label)`.
    pub precision: Option<f64>,
    /// `recall_score(average="binary", pos_label=positive_label)`.
    pub recall: Option<f64>,
    /// `f1_score(average="binary", pos_label=positive_label)`.
    pub f1: Option<f64>,
    /// `precision_score(average="macro")`, over the target's classes.
    pub macro_precision: Option<f64>,
    /// `recall_score(average="macro")`.
    pub macro_recall: Option<f64>,
    /// `f1_score(average="macro")`: the mean of per-class F1, not the F1 of
    /// the macro precision and recall.
    pub macro_f1: Option<f64>,
    /// `roc_auc_score` of the scores; `None` with predicted labels.
    pub roc_auc: Option<f64>,
    /// `log_loss` of the scores (natural log, probabilities clipped to
    /// `[eps, 1 - eps]`); `None` with predicted labels.
    pub log_loss: Option<f64>,
    /// Why metrics of a binary task are `None` (the target has one class);
    /// serialized as its message.
    /// (A report read back from the backtest cache has it `None`.)
    #[serde(serialize_with = "serialize_message", skip_deserializing)]
    pub undefined_reason: Option<PerformanceError>,
}

/// Regression metrics of one dataset.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegressionMetrics {
    pub rows: usize,
    /// `mean_absolute_error`.
    pub mae: f64,
    /// `root_mean_squared_error`.
    pub rmse: f64,
    /// Mean of `|y - ŷ| / |y|` over the rows with `y != 0`, as a fraction
    /// (0.05 is 5 %); `None` when every target is 0.
    pub mape: Option<f64>,
    /// Rows left out of `mape` because their target is 0.
    pub mape_skipped_zero_targets: usize,
    /// `r2_score`; `None` when the target has zero variance.
    pub r2: Option<f64>,
}

/// Which input a bad value is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Target,
    Predictions,
    Scores,
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Column::Target => "target",
            Column::Predictions => "predictions",
            Column::Scores => "scores",
        })
    }
}

/// Labels quoted for a message, at most [`LabelList::SHOWN`] of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelList(pub Vec<String>);

impl LabelList {
    const SHOWN: usize = 5;
}

impl fmt::Display for LabelList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, label) in self.0.iter().take(Self::SHOWN).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{label}`")?;
        }
        if self.0.len() > Self::SHOWN {
            write!(f, " and {} more", self.0.len() - Self::SHOWN)?;
        }
        Ok(())
    }
}

/// Why metrics could not be computed (or, as `undefined_reason`, why some of
/// them are `None`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PerformanceError {
    #[error("the target is empty; there are no rows to score")]
    Empty,
    #[error("the target has {truth} rows but the predictions have {predicted}")]
    LengthMismatch { truth: usize, predicted: usize },
    #[error("non-finite value `{value}` in the {column} at row index {row}; drop or fill missing values first")]
    NotFinite {
        column: Column,
        row: usize,
        value: f64,
    },
    #[error("score `{value}` at row index {row} is outside [0, 1]; scores must be probabilities of the positive class")]
    ScoreOutOfRange { row: usize, value: f64 },
    #[error("the threshold `{0}` is outside [0, 1]")]
    InvalidThreshold(f64),
    #[error("the target has one class (`{0}`); precision, recall and ROC AUC need two")]
    SingleClass(String),
    #[error("the target has one class (`{0}`) and no positive label was given, so it is unknown which class the scores are for; set the positive label")]
    PositiveUnknown(String),
    #[error("the positive label `{positive}` is not in the target (classes {classes})")]
    PositiveNotInTarget {
        positive: String,
        classes: LabelList,
    },
    #[error("a positive label needs a binary target, but the target has {0} classes")]
    PositiveNeedsBinary(usize),
    #[error("scores need a binary target, but the target has {0} classes; pass predicted labels instead")]
    ScoresNeedBinary(usize),
    #[error("predicted labels not in the target: {0}")]
    UnknownPredictedLabels(LabelList),
}

fn serialize_message<S: serde::Serializer>(
    reason: &Option<PerformanceError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match reason {
        Some(error) => serializer.collect_str(error),
        None => serializer.serialize_none(),
    }
}

/// Classification metrics of `predicted` against `truth`.
///
/// `positive` names the positive class of a binary task (default: the larger
/// class, see the module docs); it must be `None` for a multiclass target.
/// `threshold` turns scores into labels (`score >= threshold` is positive);
/// [`DEFAULT_THRESHOLD`] is sklearn's `predict` for a probabilistic model.
pub fn classification(
    truth: &[String],
    predicted: Prediction<'_>,
    positive: Option<&str>,
    threshold: f64,
) -> Result<ClassificationMetrics, PerformanceError> {
    check_rows(truth.len(), predicted.len())?;
    if let Prediction::Scores(scores) = predicted {
        check_scores(scores)?;
        if !(0.0..=1.0).contains(&threshold) {
            return Err(PerformanceError::InvalidThreshold(threshold));
        }
    }
    let target = Target::encode(truth);
    let scored = matches!(predicted, Prediction::Scores(_));
    let sides = target.sides(positive, scored)?;
    let predicted_codes = match predicted {
        Prediction::Labels(labels) => target.encode_predictions(labels, sides.as_ref())?,
        // `sides` is always Some with scores: `Target::sides` errs otherwise.
        Prediction::Scores(scores) => scores
            .iter()
            .map(|&score| match &sides {
                Some(s) if score >= threshold => s.positive,
                Some(s) => s.negative,
                None => target.other_code(),
            })
            .collect(),
    };
    let counts = ClassCounts::tally(&target, &predicted_codes);
    let rows = truth.len();
    let mut metrics = ClassificationMetrics {
        rows,
        classes: target.classes.iter().map(|c| c.to_string()).collect(),
        positive_label: sides.as_ref().map(|s| s.positive_label.to_string()),
        // accuracy_score: the share of exact matches.
        accuracy: counts.hits.iter().sum::<u64>() as f64 / rows as f64,
        precision: None,
        recall: None,
        f1: None,
        macro_precision: None,
        macro_recall: None,
        macro_f1: None,
        roc_auc: None,
        log_loss: None,
        undefined_reason: None,
    };
    if let (Prediction::Scores(scores), Some(s)) = (predicted, &sides) {
        let is_positive = |row: usize| target.codes.get(row) == Some(&s.positive);
        metrics.log_loss = Some(log_loss(scores, is_positive));
        if target.classes.len() == 2 {
            metrics.roc_auc = Some(roc_auc(scores, is_positive));
        }
    }
    if let [only] = target.classes.as_slice() {
        metrics.undefined_reason = Some(PerformanceError::SingleClass(only.to_string()));
    } else {
        let per_class: Vec<ClassScores> = (0..target.classes.len())
            .map(|c| counts.scores(c))
            .collect();
        if let Some(s) = &sides {
            let positive = counts.scores(s.positive);
            metrics.precision = Some(positive.precision);
            metrics.recall = Some(positive.recall);
            metrics.f1 = Some(positive.f1);
        }
        metrics.macro_precision = Some(mean_of(per_class.iter().map(|c| c.precision)));
        metrics.macro_recall = Some(mean_of(per_class.iter().map(|c| c.recall)));
        metrics.macro_f1 = Some(mean_of(per_class.iter().map(|c| c.f1)));
    }
    Ok(metrics)
}

/// Regression metrics of `predicted` against `truth`.
pub fn regression(truth: &[f64], predicted: &[f64]) -> Result<RegressionMetrics, PerformanceError> {
    check_rows(truth.len(), predicted.len())?;
    check_finite(truth, Column::Target)?;
    check_finite(predicted, Column::Predictions)?;
    let rows = truth.len();
    let n = rows as f64;
    let errors = || truth.iter().zip(predicted).map(|(y, p)| (*y, y - p));
    // mean_absolute_error, and mean_squared_error under the root.
    let mae = compensated_sum(errors().map(|(_, e)| e.abs())) / n;
    let squared_errors = compensated_sum(errors().map(|(_, e)| e * e));
    let rmse = (squared_errors / n).sqrt();
    let (mut ape, mut kept) = (CompensatedSum::default(), 0usize);
    for (y, e) in errors().filter(|(y, _)| *y != 0.0) {
        ape.add(e.abs() / y.abs());
        kept += 1;
    }
    Ok(RegressionMetrics {
        rows,
        mae,
        rmse,
        mape: (kept > 0).then(|| ape.value() / kept as f64),
        mape_skipped_zero_targets: rows - kept,
        r2: r2(truth, squared_errors),
    })
}

/// r2_score: `1 - SS_res / SS_tot`, exactly 1 when `SS_res` is 0 (as sklearn
/// sets it), `None` when the target has zero variance. Constancy is tested on
/// the values, not on `SS_tot`, because the mean of a constant such as 3.7 can
/// be one ulp off and leave rounding noise in `SS_tot`.
fn r2(truth: &[f64], squared_errors: f64) -> Option<f64> {
    let first = *truth.first()?;
    if truth.iter().all(|&y| y == first) {
        return None;
    }
    let mean = compensated_sum(truth.iter().copied()) / truth.len() as f64;
    let total = compensated_sum(truth.iter().map(|y| (y - mean) * (y - mean)));
    if total == 0.0 {
        // Deviations so small that their squares underflow.
        return None;
    }
    Some(if squared_errors == 0.0 {
        1.0
    } else {
        1.0 - squared_errors / total
    })
}

fn check_rows(truth: usize, predicted: usize) -> Result<(), PerformanceError> {
    if truth != predicted {
        return Err(PerformanceError::LengthMismatch { truth, predicted });
    }
    if truth == 0 {
        return Err(PerformanceError::Empty);
    }
    Ok(())
}

fn check_finite(values: &[f64], column: Column) -> Result<(), PerformanceError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(PerformanceError::NotFinite {
            column,
            row,
            value: values[row],
        }),
        None => Ok(()),
    }
}

fn check_scores(scores: &[f64]) -> Result<(), PerformanceError> {
    check_finite(scores, Column::Scores)?;
    match scores.iter().position(|s| !(0.0..=1.0).contains(s)) {
        Some(row) => Err(PerformanceError::ScoreOutOfRange {
            row,
            value: scores[row],
        }),
        None => Ok(()),
    }
}

/// The target, encoded: each row's class as an index into the sorted
/// `classes`. Index `classes.len()` stands for "another label" (see
/// [`Target::other_code`]).
struct Target<'a> {
    classes: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
    codes: Vec<usize>,
}

/// The positive and negative class of a binary task, as codes of a [`Target`].
struct Sides<'a> {
    positive: usize,
    negative: usize,
    positive_label: &'a str,
}

impl<'a> Target<'a> {
    /// One hash lookup per row, then one sort of the distinct classes.
    fn encode(truth: &'a [String]) -> Target<'a> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut codes: Vec<usize> = truth
            .iter()
            .map(|label| {
                let next = index.len();
                *index.entry(label.as_str()).or_insert(next)
            })
            .collect();
        let mut classes: Vec<&str> = vec![""; index.len()];
        for (&label, &code) in &index {
            classes[code] = label;
        }
        sort_classes(&mut classes);
        let mut rank = vec![0usize; classes.len()];
        for (sorted, label) in classes.iter().enumerate() {
            if let Some(code) = index.get_mut(label) {
                rank[*code] = sorted;
                *code = sorted;
            }
        }
        for code in &mut codes {
            *code = rank[*code];
        }
        Target {
            classes,
            index,
            codes,
        }
    }

    /// The code of a label outside the target: the other class of a
    /// one-class target, or a predicted label that matches no class.
    fn other_code(&self) -> usize {
        self.classes.len()
    }

    /// Resolves the positive class (module docs: "Positive label", "One class
    /// in the target"). `None` for multiclass, and for a one-class target
    /// with labels and no positive label.
    fn sides(
        &self,
        positive: Option<&'a str>,
        scored: bool,
    ) -> Result<Option<Sides<'a>>, PerformanceError> {
        let other = self.other_code();
        let sides = |positive, negative, positive_label| {
            Ok(Some(Sides {
                positive,
                negative,
                positive_label,
            }))
        };
        match (self.classes.as_slice(), positive) {
            ([only], None) if scored => Err(PerformanceError::PositiveUnknown(only.to_string())),
            ([_], None) => Ok(None),
            ([only], Some(p)) if p == *only => sides(0, other, p),
            ([_], Some(p)) => sides(other, 0, p),
            ([_, larger], None) => sides(1, 0, *larger),
            ([a, b], Some(p)) if p == *a || p == *b => {
                let positive = usize::from(p == *b);
                sides(positive, 1 - positive, p)
            }
            ([_, _], Some(p)) => Err(PerformanceError::PositiveNotInTarget {
                positive: p.to_string(),
                classes: LabelList(self.classes.iter().map(|c| c.to_string()).collect()),
            }),
            (classes, _) if scored => Err(PerformanceError::ScoresNeedBinary(classes.len())),
            (classes, Some(_)) => Err(PerformanceError::PositiveNeedsBinary(classes.len())),
            (_, None) => Ok(None),
        }
    }

    /// Codes of predicted labels. Labels outside the target are an error,
    /// except the other class of a one-class target (module docs).
    fn encode_predictions(
        &self,
        labels: &'a [String],
        sides: Option<&Sides<'a>>,
    ) -> Result<Vec<usize>, PerformanceError> {
        let other_code = self.other_code();
        let one_class = self.classes.len() == 1;
        // The other class's name when it is known (the positive label outside
        // the target); else the first outside label seen in a one-class target.
        let mut other: Option<&str> = sides
            .filter(|s| s.positive == other_code)
            .map(|s| s.positive_label);
        let other_is_fixed = other.is_some();
        let mut unknown: BTreeSet<&str> = BTreeSet::new();
        let codes = labels
            .iter()
            .map(|label| {
                let label = label.as_str();
                if let Some(&code) = self.index.get(label) {
                    return code;
                }
                match other {
                    Some(o) if o == label => {}
                    None if one_class => other = Some(label),
                    _ => {
                        unknown.insert(label);
                    }
                }
                other_code
            })
            .collect();
        if unknown.is_empty() {
            return Ok(codes);
        }
        if let (Some(o), false) = (other, other_is_fixed) {
            // The accepted "other" label is as suspect as the rest.
            unknown.insert(o);
        }
        Err(PerformanceError::UnknownPredictedLabels(LabelList(
            unknown.into_iter().map(str::to_string).collect(),
        )))
    }
}

/// Sorts classes as numpy sorts a label column: as numbers when every class
/// reads as a finite number (text breaks ties such as `1` vs `1.0`), else as
/// text by code point. Each label is parsed once.
fn sort_classes(classes: &mut [&str]) {
    let numbers: Option<Vec<f64>> = classes
        .iter()
        .map(|c| c.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let Some(numbers) = numbers else {
        classes.sort_unstable();
        return;
    };
    let mut keyed: Vec<(f64, &str)> = numbers.into_iter().zip(classes.iter().copied()).collect();
    keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    for (slot, (_, class)) in classes.iter_mut().zip(keyed) {
        *slot = class;
    }
}

/// Per-class counts, the sufficient statistics of sklearn's
/// `multilabel_confusion_matrix` (tp, tp + fp, tp + fn), indexed by code
/// (the last slot is "another label").
struct ClassCounts {
    truth: Vec<u64>,
    predicted: Vec<u64>,
    hits: Vec<u64>,
}

/// Precision, recall and F1 of one class.
struct ClassScores {
    precision: f64,
    recall: f64,
    f1: f64,
}

impl ClassCounts {
    fn tally(target: &Target<'_>, predicted: &[usize]) -> ClassCounts {
        let slots = target.classes.len() + 1;
        let mut counts = ClassCounts {
            truth: vec![0; slots],
            predicted: vec![0; slots],
            hits: vec![0; slots],
        };
        for (&t, &p) in target.codes.iter().zip(predicted) {
            // Codes are below `slots` by construction; `get_mut` keeps an
            // impossible one from panicking.
            if let Some(n) = counts.truth.get_mut(t) {
                *n += 1;
            }
            if let Some(n) = counts.predicted.get_mut(p) {
                *n += 1;
            }
            if t == p {
                if let Some(n) = counts.hits.get_mut(t) {
                    *n += 1;
                }
            }
        }
        counts
    }

    /// sklearn's precision_recall_fscore_support for one label with
    /// beta = 1 and zero_division = 0: F1 is `2 tp / (true + predicted)`,
    /// the same float operations sklearn does.
    fn scores(&self, code: usize) -> ClassScores {
        let get = |v: &Vec<u64>| v.get(code).copied().unwrap_or(0);
        let (tp, truth, predicted) = (get(&self.hits), get(&self.truth), get(&self.predicted));
        ClassScores {
            precision: ratio(tp as f64, predicted),
            recall: ratio(tp as f64, truth),
            f1: ratio(2.0 * tp as f64, truth + predicted),
        }
    }
}

/// sklearn's `_prf_divide` with zero_division = 0.
fn ratio(numerator: f64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator / denominator as f64
    }
}

/// roc_auc_score of a binary target: the area under the ROC curve, which is
/// the Mann-Whitney statistic P(score+ > score-) + P(score+ = score-) / 2.
/// Counted exactly in integers over one sort of each class's scores, so it
/// equals sklearn's trapezoids over `roc_curve` up to their rounding.
pub(crate) fn roc_auc(scores: &[f64], is_positive: impl Fn(usize) -> bool) -> f64 {
    let (mut positives, mut negatives) = (Vec::new(), Vec::new());
    for (row, &score) in scores.iter().enumerate() {
        let side = if is_positive(row) {
            &mut positives
        } else {
            &mut negatives
        };
        side.push(score);
    }
    // Sorted by `total_cmp` (no NaN gets here), then searched with IEEE
    // comparisons: -0.0 and 0.0 sort next to each other and compare equal,
    // so they tie as sklearn's `roc_curve` ties them.
    positives.sort_unstable_by(f64::total_cmp);
    negatives.sort_unstable_by(f64::total_cmp);
    // Twice the number of (positive, negative) pairs ranked right, ties
    // counting one: exact in u128 for any input size.
    let mut twice_wins: u128 = 0;
    let (mut start, mut below) = (0, 0);
    while let Some(&value) = positives.get(start) {
        let end = start + positives[start..].partition_point(|&s| s <= value);
        below += negatives[below..].partition_point(|&s| s < value);
        let tied = negatives[below..].partition_point(|&s| s <= value);
        twice_wins += (end - start) as u128 * (2 * below + tied) as u128;
        start = end;
    }
    let pairs = positives.len() as f64 * negatives.len() as f64;
    twice_wins as f64 / (2.0 * pairs)
}

/// log_loss of P(positive) scores: the mean of `-ln p(true class)`, with `p`
/// clipped to `[eps, 1 - eps]` for the machine epsilon of f64, as sklearn 1.5
/// and later clip (`_log_loss`: `xp.finfo(y_proba.dtype).eps`). The negative
/// class's probability is `1 - score` before clipping, as sklearn stacks it.
fn log_loss(scores: &[f64], is_positive: impl Fn(usize) -> bool) -> f64 {
    let eps = f64::EPSILON;
    let losses = scores.iter().enumerate().map(|(row, &score)| {
        let p = if is_positive(row) { score } else { 1.0 - score };
        -p.clamp(eps, 1.0 - eps).ln()
    });
    compensated_sum(losses) / scores.len() as f64
}

fn mean_of(values: impl ExactSizeIterator<Item = f64>) -> f64 {
    let n = values.len() as f64;
    compensated_sum(values) / n
}

fn compensated_sum(values: impl Iterator<Item = f64>) -> f64 {
    let mut sum = CompensatedSum::default();
    values.for_each(|v| sum.add(v));
    sum.value()
}

#[cfg(test)]
mod tests {
    //! Reference values: `scripts/reference/performance_reference.py` runs
    //! scikit-learn 1.9.1 on seeded inputs and stores inputs and results in
    //! `fixtures/reference/performance.json`.

    use super::*;
    use crate::stats::rng::Rng;

    #[derive(serde::Deserialize)]
    struct Fixture {
        scikit_learn: String,
        classification: Vec<ClassificationCase>,
        regression: Vec<RegressionCase>,
    }

    #[derive(serde::Deserialize)]
    struct ClassificationCase {
        name: String,
        truth: Vec<String>,
        labels: Option<Vec<String>>,
        scores: Option<Vec<f64>>,
        threshold: Option<f64>,
        positive: Option<String>,
        expected: ClassificationExpected,
    }

    #[derive(serde::Deserialize)]
    struct ClassificationExpected {
        classes: Vec<String>,
        positive_label: Option<String>,
        accuracy: f64,
        precision: Option<f64>,
        recall: Option<f64>,
        f1: Option<f64>,
        macro_precision: Option<f64>,
        macro_recall: Option<f64>,
        macro_f1: Option<f64>,
        roc_auc: Option<f64>,
        log_loss: Option<f64>,
    }

    #[derive(serde::Deserialize)]
    struct RegressionCase {
        name: String,
        truth: Vec<f64>,
        predicted: Vec<f64>,
        expected: RegressionExpected,
        sklearn_mape_nonzero: Option<f64>,
    }

    #[derive(serde::Deserialize)]
    struct RegressionExpected {
        mae: f64,
        rmse: f64,
        mape: Option<f64>,
        mape_skipped_zero_targets: usize,
        r2: Option<f64>,
    }

    fn fixture() -> Fixture {
        serde_json::from_str(include_str!("../../fixtures/reference/performance.json"))
            .expect("performance.json parses")
    }

    /// 1e-9, relative above 1 (MAE and RMSE of large targets).
    fn assert_close(got: Option<f64>, want: Option<f64>, what: &str) {
        match (got, want) {
            (Some(g), Some(w)) => assert!(
                (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                "{what}: {g}, sklearn {w}"
            ),
            (g, w) => assert_eq!(g, w, "{what}: defined in one and not the other"),
        }
    }

    fn run(case: &ClassificationCase) -> Result<ClassificationMetrics, PerformanceError> {
        let predicted = match (&case.labels, &case.scores) {
            (Some(labels), _) => Prediction::Labels(labels),
            (None, Some(scores)) => Prediction::Scores(scores),
            (None, None) => panic!("{}: no predictions", case.name),
        };
        let threshold = case.threshold.unwrap_or(DEFAULT_THRESHOLD);
        classification(&case.truth, predicted, case.positive.as_deref(), threshold)
    }

    #[test]
    fn classification_matches_sklearn() {
        let fixture = fixture();
        let names: Vec<&str> = fixture
            .classification
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        for needed in [
            "binary_scores_ties",
            "string_labels_yes_no",
            "explicit_positive_smaller_label_scores",
            "multiclass_4_class_never_predicted",
            "single_class_scores",
            "numeric_labels_2_10_scores",
        ] {
            assert!(
                names.contains(&needed),
                "no `{needed}` case (sklearn {})",
                fixture.scikit_learn
            );
        }
        for case in &fixture.classification {
            let got = run(case).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let want = &case.expected;
            let what = |metric: &str| format!("{} {metric}", case.name);
            assert_eq!(got.rows, case.truth.len(), "{}", what("rows"));
            assert_eq!(got.classes, want.classes, "{}", what("classes"));
            assert_eq!(
                got.positive_label,
                want.positive_label,
                "{}",
                what("positive")
            );
            assert_close(Some(got.accuracy), Some(want.accuracy), &what("accuracy"));
            assert_close(got.precision, want.precision, &what("precision"));
            assert_close(got.recall, want.recall, &what("recall"));
            assert_close(got.f1, want.f1, &what("f1"));
            assert_close(
                got.macro_precision,
                want.macro_precision,
                &what("macro precision"),
            );
            assert_close(got.macro_recall, want.macro_recall, &what("macro recall"));
            assert_close(got.macro_f1, want.macro_f1, &what("macro f1"));
            assert_close(got.roc_auc, want.roc_auc, &what("roc auc"));
            assert_close(got.log_loss, want.log_loss, &what("log loss"));
            assert_eq!(
                got.undefined_reason.is_some(),
                want.classes.len() == 1,
                "{}",
                what("undefined reason")
            );
        }
    }

    #[test]
    fn regression_matches_sklearn() {
        let fixture = fixture();
        assert!(fixture
            .regression
            .iter()
            .any(|c| c.expected.mape_skipped_zero_targets > 0));
        assert!(fixture.regression.iter().any(|c| c.expected.r2.is_none()));
        for case in &fixture.regression {
            let got = regression(&case.truth, &case.predicted)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let want = &case.expected;
            let what = |metric: &str| format!("{} {metric}", case.name);
            assert_eq!(got.rows, case.truth.len());
            assert_close(Some(got.mae), Some(want.mae), &what("mae"));
            assert_close(Some(got.rmse), Some(want.rmse), &what("rmse"));
            assert_close(got.mape, want.mape, &what("mape"));
            // Our MAPE on the non-zero rows is sklearn's on those rows.
            assert_close(got.mape, case.sklearn_mape_nonzero, &what("sklearn mape"));
            assert_eq!(
                got.mape_skipped_zero_targets,
                want.mape_skipped_zero_targets,
                "{}",
                what("skipped")
            );
            assert_close(got.r2, want.r2, &what("r2"));
        }
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    /// `n` rows of a binary target with scores that separate it imperfectly.
    fn binary_sample(seed: u64, n: usize) -> (Vec<String>, Vec<f64>) {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                let positive = rng.next_f64() < 0.4;
                let shift = if positive { 0.25 } else { 0.0 };
                let score = (rng.next_f64() * 0.75 + shift) * 100.0;
                let label = if positive { "1" } else { "0" };
                (label.to_string(), score.round() / 100.0)
            })
            .unzip()
    }

    /// The Mann-Whitney AUC by comparing every pair: the definition the
    /// sorted count must agree with.
    fn auc_by_pairs(truth: &[String], scores: &[f64]) -> f64 {
        let (mut wins, mut pairs) = (0.0, 0.0);
        for (t, s) in truth.iter().zip(scores).filter(|(t, _)| *t == "1") {
            for (_, n) in truth.iter().zip(scores).filter(|(u, _)| *u != t) {
                pairs += 1.0;
                wins += if s > n {
                    1.0
                } else if s == n {
                    0.5
                } else {
                    0.0
                };
            }
        }
        wins / pairs
    }

    #[test]
    fn roc_auc_counts_ties_as_half() {
        for seed in 0..20 {
            let (truth, scores) = binary_sample(seed, 50 + 13 * seed as usize);
            let got = classification(&truth, Prediction::Scores(&scores), None, 0.5).unwrap();
            let want = auc_by_pairs(&truth, &scores);
            assert!((got.roc_auc.unwrap() - want).abs() < 1e-15, "seed {seed}");
        }
        let truth = strings(&["0", "1", "0", "1"]);
        let same = [0.3, 0.3, 0.3, 0.3];
        let got = classification(&truth, Prediction::Scores(&same), None, 0.5).unwrap();
        assert_eq!(got.roc_auc, Some(0.5));
        // -0.0 and 0.0 are the same score: a tie, not a win.
        let signed_zeros = [-0.0, 0.0, 0.0, -0.0];
        let got = classification(&truth, Prediction::Scores(&signed_zeros), None, 0.5);
        assert_eq!(got.unwrap().roc_auc, Some(0.5));
    }

    #[test]
    fn perfect_predictions_score_perfectly() {
        let (truth, _) = binary_sample(7, 500);
        let got = classification(&truth, Prediction::Labels(&truth), None, 0.5).unwrap();
        for value in [
            got.accuracy,
            got.precision.unwrap(),
            got.recall.unwrap(),
            got.f1.unwrap(),
        ] {
            assert_eq!(value, 1.0);
        }
        assert_eq!((got.macro_precision, got.macro_f1), (Some(1.0), Some(1.0)));
        let scores: Vec<f64> = truth
            .iter()
            .map(|t| if t == "1" { 1.0 } else { 0.0 })
            .collect();
        let got = classification(&truth, Prediction::Scores(&scores), None, 0.5).unwrap();
        assert_eq!((got.accuracy, got.roc_auc), (1.0, Some(1.0)));
        // Clipping to [eps, 1 - eps] leaves -ln(1 - eps) per row, not 0.
        assert_eq!(got.log_loss, Some(-(1.0 - f64::EPSILON).ln()));
        let reversed: Vec<f64> = scores.iter().map(|s| 1.0 - s).collect();
        let got = classification(&truth, Prediction::Scores(&reversed), None, 0.5).unwrap();
        assert_eq!((got.accuracy, got.roc_auc), (0.0, Some(0.0)));
        assert!((got.log_loss.unwrap() + f64::EPSILON.ln()).abs() < 1e-12);

        let mut rng = Rng::new(3);
        let values: Vec<f64> = (0..1000).map(|_| rng.next_f64() * 200.0 - 100.0).collect();
        let got = regression(&values, &values).unwrap();
        assert_eq!(
            (got.mae, got.rmse, got.mape, got.r2),
            (0.0, 0.0, Some(0.0), Some(1.0))
        );
    }

    #[test]
    fn positive_label_defaults_to_the_larger_class() {
        let cases: [(&[&str], &str); 4] = [
            (&["no", "yes"], "yes"),
            (&["2", "10"], "10"),
            (&["1", "-1"], "1"),
            (&["B", "a"], "a"),
        ];
        for (classes, positive) in cases {
            let truth = strings(classes);
            let got = classification(&truth, Prediction::Labels(&truth), None, 0.5).unwrap();
            assert_eq!(got.positive_label.as_deref(), Some(positive), "{classes:?}");
            assert_eq!(got.classes.last().map(String::as_str), Some(positive));
        }
        // Scores are read as P(positive): naming the other class flips AUC.
        let (truth, scores) = binary_sample(11, 300);
        let larger = classification(&truth, Prediction::Scores(&scores), None, 0.5).unwrap();
        let smaller = classification(&truth, Prediction::Scores(&scores), Some("0"), 0.5).unwrap();
        let (a, b) = (larger.roc_auc.unwrap(), smaller.roc_auc.unwrap());
        assert!((a + b - 1.0).abs() < 1e-12, "{a} + {b}");
    }

    #[test]
    fn one_class_target_keeps_accuracy_and_says_why_the_rest_is_missing() {
        let truth = strings(&["no", "no", "no", "no"]);
        let predicted = strings(&["no", "yes", "no", "no"]);
        let got = classification(&truth, Prediction::Labels(&predicted), None, 0.5).unwrap();
        assert_eq!(got.accuracy, 0.75);
        assert_eq!(
            (got.precision, got.macro_f1, got.roc_auc),
            (None, None, None)
        );
        assert_eq!(got.positive_label, None);
        let reason = "the target has one class (`no`); precision, recall and ROC AUC need two";
        assert_eq!(
            got.undefined_reason
                .as_ref()
                .map(|e| e.to_string())
                .as_deref(),
            Some(reason)
        );
        let json = serde_json::to_value(&got).unwrap();
        assert_eq!(json["undefined_reason"], reason);
        assert_eq!(json["precision"], serde_json::Value::Null);

        // With scores the positive label says what they are the probability of.
        let scores = [0.1, 0.2, 0.7, 0.0];
        let got = classification(&truth, Prediction::Scores(&scores), Some("yes"), 0.5).unwrap();
        assert_eq!(got.accuracy, 0.75);
        let want = -(0.9f64.ln() + 0.8f64.ln() + 0.3f64.ln() + (1.0 - f64::EPSILON).ln()) / 4.0;
        assert!((got.log_loss.unwrap() - want).abs() < 1e-15);
        let got = classification(&truth, Prediction::Scores(&scores), Some("no"), 0.5).unwrap();
        assert_eq!(got.accuracy, 0.25);
        assert_eq!(
            classification(&truth, Prediction::Scores(&scores), None, 0.5),
            Err(PerformanceError::PositiveUnknown("no".into()))
        );
        // Two labels outside a one-class target are one too many.
        let predicted = strings(&["maybe", "yes", "no", "no"]);
        let err = classification(&truth, Prediction::Labels(&predicted), None, 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "predicted labels not in the target: `maybe`, `yes`"
        );
        let err = classification(&truth, Prediction::Labels(&predicted), Some("yes"), 0.5);
        assert_eq!(
            err.unwrap_err().to_string(),
            "predicted labels not in the target: `maybe`"
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let truth = strings(&["a", "b", "a"]);
        let three = strings(&["a", "b", "c"]);
        let err = |r: Result<ClassificationMetrics, PerformanceError>| r.unwrap_err().to_string();
        let labels = Prediction::Labels;
        assert_eq!(
            err(classification(&[], Prediction::Scores(&[]), None, 0.5)),
            "the target is empty; there are no rows to score"
        );
        assert_eq!(
            err(classification(&truth, labels(&three[..2]), None, 0.5)),
            "the target has 3 rows but the predictions have 2"
        );
        assert_eq!(
            err(classification(&truth, Prediction::Scores(&[0.1, f64::NAN, 0.2]), None, 0.5)),
            "non-finite value `NaN` in the scores at row index 1; drop or fill missing values first"
        );
        assert_eq!(
            err(classification(&truth, Prediction::Scores(&[0.1, 1.5, 0.2]), None, 0.5)),
            "score `1.5` at row index 1 is outside [0, 1]; scores must be probabilities of the positive class"
        );
        assert_eq!(
            err(classification(
                &truth,
                Prediction::Scores(&[0.1, 0.5, 0.2]),
                None,
                f64::NAN
            )),
            "the threshold `NaN` is outside [0, 1]"
        );
        assert_eq!(
            err(classification(&truth, labels(&three), None, 0.5)),
            "predicted labels not in the target: `c`"
        );
        assert_eq!(
            err(classification(&truth, labels(&truth), Some("c"), 0.5)),
            "the positive label `c` is not in the target (classes `a`, `b`)"
        );
        assert_eq!(
            err(classification(&three, labels(&three), Some("c"), 0.5)),
            "a positive label needs a binary target, but the target has 3 classes"
        );
        assert_eq!(
            err(classification(&three, Prediction::Scores(&[0.1, 0.2, 0.3]), None, 0.5)),
            "scores need a binary target, but the target has 3 classes; pass predicted labels instead"
        );
        assert_eq!(
            err(classification(
                &strings(&["1"]),
                Prediction::Scores(&[0.3]),
                None,
                0.5
            )),
            "the target has one class (`1`) and no positive label was given, so it is unknown \
             which class the scores are for; set the positive label"
        );
        let many: Vec<String> = (0..8).map(|i| format!("x{i}")).collect();
        let truth8 = strings(&["a"; 8]);
        assert_eq!(
            err(classification(&truth8, labels(&many), Some("a"), 0.5)),
            "predicted labels not in the target: `x0`, `x1`, `x2`, `x3`, `x4` and 3 more"
        );
        assert_eq!(
            regression(&[1.0, 2.0], &[1.0, f64::INFINITY]).unwrap_err().to_string(),
            "non-finite value `inf` in the predictions at row index 1; drop or fill missing values first"
        );
        assert!(matches!(
            regression(&[f64::NAN], &[1.0]),
            Err(PerformanceError::NotFinite {
                column: Column::Target,
                row: 0,
                ..
            })
        ));
        assert_eq!(regression(&[], &[]), Err(PerformanceError::Empty));
    }

    #[test]
    fn regression_edge_cases() {
        // MAPE skips zero targets rather than dividing by eps.
        let got = regression(&[0.0, 2.0, 0.0, -4.0], &[1.0, 1.0, 0.0, -5.0]).unwrap();
        assert_eq!((got.mape, got.mape_skipped_zero_targets), (Some(0.375), 2));
        let got = regression(&[0.0, 0.0], &[1.0, -1.0]).unwrap();
        assert_eq!(
            (got.mape, got.mape_skipped_zero_targets, got.r2),
            (None, 2, None)
        );
        // A constant target has no variance to explain, whatever the mean's
        // rounding: even a correctly rounded 50 x 6.423 / 50 is not 6.423.
        assert_ne!((50.0 * 6.423) / 50.0, 6.423);
        let got = regression(&[6.423; 50], &[6.4; 50]).unwrap();
        assert_eq!(got.r2, None);
        assert!((got.mae - 0.023).abs() < 1e-12);
        assert_eq!(regression(&[2.5], &[2.0]).unwrap().r2, None);
        // Deviations whose squares underflow count as no variance too.
        assert_eq!(regression(&[1e-200, 2e-200], &[0.0, 0.0]).unwrap().r2, None);
        // Overflowing errors give infinities, not a panic or NaN.
        let got = regression(&[f64::MAX, -f64::MAX], &[-f64::MAX, f64::MAX]).unwrap();
        assert_eq!((got.mae, got.rmse), (f64::INFINITY, f64::INFINITY));
    }

    proptest::proptest! {
        #[test]
        fn classification_metrics_stay_in_range(
            rows in proptest::collection::vec((0u8..4, 0u8..4, 0.0f64..=1.0), 1..300),
            positive in proptest::option::of(0u8..5),
            threshold in 0.0f64..=1.0,
        ) {
            let truth: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
            let labels: Vec<String> = rows.iter().map(|r| r.1.to_string()).collect();
            let scores: Vec<f64> = rows.iter().map(|r| (r.2 * 20.0).round() / 20.0).collect();
            let positive = positive.map(|p| p.to_string());
            for predicted in [Prediction::Labels(&labels), Prediction::Scores(&scores)] {
                // Errors are fine (labels outside the target, ...); panics are not.
                let Ok(got) = classification(&truth, predicted, positive.as_deref(), threshold) else {
                    continue;
                };
                let unit = [
                    Some(got.accuracy), got.precision, got.recall, got.f1, got.macro_precision,
                    got.macro_recall, got.macro_f1, got.roc_auc,
                ];
                for value in unit.into_iter().flatten() {
                    proptest::prop_assert!((0.0..=1.0).contains(&value), "{got:?}");
                }
                if let Some(loss) = got.log_loss {
                    proptest::prop_assert!((0.0..=-f64::EPSILON.ln()).contains(&loss));
                }
            }
        }

        #[test]
        fn regression_metrics_are_consistent(
            pairs in proptest::collection::vec((-1e3f64..1e3, -1e3f64..1e3), 1..300),
        ) {
            let (truth, predicted): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            let got = regression(&truth, &predicted).unwrap();
            proptest::prop_assert!(got.mae >= 0.0 && got.mae <= got.rmse * (1.0 + 1e-12));
            if let Some(r2) = got.r2 {
                proptest::prop_assert!(r2 <= 1.0);
            }
            let same = regression(&truth, &truth).unwrap();
            proptest::prop_assert_eq!((same.mae, same.rmse), (0.0, 0.0));
            proptest::prop_assert!(same.r2.is_none() || same.r2 == Some(1.0));
        }
    }
}
