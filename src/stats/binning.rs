//! Turns two samples into aligned per-bin (or per-category) shares the way
//! Evidently 0.7.23's `get_binned_data` does, plus driftmend's quantile bins.
//! Pure: no IO, no clock, no printing.
//!
//! Numerical inputs are finite and sorted ascending (the data layer drops NaN
//! and ±inf first, as Evidently's `get_one_column_drift` does), so every count
//! here is a merge or a binary search over sorted slices: O(n) at most, with no
//! per-value allocation.

use super::{Binning, CategoryCounts, Shares, Side, StatsError};

/// Evidently switches from one bin per distinct value to Sturges histograms
/// when the reference has more than this many distinct values
/// (`reference_data.nunique() > 20` in `get_binned_data`).
const MAX_DISTINCT_FOR_VALUE_BINS: usize = 20;

/// Per-bin shares of both sides for the histogram-based methods (`psi`,
/// `kl_div`, `jensenshannon`), without Evidently's zero filling (see
/// [`fill_zeros`]).
///
/// `Binning::Evidently` mirrors `get_binned_data(..., ColumnType.Numerical)`:
/// - reference with more than 20 distinct values: edges
///   `np.histogram_bin_edges(concat(ref, cur), bins="sturges")` and shares
///   `np.histogram(side, edges)[0] / len(side)`. Bins empty on both sides are
///   kept, as Evidently keeps them; after zero filling they still add to PSI
///   and KL when the two sides' fill values differ.
/// - otherwise one bin per distinct value of the union, in ascending order
///   (Evidently uses set order; only the summation order differs). The union
///   may hold many values even though the reference holds at most 20.
///
/// Evidently passes float columns through as `float64`; for an integer column
/// numpy floors the Sturges bin width at 1, which changes the bin count only
/// when the range is narrower than `log2(n) + 1`. Values here are `f64`, so
/// they follow the float rule.
///
/// `Binning::Quantile(n)`: interior edges are the distinct reference quantiles
/// at `k/n`, `k = 1..n-1` (numpy's default linear interpolation), bins open at
/// both ends, and `x` goes to bin `np.searchsorted(edges, x, side="right")`.
/// A bin may be empty on both sides (e.g. below a tied minimum); it is kept.
pub fn numerical_shares(
    reference: &[f64],
    current: &[f64],
    bins: Binning,
) -> Result<Shares, StatsError> {
    non_empty(reference, current)?;
    match bins {
        Binning::Evidently => {
            if !more_distinct_than(reference, MAX_DISTINCT_FOR_VALUE_BINS) {
                return Ok(category_shares(&distinct_counts(reference, current)));
            }
            let (min, max) = combined_range(reference, current);
            let edges = sturges_edges(min, max, reference.len() + current.len())?;
            Ok(Shares {
                reference: to_shares(&histogram(reference, &edges)),
                current: to_shares(&histogram(current, &edges)),
            })
        }
        Binning::Quantile(n) => {
            let edges = quantile_edges(reference, n);
            Ok(Shares {
                reference: to_shares(&open_bin_counts(reference, &edges)),
                current: to_shares(&open_bin_counts(current, &edges)),
            })
        }
    }
}

/// Each side's counts divided by that side's total (Evidently's
/// `value_counts() / len(side)`). A side with no values gets all-zero shares
/// rather than NaN.
pub fn category_shares(counts: &CategoryCounts) -> Shares {
    Shares {
        reference: to_shares(&counts.reference),
        current: to_shares(&counts.current),
    }
}

/// One category per distinct value of the union of two sorted slices, in
/// ascending order, counted in a single merge. `-0.0` and `0.0` are one value,
/// as in pandas' `value_counts`.
pub fn distinct_counts(reference: &[f64], current: &[f64]) -> CategoryCounts {
    let (reference, current) = merged_runs(reference, current)
        .map(|(_, in_reference, in_current)| (in_reference as u64, in_current as u64))
        .unzip();
    CategoryCounts { reference, current }
}

/// Walks two sorted slices in merged order, yielding each distinct value with
/// the number of times it occurs in each slice.
pub(crate) fn merged_runs<'a>(
    reference: &'a [f64],
    current: &'a [f64],
) -> impl Iterator<Item = (f64, usize, usize)> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let value = match (reference.get(i), current.get(j)) {
            (Some(&r), Some(&c)) => r.min(c),
            (Some(&r), None) => r,
            (None, Some(&c)) => c,
            (None, None) => return None,
        };
        let run =
            |side: &[f64], start: usize| side[start..].iter().take_while(|&&x| x == value).count();
        let (in_reference, in_current) = (run(reference, i), run(current, j));
        i += in_reference;
        j += in_current;
        Some((value, in_reference, in_current))
    })
}

