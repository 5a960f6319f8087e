#!/usr/bin/env python3
"""Reference values for driftmend's two-sample tests on numerical data.

Writes ``fixtures/reference/numeric_tests.json``, which the unit tests of
``src/stats/{anderson,cramer,ranks,ttest,epps,energy,mmd}.rs`` check against.

Run from the repository root, in a virtualenv with numpy and scipy 1.18
(scipy 1.18 needs Python >= 3.12):

    python3.12 -m venv /tmp/refenv118
    /tmp/refenv118/bin/pip install numpy scipy==1.18.1
    /tmp/refenv118/bin/python scripts/reference/numeric_tests_reference.py

The committed file was produced with scipy 1.18.1, numpy 2.5.5 and CPython
3.12.1 (also recorded inside the JSON). Everything is seeded, so re-running
with the same versions reproduces it byte for byte.

What is in the file:

* ``cases``: pairs of samples (stored sorted ascending, rounded to 8
  decimals, or to a coarse step where ties are wanted) and, for each test,
  what scipy returns with its defaults:

  - ``anderson``: ``stats.anderson_ksamp([ref, cur])`` (midrank statistic,
    significance level interpolated from the critical values and capped to
    [0.001, 0.25]; ``capped`` says it was capped);
  - ``cramer_von_mises``: ``stats.cramervonmises_2samp(ref, cur)``
    (method='auto'; ``method`` records the path: exact when both sizes are
    <= 20);
  - ``mann_whitney``: ``stats.mannwhitneyu(ref, cur)`` (two-sided,
    method='auto'; ``method`` is exact when one size is <= 8 and there are
    no ties);
  - ``student`` / ``welch``: ``stats.ttest_ind(ref, cur)`` with
    ``equal_var=True`` / ``False``;
  - ``epps_singleton``: ``stats.epps_singleton_2samp(ref, cur)`` (t=(0.4,
    0.8); ``corrected`` says the small-sample correction applied, ``rank``
    is the rank of the estimated covariance, the chi-square df). One
    exception: with d <= 4 distinct pooled values the covariance has rank
    at most d - 1, and scipy's rank can exceed that when a rounding-noise
    singular value clears pinv's 1e-15 cutoff. driftmend caps the rank at
    d - 1; for such cases the expected values are scipy's formula with the
    pseudo-inverse truncated to rank d - 1 (``why`` keeps scipy's numbers);
  - ``energy_distance``: ``stats.energy_distance(ref, cur)`` and
    ``energy_distance_norm``: that divided by ``sqrt(max(np.std(ref), 0.001))``
    (the energy distance of the data scaled by the reference std).

  ``null`` means driftmend returns ``StatsError::Undefined``: scipy raised
  or returned NaN, or, by driftmend's choice, both samples are constant
  (t-tests: scipy returns t = +-inf and p = 0, or NaN; Epps-Singleton: scipy
  returns a statistic made of rounding noise). ``why`` says which.

* ``t_sf``, ``cvm_inf_cdf``, ``bessel_k_quarter``, ``chi2_sf``: the special
  functions behind the p-values, on grids that reach the sizes the tests see
  with a million values per side (scipy.special.stdtr, scipy's private
  ``_cdf_cvm_inf``, scipy.special.kv(0.25, x), scipy.special.chdtrc).

* ``mmd``: driftmend's MMD permutation test has no scipy counterpart, so it
  is checked against an independent numpy implementation: the biased
  (V-statistic) MMD^2 with an RBF kernel exp(-d^2 / (2 sigma^2)), sigma the
  median of |z_i - z_j| over pairs i < j of the pooled sample (both sides
  have at most ``max_per_side`` values, so no subsampling). The statistic
  must agree to rounding. The p-value ``(1 + #{perm >= observed}) / (1 + B)``
  comes from ``permutations`` numpy permutations (numpy's own RNG), so
  driftmend's p-value (different RNG) must only agree within Monte Carlo
  error.
"""

import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
from scipy import special, stats
from scipy.stats._hypotests import _cdf_cvm_inf

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "fixtures" / "reference" / "numeric_tests.json"

# --- samples -----------------------------------------------------------------


def normal(seed, n, loc=0.0, scale=1.0, step=None):
    """n seeded normal values, rounded (to `step` if given, else 8 decimals)."""
    x = np.random.default_rng(seed).normal(loc, scale, n)
    if step is not None:
        return np.round(x / step) * step
    return np.round(x, 8)


