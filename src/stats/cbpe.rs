//! Confidence-based performance estimation (CBPE) for binary classifiers, as
//! NannyML 0.13 computes it: the expected confusion matrix of calibrated
//! probabilities gives accuracy, precision, recall, F1 and specificity
//! without labels; ROC AUC comes from the calibrated probabilities ordered
//! by the uncalibrated score. Sampling errors and alert thresholds come from
//! the labelled reference.
//!
//! Must not read files, look at the clock or print. Every number is checked
//! against NannyML 0.13.1 in `fixtures/reference/cbpe.json`
//! (`scripts/reference/nannyml_reference.py`); see `docs/estimated-performance.md`.
//!
//! Where this differs from NannyML, on purpose:
//!
//! - **Calibration check.** NannyML decides whether to calibrate with ten
//!   `StratifiedShuffleSplit`s drawn from numpy's RNG (seed 42). The same
//!   procedure runs here on driftmend's seeded RNG, so `Calibration::Auto`
//!   can decide differently from NannyML on borderline data;
//!   `Calibration::Always` (and `Never`) are exact.
//! - **Ties in the score** are ordered stably (NannyML's `np.argsort` is an
//!   unstable quicksort); with tied scores the ROC AUC estimate and its
//!   sampling error may differ in the last digits.
//! - **Undefined values** are `None` where NannyML yields NaN.

use std::ops::Range;

use super::isotonic::Isotonic;
use super::rng::Rng;
use super::StatsError;

/// NannyML's `SAMPLING_ERROR_RANGE`: the band is estimate +- 3 SE.
pub const SAMPLING_ERROR_RANGE: f64 = 3.0;
/// Thresholds are the mean +- this many standard deviations of the realized
/// metric over reference chunks (`StandardDeviationThreshold`).
pub const THRESHOLD_STD: f64 = 3.0;

/// Metric names of the estimates (`performance.estimated.<name>`).
pub const ESTIMATED_METRICS: &[&str] = &[
    "roc_auc",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "specificity",
];

/// Whether scores are calibrated on the reference before estimating.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Calibration {
    /// Calibrate when it lowers the expected calibration error on held-out
    /// reference rows (NannyML's check, on driftmend's seeded RNG)
    #[default]
    Auto,
    /// Always fit isotonic calibration on the reference (exact NannyML parity)
    Always,
    /// Use the scores as probabilities
    Never,
}

impl std::fmt::Display for Calibration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Calibration::Auto => "auto",
            Calibration::Always => "always",
            Calibration::Never => "never",
        })
    }
}

/// The estimated metrics, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryMetric {
    RocAuc,
    Accuracy,
    Precision,
    Recall,
    F1,
    Specificity,
}

impl BinaryMetric {
    pub const ALL: [BinaryMetric; 6] = [
        BinaryMetric::RocAuc,
        BinaryMetric::Accuracy,
        BinaryMetric::Precision,
        BinaryMetric::Recall,
        BinaryMetric::F1,
        BinaryMetric::Specificity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BinaryMetric::RocAuc => "roc_auc",
            BinaryMetric::Accuracy => "accuracy",
            BinaryMetric::Precision => "precision",
            BinaryMetric::Recall => "recall",
            BinaryMetric::F1 => "f1",
            BinaryMetric::Specificity => "specificity",
        }
    }
}

/// Labelled rows of one side: the truth, the model's score for the positive
/// class, and the threshold that turns the score into a predicted label.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    pub scores: &'a [f64],
    /// `score >= threshold` is predicted positive.
    pub threshold: f64,
}

impl Scored<'_> {
    fn predicted(&self, i: usize) -> bool {
        self.scores[i] >= self.threshold
    }
}

/// What CBPE learned from the labelled reference.
#[derive(Debug, Clone, PartialEq)]
pub struct CbpeFit {
    /// `None`: the scores are used as they are.
    calibrator: Option<Isotonic>,
    threshold: f64,
    pub metrics: Vec<MetricFit>,
}

/// One metric's reference-derived constants.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFit {
    pub metric: BinaryMetric,
    /// Standard deviation of the per-row contributions on the reference,
    /// and the share of rows that contribute (NannyML's sampling error
    /// components); SE = std / sqrt(n * fraction).
    pub se_std: Option<f64>,
    pub se_fraction: f64,
    /// The realized metric on each reference chunk (`None`: undefined there).
    pub reference_chunks: Vec<Option<f64>>,
    /// Mean -/+ 3 std of the defined reference-chunk values, clipped to
    /// [0, 1]; `None` when no chunk had a value.
    pub lower_threshold: Option<f64>,
    pub upper_threshold: Option<f64>,
}