/// Evidently's zero replacement (the `feel_zeroes` branch of
/// `get_binned_data`): every zero share becomes `min_nonzero / 1e6` when the
/// smallest non-zero share is at most `1e-4`, else `1e-4`. The shares are not
/// renormalised, so they may sum to slightly more than 1; `psi` uses them as
/// they are while `kl_div` renormalises (as `scipy.stats.entropy` does).
/// All-zero shares (an empty side, where Evidently would fail on `min([])`)
/// are left unchanged.
pub fn fill_zeros(shares: &mut [f64]) {
    let smallest = shares
        .iter()
        .copied()
        .filter(|&s| s != 0.0)
        .fold(f64::INFINITY, f64::min);
    if smallest == f64::INFINITY {
        return;
    }
    let fill = if smallest <= 1e-4 {
        smallest / 1e6
    } else {
        1e-4
    };
    for share in shares.iter_mut().filter(|s| **s == 0.0) {
        *share = fill;
    }
}

/// Bin edges of `np.histogram_bin_edges(a, bins="sturges")` for data with
/// minimum `min`, maximum `max` and `n` values, reproduced step by step so
/// that bin boundaries are bit-identical to numpy's:
/// - `_get_outer_edges`: a zero range is widened to `min - 0.5 ..= max + 0.5`;
/// - `_hist_bin_sturges`: width = `ptp / (log2(n) + 1)` over the data's own
///   range (so 0 for constant data, and then numpy uses one bin);
/// - the bin count is `ceil(range / width)` in floating point, which can be
///   one more than `ceil(log2(n) + 1)` (e.g. n = 4096 over `[0, 1000000.1]`
///   gives 14 bins, not 13);
/// - edges come from `np.linspace(first, last, bins + 1)`: `first + i * step`
///   with the last edge set to `last` exactly.
///
/// numpy raises when the edges are not strictly increasing (a range too narrow
/// for the bin count, e.g. one huge value where `v ± 0.5 == v`) or the range
/// overflows; both are `StatsError::Undefined` here.
pub(crate) fn sturges_edges(min: f64, max: f64, n: usize) -> Result<Vec<f64>, StatsError> {
    let ptp = max - min;
    if !ptp.is_finite() {
        return Err(StatsError::Undefined(format!(
            "the value range [{min}, {max}] is too wide to bin in 64-bit floating point"
        )));
    }
    let (first, last) = if ptp == 0.0 {
        (min - 0.5, max + 0.5)
    } else {
        (min, max)
    };
    let width = ptp / ((n as f64).log2() + 1.0);
    let bins = if width == 0.0 {
        1
    } else {
        ((last - first) / width).ceil() as usize
    };
    let edges = linspace(first, last, bins + 1);
    if edges.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err(StatsError::Undefined(format!(
            "the value range [{min}, {max}] is too narrow for {bins} distinct histogram bins"
        )));
    }
    Ok(edges)
}

/// `np.linspace(start, stop, num)` with `endpoint=True`, `num >= 2`,
/// including numpy's fallback for a step that underflows to zero.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let div = (num - 1) as f64;
    let delta = stop - start;
    let step = delta / div;
    let mut edges: Vec<f64> = (0..num)
        .map(|i| {
            let i = i as f64;
            let offset = if step == 0.0 {
                i / div * delta
            } else {
                i * step
            };
            offset + start
        })
        .collect();
    edges[num - 1] = stop;
    edges
}

/// Counts per bin of `np.histogram(sorted, bins=edges)` for an explicit edge
/// array. Evidently passes the edges as an array, so numpy takes its
/// "cumulative" path (`_search_sorted_inclusive`): bin `i` holds
/// `edges[i] <= x < edges[i + 1]`, the last bin also holds `x == edges[-1]`,
/// and values outside the edges are dropped. The index-correction steps of
/// numpy's uniform-bins path do not apply. On a sorted slice that is one
/// binary search per edge.
pub(crate) fn histogram(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let Some((&last, inner)) = edges.split_last() else {
        return Vec::new();
    };
    let cumulative: Vec<usize> = inner
        .iter()
        .map(|&edge| sorted.partition_point(|&x| x < edge))
        .chain(std::iter::once(sorted.partition_point(|&x| x <= last)))
        .collect();
    cumulative
        .windows(2)
        .map(|pair| (pair[1] - pair[0]) as u64)
        .collect()
}

