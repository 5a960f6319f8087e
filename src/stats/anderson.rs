//! The k-sample Anderson-Darling test for two samples, as
//! `scipy.stats.anderson_ksamp([reference, current])` computes it by
//! default (midrank statistic, significance level interpolated from Scholz
//! and Stephens' table). Pure: no IO, no clock, no printing.

use super::binning::non_empty;
use super::ranks::pooled_runs;
use super::StatsError;

/// What `anderson_ksamp` reports for two samples.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AndersonResult {
    /// The normalised statistic `(A2akN - (k - 1)) / sigma`.
    pub statistic: f64,
    /// Approximate p-value, interpolated from the critical values and
    /// clipped to [0.001, 0.25].
    pub significance_level: f64,
    /// The statistic fell outside the critical values, so the significance
    /// level is only a bound (the true p-value is above 0.25 or below 0.001).
    pub capped: bool,
}

/// Significance levels of scipy's critical-value table.
const SIGNIFICANCE: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/// Scholz and Stephens (1987), Table 2: the critical value at each level is
/// `b0 + b1 / sqrt(m) + b2 / m` for `m = k - 1` (here 1).
const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

/// `scipy.stats.anderson_ksamp([reference, current])`: the midrank statistic
/// A2akN of Scholz and Stephens (their eq. 7) standardised, and its
/// significance level.
///
/// Undefined, as in scipy, with fewer than two distinct pooled values, and
/// with fewer than 4 values in total (scipy's variance formula divides by
/// `(N-1)(N-2)(N-3)` and returns NaN or fails there).
pub fn anderson_ksamp(reference: &[f64], current: &[f64]) -> Result<AndersonResult, StatsError> {
    non_empty(reference, current)?;
    let total = reference.len() + current.len();
    if total < 4 {
        return Err(StatsError::Undefined(
            "`anderson` needs at least 4 values in both samples together".to_string(),
        ));
    }
    let Some(a2akn) = midrank_statistic(reference, current) else {
        return Err(StatsError::Undefined(
            "`anderson` needs at least two distinct values in both samples together".to_string(),
        ));
    };
    let statistic = (a2akn - 1.0) / variance(reference.len(), current.len()).sqrt();
    Ok(significance(statistic))
}

/// `_anderson_ksamp_midrank` for k = 2, one pass over the pooled runs
/// instead of a `searchsorted` per distinct value per sample. For each
/// distinct value z_j: `l_j` ties, `B_j` = pooled values below + `l_j / 2`,
/// and per sample `M_ij` = its values below + half its ties at z_j. `None`
/// when all pooled values are equal.
fn midrank_statistic(reference: &[f64], current: &[f64]) -> Option<f64> {
    let big_n = (reference.len() + current.len()) as f64;
    let sizes = [reference.len() as f64, current.len() as f64];
    let (mut inner, mut distinct) = ([0.0f64; 2], 0usize);
    for run in pooled_runs(reference, current) {
        distinct += 1;
        let l = run.pooled() as f64;
        let b = run.pooled_below() as f64 + l / 2.0;
        let denominator = b * (big_n - b) - big_n * l / 4.0;
        let m = [
            run.reference_below as f64 + run.reference as f64 / 2.0,
            run.current_below as f64 + run.current as f64 / 2.0,
        ];
        for i in 0..2 {
            let deviation = big_n * m[i] - b * sizes[i];
            inner[i] += l / big_n * deviation * deviation / denominator;
        }
    }
    (distinct >= 2).then(|| (inner[0] / sizes[0] + inner[1] / sizes[1]) * (big_n - 1.0) / big_n)
}

/// The variance of A2kN under the null (Scholz and Stephens, eq. 4), with
/// `H = sum 1/n_i`, `h = sum_{i<N} 1/i` and `g = sum_{i<N-1} sum_{j>i}
/// 1/((N-i) j)` built the way scipy builds them from one running sum.
/// Needs N >= 4.
fn variance(n1: usize, n2: usize) -> f64 {
    let big_n = n1 + n2;
    let k = 2.0f64;
    let h_sizes = 1.0 / n1 as f64 + 1.0 / n2 as f64;
    // hs_cs = cumsum(1 / [N-1, N-2, ..., 2]); g = sum(hs_cs / [2, ..., N-1]).
    let (mut hs_cs, mut g) = (0.0f64, 0.0f64);
    for (t, i) in (2..big_n).rev().enumerate() {
        hs_cs += 1.0 / i as f64;
        g += hs_cs / (t + 2) as f64;
    }
    let h = hs_cs + 1.0;
    let a = (4.0 * g - 6.0) * (k - 1.0) + (10.0 - 6.0 * g) * h_sizes;
    let b = (2.0 * g - 4.0) * k * k + 8.0 * h * k + (2.0 * g - 14.0 * h - 4.0) * h_sizes - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * k * k
        + (4.0 * h - 4.0 * g + 6.0) * k
        + (2.0 * h - 6.0) * h_sizes
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * k * k - 4.0 * h * k;
    let n = big_n as f64;
    (a * n.powi(3) + b * n * n + c * n + d) / ((n - 1.0) * (n - 2.0) * (n - 3.0))
}

