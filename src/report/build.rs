//! Builds the report from two loaded datasets: decides each column's kind and
//! method, runs the drift statistics and quality checks, and aggregates.
//! Pure (rayon only parallelises over columns): no files, no clock, no
//! printing; the time stamp is passed in.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::decision::{correct, drift};
use super::model::*;
use crate::data::{number_label, Dataset, Family, RawColumn, Values};
use crate::quality::{self, ColumnTypes, QualitySettings};
use crate::stats::describe::{distinct_sorted, summarize};
use crate::stats::{Method, MethodOptions, ScoreKind};

/// Integer columns with at most this many distinct values are categorical
/// (Evidently's rule).
const MAX_INTEGER_CATEGORIES: usize = 10;

/// Preset `default`: `ks` computes exact p-values for unequal sizes up to
/// this `n * m` (about 3000 x 3000 rows: tens of milliseconds), the asymptotic
/// ones beyond.
pub(super) const KS_EXACT_WORK: u64 = 10_000_000;

/// A method choice for one kind of column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MethodChoice {
    /// Evidently's default choice by kind, size and distinct values.
    #[default]
    Auto,
    Fixed(Method),
}

impl std::fmt::Display for MethodChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MethodChoice::Auto => f.write_str("auto"),
            MethodChoice::Fixed(m) => m.fmt(f),
        }
    }
}

/// Everything that decides the numbers in a report (resolved from flags or a
/// policy file by `settings`).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisSettings {
    /// Only these columns (all when `None`).
    pub columns: Option<Vec<String>>,
    pub exclude: Vec<String>,
    pub categorical: Vec<String>,
    pub numerical: Vec<String>,
    pub target: Option<String>,
    pub prediction: Option<String>,
    pub num_method: MethodChoice,
    pub cat_method: MethodChoice,
    pub methods: BTreeMap<String, Method>,
    pub threshold: Option<f64>,
    pub thresholds: BTreeMap<String, f64>,
    pub drift_share: f64,
    pub method_options: MethodOptions,
    pub quality: QualitySettings,
    /// A p-value verdict counts as drift only with at least this effect size.
    pub min_effect: Option<f64>,
    pub correction: Correction,
    /// Methods for the target and prediction columns (`--method COL=...`
    /// still wins).
    pub target_method: MethodChoice,
    pub prediction_method: MethodChoice,
    /// Classification: the positive class (default: the larger label).
    pub positive_label: Option<String>,
    /// Classification with scores: score >= this is the positive class.
    pub prediction_threshold: f64,
    /// What `auto` and the verdicts mean (two gates, or Evidently's).
    pub preset: Preset,
    /// Preset `default`: calibrate each effect threshold on this many
    /// reference chunks (`--calibrate N`).
    pub calibrate: Option<usize>,
    /// Estimated performance (CBPE): whether to calibrate the scores.
    pub calibration: crate::stats::cbpe::Calibration,
    /// Multivariate drift by PCA data reconstruction (keeps every feature
    /// row by row, so it is opt-in).
    pub multivariate: bool,
    /// Share of variance the kept principal components explain.
    pub pca_variance: f64,
}

impl Default for AnalysisSettings {
    fn default() -> Self {
        AnalysisSettings {
            columns: None,
            exclude: Vec::new(),
            categorical: Vec::new(),
            numerical: Vec::new(),
            target: None,
            prediction: None,
            num_method: MethodChoice::Auto,
            cat_method: MethodChoice::Auto,
            methods: BTreeMap::new(),
            threshold: None,
            thresholds: BTreeMap::new(),
            drift_share: 0.5,
            method_options: MethodOptions::default(),
            quality: QualitySettings::default(),
            min_effect: None,
            correction: Preset::Default.correction(),
            target_method: MethodChoice::Auto,
            prediction_method: MethodChoice::Auto,
            positive_label: None,
            prediction_threshold: crate::stats::performance::DEFAULT_THRESHOLD,
            calibration: crate::stats::cbpe::Calibration::Auto,
            multivariate: false,
            pca_variance: crate::stats::pca::DEFAULT_VARIANCE,
            preset: Preset::Default,
            calibrate: None,
        }
    }
}

impl AnalysisSettings {
    /// The defaults of `--preset evidently`.
    pub fn evidently() -> Self {
        AnalysisSettings {
            preset: Preset::Evidently,
            correction: Preset::Evidently.correction(),
            ..AnalysisSettings::default()
        }
    }
}

/// A request that cannot be honoured for this data. Exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("unknown column `{column}` in `{option}`: it is in neither dataset{suggestion}")]
    UnknownColumn {
        column: String,
        option: String,
        /// ` (did you mean `income`?)` when a column's name is close.
        suggestion: String,
    },
    #[error("method `{method}` does not apply to column `{column}`, which is {kind}{hint}")]
    MethodKind {
        method: Method,
        column: String,
        kind: &'static str,
        hint: String,
    },
    #[error("column `{column}` is {dtype}; it cannot be compared as {kind}")]
    KindOverride {
        column: String,
        dtype: String,
        kind: &'static str,
    },
    #[error("no columns left to compare after `--columns`/`--exclude`")]
    NoColumns,
}

