#!/usr/bin/env python3
"""Cross-check `driftmend report` against Evidently 0.7.23's DataDriftPreset.

A manual check, not run in CI. From the repository root, after
`cargo build --release`:

    python3 scripts/compare_evidently.py                   # the three pairs below
    python3 scripts/compare_evidently.py --pairs small     # one of them
    python3 scripts/compare_evidently.py --methods auto,ks,psi
    python3 scripts/compare_evidently.py --reference A.parquet --current B.parquet --exclude id

The first run creates a venv under target/compare-venv and installs
`evidently==0.7.23 "pandas<3" pyarrow` into it (network access to PyPI
needed; Evidently 0.7.23 imports pandas internals removed in pandas 3). To
reuse an interpreter that already has them instead: `--python PATH` or
`DRIFTMEND_COMPARE_PYTHON=PATH`.

For each pair it runs both tools on the same files, with the column types
inferred (an empty `DataDefinition()` for Evidently), once with the default
(`auto`) methods and once per forced method: Evidently's
`DataDriftPreset(columns=..., num_method=M, cat_method=M)` against
`driftmend report --columns ... --num-method M --cat-method M`, over the
columns the method accepts (`z` and `fisher_exact`: the 2-value categorical
columns only). Per column it compares the method each tool used, the drift
score (absolute difference), the verdict, and per run the dataset drift share.

Pass/fail. A deterministic method fails when |Evidently - driftmend| > 1e-6,
or, for p-values where either is below 1e-2, when the relative difference is
above 1e-4 (two p-values below 1e-300 count as equal: underflow). Differences
the README documents are not failures, but each is checked against the
formula driftmend documents instead (computed here with scipy on the same
values), which must then agree to the same tolerance:

  mannw         driftmend two-sided, Evidently one-sided (`alternative="less"`)
                -> scipy `mannwhitneyu(..., alternative="two-sided")`
  z             driftmend 2*sf(|z|), Evidently 2*(1-cdf(|z|)) (lossy below ~1e-10)
                -> 2 * norm.sf(|z|) with the pooled z
  g_test        Evidently errors when the sizes differ
                -> power_divergence(current, reference * n_cur/n_ref, "log-likelihood")
  fisher_exact  Evidently errors when the sizes differ (its 2x2 table builder
                requires equal lengths; undocumented in the README)
                -> scipy fisher_exact on the 2x2 count table
  ks            scipy's exact p can overflow to 0 on near-identical samples
                (driftmend returns ~1): accepted when Evidently says 0
  tvd           a permutation test of the same statistic on both sides: the
                p-values differ by Monte Carlo error only (Evidently: 1000
                permutations, p = k/B; driftmend: 1000, p = (k+1)/(B+1)), so
                they are shown, never a failure. The distance (driftmend's
                `statistic`) is deterministic and checked against Evidently's
                own `_total_variation_distance`.
  empirical_mmd NOT the same test, though both are RBF-kernel MMD permutation
                tests: Evidently's bandwidth is sqrt(median(d^2)/2) over the
                reference only (diagonal included, "nearest" percentile), its
                statistic the unbiased estimate, 100 unseeded permutations on
                the full samples; driftmend's bandwidth is the median |d| over
                the pooled sample, the biased estimate, 200 seeded permutations
                on subsamples of --mmd-sample. The p-values converge to
                different values, so they are shown, never a failure.
  Evidently's tvd and empirical_mmd are not run when both samples together
  hold more than --ev-permutation-limit rows (tvd costs ~90 s per column per
  pass at 100k rows; empirical_mmd builds an n x n kernel matrix).

Exit codes: 0 everything agrees or differs only as documented; 1 an
unexplained difference (the tables mark it MISMATCH); 2 a usage or setup
error (missing binary or file, no evidently).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "compare-venv"
REQUIREMENTS = ["evidently==0.7.23", "pandas<3", "pyarrow"]
CHILD_MARKER = "_DRIFTMEND_COMPARE_CHILD"

# (name, reference, current, excluded columns)
PAIRS = {
    "fixtures": (
        "fixtures/reference.parquet",
        "fixtures/current_drifted.parquet",
        ["id", "email", "signup_date"],
    ),
    "small": ("fixtures/small_reference.csv", "fixtures/small_current.csv", ["id"]),
    "bench100k": (
        "target/bench-data/100000/reference.parquet",
        "target/bench-data/100000/current.parquet",
        [],
    ),
}

NUMERICAL = {
    "ks", "wasserstein", "jensenshannon", "psi", "kl_div", "hellinger", "anderson",
    "cramer_von_mises", "mannw", "t_test", "es", "ed", "empirical_mmd",
}
CATEGORICAL = {
    "chisquare", "z", "jensenshannon", "psi", "kl_div", "hellinger", "fisher_exact",
    "g_test", "tvd",
}
TWO_VALUES_ONLY = {"z", "fisher_exact"}
PERMUTATION = {"tvd", "empirical_mmd"}
METHODS = [
    "psi", "kl_div", "jensenshannon", "hellinger", "wasserstein", "ks", "chisquare", "z",
    "anderson", "cramer_von_mises", "ed", "es", "t_test", "fisher_exact", "g_test", "tvd",
    "empirical_mmd", "mannw",
]
# driftmend's name -> Evidently's registry name (case-sensitive there).
EV_NAME = {"tvd": "TVD"}
DM_NAME = {v: k for k, v in EV_NAME.items()}
ABS_TOL = 1e-6
REL_TOL = 1e-4
SMALL_P = 1e-2
UNDERFLOW = 1e-300


def die(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


# --- Interpreter ----------------------------------------------------------------


def ensure_interpreter(python: str | None) -> None:
    """Re-run this script under a Python that has evidently 0.7.23 (a venv of
    our own under target/compare-venv unless `python` is given)."""
    if os.environ.get(CHILD_MARKER):
        return
    if python is None:
        python = str(VENV / "bin" / "python")
        if not Path(python).exists():
            print(f"compare: creating {VENV}", file=sys.stderr)
            if subprocess.run([sys.executable, "-m", "venv", str(VENV)]).returncode != 0:
                die("cannot create a venv (hint: `apt-get install python3-venv`)")
        stamp = VENV / ".compare-requirements"
        wanted = " ".join(REQUIREMENTS)
        if not stamp.exists() or stamp.read_text() != wanted:
            print(f"compare: pip install {wanted}", file=sys.stderr)
            cmd = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            if subprocess.run(cmd + REQUIREMENTS).returncode != 0:
                die("`pip install` failed (network access to PyPI needed on the first run)")
            stamp.write_text(wanted)
    check = subprocess.run(
        [python, "-c", "import evidently, pandas, scipy; print(evidently.__version__, pandas.__version__)"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        die(f"`{python}` cannot import evidently, pandas and scipy:\n{check.stderr.strip()}")
    ev_version, pd_version = check.stdout.split()
    if ev_version != "0.7.23":
        die(f"`{python}` has evidently {ev_version}, this check is written for 0.7.23")
    if int(pd_version.split(".")[0]) >= 3:
        die(f"`{python}` has pandas {pd_version}; evidently 0.7.23 needs pandas<3")
    env = dict(os.environ, **{CHILD_MARKER: "1"})
    os.execve(python, [python, str(Path(__file__).resolve()), *sys.argv[1:]], env)


# --- Results --------------------------------------------------------------------


@dataclass
class Row:
    column: str
    kind: str
    ev_method: str | None = None
    dm_method: str | None = None
    ev_score: float | None = None
    dm_score: float | None = None
    ev_drift: bool | None = None
    dm_drift: bool | None = None
    score_kind: str | None = None
    dm_statistic: float | None = None
    dm_findings: list[str] = field(default_factory=list)
    ev_error: str | None = None
    status: str = "ok"
    note: str = ""

    @property
    def diff(self) -> float | None:
        if self.ev_score is None or self.dm_score is None:
            return None
        return abs(self.ev_score - self.dm_score)


@dataclass
class Run:
    pair: str
    method: str
    rows: list[Row] = field(default_factory=list)
    ev_share: float | None = None
    dm_share: float | None = None
    ev_seconds: float = 0.0
    dm_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    failed: bool = False


def close(a: float, b: float, p_value: bool) -> bool:
    if a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    if p_value and min(a, b) < SMALL_P:
        if max(abs(a), abs(b)) < UNDERFLOW:
            return True
        return abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    return abs(a - b) <= ABS_TOL


# --- The two tools ----------------------------------------------------------------


def run_driftmend(binary: Path, ref: str, cur: str, extra: list[str]) -> tuple[dict, float]:
    cmd = [str(binary), "report", "-r", ref, "-c", cur, "--format", "json", "--quiet", *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` exited with {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout), seconds


class Evidently:
    """Runs DataDriftPreset on one pair of in-memory frames."""

    def __init__(self, ref, cur):
        import warnings

        warnings.filterwarnings("ignore")
        from evidently import DataDefinition, Dataset, Report
        from evidently.legacy.calculations.stattests.registry import _registered_stat_tests
        from evidently.presets import DataDriftPreset

        self._report, self._preset = Report, DataDriftPreset
        self.ref = Dataset.from_pandas(ref, data_definition=DataDefinition())
        self.cur = Dataset.from_pandas(cur, data_definition=DataDefinition())
        self.display_to_name = {}
        for name, by_type in _registered_stat_tests.items():
            for test in by_type.values():
                self.display_to_name[test.display_name] = name

    def kinds(self) -> dict[str, str]:
        definition = self.cur._data_definition
        out = {}
        for kind, cols in (
            ("numerical", definition.numerical_columns),
            ("categorical", definition.categorical_columns),
            ("text", definition.text_columns),
            ("datetime", definition.datetime_columns),
        ):
            for c in cols or []:
                out[c] = kind
        if definition.timestamp:  # Evidently takes the first datetime column as the timestamp
            out[definition.timestamp] = "datetime"
        return out

    def run(self, columns: list[str] | None, method: str | None, num: bool, cat: bool):
        """{column: (method, score, drifted)} and the drifted share. Raises
        when any column raises."""
        kwargs = {}
        if method is not None:
            name = EV_NAME.get(method, method)
            if num:
                kwargs["num_method"] = name
            if cat:
                kwargs["cat_method"] = name
        report = self._report([self._preset(columns=columns, **kwargs)], include_tests=True)
        snapshot = report.run(current_data=self.cur, reference_data=self.ref)
        data = snapshot.dict()
        share, per_column = None, {}
        for metric in data["metrics"]:
            config = metric["config"]
            if config["type"].endswith(":DriftedColumnsCount"):
                share = float(metric["value"]["share"])
            elif config["type"].endswith(":ValueDrift"):
                used = self.display_to_name.get(config["method"], config["method"])
                per_column[config["column"]] = [DM_NAME.get(used, used), float(metric["value"]), None]
        for test in data["tests"]:
            params = test["metric_config"]["params"]
            if params["type"].endswith(":ValueDrift"):
                per_column[params["column"]][2] = test["status"] == "FAIL"
        return per_column, share


# --- Reference checks for documented differences -------------------------------------


def clean(series):
    import numpy as np

    return series.replace([np.inf, -np.inf], np.nan).dropna()


def aligned_counts(ref, cur):
    keys = sorted(set(ref.unique()) | set(cur.unique()), key=str)
    rc, cc = ref.value_counts(), cur.value_counts()
    return [int(rc.get(k, 0)) for k in keys], [int(cc.get(k, 0)) for k in keys]


def documented(method: str, ref, cur) -> float | None:
    """The value driftmend documents for `method` where it differs from
    Evidently on purpose, computed with scipy; None where none applies."""
    import numpy as np
    from scipy import stats

    if method == "mannw":
        return float(stats.mannwhitneyu(ref, cur, alternative="two-sided").pvalue)
    r, c = aligned_counts(ref, cur)
    if method == "z":
        n1, n2 = sum(r), sum(c)
        p1, p2 = r[0] / n1, c[0] / n2
        pooled = (r[0] + c[0]) / (n1 + n2)
        denom = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        if denom == 0:
            return 1.0
        return float(2 * stats.norm.sf(abs((p1 - p2) / denom)))
    if method == "g_test":
        r_a, c_a = np.array(r, float), np.array(c, float)
        keep = (r_a + c_a) > 0
        expected = r_a[keep] * c_a.sum() / r_a.sum()
        return float(stats.power_divergence(c_a[keep], expected, lambda_="log-likelihood").pvalue)
    if method == "fisher_exact":
        if len(r) != 2:
            return None
        return float(stats.fisher_exact([r, c]).pvalue)
    return None


def ev_tvd_distance(ref, cur) -> float:
    from evidently.legacy.calculations.stattests.tvd_stattest import _total_variation_distance

    return float(_total_variation_distance(ref, cur))


# --- One pair -----------------------------------------------------------------------


def read(path: Path):
    import pandas as pd

    if path.suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    return pd.read_csv(path)


def compare_pair(name: str, ref_path: str, cur_path: str, exclude: list[str], args) -> list[Run]:
    ref_df, cur_df = read(ROOT / ref_path), read(ROOT / cur_path)
    ref_df = ref_df.drop(columns=[c for c in exclude if c in ref_df.columns])
    cur_df = cur_df.drop(columns=[c for c in exclude if c in cur_df.columns])
    ev = Evidently(ref_df, cur_df)
    ev_kinds = ev.kinds()
    base = ["--exclude", ",".join(exclude)] if exclude else []
    runs = []

    # auto first: it also settles each column's kind for the forced runs.
    auto = Run(name, "auto")
    start = time.perf_counter()
    ev_cols, auto.ev_share = ev.run(None, None, False, False)
    auto.ev_seconds = time.perf_counter() - start
    report, auto.dm_seconds = run_driftmend(args.binary, ref_path, cur_path, base)
    auto.dm_share = report["dataset_drift"]["share"]
    dm_kinds = {}
    for col in report["columns"]:
        dm_kinds[col["name"]] = col["kind"]
        ev_kind = ev_kinds.get(col["name"], "unknown")
        row = Row(col["name"], col["kind"] if col["kind"] == ev_kind else f"{ev_kind}|{col['kind']}")
        fill_driftmend(row, col)
        fill_evidently(row, ev_cols.get(col["name"]))
        if col["kind"] != ev_kind:
            row.status, row.note = "MISMATCH", f"kind: Evidently {ev_kind}, driftmend {col['kind']}"
        auto.rows.append(row)
    judge(auto, "auto", ref_df, cur_df)
    runs.append(auto)

    shared = {c: k for c, k in dm_kinds.items() if ev_kinds.get(c) == k}
    for method in args.methods:
        if method == "auto":
            continue
        cols = [
            c for c, k in shared.items()
            if (k == "numerical" and method in NUMERICAL) or (k == "categorical" and method in CATEGORICAL)
        ]
        if method in TWO_VALUES_ONLY:
            cols = [c for c in cols if len(set(clean(ref_df[c])) | set(clean(cur_df[c]))) == 2]
        run = Run(name, method)
        runs.append(run)
        if not cols:
            run.notes.append("no column of a kind this method accepts")
            continue
        num, cat = method in NUMERICAL, method in CATEGORICAL
        flags = ["--columns", ",".join(cols)]
        if num:
            flags += ["--num-method", method]
        if cat:
            flags += ["--cat-method", method]
        report, run.dm_seconds = run_driftmend(args.binary, ref_path, cur_path, flags)
        run.dm_share = report["dataset_drift"]["share"]
        by_name = {c["name"]: c for c in report["columns"]}

        ev_cols: dict = {}
        total_rows = len(ref_df) + len(cur_df)
        start = time.perf_counter()
        if method in PERMUTATION and args.ev_permutation_limit and total_rows > args.ev_permutation_limit:
            run.notes.append(
                f"Evidently not run: {total_rows} rows > --ev-permutation-limit {args.ev_permutation_limit}"
            )
        else:
            try:
                ev_cols, run.ev_share = ev.run(cols, method, num, cat)
            except Exception:  # one column raised: run them one by one to see which
                for c in cols:
                    try:
                        ev_cols.update(ev.run([c], method, num, cat)[0])
                    except Exception as e:  # noqa: BLE001 - reported per column
                        first = str(e).splitlines()[0]
                        ev_cols[c] = f"{type(e).__name__}: {first[:70]}{'...' if len(first) > 70 else ''}"
        run.ev_seconds = time.perf_counter() - start

        for c in cols:
            row = Row(c, shared[c])
            fill_driftmend(row, by_name[c])
            fill_evidently(row, ev_cols.get(c))
            run.rows.append(row)
        judge(run, method, ref_df, cur_df)
    return runs


def fill_driftmend(row: Row, col: dict) -> None:
    row.dm_method, row.dm_score, row.dm_drift = col["method"], col["score"], col["drift_detected"]
    row.score_kind = col.get("score_kind")
    row.dm_statistic = col.get("statistic")
    row.dm_findings = [f["message"] for f in col.get("findings", []) if f["code"] == "not_tested"]


def fill_evidently(row: Row, result) -> None:
    if isinstance(result, str):
        row.ev_error = result
    elif result is not None:
        row.ev_method, row.ev_score, row.ev_drift = result


def judge(run: Run, method: str, ref_df, cur_df) -> None:
    """Sets each row's status: ok, documented, mc (permutation), skipped,
    MISMATCH; and the run's `failed`."""
    for row in run.rows:
        if row.status == "MISMATCH":
            continue
        m = row.dm_method or method
        p_value = row.score_kind == "p_value"
        ref, cur = clean(ref_df[row.column]), clean(cur_df[row.column])

        if row.kind == "text" and row.dm_method is None:
            # README: driftmend reports text columns without testing them;
            # Evidently's preset runs its text-content drift on them.
            row.status = "documented"
            row.note = f"text column: Evidently tests it ({row.ev_method}), driftmend does not"
            continue
        if row.kind not in ("numerical", "categorical"):
            if row.ev_method is None and row.dm_method is None:
                row.status, row.note = "skipped", f"{row.kind}: tested by neither"
            else:
                row.status, row.note = "MISMATCH", "tested by one tool only"
            continue
        if row.ev_method is not None and row.dm_method is not None and row.ev_method != row.dm_method:
            row.status, row.note = "MISMATCH", f"method: Evidently {row.ev_method}, driftmend {row.dm_method}"
            continue
        if row.dm_score is None:
            if row.ev_score is None and row.ev_error:
                row.status, row.note = "ok", f"undefined in both: {row.ev_error}"
            else:
                row.status = "MISMATCH"
                row.note = "driftmend has no score: " + "; ".join(row.dm_findings)
            continue

        if m in PERMUTATION:
            row.status = "mc"
            notes = []
            if m == "tvd":
                expected = ev_tvd_distance(ref, cur)
                if row.dm_statistic is None or abs(row.dm_statistic - expected) > ABS_TOL:
                    row.status = "MISMATCH"
                    notes.append(f"tvd distance {row.dm_statistic} vs Evidently's {expected}")
                else:
                    notes.append(f"distance {expected:.6g} agrees")
            if row.ev_score is None:
                notes.append("Evidently not run" if not row.ev_error else row.ev_error)
            else:
                # Evidently: 1000 (tvd) / 100 (mmd) permutations; driftmend: 1000 / 200.
                b_ev, b_dm = (1000, 1000) if m == "tvd" else (100, 200)
                p = min(max((row.ev_score + row.dm_score) / 2, 0.0), 1.0)
                sigma = math.sqrt(max(p * (1 - p), 0.25 / b_ev) * (1 / b_ev + 1 / b_dm))
                if row.diff > 4 * sigma + 2 / b_ev:
                    notes.append(f"beyond 4 sigma of Monte Carlo error ({sigma:.3g})")
                if m == "empirical_mmd":
                    notes.append("not the same test (bandwidth, estimator)")
            row.note = "; ".join(notes)
            continue

        if row.ev_error or row.ev_score is None:
            reference = documented(m, ref, cur)
            if reference is None:
                row.status, row.note = "MISMATCH", f"Evidently: {row.ev_error or 'no result'}"
            elif close(reference, row.dm_score, p_value):
                row.status = "documented"
                row.note = f"Evidently: {row.ev_error}; scipy {reference:.6g} agrees"
            else:
                row.status = "MISMATCH"
                row.note = f"Evidently: {row.ev_error}; scipy says {reference:.10g}"
            continue

        agree = close(row.ev_score, row.dm_score, p_value)
        verdict_ok = row.ev_drift == row.dm_drift
        if agree and verdict_ok:
            continue
        reference = documented(m, ref, cur) if m in ("mannw", "z", "g_test", "fisher_exact") else None
        if m == "ks" and row.ev_score == 0.0 and row.dm_score > 0.5:
            row.status, row.note = "documented", "scipy's exact KS p overflowed to 0"
        elif reference is not None and m in ("mannw", "z"):
            if close(reference, row.dm_score, p_value):
                row.status = "documented"
                row.note = {
                    "mannw": "one- vs two-sided",
                    "z": "2*(1-cdf) vs 2*sf",
                }[m] + f"; scipy two-sided {reference:.6g} agrees"
            else:
                row.status, row.note = "MISMATCH", f"documented formula gives {reference:.10g}"
        else:
            row.status = "MISMATCH"
            row.note = "score differs" if not agree else "verdict differs at equal scores"
            if reference is not None:
                row.note += f"; scipy says {reference:.10g}"

    deterministic = method not in PERMUTATION
    if any(r.status == "MISMATCH" for r in run.rows):
        run.failed = True
    if (
        deterministic
        and run.ev_share is not None
        and run.dm_share is not None
        and abs(run.ev_share - run.dm_share) > 1e-9
        and not any(r.status == "documented" for r in run.rows)
    ):
        run.failed = True
        run.notes.append(f"drift share differs: Evidently {run.ev_share}, driftmend {run.dm_share}")


