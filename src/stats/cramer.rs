//! The two-sample Cramér-von Mises test, as
//! `scipy.stats.cramervonmises_2samp(reference, current)` (method='auto'):
//! the statistic from pooled midranks, the exact p-value for small samples
//! and Anderson's (1962) asymptotic one otherwise. Pure: no IO, no clock, no
//! printing.

use std::f64::consts::PI;

use super::binning::non_empty;
use super::ranks::pooled_runs;
use super::test_result::TestResult;
use super::StatsError;

/// scipy's `method='auto'` uses the exact distribution when both samples
/// have at most this many values.
const EXACT_MAX: usize = 20;

/// `scipy.stats.cramervonmises_2samp(reference, current)`: the statistic
/// `T = U / (nm(n+m)) - (4nm - 1) / (6(n+m))` (Anderson 1962, eq. 9) with
/// midranks for ties, and its p-value: exact when both sides have at most
/// 20 values, asymptotic otherwise.
///
/// Undefined, as in scipy, when a side has fewer than two values.
pub fn cramer_von_mises(reference: &[f64], current: &[f64]) -> Result<TestResult, StatsError> {
    non_empty(reference, current)?;
    let (nx, ny) = (reference.len(), current.len());
    if nx < 2 || ny < 2 {
        return Err(StatsError::Undefined(
            "`cramer_von_mises` needs at least two values in each sample".to_string(),
        ));
    }
    let quadruple_u = quadruple_u(reference, current);
    // T from integers: 12kN T = 3 (4U) - 2k(4k - 1), exact before the one
    // division, where scipy's float expression cancels ~6 digits at a
    // million values per side.
    let (k, big_n) = ((nx * ny) as i128, (nx + ny) as i128);
    let numerator = 3 * quadruple_u - 2 * k * (4 * k - 1);
    let statistic = numerator as f64 / (12 * k * big_n) as f64;
    let p_value = if nx.max(ny) <= EXACT_MAX {
        exact_p_value(quadruple_u as f64 / 4.0, nx, ny)
    } else {
        asymptotic_p_value(statistic, nx as f64, ny as f64)
    };
    Ok(TestResult { statistic, p_value })
}

/// `4 U`, with `U = n sum_i (r_i - i)^2 + m sum_j (s_j - j)^2` (Anderson
/// 1962, eq. 10): `r_i` the pooled midrank of the i-th smallest reference
/// value, `s_j` likewise for the current sample. Doubled midranks are whole
/// numbers, so this is exact.
fn quadruple_u(reference: &[f64], current: &[f64]) -> i128 {
    let (mut sum_x, mut sum_y) = (0i128, 0i128);
    for run in pooled_runs(reference, current) {
        let rank = run.doubled_midrank() as i128;
        let squares = |below: usize, count: usize| -> i128 {
            (below + 1..=below + count)
                .map(|i| {
                    let d = rank - 2 * i as i128;
                    d * d
                })
                .sum()
        };
        sum_x += squares(run.reference_below, run.reference);
        sum_y += squares(run.current_below, run.current);
    }
    reference.len() as i128 * sum_x + current.len() as i128 * sum_y
}

/// `_pval_cvm_2samp_exact(u, m, n)`: the share of the `C(m+n, m)`
/// arrangements whose statistic is at least the observed one.
///
/// Following Xiao, Gordon and Yakovlev (2006), with `L = lcm(m, n)`,
/// `a = L/m`, `b = L/n`, the statistic of an arrangement is a function of
/// `zeta = sum (a v - b u)^2` along its lattice path from (0, 0) to (n, m)
/// (u counts current values, v reference values, so far). The table for
/// each point holds how many paths reach it with each partial sum.
fn exact_p_value(u: f64, m: usize, n: usize) -> f64 {
    let l = lcm(m as u64, n as u64);
    let (a, b) = ((l / m as u64) as i64, (l / n as u64) as i64);
    let mn = (m * n) as f64;
    // scipy computes zeta in floating point (u is a float there) and floors
    // it with numpy's floor_divide.
    let zeta = floor_divide(
        (l * l * (m + n) as u64) as f64 * (6.0 * u - mn * (4.0 * mn - 1.0)),
        6.0 * mn * mn,
    );

    // tables[v]: sorted (partial sum, path count) pairs at the current u.
    let mut tables: Vec<Vec<(u64, u64)>> = vec![Vec::new(); m + 1];
    tables[0].push((0, 1));
    for u in 0..=n as i64 {
        let mut left: Vec<(u64, u64)> = Vec::new();
        for (v, table) in tables.iter_mut().enumerate() {
            // Paths into (u, v) come from (u, v-1) (`left`) or (u-1, v).
            let mut merged = merge_counts(&left, table);
            let step = (a * v as i64 - b * u).pow(2) as u64;
            for entry in &mut merged {
                entry.0 += step;
            }
            *table = merged.clone();
            left = merged;
        }
    }
    let at_least: u64 = tables[m]
        .iter()
        .filter(|&&(value, _)| value as f64 >= zeta)
        .map(|&(_, count)| count)
        .sum();
    at_least as f64 / binomial(m + n, m)
}

