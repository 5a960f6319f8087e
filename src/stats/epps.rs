//! The Epps-Singleton two-sample test, as
//! `scipy.stats.epps_singleton_2samp(reference, current)` with its default
//! points t = (0.4, 0.8): it compares the empirical characteristic functions
//! of the two samples. Pure: no IO, no clock, no printing.

use std::f64::consts::PI;

use statrs::function::erf::erfc;

use super::binning::non_empty;
use super::describe::distinct_union_sorted;
use super::test_result::TestResult;
use super::StatsError;

/// scipy's default evaluation points, before scaling by the semi-IQR.
const T: [f64; 2] = [0.4, 0.8];

/// Dimension of the characteristic-function vector: cos and sin at each t.
const DIM: usize = 2 * T.len();

/// When both sides have fewer values than this, W gets Epps and
/// Singleton's (1986) small-sample correction.
const CORRECTION_BELOW: usize = 25;

/// `scipy.stats.epps_singleton_2samp(reference, current)`: with `g(x) =
/// (cos t1 x, cos t2 x, sin t1 x, sin t2 x)` for `t = (0.4, 0.8) / (IQR / 2)`
/// of the pooled data, `W = n d' S^+ d` where `d` is the difference of the
/// samples' mean `g` and `S = (n/nx) cov_x + (n/ny) cov_y` (biased
/// covariances). Below 25 values on both sides W is shrunk by Epps and
/// Singleton's small-sample factor; the p-value is the chi-square tail with
/// `rank(S)` degrees of freedom.
///
/// One deliberate difference: with d <= 4 distinct pooled values S has rank
/// at most d - 1, and rounding noise can push a null eigenvalue just over
/// numpy's `pinv` cutoff (1e-15 of the largest), giving scipy a
/// noise-dependent rank; here the rank is capped at d - 1.
///
/// Undefined with fewer than 5 values on a side (scipy returns NaN), when
/// the pooled IQR is 0 (scipy fails), and when both samples are constant
/// (S is 0; scipy reports rounding noise).
pub fn epps_singleton(reference: &[f64], current: &[f64]) -> Result<TestResult, StatsError> {
    non_empty(reference, current)?;
    debug_assert!(
        reference.is_sorted() && current.is_sorted(),
        "inputs must be sorted"
    );
    let (nx, ny) = (reference.len(), current.len());
    if nx < 5 || ny < 5 {
        return Err(StatsError::Undefined(
            "`es` needs at least 5 values in each sample".to_string(),
        ));
    }
    let iqr = pooled_quantile(reference, current, 0.75) - pooled_quantile(reference, current, 0.25);
    if iqr <= 0.0 {
        return Err(StatsError::Undefined(
            "`es` needs spread: the interquartile range of the pooled data is 0".to_string(),
        ));
    }
    let constant = |side: &[f64]| side[0] == side[side.len() - 1];
    if constant(reference) && constant(current) {
        return Err(StatsError::Undefined(
            "`es` needs spread within a sample: both samples are constant".to_string(),
        ));
    }
    let ts = T.map(|t| t / (iqr / 2.0));
    let (x, y) = (Moments::of(reference, ts), Moments::of(current, ts));
    let (nx, ny, n) = (nx as f64, ny as f64, (nx + ny) as f64);
    let covariance: [[f64; DIM]; DIM] = std::array::from_fn(|i| {
        std::array::from_fn(|j| n / nx * x.covariance[i][j] + n / ny * y.covariance[i][j])
    });
    let difference: [f64; DIM] = std::array::from_fn(|i| x.mean[i] - y.mean[i]);

    // W = n d' pinv(S) d through the eigendecomposition of S, keeping the
    // eigenvalues numpy's pinv keeps (|lambda| > 1e-15 max |lambda|), at
    // most d - 1 of them.
    let (values, vectors) = symmetric_eigen(covariance);
    let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let max_rank = distinct_union_sorted(reference, current, DIM + 1) - 1;
    let mut order: Vec<usize> = (0..DIM).collect();
    order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()));
    let kept: Vec<usize> = order
        .into_iter()
        .filter(|&k| values[k].abs() > 1e-15 * largest)
        .take(max_rank)
        .collect();
    if kept.is_empty() {
        return Err(StatsError::Undefined(
            "`es` needs spread within a sample: both samples are constant".to_string(),
        ));
    }
    let quadratic: f64 = kept
        .iter()
        .map(|&k| {
            let projection: f64 = (0..DIM).map(|i| vectors[i][k] * difference[i]).sum();
            projection * projection / values[k]
        })
        .sum();
    let mut statistic = n * quadratic;
    if reference.len().max(current.len()) < CORRECTION_BELOW {
        statistic /= 1.0 + n.powf(-0.45) + 10.1 * (nx.powf(-1.7) + ny.powf(-1.7));
    }
    Ok(TestResult {
        statistic,
        p_value: chi2_sf(kept.len(), statistic),
    })
}

