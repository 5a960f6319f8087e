"""The `driftmend` command that `pip install` puts on PATH: the same program
as the native binary, exit codes and messages included."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import DRIFTED, REFERENCE, ROOT, native_binary

SCRIPT = Path(sys.executable).with_name("driftmend")


def run(program, *args):
    return subprocess.run([str(program), *args], cwd=ROOT, capture_output=True, text=True)


def both(*args):
    return run(SCRIPT, *args), run(native_binary(), *args)


def test_the_command_is_installed_next_to_the_interpreter():
    assert SCRIPT.exists(), f"no {SCRIPT}: is the package installed (maturin develop)?"
    py, native = both("--version")
    assert (py.returncode, py.stdout) == (native.returncode, native.stdout)
    assert py.stdout.startswith("driftmend ")


def test_a_report_prints_the_same_and_exits_the_same():
    args = ("report", "-r", str(REFERENCE), "-c", str(DRIFTED), "--format", "json", "--fail-on", "drift")
    py, native = both(*args)
    assert py.returncode == native.returncode == 1
    got, want = json.loads(py.stdout), json.loads(native.stdout)
    got.pop("generated_at"), want.pop("generated_at")
    assert got == want
    # The table, whole (no timestamps in it).
    py, native = both("report", "-r", str(REFERENCE), "-c", str(DRIFTED), "--color", "never")
    assert py.returncode == native.returncode == 0
    assert py.stdout == native.stdout and py.stdout


def test_errors_and_usage_errors_exit_2_with_the_same_message():
    py, native = both("report", "-r", "no/such.parquet", "-c", str(DRIFTED))
    assert py.returncode == native.returncode == 2
    assert py.stderr == native.stderr
    assert py.stderr.startswith("error: cannot load the reference dataset (`--reference`)")
    py, native = both("report", "--no-such-flag")
    assert py.returncode == native.returncode == 2
    assert py.stderr == native.stderr


def test_python_dash_m_is_the_command_too():
    done = subprocess.run(
        [sys.executable, "-m", "driftmend", "report", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "--reference <PATH>" in done.stdout


def test_a_closed_pipe_ends_the_command_quietly():
    # `driftmend ... | head -1`: the CLI's reader went away; exit 0, no error.
    shell = f"'{SCRIPT}' report -r '{REFERENCE}' -c '{DRIFTED}' --format json | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert done.stdout == "{\n"
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
