//! p-value tests on category counts, mirroring Evidently 0.7.23's
//! `chi_stat_test` and `z_stat_test`. Pure: no IO, no clock, no printing.
//!
//! A category with a zero count on both sides is ignored: Evidently builds its
//! categories from the values it sees, so such a category never exists there.

use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::erf::erfc;

use super::{CategoryCounts, Side, StatsError};

/// Evidently's `chi_stat_test`: a goodness-of-fit test of the current counts
/// against the reference proportions, `scipy.stats.chisquare(f_obs, f_exp)`
/// with `f_obs` = current counts and `f_exp` = reference counts times
/// `n_cur / n_ref`; the p-value is `chi2.sf(statistic, k - 1)`.
///
/// The reference proportions are treated as exact (no reference sampling
/// error), so this is more sensitive than the two-sample `z` test on the same
/// counts.
///
/// Quirks mirrored:
/// - a category present only in the current sample has an expected count of
///   0; scipy divides by it (with a warning), the statistic is `inf` and the
///   p-value is exactly 0. We return 0 too, so a new category is drift.
/// - one category overall leaves 0 degrees of freedom; scipy returns NaN (or
///   0 when `n_ref * (n_cur / n_ref)` happens not to round back to `n_cur`),
///   so this is `StatsError::Undefined`.
pub fn chisquare(counts: &CategoryCounts) -> Result<f64, StatsError> {
    let (n_ref, n_cur) = totals(counts)?;
    let seen: Vec<(u64, u64)> = seen_categories(counts).collect();
    if seen.len() < 2 {
        return Err(StatsError::Undefined(
            "`chisquare` needs at least 2 categories across both samples, found 1".to_string(),
        ));
    }
    if seen.iter().any(|&(reference, _)| reference == 0) {
        return Ok(0.0);
    }
    let k_norm = n_cur as f64 / n_ref as f64;
    let statistic: f64 = seen
        .iter()
        .map(|&(reference, current)| {
            let expected = reference as f64 * k_norm;
            (current as f64 - expected).powi(2) / expected
        })
        .sum();
    let dof = (seen.len() - 1) as f64;
    let chi2 = ChiSquared::new(dof).map_err(|e| {
        StatsError::Undefined(format!("chi-square with {dof} degrees of freedom: {e}"))
    })?;
    // `sf`, not `1 - cdf`: statrs' upper incomplete gamma keeps full relative
    // accuracy for tiny p-values (checked against scipy's `chdtrc` down to 1e-306).
    Ok(chi2.sf(statistic))
}

/// Evidently's `z_stat_test`: a pooled two-proportion z-test, two-sided.
/// The first category is coded 0 and the other 1 (Evidently takes the first
/// sorted value as 0; the two-sided p-value does not depend on which is which).
///
/// - Both samples constant and equal (one category overall): 1.0, as Evidently
///   short-cuts it.
/// - More than 2 categories: `StatsError::Undefined`. Evidently would code
///   every category but the first as 1 and test that, which is rarely what a
///   user means.
///
/// The p-value is `2 * sf(|z|)` = `erfc(|z| / sqrt 2)` rather than Evidently's
/// `2 * (1 - norm.cdf(|z|))`: the latter loses relative accuracy as p shrinks
/// and underflows to exactly 0 beyond |z| ≈ 8.3, where ours stays positive.
/// Above ~1e-10 the two agree to better than 1e-6 relative.
pub fn z_test(counts: &CategoryCounts) -> Result<f64, StatsError> {
    let (n_ref, n_cur) = totals(counts)?;
    let seen: Vec<(u64, u64)> = seen_categories(counts).collect();
    let (reference_ones, current_ones) = match seen.as_slice() {
        [_] => return Ok(1.0),
        [_, second] => *second,
        _ => {
            return Err(StatsError::Undefined(format!(
                "`z` needs at most 2 categories, found {}; use `chisquare`",
                seen.len()
            )))
        }
    };
    // `proportions_diff_z_stat_ind`, operation for operation. With both
    // categories seen, the pooled proportion is strictly inside (0, 1).
    let (n1, n2) = (n_ref as f64, n_cur as f64);
    let p1 = reference_ones as f64 / n1;
    let p2 = current_ones as f64 / n2;
    let pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    Ok(erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0))
}

/// `(reference, current)` counts of the categories seen on either side.
fn seen_categories(counts: &CategoryCounts) -> impl Iterator<Item = (u64, u64)> + '_ {
    counts
        .reference
        .iter()
        .copied()
        .zip(counts.current.iter().copied())
        .filter(|&(reference, current)| reference + current > 0)
}