/// Two sorted frequency tables added together (counts of equal sums add).
fn merge_counts(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x.0 == y.0 => {
                out.push((x.0, x.1 + y.1));
                i += 1;
                j += 1;
            }
            (Some(&x), Some(&y)) if x.0 < y.0 => {
                out.push(x);
                i += 1;
            }
            (Some(&x), None) => {
                out.push(x);
                i += 1;
            }
            (_, Some(&y)) => {
                out.push(y);
                j += 1;
            }
            (None, None) => unreachable!("loop condition"),
        }
    }
    out
}

/// numpy's `floor_divide` for doubles (`npy_divmod`), so zeta rounds as in
/// scipy when the statistic comes from tied midranks.
fn floor_divide(a: f64, b: f64) -> f64 {
    let modulo = a % b;
    let mut div = (a - modulo) / b;
    if modulo != 0.0 && ((b < 0.0) != (modulo < 0.0)) {
        div -= 1.0;
    }
    if div == 0.0 {
        return (0.0f64).copysign(a / b);
    }
    let floor = div.floor();
    if div - floor > 0.5 {
        floor + 1.0
    } else {
        floor
    }
}

fn lcm(a: u64, b: u64) -> u64 {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    a / x * b
}

/// `math.comb(n, k)` (exact for the sizes the exact path sees) as f64.
fn binomial(n: usize, k: usize) -> f64 {
    let mut c: u128 = 1;
    for i in 1..=k as u128 {
        c = c * (n as u128 - k as u128 + i) / i;
    }
    c as f64
}

/// `_pval_cvm_2samp_asymptotic`: T standardised with its exact mean and
/// variance (Anderson 1962, eqs. 11, 14, 15) and referred to the limiting
/// one-sample distribution; 1 below 0.003, where that CDF is < 1.3e-18.
fn asymptotic_p_value(t: f64, nx: f64, ny: f64) -> f64 {
    let (k, n) = (nx * ny, nx + ny);
    let et = (1.0 + 1.0 / n) / 6.0;
    let vt =
        (n + 1.0) * (4.0 * k * n - 3.0 * (nx * nx + ny * ny) - 2.0 * k) / (45.0 * n * n * 4.0 * k);
    let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).sqrt();
    if tn < 0.003 {
        1.0
    } else {
        (1.0 - cdf_cvm_inf(tn)).max(0.0)
    }
}

/// `_cdf_cvm_inf`: the limiting CDF of the Cramér-von Mises statistic
/// (Csörgő and Faraway 1996, eq. 1.2), summed term by term until a term
/// falls below 1e-7, as scipy does (its truncation is part of its p-values).
fn cdf_cvm_inf(x: f64) -> f64 {
    let (mut total, mut k) = (0.0, 0u32);
    // Gamma(k + 1/2) / Gamma(k + 1), by its recurrence from sqrt(pi).
    let mut gamma_ratio = PI.sqrt();
    loop {
        let y = f64::from(4 * k + 1);
        let q = y * y / (16.0 * x);
        let u = gamma_ratio / (PI.powf(1.5) * x.sqrt());
        // exp(-q) K_{1/4}(q) = exp(-2q) (e^q K_{1/4}(q)), without underflow.
        let term = u * y.sqrt() * (-2.0 * q).exp() * scaled_bessel_k_quarter(q);
        total += term;
        if term.abs() < 1e-7 {
            return total;
        }
        gamma_ratio *= (f64::from(k) + 0.5) / (f64::from(k) + 1.0);
        k += 1;
    }
}

