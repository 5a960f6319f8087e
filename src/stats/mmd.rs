//! A kernel two-sample test: the maximum mean discrepancy (MMD) between the
//! samples with a Gaussian (RBF) kernel, and its permutation p-value. Pure:
//! no IO, no clock, no printing; seeded, so a seed always gives the same
//! result, whatever the number of threads.
//!
//! There is no scipy counterpart. The definition, checked against an
//! independent numpy implementation in
//! `scripts/reference/numeric_tests_reference.py`:
//!
//! * each side is subsampled (without replacement, seeded) to at most
//!   `max_per_side` values; the pooled (sub)sample has m values;
//! * the bandwidth sigma is the median heuristic: the median of `|z_i - z_j|`
//!   over all pairs `i < j` of the pooled (sub)sample (numpy's median: the
//!   mean of the two middle values when the count is even);
//! * `k(a, b) = exp(-(a - b)^2 / (2 sigma^2))`, and the statistic is the
//!   biased (V-statistic) estimate `MMD^2 = mean k(X, X) + mean k(Y, Y) -
//!   2 mean k(X, Y)`, diagonals included;
//! * the p-value is `(1 + #{b : MMD^2_b >= MMD^2}) / (1 + B)` over B random
//!   relabellings of the pooled (sub)sample.
//!
//! Cost: the kernel matrix of the (sub)sample is stored once (upper triangle,
//! `8 m (m - 1) / 2` bytes: 64 MB at the default 2000 per side), never
//! anything quadratic in the full sample size. Each permutation is a
//! quadratic form over the smaller group, evaluated for a batch of
//! permutations per pass over the matrix so it is read from memory
//! `B / BATCH` times; batches run in parallel (rayon).

use super::binning::non_empty;
use super::rng::Rng;
use super::StatsError;

/// Permutations evaluated per pass over the kernel matrix.
const BATCH: usize = 16;

/// Stream indices of the subsampling generators; permutation `b` uses
/// stream `b`, far below these.
const REFERENCE_STREAM: u64 = u64::MAX;
const CURRENT_STREAM: u64 = u64::MAX - 1;

/// Settings of the MMD permutation test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MmdOptions {
    /// Each side is subsampled to at most this many values (memory and time
    /// grow with its square).
    pub max_per_side: usize,
    /// Number of random relabellings behind the p-value.
    pub permutations: usize,
    /// Seed of the subsampling and of the permutations.
    pub seed: u64,
    /// Besag & Clifford's sequential stop (see `sequential::p_value`);
    /// `None` runs every permutation.
    pub stop_after: Option<usize>,
}

impl Default for MmdOptions {
    fn default() -> Self {
        MmdOptions {
            max_per_side: 2000,
            permutations: 200,
            seed: 0,
            stop_after: None,
        }
    }
}

/// What the MMD test reports.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MmdResult {
    /// The biased estimate of MMD^2 on the (sub)samples; >= 0.
    pub statistic: f64,
    /// Permutation p-value, in `[1 / (1 + B), 1]` (1 when B = 0).
    pub p_value: f64,
    /// Whether either side was subsampled.
    pub sampled: bool,
}

/// The MMD permutation test of `reference` against `current` (see the
/// module documentation for the exact definition).
///
/// Undefined when `max_per_side` is 0, and when the median pairwise
/// distance is 0 (more than half the pooled pairs are ties), where the
/// median heuristic gives no bandwidth.
pub fn mmd_test(
    reference: &[f64],
    current: &[f64],
    opts: MmdOptions,
) -> Result<MmdResult, StatsError> {
    non_empty(reference, current)?;
    if opts.max_per_side == 0 {
        return Err(StatsError::Undefined(
            "`empirical_mmd` needs at least one value per side (max_per_side is 0)".to_string(),
        ));
    }
    let (x, x_sampled) = subsample(reference, opts.max_per_side, opts.seed, REFERENCE_STREAM);
    let (y, y_sampled) = subsample(current, opts.max_per_side, opts.seed, CURRENT_STREAM);
    let pooled: Vec<f64> = x.iter().chain(&y).copied().collect();

    let mut sorted = pooled.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let sigma = median_pairwise_distance(&sorted);
    if sigma <= 0.0 {
        return Err(StatsError::Undefined(
            "`empirical_mmd` needs spread: the median distance between pooled values is 0"
                .to_string(),
        ));
    }
    let kernel = Kernel::new(&pooled, sigma);

    // The quadratic form runs over the smaller group; MMD^2 is symmetric in
    // the two groups, so which one is "G" does not matter.
    let (m, group) = (pooled.len(), x.len().min(y.len()));
    let observed_group = if x.len() <= y.len() {
        0..x.len()
    } else {
        x.len()..m
    };
    let mut observed_mask = vec![0.0; m];
    observed_mask[observed_group].fill(1.0);
    let statistic = kernel.statistics(&[observed_mask], group)[0];

    let p = super::sequential::p_value(opts.permutations, opts.stop_after, BATCH, |batch| {
        kernel.exceedances(batch, group, statistic, opts.seed)
    });
    Ok(MmdResult {
        statistic,
        p_value: p.p_value,
        sampled: x_sampled || y_sampled,
    })
}

