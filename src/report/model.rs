//! The report model: everything one comparison found, as plain serde data.
//! Renderers only read it; its JSON form is the documented schema (see
//! README, "JSON report").

use serde::{Deserialize, Serialize};

use crate::stats::describe::Summary;
use crate::stats::{EffectMeasure, Method, ScoreKind};

pub use super::preset::Preset;

/// JSON schema version. Bump only on a breaking change of the JSON shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub driftmend_version: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub reference: DatasetInfo,
    pub current: DatasetInfo,
    pub options: ReportOptions,
    pub dataset_drift: DatasetDrift,
    pub schema: SchemaDiff,
    pub quality: QualitySummary,
    pub columns: Vec<ColumnReport>,
    /// Model performance, target drift and prediction drift; present when
    /// `--target` and/or `--prediction` name a column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance: Option<Performance>,
    /// Multivariate drift by PCA data reconstruction; present with
    /// `--multivariate` (or `multivariate: true` in a policy). Not read
    /// back from a cached backtest report.
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub multivariate: Option<Multivariate>,
    /// Recent runs of a policy (`driftmend run`), oldest first, for the
    /// drift-over-time chart; absent for a plain `report`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryPoint>>,
    /// Every finding, dataset-level and per column (a column's findings are
    /// also listed under that column).
    pub findings: Vec<Finding>,
    /// With `--chunk-by`, `--chunk-size` or `--chunks`: how the current
    /// data was split.
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub chunking: Option<ChunkingInfo>,
    /// Each chunk of the current data compared with the whole reference,
    /// oldest first, with the methods and thresholds of the whole report.
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub chunks: Option<Vec<ChunkReport>>,
}

/// How the current data was split into chunks (`report::chunk`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChunkingInfo {
    #[serde(flatten)]
    pub chunker: super::chunk::Chunker,
    /// The timestamp column rows were sorted (and, by period, grouped) by.
    pub timestamp: Option<String>,
}

/// One chunk of the current data against the reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChunkReport {
    #[serde(flatten)]
    pub chunk: super::chunk::Chunk,
    pub rows: usize,
    pub dataset_drift: DatasetDrift,
    /// Every column the whole report tested, in its order.
    pub columns: Vec<ChunkColumn>,
}

/// A column's verdict on one chunk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChunkColumn {
    pub name: String,
    pub method: Option<Method>,
    pub score: Option<f64>,
    pub score_kind: Option<ScoreKind>,
    pub threshold: Option<f64>,
    /// `null` when the chunk has no values of the column to test.
    pub drift_detected: Option<bool>,
}

/// One past run in `history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// RFC 3339.
    pub at: String,
    pub run_id: String,
    pub incident: String,
    pub drift_share: f64,
    pub drifted_columns: usize,
    pub quality_errors: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub path: String,
    pub files: Vec<String>,
    pub rows: usize,
    pub columns: usize,
    /// Share of rows equal to an earlier row.
    pub duplicated_rows: f64,
    /// Over which columns rows were compared for `duplicated_rows`: absent
    /// for every column driftmend reads, `selected_columns` when
    /// `--columns`/`--exclude` (or the policy's `report:`) left some unread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicated_rows_over: Option<DuplicateKey>,
}

/// The columns rows are compared over to count duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKey {
    /// Only the columns the selection reads.
    SelectedColumns,
}

/// The options that shaped the verdicts, so a report explains itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    pub drift_share: f64,
    pub bins: String,
    pub target: Option<String>,
    pub prediction: Option<String>,
    /// Seed of permutation tests and subsamples.
    pub seed: u64,
    /// A p-value verdict counts as drift only with at least this effect size.
    pub min_effect: Option<f64>,
    /// Multiple-testing correction across the p-value columns.
    pub correction: CorrectionInfo,
    /// What `auto` and the verdicts mean: `default` (two gates per column)
    /// or `evidently` (Evidently's method, threshold and verdict).
    pub preset: Preset,
    /// With `--calibrate N`: effect thresholds calibrated on the reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibrate: Option<CalibrationInfo>,
}

/// How the effect thresholds were calibrated on the reference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationInfo {
    /// The reference was split into this many equal chunks; each chunk was
    /// scored against the rest of the reference.
    pub chunks: usize,
    /// The threshold is this quantile of the chunk scores (never below the
    /// effect floor).
    pub quantile: f64,
}

