//! The two-sample Kolmogorov-Smirnov test, returning the same statistic and
//! p-value as `scipy.stats.ks_2samp(reference, current)` with its defaults
//! (two-sided, `method='auto'`). Pure: no IO.

use super::kolmogorov::{self, ExactOutcome};
use super::{Side, StatsError};

/// scipy's `MAX_AUTO_N`: `method='auto'` uses the exact distribution when
/// both samples are at most this large, the asymptotic one otherwise.
const MAX_EXACT_N: usize = 10_000;

/// Outcome of the two-sample KS test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsResult {
    /// D = max |F_ref(x) - F_cur(x)| over all observed x, in [0, 1]. On the
    /// exact path it is snapped to the lattice h / lcm(n, m), as scipy does.
    pub statistic: f64,
    /// P(D >= statistic) under the null hypothesis of a common distribution.
    pub p_value: f64,
    /// Whether the p-value comes from the exact null distribution; false
    /// when the samples are large or scipy's exact computation fails and the
    /// asymptotic `kstwo` distribution is used instead.
    pub exact: bool,
}

/// Two-sided two-sample KS test, matching `scipy.stats.ks_2samp`.
///
/// Both slices must hold finite values sorted ascending; the caller
/// guarantees it (checked in debug builds). The statistic takes one O(n + m)
/// merge. The p-value is exact when both sizes are at most 10 000 (up to
/// O(n * m) time for unequal sizes, as in scipy: about a second for 10 000
/// vs 9 999 completely separated values), else from the asymptotic
/// `kstwo` distribution, which costs at most a few milliseconds per 10^5 of
/// effective sample size.
///
/// # Errors
///
/// [`StatsError::Empty`] naming the side that has no values.
pub fn ks_2samp(reference: &[f64], current: &[f64]) -> Result<KsResult, StatsError> {
    ks_2samp_bounded(reference, current, None)
}

/// [`ks_2samp`], but the exact p-value of unequal sizes (O(n * m) time) is
/// only computed while `n * m <= max_exact_work`; beyond, the asymptotic
/// `kstwo` p-value is used, as scipy's `method='asymp'`. Equal sizes stay
/// exact up to 10 000 (O(n)). `None`: scipy's `method='auto'` exactly.
pub fn ks_2samp_bounded(
    reference: &[f64],
    current: &[f64],
    max_exact_work: Option<u64>,
) -> Result<KsResult, StatsError> {
    if reference.is_empty() {
        return Err(StatsError::Empty(Side::Reference));
    }
    if current.is_empty() {
        return Err(StatsError::Empty(Side::Current));
    }
    debug_assert!(
        is_sorted_finite(reference),
        "reference must be sorted and finite"
    );
    debug_assert!(
        is_sorted_finite(current),
        "current must be sorted and finite"
    );

    let d = ecdf_distance(reference, current);
    let (n1, n2) = (reference.len() as u64, current.len() as u64);
    let mut statistic = d;
    let affordable = n1 == n2 || max_exact_work.is_none_or(|work| n1 * n2 <= work);
    if reference.len().max(current.len()) <= MAX_EXACT_N && affordable {
        match kolmogorov::exact_two_sample(n1, n2, d) {
            ExactOutcome::Computed { statistic, p_value } => {
                return Ok(KsResult {
                    statistic,
                    p_value: p_value.clamp(0.0, 1.0),
                    exact: true,
                });
            }
            // scipy keeps the snapped statistic when it falls back.
            ExactOutcome::Failed { statistic: snapped } => statistic = snapped,
        }
    }
    let p_value = kolmogorov::asymptotic_two_sample_sf(n1, n2, statistic);
    Ok(KsResult {
        statistic,
        p_value: p_value.clamp(0.0, 1.0),
        exact: false,
    })
}

