#!/usr/bin/env python3
"""Reference values for driftmend's drift statistics (src/stats/{binning,categorical,distance}.rs).

Writes fixtures/reference/drift.json: seeded inputs plus the values Evidently 0.7.23
would report for them. Needs only numpy and scipy: Evidently's formulas
(evidently/legacy/calculations/stattests/*.py) are re-implemented below in plain
Python on top of the same numpy/scipy calls Evidently makes, so the expected
numbers come from numpy's histogram code and scipy's tests, not from driftmend.

Usage: python scripts/reference/drift_reference.py [OUT_PATH]

Conventions in the JSON:
- numerical inputs are sorted ascending (driftmend's functions take sorted slices);
- an expected value of null means "undefined": driftmend returns
  `StatsError::Undefined` where Evidently would return NaN or raise;
- `z` is 2 * norm.sf(|z|), the accurate form of Evidently's 2 * (1 - norm.cdf(|z|)).
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

QUANTILE_BINS = 10


# --- Evidently 0.7.23 re-implemented (stattests/utils.py and the stattest modules) ---


def binned_shares(ref, cur):
    """utils.get_binned_data(..., ColumnType.Numerical, feel_zeroes=False), keys sorted."""
    if len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        return np.histogram(ref, bins)[0] / len(ref), np.histogram(cur, bins)[0] / len(cur)
    keys = np.unique(np.concatenate([ref, cur]))
    return share_per_key(ref, keys), share_per_key(cur, keys)


def share_per_key(values, keys):
    uniq, counts = np.unique(values, return_counts=True)
    lookup = dict(zip(uniq.tolist(), counts.tolist()))
    return np.array([lookup.get(k, 0) / len(values) for k in keys.tolist()])


def fill_zeros(shares):
    """The `feel_zeroes` branch of utils.get_binned_data (np.place, no renormalisation)."""
    shares = shares.copy()
    smallest = min(shares[shares != 0])
    np.place(shares, shares == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return shares


def psi(ref_shares, cur_shares):
    r, c = fill_zeros(ref_shares), fill_zeros(cur_shares)
    return float(np.sum((r - c) * np.log(r / c)))


def kl_div(ref_shares, cur_shares):
    return float(stats.entropy(fill_zeros(ref_shares), fill_zeros(cur_shares)))


def jensenshannon(ref_shares, cur_shares):
    return float(distance.jensenshannon(ref_shares, cur_shares))


def wasserstein_norm(ref, cur):
    norm = max(float(np.std(ref)), 0.001)
    return float(stats.wasserstein_distance(ref, cur) / norm)


def hellinger_numerical(ref, cur):
    keys = list(set(ref.tolist()) | set(cur.tolist()))
    bins = np.histogram_bin_edges(keys, bins="sturges")
    h1 = np.histogram(ref, bins=bins, density=True)[0]
    h2 = np.histogram(cur, bins=bins, density=True)[0]
    bin_width = (max(bins) - min(bins)) / (len(bins) - 1)
    total = 0.0
    for p1, p2 in zip(h1, h2):
        total += math.sqrt(float(p1) * float(p2)) * bin_width
    return math.sqrt(1 - float(np.clip(total, 0, 1)))


def hellinger_categorical(ref_counts, cur_counts):
    total = 0.0
    for r, c in zip(ref_counts, cur_counts):
        total += math.sqrt(float(r / sum(ref_counts)) * float(c / sum(cur_counts)))
    return math.sqrt(1 - float(np.clip(total, 0, 1)))


def chisquare(ref_counts, cur_counts):
    """chisquare_stattest._chi_stat_test on per-category counts."""
    if len(ref_counts) < 2:
        return None  # scipy: 0 degrees of freedom -> NaN (or 0.0, by rounding luck)
    k_norm = sum(cur_counts) / sum(ref_counts)
    f_exp = [r * k_norm for r in ref_counts]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(stats.chisquare(cur_counts, f_exp)[1])


def z_test(ref_counts, cur_counts):
    """z_stattest._z_stat_test: the first (sorted) category is 0, every other one 1."""
    if len(ref_counts) > 2:
        return None  # driftmend refuses; Evidently would lump categories 2.. together
    if len(ref_counts) == 1:
        return 1.0  # both samples constant and equal
    n1, n2 = sum(ref_counts), sum(cur_counts)
    p1, p2 = float(ref_counts[1]) / n1, float(cur_counts[1]) / n2
    pooled = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return float(2 * stats.norm.sf(abs(z)))


# --- driftmend's own quantile binning (not an Evidently method) ---


def quantile_shares(ref, cur, n):
    """Interior edges: distinct reference quantiles k/n (numpy linear); bin = #edges <= x."""
    edges = np.unique(np.quantile(ref, np.arange(1, n) / n))

    def shares(values):
        bins = np.searchsorted(edges, values, side="right")
        return np.bincount(bins, minlength=len(edges) + 1) / len(values)

    return shares(ref), shares(cur)


