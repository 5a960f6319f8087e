//! Isotonic regression (increasing, `out_of_bounds="clip"`) as scikit-learn's
//! `IsotonicRegression` fits and predicts it; CBPE calibrates scores with it.
//!
//! Must not read files, look at the clock or print. Checked against
//! scikit-learn in `fixtures/reference/cbpe.json`
//! (`scripts/reference/nannyml_reference.py`).
//!
//! The steps, in sklearn's order, because each changes the numbers:
//!
//! 1. Sort the points by `x`, ties by `y` (`np.lexsort((y, x))`).
//! 2. Merge points whose `x` lies within `1e-15` (numpy's float64
//!    `resolution`) of the first `x` of their group into one point: the mean
//!    `y`, weighted; the summed weight (`_make_unique`).
//! 3. Pool adjacent violators on the merged points, left to right with
//!    backtracking (`_inplace_contiguous_isotonic_regression`).
//! 4. Keep the first and last point and every point whose fitted `y`
//!    differs from a neighbour's (`trim_duplicates`).
//! 5. Predict by linear interpolation between the kept points
//!    (`scipy.interpolate.interp1d`), inputs clipped to `[x_min, x_max]`.

use super::StatsError;

/// Fitted isotonic regression: the kept knots, ascending in `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Isotonic {
    x: Vec<f64>,
    y: Vec<f64>,
}

/// numpy's `finfo(float64).resolution`: sklearn's tolerance for equal `x`.
const X_RESOLUTION: f64 = 1e-15;

impl Isotonic {
    /// Fits `y` as a non-decreasing function of `x` (unit weights). NaN
    /// inputs are an error: the caller drops incomplete rows first.
    pub fn fit(x: &[f64], y: &[f64]) -> Result<Isotonic, StatsError> {
        if x.len() != y.len() {
            return Err(StatsError::Undefined(format!(
                "isotonic regression needs as many targets as scores ({} vs {})",
                y.len(),
                x.len()
            )));
        }
        if x.is_empty() {
            return Err(StatsError::Undefined(
                "isotonic regression needs at least one point".into(),
            ));
        }
        if x.iter().chain(y).any(|v| !v.is_finite()) {
            return Err(StatsError::Undefined(
                "isotonic regression needs finite scores and targets".into(),
            ));
        }
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));

        // Merge (near-)equal x.
        let mut ux: Vec<f64> = Vec::new();
        let mut uy: Vec<f64> = Vec::new();
        let mut uw: Vec<f64> = Vec::new();
        let (mut cur_x, mut cur_wy, mut cur_w) = (x[order[0]], 0.0, 0.0);
        for &i in &order {
            if x[i] - cur_x >= X_RESOLUTION {
                ux.push(cur_x);
                uy.push(cur_wy / cur_w);
                uw.push(cur_w);
                cur_x = x[i];
                cur_wy = y[i];
                cur_w = 1.0;
            } else {
                cur_wy += y[i];
                cur_w += 1.0;
            }
        }
        ux.push(cur_x);
        uy.push(cur_wy / cur_w);
        uw.push(cur_w);

        pool_adjacent_violators(&mut uy, &mut uw);

        let n = uy.len();
        let keep = |i: usize| i == 0 || i + 1 == n || uy[i] != uy[i - 1] || uy[i] != uy[i + 1];
        let (kx, ky) = (0..n).filter(|&i| keep(i)).map(|i| (ux[i], uy[i])).unzip();
        Ok(Isotonic { x: kx, y: ky })
    }

    /// The fitted value at `t`, clipped to the fitted range of `x`.
    pub fn predict(&self, t: f64) -> f64 {
        let n = self.x.len();
        if n == 1 {
            return self.y[0];
        }
        // At or beyond an end, that end's value exactly (as `np.interp`,
        // which would otherwise round `slope * (x_hi - x_lo) + y_lo` past it).
        if t <= self.x[0] {
            return self.y[0];
        }
        if t >= self.x[n - 1] {
            return self.y[n - 1];
        }
        // searchsorted(side="left"), clipped to [1, n - 1].
        let idx = self.x.partition_point(|&v| v < t).clamp(1, n - 1);
        let (x_lo, x_hi, y_lo, y_hi) = (self.x[idx - 1], self.x[idx], self.y[idx - 1], self.y[idx]);
        let slope = (y_hi - y_lo) / (x_hi - x_lo);
        slope * (t - x_lo) + y_lo
    }

    /// The knots kept for prediction, `(x, y)`.
    pub fn knots(&self) -> (&[f64], &[f64]) {
        (&self.x, &self.y)
    }
}