impl CbpeFit {
    /// Whether the scores are calibrated before estimating.
    pub fn calibrated(&self) -> bool {
        self.calibrator.is_some()
    }

    /// The calibrated probability of a score (the score itself without
    /// calibration).
    pub fn calibrate(&self, score: f64) -> f64 {
        match &self.calibrator {
            Some(iso) => iso.predict(score),
            None => score,
        }
    }
}

/// One metric estimated on a batch without labels.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MetricEstimate {
    pub metric: BinaryMetric,
    pub value: Option<f64>,
    pub sampling_error: Option<f64>,
    /// value -/+ 3 SE, clipped to [0, 1].
    pub lower_confidence_bound: Option<f64>,
    pub upper_confidence_bound: Option<f64>,
    pub lower_threshold: Option<f64>,
    pub upper_threshold: Option<f64>,
    /// The estimate is outside the thresholds.
    pub alert: bool,
    /// The metric computed with the batch's own labels, when it has them.
    pub realized: Option<f64>,
}

/// Fits CBPE on the labelled reference. `truth[i]` is whether row `i` is of
/// the positive class; `chunks` split the reference rows for the
/// thresholds. `seed` drives the calibration check of `Calibration::Auto`.
pub fn fit(
    truth: &[bool],
    reference: Scored<'_>,
    chunks: &[Range<usize>],
    calibration: Calibration,
    seed: u64,
) -> Result<CbpeFit, StatsError> {
    let n = truth.len();
    if n == 0 || reference.scores.len() != n {
        return Err(StatsError::Undefined(
            "estimated performance needs labelled reference rows with scores".into(),
        ));
    }
    if reference.scores.iter().any(|s| !s.is_finite()) {
        return Err(StatsError::Undefined(
            "estimated performance needs finite scores".into(),
        ));
    }
    let metrics = BinaryMetric::ALL
        .iter()
        .map(|&metric| {
            let (se_std, se_fraction) = sampling_error_components(metric, truth, reference);
            let reference_chunks: Vec<Option<f64>> = chunks
                .iter()
                .map(|r| realized(metric, &truth[r.clone()], slice(reference, r.clone())))
                .collect();
            let (lower_threshold, upper_threshold) = thresholds(&reference_chunks);
            MetricFit {
                metric,
                se_std,
                se_fraction,
                reference_chunks,
                lower_threshold,
                upper_threshold,
            }
        })
        .collect();
    let calibrate = match calibration {
        Calibration::Always => true,
        Calibration::Never => false,
        Calibration::Auto => needs_calibration(truth, reference.scores, seed)?,
    };
    let y: Vec<f64> = truth.iter().map(|&t| f64::from(u8::from(t))).collect();
    let calibrator = if calibrate {
        Some(Isotonic::fit(reference.scores, &y)?)
    } else {
        None
    };
    Ok(CbpeFit {
        calibrator,
        threshold: reference.threshold,
        metrics,
    })
}

/// Estimates every metric on `scores` (one batch or chunk, no missing
/// values); `truth`, when the batch has labels, adds the realized values.
pub fn estimate(fit: &CbpeFit, scores: &[f64], truth: Option<&[bool]>) -> Vec<MetricEstimate> {
    let batch = Scored {
        scores,
        threshold: fit.threshold,
    };
    let calibrated: Vec<f64> = scores.iter().map(|&s| fit.calibrate(s)).collect();
    fit.metrics
        .iter()
        .map(|m| {
            let value = if scores.is_empty() {
                None
            } else {
                estimated(m.metric, batch, &calibrated)
            };
            let sampling_error = m
                .se_std
                .map(|std| std / (scores.len() as f64 * m.se_fraction).sqrt())
                .filter(|se| se.is_finite());
            let bound = |sign: f64| {
                Some((value? + sign * SAMPLING_ERROR_RANGE * sampling_error?).clamp(0.0, 1.0))
            };
            let alert = value.is_some_and(|v| {
                m.lower_threshold.is_some_and(|l| v < l) || m.upper_threshold.is_some_and(|u| v > u)
            });
            MetricEstimate {
                metric: m.metric,
                value,
                sampling_error,
                lower_confidence_bound: bound(-1.0),
                upper_confidence_bound: bound(1.0),
                lower_threshold: m.lower_threshold,
                upper_threshold: m.upper_threshold,
                alert,
                realized: truth
                    .filter(|t| t.len() == scores.len() && !t.is_empty())
                    .and_then(|t| realized(m.metric, t, batch)),
            }
        })
        .collect()
}