/// Builds the report. `version` and `generated_at` are stamped as given.
pub fn build(
    reference: &Dataset,
    current: &Dataset,
    s: &AnalysisSettings,
    version: &str,
    generated_at: &str,
) -> Result<Report, AnalysisError> {
    check_names(reference, current, s)?;
    let names = selected_columns(reference, current, s);
    if names.is_empty() {
        return Err(AnalysisError::NoColumns);
    }

    // Labels arrive late: a target absent from the current data is not a
    // schema break (performance is then estimated, not measured).
    let labels_pending = |n: &String| {
        s.target.as_ref() == Some(n) && reference.column(n).is_some() && current.column(n).is_none()
    };
    let types: Vec<ColumnTypes<'_>> = names
        .iter()
        .filter(|n| !labels_pending(n))
        .map(|n| ColumnTypes {
            name: n,
            reference: reference.column(n).map(|c| (c.dtype.as_str(), c.family)),
            current: current.column(n).map(|c| (c.dtype.as_str(), c.family)),
        })
        .collect();
    let (schema, mut findings) = quality::schema(&types);
    let pending_target = names.iter().find(|n| labels_pending(n)).cloned();

    // The permutation tests size their budget for a correction across every
    // feature column that may get a p-value.
    let tests = names
        .iter()
        .filter(|n| s.target.as_ref() != Some(*n) && s.prediction.as_ref() != Some(*n))
        .count();
    let mut columns: Vec<ColumnReport> = names
        .par_iter()
        .map(|n| {
            let own = findings
                .iter()
                .filter(|f| f.column.as_deref() == Some(n.as_str()))
                .cloned()
                .collect();
            analyze(
                n,
                own,
                reference.column(n),
                current.column(n),
                reference.rows,
                current.rows,
                s,
                tests,
            )
        })
        .collect::<Result<_, _>>()?;

    let tests = correct(&mut columns, s.correction);
    if let (Some(min), false) = (s.min_effect, s.preset.two_gates()) {
        for c in columns.iter_mut() {
            if c.score_kind == Some(ScoreKind::PValue)
                && c.drift_detected == Some(true)
                && c.effect_size.is_some_and(|e| e < min)
            {
                c.drift_detected = Some(false);
                c.small_effect = true;
            }
        }
    }
    let (mut performance, perf_findings) =
        super::performance::performance(reference, current, &columns, s);
    findings.extend(perf_findings);
    if let Some(target) = pending_target {
        findings.push(quality::finding(
            Severity::Warning,
            FindingCode::Performance,
            Some(&target),
            format!("target `{target}` is not in the current data (labels not available yet); performance is not measured on it"),
        ));
    }
    if let Some(p) = performance.as_mut() {
        let (estimated, estimated_findings) = super::estimated::estimated(reference, current, p, s);
        p.estimated = estimated;
        findings.extend(estimated_findings);
    }
    let multivariate = if s.multivariate {
        let (m, multivariate_findings) =
            super::multivariate::multivariate(reference, current, &columns, s);
        findings.extend(multivariate_findings);
        m
    } else {
        None
    };

    let dup = |d: &Dataset| d.duplicated_rows as f64 / d.rows as f64;
    let (ref_dup, cur_dup) = (dup(reference), dup(current));
    findings.extend(quality::duplicated_rows(
        ref_dup,
        cur_dup,
        reference.selected || current.selected,
        &s.quality,
    ));
    // Schema findings are already in `findings`; add each column's own.
    for c in &columns {
        findings.extend(
            c.findings
                .iter()
                .filter(|f| !is_schema_code(f.code))
                .cloned(),
        );
    }
    let quality = QualitySummary {
        errors: findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        warnings: findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count(),
    };

    let features = columns.iter().filter(|c| c.role == Role::Feature);
    let verdicts: Vec<bool> = features.filter_map(|c| c.drift_detected).collect();
    let drifted = verdicts.iter().filter(|d| **d).count();
    let share = if verdicts.is_empty() {
        0.0
    } else {
        drifted as f64 / verdicts.len() as f64
    };
    let dataset_drift = DatasetDrift {
        detected: !verdicts.is_empty() && share >= s.drift_share,
        drifted_columns: drifted,
        total_columns: verdicts.len(),
        share,
        threshold: s.drift_share,
    };

    let info = |d: &Dataset, dup: f64| DatasetInfo {
        path: d.path.clone(),
        files: d.files.clone(),
        rows: d.rows,
        columns: d.names.len(),
        duplicated_rows: dup,
        duplicated_rows_over: d.selected.then_some(DuplicateKey::SelectedColumns),
    };
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        driftmend_version: version.to_string(),
        generated_at: generated_at.to_string(),
        reference: info(reference, ref_dup),
        current: info(current, cur_dup),
        options: ReportOptions {
            drift_share: s.drift_share,
            bins: s.method_options.bins.to_string(),
            target: s.target.clone(),
            prediction: s.prediction.clone(),
            seed: s.method_options.seed,
            min_effect: s.min_effect,
            correction: CorrectionInfo {
                method: s.correction,
                tests,
            },
            preset: s.preset,
            calibrate: s
                .calibrate
                .filter(|_| s.preset.two_gates())
                .map(|chunks| CalibrationInfo {
                    chunks,
                    quantile: super::calibrate::QUANTILE,
                }),
        },
        dataset_drift,
        schema,
        quality,
        columns,
        performance,
        multivariate,
        history: None,
        findings,
        chunking: None,
        chunks: None,
    })
}

fn is_schema_code(code: FindingCode) -> bool {
    matches!(
        code,
        FindingCode::ColumnMissing | FindingCode::ColumnAdded | FindingCode::TypeChanged
    )
}

/// Every column named in an option must exist on at least one side.
fn check_names(
    reference: &Dataset,
    current: &Dataset,
    s: &AnalysisSettings,
) -> Result<(), AnalysisError> {
    let known = |n: &str| reference.has_column(n) || current.has_column(n);
    let mut named: Vec<(&str, &str)> = Vec::new();
    if let Some(cols) = &s.columns {
        named.extend(cols.iter().map(|c| (c.as_str(), "--columns")));
    }
    named.extend(s.exclude.iter().map(|c| (c.as_str(), "--exclude")));
    named.extend(s.categorical.iter().map(|c| (c.as_str(), "--categorical")));
    named.extend(s.numerical.iter().map(|c| (c.as_str(), "--numerical")));
    named.extend(s.methods.keys().map(|c| (c.as_str(), "--method")));
    named.extend(s.thresholds.keys().map(|c| (c.as_str(), "--threshold")));
    named.extend(s.target.iter().map(|c| (c.as_str(), "--target")));
    named.extend(s.prediction.iter().map(|c| (c.as_str(), "--prediction")));
    match named.into_iter().find(|(c, _)| !known(c)) {
        Some((column, option)) => Err(AnalysisError::UnknownColumn {
            column: column.to_string(),
            option: option.to_string(),
            suggestion: suggest_column(column, reference, current),
        }),
        None => Ok(()),
    }
}

