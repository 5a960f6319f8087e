#!/usr/bin/env python3
"""Reference values for the tests on 2 x k category counts (src/stats/contingency.rs).

Writes ``fixtures/reference/contingency.json``, which the unit tests at the
bottom of ``src/stats/contingency.rs`` check against. Needs only numpy and
scipy. scipy 1.18 needs Python >= 3.12; run from the repository root:

    python3.12 -m venv /tmp/contingency-env
    /tmp/contingency-env/bin/pip install numpy scipy==1.18.1
    /tmp/contingency-env/bin/python scripts/reference/contingency_reference.py

The committed file was produced with scipy 1.18.1, numpy 2.5.5 and CPython
3.12.1 (the versions are also recorded inside the JSON). Everything is seeded,
so re-running with the same versions reproduces it byte for byte.

Inputs are aligned count vectors (``reference``, ``current``: index i is the
same category on both sides), exactly what driftmend's ``CategoryCounts``
holds. Sections:

* ``fisher``: ``scipy.stats.fisher_exact([[ref_a, ref_b], [cur_a, cur_b]],
  alternative='two-sided').pvalue`` after dropping categories absent on both
  sides. ``pvalue`` null: more than 2 categories, where driftmend returns
  ``StatsError::Undefined``. Hand-picked tables (zero cells, huge counts,
  mirror-image tables whose probabilities tie) plus seeded random ones from
  5 to 2 million rows per side.
* ``g_test``: ``scipy.stats.power_divergence(f_obs, f_exp,
  lambda_='log-likelihood')`` with ``f_obs`` the current counts and ``f_exp``
  the reference counts times ``n_cur / n_ref``, over the categories seen on
  either side (scipy gives NaN for a category absent on both). A category
  absent from the reference gives scipy an infinite statistic and p = 0.
  ``pvalue`` null: one category, 0 degrees of freedom (scipy: NaN).
* ``distances``: ``tvd`` = ``0.5 * sum |p - q|`` and ``linf`` = ``max |p - q|``
  of the share vectors, and ``permutation``: an independent permutation
  p-value for the TVD on the same counts with numpy's RNG, ``(1 + #{tvd_b >=
  tvd - 1e-12}) / (1 + B)`` with B = 20 000. Small tables (at most 5 000
  rows in all) are permuted row by row (``method: rows``: shuffle the pooled
  labels, the first n_cur are the current sample); large ones draw the current
  counts from numpy's ``multivariate_hypergeometric`` (``method:
  multivariate_hypergeometric``), which is the distribution of the same
  shuffle's counts. driftmend's p-value uses different random numbers, so the
  Rust test allows Monte Carlo error: ``|ours - numpy| <= 4 sqrt(p (1 - p) /
  B_ours) + 1 / B_ours``.
"""

import json
import platform
import warnings
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "fixtures" / "reference" / "contingency.json"

PERMUTATIONS = 20_000
ROW_LEVEL_MAX_ROWS = 5_000
TIE = 1e-12


def seen(reference, current):
    """The categories present on at least one side, as two int64 arrays."""
    r, c = np.asarray(reference, dtype=np.int64), np.asarray(current, dtype=np.int64)
    keep = (r + c) > 0
    return r[keep], c[keep]


def as_list(values):
    return [int(v) for v in values]


# --- Fisher's exact test ---


def fisher_case(name, reference, current):
    r, c = seen(reference, current)
    if len(r) > 2:
        pvalue = None
    elif len(r) == 1:
        # A zero column: scipy's shortcut gives 1.0.
        pvalue = float(stats.fisher_exact([[r[0], 0], [c[0], 0]]).pvalue)
    else:
        pvalue = float(stats.fisher_exact([[r[0], r[1]], [c[0], c[1]]],
                                          alternative="two-sided").pvalue)
    return {"name": name, "reference": as_list(reference), "current": as_list(current),
            "pvalue": pvalue}