fn slice<'a>(s: Scored<'a>, r: Range<usize>) -> Scored<'a> {
    Scored {
        scores: &s.scores[r],
        threshold: s.threshold,
    }
}

/// The expected confusion matrix: sums of calibrated probabilities over the
/// rows predicted positive / negative.
#[derive(Debug, Clone, Copy, Default)]
struct Expected {
    tp: f64,
    fp: f64,
    fn_: f64,
    tn: f64,
}

fn expected(batch: Scored<'_>, calibrated: &[f64]) -> Expected {
    use super::sum::CompensatedSum;
    let (mut tp, mut fp, mut fn_, mut tn) = Default::default();
    for (i, &p) in calibrated.iter().enumerate() {
        if batch.predicted(i) {
            CompensatedSum::add(&mut tp, p);
            CompensatedSum::add(&mut fp, 1.0 - p);
        } else {
            CompensatedSum::add(&mut fn_, p);
            CompensatedSum::add(&mut tn, 1.0 - p);
        }
    }
    let v = |s: CompensatedSum| s.value();
    Expected {
        tp: v(tp),
        fp: v(fp),
        fn_: v(fn_),
        tn: v(tn),
    }
}

/// NannyML's `estimate_*` functions: a ratio whose denominator is 0 is 0.
fn estimated(metric: BinaryMetric, batch: Scored<'_>, calibrated: &[f64]) -> Option<f64> {
    let ratio = |num: f64, den: f64| if den != 0.0 { num / den } else { 0.0 };
    let e = expected(batch, calibrated);
    Some(match metric {
        BinaryMetric::RocAuc => return estimated_roc_auc(batch.scores, calibrated),
        BinaryMetric::Accuracy => (e.tp + e.tn) / calibrated.len() as f64,
        BinaryMetric::Precision => ratio(e.tp, e.tp + e.fp),
        BinaryMetric::Recall => ratio(e.tp, e.tp + e.fn_),
        BinaryMetric::F1 => ratio(e.tp, e.tp + 0.5 * (e.fp + e.fn_)),
        BinaryMetric::Specificity => ratio(e.tn, e.tn + e.fp),
    })
}

/// `estimate_roc_auc`: rows by uncalibrated score, highest first; expected
/// true and false positives as running sums of the calibrated probability,
/// rounded to 5 decimals as NannyML rounds them; the trapezoidal area under
/// the resulting curve. `None` when no positive or no negative is expected.
fn estimated_roc_auc(scores: &[f64], calibrated: &[f64]) -> Option<f64> {
    let n = scores.len();
    let mut order: Vec<usize> = (0..n).collect();
    // np.argsort(...)[::-1]: ascending, then reversed.
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    order.reverse();
    let round5 = |v: f64| (v * 1e5).round_ties_even() / 1e5;
    let mut tps = Vec::with_capacity(n + 1);
    let mut fps = Vec::with_capacity(n + 1);
    tps.push(0.0);
    fps.push(0.0);
    // numpy's cumsum adds in sequence; so does this.
    let mut cum = 0.0;
    for (k, &i) in order.iter().enumerate() {
        cum += calibrated[i];
        tps.push(round5(cum));
        fps.push(round5((k + 1) as f64 - cum));
    }
    let (tp_total, fp_total) = (tps[n], fps[n]);
    if tp_total == 0.0 || fp_total == 0.0 {
        return None;
    }
    let mut area = super::sum::CompensatedSum::default();
    for k in 0..n {
        let (x0, x1) = (fps[k] / fp_total, fps[k + 1] / fp_total);
        let (y0, y1) = (tps[k] / tp_total, tps[k + 1] / tp_total);
        area.add((x1 - x0) * (y1 + y0) / 2.0);
    }
    Some(area.value())
}