/// max |F1 - F2| over the pooled values, each ECDF taken after all values
/// tied with x (scipy's `searchsorted(..., side='right')`), by one merge of
/// the two sorted slices.
///
/// Like scipy, the positive and negative extremes are found separately from
/// the same `i/n1 - j/n2` quotients, and the larger wins, so swapping the
/// samples gives the same bits.
fn ecdf_distance(a: &[f64], b: &[f64]) -> f64 {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    // Past the end of a slice its next value is +inf, so the other side is
    // always taken (inputs are finite).
    let at = |s: &[f64], k: usize| s.get(k).copied().unwrap_or(f64::INFINITY);
    let (mut i, mut j) = (0, 0);
    let (mut max_diff, mut min_diff) = (0.0_f64, 0.0_f64);
    // Exactly one value is consumed per step, so this ends on any input.
    // The body is branch-free: on interleaved data a branchy merge spends
    // most of its time on mispredictions.
    for _ in 0..a.len() + b.len() {
        let (x, y) = (at(a, i), at(b, j));
        let take_a = x <= y;
        let value = if take_a { x } else { y };
        i += usize::from(take_a);
        j += usize::from(!take_a);
        // Evaluate only once every copy of `value` on both sides is counted.
        let next = at(a, i).min(at(b, j));
        let diff = if next > value {
            i as f64 / na - j as f64 / nb
        } else {
            0.0
        };
        max_diff = max_diff.max(diff);
        min_diff = min_diff.min(diff);
    }
    let min_s = (-min_diff).clamp(0.0, 1.0);
    if min_s > max_diff {
        min_s
    } else {
        max_diff
    }
}

fn is_sorted_finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite()) && values.is_sorted()
}

#[cfg(test)]
mod tests {
    //! Reference values: `fixtures/reference/ks.json`, written by
    //! `scripts/reference/ks_reference.py` from `scipy.stats.ks_2samp`
    //! (scipy and numpy versions are recorded in the file). Large samples are
    //! stored as generator specs; `generate` below is the script's generator.

    use super::super::kolmogorov::tests::assert_p_value_close;
    use super::*;

    #[derive(serde::Deserialize)]
    struct Fixture {
        scipy: String,
        ks_2samp: Vec<Case>,
    }

    #[derive(serde::Deserialize)]
    struct Case {
        name: String,
        reference: SampleSpec,
        current: SampleSpec,
        statistic: f64,
        p_value: f64,
        method: String,
    }

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum SampleSpec {
        Values(Vec<f64>),
        Gen(GenSpec),
    }

    #[derive(serde::Deserialize)]
    struct GenSpec {
        seed: u64,
        n: usize,
        loc: f64,
        scale: f64,
        step: f64,
    }

    /// splitmix64 uniforms in [0, 1), as in `ks_reference.py`.
    struct SplitMix64(u64);