def fisher_cases():
    hand = [
        ("tea_tasting", [3, 1], [1, 3]),
        ("small_unbalanced", [8, 2], [1, 5]),
        ("small_skewed", [1, 9], [11, 3]),
        ("zero_cells_opposite", [0, 5], [5, 0]),
        ("zero_cell_reference", [0, 100], [5, 95]),
        ("zero_cell_current", [10, 7], [0, 12]),
        ("one_row_each", [1, 0], [0, 1]),
        ("one_category_both_sides", [5, 0], [9, 0]),
        ("absent_category_dropped", [0, 30, 0, 10], [0, 20, 0, 40]),
        ("moderate_null", [120, 380], [130, 370]),
        ("moderate_drift", [1000, 9000], [1100, 8900]),
        ("equal_column_totals_tie", [30, 10], [20, 40]),
        ("huge_drift", [600_000, 400_000], [610_000, 390_000]),
        ("huge_near_null", [600_000, 400_000], [600_700, 399_300]),
        ("huge_mirror_tie", [500_100, 499_900], [499_900, 500_100]),
        ("huge_at_mode", [500_000, 500_000], [500_000, 500_000]),
        ("huge_rare_category", [5, 999_995], [20, 999_980]),
        ("huge_unequal_sizes", [1_000_000, 3], [2_000_000, 15]),
        ("huge_separated", [1_000_000, 0], [0, 1_000_000]),
        # Equal row (then column) totals: the mirror-image table ties exactly,
        # at p ~ 1e-185 and 1e-70, where an ulp of ln P exceeds scipy's 1e-14
        # relative tie tolerance; missing the tie halves the p-value.
        ("mirror_tie_tiny_p_rows", [351, 724], [977, 98]),
        ("mirror_tie_tiny_p_columns", [889, 468], [289, 710]),
        ("three_categories", [10, 20, 30], [12, 18, 30]),
    ]
    cases = [fisher_case(*case) for case in hand]
    rng = np.random.default_rng(20240601)
    for i in range(30):
        n_ref = int(10 ** rng.uniform(0.7, 6.3))
        # Every third table has equal row totals, where mirror-image tables
        # tie and scipy's 1e-14 relative tolerance decides.
        n_cur = n_ref if i % 3 == 0 else int(10 ** rng.uniform(0.7, 6.3))
        share = rng.uniform(0.02, 0.98)
        shift = np.clip(share * (1 + rng.normal(0, 3 / np.sqrt(min(n_ref, n_cur)))), 0, 1)
        ref_a = int(rng.binomial(n_ref, share))
        cur_a = int(rng.binomial(n_cur, shift))
        cases.append(fisher_case(f"random_{i:02}", [ref_a, n_ref - ref_a],
                                 [cur_a, n_cur - cur_a]))
    for i, size in enumerate([6, 40, 900, 25_000, 700_000, 1_500_000]):
        a = int(np.clip(np.rint(size / 2 + rng.normal(0, np.sqrt(size) / 2)), 0, size))
        cases.append(fisher_case(f"random_mirror_{i}", [a, size - a], [size - a, a]))
    return cases


# --- G-test ---


def g_case(name, reference, current):
    r, c = seen(reference, current)
    if len(r) < 2:
        statistic, pvalue = None, None
    else:
        expected = r * float(c.sum()) / float(r.sum())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = stats.power_divergence(c.astype(float), expected, lambda_="log-likelihood")
        statistic, pvalue = float(res.statistic), float(res.pvalue)
        if np.isinf(statistic):
            statistic = None  # not representable in JSON; p is 0
    return {"name": name, "reference": as_list(reference), "current": as_list(current),
            "statistic": statistic, "pvalue": pvalue}


def g_cases():
    rng = np.random.default_rng(7)
    probs10 = rng.dirichlet(np.full(10, 2.0))
    drift10 = probs10 * rng.uniform(0.9, 1.1, 10)
    drift10 /= drift10.sum()
    probs50 = rng.dirichlet(np.full(50, 1.0))
    drift50 = probs50 * rng.uniform(0.995, 1.005, 50)
    drift50 /= drift50.sum()
    cases = [
        ("two_categories", [600, 400], [570, 430]),
        ("small_counts", [3, 1, 2], [1, 4, 1]),
        ("ten_categories_unequal_sizes", rng.multinomial(100_000, probs10),
         rng.multinomial(37_000, drift10)),
        ("fifty_categories_million", rng.multinomial(1_000_000, probs50),
         rng.multinomial(1_000_000, drift50)),
        ("fifty_categories_null", rng.multinomial(1_000_000, probs50),
         rng.multinomial(300_000, probs50)),
        ("new_category", [100, 200, 0], [90, 210, 5]),
        ("vanished_category", [100, 200, 15], [90, 210, 0]),
        ("same_shares_unequal_sizes", [40_000, 30_000, 20_000, 10_000],
         [4_000, 3_000, 2_000, 1_000]),
        ("strong_drift", [5_000, 5_000], [4_000, 6_000]),
        ("extreme_drift", [500_000, 500_000], [514_000, 486_000]),
        ("underflowing_p", [500_000, 500_000], [520_000, 480_000]),
        ("absent_on_both_sides", [10, 0, 20], [12, 0, 18]),
        ("one_category", [5, 0], [7, 0]),
    ]
    return [g_case(name, r, c) for name, r, c in cases]


