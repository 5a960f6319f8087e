//! Tests on the 2 x k table of category counts (a reference row and a current
//! row): Fisher's exact test, the G-test, the total variation distance with a
//! permutation p-value, and the L-infinity distance. Pure: no IO, no clock,
//! no printing.
//!
//! Everything works on the counts, never on rows, so a test on millions of
//! rows costs the same as one on a hundred. As in `categorical.rs`, a
//! category with a zero count on both sides is ignored.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::rng::Rng;
use super::{CategoryCounts, Side, StatsError};

/// Permutations for [`tvd`]'s p-value unless the caller asks for another
/// number: the p-value's Monte Carlo standard error is then at most
/// `sqrt(0.25 / 1000)` ≈ 0.016, and about 0.007 around p = 0.05.
pub const DEFAULT_PERMUTATIONS: usize = 1000;

/// scipy's `fisher_exact` treats two table probabilities as equal when they
/// differ by at most this much, relatively (`epsilon = 1e-14`, `gamma = 1 +
/// epsilon` in scipy 1.18's `_stats_py.py`).
const FISHER_RELATIVE_TIE: f64 = 1e-14;

/// A permuted table counts as at least as extreme as the observed one when
/// its distance is no more than this below it, so that tables equal to the
/// observed one up to rounding are counted.
const PERMUTATION_TIE: f64 = 1e-12;

/// The total variation distance and its permutation p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TvdResult {
    /// `0.5 * sum |p_i - q_i|` over the two share vectors, in [0, 1].
    pub distance: f64,
    /// The share of permuted tables at least as far apart, `(1 + #{d_perm >=
    /// d}) / (1 + permutations)`, in (0, 1].
    pub p_value: f64,
}

/// Fisher's exact test on the 2 x 2 table `[[ref_a, ref_b], [cur_a, cur_b]]`,
/// two-sided: `scipy.stats.fisher_exact(table).pvalue`.
///
/// Given the margins, the top-left cell is hypergeometric; the p-value sums
/// the probabilities of the tables no more likely than the observed one (up
/// to scipy's relative tie tolerance of 1e-14). scipy finds the tail on the
/// far side of the mode by binary search and sums both tails with Boost's
/// hypergeometric CDF; we do the same, with the probabilities in log space
/// (so no size overflows or underflows) and each tail summed outward from
/// its start only while its terms still matter, which costs O(sqrt(n)) for
/// n rows: well under a millisecond for millions of rows.
///
/// Against 40-digit sums (mpmath) on million-row tables ours is within
/// 2e-15 relative; scipy's is within 3e-10 (Boost's probabilities), which is
/// how far apart the two are at worst on the reference tables.
///
/// - Exactly 2 categories across both samples; 1 category gives 1.0 (scipy:
///   a zero column sum gives 1.0), more are `StatsError::Undefined`.
pub fn fisher_exact(counts: &CategoryCounts) -> Result<f64, StatsError> {
    let table = Table::new(counts)?;
    let (reference_a, current_a) = match table.cells[..] {
        [_] => return Ok(1.0),
        [first, _] => first,
        _ => {
            return Err(StatsError::Undefined(format!(
                "`fisher_exact` needs exactly 2 categories, found {}; use `chisquare` or `g_test`",
                table.cells.len()
            )))
        }
    };
    // scipy's parametrisation: `hypergeom(M = n1 + n2, n = n1, N = c00 + c10)`
    // for the cell c00, with n1 the first row's total.
    let distribution = Hypergeometric {
        population: table.reference_total + table.current_total,
        successes: table.reference_total,
        draws: reference_a + current_a,
    };
    Ok(distribution.two_sided_p_value(reference_a))
}

/// The G-test (log-likelihood ratio) of the current counts against the
/// reference shares scaled to the current size:
/// `scipy.stats.power_divergence(f_obs, f_exp, lambda_="log-likelihood")`
/// with `f_obs` = current counts, `f_exp` = reference counts times
/// `n_cur / n_ref`; `G = 2 * sum f_obs * ln(f_obs / f_exp)` and the p-value
/// is `chi2.sf(G, k - 1)`.
///
/// Evidently's `g_test` passes the raw reference counts as `f_exp`, which
/// scipy rejects (`ValueError`) whenever the two samples differ in size;
/// scaling the expected counts, as Evidently's `chisquare` does, makes the
/// test usable for any sizes and equals Evidently's when the sizes agree.
///
/// - A category present only in the current sample has an expected count of
///   0: scipy's statistic is `inf` and its p-value exactly 0. We return 0 too,
///   so a new category is drift, as in `chisquare`.
/// - A category that vanished from the current sample contributes
///   `0 * ln 0 = 0` to scipy's sum, as here.
/// - One category overall leaves 0 degrees of freedom (scipy: NaN):
///   `StatsError::Undefined`.
pub fn g_test(counts: &CategoryCounts) -> Result<f64, StatsError> {
    let table = Table::new(counts)?;
    if table.cells.len() < 2 {
        return Err(StatsError::Undefined(
            "`g_test` needs at least 2 categories across both samples, found 1".to_string(),
        ));
    }
    if table.cells.iter().any(|&(reference, _)| reference == 0) {
        return Ok(0.0);
    }
    // Summing the deviance terms `obs ln(obs / exp) - obs + exp`, each >= 0,
    // gives the same G (the added terms sum to n_cur - n_cur = 0) without the
    // cancellation of scipy's signed `xlogy` terms when G is small. The
    // expected count is `reference * n_cur / n_ref`, exact whenever it is a
    // whole number, so equal shares give G = 0 and p = 1 exactly.
    let (n_ref, n_cur) = (table.reference_total as f64, table.current_total as f64);
    let statistic: f64 = 2.0
        * table
            .cells
            .iter()
            .map(|&(reference, current)| deviance(current as f64, reference as f64 * n_cur / n_ref))
            .sum::<f64>();
    let dof = (table.cells.len() - 1) as f64;
    let chi2 = ChiSquared::new(dof).map_err(|e| {
        StatsError::Undefined(format!("chi-square with {dof} degrees of freedom: {e}"))
    })?;
    Ok(chi2.sf(statistic))
}

