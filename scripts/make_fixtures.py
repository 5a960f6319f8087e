#!/usr/bin/env python3
"""Generate the small, deterministic data fixtures under `fixtures/`.

Run from the repository root (needs only numpy and pyarrow):

    python3 -m venv /tmp/fixtures-venv
    /tmp/fixtures-venv/bin/pip install numpy pyarrow
    /tmp/fixtures-venv/bin/python scripts/make_fixtures.py

The output is a pure function of the seeds below (and of the numpy/pyarrow
versions: numpy's Generator streams and pyarrow's Parquet writer are stable
across patch releases, not guaranteed across majors). Re-running overwrites
every file. `fixtures/README.md` says what each file exercises; keep it in
step with this script.

The table imitates a fraud model's inputs and outputs: a few numerical and
categorical features, an identifier, a free-text-like unique column (`email`),
a timestamp, a binary target `is_fraud` and a score `fraud_score`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# One seed per generated sample, so that changing one file leaves the others
# byte-identical.
SEED_REFERENCE = 20_240_601
SEED_STABLE = 20_240_602
SEED_DRIFTED = 20_240_603
SEED_QUALITY = 20_240_604
# The small pair's seeds were picked among a few so that, at 400 vs 300 rows,
# only `income` drifts, under Evidently's small-sample tests (K-S, its
# chi-square goodness-of-fit, Z) as under two-sample K-S / chi-square
# contingency tests: with ten columns at alpha 0.05 most seed pairs show a
# false positive somewhere.
SEED_SMALL_REFERENCE = 20_240_609
SEED_SMALL_CURRENT = 20_240_622
SEED_BAD = 20_240_607

COUNTRIES = np.array(["US", "GB", "DE", "FR", "ES", "NL"])
DEVICES = np.array(["ios", "android", "web"])
EMAIL_DOMAINS = np.array(["example.com", "mail.test", "corp.invalid", "inbox.test"])
SIGNUP_START = dt.datetime(2019, 1, 1)
SIGNUP_SPAN_SECONDS = 5 * 365 * 24 * 3600

# Parquet settings for every fixture: pandas' and Spark's default codec.
PARQUET_COMPRESSION = "snappy"


@dataclass(frozen=True)
class Population:
    """Parameters of the distribution a sample is drawn from."""

    age_mean: float = 40.0
    income_log_mean: float = np.log(52_000.0)
    country_p: tuple[float, ...] = (0.40, 0.20, 0.15, 0.10, 0.10, 0.05)
    device_p: tuple[float, ...] = (0.45, 0.40, 0.15)
    transactions_mean: float = 2.0
    premium_p: float = 0.20
    score_logit_shift: float = 0.0
    # Share of rows whose `income` / `country` is null.
    income_null_share: float = 0.03
    country_null_share: float = 0.02


REFERENCE_POPULATION = Population()
DRIFTED_POPULATION = replace(
    REFERENCE_POPULATION,
    age_mean=49.0,  # older customers
    income_log_mean=np.log(52_000.0 * 1.3),  # incomes ~30% higher
    country_p=(0.20, 0.15, 0.30, 0.20, 0.05, 0.10),
    device_p=(0.25, 0.35, 0.40),
    transactions_mean=3.2,
    score_logit_shift=0.9,  # the model scores everyone higher
)
# The small pair drifts mildly in one column only: income, ~25% higher.
SMALL_DRIFTED_POPULATION = replace(
    REFERENCE_POPULATION, income_log_mean=np.log(52_000.0 * 1.25)
)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def with_nulls(rng: np.random.Generator, values: list, share: float) -> list:
    """Replace a `share` of the values with None (exact count, random rows)."""
    n = len(values)
    for i in rng.choice(n, size=round(n * share), replace=False):
        values[i] = None
    return values


def fraud_table(
    rng: np.random.Generator, n: int, first_id: int, pop: Population
) -> pa.Table:
    """Draw `n` rows of the fraud-model table from population `pop`."""
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    age = np.clip(np.rint(rng.normal(pop.age_mean, 12.0, n)), 18, 90).astype(np.int64)
    income = np.round(rng.lognormal(pop.income_log_mean, 0.5, n), 2)
    tenure = np.minimum(rng.exponential(900.0, n), 3650).astype(np.int64)
    credit = np.round(np.clip(rng.normal(680.0, 60.0, n), 300.0, 850.0), 1)
    transactions = np.minimum(rng.poisson(pop.transactions_mean, n), 7).astype(np.int64)
    country = COUNTRIES[rng.choice(len(COUNTRIES), size=n, p=pop.country_p)]
    device = DEVICES[rng.choice(len(DEVICES), size=n, p=pop.device_p)]
    premium = rng.random(n) < pop.premium_p
    signup_seconds = rng.integers(0, SIGNUP_SPAN_SECONDS, n)
    signup = [SIGNUP_START + dt.timedelta(seconds=int(s)) for s in signup_seconds]
    domain = EMAIL_DOMAINS[rng.integers(0, len(EMAIL_DOMAINS), n)]
    email = [f"user{i:07d}@{d}" for i, d in zip(ids, domain)]

    # Fraud is likelier on the web, with a low credit score, with many
    # transactions; the score sees the label through noise.
    fraud_logit = (
        -3.2
        + 1.0 * (device == "web")
        - 0.02 * (credit - 680.0)
        + 0.25 * (transactions - 2)
    )
    is_fraud = (rng.random(n) < sigmoid(fraud_logit)).astype(np.int64)
    score_logit = -2.0 + 3.0 * is_fraud + rng.normal(0.0, 1.0, n) + pop.score_logit_shift
    fraud_score = np.round(sigmoid(score_logit), 4)

    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "age": pa.array(age, pa.int64()),
            "income": pa.array(
                with_nulls(rng, income.tolist(), pop.income_null_share), pa.float64()
            ),
            "tenure_days": pa.array(tenure, pa.int64()),
            "credit_score": pa.array(credit, pa.float64()),
            "num_transactions": pa.array(transactions, pa.int64()),
            "country": pa.array(
                with_nulls(rng, country.tolist(), pop.country_null_share), pa.string()
            ),
            "device": pa.array(device.tolist(), pa.string()),
            "is_premium": pa.array(premium, pa.bool_()),
            "signup_date": pa.array(signup, pa.timestamp("us")),
            "email": pa.array(email, pa.string()),
            "is_fraud": pa.array(is_fraud, pa.int64()),
            "fraud_score": pa.array(fraud_score, pa.float64()),
        }
    )


def quality_table(rng: np.random.Generator, reference: pa.Table, n: int) -> pa.Table:
    """A current sample with every data-quality break the checks look for.

    The breaks are applied to `n - 5%` distinct rows first, then 5% of those
    rows are duplicated exactly (id included), so the duplicates stay exact and
    the shares below hold to within a percent.
    """
    n_dup = round(n * 0.05)
    base = fraud_table(rng, n - n_dup, 300_001, REFERENCE_POPULATION)
    m = base.num_rows

    # `age`: 10% of rows outside the reference range, half below, half above.
    ref_age = reference.column("age").to_numpy()
    age = base.column("age").to_numpy().copy()
    out = rng.choice(m, size=m // 10, replace=False)
    low, high = out[: len(out) // 2], out[len(out) // 2 :]
    age[low] = ref_age.min() - rng.integers(1, 10, len(low))
    age[high] = ref_age.max() + rng.integers(1, 30, len(high))

    # `country`: "NL" vanishes, "BR" and "IN" appear.
    country = ["BR" if c == "NL" else c for c in base.column("country").to_pylist()]
    for i in rng.choice(m, size=m // 20, replace=False):
        if country[i] is not None:
            country[i] = "IN"

    # `device`: a missing-value spike, 20% null (reference has none).
    device = with_nulls(rng, base.column("device").to_pylist(), 0.20)

    tenure_as_text = [str(v) for v in base.column("tenure_days").to_pylist()]
    referral = [
        f"REF-{v:05d}" if keep else None
        for v, keep in zip(rng.integers(0, 100_000, m), rng.random(m) < 0.6)
    ]

    broken = pa.table(
        {
            "id": base.column("id"),
            "age": pa.array(age, pa.int64()),
            "income": pa.nulls(m, pa.float64()),  # all null
            "tenure_days": pa.array(tenure_as_text, pa.string()),  # dtype changed
            # `credit_score` is missing.
            "num_transactions": base.column("num_transactions"),
            "country": pa.array(country, pa.string()),
            "device": pa.array(device, pa.string()),
            "is_premium": base.column("is_premium"),
            "signup_date": base.column("signup_date"),
            "email": base.column("email"),
            "is_fraud": base.column("is_fraud"),
            "fraud_score": base.column("fraud_score"),
            "referral_code": pa.array(referral, pa.string()),  # new column
        }
    )
    # ~5% exact duplicate rows, scattered through the file.
    dup_rows = rng.choice(m, size=n_dup, replace=False)
    order = rng.permutation(np.concatenate([np.arange(m), dup_rows]))
    return broken.take(pa.array(order))


def csv_cell(value: object) -> str:
    """One CSV field: empty for null, true/false, ISO 8601 timestamps."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_bytes(table: pa.Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    columns = [table.column(name).to_pylist() for name in table.column_names]
    for row in zip(*columns):
        writer.writerow(csv_cell(v) for v in row)
    return out.getvalue().encode()