def poisson(seed, n, lam):
    return np.random.default_rng(seed).poisson(lam, n).astype(np.float64)


def binary(seed, n, p):
    return (np.random.default_rng(seed).random(n) < p).astype(np.float64)


def values(*xs):
    return np.asarray(xs, dtype=np.float64)


def stored(x):
    """Sorted and cleaned of -0.0 so the JSON reads back to the same values."""
    return [float(v) + 0.0 for v in np.sort(np.asarray(x, dtype=np.float64))]


# --- scipy, with NaN / errors mapped to null -----------------------------------


def quiet(fn):
    """fn() with warnings silenced; (result, None) or (None, reason)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(), None
        except Exception as exc:  # scipy raising is an expected outcome here
            return None, f"scipy raised {type(exc).__name__}: {exc}"


def finite(*xs):
    return all(np.isfinite(x) for x in xs)


def anderson(x, y):
    res, why = quiet(lambda: stats.anderson_ksamp([x, y]))
    if res is None:
        return None, why
    stat, p = float(res.statistic), float(res.pvalue)
    if not finite(stat, p):
        return None, f"scipy returned statistic={stat}, pvalue={p}"
    critical = res.critical_values
    capped = bool(stat < critical.min() or stat > critical.max())
    return {"statistic": stat, "significance_level": p, "capped": capped}, None


def cramer(x, y):
    res, why = quiet(lambda: stats.cramervonmises_2samp(x, y))
    if res is None:
        return None, why
    stat, p = float(res.statistic), float(res.pvalue)
    if not finite(stat, p):
        return None, f"scipy returned statistic={stat}, pvalue={p}"
    method = "asymptotic" if max(len(x), len(y)) > 20 else "exact"
    return {"statistic": stat, "p_value": p, "method": method}, None


def mann_whitney(x, y):
    res, why = quiet(lambda: stats.mannwhitneyu(x, y))
    if res is None:
        return None, why
    stat, p = float(res.statistic), float(res.pvalue)
    if not finite(stat, p):
        return None, f"scipy returned statistic={stat}, pvalue={p}"
    ties = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
    exact = (len(x) <= 8 or len(y) <= 8) and not ties
    return {"statistic": stat, "p_value": p, "method": "exact" if exact else "asymptotic"}, None


def ttest(x, y, equal_var):
    res, why = quiet(lambda: stats.ttest_ind(x, y, equal_var=equal_var))
    if res is None:
        return None, why
    stat, p = float(res.statistic), float(res.pvalue)
    # ttest_ind takes a one-value side's variance as 0 in the pooled form.
    if np.var(x) == 0 and np.var(y) == 0:
        return None, f"both samples constant (driftmend's choice; scipy: t={stat}, p={p})"
    if not finite(stat, p):
        return None, f"scipy returned statistic={stat}, pvalue={p}"
    return {"statistic": stat, "p_value": p, "df": float(res.df)}, None


def epps(x, y):
    pooled = np.concatenate([x, y])
    if len(x) >= 5 and len(y) >= 5 and stats.iqr(pooled) == 0:
        return None, "pooled interquartile range is 0 (scipy fails in the SVD)"
    if len(x) >= 5 and len(y) >= 5 and np.var(x) == 0 and np.var(y) == 0:
        return None, ("both samples constant: the covariance is 0 up to rounding "
                      "(scipy reports a statistic made of rounding noise)")
    res, why = quiet(lambda: stats.epps_singleton_2samp(x, y))
    if res is None:
        return None, why
    stat, p = float(res.statistic), float(res.pvalue)
    if not finite(stat, p):
        return None, f"scipy returned statistic={stat}, pvalue={p}"
    out = {"statistic": stat, "p_value": p, "corrected": max(len(x), len(y)) < 25}
    cov, g_diff = epps_moments(x, y)
    out["rank"] = int(np.linalg.matrix_rank(np.linalg.pinv(cov)))
    # With d distinct pooled values the covariance has rank <= d - 1; a
    # larger rank is a rounding-noise singular value that happened to clear
    # pinv's 1e-15 cutoff. driftmend caps the rank at d - 1: expect scipy's
    # formula with pinv truncated to that rank.
    distinct = len(np.unique(pooled))
    if out["rank"] > distinct - 1:
        rank = distinct - 1
        u, sv, vt = np.linalg.svd(cov)
        inv = (vt[:rank].T / sv[:rank]) @ u[:, :rank].T
        w = len(pooled) * float(g_diff @ inv @ g_diff) * epps_correction(len(x), len(y))
        out.update(statistic=w, p_value=float(special.chdtrc(rank, w)), rank=rank)
        return out, (f"rank {rank} from {distinct} distinct values (scipy's pinv keeps a "
                     f"rounding-noise singular value: statistic={stat}, pvalue={p})")
    return out, None


def epps_moments(x, y):
    """scipy's estimated covariance and mean difference of (cos, sin)(t x)."""
    sigma = stats.iqr(np.concatenate([x, y])) / 2
    ts = np.array([0.4, 0.8]).reshape(-1, 1) / sigma
    gx = np.vstack([np.cos(ts * x), np.sin(ts * x)])
    gy = np.vstack([np.cos(ts * y), np.sin(ts * y)])
    nx, ny = len(x), len(y)
    n = nx + ny
    cov = (n / nx) * np.cov(gx) * (nx - 1) / nx + (n / ny) * np.cov(gy) * (ny - 1) / ny
    return cov, gx.mean(axis=1) - gy.mean(axis=1)