/// The total variation distance between the two share vectors, with a
/// seeded permutation p-value.
///
/// Permuting the rows between the samples keeps the pooled counts, and the
/// current sample's counts are then multivariate hypergeometric: drawing
/// `n_cur` rows without replacement from the pool. We draw that table
/// directly, category by category (each count hypergeometric given what is
/// left of the pool and of the draws), so a permutation costs O(k), not
/// O(rows). Permutation `i` uses `Rng::stream(seed, i)`, so the p-value is the
/// same however rayon splits the work.
///
/// `permutations == 0` is `StatsError::Undefined` (no p-value to report);
/// [`total_variation`] gives the distance alone.
pub fn tvd(
    counts: &CategoryCounts,
    permutations: usize,
    seed: u64,
) -> Result<TvdResult, StatsError> {
    tvd_sequential(counts, permutations, None, seed)
}

/// [`tvd`] with Besag & Clifford's sequential stop after `stop_after`
/// permutations at least as extreme (see `sequential::p_value`); `None`
/// runs all `permutations`, exactly as [`tvd`].
pub fn tvd_sequential(
    counts: &CategoryCounts,
    permutations: usize,
    stop_after: Option<usize>,
    seed: u64,
) -> Result<TvdResult, StatsError> {
    let table = Table::new(counts)?;
    if permutations == 0 {
        return Err(StatsError::Undefined(
            "`tvd` needs at least 1 permutation for its p-value, got 0".to_string(),
        ));
    }
    let distance = table.tvd_of(|cell| cell);
    let threshold = distance - PERMUTATION_TIE;
    let p = super::sequential::p_value(permutations, stop_after, 64, |range| {
        range
            .map(|i| table.permuted_total_variation(&mut Rng::stream(seed, i as u64)) >= threshold)
            .collect()
    });
    Ok(TvdResult {
        distance,
        p_value: p.p_value,
    })
}

/// Splits category counts at random: `draws` rows drawn without replacement
/// from the rows `counts` describes, as counts per category (the rest is
/// `counts - drawn`). Seeded by `rng`; O(categories).
pub fn random_split(counts: &[u64], draws: u64, rng: &mut Rng) -> Vec<u64> {
    let mut population: u64 = counts.iter().sum();
    let mut left = draws.min(population);
    counts
        .iter()
        .map(|&successes| {
            let drawn = Hypergeometric {
                population,
                successes,
                draws: left,
            }
            .sample(rng);
            population -= successes;
            left -= drawn;
            drawn
        })
        .collect()
}

/// The total variation distance `0.5 * sum |p_i - q_i|` between the share
/// vectors, in [0, 1], without a p-value.
pub fn total_variation(counts: &CategoryCounts) -> Result<f64, StatsError> {
    let table = Table::new(counts)?;
    Ok(table.tvd_of(|cell| cell))
}

/// The L-infinity distance `max_i |p_i - q_i|` between the share vectors
/// (NannyML's `L-infinity` method for categorical columns), in [0, 1].
pub fn linf(counts: &CategoryCounts) -> Result<f64, StatsError> {
    let table = Table::new(counts)?;
    Ok(table
        .shares()
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max))
}

/// The categories seen on either side, as `(reference, current)` counts,
/// with each side's total (both > 0).
struct Table {
    cells: Vec<(u64, u64)>,
    reference_total: u64,
    current_total: u64,
}

impl Table {
    fn new(counts: &CategoryCounts) -> Result<Table, StatsError> {
        if counts.reference.len() != counts.current.len() {
            return Err(StatsError::Undefined(format!(
                "the category counts are not aligned: {} reference categories, {} current ones",
                counts.reference.len(),
                counts.current.len()
            )));
        }
        let cells: Vec<(u64, u64)> = counts
            .reference
            .iter()
            .copied()
            .zip(counts.current.iter().copied())
            .filter(|&(reference, current)| reference > 0 || current > 0)
            .collect();
        let reference_total = cells.iter().map(|&(reference, _)| reference).sum();
        let current_total = cells.iter().map(|&(_, current)| current).sum();
        match (reference_total, current_total) {
            (0, _) => Err(StatsError::Empty(Side::Reference)),
            (_, 0) => Err(StatsError::Empty(Side::Current)),
            _ => Ok(Table {
                cells,
                reference_total,
                current_total,
            }),
        }
    }