fn totals(counts: &CategoryCounts) -> Result<(u64, u64), StatsError> {
    match (counts.reference_total(), counts.current_total()) {
        (0, _) => Err(StatsError::Empty(Side::Reference)),
        (_, 0) => Err(StatsError::Empty(Side::Current)),
        totals => Ok(totals),
    }
}

#[cfg(test)]
mod tests {
    use super::super::binning::fixture::{assert_p_close, load};
    use super::*;

    fn counts(reference: &[u64], current: &[u64]) -> CategoryCounts {
        CategoryCounts {
            reference: reference.to_vec(),
            current: current.to_vec(),
        }
    }

    /// `want == None` means Evidently gives NaN or refuses: `Undefined` here.
    fn assert_p(what: &str, got: Result<f64, StatsError>, want: Option<f64>) {
        match (got, want) {
            (Ok(got), Some(want)) => assert_p_close(what, got, want),
            (Err(StatsError::Undefined(_)), None) => {}
            (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn categorical_cases_match_reference() {
        for case in load().categorical {
            let counts = case.counts();
            assert_p(
                &format!("{} chisquare", case.name),
                chisquare(&counts),
                case.expected.chisquare,
            );
            assert_p(
                &format!("{} z", case.name),
                z_test(&counts),
                case.expected.z,
            );
        }
    }

    #[test]
    fn numerical_distinct_cases_match_reference() {
        for case in load().numerical {
            let Some(want) = case.expected.distinct else {
                continue;
            };
            let counts = counts(&want.reference, &want.current);
            assert_p(
                &format!("{} chisquare", case.name),
                chisquare(&counts),
                want.chisquare,
            );
            assert_p(&format!("{} z", case.name), z_test(&counts), want.z);
        }
    }

    #[test]
    fn a_new_category_in_current_gives_p_zero() {
        assert_eq!(chisquare(&counts(&[50, 50, 0], &[40, 40, 20])), Ok(0.0));
    }

    #[test]
    fn undefined_cases_say_why() {
        let err = chisquare(&counts(&[10], &[7])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`chisquare` needs at least 2 categories across both samples, found 1"
        );
        let err = z_test(&counts(&[1, 2, 3], &[3, 2, 1])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`z` needs at most 2 categories, found 3; use `chisquare`"
        );
        assert_eq!(
            chisquare(&counts(&[0, 0], &[1, 2])),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(
            z_test(&counts(&[3], &[0])),
            Err(StatsError::Empty(Side::Current))
        );
    }

    #[test]
    fn categories_unseen_on_both_sides_are_ignored() {
        assert_eq!(z_test(&counts(&[5, 0], &[3, 0])), Ok(1.0));
        assert_eq!(
            chisquare(&counts(&[60, 0, 40], &[45, 0, 55])),
            chisquare(&counts(&[60, 40], &[45, 55]))
        );
    }

    #[test]
    fn z_stays_positive_where_evidently_underflows() {
        // |z| ~ 19.5: Evidently's 2 * (1 - cdf) is exactly 0.
        let p = z_test(&counts(&[900, 100], &[500, 500])).unwrap();
        assert!(p > 0.0 && p < 1e-80, "{p:e}");
    }

    proptest::proptest! {
        #[test]
        fn p_values_are_probabilities_and_one_for_equal_proportions(
            reference in proptest::collection::vec(1u64..500, 2..8),
            current in proptest::collection::vec(0u64..500, 2..8),
            factor in 1u64..4,
        ) {
            let k = reference.len().min(current.len());
            let sample = counts(&reference[..k], &current[..k]);
            let pair = counts(&reference[..2], &current[..2]);
            // An all-zero current side is `Empty`; every computed p is a probability.
            for p in [chisquare(&sample), z_test(&pair)].into_iter().flatten() {
                proptest::prop_assert!((0.0..=1.0).contains(&p), "p = {}", p);
            }
            let scaled: Vec<u64> = reference.iter().map(|&r| r * factor).collect();
            let same = counts(&reference, &scaled);
            proptest::prop_assert!((chisquare(&same).unwrap() - 1.0).abs() < 1e-9);
            let pair = counts(&reference[..2], &scaled[..2]);
            proptest::prop_assert!((z_test(&pair).unwrap() - 1.0).abs() < 1e-9);
        }
    }
}
