#!/usr/bin/env python3
"""Reference chunks from NannyML's own chunkers.

Writes ``fixtures/reference/chunks.json``, which the unit tests in
``src/report/chunk.rs`` check ``report::chunk::split`` against.

Run from the repository root, in a virtualenv with nannyml:

    python3 -m venv target/nannyml-venv && target/nannyml-venv/bin/pip install nannyml
    target/nannyml-venv/bin/python scripts/reference/chunk_reference.py

The committed file was produced with nannyml 0.13.1, pandas 3.1.2 and numpy
2.4.6 (also recorded inside the JSON); NannyML needed `statsmodels` added by
hand to import.

Cases:

* ``size`` and ``count``: ``SizeBasedChunker(chunk_size, incomplete)`` and
  ``CountBasedChunker(chunk_number, incomplete)`` on frames of ``rows`` rows
  (no timestamp column): each chunk's key, start and end index.
* ``period``: ``PeriodBasedChunker(timestamp_column_name="ts", offset)`` on a
  frame of deterministic, irregular timestamps (shuffled: NannyML sorts them),
  for offsets ``h``, ``D``, ``W`` and ``M``: each chunk's key, first and last
  row (in sorted order) and the period's start and end (``end`` is pandas'
  ``end_time``, the period's last nanosecond).
* ``size_ts``: ``SizeBasedChunker`` with the timestamp column: start and end
  dates are the chunk's first and last timestamp.

The timestamps are given to the test in microseconds since the epoch, UTC.
"""

from __future__ import annotations

import json
from pathlib import Path

import nannyml
import numpy as np
import pandas as pd
from nannyml.chunk import CountBasedChunker, PeriodBasedChunker, SizeBasedChunker

OUT = Path("fixtures/reference/chunks.json")
EPOCH = pd.Timestamp("1970-01-01")


def micros(t: pd.Timestamp) -> int:
    return int((t - EPOCH) // pd.Timedelta(microseconds=1))


def timestamps() -> list[pd.Timestamp]:
    # 400 irregular instants over ~14 months from 2025-10-30 (crossing
    # month, week and year boundaries), from a fixed formula.
    start = pd.Timestamp("2025-10-30 22:15:00")
    out = []
    t = start
    for i in range(400):
        step_minutes = (i * 7919) % 2161 + (i % 5) * 37
        t = t + pd.Timedelta(minutes=step_minutes)
        out.append(t)
    return out


def index_chunks(chunks) -> list[dict]:
    return [
        {"key": c.key, "first": int(c.start_index), "last": int(c.end_index)}
        for c in chunks
    ]


def main() -> None:
    cases = []
    for rows, size in [(10, 4), (10, 5), (3, 10), (105, 10), (1000, 333), (7, 1)]:
        df = pd.DataFrame({"x": np.arange(rows)})
        for incomplete in ["keep", "append", "drop"]:
            try:
                chunks = SizeBasedChunker(chunk_size=size, incomplete=incomplete).split(df)
                result = index_chunks(chunks)
            except Exception as e:  # NannyML fails on `append` with no full chunk
                result = {"error": type(e).__name__}
            cases.append({"kind": "size", "rows": rows, "size": size, "incomplete": incomplete, "chunks": result})
    for rows, count in [(105, 10), (100, 10), (1000, 7), (12, 5)]:
        df = pd.DataFrame({"x": np.arange(rows)})
        for incomplete in ["keep", "append", "drop"]:
            chunks = CountBasedChunker(chunk_number=count, incomplete=incomplete).split(df)
            cases.append({"kind": "count", "rows": rows, "count": count, "incomplete": incomplete, "chunks": index_chunks(chunks)})

    ts = timestamps()
    order = np.random.default_rng(14).permutation(len(ts))
    shuffled = pd.DataFrame({"ts": [ts[i] for i in order], "x": np.arange(len(ts))})
    sorted_micros = [micros(t) for t in sorted(ts)]
    for offset, period in [("h", "hour"), ("D", "day"), ("W", "week"), ("M", "month")]:
        chunks = PeriodBasedChunker(timestamp_column_name="ts", offset=offset).split(shuffled)
        cases.append(
            {
                "kind": "period",
                "period": period,
                "chunks": [
                    {
                        "key": c.key,
                        "first": int(c.start_index),
                        "last": int(c.end_index),
                        "start": micros(c.start_datetime),
                        "end_ns_after_start": int((c.end_datetime - c.start_datetime) // pd.Timedelta(nanoseconds=1)),
                    }
                    for c in chunks
                ],
            }
        )
    for size in [64, 100]:
        chunks = SizeBasedChunker(chunk_size=size, timestamp_column_name="ts").split(shuffled)
        cases.append(
            {
                "kind": "size_ts",
                "size": size,
                "chunks": [
                    {
                        "key": c.key,
                        "first": int(c.start_index),
                        "last": int(c.end_index),
                        "start": micros(c.start_datetime),
                        "end": micros(c.end_datetime),
                    }
                    for c in chunks
                ],
            }
        )
    doc = {
        "produced_by": "scripts/reference/chunk_reference.py",
        "versions": {"nannyml": nannyml.__version__, "pandas": pd.__version__, "numpy": np.__version__},
        "times": sorted_micros,
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