    /// `(p_i, q_i)`: each category's share of the reference and the current
    /// sample.
    fn shares(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let (n_ref, n_cur) = (self.reference_total as f64, self.current_total as f64);
        self.cells
            .iter()
            .map(move |&(reference, current)| (reference as f64 / n_ref, current as f64 / n_cur))
    }

    /// The TVD of the table whose cell `i` is `cell((r_i, c_i))`. Observed and
    /// permuted tables go through this one expression, so a permuted table
    /// equal to the observed one gets exactly the same distance.
    fn tvd_of(&self, mut cell: impl FnMut((u64, u64)) -> (u64, u64)) -> f64 {
        let (n_ref, n_cur) = (self.reference_total as f64, self.current_total as f64);
        let sum: f64 = self
            .cells
            .iter()
            .map(|&pooled| {
                let (reference, current) = cell(pooled);
                (reference as f64 / n_ref - current as f64 / n_cur).abs()
            })
            .sum();
        0.5 * sum
    }

    /// The TVD of one random table with this table's margins: category by
    /// category, the current count is hypergeometric (the rows left in the
    /// pool, this category's pooled count among them, the current rows still
    /// to draw), the reference count the rest of the category.
    fn permuted_total_variation(&self, rng: &mut Rng) -> f64 {
        let mut population = self.reference_total + self.current_total;
        let mut draws = self.current_total;
        self.tvd_of(|(reference, current)| {
            let pooled = reference + current;
            let drawn = Hypergeometric {
                population,
                successes: pooled,
                draws,
            }
            .sample(rng);
            population -= pooled;
            draws -= drawn;
            (pooled - drawn, drawn)
        })
    }
}

/// The number of successes in `draws` draws without replacement from
/// `population` items of which `successes` are successes.
#[derive(Debug, Clone, Copy)]
struct Hypergeometric {
    population: u64,
    successes: u64,
    draws: u64,
}

impl Hypergeometric {
    fn failures(&self) -> u64 {
        self.population - self.successes
    }

    /// The smallest and largest possible counts.
    fn support(&self) -> (u64, u64) {
        (
            self.draws.saturating_sub(self.failures()),
            self.draws.min(self.successes),
        )
    }

    /// `floor((draws + 1) (successes + 1) / (population + 2))`, the mode as
    /// scipy's `fisher_exact` computes it (in exact integer arithmetic here).
    fn mode(&self) -> u64 {
        let product = (self.draws as u128 + 1) * (self.successes as u128 + 1);
        let (lo, hi) = self.support();
        ((product / (self.population as u128 + 2)) as u64).clamp(lo, hi)
    }

    /// `ln P(X = k)`, with an absolute error of a few ulps of `ln P` itself at
    /// any population size: Loader's saddle-point form, as R's `dhyper`
    /// computes it, writes the probability as a ratio of three binomial
    /// probabilities at `p = draws / population` and each of those through
    /// the Stirling error and the deviance, so no large log-factorials cancel
    /// (sums of `ln_gamma` would be off by ~1e-9 on million-row tables).
    fn ln_pmf(&self, k: u64) -> f64 {
        let (lo, hi) = self.support();
        if k < lo || k > hi {
            return f64::NEG_INFINITY;
        }
        let population = self.population as f64;
        let p = self.draws as f64 / population;
        let q = (self.population - self.draws) as f64 / population;
        ln_binomial_pmf(k as f64, self.successes as f64, p, q)
            + ln_binomial_pmf((self.draws - k) as f64, self.failures() as f64, p, q)
            - ln_binomial_pmf(self.draws as f64, population, p, q)
    }

    /// `P(X = k + 1) / P(X = k)`, for `k` below the top of the support.
    fn ratio_up(&self, k: u64) -> f64 {
        let numerator = (self.successes - k) as f64 * (self.draws - k) as f64;
        let denominator = (k + 1) as f64 * ((self.failures() + k + 1) - self.draws) as f64;
        numerator / denominator
    }

    /// `P(X = k - 1) / P(X = k)`, for `k` above the bottom of the support.
    fn ratio_down(&self, k: u64) -> f64 {
        let numerator = k as f64 * ((self.failures() + k) - self.draws) as f64;
        let denominator = (self.successes - k + 1) as f64 * (self.draws - k + 1) as f64;
        numerator / denominator
    }

    /// `P(X = to) / P(X = from)`, as the product of the consecutive ratios.
    fn ratio_between(&self, from: u64, to: u64) -> f64 {
        if to >= from {
            (from..to).map(|k| self.ratio_up(k)).product()
        } else {
            (to + 1..=from).rev().map(|k| self.ratio_down(k)).product()
        }
    }