/// How p-value thresholds were adjusted for testing many columns at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectionInfo {
    /// `none`, `bonferroni` or `bh` (Benjamini-Hochberg).
    pub method: Correction,
    /// Number of p-value tests the correction spans (feature columns tested
    /// with a p-value method).
    pub tests: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Each column at its own threshold
    #[default]
    None,
    /// Threshold divided by the number of tests (family-wise error rate)
    Bonferroni,
    /// Benjamini-Hochberg step-up (false discovery rate)
    Bh,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetDrift {
    pub detected: bool,
    pub drifted_columns: usize,
    /// Feature columns that got a drift verdict.
    pub total_columns: usize,
    pub share: f64,
    /// `drift_share`: dataset drift when `share >= threshold`.
    pub threshold: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SchemaDiff {
    pub missing_in_current: Vec<String>,
    pub new_in_current: Vec<String>,
    pub type_changed: Vec<TypeChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeChange {
    pub column: String,
    pub reference: String,
    pub current: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct QualitySummary {
    pub errors: usize,
    pub warnings: usize,
}

/// How a column is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Numerical,
    Categorical,
    /// Dates and times: quality checks only.
    Datetime,
    /// Free text or identifiers (mostly distinct strings): quality only.
    Text,
    /// Types driftmend cannot compare (lists, structs, binary).
    Unsupported,
}

impl ColumnKind {
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Numerical => "numerical",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Datetime => "datetime",
            ColumnKind::Text => "text",
            ColumnKind::Unsupported => "unsupported",
        }
    }
}

/// What a column is for in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Feature,
    Target,
    Prediction,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Feature => "feature",
            Role::Target => "target",
            Role::Prediction => "prediction",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnReport {
    pub name: String,
    pub kind: ColumnKind,
    pub role: Role,
    /// The file types (`i64`, `f64`, `str`, ...); `null` where the column is
    /// absent.
    pub dtype: Sides<Option<String>>,
    /// `null` when the column was not tested for drift.
    pub method: Option<Method>,
    pub score: Option<f64>,
    pub score_kind: Option<ScoreKind>,
    /// The method's test statistic or distance besides its score (KS D,
    /// Anderson-Darling A2, TVD distance, MMD^2, ...), where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic: Option<f64>,
    pub threshold: Option<f64>,
    /// With `--correction`: the p-value after adjustment (Bonferroni or
    /// Benjamini-Hochberg), compared with `threshold` for the verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value_adjusted: Option<f64>,
    /// With `--correction`: the threshold on the raw p-value the adjustment
    /// amounts to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted_threshold: Option<f64>,
    /// Effect size on a common scale whatever the method. Preset `default`:
    /// the effect gate's measure, trimmed Wasserstein in robust SDs
    /// (numerical) or total variation distance (categorical, boolean, few
    /// values). Preset `evidently`: normalised Wasserstein (numerical) or
    /// Jensen-Shannon distance (categorical).
    pub effect_size: Option<f64>,
    /// `null` when not tested.
    pub drift_detected: Option<bool>,
    /// The p-value was below the threshold but `--min-effect` overruled it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub small_effect: bool,
    /// Preset `default`: the two gates behind `drift_detected` (drift when
    /// both passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gates: Option<Gates>,
    /// Missing share (null, and NaN for floats) per side.
    pub missing: Sides<Option<f64>>,
    pub stats: Sides<Option<ColumnStats>>,
    /// Categorical columns: categories new in current / vanished from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<CategoryChanges>,
    /// Both sides' distributions on shared bins or categories, for plots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<super::distribution::Distribution>,
    /// Numerical columns: share of current values outside the reference's
    /// min..max.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_range: Option<f64>,
    pub findings: Vec<Finding>,
    /// Set when the report was built from profiles: whether the score is
    /// exact and, where it is not, its bounds (`docs/profiles.md`).
    /// Not read back (a cached backtest report is built from data).
    #[serde(flatten, skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub exactness: Option<Exactness>,
}

/// How exact a column's score is when it was computed from profiles.
/// Serialised into the column: `"approximate": false, "exactness": "values"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exactness {
    pub approximate: bool,
    /// What the score rests on: `values` (the exact value counts), `labels`,
    /// `moments` (`t_test`/`welch` from exact moments), `buckets` (values
    /// rebuilt within 2^-10 of their magnitude), `labels_capped`.
    #[serde(rename = "exactness")]
    pub basis: &'static str,
    /// The number of values per side the method ran on, for methods that
    /// need raw values and got rebuilt ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<Sides<usize>>,
    /// An interval proven to hold the exact statistic (KS D, normalised
    /// Wasserstein).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic_range: Option<[f64; 2]>,
    /// An interval holding the exact score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_range: Option<[f64; 2]>,
}