# --- TVD, L-infinity and the permutation p-value ---


def tvd(reference, current):
    p = reference / reference.sum()
    q = current / current.sum()
    return 0.5 * float(np.abs(p - q).sum()), float(np.abs(p - q).max())


def permutation_pvalue(reference, current, rng):
    pooled = reference + current
    n_ref, n_cur = int(reference.sum()), int(current.sum())
    observed, _ = tvd(reference, current)
    if n_ref + n_cur <= ROW_LEVEL_MAX_ROWS:
        method = "rows"
        labels = np.repeat(np.arange(len(pooled)), pooled)
        cur = np.empty((PERMUTATIONS, len(pooled)), dtype=np.int64)
        for b in range(PERMUTATIONS):
            shuffled = rng.permutation(labels)
            cur[b] = np.bincount(shuffled[:n_cur], minlength=len(pooled))
    else:
        method = "multivariate_hypergeometric"
        cur = rng.multivariate_hypergeometric(pooled, n_cur, size=PERMUTATIONS)
    ref = pooled - cur
    distances = 0.5 * np.abs(ref / n_ref - cur / n_cur).sum(axis=1)
    as_extreme = int((distances >= observed - TIE).sum())
    return {"method": method, "resamples": PERMUTATIONS,
            "pvalue": (1 + as_extreme) / (1 + PERMUTATIONS)}


def distance_case(name, reference, current, rng):
    r, c = seen(reference, current)
    distance, linf = tvd(r, c)
    return {"name": name, "reference": as_list(reference), "current": as_list(current),
            "tvd": distance, "linf": linf, "permutation": permutation_pvalue(r, c, rng)}


def distance_cases():
    rng = np.random.default_rng(11)
    probs50 = rng.dirichlet(np.full(50, 1.0))
    drift50 = probs50 * rng.uniform(0.97, 1.03, 50)
    drift50 /= drift50.sum()
    cases = [
        ("identical", [10, 20, 30], [10, 20, 30]),
        ("small_near_null", [5, 3, 2], [4, 4, 2]),
        ("single_current_row", [50, 30, 20], [0, 1, 0]),
        ("moderate_three_categories", [300, 200, 100], [270, 225, 105]),
        ("unequal_sizes", [4_000, 3_000, 2_000, 1_000], [380, 320, 205, 95]),
        ("new_category", [500, 500, 0], [480, 490, 30]),
        ("vanished_category", [400, 400, 200], [500, 500, 0]),
        ("absent_on_both_sides", [0, 40, 0, 60], [0, 35, 0, 65]),
        ("two_categories_huge", [600_000, 400_000], [610_000, 390_000]),
        ("fifty_categories_million_same_distribution", rng.multinomial(1_000_000, probs50),
         rng.multinomial(1_000_000, probs50)),
        ("fifty_categories_million_drift", rng.multinomial(1_000_000, probs50),
         rng.multinomial(1_000_000, drift50)),
        ("fifty_categories_unequal_sizes", rng.multinomial(1_000_000, probs50),
         rng.multinomial(50_000, probs50)),
    ]
    perm_rng = np.random.default_rng(12)
    return [distance_case(name, r, c, perm_rng) for name, r, c in cases]


def main():
    doc = {
        "generated_by": "scripts/reference/contingency_reference.py",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "fisher": fisher_cases(),
        "g_test": g_cases(),
        "distances": distance_cases(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(doc['fisher'])} fisher, "
          f"{len(doc['g_test'])} g_test, {len(doc['distances'])} distance cases")


if __name__ == "__main__":
    main()
