//! The drift decision of each column: the chosen method's test or
//! distance, the default preset's two gates (a test after the correction
//! across columns, and an effect floor), and the correction itself.
//! Pure, like `build`, which calls it per column.

use std::collections::HashMap;

use super::build::{AnalysisError, AnalysisSettings, MethodChoice, Prepared, KS_EXACT_WORK};
use super::model::*;
use crate::quality;
use crate::stats::describe::distinct_union_sorted;
use crate::stats::{self, CategoryCounts, EffectMeasure, Method, Sample, ScoreKind};

/// Applies the multiple-testing correction to the feature columns tested
/// with a p-value method: each gets its adjusted p-value (compared with its
/// own threshold for the verdict) and the raw-p threshold that amounts to.
/// Returns the number of tests corrected for.
pub(super) fn correct(columns: &mut [ColumnReport], correction: Correction) -> usize {
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
        if let Some(gates) = &mut c.gates {
            if let Some(test) = &mut gates.test {
                test.p_value_adjusted = Some(adjusted[k]);
                test.passed = method.drifted(adjusted[k], t);
            }
            c.drift_detected = Some(gates.passed());
        }
    }
    m
}

/// Chooses the method and threshold and computes the drift verdict.
/// `reference_in_order` is the reference's finite values in file order
/// (for `--calibrate`), when the column was read as numbers.
pub(super) fn drift(
    report: &mut ColumnReport,
    findings: &mut Vec<Finding>,
    reference: &Prepared,
    current: &Prepared,
    reference_in_order: Option<&[f64]>,
    s: &AnalysisSettings,
    tests: usize,
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
                _ if s.preset.two_gates() => Method::auto_two_sample(numerical, distinct),
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
    let mut method_options = s.method_options;
    if s.preset.two_gates() {
        // KS at every size: an exact p-value for 9 800 vs 9 900 rows takes
        // seconds; the asymptotic one differs in the 3rd digit at most there.
        method_options.ks_exact_work = Some(KS_EXACT_WORK);
    }
    if s.preset.two_gates() && method_options.permutations.is_none() {
        let floor = match method {
            Method::Mmd => stats::mmd::MmdOptions::default().permutations,
            _ => stats::contingency::DEFAULT_PERMUTATIONS,
        };
        method_options.permutations =
            Some(stats::sequential::permutations_for(tests, threshold, floor));
        method_options.stop_after = Some(stats::sequential::STOP_AFTER);
    }
    match stats::compute(method, sample, &method_options) {
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
    if let (Some(score), true) = (report.score, s.preset.two_gates()) {
        let gates = two_gates(
            method,
            score,
            threshold,
            numerical,
            sample,
            reference_in_order,
            s,
        );
        report.drift_detected = Some(gates.passed());
        // The effect size on the default's scale is the effect gate's own
        // measure (unless a distance method stands in for the test).
        if gates.test.is_some() {
            report.effect_size = gates.effect.as_ref().map(|e| e.value);
        }
        report.gates = Some(gates);
    }
    // Evidently's methods at scale score with the effect measure itself:
    // don't compute it twice (a second pass over millions of values).
    if report.effect_size.is_none() {
        report.effect_size = match report.score {
            Some(score) if method.measures_effect(numerical) => Some(score),
            _ => stats::effect_size(sample).ok(),
        };
    }
    Ok(())
}

/// The default decision's gates for one column (before the correction
/// across columns, which `correct` applies to the test gate).
fn two_gates(
    method: Method,
    score: f64,
    threshold: f64,
    numerical: bool,
    sample: Sample<'_>,
    reference_in_order: Option<&[f64]>,
    s: &AnalysisSettings,
) -> Gates {
    if method.score_kind() == ScoreKind::Distance {
        // A distance method chosen by the user is its own (single) gate.
        return Gates {
            test: None,
            effect: Some(EffectGate {
                measure: method.name().to_string(),
                value: score,
                floor: threshold,
                threshold,
                calibrated: None,
                passed: method.drifted(score, threshold),
            }),
        };
    }
    let measure = EffectMeasure::for_test(numerical, method);
    let floor = s.min_effect.unwrap_or(match measure {
        EffectMeasure::TrimmedWasserstein => super::preset::NUMERICAL_FLOOR,
        EffectMeasure::Tvd => super::preset::CATEGORICAL_FLOOR,
    });
    let calibrated = s.calibrate.and_then(|chunks| {
        let nulls = match sample {
            Sample::Numerical { reference, .. } => match reference_in_order {
                Some(in_order) if in_order.len() == reference.len() => {
                    super::calibrate::numerical_nulls(in_order, reference, chunks, measure)
                }
                // Numbers parsed from labels keep no file order to chunk.
                _ => Vec::new(),
            },
            Sample::Categorical(counts) => super::calibrate::categorical_nulls(
                &counts.reference,
                chunks,
                s.method_options.seed,
            ),
        };
        super::calibrate::quantile(&nulls, super::calibrate::QUANTILE)
    });
    let effect = stats::robust_effect(measure, sample).ok().map(|value| {
        let threshold = calibrated.map_or(floor, |c| c.max(floor));
        EffectGate {
            measure: EffectGate::of_measure(measure),
            value,
            floor,
            threshold,
            calibrated,
            passed: value >= threshold,
        }
    });
    Gates {
        test: Some(TestGate {
            method,
            p_value: score,
            p_value_adjusted: None,
            alpha: threshold,
            passed: method.drifted(score, threshold),
        }),
        effect,
    }
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
