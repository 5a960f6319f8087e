//! The outlier-robust effect size of the default decision for numerical
//! columns: the trimmed Wasserstein distance in robust standard deviations.
//! Pure.
//!
//! The plain normalised Wasserstein distance (Evidently's) moves by
//! `|outlier| / (m * std)` for one extreme value among `m` current rows, so
//! one value of 1e6 in a column of unit spread reads as a large shift. Here
//! the two quantile functions are compared only between the 1st and 99th
//! percentile, and the scale is the reference's interquartile range, so one
//! value (or up to 1% of the rows) far out cannot move the effect.

use super::{Side, StatsError};

/// Share of each tail left out of the comparison.
pub const TRIM: f64 = 0.01;

/// `IQR / 1.349` is the standard deviation of a normal distribution.
const IQR_PER_SD: f64 = 1.348_979_500_392_163_5;

/// The trimmed Wasserstein distance between the two samples divided by the
/// reference's robust standard deviation:
///
/// `mean over u in [TRIM, 1 - TRIM] of |Q_ref(u) - Q_cur(u)|  /  (IQR_ref / 1.349)`
///
/// with `Q` each sample's empirical quantile function (the inverse of its
/// empirical CDF, numpy's `inverted_cdf`) and the IQR from numpy's default
/// (linear) quantiles. A pure location shift of `d` robust SDs gives `d`; for
/// normal data a robust SD is the SD, so 0.1 is a 0.1-sigma mean shift. When
/// the reference's IQR is 0 (more than half its values equal) the population
/// standard deviation is the scale, and at least 0.001 as in
/// `distance::wasserstein_norm`.
///
/// Both slices sorted ascending, finite, non-empty.
pub fn trimmed_wasserstein_norm(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    if reference.is_empty() {
        return Err(StatsError::Empty(Side::Reference));
    }
    if current.is_empty() {
        return Err(StatsError::Empty(Side::Current));
    }
    Ok(trimmed_wasserstein(reference, current) / robust_sd(reference))
}

/// The reference's robust standard deviation (see
/// [`trimmed_wasserstein_norm`]).
pub fn robust_sd(sorted: &[f64]) -> f64 {
    let iqr = quantile_linear(sorted, 0.75) - quantile_linear(sorted, 0.25);
    let scale = if iqr > 0.0 {
        iqr / IQR_PER_SD
    } else {
        super::describe::population_std(sorted)
    };
    scale.max(0.001)
}

/// numpy's default `quantile(sorted, q)` (linear interpolation between
/// order statistics). `sorted` ascending and non-empty.
pub fn quantile_linear(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - below as f64;
    sorted[below] + fraction * (sorted[above] - sorted[below])
}

/// `1 / (1 - 2 TRIM)` times the integral of `|Q_ref(u) - Q_cur(u)|` over
/// `[TRIM, 1 - TRIM]`. `Q(u)` of a sorted sample `x` of size n is `x[i]` on
/// `(i/n, (i+1)/n]`; one walk over the merged breakpoints `i/n` and `j/m`
/// (compared exactly in integers) adds each piece.
fn trimmed_wasserstein(x: &[f64], y: &[f64]) -> f64 {
    let (n, m) = (x.len() as u128, y.len() as u128);
    // The piece containing u = TRIM (from just above it).
    let start = |len: u128| ((TRIM * len as f64).floor() as u128).min(len - 1);
    let (mut i, mut j) = (start(n), start(m));
    let end = 1.0 - TRIM;
    let mut u = TRIM;
    let mut total = 0.0;
    while u < end {
        // Next breakpoints (i+1)/n and (j+1)/m; which comes first, exactly.
        let left = (i + 1) * m;
        let right = (j + 1) * n;
        let next = if left <= right {
            (i + 1) as f64 / n as f64
        } else {
            (j + 1) as f64 / m as f64
        }
        .min(end);
        total += (next - u) * (x[i as usize] - y[j as usize]).abs();
        u = next;
        if left <= right && i + 1 < n {
            i += 1;
        }
        if right <= left && j + 1 < m {
            j += 1;
        }
    }
    total / (1.0 - 2.0 * TRIM)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    /// `fixtures/reference/robust_effect.json`, written by
    /// `scripts/reference/homogeneity_reference.py`: numpy quantile functions
    /// evaluated at the midpoints of every piece between the merged
    /// breakpoints, summed independently of this walk.
    #[derive(Deserialize)]
    struct Case {
        name: String,
        reference: Vec<f64>,
        current: Vec<f64>,
        effect: f64,
    }

    #[test]
    fn matches_numpy_quantile_functions() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/reference/robust_effect.json"
        ))
        .unwrap();
        let cases: Vec<Case> = serde_json::from_str::<serde_json::Value>(&text)
            .map(|v| serde_json::from_value(v["cases"].clone()).unwrap())
            .unwrap();
        assert!(cases.len() >= 6);
        for mut case in cases {
            case.reference.sort_by(f64::total_cmp);
            case.current.sort_by(f64::total_cmp);
            let got = trimmed_wasserstein_norm(&case.reference, &case.current).unwrap();
            assert!(
                (got - case.effect).abs() <= 1e-9 * case.effect.max(1.0),
                "{}: {got} vs numpy {}",
                case.name,
                case.effect
            );
        }
    }

    #[test]
    fn a_shift_reads_as_itself_and_one_outlier_does_not_move_it() {
        let reference: Vec<f64> = (0..1000).map(|i| i as f64 / 10.0).collect();
        let shifted: Vec<f64> = reference.iter().map(|x| x + 5.0).collect();
        let sd = robust_sd(&reference);
        let got = trimmed_wasserstein_norm(&reference, &shifted).unwrap();
        assert!((got - 5.0 / sd).abs() < 1e-9, "{got}");
        assert_eq!(
            trimmed_wasserstein_norm(&reference, &reference).unwrap(),
            0.0
        );
        let mut outlier = reference.clone();
        *outlier.last_mut().unwrap() = 1e12;
        assert_eq!(trimmed_wasserstein_norm(&reference, &outlier).unwrap(), 0.0);
        // The untrimmed normalised Wasserstein distance calls it a big shift.
        assert!(super::super::distance::wasserstein_norm(&reference, &outlier).unwrap() > 1e6);
    }

    #[test]
    fn constant_reference_falls_back_to_a_floor_scale() {
        let got = trimmed_wasserstein_norm(&[1.0; 10], &[1.0, 1.0, 2.0]).unwrap();
        assert!(got.is_finite() && got > 0.0);
        assert_eq!(
            trimmed_wasserstein_norm(&[], &[1.0]),
            Err(StatsError::Empty(Side::Reference))
        );
    }
}
