//! The statistic and p-value a two-sample test reports, shared by the tests
//! in `anderson`, `cramer`, `ranks`, `ttest`, `epps` and `mmd`. Pure data.

/// What a two-sample test reports: its statistic, in the test's own units
/// (scipy's convention for each), and the two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TestResult {
    pub statistic: f64,
    pub p_value: f64,
}

/// The reference cases in `fixtures/reference/numeric_tests.json`, shared by
/// the tests of every numerical two-sample test. The file is written by
/// `scripts/reference/numeric_tests_reference.py`: seeded samples with the
/// values scipy 1.18 returns for them (and an independent numpy
/// implementation of the MMD test); see that script for what each field is.
#[cfg(test)]
pub(crate) mod fixture {
    use serde::Deserialize;

    use super::TestResult;
    use crate::stats::StatsError;

    #[derive(Deserialize)]
    pub struct Reference {
        pub scipy: String,
        pub cases: Vec<Case>,
        /// `[df, t, 2 * scipy.special.stdtr(df, -t)]`.
        pub t_sf: Vec<[f64; 3]>,
        /// `[x, scipy.stats._hypotests._cdf_cvm_inf(x)]`.
        pub cvm_inf_cdf: Vec<[f64; 2]>,
        /// `[x, scipy.special.kv(0.25, x)]`.
        pub bessel_k_quarter: Vec<[f64; 2]>,
        /// `[df, x, scipy.special.chdtrc(df, x)]`.
        pub chi2_sf: Vec<[f64; 3]>,
        pub mmd: Vec<MmdCase>,
    }

    /// Two sorted samples and what each test returns for them; `None` means
    /// the test is undefined there (`StatsError::Undefined`).
    #[derive(Deserialize)]
    pub struct Case {
        pub name: String,
        pub reference: Vec<f64>,
        pub current: Vec<f64>,
        pub expected: Expected,
    }

    #[derive(Deserialize)]
    pub struct Expected {
        pub anderson: Option<AndersonExpected>,
        pub cramer_von_mises: Option<PValueExpected>,
        pub mann_whitney: Option<PValueExpected>,
        pub student: Option<PValueExpected>,
        pub welch: Option<PValueExpected>,
        pub epps_singleton: Option<EppsExpected>,
        pub energy_distance: f64,
        pub energy_distance_norm: f64,
    }

    #[derive(Deserialize)]
    pub struct AndersonExpected {
        pub statistic: f64,
        pub significance_level: f64,
        pub capped: bool,
    }

    #[derive(Deserialize)]
    pub struct PValueExpected {
        pub statistic: f64,
        pub p_value: f64,
        /// Which p-value path scipy took (`exact` or `asymptotic`), where
        /// the test has two.
        pub method: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct EppsExpected {
        pub statistic: f64,
        pub p_value: f64,
        pub corrected: bool,
        pub rank: usize,
    }

    /// Samples small enough that the MMD test uses them whole, with the
    /// numpy statistic and a numpy permutation p-value.
    #[derive(Deserialize)]
    pub struct MmdCase {
        pub name: String,
        pub reference: Vec<f64>,
        pub current: Vec<f64>,
        pub sigma: f64,
        pub statistic: f64,
        pub p_value: f64,
        pub permutations: usize,
    }

    pub fn load() -> Reference {
        serde_json::from_str(include_str!("../../fixtures/reference/numeric_tests.json"))
            .expect("fixtures/reference/numeric_tests.json parses")
    }

    /// Statistics: 1e-6 absolute, relative for statistics larger than 1
    /// (a U statistic in the millions carries no more digits than that).
    pub fn assert_statistic(what: &str, got: f64, want: f64) {
        let tolerance = 1e-6 * want.abs().max(1.0);
        assert!(
            (got - want).abs() <= tolerance,
            "{what}: statistic {got:e}, scipy {want:e}"
        );
    }