# --- cases ---


def distinct_counts(ref, cur):
    keys = np.unique(np.concatenate([ref, cur]))
    count = lambda values: [int(np.sum(values == k)) for k in keys]
    return count(ref), count(cur)


def share_expectations(ref_shares, cur_shares):
    return {
        "reference": ref_shares.tolist(),
        "current": cur_shares.tolist(),
        "reference_filled": fill_zeros(ref_shares).tolist(),
        "current_filled": fill_zeros(cur_shares).tolist(),
        "jensenshannon": jensenshannon(ref_shares, cur_shares),
        "psi": psi(ref_shares, cur_shares),
        "kl_div": kl_div(ref_shares, cur_shares),
    }


def numerical_case(name, ref, cur, note):
    ref, cur = np.sort(np.asarray(ref, float)), np.sort(np.asarray(cur, float))
    ref_counts, cur_counts = distinct_counts(ref, cur)
    few_values = len(ref_counts) <= 30
    expected = {
        "wasserstein": float(stats.wasserstein_distance(ref, cur)),
        "wasserstein_norm": wasserstein_norm(ref, cur),
        "hellinger": hellinger_numerical(ref, cur),
        "evidently_bins": share_expectations(*binned_shares(ref, cur)),
        "quantile_bins": share_expectations(*quantile_shares(ref, cur, QUANTILE_BINS)),
        # method.rs runs chisquare / z on one category per distinct value
        # (only recorded for cases with few distinct values, to keep the file small).
        "distinct": {
            "reference": ref_counts,
            "current": cur_counts,
            "chisquare": chisquare(ref_counts, cur_counts),
            "z": z_test(ref_counts, cur_counts),
        } if few_values else None,
    }
    return {"name": name, "note": note, "reference": ref.tolist(), "current": cur.tolist(),
            "quantile_bins": QUANTILE_BINS, "expected": expected}


def categorical_case(name, ref_counts, cur_counts, note):
    ref_counts, cur_counts = list(ref_counts), list(cur_counts)
    ref_shares = np.array(ref_counts) / sum(ref_counts)
    cur_shares = np.array(cur_counts) / sum(cur_counts)
    expected = share_expectations(ref_shares, cur_shares)
    expected.update({
        "chisquare": chisquare(ref_counts, cur_counts),
        "z": z_test(ref_counts, cur_counts),
        "hellinger": hellinger_categorical(ref_counts, cur_counts),
    })
    return {"name": name, "note": note, "reference": ref_counts, "current": cur_counts,
            "expected": expected}


