//! Builds the report from two loaded datasets: decides each column's kind and
//! method, runs the drift statistics and quality checks, and aggregates.
//! Pure (rayon only parallelises over columns): no files, no clock, no
//! printing; the time stamp is passed in.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::model::*;
use crate::data::{number_label, Dataset, Family, RawColumn, Values};
use crate::quality::{self, ColumnTypes, QualitySettings};
use crate::stats::describe::{distinct_sorted, distinct_union_sorted, summarize};
use crate::stats::{self, CategoryCounts, Method, MethodOptions, Sample, ScoreKind};

/// Integer columns with at most this many distinct values are categorical
/// (Evidently's rule).
const MAX_INTEGER_CATEGORIES: usize = 10;

/// A method choice for one kind of column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MethodChoice {
    /// Evidently's default choice by kind, size and distinct values.
    #[default]
    Auto,
    Fixed(Method),
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
            correction: Correction::None,
            target_method: MethodChoice::Auto,
            prediction_method: MethodChoice::Auto,
            positive_label: None,
            prediction_threshold: crate::stats::performance::DEFAULT_THRESHOLD,
        }
    }
}

/// A request that cannot be honoured for this data. Exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("unknown column `{column}` in `{option}`: it is in neither dataset")]
    UnknownColumn { column: String, option: String },
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

    let types: Vec<ColumnTypes<'_>> = names
        .iter()
        .map(|n| ColumnTypes {
            name: n,
            reference: reference.column(n).map(|c| (c.dtype.as_str(), c.family)),
            current: current.column(n).map(|c| (c.dtype.as_str(), c.family)),
        })
        .collect();
    let (schema, mut findings) = quality::schema(&types);

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
            )
        })
        .collect::<Result<_, _>>()?;

    let tests = correct(&mut columns, s.correction);
    if let Some(min) = s.min_effect {
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
    let (performance, perf_findings) =
        super::performance::performance(reference, current, &columns, s);
    findings.extend(perf_findings);

    let dup = |d: &Dataset| d.duplicated_rows as f64 / d.rows as f64;
    let (ref_dup, cur_dup) = (dup(reference), dup(current));
    findings.extend(quality::duplicated_rows(ref_dup, cur_dup, &s.quality));
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
        columns: d.columns.len(),
        duplicated_rows: dup,
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
        },
        dataset_drift,
        schema,
        quality,
        columns,
        performance,
        history: None,
        findings,
    })
}

/// Applies the multiple-testing correction to the feature columns tested
/// with a p-value method: each gets its adjusted p-value (compared with its
/// own threshold for the verdict) and the raw-p threshold that amounts to.
/// Returns the number of tests corrected for.
fn correct(columns: &mut [ColumnReport], correction: Correction) -> usize {
    let tested: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.role == Role::Feature && c.score_kind == Some(ScoreKind::PValue) && c.score.is_some()
        })
        .map(|(i, _)| i)
        .collect();
    let m = tested.len();
    if correction == Correction::None || m == 0 {
        return m;
    }
    let p: Vec<f64> = tested
        .iter()
        .map(|&i| columns[i].score.unwrap_or(1.0))
        .collect();
    let adjusted = match correction {
        Correction::Bonferroni => stats::correction::bonferroni(&p),
        _ => stats::correction::benjamini_hochberg(&p),
    };
    for (k, &i) in tested.iter().enumerate() {
        let c = &mut columns[i];
        let (Some(method), Some(t)) = (c.method, c.threshold) else {
            continue;
        };
        c.p_value_adjusted = Some(adjusted[k]);
        c.adjusted_threshold = Some(match correction {
            Correction::Bonferroni => t / m as f64,
            _ => stats::correction::bh_threshold(&p, t),
        });
        c.drift_detected = Some(method.drifted(adjusted[k], t));
    }
    m
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
    let known = |n: &str| reference.column(n).is_some() || current.column(n).is_some();
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
        }),
        None => Ok(()),
    }
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
enum Prepared {
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

