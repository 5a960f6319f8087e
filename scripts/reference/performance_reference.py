#!/usr/bin/env python3
"""Reference values for driftmend's model-performance metrics (src/stats/performance.rs).

Writes fixtures/reference/performance.json: seeded inputs plus what scikit-learn
reports for them, so the expected numbers come from sklearn, not from driftmend.

Run from the repository root, in a virtualenv with numpy and scikit-learn:

    python3 -m venv /tmp/skenv && /tmp/skenv/bin/pip install numpy scikit-learn
    /tmp/skenv/bin/python scripts/reference/performance_reference.py [OUT_PATH]

The committed file was produced with scikit-learn 1.9.1, numpy 2.4.6 and
CPython 3.11.7 (the versions are also recorded inside the JSON). Re-running
with the same versions reproduces it byte for byte.

Conventions in the JSON:
- labels are strings (driftmend reads label columns as text); where the
  labels are numbers, sklearn is called on the integer arrays, so the case also
  checks that driftmend orders numeric labels like numpy does;
- `scores` are P(positive), rounded to 2 decimals so that many rows tie, and
  include exact 0.0 and 1.0 (log loss clips those to [eps, 1 - eps]);
- `positive` is null when driftmend must infer it (the larger label);
- an expected value of null means "undefined": driftmend returns `None` where
  sklearn returns NaN (roc_auc_score with one class, r2_score with fewer than
  two rows), warns and substitutes (zero_division, force_finite), or raises;
  `sklearn_note` says what sklearn does there.

sklearn calls, per expected field (classification):
- accuracy:  accuracy_score(y, y_pred)
- precision, recall, f1:  *_score(y, y_pred, average="binary", pos_label=pos,
  zero_division=0) for a binary target, null for multiclass
- macro_*:  *_score(y, y_pred, average="macro", zero_division=0)
- roc_auc:  roc_auc_score(y == pos, scores)   (sklearn's positive class for
  1-D scores is the larger label, so the target is binarised on `pos` first)
- log_loss: log_loss(y == pos, scores, labels=[False, True])
where y_pred is the labels given, or `pos if score >= threshold else neg`.

Regression:
- mae: mean_absolute_error; rmse: root_mean_squared_error; r2: r2_score
  (null when the target is constant; sklearn's default force_finite=True gives
  1.0 or 0.0 there when its denominator is exactly 0, and a huge negative number
  when numpy's mean of a constant like 3.7 is off by one ulp and leaves rounding
  noise as the denominator; its value is recorded as `sklearn_r2_force_finite`);
- mape: numpy mean(|y - p| / |y|) over the rows with y != 0 (not sklearn's
  epsilon trick, which divides by max(|y|, eps) and so explodes on y == 0);
  `sklearn_mape_nonzero` is mean_absolute_percentage_error on the same rows,
  to show the two agree there.
"""

import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.exceptions import UndefinedMetricWarning

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("fixtures/reference/performance.json")
RNG = np.random.default_rng(20240611)


def as_float(x):
    return None if x is None else float(x)


# --- classification ---


