//! Distances between two samples (Wasserstein, Hellinger) or two share
//! vectors (Jensen-Shannon, PSI, KL), matching Evidently 0.7.23 and the scipy
//! functions it calls. Pure: no IO, no clock, no printing.
//!
//! Numerical inputs are finite and sorted ascending; each distance is one
//! merge or one pass over them.

use super::binning::{combined_range, histogram, merged_runs, non_empty, sturges_edges};
use super::{Shares, StatsError};

/// Evidently's `_wasserstein_distance_norm`:
/// `scipy.stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)`,
/// with the population standard deviation.
///
/// Quirk mirrored: a constant reference has std 0, so the distance is divided
/// by the 0.001 floor and any change in the current sample scores in the
/// hundreds.
pub fn wasserstein_norm(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    non_empty(reference, current)?;
    let norm = population_std(reference).max(0.001);
    Ok(wasserstein_distance(reference, current) / norm)
}

/// The first Wasserstein distance between the two empirical distributions,
/// `scipy.stats.wasserstein_distance(u, v)`: the integral of
/// `|F_u(x) - F_v(x)|` between consecutive values of the merged samples, with
/// the CDFs taken as `searchsorted(side, x, "right") / len(side)` like scipy's
/// `_cdf_distance`. One merge over the sorted slices.
///
/// Both slices must be non-empty (callers report `StatsError::Empty` first);
/// if one is empty this returns 0.0 rather than panicking.
pub fn wasserstein_distance(reference: &[f64], current: &[f64]) -> f64 {
    if reference.is_empty() || current.is_empty() {
        return 0.0;
    }
    let (n_ref, n_cur) = (reference.len() as f64, current.len() as f64);
    let (mut below_ref, mut below_cur) = (0, 0);
    let mut total = 0.0;
    let mut runs = merged_runs(reference, current).peekable();
    while let Some((x, in_reference, in_current)) = runs.next() {
        below_ref += in_reference;
        below_cur += in_current;
        if let Some(&(next, _, _)) = runs.peek() {
            let gap = (below_ref as f64 / n_ref - below_cur as f64 / n_cur).abs();
            total += gap * (next - x);
        }
    }
    total
}

/// `scipy.spatial.distance.jensenshannon(ref, cur)` (natural log): both share
/// vectors are normalised to sum 1, `m = (p + q) / 2`, and the result is
/// `sqrt((KL(p || m) + KL(q || m)) / 2)`, in `[0, sqrt(ln 2)]`.
///
/// Rounding can make the divergence a hair below 0 for near-identical inputs,
/// where scipy returns NaN from the square root; it is clamped to 0 here.
/// A side whose shares are all zero is left unnormalised (scipy: NaN).
pub fn jensen_shannon(shares: &Shares) -> f64 {
    let p = normalised(&shares.reference);
    let q = normalised(&shares.current);
    let (left, right) = p
        .iter()
        .zip(&q)
        .fold((0.0, 0.0), |(left, right), (&p, &q)| {
            let m = (p + q) / 2.0;
            (left + rel_entr(p, m), right + rel_entr(q, m))
        });
    ((left + right) / 2.0).max(0.0).sqrt()
}

/// Population stability index, Evidently's `_psi`:
/// `sum((r - c) * ln(r / c))` on shares the caller has already passed through
/// [`super::binning::fill_zeros`] (a zero share left in gives `inf` or NaN
/// terms). Not renormalised, as in Evidently.
pub fn psi(shares: &Shares) -> f64 {
    shares
        .reference
        .iter()
        .zip(&shares.current)
        .map(|(&r, &c)| (r - c) * (r / c).ln())
        .sum()
}

/// Evidently's `_kl_div`: `scipy.stats.entropy(ref, cur)`, i.e. KL(ref || cur)
/// in nats after renormalising both vectors to sum 1 (which matters: the
/// zero-filled shares sum to slightly more than 1). A zero current share
/// under a non-zero reference share gives `inf`, as in scipy; the caller
/// zero-fills first so that does not happen.
pub fn kl_div(shares: &Shares) -> f64 {
    let p = normalised(&shares.reference);
    let q = normalised(&shares.current);
    p.iter().zip(&q).map(|(&p, &q)| rel_entr(p, q)).sum()
}

