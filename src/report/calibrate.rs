//! Reference-calibrated effect thresholds (`--calibrate N`): split the
//! reference into N equal chunks, score each chunk against the rest of the
//! reference (leave one chunk out, so a chunk is never compared with
//! itself), and take a high quantile of those scores as the column's
//! effect threshold, never below the preset's floor. Pure.
//!
//! Numerical values are chunked in file order, so a reference that wanders
//! over time raises its own bar. Categorical columns are kept as counts per
//! label (no row order), so their chunks are seeded random draws of the
//! chunk's size without replacement.

use std::ops::Range;

use crate::stats::contingency::random_split;
use crate::stats::rng::Rng;
use crate::stats::{robust_effect, CategoryCounts, EffectMeasure, Sample};

/// The quantile of the leave-one-chunk-out scores used as the threshold
/// (linear interpolation between the chunk scores, as numpy's default).
pub const QUANTILE: f64 = 0.95;

/// `n` contiguous ranges covering `0..len`, sizes differing by at most 1.
pub fn equal_chunks(len: usize, n: usize) -> Vec<Range<usize>> {
    let n = n.clamp(1, len.max(1));
    (0..n).map(|k| k * len / n..(k + 1) * len / n).collect()
}

/// Each chunk's effect against the rest of the reference (the rest plays
/// the reference, the chunk the current sample). `in_order` holds the
/// finite values in file order; `sorted` the same values sorted.
pub fn numerical_nulls(
    in_order: &[f64],
    sorted: &[f64],
    chunks: usize,
    measure: EffectMeasure,
) -> Vec<f64> {
    equal_chunks(in_order.len(), chunks)
        .into_iter()
        .filter_map(|range| {
            let mut chunk = in_order[range].to_vec();
            chunk.sort_unstable_by(f64::total_cmp);
            let rest = without(sorted, &chunk);
            let sample = Sample::Numerical {
                reference: &rest,
                current: &chunk,
            };
            robust_effect(measure, sample).ok()
        })
        .collect()
}

/// As [`numerical_nulls`] for category counts: chunk `k` is a seeded
/// random draw of an equal share of the reference rows.
pub fn categorical_nulls(reference: &[u64], chunks: usize, seed: u64) -> Vec<f64> {
    let total: u64 = reference.iter().sum();
    let sizes = equal_chunks(total as usize, chunks);
    sizes
        .into_iter()
        .enumerate()
        .filter_map(|(k, range)| {
            let mut rng = Rng::stream(seed, CHUNK_STREAM + k as u64);
            let chunk = random_split(reference, range.len() as u64, &mut rng);
            let rest: Vec<u64> = reference.iter().zip(&chunk).map(|(r, c)| r - c).collect();
            let counts = CategoryCounts {
                reference: rest,
                current: chunk,
            };
            robust_effect(EffectMeasure::Tvd, Sample::Categorical(&counts)).ok()
        })
        .collect()
}

/// RNG streams of the categorical chunks, apart from the permutation
/// tests' streams (which count up from 0).
const CHUNK_STREAM: u64 = 1 << 40;

/// The calibrated threshold: the [`QUANTILE`] of the chunk scores, or
/// `floor` when that is higher (or there are no scores).
pub fn threshold(nulls: &[f64], floor: f64) -> f64 {
    quantile(nulls, QUANTILE).map_or(floor, |q| q.max(floor))
}

/// numpy's default (linear) quantile; `None` for no values.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Some(crate::stats::robust::quantile_linear(&sorted, q))
}

/// The sorted multiset `all` minus the sorted multiset `part` (a subset).
fn without(all: &[f64], part: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(all.len().saturating_sub(part.len()));
    let mut j = 0;
    for &x in all {
        if j < part.len() && part[j] == x {
            j += 1;
        } else {
            out.push(x);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_rows_evenly() {
        assert_eq!(equal_chunks(10, 3), vec![0..3, 3..6, 6..10]);
        assert_eq!(equal_chunks(2, 5), vec![0..1, 1..2]);
        assert_eq!(equal_chunks(0, 4), vec![0..0]);
    }

    #[test]
    fn leave_one_out_removes_exactly_the_chunk() {
        assert_eq!(
            without(&[1.0, 2.0, 2.0, 3.0, 5.0], &[2.0, 5.0]),
            vec![1.0, 2.0, 3.0]
        );
    }

    #[test]
    fn the_threshold_is_a_high_quantile_never_below_the_floor() {
        let nulls: Vec<f64> = (1..=11).map(|i| i as f64 / 100.0).collect();
        // 0.95 * 10 = 9.5: halfway between 0.10 and 0.11.
        assert!((threshold(&nulls, 0.05) - 0.105).abs() < 1e-12);
        assert_eq!(threshold(&nulls, 0.2), 0.2);
        assert_eq!(threshold(&[], 0.05), 0.05);
    }

    #[test]
    fn a_reference_that_wanders_raises_its_own_bar() {
        // First half around 0, second half around 1 (in file order).
        let in_order: Vec<f64> = (0..2000)
            .map(|i| (i % 100) as f64 / 100.0 + if i < 1000 { 0.0 } else { 1.0 })
            .collect();
        let mut sorted = in_order.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        let nulls = numerical_nulls(&in_order, &sorted, 4, EffectMeasure::TrimmedWasserstein);
        assert_eq!(nulls.len(), 4);
        assert!(threshold(&nulls, 0.05) > 0.5, "{nulls:?}");
        // A steady reference stays at the floor.
        let steady: Vec<f64> = (0..2000).map(|i| (i % 100) as f64).collect();
        let mut sorted = steady.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        let nulls = numerical_nulls(&steady, &sorted, 4, EffectMeasure::TrimmedWasserstein);
        assert_eq!(threshold(&nulls, 0.05), 0.05, "{nulls:?}");
    }

    #[test]
    fn categorical_chunks_are_seeded_draws() {
        let counts = [5000, 3000, 2000];
        let a = categorical_nulls(&counts, 10, 7);
        assert_eq!(a, categorical_nulls(&counts, 10, 7));
        assert_eq!(a.len(), 10);
        // Chunks of 1000 rows from 3 categories: TVD of a few points at most.
        assert!(a.iter().all(|&d| (0.0..0.06).contains(&d)), "{a:?}");
    }
}
