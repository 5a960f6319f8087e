#!/usr/bin/env python3
"""Write the small files under `fixtures/types/`: one per family of column
types a real Parquet or CSV file has, plus one written with Spark's
conventions, and `expected.json` with the values the tests compare against
(computed here by pyarrow, independently of polars).

Run from the repository root; pyarrow is installed into a venv under
`target/` when missing:

    python3 scripts/reference/make_type_fixtures.py

The output is a pure function of the literals below (and of pyarrow's
Parquet writer, stable across patch releases). `docs/data-types.md` says
which kind driftmend gives each type; `tests/cli/types.rs` checks it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "types-venv"
OUT = ROOT / "fixtures" / "types"


def ensure_pyarrow() -> None:
    """Re-runs this script under the venv's Python, creating it if needed."""
    try:
        import pyarrow  # noqa: F401

        return
    except ImportError:
        pass
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "pyarrow"], check=True)
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


ensure_pyarrow()

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

ROWS = 6
UTC = dt.timezone.utc


def instants() -> list[dt.datetime | None]:
    """Six instants (one missing), whole milliseconds, in UTC."""
    base = dt.datetime(2024, 3, 10, 6, 30, 15, 250_000, tzinfo=UTC)
    out: list[dt.datetime | None] = [
        base + dt.timedelta(days=d, hours=h) for d, h in [(0, 0), (1, 3), (2, 7), (40, 1), (3, 0)]
    ]
    out.insert(2, None)
    return out


def naive(values):
    return [None if v is None else v.replace(tzinfo=None) for v in values]


def whole_seconds(values):
    return [None if v is None else v.replace(microsecond=0) for v in values]


def survives(v: decimal.Decimal) -> bool:
    """Whether the float64 nearest `v` is exactly `v` or prints back (in
    its shortest round-trip form, Python's `repr`) as `v`."""
    f = float(v)
    return decimal.Decimal(f) == v or decimal.Decimal(repr(f)) == v


def distinct(col) -> int:
    return len({v for v in col.to_pylist() if v is not None})


def write(name: str, table: pa.Table, **kwargs) -> None:
    pq.write_table(table, OUT / name, compression="snappy", **kwargs)


def timestamps(expected: dict) -> None:
    t = instants()
    columns = {}
    for unit in ["s", "ms", "us", "ns"]:
        values = whole_seconds(t) if unit == "s" else t
        columns[f"naive_{unit}"] = pa.array(naive(values), pa.timestamp(unit))
        columns[f"utc_{unit}"] = pa.array(values, pa.timestamp(unit, tz="UTC"))
    columns["amsterdam_us"] = pa.array(t, pa.timestamp("us", tz="Europe/Amsterdam"))
    columns["offset_ms"] = pa.array(t, pa.timestamp("ms", tz="+05:00"))
    # polars knows whole-hour offsets only: this column is `unsupported`.
    columns["odd_offset_ms"] = pa.array(t, pa.timestamp("ms", tz="+05:30"))
    columns["unknown_zone_us"] = pa.array(t, pa.timestamp("us", tz="Mars/Olympus"))
    table = pa.table(columns)
    write("timestamps.parquet", table)
    # Instants in UTC (the zone dropped), so that a zone neither pyarrow
    # nor polars knows needs no database.
    utc = {name: col.cast(pa.timestamp(col.type.unit)) for name, col in zip(table.column_names, table.columns)}
    expected["timestamps.parquet"] = {
        name: {
            "type": str(table.column(name).type),
            "nulls": col.null_count,
            "distinct": distinct(col),
            "min_utc": pc.min(col).as_py().isoformat(),
            "max_utc": pc.max(col).as_py().isoformat(),
        }
        for name, col in utc.items()
    }


def dates_and_times(expected: dict) -> None:
    days = [dt.date(2024, 1, 31), dt.date(1999, 12, 31), None, dt.date(2024, 2, 29), dt.date(2030, 6, 1), dt.date(1970, 1, 1)]
    times = [dt.time(0, 0, 1), dt.time(23, 59, 59), None, dt.time(12, 0), dt.time(6, 30, 15), dt.time(6, 30, 15)]
    spans = [dt.timedelta(seconds=s) for s in [1, 90, 3600, 86_400, 0]]
    spans.insert(1, None)
    table = pa.table(
        {
            "date32": pa.array(days, pa.date32()),
            "date64": pa.array(days, pa.date64()),
            "time32_s": pa.array(times, pa.time32("s")),
            "time32_ms": pa.array(times, pa.time32("ms")),
            "time64_us": pa.array(times, pa.time64("us")),
            "time64_ns": pa.array(times, pa.time64("ns")),
            "duration_s": pa.array(spans, pa.duration("s")),
            "duration_ms": pa.array(spans, pa.duration("ms")),
            "duration_us": pa.array(spans, pa.duration("us")),
            "duration_ns": pa.array(spans, pa.duration("ns")),
        }
    )
    write("dates_times.parquet", table)
    expected["dates_times.parquet"] = {
        name: {
            "type": str(col.type),
            "nulls": col.null_count,
            "distinct": distinct(col),
        }
        for name, col in zip(table.column_names, table.columns)
    }


