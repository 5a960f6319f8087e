"""Airflow DAG: profile a day's partitions in parallel, merge, run the policy.

For a day of data too big for one worker (or to use many workers): one
`driftmend profile` task per partition (dynamic task mapping, `.expand()`),
one `driftmend merge` of their profiles, then `driftmend run` with the merged
profile as the current data. The profiles are small (a few MB for millions of
rows), so only they travel between tasks; the merged result equals profiling
the whole day at once (see docs/profiles.md for what is exact).

Works with Airflow 2.6+ and Airflow 3. driftmend must be on the workers' PATH
(`pip install driftmend`), and PROFILES must be storage that every worker
sees (a shared volume; with object storage, write the profiles there
instead). Exit codes and retries: see examples/airflow_dag.py.
"""

from __future__ import annotations

import glob
import os
from datetime import timedelta

import pendulum

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task
    from airflow.operators.bash import BashOperator

# Where the model's policy and data live; edit these.
POLICY = "/opt/models/fraud/policy.yaml"
DAY = "/data/fraud/events/dt={{ ds }}"  # a directory of part-*.parquet
PROFILES = "/shared/driftmend/fraud/{{ ds }}"

EXIT_LOCKED = 4

with DAG(
    dag_id="driftmend_fraud_fanout",
    description="Profile each partition, merge, decide",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "ml-platform", "retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["driftmend", "ml-monitoring"],
) as dag:

    @task
    def list_partitions(day: str) -> list[str]:
        """The day's files, one mapped task each (sorted: stable task indices)."""
        parts = sorted(glob.glob(os.path.join(day, "*.parquet")))
        if not parts:
            raise FileNotFoundError(f"no Parquet files in {day}: did the upstream job run?")
        return parts

    parts = list_partitions(DAY)

    # One task per file. `map_index` names each profile, so a retried task
    # overwrites its own output and nothing else. `append_env`: the shard
    # is added to the worker's environment (PATH included), not in its place.
    profile = BashOperator.partial(
        task_id="profile_partition",
        append_env=True,
        bash_command=(
            f"mkdir -p {PROFILES} && "
            'driftmend profile "$PART" --exclude id --quiet'
            f" --output {PROFILES}/part-{{{{ ti.map_index }}}}.dmp"
        ),
        execution_timeout=timedelta(minutes=30),
    ).expand(env=parts.map(lambda path: {"PART": path}))

    # Merging is associative and commutative: the order of the parts does
    # not matter, and a merged profile can be merged again.
    merge = BashOperator(
        task_id="merge_profiles",
        bash_command=f"driftmend merge {PROFILES}/part-*.dmp --output {PROFILES}/day.dmp --quiet",
    )

    # The merged profile stands in for the day's data (`--current`); the
    # policy's reference may be a profile too (`reference_profile:`).
    run = BashOperator(
        task_id="driftmend_run",
        bash_command=(
            f"driftmend run --policy {POLICY} --current {PROFILES}/day.dmp"
            " --now '{{ data_interval_end.isoformat() }}'"
            " --exit-zero-when-handled --lock-timeout 2m --quiet"
            f" --report-output {PROFILES}/run.json"
        ),
        skip_on_exit_code=EXIT_LOCKED,
    )

    profile >> merge >> run