/// The two gates of the default decision. A column drifted when every gate
/// present passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gates {
    /// The two-sample test; `null` when a distance method was chosen, which
    /// then is the effect gate.
    pub test: Option<TestGate>,
    /// The effect size against its threshold; `null` when it could not be
    /// computed.
    pub effect: Option<EffectGate>,
}

impl Gates {
    pub fn passed(&self) -> bool {
        self.test.as_ref().is_none_or(|t| t.passed) && self.effect.as_ref().is_none_or(|e| e.passed)
    }
}

/// Gate 1: is the change real (not sampling noise)?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestGate {
    pub method: Method,
    pub p_value: f64,
    /// After the correction across columns (Benjamini-Hochberg by default);
    /// `null` without one.
    pub p_value_adjusted: Option<f64>,
    /// Significant when the (adjusted) p-value is below this.
    pub alpha: f64,
    pub passed: bool,
}

/// Gate 2: is the change big enough to matter?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectGate {
    /// `trimmed_wasserstein` (robust SDs), `tvd` (share of rows), or the
    /// name of the distance method chosen instead of a test.
    pub measure: String,
    pub value: f64,
    /// The preset's floor or `--min-effect`.
    pub floor: f64,
    /// What `value` is compared with (`value >= threshold`): the floor, or
    /// the calibrated threshold when that is higher.
    pub threshold: f64,
    /// With `--calibrate`: the high quantile of the reference's
    /// leave-one-chunk-out scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibrated: Option<f64>,
    pub passed: bool,
}