/// Distinct reference quantiles at `k/n`, `k = 1..n-1`, each computed as
/// `np.quantile(reference, k / n)` with the default `method="linear"`
/// (virtual index `(N - 1) * q`, and numpy's `_lerp`, which interpolates from
/// the upper neighbour when the fraction is at least 0.5), then deduplicated
/// like `np.unique`.
fn quantile_edges(sorted: &[f64], n: usize) -> Vec<f64> {
    let last_index = sorted.len() - 1;
    let mut edges: Vec<f64> = (1..n)
        .map(|k| {
            let virtual_index = last_index as f64 * (k as f64 / n as f64);
            let below = virtual_index.floor();
            let (lower, upper) = if virtual_index >= last_index as f64 {
                (last_index, last_index)
            } else {
                (below as usize, below as usize + 1)
            };
            lerp(sorted[lower], sorted[upper], virtual_index - below)
        })
        .collect();
    edges.sort_by(f64::total_cmp);
    edges.dedup_by(|a, b| a == b);
    edges
}

/// numpy's `_lerp(a, b, t)`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Counts per bin for interior `edges` with open outer bins: bin `i` holds the
/// values with exactly `i` edges `<= x` (`np.searchsorted(edges, x, "right")`).
fn open_bin_counts(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let mut previous = 0;
    let mut counts: Vec<u64> = edges
        .iter()
        .map(|&edge| {
            let below = sorted.partition_point(|&x| x < edge);
            let count = (below - previous) as u64;
            previous = below;
            count
        })
        .collect();
    counts.push((sorted.len() - previous) as u64);
    counts
}

/// Whether a sorted slice has more than `limit` distinct values; stops early.
fn more_distinct_than(sorted: &[f64], limit: usize) -> bool {
    let mut distinct = usize::from(!sorted.is_empty());
    for pair in sorted.windows(2) {
        if pair[0] != pair[1] {
            distinct += 1;
            if distinct > limit {
                return true;
            }
        }
    }
    distinct > limit
}

/// Counts over their total, which is `len(side)` as Evidently divides by:
/// every value lands in some bin (the edges span both samples).
fn to_shares(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return vec![0.0; counts.len()];
    }
    counts.iter().map(|&c| c as f64 / total as f64).collect()
}

/// Smallest and largest value of two non-empty sorted slices.
pub(crate) fn combined_range(reference: &[f64], current: &[f64]) -> (f64, f64) {
    let min = reference[0].min(current[0]);
    let max = reference[reference.len() - 1].max(current[current.len() - 1]);
    (min, max)
}

/// `StatsError::Empty` for the first empty side.
pub(crate) fn non_empty(reference: &[f64], current: &[f64]) -> Result<(), StatsError> {
    if reference.is_empty() {
        return Err(StatsError::Empty(Side::Reference));
    }
    if current.is_empty() {
        return Err(StatsError::Empty(Side::Current));
    }
    Ok(())
}

/// The reference cases in `fixtures/reference/drift.json`, shared by the tests
/// of `binning`, `categorical` and `distance`. The file is written by
/// `scripts/reference/drift_reference.py`: seeded numpy samples, with expected
/// values from numpy's histogram code, scipy's tests and a plain-Python
/// re-implementation of Evidently 0.7.23's stattests (checked once against
/// Evidently itself).
#[cfg(test)]
pub(crate) mod fixture {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Reference {
        pub numerical: Vec<NumericalCase>,
        pub categorical: Vec<CategoricalCase>,
    }

    /// Sorted samples and what Evidently reports for them.
    #[derive(Deserialize)]
    pub struct NumericalCase {
        pub name: String,
        pub reference: Vec<f64>,
        pub current: Vec<f64>,
        pub quantile_bins: usize,
        pub expected: NumericalExpected,
    }

    #[derive(Deserialize)]
    pub struct NumericalExpected {
        pub wasserstein: f64,
        pub wasserstein_norm: f64,
        pub hellinger: f64,
        pub evidently_bins: ShareExpected,
        pub quantile_bins: ShareExpected,
        /// Only for cases with few distinct values: one category per value.
        pub distinct: Option<DistinctExpected>,
    }

    /// Shares before and after zero filling, and the share-based distances.
    #[derive(Deserialize)]
    pub struct ShareExpected {
        pub reference: Vec<f64>,
        pub current: Vec<f64>,
        pub reference_filled: Vec<f64>,
        pub current_filled: Vec<f64>,
        pub jensenshannon: f64,
        pub psi: f64,
        pub kl_div: f64,
    }