# --- Output -------------------------------------------------------------------------


def fmt(x, width=12) -> str:
    if x is None:
        return "-".rjust(width)
    if isinstance(x, bool):
        return ("drift" if x else "ok").rjust(width)
    return f"{x:.6g}".rjust(width)


def print_run(run: Run, brief: bool) -> None:
    diffs = [r.diff for r in run.rows if r.diff is not None and r.status != "documented"]
    disagreements = sum(1 for r in run.rows if r.ev_drift is not None and r.dm_drift is not None and r.ev_drift != r.dm_drift)
    share = f"share ev {fmt(run.ev_share, 0)} / dm {fmt(run.dm_share, 0)}"
    print(
        f"\n== {run.pair}: {run.method}  ({len(run.rows)} columns; max |diff| "
        f"{fmt(max(diffs) if diffs else None, 0)}; verdict disagreements {disagreements}; {share}; "
        f"evidently {run.ev_seconds:.1f}s, driftmend {run.dm_seconds:.2f}s)"
        + ("  FAIL" if run.failed else "")
    )
    for note in run.notes:
        print(f"   note: {note}")
    if brief:
        for r in run.rows:
            if r.status not in ("ok",):
                print(f"   {r.column}: {r.status} {r.note}")
        return
    print(
        f"   {'column':<17} {'kind':<12} {'evidently':<16} {'driftmend':<16} {'ev score':>12} {'dm score':>12} "
        f"{'|diff|':>9} {'ev':>5} {'dm':>5}  status"
    )
    for r in run.rows:
        print(
            f"   {r.column:<17} {r.kind:<12} {str(r.ev_method):<16} {str(r.dm_method):<16} "
            f"{fmt(r.ev_score)} {fmt(r.dm_score)} {fmt(r.diff, 9)} {fmt(r.ev_drift, 5)} {fmt(r.dm_drift, 5)}"
            f"  {r.status}{(': ' + r.note) if r.note else ''}"
        )