    /// p-values: 1e-6 absolute and, below 1e-2, also 1e-4 relative.
    pub fn assert_p_value(what: &str, got: f64, want: f64) {
        let tolerance = if want < 1e-2 { 1e-4 * want } else { 1e-6 };
        assert!(
            (got - want).abs() <= tolerance,
            "{what}: p-value {got:e}, scipy {want:e}"
        );
    }

    /// A test's result against the expectation for one case: both numbers
    /// when scipy defines them, `StatsError::Undefined` when it does not.
    pub fn assert_matches(
        what: &str,
        got: Result<TestResult, StatsError>,
        want: Option<(f64, f64)>,
    ) {
        match (got, want) {
            (Ok(got), Some((statistic, p_value))) => {
                assert_statistic(what, got.statistic, statistic);
                assert_p_value(what, got.p_value, p_value);
                assert!(
                    (0.0..=1.0).contains(&got.p_value),
                    "{what}: p outside [0, 1]"
                );
            }
            (Err(StatsError::Undefined(message)), None) => {
                assert!(
                    !message.is_empty() && !message.ends_with('.'),
                    "{what}: {message}"
                );
            }
            (got, want) => panic!("{what}: got {got:?}, scipy {want:?}"),
        }
    }
}

/// A timing check to run by hand, not in CI (it asserts results, not
/// times): every numerical two-sample test on a million normal values per
/// side. `cargo test --release -- --ignored numeric_tests_timing --nocapture`
#[cfg(test)]
mod timing {
    use std::time::Instant;

    use crate::stats::rng::Rng;
    use crate::stats::{anderson, cramer, energy, epps, mmd, ranks, ttest};

    /// `n` sorted normal values (Box-Muller on the crate's seeded RNG).
    fn normals(seed: u64, n: usize, loc: f64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut values: Vec<f64> = (0..n)
            .map(|_| {
                let radius = (-2.0 * (1.0 - rng.next_f64()).ln()).sqrt();
                loc + radius * (std::f64::consts::TAU * rng.next_f64()).cos()
            })
            .collect();
        values.sort_unstable_by(f64::total_cmp);
        values
    }

    fn timed(name: &str, run: impl FnOnce() -> (f64, f64)) {
        let start = Instant::now();
        let (statistic, p) = run();
        let ms = start.elapsed().as_secs_f64() * 1e3;
        eprintln!("{name:<28} {ms:>9.1} ms   statistic {statistic:<12.6e} p {p:.6e}");
        assert!(statistic.is_finite() && (0.0..=1.0).contains(&p), "{name}");
    }

    #[test]
    #[ignore = "timing check, run by hand in release mode"]
    fn numeric_tests_timing() {
        let (x, y) = (normals(1, 1_000_000, 0.0), normals(2, 1_000_000, 0.002));
        let small = normals(3, 8, 0.5);
        let ok = |r: Result<super::TestResult, _>| {
            let r = r.expect("defined");
            (r.statistic, r.p_value)
        };
        timed("anderson_ksamp", || {
            let r = anderson::anderson_ksamp(&x, &y).expect("defined");
            (r.statistic, r.significance_level)
        });
        timed("cramer_von_mises", || ok(cramer::cramer_von_mises(&x, &y)));
        timed("mann_whitney", || ok(ranks::mann_whitney(&x, &y)));
        timed("mann_whitney 8 vs 1M (exact)", || {
            ok(ranks::mann_whitney(&small, &y))
        });
        timed("student", || ok(ttest::student(&x, &y)));
        timed("welch", || ok(ttest::welch(&x, &y)));
        timed("epps_singleton", || ok(epps::epps_singleton(&x, &y)));
        timed("energy_distance", || (energy::energy_distance(&x, &y), 0.0));
        timed("energy_distance_norm", || {
            (energy::energy_distance_norm(&x, &y).expect("defined"), 0.0)
        });
        timed("mmd_test (2000/side, B=200)", || {
            let r = mmd::mmd_test(&x, &y, mmd::MmdOptions::default()).expect("defined");
            (r.statistic, r.p_value)
        });
    }
}