def epps_correction(nx, ny):
    n = nx + ny
    if max(nx, ny) < 25:
        return 1.0 / (1.0 + n**(-0.45) + 10.1 * (nx**(-1.7) + ny**(-1.7)))
    return 1.0


def energy(x, y):
    d = float(stats.energy_distance(x, y))
    # Unit-free: the energy distance has the units of sqrt(data), so scaling
    # the data by the reference std divides it by sqrt(std).
    return d, d / np.sqrt(max(float(np.std(x)), 0.001))


def case(name, x, y):
    x, y = np.sort(np.asarray(x, dtype=np.float64)), np.sort(np.asarray(y, dtype=np.float64))
    expected, why = {}, {}
    for key, fn in [
        ("anderson", anderson),
        ("cramer_von_mises", cramer),
        ("mann_whitney", mann_whitney),
        ("student", lambda a, b: ttest(a, b, True)),
        ("welch", lambda a, b: ttest(a, b, False)),
        ("epps_singleton", epps),
    ]:
        expected[key], reason = fn(x, y)
        if reason is not None:
            why[key] = reason
    expected["energy_distance"], expected["energy_distance_norm"] = energy(x, y)
    out = {"name": name, "reference": stored(x), "current": stored(y), "expected": expected}
    if why:
        out["why"] = why
    return out


def no_ties(x):
    assert len(np.unique(x)) == len(x), "case meant to have no ties has ties"
    return x


