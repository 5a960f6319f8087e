//! Which numbers of a report built from profiles are exact, and the bounds
//! of those that are not. Pure: the report and both profiles in, the
//! report annotated (`ColumnReport::exactness`) out.
//!
//! - Labels, and numbers with exact value counts (at most
//!   [`MAX_EXACT_VALUES`](super::MAX_EXACT_VALUES) distinct): the report
//!   sees the data's own multiset, so every method is exact (the report
//!   sorts values before any method, so seeded subsamples and permutations
//!   see the same input too).
//! - Numbers kept as buckets: `t_test` and `welch` are recomputed from the
//!   exact moments; `ks` and `wasserstein` carry a proven interval; the
//!   other methods are approximate (values moved within their bucket, at
//!   most 2^-10 of their magnitude; n kept, so p-values do not swing as
//!   sample-based ones do).

use super::dataset::numbers;
use super::{NumberSummary, Profile, Summary};
use crate::report::model::{ColumnKind, ColumnReport, Exactness, Report, Sides};
use crate::stats::describe::population_std;
use crate::stats::kolmogorov::asymptotic_two_sample_sf;
use crate::stats::ttest::{self, Moments};
use crate::stats::Method;

/// Adds each compared column's exactness to a report built from the two
/// profiles (`to_dataset`).
pub fn annotate(report: &mut Report, reference: &Profile, current: &Profile) {
    for column in report.columns.iter_mut() {
        let find = |p: &Profile| {
            p.columns
                .iter()
                .find(|c| c.name == column.name)
                .map(|c| c.summary.clone())
        };
        let (Some(r), Some(c)) = (find(reference), find(current)) else {
            continue;
        };
        if column.method.is_none() {
            continue;
        }
        column.exactness = Some(column_exactness(column, &r, &c));
    }
}

fn exact(basis: &'static str) -> Exactness {
    Exactness {
        approximate: false,
        basis,
        sample_size: None,
        statistic_range: None,
        score_range: None,
    }
}

fn approximate(basis: &'static str) -> Exactness {
    Exactness {
        approximate: true,
        ..exact(basis)
    }
}

fn column_exactness(column: &mut ColumnReport, r: &Summary, c: &Summary) -> Exactness {
    let method = column.method.expect("checked by the caller");
    match (r, c) {
        (Summary::Labels(a), Summary::Labels(b)) => {
            if a.other + b.other > 0 {
                approximate("labels_capped")
            } else {
                exact("labels")
            }
        }
        (Summary::Numbers(a), Summary::Numbers(b)) => {
            if a.exact.is_some() && b.exact.is_some() {
                // The same multiset; the report sorts values before every
                // method, so even `empirical_mmd`'s seeded subsample and
                // permutations see the same input.
                exact("values")
            } else if column.kind == ColumnKind::Numerical {
                bucketed(column, method, a, b)
            } else {
                approximate("buckets")
            }
        }
        _ => approximate("mixed"),
    }
}

fn bucketed(
    column: &mut ColumnReport,
    method: Method,
    a: &NumberSummary,
    b: &NumberSummary,
) -> Exactness {
    let (n, m) = (a.count, b.count);
    match method {
        Method::TTest | Method::Welch => moments_test(column, method, a, b),
        Method::Ks if n > 0 && m > 0 => {
            let bound = ks_bound(a, b);
            let d = column.statistic.unwrap_or(0.0);
            let (lo, hi) = ((d - bound).max(0.0), (d + bound).min(1.0));
            Exactness {
                statistic_range: Some([lo, hi]),
                score_range: Some([
                    asymptotic_two_sample_sf(n, m, hi).clamp(0.0, 1.0),
                    asymptotic_two_sample_sf(n, m, lo).clamp(0.0, 1.0),
                ]),
                ..approximate("buckets")
            }
        }
        Method::Wasserstein if n > 0 && m > 0 => {
            let sigma_true = a.population_std().max(0.001);
            let sigma_rec = population_std(&numbers(a)).max(0.001);
            let w1 = column.score.unwrap_or(0.0) * sigma_rec;
            let bound = area_bound(a) + area_bound(b);
            let range = [
                (w1 - bound).max(0.0) / sigma_true,
                (w1 + bound) / sigma_true,
            ];
            Exactness {
                statistic_range: Some(range),
                score_range: Some(range),
                ..approximate("buckets")
            }
        }
        _ => Exactness {
            sample_size: Some(Sides {
                reference: n as usize,
                current: m as usize,
            }),
            ..approximate("buckets")
        },
    }
}