impl EffectGate {
    pub fn of_measure(measure: EffectMeasure) -> String {
        measure.name().to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sides<T> {
    pub reference: T,
    pub current: T,
}

/// Per-side statistics of a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    pub count: usize,
    pub missing: usize,
    pub distinct: usize,
    /// Numerical columns.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// `+inf`/`-inf` values (dropped before drift tests, like NaN).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub infinite: usize,
    /// Categorical columns: the most frequent category and its share.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top: Option<TopCategory>,
    /// Datetime columns: earliest and latest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopCategory {
    pub value: String,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryChanges {
    pub new: NewCategories,
    /// Categories seen in reference and absent from current (up to 5).
    pub vanished: Vec<String>,
    pub vanished_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCategories {
    pub count: usize,
    /// Share of current (non-missing) rows holding a new category.
    pub share: f64,
    /// Up to 5, most frequent first.
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found, with a stable machine-readable `code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: FindingCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

/// Stable finding codes (part of the JSON schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    ColumnMissing,
    ColumnAdded,
    TypeChanged,
    AllMissing,
    Constant,
    MissingIncrease,
    NewCategories,
    VanishedCategories,
    OutOfRange,
    InfiniteValues,
    DuplicatedRows,
    TextColumn,
    MixedTypes,
    NotTested,
    /// Performance metrics could not be computed (single class, bad labels,
    /// non-numeric predictions, ...).
    Performance,
    /// A column of a type driftmend does not analyse (struct, list, map,
    /// binary, ...): kind `unsupported`, never read.
    UnsupportedType,
    /// Values read as 64-bit floats that the conversion rounded (decimals,
    /// CSV integers beyond the 64-bit range).
    PrecisionLoss,
    /// Estimated performance or multivariate drift could not be computed, or
    /// rests on few reference chunks.
    Estimation,
}

/// Model performance on each side, and target/prediction drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    /// `classification` or `regression`; `null` without a target.
    pub task: Option<Task>,
    pub target: Option<String>,
    pub prediction: Option<String>,
    /// Per side; `null` where the side lacks labels or predictions.
    pub reference: Option<Metrics>,
    pub current: Option<Metrics>,
    /// current - reference, per metric both sides have.
    pub delta: std::collections::BTreeMap<String, f64>,
    pub target_drift: Option<RoleDrift>,
    pub prediction_drift: Option<RoleDrift>,
    /// Performance estimated without current labels (CBPE), for a binary
    /// classifier with scores and a labelled reference. Not read back from
    /// a cached backtest report.
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub estimated: Option<EstimatedPerformance>,
}

/// Confidence-based performance estimation (NannyML's CBPE) of the current
/// batch, with the reference chunks that set its thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimatedPerformance {
    /// Always `cbpe`.
    pub method: &'static str,
    /// What was asked: `auto`, `always` or `never`.
    pub calibration: crate::stats::cbpe::Calibration,
    /// Whether the scores were calibrated (isotonic regression fitted on the
    /// reference).
    pub calibrated: bool,
    pub positive_label: String,
    /// score >= threshold is predicted positive.
    pub threshold: f64,
    /// Reference rows with a label and a score (the fit).
    pub reference_rows: usize,
    /// Current rows with a score (the estimate).
    pub current_rows: usize,
    /// Row ranges of the reference chunks (`start` inclusive, `end`
    /// exclusive, over the labelled reference rows).
    pub reference_chunks: Vec<ChunkSpan>,
    /// One entry per metric: roc_auc, accuracy, precision, recall, f1,
    /// specificity.
    pub metrics: Vec<EstimatedMetric>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkSpan {
    pub start: usize,
    pub end: usize,
}

/// One estimated metric on the current batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimatedMetric {
    pub metric: String,
    /// The estimate; `null` where undefined.
    pub value: Option<f64>,
    pub sampling_error: Option<f64>,
    /// value -/+ 3 sampling errors, clipped to [0, 1].
    pub lower_confidence_bound: Option<f64>,
    pub upper_confidence_bound: Option<f64>,
    /// mean -/+ 3 std of the realized metric over reference chunks.
    pub lower_threshold: Option<f64>,
    pub upper_threshold: Option<f64>,
    /// The estimate is outside the thresholds.
    pub alert: bool,
    /// The metric from current labels, when the current batch has them.
    pub realized: Option<f64>,
    /// Estimate and realized value on each reference chunk (for the chart).
    pub reference_chunks: Vec<ChunkValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChunkValue {
    pub estimated: Option<f64>,
    pub realized: Option<f64>,
}

/// Multivariate drift: how badly the reference's principal components
/// reconstruct the current rows (NannyML's data reconstruction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Multivariate {
    /// Always `pca_reconstruction`.
    pub method: &'static str,
    /// Feature columns used, in order; `categorical` lists those encoded by
    /// frequency.
    pub features: Vec<String>,
    pub categorical: Vec<String>,
    /// Share of variance the kept components were asked to explain, and
    /// what they explain.
    pub variance: f64,
    pub explained_variance: f64,
    pub components: usize,
    pub reference_rows: usize,
    pub current_rows: usize,
    /// Mean reconstruction error of the current rows.
    pub error: f64,
    pub sampling_error: Option<f64>,
    /// error -/+ 3 sampling errors (lower clipped at 0).
    pub lower_confidence_bound: Option<f64>,
    pub upper_confidence_bound: Option<f64>,
    /// mean -/+ 3 std of the reference chunks' errors; the lower one is
    /// `null` when it would not be above 0.
    pub lower_threshold: Option<f64>,
    pub upper_threshold: Option<f64>,
    /// The error is outside the thresholds.
    pub drift_detected: bool,
    pub reference_chunks: Vec<ChunkError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChunkError {
    pub start: usize,
    pub end: usize,
    pub error: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    Classification,
    Regression,
}

/// Metrics of one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Metrics {
    Classification(crate::stats::performance::ClassificationMetrics),
    Regression(crate::stats::performance::RegressionMetrics),
}

impl Metrics {
    /// Every metric by name, in display order; `None` where undefined.
    pub fn values(&self) -> Vec<(&'static str, Option<f64>)> {
        match self {
            Metrics::Classification(c) => vec![
                ("accuracy", Some(c.accuracy)),
                ("precision", c.precision),
                ("recall", c.recall),
                ("f1", c.f1),
                ("macro_precision", c.macro_precision),
                ("macro_recall", c.macro_recall),
                ("macro_f1", c.macro_f1),
                ("roc_auc", c.roc_auc),
                ("log_loss", c.log_loss),
                ("rows", Some(c.rows as f64)),
            ],
            Metrics::Regression(r) => vec![
                ("mae", Some(r.mae)),
                ("rmse", Some(r.rmse)),
                ("mape", r.mape),
                ("r2", r.r2),
                ("rows", Some(r.rows as f64)),
            ],
        }
    }
}

/// Names of every performance metric (`Metrics::values`), for policy paths.
pub const METRIC_NAMES: &[&str] = &[
    "accuracy",
    "precision",
    "recall",
    "f1",
    "macro_precision",
    "macro_recall",
    "macro_f1",
    "roc_auc",
    "log_loss",
    "mae",
    "rmse",
    "mape",
    "r2",
    "rows",
];

/// The drift verdict of the target or prediction column (also listed in
/// `columns` with its role).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleDrift {
    pub column: String,
    pub method: Option<Method>,
    pub score: Option<f64>,
    pub threshold: Option<f64>,
    pub drift_detected: Option<bool>,
}
