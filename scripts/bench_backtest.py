#!/usr/bin/env python3
"""Generate a year of daily partitions for timing `driftmend backtest`.

Usage (numpy and pyarrow suffice; scripts/bench_backtest makes the venv):

    python3 scripts/bench_backtest.py [--out target/bench-backtest] [--days 365] [--rows 100000]

Writes OUT/policy.yaml (below), OUT/reference.parquet and
OUT/history/dt=YYYY-MM-DD/part-0.parquet
(one per day from 2025-12-01), each with ROWS rows of 8 columns: six
float64 (`num_0`..`num_5`), two string categories (`cat_0` with 5 values,
`cat_1` with 20). From day 200 to day 230 `num_0` and `num_1` shift by half
a standard deviation and `cat_0` tilts (a drift episode). Output is a pure
function of the seed; an existing file is kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 14_2026
START = dt.date(2025, 12, 1)
EPISODE = range(200, 231)

# Two rules, cooldown, rate limit, breaker and escalations; every action a
# harmless `true` (a backtest runs none anyway).
POLICY = """version: 1
name: bench
data:
  reference: reference.parquet
  current: history/latest/
state_dir: state
guardrails:
  mode: auto
  cooldown: 2d
  max_actions: { count: 4, per: 7d }
  circuit_breaker: { failures: 2, open_for: 3d }
  escalate: [page]
rules:
  - name: drift
    when: "dataset.drift_share >= 0.2"
    for: 2
    actions: [retrain]
  - name: num0
    when: "column.num_0.drift_detected"
    actions: [notify]
actions:
  retrain:
    type: exec
    command: ["true"]
  notify:
    type: exec
    command: ["true"]
  page:
    type: exec
    command: ["true"]
"""


def table(rng: np.random.Generator, rows: int, drift: bool) -> pa.Table:
    shift = 0.5 if drift else 0.0
    cols = {}
    for i in range(6):
        cols[f"num_{i}"] = rng.normal(shift if i < 2 else 0.0, 1.0, rows)
    p0 = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
    if drift:
        p0 = p0[::-1]
    cols["cat_0"] = np.array([f"c{k}" for k in range(5)])[rng.choice(5, rows, p=p0)]
    cols["cat_1"] = np.array([f"k{k:02}" for k in range(20)])[rng.integers(0, 20, rows)]
    return pa.table(cols)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="target/bench-backtest")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--rows", type=int, default=100_000)
    a = ap.parse_args()
    out = Path(a.out)
    (out / "history").mkdir(parents=True, exist_ok=True)
    (out / "policy.yaml").write_text(POLICY)
    ref = out / "reference.parquet"
    if not ref.exists():
        pq.write_table(table(np.random.default_rng(SEED), a.rows, False), ref)
    for day in range(a.days):
        date = START + dt.timedelta(days=day)
        path = out / "history" / f"dt={date.isoformat()}" / "part-0.parquet"
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng([SEED, day])
        pq.write_table(table(rng, a.rows, day in EPISODE), path)


if __name__ == "__main__":
    main()
