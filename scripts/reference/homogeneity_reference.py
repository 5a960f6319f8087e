#!/usr/bin/env python3
"""Reference values for the default decision's test and effect size.

Writes two fixtures, checked by the unit tests at the bottom of
``src/stats/homogeneity.rs`` and ``src/stats/robust.rs``:

* ``fixtures/reference/homogeneity.json``: ``scipy.stats.chi2_contingency``
  (default arguments, so Yates' correction at 1 degree of freedom) on the
  2 x k table of category counts after the small-expected-count pooling
  driftmend documents (written here independently): categories absent on
  both sides dropped; every category whose expected count is below 5 in
  either row pooled into one cell; that cell merged into the smallest other
  category when its own expected count is still below 5; fewer than 2 cells
  left gives statistic 0, p 1.
* ``fixtures/reference/robust_effect.json``: the trimmed Wasserstein
  distance in robust standard deviations, evaluated with numpy: the
  quantile functions (``np.quantile(..., method="inverted_cdf")``) at the
  midpoint of every piece between the merged breakpoints ``i/n``, ``j/m``
  inside ``[0.01, 0.99]``, weighted by the piece length, divided by 0.98 and
  by ``IQR / (2 * norm.ppf(0.75))`` of the reference (numpy's default linear
  quantiles; the population standard deviation when the IQR is 0).

Run from the repository root (scipy 1.18 needs Python >= 3.12):

    python3.12 -m venv target/venv-decisions
    target/venv-decisions/bin/pip install numpy scipy
    target/venv-decisions/bin/python scripts/reference/homogeneity_reference.py

Seeded: re-running with the same versions reproduces the files.
"""

import json
import pathlib
import sys

import numpy as np
import scipy
from scipy.stats import chi2_contingency, norm

ROOT = pathlib.Path(__file__).resolve().parents[2]


def pool(ref, cur):
    cells = [(r, c) for r, c in zip(ref, cur) if r > 0 or c > 0]
    n_ref = sum(r for r, _ in cells)
    n_cur = sum(c for _, c in cells)
    total = n_ref + n_cur
    small = min(n_ref, n_cur)

    def sparse(cell):
        return small * (cell[0] + cell[1]) / total < 5

    kept = [c for c in cells if not sparse(c)]
    rare = [c for c in cells if sparse(c)]
    if not rare:
        return kept, 0
    merged = (sum(r for r, _ in rare), sum(c for _, c in rare))
    if sparse(merged) and kept:
        sizes = [r + c for r, c in kept]
        i = sizes.index(min(sizes))
        kept[i] = (kept[i][0] + merged[0], kept[i][1] + merged[1])
    else:
        kept.append(merged)
    return kept, len(rare)


def homogeneity_case(name, ref, cur):
    table, pooled = pool(ref, cur)
    if len(table) < 2:
        stat, p, dof = 0.0, 1.0, 0
    else:
        res = chi2_contingency(np.array(table, dtype=float).T)
        stat, p, dof = float(res.statistic), float(res.pvalue), int(res.dof)
    return {
        "name": name,
        "reference": [int(x) for x in ref],
        "current": [int(x) for x in cur],
        "statistic": stat,
        "pvalue": p,
        "dof": dof,
        "pooled": pooled,
    }


def homogeneity_cases(rng):
    cases = [
        homogeneity_case("boolean_2x2_yates", [300, 700], [400, 600]),
        homogeneity_case("boolean_small_diff_yates_clip", [50, 50], [50, 51]),
        homogeneity_case("three_levels", [100, 200, 300], [130, 170, 310]),
        homogeneity_case("new_category", [500, 500, 0], [450, 450, 100]),
        homogeneity_case("vanished_category", [400, 400, 200], [500, 500, 0]),
        homogeneity_case("rare_levels_pooled", [500, 480, 3, 2, 1, 4], [490, 500, 1, 0, 6, 2]),
        homogeneity_case("rare_cell_merged_into_smallest", [500, 300, 2], [480, 320, 1]),
        homogeneity_case("one_category", [0, 10], [0, 5]),
        homogeneity_case("all_rare_but_one", [100, 1, 1], [100, 0, 2]),
        homogeneity_case("million_rows", [400_000, 350_000, 250_000], [401_000, 349_500, 249_500]),
        homogeneity_case("unequal_sizes", [9000, 1000], [80, 20]),
    ]
    for k in (2, 5, 30, 200):
        for n_ref, n_cur in ((1000, 1000), (10_000, 3000), (200, 5000)):
            shares = rng.dirichlet(np.ones(k))
            ref = rng.multinomial(n_ref, shares)
            cur = rng.multinomial(n_cur, rng.dirichlet(shares * 200 + 0.01))
            cases.append(homogeneity_case(f"random_k{k}_{n_ref}_{n_cur}", ref.tolist(), cur.tolist()))
    return cases


def robust_effect(ref, cur, trim=0.01):
    ref = np.sort(np.asarray(ref, dtype=float))
    cur = np.sort(np.asarray(cur, dtype=float))
    n, m = len(ref), len(cur)
    points = {trim, 1 - trim}
    points.update(i / n for i in range(1, n) if trim < i / n < 1 - trim)
    points.update(j / m for j in range(1, m) if trim < j / m < 1 - trim)
    u = np.array(sorted(points))
    mid = (u[:-1] + u[1:]) / 2
    diff = np.abs(
        np.quantile(ref, mid, method="inverted_cdf") - np.quantile(cur, mid, method="inverted_cdf")
    )
    integral = float(np.sum(diff * np.diff(u))) / (1 - 2 * trim)
    iqr = np.quantile(ref, 0.75) - np.quantile(ref, 0.25)
    scale = iqr / (2 * norm.ppf(0.75)) if iqr > 0 else float(np.std(ref))
    return integral / max(scale, 0.001)


def robust_cases(rng):
    out = []

    def add(name, ref, cur):
        out.append(
            {
                "name": name,
                "reference": [float(x) for x in ref],
                "current": [float(x) for x in cur],
                "effect": robust_effect(ref, cur),
            }
        )

    base = rng.normal(size=1500)
    add("normal_shift_0.1", base, rng.normal(0.1, 1, size=1200))
    add("normal_scale_1.25", base, rng.normal(0, 1.25, size=1000))
    with_outlier = rng.normal(size=999).tolist() + [1e9]
    add("one_outlier", base, with_outlier)
    add("lognormal_same", rng.lognormal(size=700), rng.lognormal(size=900))
    add("small_sides", [1.0, 2.0, 3.0], [2.0, 4.0])
    add("zero_inflated_iqr_zero", [0.0] * 80 + rng.exponential(size=20).tolist(), [0.0] * 70 + rng.exponential(size=30).tolist())
    add("integers_ties", rng.integers(0, 20, size=500), rng.integers(1, 21, size=400))
    add("tail_mode_5pct", base, np.concatenate([rng.normal(size=950), rng.normal(3, 0.3, size=50)]))
    return out


def main():
    rng = np.random.default_rng(20261207)
    versions = {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    for path, cases in (
        ("fixtures/reference/homogeneity.json", homogeneity_cases(rng)),
        ("fixtures/reference/robust_effect.json", robust_cases(rng)),
    ):
        text = json.dumps({"versions": versions, "cases": cases}, indent=1)
        (ROOT / path).write_text(text + "\n")
        print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