/// `e^x K_{1/4}(x)` for x > 0 (`scipy.special.kve(0.25, x)`), from
/// `K_nu(x) = int_0^inf exp(-x cosh t) cosh(nu t) dt` by the trapezoid rule:
/// the integrand is analytic and decays double-exponentially, so the rule
/// converges geometrically in 1/h. The step shrinks like 1/sqrt(x) with the
/// integrand's width; terms stop once `x (cosh t - 1) > 50`. Agrees with
/// mpmath to ~4e-16 relative over 1e-6..700 (scipy's AMOS `kv` is good to
/// ~1e-14 there).
fn scaled_bessel_k_quarter(x: f64) -> f64 {
    let h = (0.5 / x.sqrt()).min(0.1);
    let mut sum = 0.5; // half the integrand at t = 0, which is 1
    for i in 1.. {
        let t = f64::from(i) * h;
        let half_sinh = (t / 2.0).sinh();
        let exponent = 2.0 * x * half_sinh * half_sinh; // x (cosh t - 1)
        if exponent > 50.0 {
            break;
        }
        sum += (-exponent).exp() * (t / 4.0).cosh();
    }
    h * sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_result::fixture::{assert_matches, assert_statistic, load};
    use crate::stats::Side;

    /// Below 1e-9 the asymptotic p-value is `1 - cdf` with the cdf within
    /// ~1e-14 of 1, and scipy's `kv` inside it is itself off by up to 7e-14
    /// relative: scipy's digits there are rounding noise, so those p-values
    /// are compared absolutely (to 1e-13) instead of relatively.
    #[test]
    fn matches_scipy_cramervonmises_2samp() {
        let reference = load();
        for case in &reference.cases {
            let want = case.expected.cramer_von_mises.as_ref();
            let what = format!("{} (scipy {})", case.name, reference.scipy);
            let got = cramer_von_mises(&case.reference, &case.current);
            match (got, want) {
                (Ok(got), Some(want)) if want.p_value < 1e-9 => {
                    assert_statistic(&what, got.statistic, want.statistic);
                    let diff = (got.p_value - want.p_value).abs();
                    assert!(
                        diff < 1e-13,
                        "{what}: p {:e} vs {:e}",
                        got.p_value,
                        want.p_value
                    );
                }
                (got, want) => {
                    assert_matches(&what, got, want.map(|w| (w.statistic, w.p_value)));
                }
            }
        }
    }

    #[test]
    fn fixture_covers_both_paths_at_the_switch() {
        let cases = load().cases;
        let method = |name: &str| {
            let case = cases.iter().find(|c| c.name == name).expect(name);
            case.expected
                .cramer_von_mises
                .as_ref()
                .unwrap()
                .method
                .clone()
        };
        assert_eq!(method("cvm_exact_20_20").as_deref(), Some("exact"));
        assert_eq!(
            method("cvm_asymptotic_21_20").as_deref(),
            Some("asymptotic")
        );
    }

    #[test]
    fn limiting_cdf_matches_scipy() {
        for [x, want] in load().cvm_inf_cdf {
            let got = cdf_cvm_inf(x);
            assert!((got - want).abs() < 1e-13, "x={x}: {got:e} vs {want:e}");
        }
    }

    /// scipy's `kv` (AMOS) is itself off by up to ~7e-14 relative near
    /// x = 2 (checked with mpmath), hence the tolerance.
    #[test]
    fn bessel_k_matches_scipy_kv() {
        for [x, want] in load().bessel_k_quarter {
            let got = (-x).exp() * scaled_bessel_k_quarter(x);
            assert!(
                (got - want).abs() <= 1e-13 * want,
                "x={x}: {got:e} vs {want:e}"
            );
        }
    }

    #[test]
    fn symmetric_in_its_arguments() {
        for case in load().cases {
            if let (Ok(ab), Ok(ba)) = (
                cramer_von_mises(&case.reference, &case.current),
                cramer_von_mises(&case.current, &case.reference),
            ) {
                assert!((ab.statistic - ba.statistic).abs() < 1e-12, "{}", case.name);
                assert!((ab.p_value - ba.p_value).abs() < 1e-12, "{}", case.name);
            }
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(floor_divide(7.0, 2.0), 3.0);
        assert_eq!(floor_divide(-7.0, 2.0), -4.0);
        assert_eq!(floor_divide(-0.5, 6.0), -1.0);
        assert_eq!(lcm(4, 6), 12);
        assert_eq!(binomial(40, 20), 137_846_528_820.0);
        assert_eq!(
            merge_counts(&[(1, 2), (4, 1)], &[(1, 1), (3, 5)]),
            vec![(1, 3), (3, 5), (4, 1)]
        );
    }

    #[test]
    fn edge_cases() {
        assert_eq!(
            cramer_von_mises(&[], &[1.0]),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(
            cramer_von_mises(&[1.0, 2.0], &[]),
            Err(StatsError::Empty(Side::Current))
        );
        let err = cramer_von_mises(&[1.0], &[2.0, 3.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`cramer_von_mises` needs at least two values in each sample"
        );
        // Identical samples: T = 0 would need equal ranks; p is high.
        let x: Vec<f64> = (0..30).map(|i| f64::from(i) * 0.37).collect();
        let r = cramer_von_mises(&x, &x).unwrap();
        assert!(r.statistic.abs() < 0.01 && r.p_value > 0.99, "{r:?}");
    }
}