/// Mean and biased covariance of `g(x)` over one sample, in two passes
/// (the trigonometric functions are recomputed rather than stored, so a
/// million values need no extra memory).
struct Moments {
    mean: [f64; DIM],
    covariance: [[f64; DIM]; DIM],
}

impl Moments {
    fn of(values: &[f64], ts: [f64; 2]) -> Moments {
        let g = |x: f64| {
            let (s1, c1) = (ts[0] * x).sin_cos();
            let (s2, c2) = (ts[1] * x).sin_cos();
            [c1, c2, s1, s2]
        };
        let n = values.len() as f64;
        let mut mean = [0.0; DIM];
        for &x in values {
            for (m, v) in mean.iter_mut().zip(g(x)) {
                *m += v;
            }
        }
        mean = mean.map(|m| m / n);
        // Upper triangle of the sum of centred outer products.
        let mut sums = [[0.0; DIM]; DIM];
        for &x in values {
            let v = g(x);
            let centred: [f64; DIM] = std::array::from_fn(|i| v[i] - mean[i]);
            for (i, row) in sums.iter_mut().enumerate() {
                for (sum, c) in row.iter_mut().zip(centred).skip(i) {
                    *sum += centred[i] * c;
                }
            }
        }
        let covariance =
            std::array::from_fn(|i| std::array::from_fn(|j| sums[i.min(j)][i.max(j)] / n));
        Moments { mean, covariance }
    }
}

/// The `q` quantile of both sorted samples pooled, with numpy's default
/// linear interpolation (`np.percentile`, including its `_lerp`, which
/// interpolates from the upper end when the fraction is >= 0.5).
fn pooled_quantile(a: &[f64], b: &[f64], q: f64) -> f64 {
    let n = a.len() + b.len();
    let position = q * (n - 1) as f64;
    let lower = position.floor() as usize;
    let fraction = position - lower as f64;
    let (low, high) = (
        pooled_order_statistic(a, b, lower),
        pooled_order_statistic(a, b, (lower + 1).min(n - 1)),
    );
    let span = high - low;
    if fraction >= 0.5 {
        high - span * (1.0 - fraction)
    } else {
        low + span * fraction
    }
}

/// The `k`-th smallest (0-based) value of two sorted slices together, by
/// binary search on how many of the `k + 1` smallest come from `a`; no
/// merged copy.
fn pooled_order_statistic(a: &[f64], b: &[f64], k: usize) -> f64 {
    let (mut lo, mut hi) = ((k + 1).saturating_sub(b.len()), (k + 1).min(a.len()));
    while lo < hi {
        let i = (lo + hi) / 2;
        let j = k + 1 - i;
        // Take more from `a` while its next value is below b's last taken.
        if a[i] < b[j - 1] {
            lo = i + 1;
        } else {
            hi = i;
        }
    }
    let j = k + 1 - lo;
    let from_a = lo.checked_sub(1).map(|i| a[i]);
    let from_b = j.checked_sub(1).map(|j| b[j]);
    match (from_a, from_b) {
        (Some(x), Some(y)) => x.max(y),
        (Some(x), None) => x,
        (None, Some(y)) => y,
        (None, None) => unreachable!("k + 1 >= 1 values are taken"),
    }
}

/// Eigenvalues and eigenvectors (as columns) of a small symmetric matrix by
/// cyclic Jacobi rotations (`eigen::symmetric_eigen`), which are accurate to
/// rounding relative to the largest eigenvalue, as numpy's SVD-based `pinv`
/// is.
fn symmetric_eigen(a: [[f64; DIM]; DIM]) -> ([f64; DIM], [[f64; DIM]; DIM]) {
    let flat: Vec<f64> = a.iter().flatten().copied().collect();
    let (values, vectors) = super::eigen::symmetric_eigen(flat, DIM);
    (
        std::array::from_fn(|i| values[i]),
        std::array::from_fn(|i| std::array::from_fn(|j| vectors[i * DIM + j])),
    )
}

