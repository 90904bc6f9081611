"""Model quality on data that is not South German Credit (`make bench-quality`, second table).

Three data sets of other shapes, made the way the tests make them (tests/own_data.py,
seeded): text categories with missing values and a good/bad target; numbers only with a 0/1
`default` target; a wide one (64 columns). Each is described by `credit data describe`'s
draft, unedited, and read with it as `credit train` reads it.

Protocol per data set: RepeatedStratifiedKFold 5 x REPEATS, seed 42, all rows. Every model
key of `credit train --model all,ensemble,scorecard` is built exactly as `credit train`
builds it with the default settings (oversampling, threshold chosen on the fold's training
rows, the description's preprocessing), fitted on each fold's training rows and scored on
its test rows; and again as `credit train --no-smote` builds them. Beside them, two plain
baselines on the same folds and columns, default settings: scikit-learn's
LogisticRegression (numbers median-imputed and standardised, text one-hot encoded with
missing as its own category; lbfgs does not converge on unscaled numbers) and XGBoost's
XGBClassifier (numbers as they are, gaps left to XGBoost, text one-hot). The goal: the best
credit model at least as good (mean ROC AUC) as the better baseline, under the default
settings and with --no-smote allowed; the difference is shown with the corrected resampled
t-test `credit compare` uses (same folds).

    python benchmarks/quality_own.py [--repeats N] [--models KEYS]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import provenance

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/own_data.py: the data sets the tests use

KEYS = (
    "logistic_regression",
    "decision_tree",
    "random_forest",
    "svm",
    "xgboost",
    "ensemble",
    "scorecard",
)
NO_SMOTE = "--no-smote"
SHAPES = {  # name -> (maker, target, bad value)
    "text, missing, good/bad": ("text_with_gaps", "status", "bad"),
    "numbers, 0/1 default": ("numeric_default", "default", "1"),
    "wide (64 columns)": ("wide", "bad", "1"),
}


def dataset(shape: str, folder: Path) -> tuple[Any, Any, np.ndarray]:
    """The shape's description (the draft, unedited), its features and 1-for-bad target."""
    from tests import own_data

    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.data.draft import draft
    from credit_mlops.modeling.build import target_bad

    maker, target, bad = SHAPES[shape]
    path = own_data.write_csv(getattr(own_data, maker)(), folder / f"{maker}.csv")
    described = draft(path, target=target, bad=bad).description
    data = load_dataset(path, description=described)
    return described, data.X.reset_index(drop=True), target_bad(data.y)


def credit_config(described: Any) -> Any:
    """`credit train`'s pipeline configuration under the default settings."""
    import os
    from dataclasses import replace

    from credit_mlops.config.loader import load_settings
    from credit_mlops.modeling.build import PipelineConfig
    from credit_mlops.train.spec import quality, resampling

    here = Path.cwd()
    with tempfile.TemporaryDirectory() as empty:  # no profile file: the defaults
        os.chdir(empty)
        try:
            settings = load_settings(None, {})
        finally:
            os.chdir(here)
    config = PipelineConfig(
        seed=settings.train.seed,
        resampling=resampling(settings),
        scorecard=settings.scorecard.params(),
        quality=quality(settings),
        class_weight=settings.train.class_weight,
        inner_search=settings.train.inner_search,
        inner_search_max_rows=settings.train.inner_search_max_rows,
    )
    return replace(config, description=described)


def credit_auc(key: str, config: Any, X: Any, y: np.ndarray, train: Any, test: Any) -> float:
    from sklearn.metrics import roc_auc_score

    from credit_mlops.modeling.cv import fitted

    model, _ = fitted(key, config, X.iloc[train], y[train])
    return float(roc_auc_score(y[test], model.predict_proba(X.iloc[test])[:, 1]))