/// The share of a side's values moved inside the bucket `b` (its min and
/// max are kept; one or two values, or one repeated value, are rebuilt as
/// they were): how far the rebuilt ECDF can be from the data's inside it.
fn moved(b: &super::Bucket, n: u64) -> f64 {
    if b.count > 2 && b.min < b.max {
        (b.count - 2) as f64 / n as f64
    } else {
        0.0
    }
}

/// How far the rebuilt KS statistic can be from the data's: both ECDFs are
/// exact outside the buckets' [min, max] ranges, and buckets of different
/// keys do not overlap, so the largest sum over one key of both sides'
/// moved shares.
pub(super) fn ks_bound(a: &NumberSummary, b: &NumberSummary) -> f64 {
    let mut per_key: std::collections::BTreeMap<u64, f64> = Default::default();
    for (side, n) in [(a, a.count), (b, b.count)] {
        for bucket in &side.buckets {
            *per_key.entry(bucket.key).or_insert(0.0) += moved(bucket, n);
        }
    }
    per_key.into_values().fold(0.0, f64::max)
}

/// How far the area between the rebuilt ECDF and the data's can be: the
/// Wasserstein distance between the data's values and the rebuilt ones.
/// In a bucket, the k - 2 moved values x_i all became their mean m, so
/// they add sum |x_i - m| / n <= (k - 2) sqrt(var) / n (Cauchy-Schwarz),
/// var from the bucket's sums (plus a rounding allowance), and never more
/// than the bucket's width times (k - 2) / n.
pub(super) fn area_bound(s: &NumberSummary) -> f64 {
    if s.count == 0 {
        return 0.0;
    }
    s.buckets
        .iter()
        .filter(|b| b.count > 2 && b.min < b.max)
        .map(|b| {
            let inner = (b.count - 2) as f64;
            let mean = (b.sum - b.min - b.max) / inner;
            let mean_sq = (b.sum_sq - b.min * b.min - b.max * b.max) / inner;
            // Each of the k additions into sum_sq rounds by at most an
            // ulp of the total: allow 4 k epsilon of it.
            let slack = 4.0 * b.count as f64 * f64::EPSILON * b.sum_sq.abs() / inner;
            let spread = ((mean_sq - mean * mean).max(0.0) + slack).sqrt();
            spread.min(b.max - b.min) * inner / s.count as f64
        })
        .sum()
}

/// `t_test` / `welch` from the profiles' exact moments. The score is
/// replaced when the verdict stays; a change of verdict (the rebuilt
/// values' p-value and the exact one on either side of the threshold, or
/// an adjusted p-value computed from the rebuilt one) keeps the report
/// consistent and gives both as the range.
fn moments_test(
    column: &mut ColumnReport,
    method: Method,
    a: &NumberSummary,
    b: &NumberSummary,
) -> Exactness {
    let side = |s: &NumberSummary| Moments {
        n: s.count as f64,
        mean: s.mean,
        variance: s.sample_variance(),
    };
    let result = if method == Method::TTest {
        ttest::student_from(side(a), side(b))
    } else {
        ttest::welch_from(side(a), side(b))
    };
    let (Ok(exact_result), Some(old), Some(threshold)) = (result, column.score, column.threshold)
    else {
        return approximate("buckets");
    };
    let p = exact_result.p_value;
    let same_verdict = method.drifted(p, threshold) == method.drifted(old, threshold);
    if same_verdict && column.p_value_adjusted.is_none() {
        column.score = Some(p);
        column.statistic = Some(exact_result.statistic);
        exact("moments")
    } else {
        Exactness {
            score_range: Some([old.min(p), old.max(p)]),
            ..approximate("buckets")
        }
    }
}