/// scipy's p-value for the standardised statistic: capped at 0.25 below the
/// smallest critical value, floored at 0.001 above the largest, otherwise
/// `exp` of a quadratic least-squares fit of `log(significance)` on the
/// critical values (`np.polyfit(critical, log(sig), 2)`).
fn significance(statistic: f64) -> AndersonResult {
    let critical: [f64; 7] = std::array::from_fn(|i| B0[i] + B1[i] + B2[i]);
    let (lowest, highest) = (critical[0], critical[6]);
    let (significance_level, capped) = if statistic < lowest {
        (SIGNIFICANCE[0], true)
    } else if statistic > highest {
        (SIGNIFICANCE[6], true)
    } else {
        let [c2, c1, c0] = quadratic_fit(&critical, &SIGNIFICANCE.map(f64::ln));
        (((c2 * statistic + c1) * statistic + c0).exp(), false)
    };
    AndersonResult {
        statistic,
        significance_level,
        capped,
    }
}

/// Least-squares coefficients `[c2, c1, c0]` of `y ~ c2 x^2 + c1 x + c0`
/// (highest power first, as `np.polyfit`), from the normal equations. The
/// 7 points are fixed and well spread, so this agrees with numpy's SVD
/// solution far below the tolerances that matter here.
fn quadratic_fit(x: &[f64], y: &[f64]) -> [f64; 3] {
    // Power sums s[p] = sum x^p and moments t[p] = sum x^p y.
    let (mut s, mut t) = ([0.0f64; 5], [0.0f64; 3]);
    for (&xi, &yi) in x.iter().zip(y) {
        let mut power = 1.0;
        for p in 0..5 {
            s[p] += power;
            if p < 3 {
                t[p] += power * yi;
            }
            power *= xi;
        }
    }
    // Unknowns ordered [c0, c1, c2]; Gaussian elimination with partial
    // pivoting on the 3x3 system.
    let mut m = [
        [s[0], s[1], s[2], t[0]],
        [s[1], s[2], s[3], t[1]],
        [s[2], s[3], s[4], t[2]],
    ];
    for col in 0..3 {
        let pivot = (col..3)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .unwrap_or(col);
        m.swap(col, pivot);
        for row in col + 1..3 {
            let factor = m[row][col] / m[col][col];
            let pivot_row = m[col];
            for (entry, pivot) in m[row].iter_mut().zip(pivot_row).skip(col) {
                *entry -= factor * pivot;
            }
        }
    }
    let mut c = [0.0f64; 3];
    for row in (0..3).rev() {
        let known: f64 = (row + 1..3).map(|k| m[row][k] * c[k]).sum();
        c[row] = (m[row][3] - known) / m[row][row];
    }
    [c[2], c[1], c[0]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_result::fixture::{assert_p_value, assert_statistic, load};
    use crate::stats::Side;

    #[test]
    fn matches_scipy_anderson_ksamp() {
        let reference = load();
        let mut interpolated = 0;
        for case in &reference.cases {
            let what = format!("{} (scipy {})", case.name, reference.scipy);
            let got = anderson_ksamp(&case.reference, &case.current);
            match (got, &case.expected.anderson) {
                (Ok(got), Some(want)) => {
                    assert_statistic(&what, got.statistic, want.statistic);
                    assert_p_value(&what, got.significance_level, want.significance_level);
                    assert_eq!(got.capped, want.capped, "{what}: capped");
                    interpolated += usize::from(!want.capped);
                }
                (Err(StatsError::Undefined(_)), None) => {}
                (got, want) => panic!("{what}: got {got:?}, scipy defined: {}", want.is_some()),
            }
        }
        assert!(
            interpolated >= 5,
            "too few interpolated cases: {interpolated}"
        );
    }

    #[test]
    fn symmetric_in_its_arguments() {
        for case in load().cases {
            if let (Ok(ab), Ok(ba)) = (
                anderson_ksamp(&case.reference, &case.current),
                anderson_ksamp(&case.current, &case.reference),
            ) {
                assert!((ab.statistic - ba.statistic).abs() < 1e-9, "{}", case.name);
                assert_eq!(
                    ab.significance_level, ba.significance_level,
                    "{}",
                    case.name
                );
            }
        }
    }

    #[test]
    fn interpolation_is_continuous_at_the_caps() {
        // The fitted curve passes close to the table's end points.
        let critical: [f64; 7] = std::array::from_fn(|i| B0[i] + B1[i] + B2[i]);
        let low = significance(critical[0]).significance_level;
        let high = significance(critical[6]).significance_level;
        assert!((low - 0.25).abs() < 0.02, "{low}");
        assert!((high - 0.001).abs() < 0.0005, "{high}");
        assert!(significance(critical[0] - 1e-9).capped);
        assert!(!significance(critical[0]).capped);
    }

    #[test]
    fn edge_cases() {
        assert_eq!(
            anderson_ksamp(&[], &[1.0]),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(
            anderson_ksamp(&[1.0], &[]),
            Err(StatsError::Empty(Side::Current))
        );
        assert_eq!(
            anderson_ksamp(&[1.0, 1.0], &[1.0, 1.0, 1.0])
                .unwrap_err()
                .to_string(),
            "`anderson` needs at least two distinct values in both samples together"
        );
        let err = anderson_ksamp(&[1.0], &[2.0, 3.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`anderson` needs at least 4 values in both samples together"
        );
    }
}