def classification_case(name, truth, *, labels=None, scores=None, positive=None,
                        negative=None, threshold=0.5, numeric=False, note=None):
    """One case. `positive`/`negative` are what sklearn is told; `positive` is
    written to the JSON only when driftmend is given it explicitly, i.e. when
    `explicit` below is true."""
    truth = list(truth)
    classes = sorted(set(truth), key=(int if numeric else str))
    convert = (lambda v: np.array([int(s) for s in v])) if numeric else np.array
    binary = len(classes) <= 2
    pos = positive if positive is not None else (classes[-1] if len(classes) == 2 else None)
    if scores is not None:
        neg = negative if negative is not None else next(c for c in classes if c != pos)
        y_pred = [pos if s >= threshold else neg for s in scores]
    else:
        y_pred = list(labels)
    y, p = convert(truth), convert(y_pred)
    sk_pos = int(pos) if (numeric and pos is not None) else pos

    expected = {"accuracy": float(metrics.accuracy_score(y, p))}
    if len(classes) >= 2 and binary:
        kw = dict(average="binary", pos_label=sk_pos, zero_division=0)
        expected["precision"] = float(metrics.precision_score(y, p, **kw))
        expected["recall"] = float(metrics.recall_score(y, p, **kw))
        expected["f1"] = float(metrics.f1_score(y, p, **kw))
    else:
        expected.update(precision=None, recall=None, f1=None)
    if len(classes) >= 2:
        kw = dict(average="macro", zero_division=0)
        expected["macro_precision"] = float(metrics.precision_score(y, p, **kw))
        expected["macro_recall"] = float(metrics.recall_score(y, p, **kw))
        expected["macro_f1"] = float(metrics.f1_score(y, p, **kw))
    else:
        expected.update(macro_precision=None, macro_recall=None, macro_f1=None)
    if scores is not None:
        s = np.array(scores, dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            auc = metrics.roc_auc_score(y == sk_pos, s)
        expected["roc_auc"] = None if np.isnan(auc) else float(auc)
        expected["log_loss"] = float(metrics.log_loss(y == sk_pos, s, labels=[False, True]))
    else:
        expected.update(roc_auc=None, log_loss=None)
    expected["positive_label"] = pos if binary else None
    expected["classes"] = classes

    case = {"name": name, "truth": truth}
    if scores is not None:
        case["scores"] = [float(v) for v in scores]
        case["threshold"] = threshold
    else:
        case["labels"] = list(labels)
    case["positive"] = positive
    case["expected"] = expected
    if note:
        case["sklearn_note"] = note
    return case


def noisy_labels(truth, classes, accuracy):
    """Each row keeps its label with probability `accuracy`, else a random class."""
    keep = RNG.random(len(truth)) < accuracy
    other = RNG.choice(classes, size=len(truth))
    return [t if k else str(o) for t, k, o in zip(truth, keep, other)]


def binary_scores(truth_is_pos, separation):
    """P(positive) from a logistic model, rounded to 2 decimals so scores tie,
    with a few exact 0.0 and 1.0 so log loss has to clip."""
    z = RNG.normal(size=len(truth_is_pos)) + separation * (2 * truth_is_pos - 1)
    s = np.round(1.0 / (1.0 + np.exp(-z)), 2)
    s[RNG.random(len(s)) < 0.02] = 0.0
    s[RNG.random(len(s)) < 0.02] = 1.0
    return s


def classification_cases():
    cases = []

    y01 = [str(v) for v in RNG.integers(0, 2, size=500)]
    cases.append(classification_case(
        "binary_labels_01", y01, labels=noisy_labels(y01, ["0", "1"], 0.7), numeric=True))

    y = RNG.integers(0, 2, size=2000)
    s = binary_scores(y, 1.2)
    yt = [str(v) for v in y]
    cases.append(classification_case("binary_scores_ties", yt, scores=s, numeric=True))
    cases.append(classification_case(
        "binary_scores_threshold_0_3", yt, scores=s, threshold=0.3, numeric=True,
        note="rows with score exactly 0.3 are predicted positive (score >= threshold)"))

    yn = list(RNG.choice(["no", "yes"], size=800, p=[0.7, 0.3]))
    yn = [str(v) for v in yn]
    cases.append(classification_case(
        "string_labels_yes_no", yn, labels=noisy_labels(yn, ["no", "yes"], 0.75)))
    s = binary_scores(np.array([v == "no" for v in yn]), 0.8)
    cases.append(classification_case(
        "explicit_positive_smaller_label_scores", yn, scores=s, positive="no"))

    ycd = [str(v) for v in RNG.choice(["cat", "dog"], size=300)]
    cases.append(classification_case(
        "explicit_positive_labels", ycd, labels=noisy_labels(ycd, ["cat", "dog"], 0.6),
        positive="cat"))

    # Numbers order numerically (as numpy orders integer labels), not as text:
    # "10" is the larger label, so it is the inferred positive.
    y = [str(v) for v in RNG.choice([2, 10], size=400)]
    s = binary_scores(np.array([v == "10" for v in y]), 1.0)
    cases.append(classification_case("numeric_labels_2_10_scores", y, scores=s, numeric=True))
    y = [str(v) for v in RNG.choice([-1, 1], size=400)]
    cases.append(classification_case(
        "numeric_labels_minus1_1", y, labels=noisy_labels(y, ["-1", "1"], 0.8), numeric=True))

    ym = [str(v) for v in RNG.choice(["a", "b", "c"], size=600, p=[0.5, 0.3, 0.2])]
    cases.append(classification_case(
        "multiclass_3_labels", ym, labels=noisy_labels(ym, ["a", "b", "c"], 0.65)))

    # "d" is never predicted: its precision and F1 are 0/0 -> zero_division = 0.
    y4 = [str(v) for v in RNG.choice(["a", "b", "c", "d"], size=700)]
    pred = noisy_labels(y4, ["a", "b", "c"], 0.55)
    pred = [p if p != "d" else "a" for p in pred]
    cases.append(classification_case(
        "multiclass_4_class_never_predicted", y4, labels=pred,
        note="class d is never predicted: precision_d = 0/0, set to 0 by zero_division=0"))

    yb = [str(v) for v in RNG.integers(0, 2, size=200)]
    cases.append(classification_case(
        "binary_never_predicts_positive", yb, labels=["0"] * len(yb), numeric=True,
        note="precision for 1 is 0/0, set to 0 by zero_division=0; f1 also 0"))

    # One class in the target: accuracy (and log loss, given the positive
    # label) stay defined; precision, recall, F1 and ROC AUC do not.
    one = ["0"] * 150
    cases.append(classification_case(
        "single_class_labels_with_positive", one,
        labels=noisy_labels(one, ["0", "1"], 0.8), positive="1", negative="0", numeric=True,
        note="sklearn: roc_auc_score warns and returns NaN; precision/recall are "
             "computed but degenerate (0/0); driftmend reports them as null"))
    one = ["1"] * 120
    s = binary_scores(np.ones(120, dtype=bool), 1.0)
    cases.append(classification_case(
        "single_class_scores", one, scores=s, positive="1", negative="0", numeric=True,
        note="sklearn: roc_auc_score warns and returns NaN; log_loss needs labels=[0, 1]"))

    yp = [str(v) for v in RNG.integers(0, 2, size=100)]
    cases.append(classification_case("perfect_labels", yp, labels=yp, numeric=True))
    sp = np.where(np.array(yp) == "1", 0.9, 0.1)
    cases.append(classification_case("perfect_scores", yp, scores=sp, numeric=True))
    return cases


# --- regression ---


def regression_case(name, truth, predicted, note=None):
    y = np.asarray(truth, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    nonzero = y != 0
    constant = bool(np.all(y == y[0]))
    r2_ff = float(metrics.r2_score(y, p)) if len(y) >= 2 else None
    expected = {
        "mae": float(metrics.mean_absolute_error(y, p)),
        "rmse": float(metrics.root_mean_squared_error(y, p)),
        "mape": (float(np.mean(np.abs(y[nonzero] - p[nonzero]) / np.abs(y[nonzero])))
                 if nonzero.any() else None),
        "mape_skipped_zero_targets": int((~nonzero).sum()),
        "r2": None if constant else r2_ff,
    }
    case = {"name": name, "truth": y.tolist(), "predicted": p.tolist(), "expected": expected,
            "sklearn_mape_nonzero": (float(metrics.mean_absolute_percentage_error(
                y[nonzero], p[nonzero])) if nonzero.any() else None)}
    if nonzero.any():
        assert abs(case["sklearn_mape_nonzero"] - expected["mape"]) <= 1e-12, name
    if constant:
        case["sklearn_r2_force_finite"] = r2_ff
    if note:
        case["sklearn_note"] = note
    return case


def regression_cases():
    cases = []
    y = np.round(RNG.normal(50.0, 12.0, size=1000), 3)
    p = np.round(y + RNG.normal(0.0, 4.0, size=1000), 3)
    cases.append(regression_case("regression_basic", y, p))

    y = np.round(RNG.normal(0.0, 2.0, size=500), 2)
    y[RNG.random(500) < 0.1] = 0.0
    p = np.round(y + RNG.normal(0.0, 0.5, size=500), 2)
    cases.append(regression_case(
        "regression_zero_targets", y, p,
        note="mape skips rows with y == 0; sklearn would divide those by eps"))

    y = np.round(RNG.lognormal(12.0, 1.0, size=400), 1)
    p = np.round(y * RNG.normal(1.0, 0.1, size=400), 1)
    cases.append(regression_case("regression_large_values", y, p))

    y = np.full(50, 3.7)
    p = np.round(3.7 + RNG.normal(0.0, 0.2, size=50), 3)
    cases.append(regression_case(
        "regression_constant_target", y, p,
        note="r2 undefined (zero variance); numpy's mean of 50 x 3.7 is not exactly 3.7, "
             "so sklearn divides by rounding noise"))

    y = np.round(RNG.normal(5.0, 1.0, size=200), 4)
    cases.append(regression_case("regression_perfect", y, y.copy()))

    cases.append(regression_case(
        "regression_all_zero_targets", np.zeros(30), np.round(RNG.normal(0.0, 1.0, size=30), 3),
        note="every target is 0: mape undefined, and the target is constant"))

    cases.append(regression_case(
        "regression_single_row", [2.5], [2.0],
        note="sklearn's r2_score warns and returns NaN below two rows"))
    return cases


def main():
    classification = classification_cases()
    regression = regression_cases()
    head = {
        "generated_by": "scripts/reference/performance_reference.py",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit_learn": sklearn.__version__,
    }
    # One case per line keeps the file small and diffs readable.
    lines = ["{"]
    lines += [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    for key, cases, last in (("classification", classification, False),
                             ("regression", regression, True)):
        lines.append(f' "{key}": [')
        lines.append(",\n".join("  " + json.dumps(c) for c in cases))
        lines.append(" ]" + ("" if last else ","))
    lines.append("}")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}: {len(classification)} classification and "
          f"{len(regression)} regression cases", file=sys.stderr)


if __name__ == "__main__":
    main()