/// The chi-square survival function `scipy.special.chdtrc(df, x)` for the
/// df this test can have (1 to 4), in closed form: `Q(1) = erfc(sqrt(x/2))`,
/// `Q(2) = exp(-x/2)`, and `Q(k + 2) = Q(k) + (x/2)^(k/2) exp(-x/2) /
/// Gamma(k/2 + 1)`. Exact in the far tail, where W runs into the thousands.
fn chi2_sf(df: usize, x: f64) -> f64 {
    debug_assert!((1..=DIM).contains(&df));
    let half = x / 2.0;
    match df {
        1 => erfc(half.sqrt()),
        2 => (-half).exp(),
        3 => chi2_sf(1, x) + 2.0 * (half / PI).sqrt() * (-half).exp(),
        _ => (-half).exp() * (1.0 + half),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_result::fixture::{assert_p_value, assert_statistic, load};
    use crate::stats::Side;

    #[test]
    fn matches_scipy_epps_singleton_2samp() {
        let reference = load();
        let (mut corrected, mut uncorrected) = (0, 0);
        for case in &reference.cases {
            let what = format!("{} (scipy {})", case.name, reference.scipy);
            match (
                epps_singleton(&case.reference, &case.current),
                &case.expected.epps_singleton,
            ) {
                (Ok(got), Some(want)) => {
                    assert_statistic(&what, got.statistic, want.statistic);
                    assert_p_value(&what, got.p_value, want.p_value);
                    if want.corrected {
                        corrected += 1;
                    } else {
                        uncorrected += 1;
                    }
                    assert!(want.rank >= 1);
                }
                (Err(StatsError::Undefined(_)), None) => {}
                (got, want) => panic!("{what}: got {got:?}, scipy defined: {}", want.is_some()),
            }
        }
        assert!(
            corrected >= 3 && uncorrected >= 3,
            "{corrected} / {uncorrected}"
        );
    }

    #[test]
    fn chi2_tail_matches_scipy_chdtrc() {
        for [df, x, want] in load().chi2_sf {
            assert_p_value(&format!("df={df} x={x}"), chi2_sf(df as usize, x), want);
        }
    }

    #[test]
    fn pooled_quantiles_match_a_merged_copy() {
        let a = [0.0, 1.0, 1.0, 4.0, 9.0];
        let b = [-2.0, 1.0, 3.0, 3.5];
        let mut merged: Vec<f64> = a.iter().chain(&b).copied().collect();
        merged.sort_by(f64::total_cmp);
        for (k, &want) in merged.iter().enumerate() {
            assert_eq!(pooled_order_statistic(&a, &b, k), want, "k={k}");
            assert_eq!(pooled_order_statistic(&b, &a, k), want, "k={k}");
        }
        assert_eq!(pooled_order_statistic(&[], &b, 2), 3.0);
        // np.percentile([-2, 0, 1, 1, 1, 3, 3.5, 4, 9], [25, 75]) = [1, 3.5].
        assert_eq!(pooled_quantile(&a, &b, 0.25), 1.0);
        assert_eq!(pooled_quantile(&a, &b, 0.75), 3.5);
    }

    #[test]
    fn eigen_decomposition_reconstructs() {
        let m = [
            [4.0, 1.0, 0.5, 0.0],
            [1.0, 3.0, 0.2, 0.1],
            [0.5, 0.2, 2.0, 0.3],
            [0.0, 0.1, 0.3, 1.0],
        ];
        let (values, vectors) = symmetric_eigen(m);
        for i in 0..DIM {
            for j in 0..DIM {
                let r: f64 = (0..DIM)
                    .map(|k| vectors[i][k] * values[k] * vectors[j][k])
                    .sum();
                assert!((r - m[i][j]).abs() < 1e-14, "{i},{j}");
            }
        }
    }

    #[test]
    fn symmetric_in_its_arguments() {
        for case in load().cases {
            if let (Ok(ab), Ok(ba)) = (
                epps_singleton(&case.reference, &case.current),
                epps_singleton(&case.current, &case.reference),
            ) {
                let tolerance = 1e-9 * ab.statistic.max(1.0);
                assert!(
                    (ab.statistic - ba.statistic).abs() < tolerance,
                    "{}",
                    case.name
                );
            }
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(
            epps_singleton(&[], &[1.0]),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(
            epps_singleton(&[1.0], &[]),
            Err(StatsError::Empty(Side::Current))
        );
        let five = [1.0, 2.0, 3.0, 4.0, 5.0];
        let err = epps_singleton(&five, &five[..4]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`es` needs at least 5 values in each sample"
        );
        let err = epps_singleton(&[0.0; 6], &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`es` needs spread: the interquartile range of the pooled data is 0"
        );
        let r = epps_singleton(&five, &five).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert_eq!(r.p_value, 1.0);
    }
}