    /// scipy's two-sided `fisher_exact` p-value for the observed count `x`:
    /// 1 if `x` is as likely as the mode; otherwise `P(X <= x)` plus the
    /// probability of the far side's counts less likely than `x` (for `x`
    /// below the mode; mirrored above it). scipy's binary search compares
    /// with `<` on the upper side and `<=` on the lower side; so do we.
    fn two_sided_p_value(&self, x: u64) -> f64 {
        let (lo, hi) = self.support();
        let mode = self.mode();
        let ln_observed = self.ln_pmf(x);
        let ln_mode = self.ln_pmf(mode);
        // scipy's relative tolerance of 1e-14 is an absolute 1e-14 between
        // log-probabilities, which is less than the rounding error of ln P
        // itself once |ln P| passes ~50 (an ulp of 425 is 6e-14): alone, it
        // would split tables that tie exactly, such as mirror images when a
        // margin splits evenly, and halve their p-value. So the band is
        // widened by a bound on that rounding error. Only probabilities
        // within ~1e-12 relative of each other, without being equal, can then
        // be classed differently from scipy, whose own probabilities are off
        // by ~3e-10 relative on million-row tables.
        let tie = FISHER_RELATIVE_TIE.ln_1p() + 32.0 * f64::EPSILON * (ln_observed.abs() + 1.0);
        let above_observed = |k: u64| self.ln_pmf(k) - ln_observed;
        if (ln_mode - ln_observed).abs() <= tie {
            return 1.0;
        }
        // Both tails are summed relative to P(X = x), so the sums stay near
        // 1 even when the probabilities themselves underflow.
        let (observed_tail, far_tail) = if x < mode {
            let start = partition_point(mode + 1, hi + 1, |k| above_observed(k) >= tie);
            let far = if start <= hi {
                self.tail_sum(start, Direction::Up, ln_observed)
            } else {
                0.0
            };
            (self.tail_sum(x, Direction::Down, ln_observed), far)
        } else {
            let end = partition_point(lo, mode, |k| above_observed(k) <= tie);
            let far = if end > lo {
                self.tail_sum(end - 1, Direction::Down, ln_observed)
            } else {
                0.0
            };
            (self.tail_sum(x, Direction::Up, ln_observed), far)
        };
        (ln_observed + (observed_tail + far_tail).ln())
            .exp()
            .min(1.0)
    }

    /// `sum P(X = k) / exp(ln_scale)` over `k` from `start` outward (away from
    /// the mode) to the end of the support, stopping once the rest cannot
    /// change the sum. The first term comes from [`Self::ln_pmf`], the others
    /// by the ratio of consecutive probabilities; the rounding error this
    /// accumulates stays near 1e-13 relative even over the widest tails.
    fn tail_sum(&self, start: u64, direction: Direction, ln_scale: f64) -> f64 {
        let (lo, hi) = self.support();
        let mut term = (self.ln_pmf(start) - ln_scale).exp();
        let mut sum = 0.0;
        let mut k = start;
        loop {
            sum += term;
            let (next, ratio) = match direction {
                Direction::Up if k < hi => (k + 1, self.ratio_up(k)),
                Direction::Down if k > lo => (k - 1, self.ratio_down(k)),
                _ => break,
            };
            // The hypergeometric distribution is log-concave, so beyond the
            // mode the ratios only shrink and the rest of the tail is below
            // the geometric series term * (ratio + ratio^2 + ...).
            if term == 0.0 || (ratio < 1.0 && term * ratio / (1.0 - ratio) <= sum * 1e-17) {
                break;
            }
            term *= ratio;
            k = next;
        }
        sum
    }