/// Evidently's categorical Hellinger distance:
/// `sqrt(1 - clip(sum(sqrt(r * c)), 0, 1))`, summed in category order. The
/// clip keeps the result real when rounding pushes the Bhattacharyya
/// coefficient past 1.
pub fn hellinger_shares(shares: &Shares) -> f64 {
    let coefficient = shares
        .reference
        .iter()
        .zip(&shares.current)
        .fold(0.0, |sum, (&r, &c)| sum + (r * c).sqrt());
    hellinger_from_coefficient(coefficient)
}

/// Evidently's numerical Hellinger distance, `_hellinger_distance` for
/// `ColumnType.Numerical`:
/// - edges `np.histogram_bin_edges(keys, bins="sturges")` where `keys` are the
///   distinct values of the union, so the bin count follows the number of
///   distinct values, not of samples;
/// - `np.histogram(side, edges, density=True)`: `count / diff(edges) / n`;
/// - `sum(sqrt(h_ref * h_cur) * bin_width)` with the nominal
///   `bin_width = (last - first) / bins`, clipped to `[0, 1]`, then
///   `sqrt(1 - coefficient)`.
///
/// Quirks mirrored:
/// - one value overall (both samples constant and equal) is not undefined in
///   Evidently: numpy widens the range to `v ± 0.5`, one bin holds everything,
///   and the distance is 0;
/// - the nominal bin width differs from the edge gaps by rounding, so
///   identical samples can score ~1e-8 instead of exactly 0;
/// - edges numpy cannot build (a range too narrow for its bin count) are
///   `StatsError::Undefined`, as is any NaN result.
///
/// Not mirrored: for an integer-typed column numpy floors the Sturges width at
/// 1, so Evidently puts an integer column whose distinct values span 1 or 2
/// (e.g. 0/1) into fewer bins (a 0/1 column always scores 0). Values here are
/// `f64` and follow the float rule.
pub fn hellinger_numerical(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    non_empty(reference, current)?;
    let (min, max) = combined_range(reference, current);
    let edges = sturges_edges(min, max, merged_runs(reference, current).count())?;
    let bins = edges.len() - 1;
    let bin_width = (edges[bins] - edges[0]) / bins as f64;
    let density = |sorted: &[f64]| -> Vec<f64> {
        let counts = histogram(sorted, &edges);
        let total = counts.iter().sum::<u64>() as f64;
        counts
            .iter()
            .zip(edges.windows(2))
            .map(|(&count, edge)| count as f64 / (edge[1] - edge[0]) / total)
            .collect()
    };
    let coefficient = density(reference)
        .iter()
        .zip(&density(current))
        .fold(0.0, |sum, (&h_ref, &h_cur)| {
            sum + (h_ref * h_cur).sqrt() * bin_width
        });
    let distance = hellinger_from_coefficient(coefficient);
    if distance.is_nan() {
        return Err(StatsError::Undefined(
            "the Hellinger distance is undefined for these values (NaN in Evidently)".to_string(),
        ));
    }
    Ok(distance)
}

fn hellinger_from_coefficient(coefficient: f64) -> f64 {
    (1.0 - coefficient.clamp(0.0, 1.0)).sqrt()
}

/// `scipy.special.rel_entr(x, y)`: `x * ln(x / y)`, 0 for `x == 0`, `inf` for
/// `x > 0, y == 0`.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// The shares divided by their sum, as scipy normalises inputs to
/// `jensenshannon` and `entropy`; all-zero shares come back unchanged.
fn normalised(shares: &[f64]) -> Vec<f64> {
    let sum: f64 = shares.iter().sum();
    if sum > 0.0 {
        shares.iter().map(|&s| s / sum).collect()
    } else {
        shares.to_vec()
    }
}

/// `np.std(x)` (population, ddof 0), two-pass like numpy/pandas.
fn population_std(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let squares: f64 = values.iter().map(|&x| (x - mean) * (x - mean)).sum();
    (squares / n).sqrt()
}

#[cfg(test)]
mod tests {
    use super::super::binning::fixture::{assert_close, load, ShareExpected};
    use super::super::binning::{category_shares, fill_zeros, numerical_shares};
    use super::super::Binning;
    use super::*;

    /// The share-based distances exactly as `method::share_score` chains them.
    fn assert_share_distances(what: &str, shares: Shares, want: &ShareExpected) {
        assert_close(
            &format!("{what} jensenshannon"),
            jensen_shannon(&shares),
            want.jensenshannon,
        );
        let mut filled = shares;
        fill_zeros(&mut filled.reference);
        fill_zeros(&mut filled.current);
        assert_close(&format!("{what} psi"), psi(&filled), want.psi);
        assert_close(&format!("{what} kl_div"), kl_div(&filled), want.kl_div);
    }