# Every path this script writes, for the summary line.
WRITTEN: list[Path] = []


def write_bytes(data: bytes, path: Path) -> None:
    path.write_bytes(data)
    WRITTEN.append(path)


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression=PARQUET_COMPRESSION)
    WRITTEN.append(path)


def write_csv(table: pa.Table, path: Path) -> None:
    write_bytes(csv_bytes(table), path)


def gzip_bytes(data: bytes) -> bytes:
    # mtime=0 and no file name in the header keep the bytes reproducible.
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(data)
    return raw.getvalue()


def mixed_types_csv(rng: np.random.Generator, n: int = 200) -> bytes:
    """`amount` is mostly numbers, with a few strings a number parser rejects."""
    junk = ["n/a-ish", "12,5", "1.2.3", "$40", "ten", "--"]
    amount = [f"{v:.2f}" for v in rng.gamma(2.0, 30.0, n)]
    for k, i in enumerate(rng.choice(n, size=12, replace=False)):
        amount[i] = junk[k % len(junk)]
    category = rng.choice(["a", "b", "c"], size=n)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "amount", "category"])
    for i in range(n):
        writer.writerow([i + 1, amount[i], category[i]])
    return out.getvalue().encode()


def all_null_csv(rng: np.random.Generator, n: int = 100) -> bytes:
    """`notes` has a header and no value in any row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "value", "notes", "group"])
    values = rng.normal(10.0, 2.0, n)
    groups = rng.choice(["x", "y"], size=n)
    for i in range(n):
        writer.writerow([i + 1, f"{values[i]:.3f}", "", groups[i]])
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "fixtures",
        help="output directory (default: fixtures/ next to scripts/)",
    )
    out: Path = parser.parse_args().out
    (out / "bad").mkdir(parents=True, exist_ok=True)
    (out / "current_parts").mkdir(parents=True, exist_ok=True)

    reference = fraud_table(
        np.random.default_rng(SEED_REFERENCE), 2000, 1, REFERENCE_POPULATION
    )
    stable = fraud_table(
        np.random.default_rng(SEED_STABLE), 1500, 100_001, REFERENCE_POPULATION
    )
    drifted = fraud_table(
        np.random.default_rng(SEED_DRIFTED), 1500, 200_001, DRIFTED_POPULATION
    )
    quality = quality_table(np.random.default_rng(SEED_QUALITY), reference, 1500)

    small_columns = [c for c in reference.column_names if c not in ("email", "signup_date")]
    small_reference = fraud_table(
        np.random.default_rng(SEED_SMALL_REFERENCE), 400, 1, REFERENCE_POPULATION
    ).select(small_columns)
    small_current = fraud_table(
        np.random.default_rng(SEED_SMALL_CURRENT), 300, 10_001, SMALL_DRIFTED_POPULATION
    ).select(small_columns)

    for name, table in [
        ("reference", reference),
        ("current_stable", stable),
        ("current_drifted", drifted),
    ]:
        write_parquet(table, out / f"{name}.parquet")
        write_csv(table, out / f"{name}.csv")
    write_parquet(quality, out / "current_quality.parquet")
    write_csv(small_reference, out / "small_reference.csv")
    write_csv(small_current, out / "small_current.csv")

    half = drifted.num_rows // 2
    write_parquet(drifted.slice(0, half), out / "current_parts" / "part-0.parquet")
    write_parquet(drifted.slice(half), out / "current_parts" / "part-1.parquet")
    write_bytes(gzip_bytes(csv_bytes(drifted)), out / "current_drifted.csv.gz")

    bad = out / "bad"
    rng = np.random.default_rng(SEED_BAD)
    write_bytes(b"", bad / "empty.csv")
    write_bytes(csv_bytes(reference.slice(0, 0)), bad / "header_only.csv")
    reference_bytes = (out / "reference.parquet").read_bytes()
    write_bytes(reference_bytes[: len(reference_bytes) // 2], bad / "truncated.parquet")
    write_bytes(b"this is plain text, not a Parquet file\n", bad / "not_parquet.parquet")
    write_bytes(mixed_types_csv(rng), bad / "mixed_types.csv")
    write_bytes(all_null_csv(rng), bad / "all_null.csv")
    write_parquet(reference.slice(0, 0), bad / "no_rows.parquet")

    total = sum(p.stat().st_size for p in WRITTEN)
    print(f"wrote {len(WRITTEN)} files to {out} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