/// The metric on labelled rows, as NannyML's `_realized_performance` computes
/// it (sklearn on the predicted labels; ROC AUC on the uncalibrated score).
/// `None` where NannyML returns NaN: one class in the truth (or, for
/// precision, recall and F1, in the predictions), or 0/0 specificity.
pub fn realized(metric: BinaryMetric, truth: &[bool], batch: Scored<'_>) -> Option<f64> {
    let n = truth.len();
    if n == 0 {
        return None;
    }
    let (mut tp, mut fp, mut fn_, mut tn) = (0usize, 0usize, 0usize, 0usize);
    for (i, &t) in truth.iter().enumerate() {
        match (t, batch.predicted(i)) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => tn += 1,
        }
    }
    let one_class_truth = tp + fn_ == 0 || fp + tn == 0;
    let one_class_pred = tp + fp == 0 || fn_ + tn == 0;
    let ratio = |num: usize, den: usize| {
        Some(if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        })
    };
    match metric {
        BinaryMetric::RocAuc => {
            (!one_class_truth).then(|| super::performance::roc_auc(batch.scores, |i| truth[i]))
        }
        BinaryMetric::Accuracy => Some((tp + tn) as f64 / n as f64),
        BinaryMetric::Specificity => (tn + fp > 0).then(|| tn as f64 / (tn + fp) as f64),
        _ if one_class_truth || one_class_pred => None,
        BinaryMetric::Precision => ratio(tp, tp + fp),
        BinaryMetric::Recall => ratio(tp, tp + fn_),
        BinaryMetric::F1 => ratio(2 * tp, 2 * tp + fp + fn_),
    }
}

/// `(std, fraction)` of `nannyml.sampling_error.binary_classification`.
fn sampling_error_components(
    metric: BinaryMetric,
    truth: &[bool],
    reference: Scored<'_>,
) -> (Option<f64>, f64) {
    let n = truth.len() as f64;
    let (mut tp, mut fp, mut fn_, mut tn) = (0usize, 0usize, 0usize, 0usize);
    for (i, &t) in truth.iter().enumerate() {
        match (t, reference.predicted(i)) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => tn += 1,
        }
    }
    // np.std of `ones` ones and `zeros` zeros, times `scale`.
    let std_of = |ones: usize, zeros: usize, scale: f64| {
        let total = ones + zeros;
        (total > 0).then(|| {
            let p = ones as f64 / total as f64;
            scale * (p * (1.0 - p)).sqrt()
        })
    };
    match metric {
        BinaryMetric::Accuracy => (std_of(tp + tn, fp + fn_, 1.0), 1.0),
        BinaryMetric::Precision => (std_of(tp, fp, 1.0), (tp + fp) as f64 / n),
        BinaryMetric::Recall => (std_of(tp, fn_, 1.0), (tp + fn_) as f64 / n),
        BinaryMetric::Specificity => (std_of(tn, fp, 1.0), (tn + fp) as f64 / n),
        BinaryMetric::F1 => {
            let relevant = tp + fp + fn_;
            if relevant == 0 {
                return (None, 0.0);
            }
            let factor = relevant as f64 / ((fn_ + fp) as f64 * 0.5 + tp as f64);
            (std_of(tp, fp + fn_, factor), relevant as f64 / n)
        }
        BinaryMetric::RocAuc => auroc_components(truth, reference.scores),
    }
}

/// AUROC sampling-error components: the Mann-Whitney view of AUC. With more
/// positives than negatives the classes and scores are flipped first. Like
/// NannyML, a positive ranked lowest of all is left out (`np.unique(...)[1:]`
/// drops rank 0 together with the negatives' zeros).
fn auroc_components(truth: &[bool], scores: &[f64]) -> (Option<f64>, f64) {
    let n = truth.len();
    let positives = truth.iter().filter(|&&t| t).count();
    let flip = positives as f64 / n as f64 > 0.5;
    let y: Vec<bool> = truth.iter().map(|&t| t != flip).collect();
    let p: Vec<f64> = scores
        .iter()
        .map(|&s| if flip { 1.0 - s } else { s })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let n_pos = y.iter().filter(|&&t| t).count();
    let n_neg = n - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return (None, n_pos as f64 / n as f64);
    }
    let ser: Vec<f64> = order
        .iter()
        .enumerate()
        .filter(|&(rank, &row)| y[row] && rank > 0)
        .enumerate()
        .map(|(i, (rank, _))| (rank - i) as f64 / n_neg as f64)
        .collect();
    (population_std(&ser), n_pos as f64 / n as f64)
}

