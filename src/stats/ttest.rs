//! Two-sample t-tests on the means, as `scipy.stats.ttest_ind(reference,
//! current)` computes them: Student's (pooled variance) and Welch's
//! (unequal variances), both two-sided. Pure: no IO, no clock, no printing.

use statrs::function::gamma::ln_gamma;

use super::binning::non_empty;
use super::describe::summarize;
use super::test_result::TestResult;
use super::StatsError;

/// Student's t-test, `ttest_ind(reference, current, equal_var=True)`: the
/// difference of means over the pooled standard error, on `n1 + n2 - 2`
/// degrees of freedom. As scipy, a one-value side counts as having variance
/// 0 in the pooled estimate.
///
/// Undefined with fewer than 3 values in total, and when both samples are
/// constant (scipy returns t = ±inf with p = 0, or NaN).
pub fn student(reference: &[f64], current: &[f64]) -> Result<TestResult, StatsError> {
    let [a, b] = moments(reference, current, "t_test")?;
    student_from(a, b)
}

/// [`student`] from both sides' moments (a profile's, merged exactly).
pub fn student_from(a: Moments, b: Moments) -> Result<TestResult, StatsError> {
    spread(&[a, b], "t_test")?;
    if a.n + b.n < 3.0 {
        return Err(StatsError::Undefined(
            "`t_test` needs at least 3 values in both samples together".to_string(),
        ));
    }
    // `_equal_var_ttest_denom`.
    let df = a.n + b.n - 2.0;
    let pooled = ((a.n - 1.0) * a.variance + (b.n - 1.0) * b.variance) / df;
    let se = (pooled * (1.0 / a.n + 1.0 / b.n)).sqrt();
    finish(a.mean - b.mean, se, df)
}

/// Welch's t-test, `ttest_ind(reference, current, equal_var=False)`: the
/// difference of means over `sqrt(v1/n1 + v2/n2)`, with the
/// Welch-Satterthwaite degrees of freedom.
///
/// Undefined when a side has fewer than 2 values (its variance is unknown)
/// and when both samples are constant.
pub fn welch(reference: &[f64], current: &[f64]) -> Result<TestResult, StatsError> {
    let [a, b] = moments(reference, current, "welch")?;
    welch_from(a, b)
}

/// [`welch`] from both sides' moments (a profile's, merged exactly).
pub fn welch_from(a: Moments, b: Moments) -> Result<TestResult, StatsError> {
    spread(&[a, b], "welch")?;
    if a.n < 2.0 || b.n < 2.0 {
        return Err(StatsError::Undefined(
            "`welch` needs at least two values in each sample".to_string(),
        ));
    }
    // `_unequal_var_ttest_denom`.
    let (vn1, vn2) = (a.variance / a.n, b.variance / b.n);
    let df = (vn1 + vn2).powi(2) / (vn1 * vn1 / (a.n - 1.0) + vn2 * vn2 / (b.n - 1.0));
    finish(a.mean - b.mean, (vn1 + vn2).sqrt(), df)
}

/// Size, mean and sample variance (ddof = 1, 0 for a single value) of one
/// side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub n: f64,
    pub mean: f64,
    pub variance: f64,
}

/// Both sides' moments; `method` names the test in the error message.
fn moments(reference: &[f64], current: &[f64], method: &str) -> Result<[Moments; 2], StatsError> {
    non_empty(reference, current)?;
    let side = |values: &[f64]| {
        let summary = summarize(values).expect("checked non-empty");
        Moments {
            n: values.len() as f64,
            mean: summary.mean,
            variance: summary.std.map_or(0.0, |s| s * s),
        }
    };
    let sides = [side(reference), side(current)];
    spread(&sides, method)?;
    Ok(sides)
}

fn spread(sides: &[Moments; 2], method: &str) -> Result<(), StatsError> {
    if sides.iter().any(|m| m.n == 0.0) {
        return Err(StatsError::Undefined(format!(
            "`{method}` needs values on both sides"
        )));
    }
    if sides.iter().all(|m| m.variance == 0.0) {
        return Err(StatsError::Undefined(format!(
            "`{method}` needs spread: both samples are constant"
        )));
    }
    Ok(())
}

/// `_ttest_ind_from_stats`: t and `2 * stdtr(df, -|t|)`.
fn finish(difference: f64, se: f64, df: f64) -> Result<TestResult, StatsError> {
    let statistic = difference / se;
    Ok(TestResult {
        statistic,
        p_value: t_two_sided(statistic, df),
    })
}

