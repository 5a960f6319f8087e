#!/usr/bin/env python3
"""Generate the benchmark's reference/current Parquet pairs.

Usage (scripts/bench runs it with its own venv; numpy and pyarrow suffice):

    python3 scripts/bench_data.py [--out target/bench-data] [--rows 100000 1000000] [--force]

For each row count N it writes `OUT/N/reference.parquet` and
`OUT/N/current.parquet` (N rows each) and skips a pair that already exists
unless --force. Output is a pure function of the seed and N.

24 columns, named after their kind:
  num_00..num_11  float64, assorted shapes (normal, lognormal, exponential, ...)
  int_00..int_03  int64 with ~100 to ~600k distinct values (numerical)
  cat_00..cat_05  string categories: 3, 5, 8, 12, 25, 50 distinct values
  flag            bool
  level           int64 0..5 (few distinct values: treated as categorical)
Some columns have missing values (1-8%). Eight of the 24 drift in `current`
(`DRIFTED` below): a third, so the dataset as a whole does not drift at
Evidently's default drift share of 0.5.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SEED = 7_2024
DEFAULT_ROWS = (100_000, 1_000_000)
CATEGORY_COUNTS = (3, 5, 8, 12, 25, 50)

# Column -> share of nulls (same on both sides unless the column drifts).
NULL_SHARE = {
    "num_01": 0.02,
    "num_04": 0.05,
    "num_09": 0.01,
    "int_02": 0.03,
    "cat_01": 0.02,
    "cat_04": 0.08,
}

# The columns that drift, and how (see `column`).
DRIFTED = {
    "num_00",  # mean +0.5 sd
    "num_03",  # lognormal scale x1.3
    "num_06",  # variance x2
    "num_10",  # uniform range shifted
    "int_01",  # mean +15%
    "cat_02",  # category weights reversed
    "cat_05",  # weights flattened
    "flag",  # true share 0.30 -> 0.45
}


def zipf_weights(k: int, s: float = 1.1) -> np.ndarray:
    w = 1.0 / np.arange(1, k + 1) ** s
    return w / w.sum()


def categorical(
    rng: np.random.Generator, n: int, k: int, drift: str | None
) -> pa.Array:
    labels = pa.array([f"c{k:02d}_{i:02d}" for i in range(k)])
    p = zipf_weights(k)
    if drift == "reverse":
        p = p[::-1]
    elif drift == "flatten":
        p = 0.5 * p + 0.5 / k
    codes = rng.choice(k, size=n, p=p).astype(np.int32)
    return labels.take(pa.array(codes))


def column(rng: np.random.Generator, name: str, n: int, drifted: bool) -> pa.Array:
    """Draw column `name`; with `drifted`, from its shifted distribution."""
    d = drifted and name in DRIFTED
    match name:
        case "num_00":
            v = rng.normal(0.5 if d else 0.0, 1.0, n)
        case "num_01":
            v = rng.normal(100.0, 15.0, n)
        case "num_02":
            v = rng.exponential(3.0, n)
        case "num_03":
            v = rng.lognormal(np.log(40_000 * (1.3 if d else 1.0)), 0.6, n)
        case "num_04":
            v = rng.gamma(2.0, 2.0, n)
        case "num_05":
            v = rng.beta(2.0, 5.0, n)
        case "num_06":
            v = rng.normal(10.0, 2.0 * (np.sqrt(2.0) if d else 1.0), n)
        case "num_07":
            v = rng.standard_t(5, n)
        case "num_08":
            v = rng.uniform(-1.0, 1.0, n)
        case "num_09":
            v = np.round(rng.lognormal(3.0, 1.0, n), 2)
        case "num_10":
            v = rng.uniform(0.2 if d else 0.0, 1.2 if d else 1.0, n)
        case "num_11":
            v = np.concatenate([rng.normal(-2, 1, n // 2), rng.normal(3, 0.5, n - n // 2)])
            rng.shuffle(v)
        case "int_00":
            v = rng.integers(0, 1_000_000, n)
        case "int_01":
            v = rng.poisson(200.0 * (1.15 if d else 1.0), n)
        case "int_02":
            v = np.rint(rng.normal(5_000, 800, n)).astype(np.int64)
        case "int_03":
            v = rng.geometric(0.01, n)
        case "flag":
            return pa.array(rng.random(n) < (0.45 if d else 0.30))
        case "level":
            return pa.array(rng.choice(6, size=n, p=[0.3, 0.25, 0.2, 0.12, 0.08, 0.05]))
        case _ if name.startswith("cat_"):
            i = int(name[4:])
            drift = {"cat_02": "reverse", "cat_05": "flatten"}.get(name) if d else None
            arr = categorical(rng, n, CATEGORY_COUNTS[i], drift)
            return with_nulls(rng, name, arr)
        case _:
            raise ValueError(name)
    dtype = pa.int64() if name.startswith("int_") else pa.float64()
    return with_nulls(rng, name, pa.array(v, dtype))


def with_nulls(rng: np.random.Generator, name: str, arr: pa.Array) -> pa.Array:
    share = NULL_SHARE.get(name, 0.0)
    if share == 0.0:
        return arr
    mask = pa.array(rng.random(len(arr)) < share)
    return pc.if_else(mask, pa.scalar(None, arr.type), arr)


COLUMNS = (
    [f"num_{i:02d}" for i in range(12)]
    + [f"int_{i:02d}" for i in range(4)]
    + [f"cat_{i:02d}" for i in range(6)]
    + ["flag", "level"]
)


def table(seed: int, n: int, drifted: bool) -> pa.Table:
    # One generator per column, so each column is independent of the others'
    # draws and of the column order.
    streams = np.random.SeedSequence(seed).spawn(len(COLUMNS))
    return pa.table(
        {
            name: column(np.random.default_rng(s), name, n, drifted)
            for name, s in zip(COLUMNS, streams)
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate benchmark Parquet pairs.")
    parser.add_argument("--out", type=Path, default=Path("target/bench-data"))
    parser.add_argument("--rows", type=int, nargs="+", default=list(DEFAULT_ROWS))
    parser.add_argument("--force", action="store_true", help="regenerate existing pairs")
    args = parser.parse_args()

    for n in args.rows:
        d = args.out / str(n)
        ref, cur = d / "reference.parquet", d / "current.parquet"
        if ref.exists() and cur.exists() and not args.force:
            print(f"bench data: {d} exists, kept")
            continue
        d.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        # Reference and current come from different seeds: even undrifted
        # columns are independent samples, as in production.
        for path, seed, drifted in [(ref, SEED, False), (cur, SEED + 1, True)]:
            tmp = path.with_suffix(".parquet.tmp")
            pq.write_table(table(seed, n, drifted), tmp, compression="snappy")
            tmp.rename(path)
        print(f"bench data: wrote {d} in {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()