    let ref_prep = reference.map(|c| prepare(c, kind));
    let cur_prep = current.map(|c| prepare(c, kind));

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
        out_of_range,
        findings: Vec::new(),
    };

    match kind {
        ColumnKind::Text => findings.push(quality::finding(
            Severity::Warning,
            FindingCode::TextColumn,
            Some(name),
            format!(
                "column `{name}` looks like an identifier or free text (most values distinct); drift not tested. Pass `--categorical {name}` to test it anyway"
            ),
        )),
        // A side with no values at all already has its `all_missing`
        // finding; a second "not tested" finding would only repeat it.
        ColumnKind::Numerical | ColumnKind::Categorical if !type_break && has_values(&report.stats) => {
            if let (Some(r), Some(c)) = (&ref_prep, &cur_prep) {
                drift(&mut report, &mut findings, r, c, s)?;
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
            (Values::Temporal { .. } | Values::Unsupported { .. }, true) => {
                Err(refuse("numerical"))
            }
            (Values::Temporal { .. } | Values::Unsupported { .. }, false) => {
                Err(refuse("categorical"))
            }
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

/// Converts one side's raw values to what `kind` compares.
fn prepare(column: &RawColumn, kind: ColumnKind) -> Prepared {
    match (&column.values, kind) {
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
                null,
                distinct,
                min,
                max,
            },
            _,
        ) => Prepared::Other {
            missing: *null,
            distinct: *distinct,
            first: min.clone(),
            last: max.clone(),
        },
        (Values::Unsupported { null }, _) => Prepared::Other {
            missing: *null,
            distinct: 0,
            first: None,
            last: None,
        },
    }
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
            missing,
            distinct,
            first,
            last,
        } => ColumnStats {
            count: 0,
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

/// Chooses the method and threshold and computes the drift verdict.
fn drift(
    report: &mut ColumnReport,
    findings: &mut Vec<Finding>,
    reference: &Prepared,
    current: &Prepared,
    s: &AnalysisSettings,
) -> Result<(), AnalysisError> {
    let name = report.name.clone();
    let numerical = report.kind == ColumnKind::Numerical;
    let counts;
    let (sample, ref_n, distinct) = match (reference, current) {
        (Prepared::Numbers { sorted: r, .. }, Prepared::Numbers { sorted: c, .. }) => {
            // `auto` only asks whether there are more than 5.
            let distinct = distinct_union_sorted(r, c, 6);
            (
                Sample::Numerical {
                    reference: r,
                    current: c,
                },
                r.len(),
                distinct,
            )
        }
        (Prepared::Labels { counts: r, .. }, Prepared::Labels { counts: c, .. }) => {
            counts = align(r, c);
            let n: u64 = counts.reference_total();
            (
                Sample::Categorical(&counts),
                n as usize,
                counts.reference.len(),
            )
        }
        _ => return Ok(()),
    };
    let method = match s.methods.get(&name) {
        Some(m) => {
            let ok = if numerical {
                m.accepts_numerical()
            } else {
                m.accepts_categorical()
            };
            if !ok {
                return Err(AnalysisError::MethodKind {
                    method: *m,
                    column: name,
                    kind: report.kind.name(),
                    hint: if numerical {
                        String::new()
                    } else {
                        " (pass `--numerical` to compare it as numbers)".to_string()
                    },
                });
            }
            *m
        }
        None => {
            let role_choice = match report.role {
                Role::Target => s.target_method,
                Role::Prediction => s.prediction_method,
                Role::Feature => MethodChoice::Auto,
            };
            let kind_choice = if numerical {
                s.num_method
            } else {
                s.cat_method
            };
            match (role_choice, kind_choice) {
                (MethodChoice::Fixed(m), _) if fits(m, numerical) => m,
                (_, MethodChoice::Fixed(m)) => m,
                _ => Method::auto(numerical, ref_n, distinct),
            }
        }
    };
    let threshold = s
        .thresholds
        .get(&name)
        .copied()
        .or(s.threshold)
        .unwrap_or(method.default_threshold());
    report.method = Some(method);
    report.score_kind = Some(method.score_kind());
    report.threshold = Some(threshold);
    match stats::compute(method, sample, &s.method_options) {
        Ok(score) => {
            report.score = Some(score.value);
            report.statistic = score.statistic;
            report.drift_detected = Some(method.drifted(score.value, threshold));
        }
        Err(e) => findings.push(quality::finding(
            Severity::Warning,
            FindingCode::NotTested,
            Some(&name),
            format!("column `{name}`: drift not tested with `{method}`: {e}"),
        )),
    }
    // The default methods at scale score with the effect measure itself:
    // don't compute it twice (a second pass over millions of values).
    report.effect_size = match report.score {
        Some(score) if method.measures_effect(numerical) => Some(score),
        _ => stats::effect_size(sample).ok(),
    };
    Ok(())
}

fn fits(method: Method, numerical: bool) -> bool {
    if numerical {
        method.accepts_numerical()
    } else {
        method.accepts_categorical()
    }
}

/// Aligns two label-count lists over the union of labels (sorted).
fn align(reference: &[(String, u64)], current: &[(String, u64)]) -> CategoryCounts {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut labels: Vec<&str> = reference
        .iter()
        .chain(current)
        .map(|(l, _)| l.as_str())
        .filter(|l| index.insert(l, 0).is_none())
        .collect();
    labels.sort_unstable();
    for (i, l) in labels.iter().enumerate() {
        index.insert(l, i);
    }
    let mut out = CategoryCounts {
        reference: vec![0; labels.len()],
        current: vec![0; labels.len()],
    };
    for (l, n) in reference {
        out.reference[index[l.as_str()]] += n;
    }
    for (l, n) in current {
        out.current[index[l.as_str()]] += n;
    }
    out
}
