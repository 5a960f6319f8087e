#!/usr/bin/env python3
"""Scenario bench for drift decisions: false alarms and detections.

Run through ``scripts/decision_bench`` (it makes the venv under target/).
Generates seeded reference/current pairs (nothing is committed; files live
under ``target/decision-bench/``), runs ``driftmend report -f json`` on each
with every configuration, and prints, per configuration:

* column-level false alarms on no-change pairs (same distribution,
  immaterial changes, random splits of real datasets, single outliers), by
  sample size;
* dataset-level false alarms on those pairs;
* column-level detection of material changes, by sample size; dataset-level
  detection where at least half the features changed.

12 features per pair: 7 numerical (normal, lognormal, exponential,
integers 0..20, bimodal, uniform, Student t with 3 df) and 5 categorical /
boolean (3 levels, 10 levels, 30 Zipf levels, booleans at 30% and 50%).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

NUMERICAL = ["normal", "lognormal", "exponential", "integers", "bimodal", "uniform", "student_t"]
CATEGORICAL = ["cat3", "cat10", "zipf30", "bool30", "bool50"]
FEATURES = NUMERICAL + CATEGORICAL

CAT3 = np.array([0.5, 0.3, 0.2])
CAT10 = np.full(10, 0.1)
ZIPF30 = (1 / np.arange(1, 31)) / np.sum(1 / np.arange(1, 31))


def draw_numerical(name, n, rng, shift=0.0, scale=1.0, tail=0.0):
    """`shift` in standard deviations of the column's distribution, `scale`
    multiplies the spread around the mean, `tail` moves that share of rows to a
    new mode 3 SD above the mean."""
    if name == "normal":
        x, mu, sd = rng.normal(10, 2, n), 10, 2
    elif name == "lognormal":
        x = rng.lognormal(0, 0.5, n)
        mu = np.exp(0.125)
        sd = np.sqrt((np.exp(0.25) - 1) * np.exp(0.25))
    elif name == "exponential":
        x, mu, sd = rng.exponential(3, n), 3, 3
    elif name == "integers":
        x, mu, sd = rng.integers(0, 21, n).astype(float), 10, np.sqrt((21**2 - 1) / 12)
    elif name == "bimodal":
        x = np.where(rng.random(n) < 0.6, rng.normal(0, 1, n), rng.normal(5, 1, n))
        mu, sd = 2.0, np.sqrt(1 + 0.24 * 25)
    elif name == "uniform":
        x, mu, sd = rng.uniform(0, 100, n), 50, 100 / np.sqrt(12)
    elif name == "student_t":
        x, mu, sd = rng.standard_t(3, n), 0, np.sqrt(3)
    else:
        raise ValueError(name)
    x = mu + (x - mu) * scale + shift * sd
    if tail > 0:
        k = int(round(tail * n))
        idx = rng.choice(n, k, replace=False)
        x[idx] = mu + 3 * sd + rng.normal(0, 0.3 * sd, k)
    if name == "integers":
        x = np.round(x)
    return x


def draw_categorical(name, n, rng, share_change=0.0, new_category=0.0):
    """`share_change`: the first level's share grows by this much (taken from
    the others in proportion); `new_category`: that share of rows moves to a
    level the reference never had."""
    if name.startswith("bool"):
        p_true = {"bool30": 0.3, "bool50": 0.5}[name] + share_change
        p_true = p_true * (1 - new_category)
        return rng.random(n) < p_true
    shares = {"cat3": CAT3, "cat10": CAT10, "zipf30": ZIPF30}[name].copy()
    if share_change:
        rest = 1 - shares[0]
        shares[1:] *= (rest - share_change) / rest
        shares[0] += share_change
    labels = [f"{name}_{i:02d}" for i in range(len(shares))]
    if new_category:
        shares = np.append(shares * (1 - new_category), new_category)
        labels.append(f"{name}_new")
    idx = rng.choice(len(shares), n, p=shares / shares.sum())
    return np.array(labels, dtype=object)[idx]


def table(columns, missing=None):
    missing = missing or {}
    arrays = {}
    for name, values in columns.items():
        mask = missing.get(name)
        if isinstance(values[0], (bool, np.bool_)):
            arr = pa.array(values, type=pa.bool_(), mask=mask)
        elif values.dtype == object:
            arr = pa.array(values, type=pa.string(), mask=mask)
        elif name == "integers":
            arr = pa.array(values.astype(np.int64), type=pa.int64(), mask=mask)
        else:
            arr = pa.array(values, type=pa.float64(), mask=mask)
        arrays[name] = arr
    return pa.table(arrays)


def dataset(n, rng, change=None):
    """One side: every feature, `change` maps a feature to its draw kwargs."""
    change = change or {}
    cols = {}
    for f in NUMERICAL:
        cols[f] = draw_numerical(f, n, rng, **change.get(f, {}))
    for f in CATEGORICAL:
        cols[f] = draw_categorical(f, n, rng, **change.get(f, {}))
    return cols


# Scenario: (name, kind, changes applied to current, materially changed features)
def scenarios():
    out = [("same distribution", "null", {}, [])]
    out.append(("immaterial: 0.02 SD shift", "null", {f: {"shift": 0.02} for f in NUMERICAL}, []))
    out.append(
        (
            "immaterial: 1 pp share change",
            "null",
            {f: {"share_change": 0.01} for f in CATEGORICAL},
            [],
        )
    )
    out.append(("immaterial: +0.5 pp missing", "null", "missing", []))
    out.append(("one extreme value in current", "null", "outlier", []))
    for size in (0.1, 0.2, 0.5):
        for k in (1, 3, 7):
            feats = NUMERICAL[:k]
            out.append(
                (f"material: {size} SD shift in {k} of 12", "material", {f: {"shift": size} for f in feats}, feats)
            )
    out.append(("material: x1.25 scale", "material", {f: {"scale": 1.25} for f in NUMERICAL[:3]}, NUMERICAL[:3]))
    out.append(("material: tail (5% to +3 SD)", "material", {f: {"tail": 0.05} for f in NUMERICAL[:3]}, NUMERICAL[:3]))
    cats = ["cat3", "cat10", "zipf30"]
    out.append(("material: new category at 5%", "material", {f: {"new_category": 0.05} for f in cats}, cats))
    out.append(("material: new category at 2%", "material", {f: {"new_category": 0.02} for f in cats}, cats))
    out.append(("material: share +10 pp", "material", {f: {"share_change": 0.10} for f in CATEGORICAL}, CATEGORICAL))
    out.append(("material: share +5 pp", "material", {f: {"share_change": 0.05} for f in CATEGORICAL}, CATEGORICAL))
    return out


def make_pair(scenario, n, seed, workdir):
    name, kind, change, changed = scenario
    rng = np.random.default_rng(seed)
    ref = dataset(n, rng)
    missing_ref = {f: rng.random(n) < 0.02 for f in FEATURES}
    if change == "missing":
        cur = dataset(n, rng)
        missing_cur = {f: rng.random(n) < 0.025 for f in FEATURES}
    elif change == "outlier":
        cur = dataset(n, rng)
        for f in ("normal", "uniform", "student_t"):
            cur[f][rng.integers(n)] = 1e6
        missing_cur = {f: rng.random(n) < 0.02 for f in FEATURES}
    else:
        cur = dataset(n, rng, change)
        missing_cur = {f: rng.random(n) < 0.02 for f in FEATURES}
    r, c = workdir / "reference.parquet", workdir / "current.parquet"
    pq.write_table(table(ref, missing_ref), r)
    pq.write_table(table(cur, missing_cur), c)
    return r, c, changed


def real_splits(seed, workdir, data):
    """A random 50/50 split of a real dataset: nothing changed."""
    rng = np.random.default_rng(seed)
    n = data.num_rows
    perm = rng.permutation(n)
    half = n // 2
    r, c = workdir / "reference.parquet", workdir / "current.parquet"
    pq.write_table(data.take(perm[:half]), r)
    pq.write_table(data.take(perm[half:]), c)
    return r, c


def real_datasets():
    from sklearn.datasets import load_breast_cancer, load_digits, load_diabetes

    out = {}
    bc = load_breast_cancer()
    out["breast_cancer (569 x 12)"] = pa.table({n: bc.data[:, i] for i, n in enumerate(bc.feature_names[:12])})
    dg = load_digits()
    # 12 pixels with some spread: integers 0..16 with many ties.
    cols = [i for i in range(64) if dg.data[:, i].std() > 3][:12]
    out["digits (1797 x 12)"] = pa.table({f"px{i}": dg.data[:, i].astype(np.int64) for i in cols})
    db = load_diabetes(scaled=False)
    out["diabetes (442 x 10)"] = pa.table({n: db.data[:, i] for i, n in enumerate(db.feature_names)})
    return out


def run(binary, r, c, extra):
    cmd = [str(binary), "report", "--reference", str(r), "--current", str(c), "-f", "json", "--quiet", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"error: {' '.join(cmd)} exited {proc.returncode}: {proc.stderr}")
    rep = json.loads(proc.stdout)
    verdicts = {col["name"]: col["drift_detected"] for col in rep["columns"] if col["role"] == "feature"}
    return verdicts, rep["dataset_drift"]["detected"]


CONFIGS = {
    "default": [],
    "evidently": ["--preset", "evidently"],
    "calibrate 10": ["--calibrate", "10"],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default="target/debug/driftmend")
    ap.add_argument("--work", default="target/decision-bench")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    q = args.quick
    # (size, repetitions of null scenarios, of material ones)
    sizes = [(1000, 10 if q else 20, 3), (10_000, 5 if q else 10, 3), (100_000, 2 if q else 4, 2), (1_000_000, 1 if q else 2, 1)]

    # stats[config][bucket] = [events, trials]
    col_fa = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    ds_fa = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    col_det = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    ds_det = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    by_scenario = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    started = time.time()
    seed = 1000
    for n, null_reps, material_reps in sizes:
        for sc in scenarios():
            name, kind, _, changed = sc
            if kind == "material" and n == 1_000_000:
                continue
            if kind == "null" and name != "same distribution" and n == 1000:
                continue
            reps = null_reps if kind == "null" else material_reps
            if kind == "null" and name != "same distribution":
                reps = max(1, reps // 2)
            for _ in range(reps):
                seed += 1
                r, c, changed = make_pair(sc, n, seed, work)
                for cfg, extra in CONFIGS.items():
                    verdicts, detected = run(args.binary, r, c, extra)
                    flagged = [f for f, v in verdicts.items() if v]
                    if kind == "null":
                        col_fa[cfg][n][0] += len(flagged)
                        col_fa[cfg][n][1] += len(verdicts)
                        ds_fa[cfg][n][0] += int(detected)
                        ds_fa[cfg][n][1] += 1
                        by_scenario[cfg][(name, n)][0] += len(flagged)
                        by_scenario[cfg][(name, n)][1] += len(verdicts)
                    else:
                        hits = sum(1 for f in changed if verdicts.get(f))
                        col_det[cfg][n][0] += hits
                        col_det[cfg][n][1] += len(changed)
                        by_scenario[cfg][(name, n)][0] += hits
                        by_scenario[cfg][(name, n)][1] += len(changed)
                        others = [f for f in flagged if f not in changed]
                        col_fa[cfg][f"{n} (material pairs, unchanged columns)"][0] += len(others)
                        col_fa[cfg][f"{n} (material pairs, unchanged columns)"][1] += len(verdicts) - len(changed)
                        if len(changed) * 2 >= len(FEATURES):
                            ds_det[cfg][n][0] += int(detected)
                            ds_det[cfg][n][1] += 1
            print(f"  done n={n} {name} ({time.time() - started:.0f}s)", file=sys.stderr)
    for label, data in real_datasets().items():
        for _ in range(10 if q else 20):
            seed += 1
            r, c = real_splits(seed, work, data)
            for cfg, extra in CONFIGS.items():
                verdicts, detected = run(args.binary, r, c, extra)
                flagged = sum(1 for v in verdicts.values() if v)
                key = f"random split: {label}"
                col_fa[cfg][key][0] += flagged
                col_fa[cfg][key][1] += len(verdicts)
                ds_fa[cfg][key][0] += int(detected)
                ds_fa[cfg][key][1] += 1
        print(f"  done {label} ({time.time() - started:.0f}s)", file=sys.stderr)

    def pct(e, t):
        return f"{e}/{t} ({100 * e / t:.1f}%)" if t else "-"

    def section(title, stats):
        print(f"\n### {title}\n")
        keys = []
        for cfg in CONFIGS:
            for k in stats[cfg]:
                if k not in keys:
                    keys.append(k)
        print("| n | " + " | ".join(CONFIGS) + " |")
        print("|---|" + "---:|" * len(CONFIGS))
        for k in keys:
            print(f"| {k} | " + " | ".join(pct(*stats[cfg][k]) for cfg in CONFIGS) + " |")

    section("Column-level false alarms (no-change pairs)", col_fa)
    section("Dataset-level false alarms (no-change pairs)", ds_fa)
    section("Column-level detection of material changes", col_det)
    section("Dataset-level detection (>= half the features changed)", ds_det)
    print("\n### By scenario (flagged / columns: false alarms for no-change, hits for material)\n")
    print("| scenario | n | " + " | ".join(CONFIGS) + " |")
    print("|---|---|" + "---:|" * len(CONFIGS))
    for (name, n) in by_scenario["default"]:
        print(f"| {name} | {n} | " + " | ".join(pct(*by_scenario[cfg][(name, n)]) for cfg in CONFIGS) + " |")
    print(f"\n(total {time.time() - started:.0f}s)")


if __name__ == "__main__":
    main()