    /// `None` p-values mean `StatsError::Undefined`.
    #[derive(Deserialize)]
    pub struct DistinctExpected {
        pub reference: Vec<u64>,
        pub current: Vec<u64>,
        pub chisquare: Option<f64>,
        pub z: Option<f64>,
    }

    #[derive(Deserialize)]
    pub struct CategoricalCase {
        pub name: String,
        pub reference: Vec<u64>,
        pub current: Vec<u64>,
        pub expected: CategoricalExpected,
    }

    impl CategoricalCase {
        pub fn counts(&self) -> super::CategoryCounts {
            super::CategoryCounts {
                reference: self.reference.clone(),
                current: self.current.clone(),
            }
        }
    }

    #[derive(Deserialize)]
    pub struct CategoricalExpected {
        #[serde(flatten)]
        pub shares: ShareExpected,
        pub chisquare: Option<f64>,
        pub z: Option<f64>,
        pub hellinger: f64,
    }

    pub fn load() -> Reference {
        serde_json::from_str(include_str!("../../fixtures/reference/drift.json"))
            .expect("fixtures/reference/drift.json parses")
    }

    /// The agreement required with the reference: 1e-6 absolute.
    pub fn assert_close(what: &str, got: f64, want: f64) {
        assert!(
            (got - want).abs() <= 1e-6,
            "{what}: got {got:e}, want {want:e}"
        );
    }

    /// p-values: 1e-6 absolute and, below 1e-2, also 1e-4 relative.
    pub fn assert_p_close(what: &str, got: f64, want: f64) {
        assert_close(what, got, want);
        if want < 1e-2 {
            assert!(
                (got - want).abs() <= 1e-4 * want,
                "{what}: got {got:e}, want {want:e} (relative)"
            );
        }
    }

