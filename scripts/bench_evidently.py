#!/usr/bin/env python3
"""Time Evidently 0.7.23's DataDriftPreset on one reference/current pair.

scripts/bench runs this inside its venv (`--evidently`); by hand:

    python3 scripts/bench_evidently.py REFERENCE.parquet CURRENT.parquet \
        --output report.json --timings timings.json

It does what `driftmend report --format json --output FILE` does: load both
files (pandas + pyarrow), run the preset with column types inferred (an empty
DataDefinition, as driftmend infers them), and write the results as JSON. The
phases are timed in-process and written to --timings as JSON:
  import_s  importing evidently (and pandas)
  load_s    pandas.read_parquet of both files
  report_s  Report.run + Snapshot.json + writing it
The process's own wall time and peak RSS are measured by the caller.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings

start = time.perf_counter()

import pandas as pd  # noqa: E402
from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

imported = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference")
    parser.add_argument("current")
    parser.add_argument("--output", required=True, help="where to write the report JSON")
    parser.add_argument("--timings", required=True, help="where to write the phase timings")
    args = parser.parse_args()
    # Evidently and pandas warn per column on some dtypes; the benchmark
    # output should show timings only.
    warnings.filterwarnings("ignore")

    t0 = time.perf_counter()
    reference = pd.read_parquet(args.reference)
    current = pd.read_parquet(args.current)
    t1 = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(
        current_data=Dataset.from_pandas(current, data_definition=DataDefinition()),
        reference_data=Dataset.from_pandas(reference, data_definition=DataDefinition()),
    )
    with open(args.output, "w", encoding="utf-8") as out:
        out.write(snapshot.json())
    t2 = time.perf_counter()

    # The first metric is DriftedColumnsCount; one ValueDrift per column follows.
    metrics = snapshot.dict()["metrics"]
    drifted = metrics[0]["value"]
    timings = {
        "import_s": imported - start,
        "load_s": t1 - t0,
        "report_s": t2 - t1,
        "rows": [len(reference), len(current)],
        "columns_checked": len(metrics) - 1,
        "columns_drifted": int(drifted["count"]),
    }
    with open(args.timings, "w", encoding="utf-8") as out:
        json.dump(timings, out)
    print(
        f"evidently: {timings['columns_checked']} columns checked, "
        f"{timings['columns_drifted']} drifted",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