def decimals(expected: dict) -> None:
    prices = ["19.99", "5.00", None, "1234.50", "0.01", "77.77"]
    d = [None if p is None else decimal.Decimal(p) for p in prices]
    floats = [None if p is None else float(p) for p in prices]
    big = [None if p is None else decimal.Decimal(p) * 10**30 for p in prices]
    # 29 significant digits: a float64 keeps about 16, so each value rounds.
    exact = ["12345678901234567890123456789", "-98765432109876543210987654321", None, "1", "2", "3"]
    table = pa.table(
        {
            "price_float": pa.array(floats, pa.float64()),
            "price_9_2": pa.array(d, pa.decimal128(9, 2)),
            "price_18_4": pa.array(d, pa.decimal128(18, 4)),
            "price_38_10": pa.array(d, pa.decimal128(38, 10)),
            "price_50_2": pa.array(d, pa.decimal256(50, 2)),
            "big_60_2": pa.array(big, pa.decimal256(60, 2)),
            "id_38_0": pa.array([None if v is None else decimal.Decimal(v) for v in exact], pa.decimal128(38, 0)),
        }
    )
    # Small precisions stored as INT32/INT64 (as Spark and most engines do).
    write("decimals.parquet", table, store_decimal_as_integer=True)
    expected["decimals.parquet"] = {
        name: {
            "type": str(col.type),
            "nulls": col.null_count,
            "mean": pc.mean(col.cast(pa.float64())).as_py(),
            "min": float(pc.min(col).as_py()),
            "max": float(pc.max(col).as_py()),
            # Values that do not survive the trip to float64 and back
            # (the float's shortest repr is another number).
            "rounded": sum(
                1
                for v in col.to_pylist()
                if isinstance(v, decimal.Decimal) and not survives(v)
            ),
        }
        for name, col in zip(table.column_names, table.columns)
    }


def numbers_and_strings(expected: dict) -> None:
    u64 = [0, 2**63, None, 2**64 - 1, 2**53 + 1, 7]
    colors = ["red", "green", None, "red", "red", "green"]
    table = pa.table(
        {
            "u64": pa.array(u64, pa.uint64()),
            "u32": pa.array([None if v is None else v % 2**32 for v in u64], pa.uint32()),
            "i8": pa.array([1, -2, None, 3, 127, -128], pa.int8()),
            "f16": pa.array([0.5, 1.5, None, -2.25, 65504.0, 0.099975586], pa.float16()),
            "f32": pa.array([0.5, 1.5, None, -2.25, 65504.0, 0.1], pa.float32()),
            "large_str": pa.array(colors, pa.large_string()),
            "dict_str": pa.array(colors, pa.string()).dictionary_encode(),
            "view_str": pa.array(colors, pa.string_view()),
            "flag": pa.array([True, False, None, True, True, False]),
        }
    )
    write("numbers_strings.parquet", table)
    expected["numbers_strings.parquet"] = {
        name: {
            "type": str(col.type),
            "nulls": col.null_count,
            "distinct": distinct(col),
        }
        for name, col in zip(table.column_names, table.columns)
    }
    for name in ["u64", "u32", "i8", "f16", "f32"]:
        col = table.column(name)
        floats = [float(v) for v in col.to_pylist() if v is not None]
        entry = expected["numbers_strings.parquet"][name]
        entry["min"] = min(floats)
        entry["max"] = max(floats)
        entry["mean"] = sum(floats) / len(floats)


def nested_and_binary(expected: dict) -> None:
    table = pa.table(
        {
            "id": pa.array(range(1, ROWS + 1), pa.int64()),
            "amount": pa.array([1.5, 2.5, None, 4.0, 8.25, 3.0]),
            "point": pa.array(
                [{"x": 1, "y": 2}, None, {"x": 3, "y": 4}, {"x": 5, "y": 6}, {"x": 1, "y": 1}, {"x": 0, "y": 0}],
                pa.struct([("x", pa.int64()), ("y", pa.int64())]),
            ),
            "tags": pa.array([["a"], ["a", "b"], None, [], ["c"], ["a"]], pa.list_(pa.string())),
            "big_list": pa.array([[1], [2, 3], None, [], [4], [5]], pa.large_list(pa.int32())),
            "pair": pa.array([[1, 2], [3, 4], None, [5, 6], [7, 8], [9, 0]], pa.list_(pa.int32(), 2)),
            "attrs": pa.array(
                [[("k", 1)], None, [("k", 2), ("j", 3)], [], [("x", 0)], [("k", 1)]],
                pa.map_(pa.string(), pa.int32()),
            ),
            "blob": pa.array([b"\x00\x01", b"", None, b"\xff", b"abc", b"\x00\x01"], pa.binary()),
            "large_blob": pa.array([b"\x00", b"a", None, b"b", b"c", b"d"], pa.large_binary()),
            "uuid": pa.array([bytes([i]) * 16 for i in range(ROWS)], pa.binary(16)),
            "label": pa.array(["a", "b", "a", None, "b", "a"]),
        }
    )
    write("nested_binary.parquet", table)
    expected["nested_binary.parquet"] = {
        name: {"type": str(col.type), "nulls": col.null_count}
        for name, col in zip(table.column_names, table.columns)
    }


