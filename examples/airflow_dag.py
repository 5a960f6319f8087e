"""Airflow DAG: run a driftmend policy every day, then publish a drift report.

Works with Airflow 2.6+ and Airflow 3 (BashOperator's `skip_on_exit_code`
appeared in 2.6). driftmend must be on the workers' PATH
(`cargo install --path .` in a checkout of driftmend).

How driftmend's exit codes become task outcomes:

    exit  driftmend run means                           task outcome
    0     healthy, or a rule fired and was handled      success
    1     a rule fired and was handled                  (never seen: turned
                                                        into 0 by
                                                        --exit-zero-when-handled)
    2     usage, configuration or input error           failed (retried: Airflow
                                                        can't tell it apart)
    3     an action failed                              failed, retried
    4     another run of the policy holds the lock      skipped
                                                        (skip_on_exit_code=4)

A retried `run` is safe: driftmend's guardrails (cooldown, rate limit,
circuit breaker) and its state decide again, so a retry does not blindly
repeat an action that already ran.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.bash import BashOperator

# Where the model's policy and data live on the workers; edit these.
POLICY = "/opt/models/fraud/policy.yaml"
REFERENCE = "/opt/models/fraud/data/reference.parquet"
CURRENT = "/opt/models/fraud/data/dt={{ ds }}/*.parquet"
REPORTS = "/opt/models/fraud/reports"

# driftmend exit code: another run of the same policy holds the lock.
EXIT_LOCKED = 4

with DAG(
    dag_id="driftmend_fraud_model",
    description="Drift check and self-healing step for the fraud model",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "ml-platform"},
    tags=["driftmend", "ml-monitoring"],
) as dag:
    # `--now` makes `{{ date(-1d) }}` in the policy's data paths, cooldowns
    # and the audit log follow the run's data interval, so backfills and
    # reruns look at the right partition. `--lock-timeout` waits a little for
    # a run still holding the lock before exiting 4 (-> skipped).
    run_policy = BashOperator(
        task_id="driftmend_run",
        bash_command=(
            "driftmend run"
            f" --policy {POLICY}"
            " --now '{{ data_interval_end.isoformat() }}'"
            " --exit-zero-when-handled"
            " --lock-timeout 2m"
            " --quiet"
            f" --output-json {REPORTS}/run-{{{{ ds }}}}.json"
        ),
        skip_on_exit_code=EXIT_LOCKED,
        retries=2,
        retry_delay=timedelta(minutes=10),
        execution_timeout=timedelta(hours=1),
    )

    # A human-readable report next to the run's JSON. `all_done` so it is
    # written even when the run failed or was skipped: that is when someone
    # will want to read it. `--fail-on never` (the default): the report
    # informs, the run task decides.
    drift_report = BashOperator(
        task_id="driftmend_report",
        bash_command=(
            "driftmend report"
            f" --reference {REFERENCE}"
            f" --current '{CURRENT}'"
            " --exclude id"
            " --format markdown"
            f" --output {REPORTS}/drift-{{{{ ds }}}}.md"
            " --quiet"
        ),
        trigger_rule="all_done",
    )

    run_policy >> drift_report