/// np.std (ddof = 0); `None` for no values.
fn population_std(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = super::sum::sum(values) / n;
    let squares: Vec<f64> = values.iter().map(|v| (v - mean) * (v - mean)).collect();
    Some((super::sum::sum(&squares) / n).sqrt())
}

/// `StandardDeviationThreshold` over the defined chunk values (np.nanmean,
/// np.nanstd), each side replaced by the metric's limit (0 or 1) when it
/// reaches past it.
pub fn thresholds(chunk_values: &[Option<f64>]) -> (Option<f64>, Option<f64>) {
    let values: Vec<f64> = chunk_values.iter().flatten().copied().collect();
    let Some(std) = population_std(&values) else {
        return (None, None);
    };
    let mean = super::sum::sum(&values) / values.len() as f64;
    let lower = mean - THRESHOLD_STD * std;
    let upper = mean + THRESHOLD_STD * std;
    (
        Some(if lower <= 0.0 { 0.0 } else { lower }),
        Some(if upper >= 1.0 { 1.0 } else { upper }),
    )
}

/// NannyML's `needs_calibration`: no for one class or an almost perfect
/// ranking (ROC AUC > 0.999); otherwise fit isotonic regression on ten
/// stratified 90/10 splits, pool the held-out rows, and calibrate when that
/// lowers the expected calibration error (10 equal-count bins).
fn needs_calibration(truth: &[bool], scores: &[f64], seed: u64) -> Result<bool, StatsError> {
    let positives: Vec<usize> = (0..truth.len()).filter(|&i| truth[i]).collect();
    let negatives: Vec<usize> = (0..truth.len()).filter(|&i| !truth[i]).collect();
    if positives.is_empty() || negatives.is_empty() {
        return Ok(false);
    }
    if super::performance::roc_auc(scores, |i| truth[i]) > 0.999 {
        return Ok(false);
    }
    let mut rng = Rng::new(seed);
    let (mut held_truth, mut held_raw, mut held_calibrated) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..10 {
        let mut test = Vec::new();
        let mut train = Vec::new();
        for class in [&positives, &negatives] {
            let mut rows = class.clone();
            rng.shuffle(&mut rows);
            let n_test = ((rows.len() as f64) * 0.1).round() as usize;
            test.extend_from_slice(&rows[..n_test]);
            train.extend_from_slice(&rows[n_test..]);
        }
        if train.is_empty() || test.is_empty() {
            continue;
        }
        let x: Vec<f64> = train.iter().map(|&i| scores[i]).collect();
        let y: Vec<f64> = train
            .iter()
            .map(|&i| f64::from(u8::from(truth[i])))
            .collect();
        let iso = Isotonic::fit(&x, &y)?;
        for &i in &test {
            held_truth.push(f64::from(u8::from(truth[i])));
            held_raw.push(scores[i]);
            held_calibrated.push(iso.predict(scores[i]));
        }
    }
    let Some(edges) = bin_edges(held_raw.len(), 10) else {
        return Ok(false);
    };
    Ok(ece(&held_truth, &held_raw, &edges) > ece(&held_truth, &held_calibrated, &edges))
}

/// `_get_bin_index_edges`: `bins` equal-count bins over `n` sorted rows,
/// fewer when there are under two rows per bin; `None` under 4 rows.
fn bin_edges(n: usize, bins: usize) -> Option<Vec<Range<usize>>> {
    let bins = if n <= 2 * bins { n / 2 } else { bins };
    if bins < 2 {
        return None;
    }
    let width = n / bins;
    let mut edges: Vec<usize> = (0..=n).step_by(width).collect();
    *edges.last_mut()? = n;
    Some(edges.windows(2).map(|w| w[0]..w[1]).collect())
}

/// Expected calibration error over equal-count bins of rows sorted by `p`.
fn ece(truth: &[f64], p: &[f64], edges: &[Range<usize>]) -> f64 {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let n = p.len() as f64;
    edges
        .iter()
        .map(|bin| {
            let rows = &order[bin.clone()];
            let m = rows.len() as f64;
            let mean_p = rows.iter().map(|&i| p[i]).sum::<f64>() / m;
            let mean_y = rows.iter().map(|&i| truth[i]).sum::<f64>() / m;
            m / n * (mean_p - mean_y).abs()
        })
        .sum()
}