def cases():
    out = [
        # Shifted normals, equal and unequal sizes.
        case("shifted_200_200", normal(1, 200), normal(2, 200, loc=0.3)),
        case("shifted_unequal_150_400", normal(3, 150), normal(4, 400, loc=0.2, scale=1.3)),
        case("same_dist_300_250", normal(5, 300), normal(6, 250)),
        case("small_shift_500_500", normal(7, 500), normal(8, 500, loc=0.12)),
        case("scale_change_400_300", normal(9, 400), normal(10, 300, scale=1.6)),
        case("medium_3000_2000", normal(11, 3000), normal(12, 2000, loc=0.05)),
        # Identical samples.
        case("identical_100", normal(13, 100), normal(13, 100)),
        case("identical_ties_200", normal(14, 200, step=0.5), normal(14, 200, step=0.5)),
        case("identical_12", normal(15, 12), normal(15, 12)),
        # Heavy ties: rounded data, integers, two values, constants.
        case("ties_rounded_300_250", normal(16, 300, step=0.5), normal(17, 250, loc=0.1, step=0.5)),
        case("ties_poisson_200_180", poisson(18, 200, 2.0), poisson(19, 180, 2.6)),
        case("ties_poisson_40_35", poisson(20, 40, 1.5), poisson(21, 35, 1.5)),
        case("ties_binary_200_150", binary(22, 200, 0.3), binary(23, 150, 0.45)),
        case("ties_three_values_120_100", poisson(24, 120, 0.5).clip(0, 2),
             poisson(25, 100, 0.7).clip(0, 2)),
        case("ties_small_7_6", values(1, 2, 2, 3, 3, 3, 4), values(2, 3, 3, 4, 5, 5)),
        case("constant_equal_10_8", np.full(10, 3.0), np.full(8, 3.0)),
        case("constant_apart_10_8", np.full(10, 3.0), np.full(8, 4.0)),
        case("one_constant_side_30_20", np.full(30, 1.0), normal(26, 20, loc=1.0)),
        case("mostly_one_value_60_50", np.r_[np.zeros(50), normal(27, 10)],
             np.r_[np.zeros(45), normal(28, 5, loc=1.0)]),
        # Tiny samples: n = 1..5.
        case("tiny_1_1", values(0.5), values(1.5)),
        case("tiny_1_1_equal", values(2.0), values(2.0)),
        case("tiny_1_2", values(0.0), values(1.0, 2.0)),
        case("tiny_2_1", values(1.0, 3.0), values(2.0)),
        case("tiny_2_2", values(0.1, 0.7), values(0.2, 0.9)),
        case("tiny_1_3", values(5.0), values(1.0, 2.0, 7.0)),
        case("tiny_3_3_apart", values(1.0, 2.0, 3.0), values(4.0, 5.0, 6.0)),
        case("tiny_2_3", values(0.1, 0.7), values(0.2, 0.3, 0.9)),
        case("tiny_3_4_ties", values(1.0, 1.0, 2.0), values(1.0, 2.0, 2.0, 3.0)),
        case("tiny_4_5", normal(29, 4), normal(30, 5, loc=0.5)),
        case("tiny_5_5", normal(31, 5), normal(32, 5, loc=1.0)),
        case("tiny_4_10", normal(33, 4), normal(34, 10)),
        case("tiny_5_3", normal(35, 5), normal(36, 3)),
        # Unequal sizes.
        case("unequal_10_500", normal(37, 10), normal(38, 500, loc=0.4)),
        case("unequal_1000_30", normal(39, 1000), normal(40, 30, scale=0.5)),
        case("unequal_2_300", values(-0.3, 0.8), normal(41, 300)),
        # Switch points. Cramer-von Mises: exact iff both sizes <= 20.
        case("cvm_exact_20_20", normal(42, 20), normal(43, 20, loc=0.6)),
        case("cvm_asymptotic_21_20", normal(44, 21), normal(45, 20, loc=0.6)),
        case("cvm_exact_20_3", normal(46, 20), normal(47, 3, loc=1.0)),
        case("cvm_asymptotic_3_21", normal(48, 3), normal(49, 21)),
        case("cvm_exact_ties_15_12", normal(50, 15, step=0.5), normal(51, 12, step=0.5)),
        case("cvm_exact_7_6", normal(52, 7), normal(53, 6, scale=2.0)),
        # Mann-Whitney: exact iff one size <= 8 and no ties.
        case("mwu_exact_8_50", no_ties(normal(54, 8)), no_ties(normal(55, 50, loc=0.5))),
        case("mwu_asymptotic_9_9", normal(56, 9), normal(57, 9, loc=0.5)),
        case("mwu_ties_8_8", normal(58, 8, step=0.5), normal(59, 8, step=0.5, loc=0.5)),
        case("mwu_exact_3_2000", no_ties(normal(60, 3, loc=1.0)), no_ties(normal(61, 2000))),
        case("mwu_exact_6_6_apart", values(1, 2, 3, 4, 5, 6), values(7, 8, 9, 10, 11, 12)),
        case("mwu_exact_5_7_balanced", values(1, 4, 6, 9, 12), values(2, 3, 7, 8, 10, 11, 13)),
        # Epps-Singleton: small-sample correction iff both sizes < 25.
        case("es_corrected_24_24", normal(62, 24), normal(63, 24, scale=2.0)),
        case("es_uncorrected_25_20", normal(64, 25), normal(65, 20, scale=2.0)),
        case("es_corrected_6_9", normal(66, 6), normal(67, 9, loc=0.8)),
        # Anderson-Darling: p-values inside the table (interpolated) and at
        # either cap.
        case("ad_interpolated_200_200", normal(68, 200), normal(69, 200, loc=0.25)),
        case("ad_interpolated_80_120", normal(70, 80), normal(71, 120, loc=0.35)),
        case("ad_interpolated_ties_150_150", normal(72, 150, step=0.25),
             normal(73, 150, loc=0.2, step=0.25)),
        # Extreme separation: tiny p-values.
        case("separated_300_300", normal(74, 300), normal(75, 300, loc=5.0)),
        case("separated_1000_800", normal(76, 1000), normal(77, 800, loc=1.5)),
        case("separated_30_25", normal(78, 30), normal(79, 25, loc=10.0)),
        case("separated_12_10", normal(80, 12), normal(81, 10, loc=10.0)),
        case("separated_ties_200_200", normal(82, 200, step=1.0), normal(83, 200, loc=6.0, step=1.0)),
    ]
    return out


