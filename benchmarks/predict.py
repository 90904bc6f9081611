"""Batch scoring throughput of `credit predict`, logistic regression and xgboost.

Per model: the scoring throughput once the model is loaded (reading, validating, scoring and
writing; issue 12's target of 250,000 rows/s beside it), the CPU it took (rows per
CPU-second of the whole process, all threads: steadier than wall time on a busy machine,
and wall x 2 cores would be the best case), the whole command and its peak memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness import CREDIT, Bench, Project, median, run

MODELS = ("logistic_regression", "xgboost")
TARGET_ROWS_PER_S = 250_000


def bench(b: Bench, project: Project, data: Path) -> None:
    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.schema import FEATURES

    folder = project.fresh("predict")
    rows = 100_000
    frame = synthetic(rows, seed=3)[list(FEATURES)]
    frame.insert(0, "id", range(rows))
    applicants = folder / "applicants.csv"
    frame.to_csv(applicants, index=False)
    for model in MODELS:
        train = [CREDIT, "train", "-m", model, "--data", str(data), "--no-evaluate", "--json"]
        run(train, folder)
        walls, peaks, scoring, cpu = [], [], [], []
        for _ in range(b.repeats):
            args = [CREDIT, "predict", model, "-i", str(applicants), "-o", str(folder / "s.csv")]
            wall, peak, out = run([*args, "--json"], folder)
            report = json.loads(out)
            walls.append(wall)
            peaks.append(peak)
            scoring.append(report["scoring_seconds"])
            cpu.append(report["scoring_cpu_seconds"])
        b.raw[f"predict_{model}"] = {"wall": walls, "peak": peaks, "scoring": scoring, "cpu": cpu}
        throughput = rows / median(scoring)
        b.add(
            "predict",
            f"{model}: scoring throughput, {rows:,} rows (read, validate, score, write)",
            f"{throughput:,.0f} rows/s",
            f"≥ {TARGET_ROWS_PER_S:,} rows/s",
            throughput >= TARGET_ROWS_PER_S,
        )
        b.add(
            "predict",
            f"{model}: CPU of scoring (all threads)",
            f"{rows / median(cpu):,.0f} rows per CPU-second",
        )
        b.add(
            "predict",
            f"{model}: whole command (imports, model load) · peak memory (process tree)",
            f"{median(walls):.1f} s · {rows / median(walls):,.0f} rows/s · {median(peaks):.0f} MiB",
        )
