#!/usr/bin/env python3
"""Reference values for driftmend's estimated performance (CBPE) and
multivariate drift (data reconstruction): src/stats/{isotonic,cbpe,pca}.rs.

Writes, from seeded synthetic data:
- fixtures/cbpe/reference.csv, current.csv, current_unlabelled.csv: a binary
  classifier's score `score` and label `y`, four numeric features (`x1`..`x4`,
  a few missing) and one categorical (`c1`). The current batch has a
  covariate shift (x1 concentrated near the decision boundary, so true
  accuracy drops) and a broken correlation (x4 follows -x3 instead of x3,
  with the same marginal distribution, so per-column tests cannot see it);
  `current_unlabelled.csv` is the same batch without `y`.
- fixtures/reference/cbpe.json: what NannyML 0.13.1 (and scikit-learn's
  IsotonicRegression) report for them.

Run from the repository root; the script makes its own virtualenv under
target/ and installs the pinned versions from PyPI:

    python3 scripts/reference/nannyml_reference.py

How NannyML is called (read nannyml 0.13.1, `performance_estimation/confidence_based`
and `drift/multivariate/data_reconstruction`):
- CBPE(problem_type="classification_binary", y_pred = (score >= 0.5),
  metrics roc_auc, accuracy, precision, recall, f1, specificity,
  chunk_number=10), fitted on the reference. NannyML decides whether to
  calibrate with numpy's RNG (StratifiedShuffleSplit(random_state=42)), which
  driftmend cannot reproduce; the script forces calibration on
  (`needs_calibration` patched to return True), matching driftmend's
  `--calibration always`, and records what NannyML's own check said.
- The whole current batch as one chunk: after fitting (reference chunks ->
  thresholds), the estimator's chunker is replaced by a SizeBasedChunker of
  the batch's length, so `estimate` returns one row for the whole batch.
- DataReconstructionDriftCalculator(column_names=x1..x4,c1, chunk_number=10)
  the same way; per-row reconstruction errors are recomputed with the
  calculator's own fitted imputers, encoder, scaler and PCA.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "nannyml-venv"
PINS = ["nannyml==0.13.1", "statsmodels"]


def ensure_venv():
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not (VENV / "bin" / "python").exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
        subprocess.check_call([str(VENV / "bin" / "pip"), "install", "-q", *PINS])
    os.execv(str(VENV / "bin" / "python"), [str(VENV / "bin" / "python"), *sys.argv])


ensure_venv()
# NannyML sends usage analytics to segment.io unless told not to.
os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.isotonic import IsotonicRegression  # noqa: E402

import nannyml as nml  # noqa: E402
import nannyml.performance_estimation.confidence_based.cbpe as cbpe_module  # noqa: E402
from nannyml.calibration import IsotonicCalibrator, needs_calibration  # noqa: E402
from nannyml.chunk import SizeBasedChunker  # noqa: E402

SEED = 15
N_REF, N_CUR = 2000, 1000
METRICS = ["roc_auc", "accuracy", "precision", "recall", "f1", "specificity"]
FEATURES = ["x1", "x2", "x3", "x4", "c1"]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def make(rng, n, shifted):
    x1 = rng.normal(0.0, 0.3 if shifted else 1.0, n)
    e = rng.normal(0.0, 1.0, n)
    x2 = 0.8 * x1 + 0.6 * e
    x3 = rng.normal(0.0, 1.0, n)
    # Same N(0, 1) marginal on both sides; only the correlation with x3 flips.
    x4 = (-0.8 if shifted else 0.8) * x3 + 0.6 * rng.normal(0.0, 1.0, n)
    c1 = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2]).astype(object)
    signal = 1.2 * x1 - 0.8 * x3
    y = (rng.uniform(size=n) < sigmoid(signal + 0.5 * (c1 == "b"))).astype(int)
    # An overconfident model that ignores c1: calibration matters.
    score = sigmoid(1.8 * signal)
    x3 = np.where(rng.uniform(size=n) < 0.02, np.nan, x3)
    c1 = np.where(rng.uniform(size=n) < 0.02, None, c1)
    return pd.DataFrame(
        {"x1": x1, "x2": x2, "x3": x3, "x4": x4, "c1": c1, "score": score, "y": y}
    )


def write_csv(df, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    out = df.copy()
    lines = [",".join(out.columns)]
    for row in out.itertuples(index=False):
        cells = []
        for v in row:
            if v is None or (isinstance(v, float) and np.isnan(v)):
                cells.append("")
            elif isinstance(v, float):
                cells.append(repr(float(v)))
            else:
                cells.append(str(v))
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n")


def floats(values):
    return [None if (v is None or (isinstance(v, float) and np.isnan(v))) else float(v) for v in values]


def cbpe_case(reference, current):
    ref = reference.copy()
    cur = current.copy()
    for df in (ref, cur):
        df["y_pred"] = (df["score"] >= 0.5).astype(int)
    nannyml_decision = bool(
        needs_calibration(
            y_true=ref["y"].reset_index(drop=True),
            y_pred_proba=ref["score"].reset_index(drop=True),
            calibrator=IsotonicCalibrator(),
        )
    )
    cbpe_module.needs_calibration = lambda **kwargs: True
    est = nml.CBPE(
        problem_type="classification_binary",
        y_pred_proba="score",
        y_pred="y_pred",
        y_true="y",
        metrics=METRICS,
        chunk_number=10,
    )
    est.fit(ref)
    reference_chunks = {}
    thresholds = {}
    ref["uncalibrated_score"] = ref["score"]
    for metric in est.metrics:
        name = metric.column_name
        chunks = [metric._realized_performance(c.data) for c in metric.chunker.split(ref)]
        reference_chunks[name] = floats(chunks)
        thresholds[name] = floats([metric.lower_threshold_value, metric.upper_threshold_value])
    est.chunker = SizeBasedChunker(chunk_size=len(cur))
    res = est.estimate(cur).filter(period="analysis").to_df()
    whole = {}
    for name in METRICS:
        row = res[name].iloc[0]
        whole[name] = {
            "value": float(row["value"]),
            "sampling_error": float(row["sampling_error"]),
            "realized": floats([row["realized"]])[0],
            "lower_confidence_boundary": float(row["lower_confidence_boundary"]),
            "upper_confidence_boundary": float(row["upper_confidence_boundary"]),
            "lower_threshold": floats([row["lower_threshold"]])[0],
            "upper_threshold": floats([row["upper_threshold"]])[0],
            "alert": bool(row["alert"]),
        }
    probes = [-0.5, 0.0, 0.01, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 0.99, 1.0, 1.5]
    probes += list(cur["score"].iloc[:20])
    calibrated = est.calibrator.calibrate(np.asarray(probes))
    return {
        "nannyml_needs_calibration": nannyml_decision,
        "calibration": "always",
        "threshold": 0.5,
        "reference_chunk_rows": [int(len(c.data)) for c in est.metrics[0].chunker.split(ref)],
        "reference_chunks": reference_chunks,
        "thresholds": thresholds,
        "current": whole,
        "calibrated_probes": {"scores": floats(probes), "calibrated": floats(calibrated)},
    }


def multivariate_case(reference, current):
    calc = nml.DataReconstructionDriftCalculator(column_names=FEATURES, chunk_number=10)
    calc.fit(reference[FEATURES].copy())
    ref_res = calc.result.to_df()
    ref_chunks = floats(ref_res[("reconstruction_error", "value")])
    calc.chunker = SizeBasedChunker(chunk_size=len(current))
    res = calc.calculate(current[FEATURES].copy()).filter(period="analysis").to_df()
    row = res["reconstruction_error"].iloc[0]

    def row_errors(df):
        data = df[FEATURES].copy()
        data[calc.categorical_column_names] = calc._imputer_categorical.transform(
            data[calc.categorical_column_names]
        )
        data[calc.continuous_column_names] = calc._imputer_continuous.transform(
            data[calc.continuous_column_names]
        )
        z = calc._scaler.transform(calc._encoder.transform(data[FEATURES]).to_numpy())
        back = calc._pca.inverse_transform(calc._pca.transform(z))
        return np.linalg.norm(z - back, axis=1)

    return {
        "features": FEATURES,
        "categorical": list(calc.categorical_column_names),
        "variance": 0.65,
        "n_components": int(calc._pca.n_components_),
        "explained_variance_ratio": floats(calc._pca.explained_variance_ratio_),
        "reference_chunks": ref_chunks,
        "lower_threshold": floats([calc.lower_threshold_value])[0],
        "upper_threshold": floats([calc.upper_threshold_value])[0],
        "current": {
            "value": float(row["value"]),
            "sampling_error": float(row["sampling_error"]),
            "upper_confidence_boundary": float(row["upper_confidence_boundary"]),
            "lower_confidence_boundary": float(row["lower_confidence_boundary"]),
            "alert": bool(row["alert"]),
        },
        "reference_row_errors": floats(row_errors(reference)[:25]),
        "current_row_errors": floats(row_errors(current)[:25]),
    }


def isotonic_cases():
    """sklearn IsotonicRegression(out_of_bounds="clip") on small inputs with
    exact ties, near-ties within numpy's float resolution, and violators."""
    rng = np.random.default_rng(SEED + 1)
    cases = []
    x = np.round(rng.uniform(0, 1, 200), 2)  # many exact ties
    y = (rng.uniform(size=200) < x).astype(float)
    cases.append(("ties", x, y))
    x = np.array([0.0, 1e-16, 5e-16, 2e-15, 0.5, 0.5, 1.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0])
    cases.append(("near_ties", x, y))
    x = rng.uniform(0, 1, 300)
    y = (rng.uniform(size=300) < x**2).astype(float)
    cases.append(("continuous", x, y))
    out = []
    for name, x, y in cases:
        ir = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(x, y)
        probes = np.concatenate([[-1.0, 0.0, 0.005, 0.333, 0.5, 0.999, 1.0, 2.0], x[:15]])
        out.append(
            {
                "name": name,
                "x": floats(x),
                "y": floats(y),
                "knots_x": floats(ir.X_thresholds_),
                "knots_y": floats(ir.y_thresholds_),
                "probes": floats(probes),
                "predicted": floats(ir.predict(probes)),
            }
        )
    return out


def main():
    rng = np.random.default_rng(SEED)
    reference = make(rng, N_REF, shifted=False)
    current = make(rng, N_CUR, shifted=True)
    write_csv(reference, ROOT / "fixtures" / "cbpe" / "reference.csv")
    write_csv(current, ROOT / "fixtures" / "cbpe" / "current.csv")
    write_csv(current.drop(columns=["y"]), ROOT / "fixtures" / "cbpe" / "current_unlabelled.csv")
    doc = {
        "generated_by": "scripts/reference/nannyml_reference.py",
        "versions": {
            "nannyml": nml.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "python": sys.version.split()[0],
        },
        "data": "fixtures/cbpe/{reference,current}.csv",
        "cbpe": cbpe_case(reference, current),
        "multivariate": multivariate_case(reference, current),
        "isotonic": isotonic_cases(),
    }
    out = ROOT / "fixtures" / "reference" / "cbpe.json"
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