/// `k` equal reference chunks of `n / k` rows, and the remainder as one more
/// chunk when `k` does not divide `n` (NannyML's default chunker: ten chunks,
/// incomplete chunk kept).
pub fn equal_chunks(n: usize, k: usize) -> Vec<Range<usize>> {
    let size = if k == 0 { 0 } else { n / k };
    if size == 0 {
        return if n == 0 { Vec::new() } else { vec![0..n] };
    }
    let mut chunks: Vec<Range<usize>> = (0..k).map(|i| i * size..(i + 1) * size).collect();
    if k * size < n {
        chunks.push(k * size..n);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(scores: &[f64]) -> Scored<'_> {
        Scored {
            scores,
            threshold: 0.5,
        }
    }

    #[test]
    fn expected_confusion_matrix_gives_the_estimates() {
        // Calibrated probabilities taken as given (no calibration).
        let scores = [0.9, 0.8, 0.3, 0.6, 0.1];
        let truth = [true, true, false, false, false];
        let fit = fit(&truth, scored(&scores), &[0..5], Calibration::Never, 1).unwrap();
        let est = estimate(&fit, &scores, None);
        // Predicted positive: 0.9, 0.8, 0.6 -> TP = 2.3, FP = 0.7;
        // negative: 0.3, 0.1 -> FN = 0.4, TN = 1.6.
        let value = |m: BinaryMetric| est.iter().find(|e| e.metric == m).unwrap().value.unwrap();
        assert!((value(BinaryMetric::Accuracy) - 3.9 / 5.0).abs() < 1e-15);
        assert!((value(BinaryMetric::Precision) - 2.3 / 3.0).abs() < 1e-15);
        assert!((value(BinaryMetric::Recall) - 2.3 / 2.7).abs() < 1e-15);
        assert!((value(BinaryMetric::F1) - 2.3 / (2.3 + 0.55)).abs() < 1e-15);
        assert!((value(BinaryMetric::Specificity) - 1.6 / 2.3).abs() < 1e-15);
    }

    #[test]
    fn realized_metrics_follow_nannyml_on_degenerate_batches() {
        let s = [0.9, 0.8];
        assert_eq!(
            realized(BinaryMetric::Precision, &[true, false], scored(&s)),
            None
        );
        assert_eq!(
            realized(BinaryMetric::Accuracy, &[true, false], scored(&s)),
            Some(0.5)
        );
        assert_eq!(
            realized(BinaryMetric::Specificity, &[true, false], scored(&s)),
            Some(0.0)
        );
        assert_eq!(
            realized(BinaryMetric::RocAuc, &[true, true], scored(&s)),
            None
        );
        assert_eq!(realized(BinaryMetric::Accuracy, &[], scored(&[])), None);
    }

    #[test]
    fn thresholds_clip_to_the_metric_range() {
        assert_eq!(thresholds(&[None, None]), (None, None));
        let (lo, hi) = thresholds(&[Some(0.9), Some(0.95), Some(1.0), None]);
        assert!(lo.unwrap() > 0.0 && lo.unwrap() < 0.9);
        assert_eq!(hi, Some(1.0));
        assert_eq!(thresholds(&[Some(0.5), Some(0.5)]), (Some(0.5), Some(0.5)));
    }

    #[test]
    fn chunks_split_equally_and_keep_the_remainder() {
        assert_eq!(equal_chunks(20, 10)[9], 18..20);
        assert_eq!(equal_chunks(23, 10).len(), 11);
        assert_eq!(equal_chunks(23, 10)[10], 20..23);
        assert_eq!(equal_chunks(3, 10), vec![0..3]);
        assert!(equal_chunks(0, 10).is_empty());
    }

    #[test]
    fn bin_edges_match_nannyml() {
        // _get_bin_index_edges(20, 4) -> [(0,5),(5,10),(10,15),(15,20)]
        assert_eq!(bin_edges(20, 4).unwrap(), vec![0..5, 5..10, 10..15, 15..20]);
        // 23 rows, 10 bins -> width 2: range(0, 24, 2) has 12 edges, the
        // last moved to 23, so 11 bins, the last 20..23.
        let edges = bin_edges(23, 10).unwrap();
        assert_eq!((edges.len(), edges.last().unwrap()), (11, &(20..23)));
        assert_eq!(bin_edges(3, 10), None);
    }

    #[test]
    fn perfectly_ranked_scores_are_not_calibrated() {
        let scores = [0.1, 0.2, 0.7, 0.8];
        let truth = [false, false, true, true];
        let f = fit(&truth, scored(&scores), &[0..4], Calibration::Auto, 7).unwrap();
        assert!(!f.calibrated());
        let f = fit(&truth, scored(&scores), &[0..4], Calibration::Always, 7).unwrap();
        assert!(f.calibrated());
        assert_eq!(f.calibrate(0.75), 1.0);
    }

    #[test]
    fn estimates_with_no_rows_are_undefined() {
        let scores = [0.9, 0.2];
        let f = fit(
            &[true, false],
            scored(&scores),
            &[0..2],
            Calibration::Never,
            1,
        )
        .unwrap();
        for e in estimate(&f, &[], None) {
            assert_eq!(e.value, None);
            assert!(!e.alert);
        }
    }

    #[test]
    fn isotonic_matches_sklearn() {
        // Knots and predictions of IsotonicRegression(out_of_bounds="clip").
        let doc = fixture::reference();
        for case in doc["isotonic"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let iso =
                Isotonic::fit(&fixture::floats(&case["x"]), &fixture::floats(&case["y"])).unwrap();
            let (kx, ky) = iso.knots();
            assert_eq!(
                kx,
                fixture::floats(&case["knots_x"]).as_slice(),
                "{name} knots x"
            );
            let want_y = fixture::floats(&case["knots_y"]);
            for (got, want) in ky.iter().zip(&want_y) {
                assert!(
                    (got - want).abs() <= 1e-15,
                    "{name}: knot y {got} vs {want}"
                );
            }
            assert_eq!(ky.len(), want_y.len());
            for (t, want) in fixture::floats(&case["probes"])
                .iter()
                .zip(fixture::floats(&case["predicted"]))
            {
                let got = iso.predict(*t);
                assert!(
                    (got - want).abs() <= 1e-15,
                    "{name}: f({t}) = {got}, sklearn {want}"
                );
            }
        }
    }

    /// NannyML 0.13.1 CBPE on `fixtures/cbpe/*.csv`, calibration forced on.
    /// Tolerances: 1e-12 for the estimates, sampling errors, thresholds and
    /// calibrated probabilities (sums over at most 2,000 rows in another
    /// order); exact for the alerts.
    #[test]
    fn cbpe_matches_nannyml() {
        let doc = fixture::reference();
        let expected = &doc["cbpe"];
        let reference = fixture::table("reference.csv");
        let current = fixture::table("current.csv");
        let truth: Vec<bool> = reference
            .column("y")
            .iter()
            .map(|v| *v == Some(1.0))
            .collect();
        let scores = reference.numbers("score");
        let chunks = equal_chunks(truth.len(), 10);
        let rows: Vec<usize> = chunks.iter().map(|r| r.len()).collect();
        assert_eq!(serde_json::json!(rows), expected["reference_chunk_rows"]);
        let f = fit(&truth, scored(&scores), &chunks, Calibration::Always, 0).unwrap();
        assert!(f.calibrated());
        let close = |got: Option<f64>, want: &serde_json::Value, what: &str| match want.as_f64() {
            Some(w) => {
                let g = got.unwrap_or_else(|| panic!("{what}: None, NannyML {w}"));
                assert!((g - w).abs() <= 1e-12, "{what}: {g} vs NannyML {w}");
            }
            None => assert_eq!(got, None, "{what}: NannyML has none"),
        };
        for m in &f.metrics {
            let name = m.metric.name();
            for (i, (got, want)) in m
                .reference_chunks
                .iter()
                .zip(expected["reference_chunks"][name].as_array().unwrap())
                .enumerate()
            {
                close(*got, want, &format!("{name} reference chunk {i}"));
            }
            close(
                m.lower_threshold,
                &expected["thresholds"][name][0],
                &format!("{name} lower threshold"),
            );
            close(
                m.upper_threshold,
                &expected["thresholds"][name][1],
                &format!("{name} upper threshold"),
            );
        }
        let probes = &expected["calibrated_probes"];
        for (s, want) in fixture::floats(&probes["scores"])
            .iter()
            .zip(fixture::floats(&probes["calibrated"]))
        {
            let got = f.calibrate(*s);
            assert!(
                (got - want).abs() <= 1e-15,
                "calibrate({s}) = {got}, NannyML {want}"
            );
        }
        let cur_scores = current.numbers("score");
        let cur_truth: Vec<bool> = current
            .column("y")
            .iter()
            .map(|v| *v == Some(1.0))
            .collect();
        for e in estimate(&f, &cur_scores, Some(&cur_truth)) {
            let name = e.metric.name();
            let want = &expected["current"][name];
            close(e.value, &want["value"], &format!("{name} estimate"));
            close(
                e.sampling_error,
                &want["sampling_error"],
                &format!("{name} sampling error"),
            );
            close(
                e.lower_confidence_bound,
                &want["lower_confidence_boundary"],
                &format!("{name} lower bound"),
            );
            close(
                e.upper_confidence_bound,
                &want["upper_confidence_boundary"],
                &format!("{name} upper bound"),
            );
            close(e.realized, &want["realized"], &format!("{name} realized"));
            assert_eq!(e.alert, want["alert"].as_bool().unwrap(), "{name} alert");
        }
    }

    /// The covariate-shift scenario of the fixture: x1 crowds the decision
    /// boundary, so true performance drops. With the labels withheld, every
    /// estimate's band holds the value the labels give, and ROC AUC alerts.
    #[test]
    fn estimates_track_realized_performance_under_covariate_shift() {
        let reference = fixture::table("reference.csv");
        let current = fixture::table("current.csv");
        let truth: Vec<bool> = reference
            .column("y")
            .iter()
            .map(|v| *v == Some(1.0))
            .collect();
        let scores = reference.numbers("score");
        let chunks = equal_chunks(truth.len(), 10);
        let f = fit(&truth, scored(&scores), &chunks, Calibration::Auto, 0).unwrap();
        let cur_scores = current.numbers("score");
        let cur_truth: Vec<bool> = current
            .column("y")
            .iter()
            .map(|v| *v == Some(1.0))
            .collect();
        let blind = estimate(&f, &cur_scores, None);
        let reference_accuracy = realized(BinaryMetric::Accuracy, &truth, scored(&scores)).unwrap();
        for e in &blind {
            assert_eq!(e.realized, None);
            let truth_value = realized(e.metric, &cur_truth, scored(&cur_scores)).unwrap();
            let (lo, hi) = (
                e.lower_confidence_bound.unwrap(),
                e.upper_confidence_bound.unwrap(),
            );
            assert!(
                (lo..=hi).contains(&truth_value),
                "{}: realized {truth_value} outside the band {lo}..{hi}",
                e.metric.name()
            );
            if e.metric == BinaryMetric::Accuracy {
                assert!(
                    reference_accuracy - truth_value > 0.05,
                    "the shift lowers accuracy"
                );
                assert!(
                    e.value.unwrap() < reference_accuracy - 0.05,
                    "and the estimate sees it"
                );
            }
        }
        assert!(blind
            .iter()
            .any(|e| e.metric == BinaryMetric::RocAuc && e.alert));
    }
}