def spark(expected: dict) -> None:
    """As Spark writes a table by default: timestamps as INT96 (read back as
    naive nanoseconds: INT96 has no time zone), decimals as INT32/INT64 or
    fixed-length bytes, no Arrow schema in the footer."""
    t = instants()
    amounts = [None if v is None else decimal.Decimal(v) for v in ["10.50", "3.25", None, "99.99", "0.00", "12.34"]]
    table = pa.table(
        {
            "event_id": pa.array(range(100, 100 + ROWS), pa.int64()),
            "event_time": pa.array(t, pa.timestamp("us", tz="UTC")),
            "amount": pa.array(amounts, pa.decimal128(10, 2)),
            "total": pa.array([None if v is None else v * 1000 for v in amounts], pa.decimal128(20, 2)),
            "country": pa.array(["NL", "US", None, "NL", "DE", "US"]),
        }
    )
    # Warehouse sentinels that INT96 holds but a nanosecond timestamp
    # cannot: polars reads them at its limits, driftmend says so.
    far = [dt.datetime(2024, 1, 1), dt.datetime(9999, 12, 31), None, dt.datetime(1, 1, 1), dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 3)]
    table = table.append_column("valid_to", pa.array(far, pa.timestamp("us")))
    write(
        "spark.parquet",
        table,
        use_deprecated_int96_timestamps=True,
        store_decimal_as_integer=True,
        store_schema=False,
        flavor="spark",
    )
    back = pq.read_table(OUT / "spark.parquet")
    expected["spark.parquet"] = {
        name: {"type": str(col.type), "nulls": col.null_count}
        for name, col in zip(back.column_names, back.columns)
    }
    ts = back.column("event_time")
    expected["spark.parquet"]["event_time"].update(
        min_utc=pc.min(ts).as_py().isoformat(), max_utc=pc.max(ts).as_py().isoformat()
    )
    for name in ["amount", "total"]:
        col = back.column(name)
        expected["spark.parquet"][name]["mean"] = pc.mean(col.cast(pa.float64())).as_py()


def csv_files(expected: dict) -> None:
    """CSV integers beyond the 64-bit range (read as floats, rounded past
    2^53), unsigned 64-bit values, and date/time text."""
    rows = [
        ("1", "18446744073709551615", "9223372036854775807", "2024-01-31", "2024-01-31T10:00:00", "2024-01-31T10:00:00+01:00"),
        ("2", "99999999999999999999999", "9223372036854775806", "2024-02-01", "2024-02-01T11:30:00", "2024-02-01T11:30:00+01:00"),
        ("3", "", "", "", "", ""),
        ("4", "12", "1", "2024-02-29", "2024-02-29T00:00:00", "2024-02-29T00:00:00+01:00"),
        ("5", "-18446744073709551616", "-9223372036854775808", "1999-12-31", "1999-12-31T23:59:59", "1999-12-31T23:59:59+01:00"),
        ("6", "7", "3", "2024-03-01", "2024-03-01T06:00:00", "2024-03-01T06:00:00+01:00"),
    ]
    header = ("id", "huge", "edge_i64", "day", "local_time", "offset_time")
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    (OUT / "wide_integers.csv").write_text(text)
    huge = [int(r[1]) for r in rows if r[1]]
    expected["wide_integers.csv"] = {
        "huge": {
            "nulls": 1,
            "min": float(min(huge)),
            "max": float(max(huge)),
            # Integers that do not survive the trip to float64 and back.
            "rounded": sum(1 for v in huge if not survives(decimal.Decimal(v))),
        },
        "edge_i64": {"nulls": 1, "min": float(-(2**63)), "max": float(2**63 - 1)},
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    expected: dict = {"pyarrow": pa.__version__}
    timestamps(expected)
    dates_and_times(expected)
    decimals(expected)
    numbers_and_strings(expected)
    nested_and_binary(expected)
    spark(expected)
    csv_files(expected)
    (OUT / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
