//! Midranks of two pooled samples, and the rank-sum test built on them
//! (Mann-Whitney U, as `scipy.stats.mannwhitneyu`). Pure: no IO, no clock,
//! no printing.
//!
//! Inputs are finite and sorted ascending, so the pooled ranks come from one
//! merge: each distinct value is a run of ties with a known count on each
//! side and a known number of pooled values below it. The rank-based tests
//! (`cramer`, `anderson`) and the ECDF distance in `energy` walk the same
//! runs.

use statrs::function::erf::erfc;

use super::binning::{merged_runs, non_empty};
use super::test_result::TestResult;
use super::StatsError;

/// One distinct value of the pooled sample: how often it occurs on each
/// side, and how many values of each side are smaller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Run {
    pub value: f64,
    pub reference: usize,
    pub current: usize,
    pub reference_below: usize,
    pub current_below: usize,
}

impl Run {
    /// Ties in the pooled sample at this value.
    pub fn pooled(&self) -> usize {
        self.reference + self.current
    }

    /// Pooled values smaller than this one.
    pub fn pooled_below(&self) -> usize {
        self.reference_below + self.current_below
    }

    /// Twice the (1-based) midrank every tied value here gets: an integer,
    /// so rank sums over millions of values stay exact.
    pub fn doubled_midrank(&self) -> u64 {
        (2 * self.pooled_below() + self.pooled() + 1) as u64
    }
}

/// The distinct values of `reference` and `current` pooled, ascending, each
/// with its counts (one merge, O(n)). `-0.0` and `0.0` are one value, as in
/// `np.unique`.
pub(crate) fn pooled_runs<'a>(
    reference: &'a [f64],
    current: &'a [f64],
) -> impl Iterator<Item = Run> + 'a {
    debug_assert!(reference.is_sorted(), "reference must be sorted");
    debug_assert!(current.is_sorted(), "current must be sorted");
    let (mut reference_below, mut current_below) = (0, 0);
    merged_runs(reference, current).map(move |(value, in_reference, in_current)| {
        let run = Run {
            value,
            reference: in_reference,
            current: in_current,
            reference_below,
            current_below,
        };
        reference_below += in_reference;
        current_below += in_current;
        run
    })
}

/// The two-sided Mann-Whitney U test, `scipy.stats.mannwhitneyu(reference,
/// current)` with its defaults (`use_continuity=True`, `method='auto'`).
/// The statistic is scipy's `U1`, the U of `reference`.
///
/// As scipy 1.18 chooses: the exact null distribution when one side has at
/// most 8 values and there are no ties, else the normal approximation with
/// tie and continuity corrections.
///
/// Undefined when every pooled value is the same (the normal approximation's
/// variance is 0; scipy returns NaN).
pub fn mann_whitney(reference: &[f64], current: &[f64]) -> Result<TestResult, StatsError> {
    non_empty(reference, current)?;
    let (n1, n2) = (reference.len() as u128, current.len() as u128);
    // Step 1-3 of scipy's "method 2": R1 from midranks, U1 = R1 - n1(n1+1)/2.
    let (mut doubled_r1, mut tie_term, mut ties) = (0u128, 0.0f64, false);
    for run in pooled_runs(reference, current) {
        doubled_r1 += run.reference as u128 * run.doubled_midrank() as u128;
        let t = run.pooled() as f64;
        tie_term += t * t * t - t;
        ties |= run.pooled() > 1;
    }
    let doubled_u1 = doubled_r1 - n1 * (n1 + 1);
    let u1 = doubled_u1 as f64 / 2.0;

    // `_mwu_choose_method`.
    let exact = (n1 <= 8 || n2 <= 8) && !ties;
    let p_value = if exact {
        // No ties, so U1 is a whole number.
        let u1 = (doubled_u1 / 2) as u64;
        exact_p_value(u1, n1 as u64, n2 as u64)
    } else {
        asymptotic_p_value(u1, n1 as f64, n2 as f64, tie_term)?
    };
    Ok(TestResult {
        statistic: u1,
        p_value,
    })
}

/// scipy's `_MWU.sf(max(U1, U2))` doubled and clipped to 1: with `U =
/// max(U1, U2)`, the mass of the null distribution at or below
/// `n1 n2 - U`, times two.
fn exact_p_value(u1: u64, n1: u64, n2: u64) -> f64 {
    let u = u1.max(n1 * n2 - u1);
    let below = n1 * n2 - u;
    let counts = u_counts(n1.min(n2) as usize, n1.max(n2) as usize, below as usize);
    let total: f64 = binomial(n1 + n2, n1.min(n2));
    (2.0 * counts.iter().sum::<f64>() / total).min(1.0)
}