/// ` (did you mean `is_fraud`?)` for the closest column name within two
/// edits (a swap of neighbours is one), or a case-insensitive match.
fn suggest_column(name: &str, reference: &Dataset, current: &Dataset) -> String {
    let lower = name.to_lowercase();
    reference
        .columns
        .iter()
        .chain(&current.columns)
        .map(|c| {
            let distance = if c.name.to_lowercase() == lower {
                0
            } else {
                strsim::osa_distance(name, &c.name)
            };
            (distance, c.name.as_str())
        })
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Reference columns in file order, then columns only in current.
fn selected_columns(reference: &Dataset, current: &Dataset, s: &AnalysisSettings) -> Vec<String> {
    let mut names: Vec<String> = reference.columns.iter().map(|c| c.name.clone()).collect();
    names.extend(
        current
            .columns
            .iter()
            .filter(|c| reference.column(&c.name).is_none())
            .map(|c| c.name.clone()),
    );
    names.retain(|n| {
        let wanted = s.columns.as_ref().is_none_or(|cols| cols.contains(n))
            || s.target.as_ref() == Some(n)
            || s.prediction.as_ref() == Some(n);
        wanted && !s.exclude.contains(n)
    });
    names
}

/// One side's values prepared for the chosen kind.
pub(super) enum Prepared {
    Numbers {
        sorted: Vec<f64>,
        missing: usize,
        infinite: usize,
        invalid: usize,
    },
    Labels {
        counts: Vec<(String, u64)>,
        missing: usize,
    },
    Other {
        count: usize,
        missing: usize,
        distinct: usize,
        first: Option<String>,
        last: Option<String>,
    },
}

fn analyze(
    name: &str,
    schema_findings: Vec<Finding>,
    reference: Option<&RawColumn>,
    current: Option<&RawColumn>,
    ref_rows: usize,
    cur_rows: usize,
    s: &AnalysisSettings,
    tests: usize,
) -> Result<ColumnReport, AnalysisError> {
    let role = if s.target.as_deref() == Some(name) {
        Role::Target
    } else if s.prediction.as_deref() == Some(name) {
        Role::Prediction
    } else {
        Role::Feature
    };
    let basis = current
        .or(reference)
        .expect("a selected column exists on one side");
    let kind = decide_kind(basis, s)?;
    let mut findings: Vec<Finding> = schema_findings;
    let unread = [reference, current]
        .into_iter()
        .flatten()
        .filter(|c| matches!(c.values, Values::Unsupported))
        .last();
    if let Some(column) = unread {
        findings.push(quality::unsupported_type(name, &column.dtype));
    }
    for (side, column) in [("reference", reference), ("current", current)] {
        if let Some(r) = column.and_then(|c| c.rounded.as_ref()) {
            findings.push(quality::precision_loss(name, side, r.count, &r.example));
        }
        if let Some(Values::Temporal { clamped, .. }) = column.map(|c| &c.values) {
            if *clamped > 0 {
                findings.push(quality::clamped_timestamps(name, side, *clamped));
            }
        }
    }

    let ref_prep = reference.and_then(|c| prepare(c, kind));
    let cur_prep = current.and_then(|c| prepare(c, kind));

    // A change between families (number <-> text) makes the sides
    // incomparable; int <-> float or str <-> categorical does not.
    let type_break = match (reference, current) {
        (Some(r), Some(c)) => !r.family.comparable(c.family),
        _ => false,
    };

    let missing_share = |p: &Option<Prepared>, rows: usize| {
        p.as_ref().map(|p| {
            let m = match p {
                Prepared::Numbers { missing, .. }
                | Prepared::Labels { missing, .. }
                | Prepared::Other { missing, .. } => *missing,
            };
            m as f64 / rows as f64
        })
    };
    let missing = Sides {
        reference: missing_share(&ref_prep, ref_rows),
        current: missing_share(&cur_prep, cur_rows),
    };
    findings.extend(quality::missing(
        name,
        missing.reference,
        missing.current,
        &s.quality,
    ));

    let stats = Sides {
        reference: ref_prep.as_ref().map(column_stats),
        current: cur_prep.as_ref().map(column_stats),
    };
    for (side, st) in [("reference", &stats.reference), ("current", &stats.current)] {
        if let Some(st) = st {
            findings.extend(quality::constant(name, side, st.distinct, st.count));
            findings.extend(quality::infinite(name, side, st.infinite));
        }
    }
    if let Some(Prepared::Numbers { invalid, .. }) = &cur_prep {
        if *invalid > 0 {
            findings.push(quality::finding(
                Severity::Warning,
                FindingCode::MixedTypes,
                Some(name),
                format!(
                    "column `{name}`: {invalid} current values are not numbers; counted as missing"
                ),
            ));
        }
    }
    if let Some(Prepared::Labels { counts, .. }) = &cur_prep {
        if let Some(f) = mixed_types(name, basis, counts) {
            findings.push(f);
        }
    }

    let mut categories = None;
    let mut out_of_range = None;
    match (&ref_prep, &cur_prep) {
        (Some(Prepared::Labels { counts: r, .. }), Some(Prepared::Labels { counts: c, .. }))
            if !type_break && kind == ColumnKind::Categorical =>
        {
            let (changes, f) = quality::categories(name, r, c);
            findings.extend(f);
            categories = Some(changes);
        }
        (Some(Prepared::Numbers { sorted: r, .. }), Some(Prepared::Numbers { sorted: c, .. }))
            if !r.is_empty() =>
        {
            let (min, max) = (r[0], r[r.len() - 1]);
            let share = quality::out_of_range_share(min, max, c);
            findings.extend(quality::out_of_range(name, share, min, max, &s.quality));
            out_of_range = Some(share);
        }
        _ => {}
    }

    let mut report = ColumnReport {
        name: name.to_string(),
        kind,
        role,
        dtype: Sides {
            reference: reference.map(|c| c.dtype.clone()),
            current: current.map(|c| c.dtype.clone()),
        },
        method: None,
        score: None,
        score_kind: None,
        statistic: None,
        threshold: None,
        p_value_adjusted: None,
        adjusted_threshold: None,
        effect_size: None,
        drift_detected: None,
        small_effect: false,
        gates: None,
        missing,
        stats,
        categories,
        distribution: match (&ref_prep, &cur_prep) {
            (
                Some(Prepared::Numbers { sorted: r, .. }),
                Some(Prepared::Numbers { sorted: c, .. }),
            ) => super::distribution::histogram(r, c),
            (
                Some(Prepared::Labels { counts: r, .. }),
                Some(Prepared::Labels { counts: c, .. }),
            ) if kind == ColumnKind::Categorical => super::distribution::categories(r, c),
            _ => None,
        },
        exactness: None,
        out_of_range,
        findings: Vec::new(),
    };

    match kind {
        ColumnKind::Text => findings.push(quality::finding(
            Severity::Warning,
            FindingCode::TextColumn,
            Some(name),
            if numbers_as_text(basis) {
                format!(
                    "column `{name}` holds numbers stored as text; drift not tested. Pass `--numerical {name}` to compare them as numbers"
                )
            } else {
                format!(
                    "column `{name}` looks like an identifier or free text (most values distinct); drift not tested. Pass `--categorical {name}` to test it anyway"
                )
            },
        )),
        // A side with no values at all already has its `all_missing`
        // finding; a second "not tested" finding would only repeat it.
        ColumnKind::Numerical | ColumnKind::Categorical if !type_break && has_values(&report.stats) => {
            if let (Some(r), Some(c)) = (&ref_prep, &cur_prep) {
                let in_order = match reference.map(|c| &c.values) {
                    Some(Values::Numbers { finite, .. }) => Some(finite.as_slice()),
                    _ => None,
                };
                drift(&mut report, &mut findings, r, c, in_order, s, tests)?;
            }
        }
        _ => {}
    }
    report.findings = findings;
    Ok(report)
}

fn has_values(stats: &Sides<Option<ColumnStats>>) -> bool {
    let side = |s: &Option<ColumnStats>| s.as_ref().is_some_and(|s| s.count > 0);
    side(&stats.reference) && side(&stats.current)
}

fn decide_kind(column: &RawColumn, s: &AnalysisSettings) -> Result<ColumnKind, AnalysisError> {
    let name = &column.name;
    let forced_cat = s.categorical.contains(name);
    let forced_num = s.numerical.contains(name);
    let refuse = |kind| AnalysisError::KindOverride {
        column: name.clone(),
        dtype: column.dtype.clone(),
        kind,
    };
    if forced_cat || forced_num {
        return match (&column.values, forced_num) {
            (Values::Temporal { .. } | Values::Unsupported, true) => Err(refuse("numerical")),
            (Values::Temporal { .. } | Values::Unsupported, false) => Err(refuse("categorical")),
            (_, true) => Ok(ColumnKind::Numerical),
            (_, false) => Ok(ColumnKind::Categorical),
        };
    }
    Ok(match (&column.values, column.family) {
        (_, Family::Float) => ColumnKind::Numerical,
        (Values::Numbers { finite, .. }, Family::Integer) => {
            let mut distinct = std::collections::HashSet::new();
            let few = finite.iter().all(|v| {
                distinct.insert(v.to_bits());
                distinct.len() <= MAX_INTEGER_CATEGORIES
            });
            if few {
                ColumnKind::Categorical
            } else {
                ColumnKind::Numerical
            }
        }
        (Values::Labels { counts, .. }, Family::String) => {
            let non_null: u64 = counts.iter().map(|(_, n)| n).sum();
            if counts.len() as f64 > 0.5 * non_null as f64 {
                ColumnKind::Text
            } else {
                ColumnKind::Categorical
            }
        }
        (Values::Labels { .. }, _) => ColumnKind::Categorical,
        (Values::Temporal { .. }, _) => ColumnKind::Datetime,
        _ => ColumnKind::Unsupported,
    })
}

/// Converts one side's raw values to what `kind` compares; `None` for a
/// column of an unsupported type, which was never read.
fn prepare(column: &RawColumn, kind: ColumnKind) -> Option<Prepared> {
    Some(match (&column.values, kind) {
        (
            Values::Numbers {
                finite,
                null,
                nan,
                infinite,
            },
            ColumnKind::Numerical,
        ) => {
            let mut sorted = finite.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            Prepared::Numbers {
                sorted,
                missing: null + nan,
                infinite: *infinite,
                invalid: 0,
            }
        }
        (
            Values::Numbers {
                finite, null, nan, ..
            },
            _,
        ) => {
            // Numbers compared as categories: one label per distinct value.
            let mut sorted = finite.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let mut counts: Vec<(String, u64)> = Vec::new();
            for run in sorted.chunk_by(|a, b| a == b) {
                counts.push((number_label(run[0]), run.len() as u64));
            }
            Prepared::Labels {
                counts,
                missing: null + nan,
            }
        }
        (Values::Labels { counts, null }, ColumnKind::Numerical) => {
            let mut sorted = Vec::new();
            let mut invalid = 0usize;
            for (label, n) in counts {
                match parse_number(label) {
                    Some(v) => sorted.extend(std::iter::repeat_n(v, *n as usize)),
                    None => invalid += *n as usize,
                }
            }
            sorted.sort_unstable_by(f64::total_cmp);
            Prepared::Numbers {
                sorted,
                missing: null + invalid,
                infinite: 0,
                invalid,
            }
        }
        (Values::Labels { counts, null }, _) => Prepared::Labels {
            counts: counts.clone(),
            missing: *null,
        },
        (
            Values::Temporal {
                count,
                null,
                distinct,
                min,
                max,
                ..
            },
            _,
        ) => Prepared::Other {
            count: *count,
            missing: *null,
            distinct: *distinct,
            first: min.clone(),
            last: max.clone(),
        },
        (Values::Unsupported, _) => return None,
    })
}

fn parse_number(label: &str) -> Option<f64> {
    match label {
        "true" => Some(1.0),
        "false" => Some(0.0),
        _ => label.trim().parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

fn column_stats(p: &Prepared) -> ColumnStats {
    match p {
        Prepared::Numbers {
            sorted,
            missing,
            infinite,
            ..
        } => ColumnStats {
            count: sorted.len(),
            missing: *missing,
            distinct: distinct_sorted(sorted),
            summary: summarize(sorted),
            infinite: *infinite,
            top: None,
            first: None,
            last: None,
        },
        Prepared::Labels { counts, missing } => {
            let count: u64 = counts.iter().map(|(_, n)| n).sum();
            let top = counts
                .iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(value, n)| TopCategory {
                    value: value.clone(),
                    share: *n as f64 / count as f64,
                });
            ColumnStats {
                count: count as usize,
                missing: *missing,
                distinct: counts.len(),
                summary: None,
                infinite: 0,
                top,
                first: None,
                last: None,
            }
        }
        Prepared::Other {
            count,
            missing,
            distinct,
            first,
            last,
        } => ColumnStats {
            count: *count,
            missing: *missing,
            distinct: *distinct,
            summary: None,
            infinite: 0,
            top: None,
            first: first.clone(),
            last: last.clone(),
        },
    }
}

/// A string column whose values (by row) are at least half numbers: the
/// fix is `--numerical`, not `--categorical`.
fn numbers_as_text(column: &RawColumn) -> bool {
    let Values::Labels { counts, .. } = &column.values else {
        return false;
    };
    if column.family != Family::String {
        return false;
    }
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let numeric: u64 = counts
        .iter()
        .filter(|(l, _)| parse_number(l).is_some() && l != "true" && l != "false")
        .map(|(_, n)| n)
        .sum();
    total > 0 && numeric as f64 >= 0.5 * total as f64
}

/// A string column whose values are mostly numbers was probably meant to be
/// numerical; say so instead of silently comparing it as text.
fn mixed_types(name: &str, column: &RawColumn, counts: &[(String, u64)]) -> Option<Finding> {
    if column.family != Family::String {
        return None;
    }
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let (numeric, bad): (Vec<_>, Vec<_>) = counts
        .iter()
        .partition(|(l, _)| parse_number(l).is_some() && l != "true" && l != "false");
    let numeric_rows: u64 = numeric.iter().map(|(_, n)| n).sum();
    if total == 0 || bad.is_empty() || (numeric_rows as f64) < 0.5 * total as f64 {
        return None;
    }
    let examples: Vec<String> = bad
        .iter()
        .take(quality::EXAMPLES)
        .map(|(l, _)| format!("\"{l}\""))
        .collect();
    Some(quality::finding(
        Severity::Warning,
        FindingCode::MixedTypes,
        Some(name),
        format!(
            "column `{name}` mixes numbers with text ({}); read as text. Pass `--numerical {name}` to compare the numbers and count the rest as missing",
            examples.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    //! The decisions `build` makes, as tables of small hand-made datasets:
    //! column kinds and their overrides, the method per kind and size,
    //! thresholds, roles, the dataset drift share, and the errors.

    use super::*;

    const VERSION: &str = "0.0.0-test";
    const AT: &str = "2026-11-22T03:00:00Z";

    fn column(name: &str, dtype: &str, family: Family, values: Values) -> RawColumn {
        RawColumn {
            name: name.to_string(),
            dtype: dtype.to_string(),
            family,
            values,
            rounded: None,
        }
    }

    fn floats(name: &str, values: &[f64]) -> RawColumn {
        let values = Values::Numbers {
            finite: values.to_vec(),
            null: 0,
            nan: 0,
            infinite: 0,
        };
        column(name, "f64", Family::Float, values)
    }

    fn ints(name: &str, values: &[i64]) -> RawColumn {
        let values = Values::Numbers {
            finite: values.iter().map(|&v| v as f64).collect(),
            null: 0,
            nan: 0,
            infinite: 0,
        };
        column(name, "i64", Family::Integer, values)
    }

    /// A string column: each label with its count (sorted by label, as the
    /// loader yields them).
    fn strings(name: &str, counts: &[(&str, u64)]) -> RawColumn {
        let mut counts: Vec<(String, u64)> =
            counts.iter().map(|(l, n)| (l.to_string(), *n)).collect();
        counts.sort();
        column(
            name,
            "str",
            Family::String,
            Values::Labels { counts, null: 0 },
        )
    }

    fn bools(name: &str, falses: u64, trues: u64) -> RawColumn {
        let counts = vec![("false".to_string(), falses), ("true".to_string(), trues)];
        column(
            name,
            "bool",
            Family::Boolean,
            Values::Labels { counts, null: 0 },
        )
    }

    fn datetimes(name: &str, rows: usize) -> RawColumn {
        let values = Values::Temporal {
            count: rows,
            null: 0,
            distinct: rows,
            min: Some("2020-01-01 00:00:00".into()),
            max: Some("2020-12-31 00:00:00".into()),
            clamped: 0,
        };
        column(name, "datetime[μs]", Family::Temporal, values)
    }

    fn lists(name: &str) -> RawColumn {
        column(name, "list[i64]", Family::Other, Values::Unsupported)
    }

    /// `n` evenly spaced values from `start` (step 1): `n` distinct values.
    fn range(start: f64, n: usize) -> Vec<f64> {
        (0..n).map(|i| start + i as f64).collect()
    }

    /// `n` values cycling through `distinct` integers.
    fn cycle(distinct: i64, n: usize) -> Vec<i64> {
        (0..n as i64).map(|i| i % distinct).collect()
    }

    fn rows_of(c: &RawColumn) -> usize {
        match &c.values {
            Values::Numbers {
                finite,
                null,
                nan,
                infinite,
            } => finite.len() + null + nan + infinite,
            Values::Labels { counts, null } => {
                counts.iter().map(|(_, n)| *n as usize).sum::<usize>() + null
            }
            Values::Temporal { count, null, .. } => count + null,
            Values::Unsupported => 0,
        }
    }

    /// A dataset of these columns; its row count is the first column's.
    fn dataset(columns: Vec<RawColumn>) -> Dataset {
        let rows = columns.iter().map(rows_of).max().unwrap_or(0).max(1);
        Dataset {
            path: "test.parquet".into(),
            files: vec!["test.parquet".into()],
            rows,
            names: columns.iter().map(|c| c.name.clone()).collect(),
            columns,
            duplicated_rows: 0,
            selected: false,
            rows_of: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    fn report(reference: &Dataset, current: &Dataset, s: &AnalysisSettings) -> Report {
        build(reference, current, s, VERSION, AT).expect("the report builds")
    }

    fn col<'a>(r: &'a Report, name: &str) -> &'a ColumnReport {
        r.columns
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no column `{name}`"))
    }

    #[test]
    fn column_kinds_follow_type_and_distinct_values() {
        let mut half: Vec<(String, u64)> = (0..19).map(|i| (format!("u{i:02}"), 1)).collect();
        half.push(("many".into(), 21));
        let mut over_half = half.clone();
        over_half.pop();
        over_half.push(("u19".into(), 1));
        over_half.push(("many".into(), 20));
        let refs = |v: &[(String, u64)]| -> Vec<(String, u64)> { v.to_vec() };
        let labels = |name: &str, v: &[(String, u64)]| {
            let v: Vec<(&str, u64)> = v.iter().map(|(l, n)| (l.as_str(), *n)).collect();
            strings(name, &v)
        };
        // (what, column, kind)
        let cases: Vec<(&str, RawColumn, ColumnKind)> = vec![
            (
                "floats, even with two values",
                floats("x", &[0.0, 1.0].repeat(20)),
                ColumnKind::Numerical,
            ),
            (
                "integers with 10 distinct values",
                ints("x", &cycle(10, 40)),
                ColumnKind::Categorical,
            ),
            (
                "integers with 11 distinct values",
                ints("x", &cycle(11, 44)),
                ColumnKind::Numerical,
            ),
            (
                "strings that repeat",
                strings("x", &[("a", 20), ("b", 20)]),
                ColumnKind::Categorical,
            ),
            (
                "strings with as many distinct values as half the rows (20 of 40)",
                labels("x", &refs(&half)),
                ColumnKind::Categorical,
            ),
            (
                "strings with more distinct values than half the rows (21 of 40)",
                labels("x", &refs(&over_half)),
                ColumnKind::Text,
            ),
            ("booleans", bools("x", 30, 10), ColumnKind::Categorical),
            ("datetimes", datetimes("x", 40), ColumnKind::Datetime),
            ("lists", lists("x"), ColumnKind::Unsupported),
        ];
        for (what, column, kind) in cases {
            let d = dataset(vec![column]);
            let r = report(&d, &d, &AnalysisSettings::evidently());
            assert_eq!(r.columns[0].kind, kind, "{what}");
        }
    }

    #[test]
    fn the_current_side_decides_the_kind() {
        let reference = dataset(vec![ints("x", &cycle(20, 40))]);
        let current = dataset(vec![ints("x", &cycle(3, 40))]);
        let r = report(&reference, &current, &AnalysisSettings::evidently());
        assert_eq!(r.columns[0].kind, ColumnKind::Categorical);
        let r = report(&current, &reference, &AnalysisSettings::evidently());
        assert_eq!(r.columns[0].kind, ColumnKind::Numerical);
    }

    #[test]
    fn kind_overrides_and_the_types_they_refuse() {
        let digits: Vec<(String, u64)> = (0..20).map(|i| (i.to_string(), 2)).collect();
        let digits: Vec<(&str, u64)> = digits.iter().map(|(l, n)| (l.as_str(), *n)).collect();
        let numerical = |c: &str| AnalysisSettings {
            numerical: vec![c.into()],
            ..AnalysisSettings::evidently()
        };
        let categorical = |c: &str| AnalysisSettings {
            categorical: vec![c.into()],
            ..AnalysisSettings::evidently()
        };
        // (what, column, settings, kind or error message)
        let cases: Vec<(&str, RawColumn, AnalysisSettings, Result<ColumnKind, &str>)> = vec![
            (
                "floats as categories",
                floats("x", &range(0.0, 40)),
                categorical("x"),
                Ok(ColumnKind::Categorical),
            ),
            (
                "few integers as numbers",
                ints("x", &cycle(3, 40)),
                numerical("x"),
                Ok(ColumnKind::Numerical),
            ),
            (
                "strings of numbers as numbers",
                strings("x", &digits),
                numerical("x"),
                Ok(ColumnKind::Numerical),
            ),
            (
                "mostly distinct strings as categories",
                strings("x", &[("a", 1), ("b", 1), ("c", 1)]),
                categorical("x"),
                Ok(ColumnKind::Categorical),
            ),
            (
                "datetimes as numbers",
                datetimes("x", 40),
                numerical("x"),
                Err("column `x` is datetime[μs]; it cannot be compared as numerical"),
            ),
            (
                "datetimes as categories",
                datetimes("x", 40),
                categorical("x"),
                Err("column `x` is datetime[μs]; it cannot be compared as categorical"),
            ),
            (
                "lists as numbers",
                lists("x"),
                numerical("x"),
                Err("column `x` is list[i64]; it cannot be compared as numerical"),
            ),
        ];
        for (what, column, s, want) in cases {
            let d = dataset(vec![column]);
            let got = build(&d, &d, &s, VERSION, AT)
                .map(|r| r.columns[0].kind)
                .map_err(|e| e.to_string());
            assert_eq!(got, want.map_err(str::to_string), "{what}");
        }
        // Numbers read from strings are tested as numbers.
        let d = dataset(vec![strings("x", &digits)]);
        let r = report(&d, &d, &numerical("x"));
        assert_eq!(r.columns[0].method, Some(Method::Ks));
        assert_eq!(r.columns[0].score, Some(1.0), "identical samples");
    }

    #[test]
    fn methods_by_kind_size_and_distinct_values() {
        let floats_n = |n: usize, distinct: usize| -> Vec<f64> {
            (0..n).map(|i| (i % distinct) as f64 + 0.5).collect()
        };
        let with_missing = |mut c: RawColumn, missing: usize| {
            if let Values::Numbers { nan, .. } = &mut c.values {
                *nan = missing;
            }
            c
        };
        let labels = |n: u64, distinct: u64| -> Vec<(String, u64)> {
            (0..distinct)
                .map(|i| (format!("l{i}"), n / distinct))
                .collect()
        };
        let strings_of = |v: Vec<(String, u64)>| {
            let v: Vec<(&str, u64)> = v.iter().map(|(l, n)| (l.as_str(), *n)).collect();
            strings("x", &v)
        };
        // (what, reference column, current column, method)
        let cases: Vec<(&str, RawColumn, RawColumn, Method)> = vec![
            (
                "numerical, 1000 values, > 5 distinct: KS",
                floats("x", &floats_n(1000, 50)),
                floats("x", &floats_n(1000, 50)),
                Method::Ks,
            ),
            (
                "numerical, 1001 values, > 5 distinct: Wasserstein",
                floats("x", &floats_n(1001, 50)),
                floats("x", &floats_n(1001, 50)),
                Method::Wasserstein,
            ),
            (
                "numerical, 1001 rows of which 2 missing: 999 values, KS",
                with_missing(floats("x", &floats_n(999, 50)), 2),
                floats("x", &floats_n(1001, 50)),
                Method::Ks,
            ),
            (
                "numerical, small, 3 to 5 distinct: chi-square",
                floats("x", &floats_n(100, 5)),
                floats("x", &floats_n(100, 5)),
                Method::ChiSquare,
            ),
            (
                "numerical, small, 2 distinct: Z",
                floats("x", &floats_n(100, 2)),
                floats("x", &floats_n(100, 2)),
                Method::Z,
            ),
            (
                "numerical, small, 5 distinct in reference and a 6th in current: KS",
                floats("x", &floats_n(100, 5)),
                floats("x", &floats_n(100, 6)),
                Method::Ks,
            ),
            (
                "numerical, large, <= 5 distinct: Jensen-Shannon",
                floats("x", &floats_n(2000, 5)),
                floats("x", &floats_n(2000, 5)),
                Method::JensenShannon,
            ),
            (
                "categorical, small, 3 labels: chi-square",
                strings_of(labels(300, 3)),
                strings_of(labels(300, 3)),
                Method::ChiSquare,
            ),
            (
                "categorical, small, 2 labels: Z",
                strings_of(labels(300, 2)),
                strings_of(labels(300, 2)),
                Method::Z,
            ),
            (
                "categorical, small, 2 labels and a new one in current: chi-square",
                strings_of(labels(300, 2)),
                strings_of(labels(300, 3)),
                Method::ChiSquare,
            ),
            (
                "categorical, large: Jensen-Shannon",
                strings_of(labels(3000, 2)),
                strings_of(labels(3000, 2)),
                Method::JensenShannon,
            ),
            (
                "booleans, small: Z",
                bools("x", 80, 20),
                bools("x", 70, 30),
                Method::Z,
            ),
        ];
        for (what, r, c, method) in cases {
            let (r, c) = (dataset(vec![r]), dataset(vec![c]));
            let evidently = report(&r, &c, &AnalysisSettings::evidently());
            let x = &evidently.columns[0];
            assert_eq!(x.method, Some(method), "{what}");
            assert_eq!(x.score_kind, Some(method.score_kind()), "{what}");
            // The default: one two-sample test per kind, whatever the size.
            let default = report(&r, &c, &AnalysisSettings::default());
            let x = &default.columns[0];
            let want = match method {
                Method::Ks | Method::Wasserstein => Method::Ks,
                _ => Method::Chi2,
            };
            assert_eq!(x.method, Some(want), "{what} (default preset)");
            assert!(x.gates.is_some(), "{what} (default preset)");
        }
    }

    #[test]
    fn chosen_methods_override_by_column_then_role_then_kind() {
        let d = dataset(vec![
            floats("a", &range(0.0, 100)),
            floats("b", &range(0.0, 100)),
            strings("c", &[("x", 50), ("y", 30), ("z", 20)]),
            floats("t", &range(0.0, 100)),
            strings("p", &[("no", 60), ("yes", 40)]),
        ]);
        let base = AnalysisSettings {
            num_method: MethodChoice::Fixed(Method::Psi),
            cat_method: MethodChoice::Fixed(Method::Hellinger),
            methods: BTreeMap::from([("b".to_string(), Method::KlDiv)]),
            target: Some("t".into()),
            prediction: Some("p".into()),
            ..AnalysisSettings::evidently()
        };
        let r = report(&d, &d, &base);
        let methods = |r: &Report| -> Vec<(String, Option<Method>)> {
            r.columns
                .iter()
                .map(|c| (c.name.clone(), c.method))
                .collect()
        };
        let want = |t: Method, p: Method| {
            vec![
                ("a".to_string(), Some(Method::Psi)),
                ("b".to_string(), Some(Method::KlDiv)),
                ("c".to_string(), Some(Method::Hellinger)),
                ("t".to_string(), Some(t)),
                ("p".to_string(), Some(p)),
            ]
        };
        // Without role methods, the target and prediction follow their kind.
        assert_eq!(methods(&r), want(Method::Psi, Method::Hellinger));
        let roles = AnalysisSettings {
            target_method: MethodChoice::Fixed(Method::Anderson),
            prediction_method: MethodChoice::Fixed(Method::ChiSquare),
            ..base.clone()
        };
        assert_eq!(
            methods(&report(&d, &d, &roles)),
            want(Method::Anderson, Method::ChiSquare)
        );
        // `--method COL=...` still wins over the role's method.
        let column = AnalysisSettings {
            methods: BTreeMap::from([
                ("b".to_string(), Method::KlDiv),
                ("t".to_string(), Method::Welch),
            ]),
            ..roles
        };
        assert_eq!(
            methods(&report(&d, &d, &column)),
            want(Method::Welch, Method::ChiSquare)
        );
    }

    #[test]
    fn thresholds_default_per_method_then_global_then_per_column() {
        let d = dataset(vec![
            floats("a", &range(0.0, 100)),
            floats("b", &range(0.0, 100)),
        ]);
        let threshold = |s: &AnalysisSettings| -> Vec<Option<f64>> {
            report(&d, &d, s)
                .columns
                .iter()
                .map(|c| c.threshold)
                .collect()
        };
        // KS is a p-value: 0.05; Wasserstein a distance: 0.1.
        assert_eq!(threshold(&Default::default()), [Some(0.05), Some(0.05)]);
        let wasserstein = AnalysisSettings {
            num_method: MethodChoice::Fixed(Method::Wasserstein),
            ..Default::default()
        };
        assert_eq!(threshold(&wasserstein), [Some(0.1), Some(0.1)]);
        let global = AnalysisSettings {
            threshold: Some(0.2),
            ..wasserstein.clone()
        };
        assert_eq!(threshold(&global), [Some(0.2), Some(0.2)]);
        let per_column = AnalysisSettings {
            thresholds: BTreeMap::from([("b".to_string(), 0.3)]),
            ..global
        };
        assert_eq!(threshold(&per_column), [Some(0.2), Some(0.3)]);
    }

    #[test]
    fn verdicts_compare_the_score_with_the_threshold() {
        let reference = dataset(vec![floats("x", &range(0.0, 200))]);
        let shifted = dataset(vec![floats("x", &range(100.0, 200))]);
        let with = |method: Method, threshold: Option<f64>| AnalysisSettings {
            num_method: MethodChoice::Fixed(method),
            threshold,
            ..AnalysisSettings::evidently()
        };
        // (what, current, settings, drift detected)
        let cases = [
            (
                "KS, shifted by half",
                &shifted,
                with(Method::Ks, None),
                true,
            ),
            ("KS, identical", &reference, with(Method::Ks, None), false),
            (
                "Wasserstein, shifted by half",
                &shifted,
                with(Method::Wasserstein, None),
                true,
            ),
            (
                "Wasserstein, shifted, threshold above the distance",
                &shifted,
                with(Method::Wasserstein, Some(5.0)),
                false,
            ),
            (
                "Wasserstein, identical, threshold 0: a distance >= its threshold drifts",
                &reference,
                with(Method::Wasserstein, Some(0.0)),
                true,
            ),
        ];
        for (what, current, s, want) in cases {
            let r = report(&reference, current, &s);
            assert_eq!(r.columns[0].drift_detected, Some(want), "{what}");
        }
    }

    /// Two features (`a` shifted, `b` not), a shifted target and prediction,
    /// a text column and a datetime column (never tested).
    fn roles_data() -> (Dataset, Dataset) {
        let emails: Vec<String> = (0..200).map(|i| format!("u{i:03}@example.com")).collect();
        let emails: Vec<(&str, u64)> = emails.iter().map(|e| (e.as_str(), 1)).collect();
        let side = |shift: f64| {
            dataset(vec![
                floats("a", &range(shift, 200)),
                floats("b", &range(0.0, 200)),
                floats("t", &range(shift, 200)),
                floats("p", &range(shift, 200)),
                strings("email", &emails),
                datetimes("at", 200),
            ])
        };
        (side(0.0), side(150.0))
    }

    #[test]
    fn target_and_prediction_are_tested_but_not_counted_in_dataset_drift() {
        let (reference, current) = roles_data();
        let s = AnalysisSettings {
            target: Some("t".into()),
            prediction: Some("p".into()),
            ..AnalysisSettings::evidently()
        };
        let r = report(&reference, &current, &s);
        let roles: Vec<(&str, Role, Option<bool>)> = r
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.role, c.drift_detected))
            .collect();
        assert_eq!(
            roles,
            [
                ("a", Role::Feature, Some(true)),
                ("b", Role::Feature, Some(false)),
                ("t", Role::Target, Some(true)),
                ("p", Role::Prediction, Some(true)),
                ("email", Role::Feature, None),
                ("at", Role::Feature, None),
            ]
        );
        assert_eq!(
            r.dataset_drift,
            DatasetDrift {
                detected: true,
                drifted_columns: 1,
                total_columns: 2,
                share: 0.5,
                threshold: 0.5,
            }
        );
        // Without roles, `t` and `p` are features like the others.
        let r = report(&reference, &current, &AnalysisSettings::evidently());
        assert_eq!(
            (
                r.dataset_drift.drifted_columns,
                r.dataset_drift.total_columns
            ),
            (3, 4)
        );
        // `--columns` keeps the target and prediction.
        let only_a = AnalysisSettings {
            columns: Some(vec!["a".into()]),
            ..s
        };
        let r = report(&reference, &current, &only_a);
        let names: Vec<&str> = r.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "t", "p"]);
        assert_eq!(r.dataset_drift.total_columns, 1);
    }

    #[test]
    fn dataset_drift_when_the_share_reaches_its_threshold() {
        let (reference, current) = roles_data();
        let columns = |names: &[&str]| Some(names.iter().map(|n| n.to_string()).collect());
        // (what, --columns, --drift-share, detected, drifted, total, share)
        let cases = [
            ("1 of 2 at 0.5", columns(&["a", "b"]), 0.5, true, 1, 2, 0.5),
            (
                "1 of 2 at 0.51",
                columns(&["a", "b"]),
                0.51,
                false,
                1,
                2,
                0.5,
            ),
            ("0 of 1 at 0", columns(&["b"]), 0.0, true, 0, 1, 0.0),
            (
                "untested columns don't count",
                columns(&["a", "email", "at"]),
                1.0,
                true,
                1,
                1,
                1.0,
            ),
            (
                "nothing tested: no drift, whatever the threshold",
                columns(&["email", "at"]),
                0.0,
                false,
                0,
                0,
                0.0,
            ),
        ];
        for (what, columns, drift_share, detected, drifted, total, share) in cases {
            let s = AnalysisSettings {
                columns,
                drift_share,
                ..AnalysisSettings::evidently()
            };
            let r = report(&reference, &current, &s);
            assert_eq!(
                r.dataset_drift,
                DatasetDrift {
                    detected,
                    drifted_columns: drifted,
                    total_columns: total,
                    share,
                    threshold: drift_share,
                },
                "{what}"
            );
        }
    }

    #[test]
    fn requests_that_cannot_be_honoured_are_errors_with_their_message() {
        let reference = dataset(vec![
            floats("income", &range(0.0, 100)),
            strings("country", &[("DE", 50), ("US", 50)]),
        ]);
        // `added` is only in the current data: it may be named.
        let mut current = reference.clone();
        current.columns.push(floats("added", &range(0.0, 100)));
        current.names.push("added".to_string());
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let method = |c: &str, m: Method| BTreeMap::from([(c.to_string(), m)]);
        // (what, settings, message)
        let cases = [
            (
                "--columns",
                AnalysisSettings {
                    columns: Some(names(&["income", "nope"])),
                    ..Default::default()
                },
                "unknown column `nope` in `--columns`: it is in neither dataset",
            ),
            (
                "--exclude",
                AnalysisSettings {
                    exclude: names(&["nope"]),
                    ..Default::default()
                },
                "unknown column `nope` in `--exclude`: it is in neither dataset",
            ),
            (
                "--categorical",
                AnalysisSettings {
                    categorical: names(&["nope"]),
                    ..Default::default()
                },
                "unknown column `nope` in `--categorical`: it is in neither dataset",
            ),
            (
                "--numerical",
                AnalysisSettings {
                    numerical: names(&["nope"]),
                    ..Default::default()
                },
                "unknown column `nope` in `--numerical`: it is in neither dataset",
            ),
            (
                "--method",
                AnalysisSettings {
                    methods: method("nope", Method::Ks),
                    ..Default::default()
                },
                "unknown column `nope` in `--method`: it is in neither dataset",
            ),
            (
                "--threshold",
                AnalysisSettings {
                    thresholds: BTreeMap::from([("nope".to_string(), 0.1)]),
                    ..Default::default()
                },
                "unknown column `nope` in `--threshold`: it is in neither dataset",
            ),
            (
                "--target",
                AnalysisSettings {
                    target: Some("nope".into()),
                    ..Default::default()
                },
                "unknown column `nope` in `--target`: it is in neither dataset",
            ),
            (
                "--prediction",
                AnalysisSettings {
                    prediction: Some("nope".into()),
                    ..Default::default()
                },
                "unknown column `nope` in `--prediction`: it is in neither dataset",
            ),
            (
                "the first unknown name is reported, in option order",
                AnalysisSettings {
                    exclude: names(&["first"]),
                    target: Some("second".into()),
                    ..Default::default()
                },
                "unknown column `first` in `--exclude`: it is in neither dataset",
            ),
            (
                "a categorical method on a numerical column",
                AnalysisSettings {
                    methods: method("income", Method::ChiSquare),
                    ..Default::default()
                },
                "method `chisquare` does not apply to column `income`, which is numerical",
            ),
            (
                "a numerical method on a categorical column",
                AnalysisSettings {
                    methods: method("country", Method::Ks),
                    ..Default::default()
                },
                "method `ks` does not apply to column `country`, which is categorical \
                 (pass `--numerical` to compare it as numbers)",
            ),
            (
                "everything excluded",
                AnalysisSettings {
                    exclude: names(&["income", "country", "added"]),
                    ..Default::default()
                },
                "no columns left to compare after `--columns`/`--exclude`",
            ),
        ];
        for (what, s, message) in cases {
            let err = build(&reference, &current, &s, VERSION, AT)
                .err()
                .unwrap_or_else(|| panic!("{what}: no error"));
            assert_eq!(err.to_string(), message, "{what}");
        }
        // Naming a column that only one side has is fine.
        let s = AnalysisSettings {
            exclude: names(&["added"]),
            ..Default::default()
        };
        assert!(build(&reference, &current, &s, VERSION, AT).is_ok());
    }

    #[test]
    fn columns_are_in_reference_order_then_new_ones_and_a_one_sided_column_is_not_tested() {
        let reference = dataset(vec![
            floats("b", &range(0.0, 50)),
            floats("gone", &range(0.0, 50)),
            floats("a", &range(0.0, 50)),
        ]);
        let current = dataset(vec![
            floats("new", &range(0.0, 50)),
            floats("a", &range(0.0, 50)),
            floats("b", &range(0.0, 50)),
        ]);
        let r = report(&reference, &current, &AnalysisSettings::evidently());
        let seen: Vec<(&str, Option<Method>)> = r
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.method))
            .collect();
        assert_eq!(
            seen,
            [
                ("b", Some(Method::Ks)),
                ("gone", None),
                ("a", Some(Method::Ks)),
                ("new", None),
            ]
        );
        assert_eq!(r.schema.missing_in_current, ["gone"]);
        assert_eq!(r.schema.new_in_current, ["new"]);
        assert_eq!(
            (r.driftmend_version.as_str(), r.generated_at.as_str()),
            (VERSION, AT)
        );
    }

    #[test]
    fn numbers_that_became_text_are_not_compared() {
        let reference = dataset(vec![floats("x", &range(0.0, 40))]);
        let current = dataset(vec![strings("x", &[("a", 20), ("b", 20)])]);
        let r = report(&reference, &current, &AnalysisSettings::evidently());
        let x = &r.columns[0];
        assert_eq!(
            (x.kind, x.method, x.score),
            (ColumnKind::Categorical, None, None)
        );
        assert_eq!(r.schema.type_changed.len(), 1);
        assert_eq!(r.dataset_drift.total_columns, 0);
    }

    #[test]
    fn bonferroni_divides_the_threshold_among_feature_p_values() {
        let (reference, current) = roles_data();
        let s = AnalysisSettings {
            columns: Some(vec!["a".into(), "b".into()]),
            target: Some("t".into()),
            correction: Correction::Bonferroni,
            ..AnalysisSettings::evidently()
        };
        let r = report(&reference, &current, &s);
        // Two feature p-values; the target is not corrected for.
        assert_eq!(r.options.correction.tests, 2);
        let plain = report(
            &reference,
            &current,
            &AnalysisSettings {
                correction: Correction::None,
                ..s
            },
        );
        for name in ["a", "b"] {
            let (c, p) = (col(&r, name), col(&plain, name).score.unwrap());
            assert_eq!(c.p_value_adjusted, Some((p * 2.0).min(1.0)), "{name}");
            assert_eq!(c.adjusted_threshold, Some(0.025), "{name}");
        }
        assert_eq!(col(&r, "t").p_value_adjusted, None);
    }

    #[test]
    fn min_effect_overrules_small_significant_p_values_only() {
        let reference = dataset(vec![floats("x", &range(0.0, 1000))]);
        let current = dataset(vec![floats("x", &range(100.0, 1000))]);
        let with = |method: Method| AnalysisSettings {
            num_method: MethodChoice::Fixed(method),
            min_effect: Some(100.0),
            ..AnalysisSettings::evidently()
        };
        let ks = report(&reference, &current, &with(Method::Ks));
        let x = &ks.columns[0];
        assert!(x.score.unwrap() < 0.05, "significant: {:?}", x.score);
        assert_eq!((x.drift_detected, x.small_effect), (Some(false), true));
        // A distance is not a p-value: `min_effect` leaves it alone.
        let w = report(&reference, &current, &with(Method::Wasserstein));
        assert_eq!(
            (w.columns[0].drift_detected, w.columns[0].small_effect),
            (Some(true), false)
        );
    }

    /// A seeded standard-normal-ish sample (sum of 12 uniforms minus 6).
    fn noise(seed: u64, n: usize, shift: f64) -> Vec<f64> {
        let mut rng = crate::stats::rng::Rng::stream(seed, 0);
        (0..n)
            .map(|_| {
                (0..12)
                    .map(|_| rng.below(1 << 30) as f64 / (1u64 << 30) as f64)
                    .sum::<f64>()
                    - 6.0
                    + shift
            })
            .collect()
    }

    #[test]
    fn the_default_needs_a_significant_test_and_a_material_effect() {
        let n = 20_000;
        let reference = dataset(vec![
            floats("same", &noise(1, n, 0.0)),
            floats("tiny", &noise(2, n, 0.0)),
            floats("shift", &noise(3, n, 0.0)),
            strings("cat", &[("a", 8000), ("b", 6000), ("c", 6000)]),
        ]);
        let current = dataset(vec![
            floats("same", &noise(11, n, 0.0)),
            // Significant at 20k rows, but 0.03 SD is below the 0.05 floor.
            floats("tiny", &noise(12, n, 0.03)),
            floats("shift", &noise(13, n, 0.2)),
            strings("cat", &[("a", 10000), ("b", 5000), ("c", 5000)]),
        ]);
        let r = report(&reference, &current, &AnalysisSettings::default());
        assert_eq!(r.options.preset, Preset::Default);
        assert_eq!(r.options.correction.method, Correction::Bh);
        let gates = |name: &str| col(&r, name).gates.clone().unwrap();
        for name in ["same", "tiny", "shift"] {
            assert_eq!(col(&r, name).method, Some(Method::Ks), "{name}");
        }
        assert_eq!(col(&r, "cat").method, Some(Method::Chi2));
        let same = gates("same");
        assert!(!same.test.as_ref().unwrap().passed, "{same:?}");
        assert_eq!(col(&r, "same").drift_detected, Some(false));
        let tiny = gates("tiny");
        assert!(tiny.test.as_ref().unwrap().passed, "{tiny:?}");
        let effect = tiny.effect.unwrap();
        assert_eq!(effect.measure, "trimmed_wasserstein");
        assert!(!effect.passed && effect.threshold == 0.05, "{effect:?}");
        assert_eq!(col(&r, "tiny").drift_detected, Some(false));
        let shift = gates("shift");
        assert!(shift.test.as_ref().unwrap().p_value_adjusted.is_some());
        assert!(shift.effect.as_ref().unwrap().value > 0.15, "{shift:?}");
        assert_eq!(col(&r, "shift").drift_detected, Some(true));
        let cat = gates("cat").effect.unwrap();
        assert_eq!(cat.measure, "tvd");
        assert!((cat.value - 0.1).abs() < 1e-12, "{cat:?}");
        assert_eq!(col(&r, "cat").drift_detected, Some(true));
        // The same data under Evidently's rule: one score, no gates.
        let e = report(&reference, &current, &AnalysisSettings::evidently());
        assert!(e.columns.iter().all(|c| c.gates.is_none()));
        assert_eq!(col(&e, "shift").method, Some(Method::Wasserstein));
    }

    #[test]
    fn one_extreme_value_is_not_drift_by_default() {
        let n = 5_000;
        let mut current = noise(22, n, 0.0);
        current[17] = 1e9;
        let reference = dataset(vec![floats("x", &noise(21, n, 0.0))]);
        let current = dataset(vec![floats("x", &current)]);
        let r = report(&reference, &current, &AnalysisSettings::default());
        let effect = col(&r, "x").gates.clone().unwrap().effect.unwrap();
        assert!(effect.value < 0.05, "{effect:?}");
        assert_eq!(col(&r, "x").drift_detected, Some(false));
        // Evidently's normalised Wasserstein calls it drift.
        let e = report(&reference, &current, &AnalysisSettings::evidently());
        assert_eq!(col(&e, "x").drift_detected, Some(true));
    }

    #[test]
    fn calibration_raises_the_effect_threshold_of_a_wandering_reference() {
        // The reference drifts slowly over the file; the current sample is
        // its mixture, shifted by 0.1 SD.
        let n = 10_000;
        let base = noise(31, n, 0.0);
        let wandering: Vec<f64> = base
            .iter()
            .enumerate()
            .map(|(i, x)| x + i as f64 / n as f64)
            .collect();
        let shifted: Vec<f64> = noise(32, n, 0.6).to_vec();
        let reference = dataset(vec![floats("x", &wandering)]);
        let current = dataset(vec![floats("x", &shifted)]);
        let plain = report(&reference, &current, &AnalysisSettings::default());
        let calibrated = report(
            &reference,
            &current,
            &AnalysisSettings {
                calibrate: Some(10),
                ..AnalysisSettings::default()
            },
        );
        assert_eq!(
            calibrated.options.calibrate,
            Some(CalibrationInfo {
                chunks: 10,
                quantile: 0.95
            })
        );
        let p = col(&plain, "x").gates.clone().unwrap().effect.unwrap();
        let c = col(&calibrated, "x").gates.clone().unwrap().effect.unwrap();
        assert_eq!((p.threshold, p.calibrated), (0.05, None));
        let q = c.calibrated.unwrap();
        assert!(q > 0.2, "the chunks differ by up to 1 SD: {c:?}");
        assert_eq!(c.threshold, q.max(0.05));
        assert_eq!(col(&plain, "x").drift_detected, Some(true));
        assert_eq!(col(&calibrated, "x").drift_detected, Some(false));
    }

    #[test]
    fn permutation_tests_get_enough_permutations_for_many_columns() {
        // 60 columns; one changed a lot. With tvd's 1000 permutations its
        // p-value could not go below 1/1001, above BH's bar of 0.05/60.
        let mut reference = Vec::new();
        let mut current = Vec::new();
        for i in 0..60 {
            let name = format!("c{i:02}");
            reference.push(strings(&name, &[("a", 500), ("b", 500)]));
            let moved = if i == 0 { 300 } else { 500 };
            current.push(strings(&name, &[("a", moved), ("b", 1000 - moved)]));
        }
        let s = AnalysisSettings {
            cat_method: MethodChoice::Fixed(Method::Tvd),
            ..AnalysisSettings::default()
        };
        let r = report(&dataset(reference), &dataset(current), &s);
        let c0 = col(&r, "c00");
        assert!(c0.score.unwrap() < 0.05 / 60.0, "{:?}", c0.score);
        assert_eq!(c0.drift_detected, Some(true));
        assert_eq!(r.dataset_drift.drifted_columns, 1);
    }
}