def print_summary(runs: list[Run]) -> None:
    pairs = list(dict.fromkeys(r.pair for r in runs))
    print("\n== summary: max |diff| (documented rows left out) / verdict disagreements / status")
    print(f"   {'method':<17}" + "".join(f"{p:>34}" for p in pairs))
    for method in dict.fromkeys(r.method for r in runs):
        cells = []
        for p in pairs:
            run = next((r for r in runs if r.pair == p and r.method == method), None)
            if run is None or not run.rows:
                cells.append("-".rjust(34))
                continue
            diffs = [r.diff for r in run.rows if r.diff is not None and r.status != "documented"]
            dis = sum(1 for r in run.rows if r.ev_drift is not None and r.dm_drift is not None and r.ev_drift != r.dm_drift)
            statuses = sorted({r.status for r in run.rows} - {"ok"})
            tag = "FAIL" if run.failed else ("ok" if not statuses else ",".join(statuses))
            cells.append(f"{fmt(max(diffs) if diffs else None, 9)} / {dis:>2} / {tag:<16}".rjust(34))
        print(f"   {method:<17}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the header of scripts/compare_evidently.py for what is compared and why.",
    )
    parser.add_argument("--pairs", default=",".join(PAIRS), help=f"comma-separated, of: {', '.join(PAIRS)}")
    parser.add_argument("--reference", help="compare this file instead of the built-in pairs")
    parser.add_argument("--current", help="with --reference")
    parser.add_argument("--exclude", default="", help="with --reference: columns left out of both tools")
    parser.add_argument("--methods", default=",".join(["auto", *METHODS]), help="comma-separated; `auto` is the default choice")
    parser.add_argument("--binary", type=Path, default=ROOT / "target" / "release" / "driftmend")
    parser.add_argument("--python", help="an interpreter with evidently 0.7.23 (default: target/compare-venv)")
    parser.add_argument("--ev-permutation-limit", type=int, default=20000,
                        help="skip Evidently's tvd/empirical_mmd above this many rows (both sides); 0: never")
    parser.add_argument("--brief", action="store_true", help="per method only the summary line and non-ok rows")
    parser.add_argument("--json", type=Path, help="also write every row to this file")
    args = parser.parse_args()

    if not args.binary.exists():
        die(f"`{args.binary}` not found (build it with `cargo build --release`)")
    ensure_interpreter(args.python or os.environ.get("DRIFTMEND_COMPARE_PYTHON"))

    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in args.methods if m != "auto" and m not in METHODS]
    if unknown:
        die(f"unknown method(s) `{', '.join(unknown)}`: expected auto or one of {', '.join(METHODS)}")
    if args.reference or args.current:
        if not (args.reference and args.current):
            die("`--reference` and `--current` go together")
        pairs = {"custom": (args.reference, args.current, [c for c in args.exclude.split(",") if c])}
    else:
        names = [p for p in args.pairs.split(",") if p]
        for p in names:
            if p not in PAIRS:
                die(f"unknown pair `{p}`: expected one of {', '.join(PAIRS)}")
        pairs = {p: PAIRS[p] for p in names}

    runs: list[Run] = []
    for name, (ref, cur, exclude) in pairs.items():
        if not (ROOT / ref).exists() or not (ROOT / cur).exists():
            hint = " (hint: `scripts/bench --rows 100000 --no-build` generates it)" if name == "bench100k" else ""
            print(f"warning: pair `{name}` skipped: `{ref}` or `{cur}` missing{hint}", file=sys.stderr)
            continue
        print(f"compare: {name}: {ref} vs {cur}", file=sys.stderr)
        pair_runs = compare_pair(name, ref, cur, exclude, args)
        for run in pair_runs:
            print_run(run, args.brief)
        sys.stdout.flush()
        runs.extend(pair_runs)

    print_summary(runs)
    if args.json:
        rows = [
            {"pair": run.pair, "method": run.method, "ev_share": run.ev_share, "dm_share": run.dm_share,
             "failed": run.failed, "notes": run.notes,
             "rows": [{k: getattr(r, k) for k in ("column", "kind", "ev_method", "dm_method", "ev_score",
                                                    "dm_score", "ev_drift", "dm_drift", "status", "note")}
                      for r in run.rows]}
            for run in runs
        ]
        args.json.write_text(json.dumps(rows, indent=1))
    failed = [f"{r.pair}:{r.method}" for r in runs if r.failed]
    if failed:
        print(f"\nMISMATCH in {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)
    print("\nall agree (up to documented differences)", file=sys.stderr)


if __name__ == "__main__":
    main()