/// `values` itself when it has at most `max` values, else `max` of them
/// drawn without replacement (kept in ascending order).
fn subsample(values: &[f64], max: usize, seed: u64, stream: u64) -> (Vec<f64>, bool) {
    if values.len() <= max {
        return (values.to_vec(), false);
    }
    let mut picked = Rng::stream(seed, stream).sample_indices(values.len(), max);
    picked.sort_unstable();
    (picked.into_iter().map(|i| values[i]).collect(), true)
}

/// The median of `z_j - z_i` over pairs `i < j` of sorted values, without
/// materialising the m(m-1)/2 distances: the k-th smallest distance is found
/// by binary search over f64 bit patterns (which order non-negative floats),
/// counting pairs at most a candidate with two pointers. Every computed
/// distance is monotone in its indices, so the search lands exactly on the
/// value numpy would sort into place.
fn median_pairwise_distance(sorted: &[f64]) -> f64 {
    let m = sorted.len() as u64;
    let pairs = m * (m - 1) / 2;
    if pairs == 0 {
        return 0.0;
    }
    let kth = |k: u64| kth_pairwise_distance(sorted, k);
    if pairs % 2 == 1 {
        kth(pairs / 2 + 1)
    } else {
        (kth(pairs / 2) + kth(pairs / 2 + 1)) / 2.0
    }
}