/// In-place PAVA for an increasing fit on points already in `x` order: a
/// decreasing run is pooled into its first entry (weighted mean), then the
/// scan steps back one block so a pooled block that now violates its left
/// neighbour is pooled again. One pass, O(n).
fn pool_adjacent_violators(y: &mut [f64], w: &mut [f64]) {
    let n = y.len();
    // `end[i]`: the last index of the block starting at `i` (and the first
    // index of the block ending at `i`).
    let mut end: Vec<usize> = (0..n).collect();
    let mut i = 0;
    while i < n {
        let mut k = end[i] + 1;
        if k == n {
            break;
        }
        if y[i] < y[k] {
            i = k;
            continue;
        }
        let (mut sum_wy, mut sum_w) = (w[i] * y[i], w[i]);
        loop {
            let prev_y = y[k];
            sum_wy += w[k] * y[k];
            sum_w += w[k];
            k = end[k] + 1;
            if k == n || prev_y < y[k] {
                y[i] = sum_wy / sum_w;
                w[i] = sum_w;
                end[i] = k - 1;
                end[k - 1] = i;
                if i > 0 {
                    i = end[i - 1];
                }
                break;
            }
        }
    }
    let mut i = 0;
    while i < n {
        let k = end[i] + 1;
        let v = y[i];
        y[i + 1..k].fill(v);
        i = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_violators_and_interpolates() {
        // sklearn: IsotonicRegression(out_of_bounds="clip").fit(x, y)
        // -> knots x [1, 2, 4, 5], y [1, 2.5, 2.5, 4]
        let iso = Isotonic::fit(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 3.0, 2.0, 2.5, 4.0]).unwrap();
        assert_eq!(iso.knots().0, &[1.0, 2.0, 4.0, 5.0]);
        assert_eq!(iso.knots().1, &[1.0, 2.5, 2.5, 4.0]);
        assert_eq!(iso.predict(0.0), 1.0);
        assert_eq!(iso.predict(1.5), 1.75);
        assert_eq!(iso.predict(3.0), 2.5);
        assert_eq!(iso.predict(4.5), 3.25);
        assert_eq!(iso.predict(9.0), 4.0);
    }

    #[test]
    fn ties_in_x_are_averaged() {
        let iso = Isotonic::fit(&[0.5, 0.5, 0.5, 0.9], &[0.0, 1.0, 1.0, 1.0]).unwrap();
        assert_eq!(iso.knots().0, &[0.5, 0.9]);
        assert!((iso.knots().1[0] - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(iso.predict(0.9), 1.0);
    }

    #[test]
    fn one_point_predicts_a_constant() {
        let iso = Isotonic::fit(&[0.3, 0.3], &[0.0, 1.0]).unwrap();
        assert_eq!(iso.predict(-5.0), 0.5);
        assert_eq!(iso.predict(5.0), 0.5);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(Isotonic::fit(&[], &[]).is_err());
        assert!(Isotonic::fit(&[1.0], &[]).is_err());
        assert!(Isotonic::fit(&[f64::NAN], &[1.0]).is_err());
    }

    proptest::proptest! {
        #[test]
        fn fit_is_monotone_and_within_the_targets(
            points in proptest::collection::vec((0.0f64..1.0, 0u8..2), 1..60),
        ) {
            let (x, y): (Vec<f64>, Vec<f64>) = points.iter().map(|(x, y)| (*x, *y as f64)).unzip();
            let iso = Isotonic::fit(&x, &y).unwrap();
            let mut last = f64::NEG_INFINITY;
            for step in 0..=100 {
                let v = iso.predict(step as f64 / 100.0);
                proptest::prop_assert!(v >= last - 1e-12);
                proptest::prop_assert!((0.0..=1.0).contains(&v));
                last = v;
            }
        }
    }
}