    #[test]
    fn numerical_cases_match_reference() {
        for case in load().numerical {
            let (reference, current, want) = (&case.reference, &case.current, &case.expected);
            let name = &case.name;
            assert_close(
                &format!("{name} wasserstein"),
                wasserstein_distance(reference, current),
                want.wasserstein,
            );
            assert_close(
                &format!("{name} wasserstein_norm"),
                wasserstein_norm(reference, current).unwrap(),
                want.wasserstein_norm,
            );
            assert_close(
                &format!("{name} hellinger"),
                hellinger_numerical(reference, current).unwrap(),
                want.hellinger,
            );
            for (bins, want) in [
                (Binning::Evidently, &want.evidently_bins),
                (Binning::Quantile(case.quantile_bins), &want.quantile_bins),
            ] {
                let shares = numerical_shares(reference, current, bins).unwrap();
                assert_share_distances(&format!("{name} {bins:?}"), shares, want);
            }
        }
    }

    #[test]
    fn categorical_cases_match_reference() {
        for case in load().categorical {
            let shares = category_shares(&case.counts());
            assert_close(
                &format!("{} hellinger", case.name),
                hellinger_shares(&shares),
                case.expected.hellinger,
            );
            assert_share_distances(&case.name, shares, &case.expected.shares);
        }
    }

    #[test]
    fn constant_samples_follow_evidently() {
        // One value overall: numpy widens the range to v +- 0.5, distance 0.
        assert_eq!(hellinger_numerical(&[2.0; 5], &[2.0; 3]), Ok(0.0));
        // Constant reference: W1 = 1 divided by the 0.001 floor.
        assert_close(
            "floor",
            wasserstein_norm(&[0.0; 4], &[1.0; 4]).unwrap(),
            1000.0,
        );
        let err = hellinger_numerical(&[1e17], &[1e17]).unwrap_err();
        assert!(matches!(err, StatsError::Undefined(_)), "{err:?}");
        assert_eq!(
            wasserstein_norm(&[1.0], &[]),
            Err(StatsError::Empty(super::super::Side::Current))
        );
    }

    fn sorted(mut values: Vec<f64>) -> Vec<f64> {
        values.sort_by(f64::total_cmp);
        values
    }

    proptest::proptest! {
        #[test]
        fn identical_samples_are_at_distance_zero(
            values in proptest::collection::vec(-1e6f64..1e6, 1..400),
        ) {
            let values = sorted(values);
            proptest::prop_assert_eq!(wasserstein_norm(&values, &values), Ok(0.0));
            proptest::prop_assert!(hellinger_numerical(&values, &values).unwrap() < 1e-6);
            for bins in [Binning::Evidently, Binning::Quantile(10)] {
                let mut shares = numerical_shares(&values, &values, bins).unwrap();
                proptest::prop_assert_eq!(jensen_shannon(&shares), 0.0);
                fill_zeros(&mut shares.reference);
                fill_zeros(&mut shares.current);
                proptest::prop_assert_eq!(psi(&shares), 0.0);
                proptest::prop_assert_eq!(kl_div(&shares), 0.0);
            }
        }

        #[test]
        fn distances_stay_in_range(
            reference in proptest::collection::vec(-50f64..50.0, 1..300),
            current in proptest::collection::vec(-50f64..50.0, 1..300),
        ) {
            let (reference, current) = (sorted(reference), sorted(current));
            proptest::prop_assert!(wasserstein_distance(&reference, &current) >= 0.0);
            let hellinger = hellinger_numerical(&reference, &current).unwrap();
            proptest::prop_assert!((0.0..=1.0).contains(&hellinger));
            let mut shares = numerical_shares(&reference, &current, Binning::Evidently).unwrap();
            let js = jensen_shannon(&shares);
            proptest::prop_assert!((0.0..=std::f64::consts::LN_2.sqrt() + 1e-12).contains(&js), "js {}", js);
            proptest::prop_assert!((0.0..=1.0).contains(&hellinger_shares(&shares)));
            fill_zeros(&mut shares.reference);
            fill_zeros(&mut shares.current);
            proptest::prop_assert!(psi(&shares) >= 0.0);
            proptest::prop_assert!(kl_div(&shares) >= -1e-12);
        }
    }
}