/// How many arrangements of `m` reference and `n` current values (m <= n,
/// no ties) give each U from 0 to `max_u`.
///
/// These are the coefficients of the Gaussian binomial `[m+n choose m]_q`,
/// built as `prod_{j=1..m} (1 - q^(n+j)) / (1 - q^j)`, one factor at a time
/// so every stage is itself a Gaussian binomial (non-negative counts): a
/// division by `1 - q^j` is a running sum with stride `j`, a multiplication
/// by `1 - q^k` a shifted subtraction. O(m * max_u) rather than scipy's
/// O(max_u^2) recurrence, so 8 values against a million stay fast; counts
/// are f64 (exact below 2^53, as scipy's uint64, and to rounding beyond,
/// where scipy also switches to floats).
fn u_counts(m: usize, n: usize, max_u: usize) -> Vec<f64> {
    let mut counts = vec![0.0; max_u + 1];
    counts[0] = 1.0;
    for j in 1..=m {
        for u in j..=max_u {
            counts[u] += counts[u - j];
        }
        let k = n + j;
        for u in (k..=max_u).rev() {
            counts[u] -= counts[u - k];
        }
    }
    counts
}

/// `C(n, k)` in floating point, as `scipy.special.binom`.
fn binomial(n: u64, k: u64) -> f64 {
    (1..=k).fold(1.0, |acc, i| acc * (n - k + i) as f64 / i as f64)
}

/// scipy 1.18's `_get_mwu_z` and `_get_pvalue(z, normal, 'two-sided')`: U1
/// standardised with the tie-corrected variance, moved half a unit towards
/// the mean (the continuity correction), two-sided normal tail, clipped to 1.
fn asymptotic_p_value(u1: f64, n1: f64, n2: f64, tie_term: f64) -> Result<f64, StatsError> {
    let n = n1 + n2;
    let sd = (n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    // Rounding can leave all-tied data a hair below zero (NaN after sqrt).
    if sd.is_nan() || sd <= 0.0 {
        return Err(StatsError::Undefined(
            "`mannw` needs spread: every value in both samples is the same".to_string(),
        ));
    }
    let deviation = u1 - n1 * n2 / 2.0;
    let corrected = deviation - 0.5 * sign(deviation);
    Ok(normal_two_sided(corrected / sd).min(1.0))
}

/// `np.sign`: 0 at 0.
fn sign(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x.signum()
    }
}

/// `2 * scipy.special.ndtr(-|z|)`, through `erfc` so tiny p-values keep
/// their digits.
fn normal_two_sided(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_result::fixture::{assert_matches, load};
    use crate::stats::Side;

    #[test]
    fn matches_scipy_mannwhitneyu() {
        let reference = load();
        for case in &reference.cases {
            let want = case.expected.mann_whitney.as_ref();
            let what = format!("{} (scipy {})", case.name, reference.scipy);
            assert_matches(
                &what,
                mann_whitney(&case.reference, &case.current),
                want.map(|w| (w.statistic, w.p_value)),
            );
        }
    }

    #[test]
    fn fixture_covers_both_paths() {
        let cases = load().cases;
        let methods: Vec<&str> = cases
            .iter()
            .filter_map(|c| c.expected.mann_whitney.as_ref()?.method.as_deref())
            .collect();
        assert!(methods.contains(&"exact") && methods.contains(&"asymptotic"));
    }

    #[test]
    fn symmetric_in_its_arguments() {
        for case in load().cases {
            let (Ok(ab), Ok(ba)) = (
                mann_whitney(&case.reference, &case.current),
                mann_whitney(&case.current, &case.reference),
            ) else {
                continue;
            };
            let n1n2 = (case.reference.len() * case.current.len()) as f64;
            assert_eq!(ab.statistic + ba.statistic, n1n2, "{}", case.name);
            assert!((ab.p_value - ba.p_value).abs() < 1e-12, "{}", case.name);
        }
    }

    #[test]
    fn runs_carry_midranks() {
        let runs: Vec<Run> = pooled_runs(&[1.0, 2.0, 2.0], &[2.0, 3.0]).collect();
        assert_eq!(runs.len(), 3);
        assert_eq!(
            (runs[1].reference, runs[1].current, runs[1].pooled_below()),
            (2, 1, 1)
        );
        // Pooled ranks 2, 3, 4 share midrank 3.
        assert_eq!(runs[1].doubled_midrank(), 6);
        assert_eq!(runs[2].doubled_midrank(), 10);
    }

    #[test]
    fn exact_counts_are_the_gaussian_binomial() {
        // [5 choose 2]_q = 1 + q + 2q^2 + 2q^3 + 2q^4 + q^5 + q^6.
        assert_eq!(u_counts(2, 3, 6), vec![1.0, 1.0, 2.0, 2.0, 2.0, 1.0, 1.0]);
        let all: f64 = u_counts(4, 9, 36).iter().sum();
        assert_eq!(all, binomial(13, 4));
    }

    #[test]
    fn edge_cases() {
        assert_eq!(
            mann_whitney(&[], &[1.0]),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(
            mann_whitney(&[1.0], &[]),
            Err(StatsError::Empty(Side::Current))
        );
        let err = mann_whitney(&[2.0, 2.0], &[2.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`mannw` needs spread: every value in both samples is the same"
        );
        // Identical samples: U at its mean, p = 1.
        let x = [0.5, 1.5, 2.0, 7.0, 9.0, 11.0, 12.5, 13.0, 20.0, 21.0];
        let r = mann_whitney(&x, &x).unwrap();
        assert_eq!((r.statistic, r.p_value), (50.0, 1.0));
    }
}
