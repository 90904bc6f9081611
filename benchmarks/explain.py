"""Explained rows per second beside plain scoring, per model kind (issue 10's target: at
least 5,000 explained rows/s for xgboost and logistic regression on 2 cores).

In one process: each model is fitted on the data file's training part, then the same rows are
scored (`predict_proba`) and explained (attributions + reason columns), medians of repeats.
The model-agnostic kinds (svm, ensemble) get fewer rows: their time per row is what matters.

    python benchmarks/explain.py [--repeats N] [--rows N] [--agnostic-rows N]

`bench_explain(bench, project, data)` is the same measurement as a section of the harness.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

EXACT_KINDS = ("xgboost", "logistic_regression", "decision_tree", "random_forest")
AGNOSTIC_KINDS = ("svm", "ensemble")
TARGETS = {"xgboost": 5_000.0, "logistic_regression": 5_000.0}


def _data(path: Path | None) -> tuple[Any, Any]:
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.data.schema import FEATURES
    from credit_mlops.data.synthetic import synthetic
    from credit_mlops.modeling.pipeline import target_bad

    if path is not None and path.is_file():
        dataset = load_dataset(path)
        return dataset.X[list(FEATURES)], target_bad(dataset.y)
    frame = synthetic(1000, seed=0)
    return frame[list(FEATURES)], target_bad(frame["kredit"])


def _timed(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(
    path: Path | None, *, repeats: int = 3, rows: int = 20_000, agnostic_rows: int = 100
) -> list[dict[str, Any]]:
    from credit_mlops.data.schema import FEATURES
    from credit_mlops.explain.attribution import explainer
    from credit_mlops.explain.background import sample
    from credit_mlops.explain.reasons import reasons
    from credit_mlops.modeling.catalog import MODEL_KEYS
    from credit_mlops.modeling.pipeline import PipelineConfig, build_pipeline

    X, y = _data(path)
    background = sample(X, seed=42)
    keys = [k for k in (*EXACT_KINDS, *AGNOSTIC_KINDS) if k in MODEL_KEYS or k == "ensemble"]
    results = []
    for key in keys:
        try:
            pipe = build_pipeline(key, PipelineConfig(seed=42, resampling=None)).fit(X, y)
        except KeyError:
            continue  # a catalogue without this key (ensemble before its issue landed)
        n = agnostic_rows if key in AGNOSTIC_KINDS else rows
        batch = X.sample(n=n, replace=True, random_state=0).reset_index(drop=True)
        explained = explainer(pipe, list(FEATURES), background, key)
        scoring = _timed(lambda p=pipe, b=batch: p.predict_proba(b), repeats)
        explaining = _timed(lambda e=explained, b=batch: reasons(e.explain(b), b, 4), repeats)
        results.append(
            {
                "key": key,
                "rows": n,
                "method": explained.method,
                "scored_per_s": n / scoring,
                "explained_per_s": n / explaining,
                "target": TARGETS.get(key),
            }
        )
    return results


def bench_explain(b: Any, project: Any, data: Path) -> None:
    """The harness section: one row per model kind."""
    for r in measure(data, repeats=b.repeats):
        target = r["target"]
        b.add(
            "explain",
            f"{r['key']}: explained ({r['rows']:,} rows; scoring {r['scored_per_s']:,.0f}/s)",
            f"{r['explained_per_s']:,.0f} rows/s",
            f"≥ {target:,.0f}" if target else "reported",
            None if target is None else r["explained_per_s"] >= target,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--agnostic-rows", type=int, default=100)
    args = parser.parse_args()
    env = os.environ.get("CREDIT_DATA__PATH")
    path = Path(env) if env else None
    results = measure(path, repeats=args.repeats, rows=args.rows, agnostic_rows=args.agnostic_rows)
    print(f"{os.cpu_count()} cores · data: {path or 'synthetic, 1000 rows'} · medians")
    print(f"{'model':22} {'rows':>7} {'scored/s':>12} {'explained/s':>12} {'target':>9}  method")
    for r in results:
        target = f"{r['target']:,.0f}" if r["target"] else "-"
        verdict = (
            ""
            if not r["target"]
            else (" met" if r["explained_per_s"] >= r["target"] else " MISSED")
        )
        print(
            f"{r['key']:22} {r['rows']:>7,} {r['scored_per_s']:>12,.0f} "
            f"{r['explained_per_s']:>12,.0f} {target:>9}{verdict}  {r['method']}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