    impl SplitMix64 {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 * 2f64.powi(-53)
        }
    }

    /// The sample a spec describes, sorted: an Irwin-Hall(4) variate
    /// `loc + scale * (u1 + u2 + u3 + u4 - 2)`, rounded to multiples of
    /// `step` when it is positive (see the script's docstring).
    fn generate(spec: &GenSpec) -> Vec<f64> {
        let mut rng = SplitMix64(spec.seed);
        let mut out: Vec<f64> = (0..spec.n)
            .map(|_| {
                let s = ((rng.uniform() + rng.uniform()) + rng.uniform()) + rng.uniform();
                let v = spec.loc + spec.scale * (s - 2.0);
                if spec.step > 0.0 {
                    (v / spec.step + 0.5).floor() * spec.step
                } else {
                    v
                }
            })
            .collect();
        out.sort_unstable_by(f64::total_cmp);
        out
    }

    fn sample(spec: &SampleSpec) -> Vec<f64> {
        match spec {
            SampleSpec::Values(v) => {
                let mut v = v.clone();
                v.sort_unstable_by(f64::total_cmp);
                v
            }
            SampleSpec::Gen(g) => generate(g),
        }
    }

    fn fixture() -> Fixture {
        serde_json::from_str(include_str!("../../fixtures/reference/ks.json"))
            .expect("ks.json parses")
    }

    #[test]
    fn matches_scipy_reference_cases() {
        let fixture = fixture();
        assert!(fixture.ks_2samp.len() >= 40, "scipy {}", fixture.scipy);
        for method in ["exact", "asymp", "exact_fallback"] {
            assert!(
                fixture.ks_2samp.iter().any(|c| c.method == method),
                "no reference case takes scipy's {method} path"
            );
        }
        for case in &fixture.ks_2samp {
            let (x, y) = (sample(&case.reference), sample(&case.current));
            let got = ks_2samp(&x, &y).unwrap();
            let what = format!("{} ({} vs {})", case.name, x.len(), y.len());
            assert!(
                (got.statistic - case.statistic).abs() <= 1e-12,
                "{what}: D = {}, scipy {}",
                got.statistic,
                case.statistic
            );
            assert_p_value_close(got.p_value, case.p_value, &what);
            assert_eq!(got.exact, case.method == "exact", "{what}: path");
        }
    }

    #[test]
    fn bounded_work_switches_unequal_sizes_to_the_asymptotic_p_value() {
        let a: Vec<f64> = (0..3000).map(|i| i as f64 / 3000.0).collect();
        let b: Vec<f64> = (0..2900).map(|i| i as f64 / 2900.0 + 0.03).collect();
        let exact = ks_2samp(&a, &b).unwrap();
        assert!(exact.exact);
        assert_eq!(ks_2samp_bounded(&a, &b, Some(10_000_000)).unwrap(), exact);
        let asymp = ks_2samp_bounded(&a, &b, Some(1_000_000)).unwrap();
        assert!(!asymp.exact);
        assert!(
            (asymp.p_value / exact.p_value - 1.0).abs() < 0.05,
            "{asymp:?} vs {exact:?}"
        );
        // Equal sizes stay exact: that path is O(n).
        assert!(ks_2samp_bounded(&a, &a, Some(0)).unwrap().exact);
    }

    #[test]
    fn empty_side_is_an_error() {
        assert_eq!(
            ks_2samp(&[], &[1.0]),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(ks_2samp(&[1.0], &[]), Err(StatsError::Empty(Side::Current)));
        assert_eq!(ks_2samp(&[], &[]), Err(StatsError::Empty(Side::Reference)));
    }

    /// Pairs of samples exercising every path: tiny, tied, equal and
    /// unequal sizes, exact and asymptotic, separated and overlapping.
    fn property_samples() -> Vec<(Vec<f64>, Vec<f64>)> {
        let spec = |seed, n, loc, step| GenSpec {
            seed,
            n,
            loc,
            scale: 1.0,
            step,
        };
        let mut pairs = vec![
            (vec![0.0], vec![0.0]),
            (vec![0.0], vec![1.0]),
            (vec![1.0, 1.0], vec![1.0]),
        ];
        for (k, &(n1, n2)) in [
            (1, 2),
            (2, 2),
            (3, 7),
            (13, 13),
            (40, 25),
            (300, 299),
            (12_000, 90),
        ]
        .iter()
        .enumerate()
        {
            let seed = 1000 + 10 * k as u64;
            for (loc, step) in [(0.0, 0.0), (0.3, 0.0), (0.2, 0.5), (50.0, 0.0)] {
                pairs.push((
                    generate(&spec(seed, n1, 0.0, step)),
                    generate(&spec(seed + 1, n2, loc, step)),
                ));
            }
        }
        pairs
    }

    #[test]
    fn p_value_is_a_probability_and_statistic_in_unit_interval() {
        for (x, y) in property_samples() {
            let r = ks_2samp(&x, &y).unwrap();
            assert!((0.0..=1.0).contains(&r.statistic), "{r:?}");
            assert!((0.0..=1.0).contains(&r.p_value), "{r:?}");
        }
    }

    #[test]
    fn symmetric_in_argument_order() {
        for (x, y) in property_samples() {
            assert_eq!(
                ks_2samp(&x, &y),
                ks_2samp(&y, &x),
                "{} vs {}",
                x.len(),
                y.len()
            );
        }
    }

    #[test]
    fn identical_samples_give_zero_and_one() {
        let spec = |n, step| GenSpec {
            seed: 7,
            n,
            loc: 0.0,
            scale: 1.0,
            step,
        };
        for (n, step) in [(1, 0.0), (2, 1.0), (17, 0.0), (500, 0.25), (10_001, 0.0)] {
            let x = generate(&spec(n, step));
            let r = ks_2samp(&x, &x).unwrap();
            assert_eq!((r.statistic, r.p_value), (0.0, 1.0), "n = {n}");
        }
    }

    #[test]
    fn separated_tiny_samples_match_closed_forms() {
        // n vs n with no overlap: p = 2 / C(2n, n).
        let r = ks_2samp(&[1.0, 2.0], &[3.0, 4.0]).unwrap();
        assert_eq!(r.statistic, 1.0);
        assert!((r.p_value - 2.0 / 6.0).abs() < 1e-15);
        assert!(r.exact);
        // A single value each can never be significant.
        assert_eq!(ks_2samp(&[0.0], &[5.0]).unwrap().p_value, 1.0);
    }

    #[test]
    fn statistic_counts_ties_on_both_sides() {
        // At x = 1: F_ref = 2/3, F_cur = 1/2; at x = 2 both are 1.
        let d = ecdf_distance(&[1.0, 1.0, 2.0], &[1.0, 2.0]);
        assert!((d - (2.0 / 3.0 - 0.5)).abs() < 1e-15);
        // All tied: no difference at all.
        assert_eq!(ecdf_distance(&[3.0; 4], &[3.0; 9]), 0.0);
    }
}
