"""Shared fixtures of the Python tests (run by `scripts/test`)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
REFERENCE = FIXTURES / "reference.parquet"
DRIFTED = FIXTURES / "current_drifted.parquet"


def native_binary() -> Path:
    """The CLI that `cargo test` built (scripts/test sets DRIFTMEND_BIN)."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    path = Path(os.environ.get("DRIFTMEND_BIN", target / "debug" / "driftmend"))
    if not path.exists():
        pytest.fail(f"no native driftmend at {path}: run `cargo test --no-run` first")
    return path


def cli_json(*args: str, cwd: Path = ROOT) -> dict:
    """`driftmend report ARGS --format json` from the native binary, parsed."""
    done = subprocess.run(
        [str(native_binary()), "report", *args, "--format", "json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def comparable(report: dict) -> dict:
    """A report without what differs between two runs on the same data: the
    time, and how each side was named (a path or `<pyarrow.Table>`)."""
    report = json.loads(json.dumps(report))
    report.pop("generated_at")
    for side in ("reference", "current"):
        report[side].pop("path")
        report[side].pop("files")
    return report