    pub fn assert_all_close(what: &str, got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            assert_close(&format!("{what}[{i}]"), g, w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{assert_all_close, load, ShareExpected};
    use super::*;

    fn assert_shares(what: &str, mut got: Shares, want: &ShareExpected) {
        assert_all_close(
            &format!("{what} reference"),
            &got.reference,
            &want.reference,
        );
        assert_all_close(&format!("{what} current"), &got.current, &want.current);
        fill_zeros(&mut got.reference);
        fill_zeros(&mut got.current);
        assert_all_close(
            &format!("{what} reference filled"),
            &got.reference,
            &want.reference_filled,
        );
        assert_all_close(
            &format!("{what} current filled"),
            &got.current,
            &want.current_filled,
        );
    }

    #[test]
    fn evidently_bins_match_reference() {
        for case in load().numerical {
            let shares =
                numerical_shares(&case.reference, &case.current, Binning::Evidently).unwrap();
            assert_shares(&case.name, shares, &case.expected.evidently_bins);
        }
    }

    #[test]
    fn quantile_bins_match_reference() {
        for case in load().numerical {
            let bins = Binning::Quantile(case.quantile_bins);
            let shares = numerical_shares(&case.reference, &case.current, bins).unwrap();
            assert_shares(&case.name, shares, &case.expected.quantile_bins);
        }
    }

    #[test]
    fn distinct_counts_match_reference() {
        let mut checked = 0;
        for case in load().numerical {
            let Some(want) = case.expected.distinct else {
                continue;
            };
            let got = distinct_counts(&case.reference, &case.current);
            assert_eq!(got.reference, want.reference, "{}", case.name);
            assert_eq!(got.current, want.current, "{}", case.name);
            checked += 1;
        }
        assert!(checked >= 4, "only {checked} cases with distinct counts");
    }

    #[test]
    fn category_shares_match_reference() {
        for case in load().categorical {
            assert_shares(
                &case.name,
                category_shares(&case.counts()),
                &case.expected.shares,
            );
        }
    }

    #[test]
    fn twenty_distinct_reference_values_still_get_one_bin_each() {
        let twenty: Vec<f64> = (0..20).map(f64::from).collect();
        let shares = numerical_shares(&twenty, &[100.0], Binning::Evidently).unwrap();
        assert_eq!(shares.reference.len(), 21);
        let twenty_one: Vec<f64> = (0..21).map(f64::from).collect();
        let shares = numerical_shares(&twenty_one, &[100.0], Binning::Evidently).unwrap();
        // 22 values -> ceil(log2(22) + 1) = 6 Sturges bins.
        assert_eq!(shares.reference.len(), 6);
    }

    #[test]
    fn sturges_bin_count_follows_numpy_rounding() {
        // numpy: ceil(1000000.1 / (1000000.1 / 13)) = 14 for 4096 values.
        assert_eq!(sturges_edges(0.0, 1000000.1, 4096).unwrap().len(), 15);
        assert_eq!(sturges_edges(0.0, 1.0, 4096).unwrap().len(), 14);
        // np.histogram_bin_edges([3.0], bins="sturges") == [2.5, 3.5]
        assert_eq!(sturges_edges(3.0, 3.0, 1).unwrap(), vec![2.5, 3.5]);
    }

    #[test]
    fn a_range_too_narrow_for_its_bins_is_undefined() {
        let err = sturges_edges(1e17, 1e17, 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the value range [100000000000000000, 100000000000000000] is too narrow for 1 distinct histogram bins"
        );
        let wide = sturges_edges(-f64::MAX, f64::MAX, 10).unwrap_err();
        assert!(matches!(wide, StatsError::Undefined(_)), "{wide:?}");
    }

    #[test]
    fn values_on_edges_follow_numpy() {
        // Edges 0, 1, 2, 3: left-closed bins, the last one closed on both sides.
        let edges = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(
            histogram(&[-1.0, 0.0, 1.0, 1.0, 2.5, 3.0, 4.0], &edges),
            vec![1, 2, 2]
        );
        // Interior quantile edges: x == edge goes to the bin above it.
        assert_eq!(
            open_bin_counts(&[0.0, 1.0, 1.0, 1.5, 2.0, 9.0], &[1.0, 2.0]),
            vec![1, 3, 2]
        );
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // np.quantile([1, 2, 4, 8, 16], [0.25, 0.5, 0.75]) == [2, 4, 8];
        // np.quantile([0.0, 10.0], [1/3, 2/3]) == [3.333333333333333, 6.666666666666666]:
        // numpy's lerp rounds below the correctly rounded 10/3 and 20/3.
        assert_eq!(
            quantile_edges(&[1.0, 2.0, 4.0, 8.0, 16.0], 4),
            vec![2.0, 4.0, 8.0]
        );
        assert_eq!(
            quantile_edges(&[0.0, 10.0], 3),
            vec![3.333333333333333, 6.666666666666666]
        );
        // Tied quantiles collapse into one edge; a single value gives one edge.
        assert_eq!(quantile_edges(&[0.0, 0.0, 0.0, 5.0], 4), vec![0.0, 1.25]);
        assert_eq!(quantile_edges(&[7.0], 10), vec![7.0]);
    }

    #[test]
    fn fill_zeros_follows_evidently() {
        let mut coarse = vec![0.5, 0.0, 0.5];
        fill_zeros(&mut coarse);
        assert_eq!(coarse, vec![0.5, 1e-4, 0.5]);
        let mut fine = vec![0.99995, 0.0, 0.00005];
        fill_zeros(&mut fine);
        assert_eq!(fine, vec![0.99995, 0.00005 / 1e6, 0.00005]);
        let mut empty = vec![0.0, 0.0];
        fill_zeros(&mut empty);
        assert_eq!(empty, vec![0.0, 0.0]);
    }

    #[test]
    fn distinct_counts_merge_and_treat_signed_zeros_as_one() {
        let counts = distinct_counts(&[-0.0, 0.0, 1.0, 1.0], &[0.0, 2.0]);
        assert_eq!(counts.reference, vec![2, 2, 0]);
        assert_eq!(counts.current, vec![1, 0, 1]);
    }

    #[test]
    fn empty_sides_are_reported() {
        let err = numerical_shares(&[], &[1.0], Binning::Evidently).unwrap_err();
        assert_eq!(err, StatsError::Empty(Side::Reference));
        let err = numerical_shares(&[1.0], &[], Binning::Quantile(4)).unwrap_err();
        assert_eq!(err, StatsError::Empty(Side::Current));
    }

    proptest::proptest! {
        #[test]
        fn shares_sum_to_one(
            mut reference in proptest::collection::vec(-1e3f64..1e3, 1..300),
            mut current in proptest::collection::vec(-1e3f64..1e3, 1..300),
            quantiles in 2usize..50,
        ) {
            reference.sort_by(f64::total_cmp);
            current.sort_by(f64::total_cmp);
            for bins in [Binning::Evidently, Binning::Quantile(quantiles)] {
                let shares = numerical_shares(&reference, &current, bins).unwrap();
                proptest::prop_assert_eq!(shares.reference.len(), shares.current.len());
                for side in [&shares.reference, &shares.current] {
                    let sum: f64 = side.iter().sum();
                    proptest::prop_assert!((sum - 1.0).abs() < 1e-9, "{:?} sums to {}", bins, sum);
                }
            }
        }
    }
}