/// The `k`-th smallest (1-based) of `z_j - z_i`, i < j.
fn kth_pairwise_distance(sorted: &[f64], k: u64) -> f64 {
    let at_most = |limit: f64| -> u64 {
        let (mut count, mut lo) = (0u64, 0usize);
        for (j, &zj) in sorted.iter().enumerate() {
            while zj - sorted[lo] > limit {
                lo += 1;
            }
            count += (j - lo) as u64;
        }
        count
    };
    let widest = sorted[sorted.len() - 1] - sorted[0];
    let (mut lo, mut hi) = (0u64, widest.to_bits());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if at_most(f64::from_bits(mid)) >= k {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    f64::from_bits(lo)
}

/// The kernel matrix of the pooled (sub)sample: the strict upper triangle,
/// row by row (row i holds `k(z_i, z_j)` for j > i; the diagonal is 1), and
/// the full row sums.
struct Kernel {
    m: usize,
    upper: Vec<f64>,
    row_sums: Vec<f64>,
    total: f64,
}

impl Kernel {
    fn new(pooled: &[f64], sigma: f64) -> Kernel {
        let m = pooled.len();
        let scale = 2.0 * (sigma * sigma);
        let mut upper = Vec::with_capacity(m * (m - 1) / 2);
        for (i, &zi) in pooled.iter().enumerate() {
            upper.extend(pooled[i + 1..].iter().map(|&zj| {
                let d = zi - zj;
                (-(d * d) / scale).exp()
            }));
        }
        let mut row_sums = vec![1.0; m];
        for i in 0..m {
            let row = &upper[Self::offset(m, i)..Self::offset(m, i + 1)];
            row_sums[i] += row.iter().sum::<f64>();
            for (sum, &k) in row_sums[i + 1..].iter_mut().zip(row) {
                *sum += k;
            }
        }
        let total = row_sums.iter().sum();
        Kernel {
            m,
            upper,
            row_sums,
            total,
        }
    }

    /// Start of row `i` in the packed upper triangle.
    fn offset(m: usize, i: usize) -> usize {
        i * (m - 1) - i * i.saturating_sub(1) / 2
    }

    /// MMD^2 for each labelling; `masks[b][i]` is 1.0 when pooled value i
    /// is in the group of size `group` (the other group has the rest).
    ///
    /// With `S_gg` the kernel sum over pairs in the group (diagonal
    /// included), `R` the group's row sums and `T` the total: `S_go = R -
    /// S_gg` and `S_oo = T - 2R + S_gg`, so only `S_gg` needs the matrix. It
    /// is accumulated for all masks in one pass over the rows.
    fn statistics(&self, masks: &[Vec<f64>], group: usize) -> Vec<f64> {
        let mut pair_sums = vec![0.0; masks.len()];
        for i in 0..self.m {
            let row = &self.upper[Self::offset(self.m, i)..Self::offset(self.m, i + 1)];
            for (sum, mask) in pair_sums.iter_mut().zip(masks) {
                if mask[i] != 0.0 {
                    *sum += dot(row, &mask[i + 1..]);
                }
            }
        }
        let (g, o) = (group as f64, (self.m - group) as f64);
        masks
            .iter()
            .zip(pair_sums)
            .map(|(mask, pairs)| {
                let within = g + 2.0 * pairs;
                let rows: f64 = self.row_sums.iter().zip(mask).map(|(r, w)| r * w).sum();
                let across = rows - within;
                let other = self.total - 2.0 * rows + within;
                (within / (g * g) + other / (o * o) - 2.0 * across / (g * o)).max(0.0)
            })
            .collect()
    }

    /// Whether each permutation in `batch` gives MMD^2 >= `observed`.
    /// Permutation b draws its group with `Rng::stream(seed, b)`, so the
    /// count does not depend on how batches are scheduled.
    fn exceedances(
        &self,
        batch: std::ops::Range<usize>,
        group: usize,
        observed: f64,
        seed: u64,
    ) -> Vec<bool> {
        let masks: Vec<Vec<f64>> = batch
            .map(|b| {
                let mut mask = vec![0.0; self.m];
                for i in Rng::stream(seed, b as u64).sample_indices(self.m, group) {
                    mask[i] = 1.0;
                }
                mask
            })
            .collect();
        self.statistics(&masks, group)
            .into_iter()
            .map(|s| s >= observed)
            .collect()
    }
}

/// Dot product with four independent accumulators, which lets the compiler
/// use SIMD (a single running sum is a serial dependency chain).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (chunks_a, chunks_b) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in chunks_a.zip(chunks_b) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_result::fixture::load;
    use crate::stats::Side;

    const PERMUTATIONS: usize = 2000;

    fn options(seed: u64) -> MmdOptions {
        MmdOptions {
            max_per_side: 2000,
            permutations: PERMUTATIONS,
            seed,
            stop_after: None,
        }
    }

    /// The statistic against numpy on the same (whole) samples; the p-value
    /// against numpy's permutation p-value, which used another RNG, within
    /// Monte Carlo error: 4 standard deviations of the difference of two
    /// independent estimates, `sqrt(p (1 - p) (1/B1 + 1/B2))`, plus one
    /// step of each estimate's 1/(1 + B) grid (both floor at it when every
    /// permutation is below the observed statistic).
    #[test]
    fn matches_numpy_reference() {
        for case in load().mmd {
            let (x, y) = (&case.reference, &case.current);
            let mut sorted: Vec<f64> = x.iter().chain(y).copied().collect();
            sorted.sort_unstable_by(f64::total_cmp);
            let sigma = median_pairwise_distance(&sorted);
            assert!(
                (sigma - case.sigma).abs() <= 1e-15 * case.sigma,
                "{}: sigma",
                case.name
            );

            let got = mmd_test(x, y, options(7)).unwrap();
            assert!(!got.sampled, "{}", case.name);
            assert!(
                (got.statistic - case.statistic).abs() <= 1e-12,
                "{}: statistic {:e} vs numpy {:e}",
                case.name,
                got.statistic,
                case.statistic
            );
            let p = case.p_value;
            let (b1, b2) = (PERMUTATIONS as f64, case.permutations as f64);
            let tolerance = 4.0 * (p * (1.0 - p) * (1.0 / b1 + 1.0 / b2)).sqrt()
                + 1.0 / (1.0 + b1)
                + 1.0 / (1.0 + b2);
            assert!(
                (got.p_value - p).abs() <= tolerance,
                "{}: p {} vs numpy {} (tolerance {tolerance})",
                case.name,
                got.p_value,
                p
            );
        }
    }

    #[test]
    fn seeded_and_independent_of_scheduling() {
        let case = load()
            .mmd
            .into_iter()
            .find(|c| c.name == "shifted_100_120")
            .unwrap();
        let (x, y) = (&case.reference, &case.current);
        let opts = MmdOptions {
            permutations: 300,
            ..options(11)
        };
        let first = mmd_test(x, y, opts).unwrap();
        assert_eq!(first, mmd_test(x, y, opts).unwrap());
        assert_ne!(
            first.p_value,
            mmd_test(x, y, MmdOptions { seed: 12, ..opts })
                .unwrap()
                .p_value
        );
        // Serial evaluation, one permutation at a time, counts the same.
        let mut sorted: Vec<f64> = x.iter().chain(y).copied().collect();
        sorted.sort_unstable_by(f64::total_cmp);
        let pooled: Vec<f64> = x.iter().chain(y).copied().collect();
        let kernel = Kernel::new(&pooled, median_pairwise_distance(&sorted));
        let serial: usize = (0..300)
            .map(|b| kernel.exceedances(b..b + 1, x.len(), first.statistic, 11)[0] as usize)
            .sum();
        assert_eq!(first.p_value, (1 + serial) as f64 / 301.0);
    }

    #[test]
    fn subsamples_large_sides() {
        let grid = |n: usize, shift: f64| -> Vec<f64> {
            (0..n)
                .map(|i| (i as f64 + 0.5) / n as f64 * 4.0 + shift)
                .collect()
        };
        let opts = MmdOptions {
            max_per_side: 300,
            permutations: 100,
            seed: 3,
            stop_after: None,
        };
        let same = mmd_test(&grid(5000, 0.0), &grid(4000, 0.0), opts).unwrap();
        assert!(same.sampled && same.p_value > 0.01, "{same:?}");
        let apart = mmd_test(&grid(5000, 0.0), &grid(4000, 3.0), opts).unwrap();
        assert!(apart.sampled, "{apart:?}");
        assert_eq!(apart.p_value, 1.0 / 101.0);
        assert_eq!(
            apart,
            mmd_test(&grid(5000, 0.0), &grid(4000, 3.0), opts).unwrap()
        );
    }

    #[test]
    fn median_of_pairwise_distances() {
        // Pairs of [0, 1, 3, 7]: 1, 3, 7, 2, 6, 4 -> median (3 + 4) / 2.
        assert_eq!(median_pairwise_distance(&[0.0, 1.0, 3.0, 7.0]), 3.5);
        // Odd count: [0, 1, 3] -> 1, 3, 2.
        assert_eq!(median_pairwise_distance(&[0.0, 1.0, 3.0]), 2.0);
        assert_eq!(median_pairwise_distance(&[2.0, 2.0, 2.0, 5.0]), 1.5);
    }

    #[test]
    fn packed_rows_line_up() {
        let m = 5;
        assert_eq!(Kernel::offset(m, 0), 0);
        assert_eq!(Kernel::offset(m, 1), 4);
        assert_eq!(Kernel::offset(m, 4), 10);
        assert_eq!(Kernel::offset(m, 5), 10);
        let a: Vec<f64> = (0..11).map(f64::from).collect();
        assert_eq!(dot(&a, &a), 385.0);
    }

    #[test]
    fn edge_cases() {
        let opts = MmdOptions::default();
        assert_eq!(
            mmd_test(&[], &[1.0], opts),
            Err(StatsError::Empty(Side::Reference))
        );
        assert_eq!(
            mmd_test(&[1.0], &[], opts),
            Err(StatsError::Empty(Side::Current))
        );
        let err = mmd_test(&[1.0, 1.0, 1.0], &[1.0, 2.0], opts).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`empirical_mmd` needs spread: the median distance between pooled values is 0"
        );
        let none = MmdOptions {
            permutations: 0,
            ..opts
        };
        assert_eq!(
            mmd_test(&[0.0, 1.0], &[5.0, 6.0], none).unwrap().p_value,
            1.0
        );
        let identical = [0.5, 1.0, 2.5, 4.0, 4.5, 8.0];
        let r = mmd_test(&identical, &identical, opts).unwrap();
        assert!(r.statistic < 1e-12 && r.p_value > 0.9, "{r:?}");
    }
}
