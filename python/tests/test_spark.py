"""driftmend inside a real Spark (PySpark from PyPI, `local[2]`): data handed
over as Arrow on the driver (`toArrow()`) and on the executors
(`mapInArrow`). Skipped when PySpark or Java is missing, except under
CI=true (scripts/test installs both)."""

import os
import shutil
import sys

import pytest

import driftmend
from conftest import DRIFTED, REFERENCE, comparable


def _need(what: str, ok: bool) -> None:
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing (scripts/test installs it)")
    pytest.skip(f"{what} is missing (scripts/test installs it)")


@pytest.fixture(scope="module")
def spark():
    _need("Java", shutil.which("java") is not None or "JAVA_HOME" in os.environ)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _need("PySpark", False)
    # Executors' Python workers import driftmend from this venv.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    # Loopback only: no other interface is looked up or bound.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    session = (
        SparkSession.builder.master("local[2]")
        .appName("driftmend-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_dataframes_via_to_arrow_give_the_parquet_report(spark):
    reference = spark.read.parquet(str(REFERENCE))
    current = spark.read.parquet(str(DRIFTED))
    got = driftmend.report(reference.toArrow(), current.toArrow())
    want = driftmend.report(REFERENCE, DRIFTED)
    assert got["reference"]["path"] == "<pyarrow.Table>"
    assert comparable(got) == comparable(want)


def test_each_partition_is_compared_on_the_executors(spark):
    reference_path = str(REFERENCE)

    def drift_of_partition(batches):
        import pyarrow as pa

        import driftmend

        batches = [b for b in batches if b.num_rows]
        if not batches:
            return
        report = driftmend.report(reference_path, batches)
        yield pa.record_batch(
            {
                "rows": [report["current"]["rows"]],
                "drifted": [report["dataset_drift"]["drifted_columns"]],
                "share": [report["dataset_drift"]["share"]],
            }
        )

    schema = "rows long, drifted long, share double"
    current = spark.read.parquet(str(DRIFTED))
    parts = current.repartition(4).mapInArrow(drift_of_partition, schema).collect()
    assert len(parts) == 4
    assert sum(p.rows for p in parts) == 1500

    # One partition holding all rows: the executor's report is the driver's.
    [whole] = current.coalesce(1).mapInArrow(drift_of_partition, schema).collect()
    want = driftmend.report(REFERENCE, DRIFTED)["dataset_drift"]
    assert (whole.rows, whole.drifted, whole.share) == (1500, want["drifted_columns"], want["share"])