# --- special functions ---------------------------------------------------------


def t_sf_table():
    rows = []
    for df in [1.0, 2.0, 2.5, 3.0, 7.3, 30.0, 57.25, 1000.0, 1e5, 1.7e6 + 0.4, 2e6 - 2]:
        for t in [0.0, 1e-3, 0.3, 1.0, 2.0, 3.5, 6.0, 12.0, 40.0, 200.0, 1e4]:
            rows.append([df, t, float(2 * special.stdtr(df, -t))])
    return rows


def cvm_inf_table():
    xs = [0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.347, 0.461, 0.743, 1.0, 1.168, 1.5, 2.0,
          3.0, 5.0, 10.0, 40.0, 300.0]
    return [[x, float(_cdf_cvm_inf(x))] for x in xs]


def bessel_table():
    xs = [1e-4, 0.01, 0.1, 0.5, 1.0, 1.9, 2.0, 2.1, 5.0, 10.0, 30.0, 100.0, 300.0, 650.0]
    return [[x, float(special.kv(0.25, x))] for x in xs]


def chi2_table():
    rows = []
    for df in [1, 2, 3, 4]:
        for x in [0.0, 0.01, 0.5, 1.0, 3.0, 9.49, 20.0, 100.0, 700.0, 1400.0]:
            rows.append([df, x, float(special.chdtrc(df, x))])
    return rows


# --- MMD (independent numpy implementation) ------------------------------------


def mmd_statistic(z, nx, sigma):
    k = np.exp(-((z[:, None] - z[None, :]) ** 2) / (2 * sigma**2))
    return k, mmd_from_kernel(k, np.arange(nx), np.arange(nx, len(z)))


def mmd_from_kernel(k, ix, iy):
    return k[np.ix_(ix, ix)].mean() + k[np.ix_(iy, iy)].mean() - 2 * k[np.ix_(ix, iy)].mean()


def mmd_case(name, x, y, seed, permutations=5000):
    x, y = np.sort(np.asarray(x, dtype=np.float64)), np.sort(np.asarray(y, dtype=np.float64))
    z = np.concatenate([x, y])
    m = len(z)
    sigma = float(np.median(np.abs(z[:, None] - z[None, :])[np.triu_indices(m, 1)]))
    k, observed = mmd_statistic(z, len(x), sigma)
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(permutations):
        perm = rng.permutation(m)
        if mmd_from_kernel(k, perm[: len(x)], perm[len(x):]) >= observed:
            hits += 1
    return {
        "name": name,
        "reference": stored(x),
        "current": stored(y),
        "sigma": sigma,
        "statistic": float(observed),
        "p_value": (1 + hits) / (1 + permutations),
        "permutations": permutations,
    }


def mmd_cases():
    return [
        mmd_case("shifted_100_120", normal(101, 100), normal(102, 120, loc=0.35), 1),
        mmd_case("same_dist_150_130", normal(103, 150), normal(104, 130), 2),
        mmd_case("scale_change_120_120", normal(105, 120), normal(106, 120, scale=1.5), 3),
        mmd_case("identical_80", normal(107, 80), normal(107, 80), 4),
        mmd_case("separated_100_100", normal(108, 100), normal(109, 100, loc=4.0), 5),
        mmd_case("ties_rounded_150_150", normal(110, 150, step=0.5),
                 normal(111, 150, loc=0.2, step=0.5), 6),
        mmd_case("tiny_1_3", values(0.0), values(1.0, 2.0, 4.0), 7),
        mmd_case("tiny_3_5", values(0.1, 0.5, 0.9), values(0.2, 1.4, 1.5, 2.0, 2.2), 8),
        mmd_case("unequal_40_250", normal(112, 40), normal(113, 250, loc=0.3), 9),
    ]


def main():
    out_path = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    doc = {
        "generated_by": "scripts/reference/numeric_tests_reference.py",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "cases": cases(),
        "t_sf": t_sf_table(),
        "cvm_inf_cdf": cvm_inf_table(),
        "bessel_k_quarter": bessel_table(),
        "chi2_sf": chi2_table(),
        "mmd": mmd_cases(),
    }
    out_path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {out_path} ({out_path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
