//! The energy distance between two samples, as
//! `scipy.stats.energy_distance(reference, current)`, and its normalised
//! form. Pure: no IO, no clock, no printing.

use super::binning::non_empty;
use super::describe::population_std;
use super::ranks::pooled_runs;
use super::StatsError;

/// `scipy.stats.energy_distance(reference, current)`: `sqrt(2)` times the
/// L2 distance between the two empirical CDFs, `sqrt(2 * integral (F_r -
/// F_c)^2)`, which equals Székely's `sqrt(2 E|X-Y| - E|X-X'| - E|Y-Y'|)`.
///
/// Computed as scipy's `_cdf_distance(2, ...)`: between consecutive
/// distinct pooled values the CDFs are constant (right-continuous, as
/// `searchsorted(..., 'right')`), so the integral is a sum over one merge of
/// the sorted inputs, O(n) with no allocation.
///
/// Both slices must be non-empty (callers report `StatsError::Empty`
/// first); if one is empty this returns 0.0 rather than panicking.
pub fn energy_distance(reference: &[f64], current: &[f64]) -> f64 {
    if reference.is_empty() || current.is_empty() {
        return 0.0;
    }
    let (n_ref, n_cur) = (reference.len() as f64, current.len() as f64);
    let mut runs = pooled_runs(reference, current).peekable();
    let mut integral = 0.0;
    while let Some(run) = runs.next() {
        let Some(next) = runs.peek() else { break };
        let cdf_ref = (run.reference_below + run.reference) as f64 / n_ref;
        let cdf_cur = (run.current_below + run.current) as f64 / n_cur;
        let gap = cdf_ref - cdf_cur;
        integral += gap * gap * (next.value - run.value);
    }
    std::f64::consts::SQRT_2 * integral.sqrt()
}

/// The energy distance of the data scaled by the reference's population
/// standard deviation (floored at 0.001 as Evidently's normed Wasserstein
/// distance is), so the score does not depend on the column's units. The
/// energy distance has the units of the square root of the data, so scaling
/// the data by `1/std` divides it by `sqrt(std)`; dividing by `std` itself
/// would leave the score in units of `1/sqrt(data)`.
///
/// Quirk kept from that convention: a constant reference divides by the
/// floor, so any change in the current sample scores high.
pub fn energy_distance_norm(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    non_empty(reference, current)?;
    let norm = population_std(reference).max(0.001);
    Ok(energy_distance(reference, current) / norm.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_result::fixture::{assert_statistic, load};
    use crate::stats::Side;

    #[test]
    fn matches_scipy_energy_distance() {
        let reference = load();
        for case in &reference.cases {
            let what = format!("{} (scipy {})", case.name, reference.scipy);
            let (x, y) = (&case.reference, &case.current);
            assert_statistic(&what, energy_distance(x, y), case.expected.energy_distance);
            let norm = energy_distance_norm(x, y).unwrap();
            assert_statistic(
                &format!("{what} norm"),
                norm,
                case.expected.energy_distance_norm,
            );
        }
    }

    #[test]
    fn metric_properties() {
        for case in load().cases {
            let (x, y) = (&case.reference, &case.current);
            assert_eq!(energy_distance(x, x), 0.0, "{}", case.name);
            let (xy, yx) = (energy_distance(x, y), energy_distance(y, x));
            assert!(xy >= 0.0 && (xy - yx).abs() < 1e-12, "{}", case.name);
        }
    }

    #[test]
    fn one_point_each_is_sqrt_2_times_the_gap_root() {
        // scipy.stats.energy_distance([0], [2]) == 2.0000000000000004.
        assert!((energy_distance(&[0.0], &[2.0]) - 2.0).abs() < 1e-15);
    }

    #[test]
    fn edge_cases() {
        assert_eq!(
            energy_distance_norm(&[], &[1.0]),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(
            energy_distance_norm(&[1.0], &[]),
            Err(StatsError::Empty(Side::Current))
        );
        assert_eq!(energy_distance(&[], &[1.0]), 0.0);
        // Constant reference: scaled by the 0.001 floor.
        let d = energy_distance_norm(&[1.0, 1.0], &[1.0, 2.0]).unwrap();
        assert!((d - 1000f64.sqrt() * energy_distance(&[1.0, 1.0], &[1.0, 2.0])).abs() < 1e-9);
        // Unit-free: scaling the data leaves the score unchanged.
        let a = energy_distance_norm(&[1.0, 2.0, 4.0], &[2.0, 3.0, 7.0]).unwrap();
        let b = energy_distance_norm(&[100.0, 200.0, 400.0], &[200.0, 300.0, 700.0]).unwrap();
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
}
