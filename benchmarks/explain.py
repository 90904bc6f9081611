"""Explained rows per second beside plain scoring, per model kind (issue 10's target: at
least 5,000 explained rows/s for xgboost and logistic regression on 2 cores).

In one process: each model is fitted on the data file's training part, then the same rows are
scored (`predict_proba`) and explained (attributions + reason columns), medians of repeats.
The model-agnostic kinds (svm, ensemble) get fewer rows: their time per row is what matters.

    python benchmarks/explain.py [--repeats N] [--rows N] [--agnostic-rows N]

`bench(b, project, data)` is the harness area (`make bench`, or `run.py --only explain`): the
same measurement, plus the whole `credit predict` command with and without --explain.
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
# exact TreeSHAP on 300 deep trees is slow per row: fewer rows keep the area short
ROWS = {"random_forest": 1_000}


def _data(path: Path | None) -> tuple[Any, Any]:
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.schema import FEATURES
    from credit_mlops.modeling.build import target_bad

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
    from credit_mlops.modeling.build import PipelineConfig, build_pipeline

    X, y = _data(path)
    background = sample(X, seed=42)
    results = []
    for key in (*EXACT_KINDS, *AGNOSTIC_KINDS):
        config = PipelineConfig(seed=42, resampling=None)
        pipe = build_pipeline(key, config).fit(X, y)
        n = agnostic_rows if key in AGNOSTIC_KINDS else min(rows, ROWS.get(key, rows))
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


def bench(b: Any, project: Any, data: Path) -> None:
    """The harness area: per model kind in one process, then the whole `credit predict`
    command with and without --explain on the same rows."""
    for r in measure(data, repeats=b.repeats):
        target = r["target"]
        b.add(
            "explain",
            f"{r['key']}: explained ({r['rows']:,} rows; scoring {r['scored_per_s']:,.0f}/s)",
            f"{_speed(r['explained_per_s'])} rows/s",
            f"≥ {target:,.0f}" if target else "reported",
            None if target is None else r["explained_per_s"] >= target,
        )
    for key, plain, explained in command_figures(project, data, b.repeats):
        b.add(
            "explain",
            f"credit predict {key} --explain, 20,000 rows (plain: {plain:,.0f} rows/s)",
            f"{explained:,.0f} rows/s",
            f"≥ {TARGETS[key]:,.0f}",
            explained >= TARGETS[key],
        )


def command_figures(project: Any, data: Path, repeats: int) -> list[tuple[str, float, float]]:
    """(model, plain rows/s, explained rows/s) of the scoring part of `credit predict`."""
    import json

    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.schema import FEATURES
    from harness import CREDIT, median, run

    folder = project.fresh("explain")
    models = ",".join(TARGETS)
    run([CREDIT, "train", "-m", models, "--data", str(data), "--no-evaluate", "--json"], folder)
    rows = 20_000
    frame = synthetic(rows, seed=5)[list(FEATURES)]
    frame.insert(0, "id", range(rows))
    applicants = folder / "applicants.csv"
    frame.to_csv(applicants, index=False)
    out = []
    for key in TARGETS:
        speeds = {}
        for label, extra in (("plain", []), ("explain", ["--explain"])):
            seconds = []
            for _ in range(repeats):
                args = [CREDIT, "predict", key, "-i", str(applicants), "-o", str(folder / "s.csv")]
                _, _, printed = run([*args, *extra, "--json"], folder)
                seconds.append(json.loads(printed)["scoring_seconds"])
            speeds[label] = rows / median(seconds)
        out.append((key, speeds["plain"], speeds["explain"]))
    return out


def _speed(per_s: float) -> str:
    return f"{per_s:,.0f}" if per_s >= 10 else f"{per_s:.2f}"


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
            f"{_speed(r['explained_per_s']):>12} {target:>9}{verdict}  {r['method']}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