/// The NannyML fixture (`fixtures/reference/cbpe.json`) and the CSV data it
/// was computed on, for the tests of `cbpe`, `isotonic` and `pca`.
#[cfg(test)]
pub(crate) mod fixture {
    pub fn reference() -> serde_json::Value {
        serde_json::from_str(include_str!("../../fixtures/reference/cbpe.json")).unwrap()
    }

    pub fn floats(v: &serde_json::Value) -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    }

    /// A CSV of `fixtures/cbpe/`: header, then cells (empty is missing).
    pub struct Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    }

    impl Table {
        fn index(&self, name: &str) -> usize {
            self.header.iter().position(|h| h == name).unwrap()
        }

        pub fn column(&self, name: &str) -> Vec<Option<f64>> {
            let i = self.index(name);
            self.rows
                .iter()
                .map(|r| (!r[i].is_empty()).then(|| r[i].parse().unwrap()))
                .collect()
        }

        pub fn numbers(&self, name: &str) -> Vec<f64> {
            self.column(name).into_iter().map(Option::unwrap).collect()
        }

        pub fn labels(&self, name: &str) -> Vec<Option<String>> {
            let i = self.index(name);
            self.rows
                .iter()
                .map(|r| (!r[i].is_empty()).then(|| r[i].clone()))
                .collect()
        }
    }

    pub fn table(file: &str) -> Table {
        let text = match file {
            "reference.csv" => include_str!("../../fixtures/cbpe/reference.csv"),
            "current.csv" => include_str!("../../fixtures/cbpe/current.csv"),
            other => panic!("no fixture {other}"),
        };
        let mut lines = text.lines();
        let header = lines.next().unwrap().split(',').map(String::from).collect();
        let rows = lines
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        Table { header, rows }
    }
}
