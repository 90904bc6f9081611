"""Batch scoring throughput of `credit predict`."""

from __future__ import annotations

import json
from pathlib import Path

from harness import CREDIT, Bench, Project, median, run


def bench(b: Bench, project: Project, data: Path) -> None:
    from credit_mlops.data.schema import FEATURES
    from credit_mlops.data.synthetic import synthetic

    folder = project.fresh("predict")
    run([CREDIT, "train", "-m", "xgboost", "--data", str(data), "--no-evaluate", "--json"], folder)
    rows = 100_000
    frame = synthetic(rows, seed=3)[list(FEATURES)]
    frame.insert(0, "id", range(rows))
    applicants = folder / "applicants.csv"
    frame.to_csv(applicants, index=False)
    walls, peaks, scoring = [], [], []
    for _ in range(b.repeats):
        args = [CREDIT, "predict", "xgboost", "-i", str(applicants), "-o", str(folder / "s.csv")]
        wall, peak, out = run([*args, "--json"], folder)
        walls.append(wall)
        peaks.append(peak)
        scoring.append(json.loads(out)["scoring_seconds"])
    m = median(walls)
    b.raw.update(predict_wall=walls, predict_peak=peaks, predict_scoring=scoring)
    b.add(
        "predict", f"credit predict, {rows:,} synthetic rows, whole command (median)", f"{m:.1f} s"
    )
    b.add(
        "predict",
        "throughput, whole command (imports and model load included)",
        f"{rows / m:,.0f} rows/s",
    )
    b.add(
        "predict",
        "throughput of scoring (read, validate, score, write)",
        f"{rows / median(scoring):,.0f} rows/s",
    )
    b.add("predict", "peak memory (process tree)", f"{median(peaks):.0f} MiB")