/// The two-sided tail of Student's t with `df` degrees of freedom,
/// `2 * scipy.special.stdtr(df, -|t|)`, as the regularised incomplete beta
/// `I_x(df/2, 1/2)` with `x = df / (df + t^2)`. `1 - x` is passed separately,
/// computed as `t^2 / (df + t^2)`, so small t keeps its digits.
fn t_two_sided(t: f64, df: f64) -> f64 {
    let t2 = t * t;
    if t2 == 0.0 {
        return 1.0;
    }
    let (x, y) = (df / (df + t2), t2 / (df + t2));
    incomplete_beta(df / 2.0, 0.5, x, y).min(1.0)
}

/// The regularised incomplete beta `I_x(a, b)` (with `y = 1 - x`), by the
/// continued fraction of Numerical Recipes' `betacf` in Lentz's form,
/// evaluated where it converges quickly and reflected (`1 - I_y(b, a)`)
/// otherwise.
///
/// statrs' `beta_reg` stops after 140 terms, which is far too few for the
/// `a = df/2` of a million-value t-test (convergence takes O(sqrt(a)) terms
/// near the switch point), and takes `ln(1 - x)` from `x`; this allows
/// 100 000 terms and keeps `y` exact. The prefactor `x^a y^b / (a B(a, b))`
/// goes through logarithms; `ln B` of large `a` cancels digits (p-values
/// agree with scipy to ~2e-8 relative at df = 2e6), far below what a
/// p-value needs.
fn incomplete_beta(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if y <= 0.0 {
        return 1.0;
    }
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(b, a, y, x);
    }
    // ln x and ln y each from whichever of x, y is exact near its end.
    let ln_x = if y < 0.5 { (-y).ln_1p() } else { x.ln() };
    let ln_y = if x < 0.5 { (-x).ln_1p() } else { y.ln() };
    let ln_beta = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    let prefactor = (a * ln_x + b * ln_y - ln_beta).exp() / a;
    prefactor * beta_continued_fraction(a, b, x)
}

/// The continued fraction for `I_x(a, b)` (modified Lentz).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let clamp = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / clamp(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=100_000u32 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / clamp(1.0 + even * d);
        c = clamp(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / clamp(1.0 + odd * d);
        c = clamp(1.0 + odd / c);
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_result::fixture::{assert_matches, assert_p_value, load};
    use crate::stats::Side;

    #[test]
    fn matches_scipy_ttest_ind() {
        let reference = load();
        for case in &reference.cases {
            let what = format!("{} (scipy {})", case.name, reference.scipy);
            let expected = &case.expected;
            for (name, got, want) in [
                (
                    "student",
                    student(&case.reference, &case.current),
                    &expected.student,
                ),
                (
                    "welch",
                    welch(&case.reference, &case.current),
                    &expected.welch,
                ),
            ] {
                let want = want.as_ref().map(|w| (w.statistic, w.p_value));
                assert_matches(&format!("{what} {name}"), got, want);
            }
        }
    }

    #[test]
    fn t_tail_matches_scipy_stdtr() {
        // Includes df = 2e6 - 2, a million values per side.
        for [df, t, want] in load().t_sf {
            assert_p_value(&format!("df={df} t={t}"), t_two_sided(t, df), want);
        }
    }

    #[test]
    fn antisymmetric_in_its_arguments() {
        for case in load().cases {
            for test in [student, welch] {
                if let (Ok(ab), Ok(ba)) = (
                    test(&case.reference, &case.current),
                    test(&case.current, &case.reference),
                ) {
                    assert_eq!(ab.statistic, -ba.statistic, "{}", case.name);
                    assert_eq!(ab.p_value, ba.p_value, "{}", case.name);
                }
            }
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(
            student(&[], &[1.0]),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(welch(&[1.0], &[]), Err(StatsError::Empty(Side::Current)));
        let constant = student(&[1.0, 1.0], &[2.0, 2.0, 2.0]).unwrap_err();
        assert_eq!(
            constant.to_string(),
            "`t_test` needs spread: both samples are constant"
        );
        let one = welch(&[1.0], &[2.0, 3.0]).unwrap_err();
        assert_eq!(
            one.to_string(),
            "`welch` needs at least two values in each sample"
        );
        assert!(student(&[1.0], &[2.0, 3.0]).is_ok());
        let identical = [0.5, 1.0, 4.0, 4.5];
        let r = welch(&identical, &identical).unwrap();
        assert_eq!((r.statistic, r.p_value), (0.0, 1.0));
    }
}