def baseline(kind: str, X: Any) -> Any:
    """A plain model on the same columns: text one-hot, numbers as the kind needs them."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from xgboost import XGBClassifier

    text = [c for c in X.columns if X[c].dtype == object]
    numbers = [c for c in X.columns if c not in text]
    onehot = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="(missing)"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    if kind == "logistic regression":
        plain = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        model: Any = LogisticRegression()
    else:
        plain, model = "passthrough", XGBClassifier()
    columns = ColumnTransformer([("text", onehot, text), ("numbers", plain, numbers)])
    return make_pipeline(columns, model)


def baseline_auc(kind: str, X: Any, y: np.ndarray, train: Any, test: Any) -> float:
    from sklearn.metrics import roc_auc_score

    model = baseline(kind, X).fit(X.iloc[train], y[train])
    return float(roc_auc_score(y[test], model.predict_proba(X.iloc[test])[:, 1]))


def run_shape(shape: str, keys: list[str], repeats: int, log: Any) -> dict[str, Any]:
    from dataclasses import replace

    from threadpoolctl import threadpool_limits

    from credit_mlops.modeling.cv import cv_splits

    with tempfile.TemporaryDirectory() as folder:
        described, X, y = dataset(shape, Path(folder))
    splits = cv_splits(y, folds=5, repeats=repeats, seed=42)
    config = credit_config(described)
    scores: dict[str, list[float]] = {}
    seconds: dict[str, float] = {}
    plain_config = replace(config, resampling=None)
    runs: list[tuple[str, Any]] = [
        (key, lambda tr, te, k=key: credit_auc(k, config, X, y, tr, te)) for key in keys
    ]
    runs += [  # the same keys as `credit train --no-smote` trains them
        (f"{key} {NO_SMOTE}", lambda tr, te, k=key: credit_auc(k, plain_config, X, y, tr, te))
        for key in keys
        if key != "scorecard"  # never oversampled: its bins are fitted on the real rows
    ]
    runs += [
        (f"plain {kind}", lambda tr, te, k=kind: baseline_auc(k, X, y, tr, te))
        for kind in ("logistic regression", "xgboost")
    ]
    with threadpool_limits(limits=1):
        for label, score in runs:
            start = time.perf_counter()
            scores[label] = [score(train, test) for train, test in splits]
            seconds[label] = time.perf_counter() - start
            mean = statistics.mean(scores[label])
            log(f"  {shape}: {label} {mean:.3f} ({seconds[label]:.0f} s)")
    return {"shape": shape, "rows": len(y), "columns": X.shape[1], "scores": scores}


def _paired(ours: list[float], theirs: list[float], folds: int) -> str:
    from credit_mlops.compare.paired import corrected_resampled_t_test

    test = corrected_resampled_t_test(ours, theirs, folds=folds)
    return f"{test.mean_difference:+.4f} (p = {test.p:.2f}, {test.wins}/{test.n} folds)"


def _best(scores: dict[str, list[float]], *, no_smote: bool) -> str:
    ours = {
        k: statistics.mean(v)
        for k, v in scores.items()
        if not k.startswith("plain ") and (no_smote or not k.endswith(NO_SMOTE))
    }
    return max(ours, key=lambda k: ours[k])


def table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| data set | settings | best credit model | its ROC AUC | plain LR | plain XGBoost "
        "| best minus the better baseline (paired) | goal |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        scores = r["scores"]
        means = {k: statistics.mean(v) for k, v in scores.items()}
        lr, xgb = means["plain logistic regression"], means["plain xgboost"]
        rival = "plain logistic regression" if lr >= xgb else "plain xgboost"
        for no_smote, settings in ((False, "defaults"), (True, f"also {NO_SMOTE}")):
            best = _best(scores, no_smote=no_smote)
            sd = statistics.stdev(scores[best])
            met = "met" if means[best] >= means[rival] else "MISSED"
            lines.append(
                f"| {r['shape']} ({r['rows']} x {r['columns']}) | {settings} | {best} "
                f"| {means[best]:.4f} ± {sd:.3f} | {lr:.4f} | {xgb:.4f} "
                f"| {_paired(scores[best], scores[rival], 5)} | {met} |"
            )
    names = list(results[0]["scores"])
    lines += ["", "| model | " + " | ".join(r["shape"] for r in results) + " |"]
    lines.append("|---|" + "---|" * len(results))
    for name in names:
        row = " | ".join(f"{statistics.mean(r['scores'][name]):.4f}" for r in results)
        lines.append(f"| {name} | {row} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="CV repeats (protocol: 3)")
    parser.add_argument("--models", default=",".join(KEYS))
    args = parser.parse_args()
    begun = provenance.start()
    keys = [k for k in args.models.split(",") if k]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = [run_shape(shape, keys, args.repeats, log) for shape in SHAPES]
    provenance.publish(
        "bench-quality-own",
        begun,
        title="Model quality on data sets of other shapes",
        lines=table(results),
        data=results,
    )


if __name__ == "__main__":
    main()
