//! Permutation p-values with a budget: how many permutations a test may
//! run, and Besag & Clifford's (1991) sequential stop once enough of them
//! were at least as extreme as the observed statistic. Pure.
//!
//! A permutation p-value can be no smaller than `1 / (1 + B)`. After a
//! Benjamini-Hochberg correction across `m` columns the strictest bar is
//! `alpha / m`, so with B = 200 and 50 columns no permutation test could
//! ever count as significant. [`permutations_for`] scales B with the number
//! of tests; the sequential stop keeps the cost of the many columns that
//! did not change small (their p-values are large, so `h` exceedances come
//! quickly).

use std::ops::Range;

use rayon::prelude::*;

/// Stop after this many permutations at least as extreme (Besag & Clifford's
/// `h`): the p-value is then `h / L` after `L` permutations, with a relative
/// standard error of about `1 / sqrt(h)` ≈ 0.22 where it is large anyway.
pub const STOP_AFTER: usize = 20;

/// Permutations that let a BH-corrected p-value reach `alpha` across `tests`
/// columns with room to spare: the smallest p-value, `1 / (1 + B)`, is at
/// most a quarter of the strictest BH bar `alpha / tests`; never fewer than
/// `floor`.
pub fn permutations_for(tests: usize, alpha: f64, floor: usize) -> usize {
    let alpha = if alpha > 0.0 && alpha.is_finite() {
        alpha
    } else {
        0.05
    };
    let needed = (4.0 * tests.max(1) as f64 / alpha).ceil() as usize;
    needed.saturating_sub(1).max(floor).min(1_000_000)
}

/// A permutation p-value and how many permutations it took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationP {
    pub p_value: f64,
    pub used: usize,
}

/// Runs permutations `0..max` in order (`exceed(range)` says, for each
/// permutation in `range` in order, whether it was at least as extreme;
/// ranges of `batch` run in parallel). Without `stop_after`: all `max`, and
/// `(1 + hits) / (1 + max)`. With it: stops at the permutation `L` that
/// brings the hits to `h` and returns `h / L`. Permutation `i` must depend
/// only on `i` (its own RNG stream), so the result is the same however the
/// work is split.
pub fn p_value(
    max: usize,
    stop_after: Option<usize>,
    batch: usize,
    exceed: impl Fn(Range<usize>) -> Vec<bool> + Sync,
) -> PermutationP {
    let batch = batch.max(1);
    let round = batch * 4 * rayon::current_num_threads().max(1);
    let (mut done, mut hits) = (0, 0);
    while done < max {
        let end = (done + round).min(max);
        let starts: Vec<usize> = (done..end).step_by(batch).collect();
        let flags: Vec<bool> = starts
            .into_par_iter()
            .flat_map_iter(|s| exceed(s..(s + batch).min(end)))
            .collect();
        for (k, &extreme) in flags.iter().enumerate() {
            if extreme {
                hits += 1;
                if stop_after == Some(hits) {
                    let used = done + k + 1;
                    return PermutationP {
                        p_value: hits as f64 / used as f64,
                        used,
                    };
                }
            }
        }
        done = end;
    }
    PermutationP {
        p_value: (1 + hits) as f64 / (1 + max) as f64,
        used: max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enough_permutations_for_fifty_columns() {
        let b = permutations_for(50, 0.05, 200);
        assert_eq!(b, 3999);
        assert!(1.0 / (1 + b) as f64 <= 0.05 / 50.0 / 4.0 + 1e-15);
        assert_eq!(permutations_for(1, 0.05, 1000), 1000);
        assert_eq!(permutations_for(10, f64::NAN, 0), 799);
    }

    #[test]
    fn fixed_budget_and_sequential_stop() {
        // Every third permutation is extreme.
        let every_third = |r: Range<usize>| r.map(|i| i % 3 == 0).collect::<Vec<_>>();
        let full = p_value(99, None, 7, every_third);
        assert_eq!(full.used, 99);
        assert_eq!(full.p_value, 34.0 / 100.0);
        // The 5th hit is permutation 12 (0, 3, 6, 9, 12): 5 / 13.
        let stopped = p_value(99, Some(5), 7, every_third);
        assert_eq!(
            stopped,
            PermutationP {
                p_value: 5.0 / 13.0,
                used: 13
            }
        );
        // However the work is batched.
        assert_eq!(p_value(99, Some(5), 1, every_third), stopped);
        let never = p_value(50, Some(5), 8, |r: Range<usize>| vec![false; r.len()]);
        assert_eq!(
            never,
            PermutationP {
                p_value: 1.0 / 51.0,
                used: 50
            }
        );
    }
}