    /// One exact random draw.
    ///
    /// The problem is first reduced, as in Stadlober's papers and numpy's
    /// `random_hypergeometric`, to drawing at most half the population and
    /// counting the rarer kind of item; then fewer than 10 draws are made one
    /// by one (each a success with probability successes left / items left,
    /// from an unbiased integer draw), and larger samples use HRUA, Stadlober's
    /// ratio-of-uniforms rejection sampler (E. Stadlober, "The ratio of
    /// uniforms approach for generating discrete random variates", J. Comput.
    /// Appl. Math. 31, 1990): a table-mountain hat centred on the mean with
    /// width `D1 * sqrt(var + 1/2) + D2`, accepting `k` when
    /// `u^2 <= P(k) / P(mode)`. It needs about 1.5 tries per draw whatever the
    /// population size. The acceptance ratio comes from consecutive
    /// probability ratios or [`Self::ln_pmf`], not from differences of large
    /// log-factorials as in numpy, so it is accurate to about 1e-14 even for
    /// billions of items.
    fn sample(&self, rng: &mut Rng) -> u64 {
        // Stadlober's constants: D1 = 2 sqrt(2/e), D2 = 3 - 2 sqrt(3/e).
        const D1: f64 = 1.715_527_769_921_413_5;
        const D2: f64 = 0.898_916_162_058_898_8;
        let population = self.population;
        let draws = self.draws.min(population - self.draws);
        let rare = self.successes.min(self.failures());
        let reduced = Hypergeometric {
            population,
            successes: rare,
            draws,
        };
        let (_, top) = reduced.support();
        let drawn_rare = if draws == 0 || rare == 0 {
            0
        } else if draws < 10 {
            let (mut left, mut rare_left, mut drawn) = (population, rare, 0);
            for _ in 0..draws {
                if rng.below(left) < rare_left {
                    rare_left -= 1;
                    drawn += 1;
                }
                left -= 1;
            }
            drawn
        } else {
            let (n, share) = (draws as f64, rare as f64 / population as f64);
            let variance =
                (population - draws) as f64 * n * share * (1.0 - share) / (population - 1) as f64;
            let centre = n * share + 0.5;
            let width = D1 * (variance + 0.5).sqrt() + D2;
            let mode = reduced.mode();
            let mut ln_peak = None;
            loop {
                let u = rng.next_f64();
                let v = rng.next_f64();
                if u == 0.0 {
                    continue;
                }
                let x = centre + width * (v - 0.5) / u;
                if !(0.0..(top + 1) as f64).contains(&x) {
                    continue;
                }
                let k = x as u64;
                // ln(P(k) / P(mode)): near the mode, the product of the
                // ratios in between (cheap, and exact to about 1e-14);
                // further out, two log-probabilities.
                let t = if k.abs_diff(mode) <= 64 {
                    reduced.ratio_between(mode, k).ln()
                } else {
                    reduced.ln_pmf(k) - *ln_peak.get_or_insert_with(|| reduced.ln_pmf(mode))
                };
                // Squeezes: u(4 - u) - 3 >= 2 ln u >= u - 1/u on (0, 1].
                if u * (4.0 - u) - 3.0 <= t {
                    break k;
                }
                if u * (u - t) >= 1.0 {
                    continue;
                }
                if 2.0 * u.ln() <= t {
                    break k;
                }
            }
        };
        let drawn_successes = if self.successes > self.failures() {
            draws - drawn_rare
        } else {
            drawn_rare
        };
        if draws < self.draws {
            // We drew the complement of the sample.
            self.successes - drawn_successes
        } else {
            drawn_successes
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Direction {
    Up,
    Down,
}

/// The first `k` in `lo..hi` where `pred` is false, given that it holds on a
/// prefix of the range; `hi` if it holds throughout. (`slice::partition_point`
/// over an implicit range of counts.)
fn partition_point(mut lo: u64, mut hi: u64, pred: impl Fn(u64) -> bool) -> u64 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// `ln(n choose x) + x ln p + (n - x) ln q` for whole numbers `0 <= x <= n`,
/// with `q = 1 - p` passed separately to keep its precision: Loader's
/// `dbinom_raw` (C. Loader, "Fast and accurate computation of binomial
/// probabilities", 2000), as in R's `dbinom.c`.
fn ln_binomial_pmf(x: f64, n: f64, p: f64, q: f64) -> f64 {
    // At the ends, `n ln q` and `n ln p` lose relative precision when the
    // logarithm's argument is near 1; Loader's deviance form keeps it.
    if x == 0.0 {
        return if n == 0.0 {
            0.0
        } else if p < 0.1 {
            -deviance(n, n * q) - n * p
        } else {
            n * q.ln()
        };
    }
    if x == n {
        return if q < 0.1 {
            -deviance(n, n * p) - n * q
        } else {
            n * p.ln()
        };
    }
    let lc = stirling_error(n)
        - stirling_error(x)
        - stirling_error(n - x)
        - deviance(x, n * p)
        - deviance(n - x, n * q);
    let lf = LN_2PI + x.ln() + (-x / n).ln_1p();
    lc - 0.5 * lf
}

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// `ln(n!) - ((n + 1/2) ln n - n + ln sqrt(2 pi))` for a whole number `n`: the
/// error of Stirling's formula. Exact values (computed to 60 digits with
/// Python's `decimal`) up to 15, then the asymptotic series with enough terms
/// for full double precision, as in Loader's paper and R's `stirlerr`.
fn stirling_error(n: f64) -> f64 {
    const EXACT: [f64; 16] = [
        0.0, // unused: ln(0!) has no Stirling approximation
        0.081_061_466_795_327_26,
        0.041_340_695_955_409_3,
        0.027_677_925_684_998_34,
        0.020_790_672_103_765_093,
        0.016_644_691_189_821_193,
        0.013_876_128_823_070_748,
        0.011_896_709_945_891_77,
        0.010_411_265_261_972_096,
        0.009_255_462_182_712_733,
        0.008_330_563_433_362_87,
        0.007_573_675_487_951_841,
        0.006_942_840_107_209_53,
        0.006_408_994_188_004_207,
        0.005_951_370_112_758_847_5,
        0.005_554_733_551_962_801,
    ];
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15.0 {
        return EXACT[n as usize];
    }
    let nn = n * n;
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// The deviance `x ln(x / m) + m - x` (>= 0), Loader's `bd0`: near `x = m`
/// a series in `v = (x - m) / (x + m)` avoids the cancellation of the direct
/// form.
fn deviance(x: f64, m: f64) -> f64 {
    if x == 0.0 {
        return m;
    }
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let v2 = v * v;
        let mut sum = (x - m) * v;
        let mut term = 2.0 * x * v;
        for j in 1..1000 {
            term *= v2;
            let next = sum + term / (2 * j + 1) as f64;
            if next == sum {
                break;
            }
            sum = next;
        }
        return sum;
    }
    x * (x / m).ln() + m - x
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde::Deserialize;

    use super::super::binning::fixture::{assert_close, assert_p_close};
    use super::*;

    /// `fixtures/reference/contingency.json`, written by
    /// `scripts/reference/contingency_reference.py` (scipy 1.18.1, numpy; the
    /// script's header says how to run it).
    #[derive(Deserialize)]
    struct Reference {
        fisher: Vec<PValueCase>,
        g_test: Vec<PValueCase>,
        distances: Vec<DistanceCase>,
    }

    /// `pvalue == None`: scipy refuses or gives NaN, `Undefined` here.
    #[derive(Deserialize)]
    struct PValueCase {
        name: String,
        reference: Vec<u64>,
        current: Vec<u64>,
        pvalue: Option<f64>,
    }

    #[derive(Deserialize)]
    struct DistanceCase {
        name: String,
        reference: Vec<u64>,
        current: Vec<u64>,
        tvd: f64,
        linf: f64,
        permutation: Permutation,
    }

    /// An independent permutation test in numpy on the same counts.
    #[derive(Deserialize)]
    struct Permutation {
        resamples: usize,
        pvalue: f64,
    }

    fn load() -> Reference {
        serde_json::from_str(include_str!("../../fixtures/reference/contingency.json"))
            .expect("fixtures/reference/contingency.json parses")
    }

    fn counts(reference: &[u64], current: &[u64]) -> CategoryCounts {
        CategoryCounts {
            reference: reference.to_vec(),
            current: current.to_vec(),
        }
    }

    fn assert_p(what: &str, got: Result<f64, StatsError>, want: Option<f64>) {
        match (got, want) {
            // scipy's p-value underflowed: ours must be as negligible.
            (Ok(got), Some(0.0)) => assert!(got < 1e-300, "{what}: got {got:e}"),
            (Ok(got), Some(want)) => assert_p_close(what, got, want),
            (Err(StatsError::Undefined(_)), None) => {}
            (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn fisher_matches_scipy() {
        let cases = load().fisher;
        assert!(cases.len() >= 30);
        for case in cases {
            let got = fisher_exact(&counts(&case.reference, &case.current));
            assert_p(&format!("{} fisher_exact", case.name), got, case.pvalue);
        }
    }

    #[test]
    fn g_test_matches_scipy() {
        let cases = load().g_test;
        assert!(cases.len() >= 8);
        for case in cases {
            let got = g_test(&counts(&case.reference, &case.current));
            assert_p(&format!("{} g_test", case.name), got, case.pvalue);
        }
    }

    #[test]
    fn distances_match_numpy() {
        for case in load().distances {
            let table = counts(&case.reference, &case.current);
            assert_close(
                &format!("{} tvd", case.name),
                total_variation(&table).unwrap(),
                case.tvd,
            );
            assert_close(
                &format!("{} linf", case.name),
                linf(&table).unwrap(),
                case.linf,
            );
        }
    }

    /// Our permutation p-value and numpy's estimate the same probability with
    /// different random numbers, so they agree only within Monte Carlo
    /// error: |ours - numpy| <= 4 sqrt(p (1 - p) / B) + 1 / B, with B our
    /// permutations and p numpy's estimate (from 20x more resamples, so its
    /// own error is small beside ours). The 1 / B absorbs the discreteness of
    /// `(1 + count) / (1 + B)`, e.g. 1 / 1001 against numpy's 1 / 20001.
    #[test]
    fn tvd_p_value_agrees_with_numpy_permutations() {
        let permutations = DEFAULT_PERMUTATIONS;
        let b = permutations as f64;
        for case in load().distances {
            let table = counts(&case.reference, &case.current);
            let got = tvd(&table, permutations, 20_240_601).unwrap();
            assert_close(
                &format!("{} tvd distance", case.name),
                got.distance,
                case.tvd,
            );
            let want = case.permutation.pvalue;
            assert!(case.permutation.resamples >= 10 * permutations);
            let tolerance = 4.0 * (want * (1.0 - want) / b).sqrt() + 1.0 / b;
            assert!(
                (got.p_value - want).abs() <= tolerance,
                "{}: tvd p-value {} vs numpy's {want} (tolerance {tolerance})",
                case.name,
                got.p_value
            );
        }
    }

    #[test]
    fn identical_tables_show_no_drift() {
        for cells in [
            &[7_u64, 3][..],
            &[1, 1],
            &[600_000, 400_000],
            &[5, 0, 9, 1, 40],
        ] {
            let table = counts(cells, cells);
            if cells.len() == 2 {
                assert_eq!(fisher_exact(&table), Ok(1.0), "{cells:?}");
            }
            assert_eq!(g_test(&table), Ok(1.0), "{cells:?}");
            assert_eq!(total_variation(&table), Ok(0.0), "{cells:?}");
            assert_eq!(linf(&table), Ok(0.0), "{cells:?}");
            let result = tvd(&table, 200, 1).unwrap();
            assert_eq!(
                result,
                TvdResult {
                    distance: 0.0,
                    p_value: 1.0
                },
                "{cells:?}"
            );
        }
        // Same shares, different sizes.
        let table = counts(&[300, 100], &[30, 10]);
        assert_eq!(fisher_exact(&table), Ok(1.0));
        assert_eq!(g_test(&table), Ok(1.0));
        assert_eq!(linf(&table), Ok(0.0));
    }

    proptest::proptest! {
        /// Random tables from tiny to millions of rows: every result in
        /// range, the distances ordered (`linf <= tvd <= 1`, since `2 linf <=
        /// sum |p - q|`), and Fisher's p-value the same, to rounding, when the
        /// categories or the samples trade places (the same tables, computed
        /// through other hypergeometric parameters).
        #[test]
        fn invariants_on_random_tables(
            k in 2usize..7,
            magnitude in 0u32..7,
            raw_reference in proptest::collection::vec(proptest::num::u64::ANY, 6),
            raw_current in proptest::collection::vec(proptest::num::u64::ANY, 6),
        ) {
            let cap = 10_u64.pow(magnitude) + 1;
            let reference: Vec<u64> = raw_reference[..k].iter().map(|r| r % cap).collect();
            let current: Vec<u64> = raw_current[..k].iter().map(|c| c % cap).collect();
            let table = counts(&reference, &current);
            if table.reference_total() == 0 || table.current_total() == 0 {
                proptest::prop_assert!(matches!(linf(&table), Err(StatsError::Empty(_))));
                return Ok(());
            }
            let (tv, inf) = (total_variation(&table).unwrap(), linf(&table).unwrap());
            proptest::prop_assert!((0.0..=1.0).contains(&tv) && inf <= tv + 1e-15);
            if let Ok(p) = g_test(&table) {
                proptest::prop_assert!((0.0..=1.0).contains(&p));
            }
            let result = tvd(&table, 50, 3).unwrap();
            proptest::prop_assert!(result.p_value > 0.0 && result.p_value <= 1.0);
            let pair = counts(&reference[..2], &current[..2]);
            if let Ok(p) = fisher_exact(&pair) {
                proptest::prop_assert!((0.0..=1.0).contains(&p));
                let swapped_categories =
                    counts(&[reference[1], reference[0]], &[current[1], current[0]]);
                let swapped_samples = counts(&current[..2], &reference[..2]);
                for other in [swapped_categories, swapped_samples] {
                    let q = fisher_exact(&other).unwrap();
                    proptest::prop_assert!((p - q).abs() <= 1e-11 * p, "{:e} vs {:e}", p, q);
                }
            }
        }
    }

    #[test]
    fn fisher_edge_cases() {
        // One category seen on both sides (a zero column): scipy gives 1.
        assert_eq!(fisher_exact(&counts(&[5, 0], &[9, 0])), Ok(1.0));
        // Categories absent on both sides are dropped before counting.
        assert_eq!(
            fisher_exact(&counts(&[0, 3, 1, 0], &[0, 1, 3, 0])),
            fisher_exact(&counts(&[3, 1], &[1, 3]))
        );
        let err = fisher_exact(&counts(&[1, 2, 3], &[3, 2, 1])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`fisher_exact` needs exactly 2 categories, found 3; use `chisquare` or `g_test`"
        );
        // Perfect separation of a million rows: far below f64's range.
        let p = fisher_exact(&counts(&[1_000_000, 0], &[0, 1_000_000])).unwrap();
        assert_eq!(p, 0.0);
    }

    #[test]
    fn empty_misaligned_and_undefined_inputs_are_errors() {
        type Statistic = fn(&CategoryCounts) -> Result<f64, StatsError>;
        let all: [Statistic; 4] = [fisher_exact, g_test, total_variation, linf];
        for f in all {
            assert_eq!(
                f(&counts(&[0, 0], &[1, 2])),
                Err(StatsError::Empty(Side::Reference))
            );
            assert_eq!(
                f(&counts(&[1, 2], &[0, 0])),
                Err(StatsError::Empty(Side::Current))
            );
            assert_eq!(
                f(&counts(&[], &[])),
                Err(StatsError::Empty(Side::Reference))
            );
            assert!(matches!(
                f(&counts(&[1, 2], &[1])),
                Err(StatsError::Undefined(_))
            ));
        }
        assert_eq!(
            tvd(&counts(&[1], &[0]), 10, 0),
            Err(StatsError::Empty(Side::Current))
        );
        assert_eq!(
            tvd(&counts(&[1, 2], &[2, 1]), 0, 0)
                .unwrap_err()
                .to_string(),
            "`tvd` needs at least 1 permutation for its p-value, got 0"
        );
        assert_eq!(
            g_test(&counts(&[4, 0], &[2, 0])).unwrap_err().to_string(),
            "`g_test` needs at least 2 categories across both samples, found 1"
        );
        // A new category is drift, as in scipy (inf statistic, p = 0).
        assert_eq!(g_test(&counts(&[10, 10, 0], &[10, 10, 1])), Ok(0.0));
    }

    #[test]
    fn tvd_is_deterministic_and_parallel_equals_serial() {
        let table = counts(&[120, 80, 45, 5, 0], &[100, 95, 40, 12, 3]);
        let a = tvd(&table, 500, 7).unwrap();
        assert_eq!(a, tvd(&table, 500, 7).unwrap());
        let inner = Table::new(&table).unwrap();
        let first = |seed| {
            (0..20)
                .map(|i| inner.permuted_total_variation(&mut Rng::stream(seed, i)))
                .collect::<Vec<f64>>()
        };
        assert_eq!(first(7), first(7));
        assert_ne!(first(7), first(8));
        let serial = (0..500)
            .filter(|&i| {
                inner.permuted_total_variation(&mut Rng::stream(7, i))
                    >= a.distance - PERMUTATION_TIE
            })
            .count();
        assert_eq!(a.p_value, (1 + serial) as f64 / 501.0);
    }

    /// The sampler against the exact distribution, on both algorithms (fewer
    /// than 10 draws one by one, HRUA otherwise) and every reduction (more
    /// successes than failures, more than half the population drawn): a
    /// chi-square goodness-of-fit test on 20 000 draws each. The seeds are
    /// fixed, so this passes or fails for good; a wrong hat, squeeze or
    /// reduction distorts whole regions of the distribution and fails it.
    #[test]
    fn hypergeometric_sampler_matches_its_distribution() {
        let cases = [
            (50, 20, 6),
            (50, 35, 44),
            (1_000, 300, 400),
            (1_000, 700, 900),
            (2_000_000, 40_000, 1_000_000),
        ];
        for (index, (population, successes, draws)) in cases.into_iter().enumerate() {
            let dist = Hypergeometric {
                population,
                successes,
                draws,
            };
            let mut rng = Rng::new(index as u64);
            let n = 20_000;
            let mut seen = std::collections::BTreeMap::new();
            for _ in 0..n {
                *seen.entry(dist.sample(&mut rng)).or_insert(0_u64) += 1;
            }
            let (lo, hi) = dist.support();
            assert!(seen.keys().all(|k| (lo..=hi).contains(k)), "{dist:?}");
            // (expected, observed) per group of consecutive counts, grouped so
            // that every expected count is at least 20.
            let mut groups: Vec<(f64, f64)> = vec![(0.0, 0.0)];
            for k in lo..=hi {
                let last = groups.last_mut().unwrap();
                if last.0 >= 20.0 {
                    groups.push((0.0, 0.0));
                }
                let last = groups.last_mut().unwrap();
                last.0 += n as f64 * dist.ln_pmf(k).exp();
                last.1 += *seen.get(&k).unwrap_or(&0) as f64;
            }
            if let [.., before, last] = groups[..] {
                if last.0 < 20.0 {
                    groups.truncate(groups.len() - 2);
                    groups.push((before.0 + last.0, before.1 + last.1));
                }
            }
            let statistic: f64 = groups.iter().map(|&(e, o)| (o - e).powi(2) / e).sum();
            let dof = (groups.len() - 1) as f64;
            let p = ChiSquared::new(dof).unwrap().sf(statistic);
            let cells = groups.len();
            assert!(
                p > 1e-4,
                "{dist:?}: chi2 {statistic} on {cells} cells, p = {p}"
            );
        }
    }

    /// Hand-run timing, not part of CI timing (`cargo test --release --lib
    /// contingency -- --ignored --nocapture`): 1M vs 1M rows over 50
    /// categories.
    #[test]
    #[ignore = "timing; run by hand with --release"]
    fn timing_on_a_million_rows() {
        let mut rng = Rng::new(5);
        let mut split = |n: u64| {
            let mut cells = vec![0_u64; 50];
            for _ in 0..n {
                cells[(rng.below(50) + rng.below(50)) as usize / 2] += 1;
            }
            cells
        };
        let table = counts(&split(1_000_000), &split(1_000_000));
        let start = Instant::now();
        let result = tvd(&table, DEFAULT_PERMUTATIONS, 42).unwrap();
        let tvd_time = start.elapsed();
        let pair = counts(&[600_000, 400_000], &[600_700, 399_300]);
        let start = Instant::now();
        let p = fisher_exact(&pair).unwrap();
        let fisher_time = start.elapsed();
        eprintln!(
            "tvd 1000 permutations: {tvd_time:?} ({result:?}); fisher: {fisher_time:?} (p = {p})"
        );
        assert!(result.p_value > 0.0 && (0.0..=1.0).contains(&p));
        assert!(tvd_time.as_secs_f64() < 1.0 && fisher_time.as_secs_f64() < 1.0);
    }
}