def numerical_cases(rng):
    r = lambda x, d=4: np.round(x, d)
    uniform01 = np.concatenate([[0.0, 1.0], r(rng.uniform(0, 1, 298), 2)])
    grid = np.arange(0.0, 65.0)
    big = np.concatenate([[0.0, 1000000.1], r(rng.uniform(0, 1000000.1, 4094), 1)])
    return [
        numerical_case("normal_vs_shifted", r(rng.normal(0, 1, 2000)), r(rng.normal(0.3, 1.1, 1500)),
                       "clear drift, Sturges bins over the combined range"),
        numerical_case("same_distribution", r(rng.normal(5, 2, 1000)), r(rng.normal(5, 2, 1000)),
                       "two draws of one distribution"),
        numerical_case("identical", *(lambda x: (x, x.copy()))(r(rng.normal(0, 1, 500))),
                       "current equals reference: distances 0"),
        numerical_case("heavy_ties", rng.poisson(10, 3000), rng.poisson(11, 2500),
                       "more than 20 distinct integers, many ties, values on edges"),
        numerical_case("few_distinct", rng.choice([1.5, 2.0, 3.25, 7.0], 400, p=[0.4, 0.3, 0.2, 0.1]),
                       rng.choice([1.5, 2.0, 3.25, 9.0], 300, p=[0.3, 0.3, 0.3, 0.1]),
                       "<= 20 distinct reference values: one bin per distinct value of the union; "
                       "7.0 vanished, 9.0 new"),
        numerical_case("two_values", rng.choice([0.0, 1.0], 500, p=[0.7, 0.3]),
                       rng.choice([0.0, 1.0], 400, p=[0.6, 0.4]), "binary numerical column"),
        numerical_case("constant_current", r(rng.normal(0, 1, 500)), np.full(300, 0.25),
                       "current is one value"),
        numerical_case("constant_reference", np.full(200, 3.0), r(rng.normal(3, 1, 150)),
                       "reference std 0: Wasserstein divides by the 0.001 floor"),
        numerical_case("both_constant_equal", np.full(50, 2.0), np.full(30, 2.0),
                       "one value overall: Hellinger's range widens to +-0.5, chisquare undefined"),
        numerical_case("tiny", [1.0, 2.0, 3.5], [2.0, 4.0], "three and two values"),
        numerical_case("exact_edges", grid, [0.0, 1.0, 8.0, 8.0, 16.0, 23.9, 24.0, 32.0, 40.0, 47.0, 48.0,
                                             56.0, 60.0, 63.0, 64.0, 64.0, 7.9999, 8.0001, 15.0, 33.0,
                                             34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 41.0, 42.0, 43.0, 44.0,
                                             45.0, 46.0, 49.0, 50.0, 51.0],
                       "100 values on [0, 64]: 8 bins with exactly representable edges, values on them"),
        numerical_case("inexact_edges", uniform01, r(rng.uniform(0, 1, 100), 1),
                       "400 values on [0, 1]: edges k*0.1 are inexact, current sits on 0.1, 0.2, ..."),
        numerical_case("sturges_rounding", big[:2048], big[2048:],
                       "4096 values on [0, 1000000.1]: numpy's ceil(ptp / width) gives 14 bins, "
                       "not ceil(log2(n) + 1) = 13"),
        numerical_case("large_offset", r(rng.normal(1e6, 10, 800), 3), r(rng.normal(1e6 + 2, 10, 700), 3),
                       "large magnitudes, small spread"),
        numerical_case("quantile_ties", np.concatenate([np.zeros(600), r(rng.exponential(1, 400), 3)]),
                       np.concatenate([np.zeros(300), r(rng.exponential(1.3, 500), 3)]),
                       "60% zeros: several reference deciles coincide and collapse to one edge"),
    ]


def categorical_cases():
    return [
        categorical_case("two_categories", [60, 40], [45, 55], "z and chisquare agree"),
        categorical_case("several", [100, 50, 30, 20], [80, 70, 25, 25], "four categories"),
        categorical_case("new_in_current", [50, 50, 0], [40, 40, 20],
                         "expected count 0: chisquare statistic inf, p 0"),
        categorical_case("vanished", [30, 30, 40], [50, 50, 0], "a reference category absent from current"),
        categorical_case("unequal_sizes", [5000, 3000, 2000], [30, 50, 20], "current 100x smaller"),
        categorical_case("same_proportions", [10, 20, 30], [20, 40, 60], "p 1, distances 0"),
        categorical_case("single_category", [10], [7], "chisquare undefined, z 1"),
        categorical_case("strong_drift", [900, 100], [500, 500],
                         "|z| ~ 19: Evidently's 2 * (1 - cdf) underflows to 0"),
        categorical_case("moderate_drift", [5200, 4800], [4950, 5050], "p around 4e-4"),
        categorical_case("reference_constant", [100, 0], [70, 30], "one side has one category"),
        categorical_case("opposite_constants", [50, 0], [0, 40], "each side a different single category"),
    ]


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "fixtures" / "reference" / "drift.json")
    rng = np.random.default_rng(20240611)
    doc = {
        "generated_by": "scripts/reference/drift_reference.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mirrors": "evidently 0.7.23 legacy stattests",
        "numerical": numerical_cases(rng),
        "categorical": categorical_cases(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
