"""Training: all five models in one process against five processes; stages; memory; and the
fixed cost of one small job (one logistic regression on an existing store), stage by stage."""

from __future__ import annotations

import json
import resource
from pathlib import Path

from harness import CREDIT, Bench, Project, median, run

# Not stages of the main thread: CV time that ran beside the import and store stages, and the
# planned CPU seconds of the folds. The stages add up to the time inside the workflow.
NOTES = ("cv_overlap", "cv_estimate")
SMALL_REPEATS = 5
SMALL_TARGET = 7.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def small_job(b: Bench, project: Project, data: Path) -> None:
    """One `credit train -m logistic_regression` (5x3 CV, logged and registered) on a store
    that already holds a run: wall, CPU of the process tree, and where the time goes."""
    folder = project.fresh("one-lr")
    args = [CREDIT, "train", "-m", "logistic_regression", "--data", str(data), "--json"]
    run(args, folder)  # the experiment and the registered model exist from here on
    walls: list[float] = []
    cpus: list[float] = []
    splits: list[dict[str, float]] = []
    for _ in range(max(SMALL_REPEATS, b.repeats)):
        before = children_cpu()
        wall, _, out = run(args, folder)
        cpus.append(children_cpu() - before)
        report = json.loads(out)
        assert report["results"][0]["registered_version"]
        timings = report["timings"]
        stages = {k: v for k, v in timings.items() if k not in NOTES}
        walls.append(wall)
        splits.append({**stages, "remainder": wall - sum(stages.values()), **timings})
    b.raw.update(small_walls=walls, small_cpu=cpus, small_stages=splits)
    wall = median(walls)
    b.add(
        "train small",
        f"one LR credit train, 5x3 CV, logged + registered (median of {len(walls)})",
        f"{wall:.1f} s",
        f"≤ {SMALL_TARGET:.0f} s",
        wall <= SMALL_TARGET,
    )
    b.add("train small", "  CPU of the process tree (workers included)", f"{median(cpus):.1f} s")
    script_pair(b, folder, data, wall)
    names = [k for k in splits[0] if k not in NOTES]
    for name in [*names, *NOTES]:
        value = median([s.get(name, 0.0) for s in splits])
        label = {
            "cv": "cv (waited for, after import/store)",
            "remainder": "remainder (start-up, CLI, settings, output, exit)",
            "cv_overlap": "  (cv beside import/store, not in the sum)",
            "cv_estimate": "  (planned CPU s of the folds, not in the sum)",
        }.get(name, name)
        b.add("train small stages", f"  {label}", f"{value:.2f} s")


def script_pair(b: Bench, folder: Path, data: Path, credit_wall: float) -> None:
    """The same work as a hand-written MLflow script (benchmarks/mlflow_script.py), timed in
    the same run on the same store: the pair and their ratio."""
    import sys

    script = str(Path(__file__).with_name("mlflow_script.py"))
    uri = f"sqlite:///{folder / '.credit' / 'mlflow.db'}"
    args = [sys.executable, script, str(data), uri]
    run(args, folder)  # its experiment and registered model exist from here on
    walls = [run(args, folder)[0] for _ in range(SMALL_REPEATS)]
    b.raw.update(script_walls=walls)
    script = median(walls)
    b.add("train small", "hand-written MLflow script, same work (median)", f"{script:.1f} s")
    ratio = credit_wall / script
    b.add("train small", "  ratio credit train / script", f"{ratio:.2f}", "≤ 0.60", ratio <= 0.6)


def bench(b: Bench, project: Project, data: Path) -> None:
    from credit_mlops.modeling.catalog import SEED_KEYS

    small_job(b, project, data)

    singles: list[float] = []
    sums: list[float] = []
    peaks: list[float] = []
    stages: list[dict[str, float]] = []
    for i in range(b.repeats):
        folder = project.fresh(f"all-{i}")
        wall, peak, out = run(
            [CREDIT, "train", "--model", "all", "--data", str(data), "--json"], folder
        )
        report = json.loads(out)
        assert len(report["results"]) == 5 and all(
            r["registered_version"] for r in report["results"]
        )
        singles.append(wall)
        peaks.append(peak)
        stages.append(report["timings"])
        folder = project.fresh(f"separate-{i}")
        total = 0.0
        for key in SEED_KEYS:
            total += run([CREDIT, "train", "--model", key, "--data", str(data), "--json"], folder)[
                0
            ]
        sums.append(total)
    ratios = [s / t for s, t in zip(singles, sums, strict=True)]
    b.raw.update(
        train_all=singles, train_separate_sum=sums, ratios=ratios, peaks_mib=peaks, stages=stages
    )
    b.add(
        "train",
        f"credit train --model all, one process (median of {b.repeats})",
        f"{median(singles):.1f} s",
    )
    b.add(
        "train", "five separate credit train --model KEY processes, summed", f"{median(sums):.1f} s"
    )
    b.add(
        "train",
        "ratio one process / sum of five (same run, median)",
        f"{median(ratios):.2f}",
        "≤ 0.50",
        median(ratios) <= 0.5,
    )
    b.add("train", "peak memory of --model all (process tree)", f"{median(peaks):.0f} MiB")
    for stage in stages[0]:
        values = [s.get(stage, 0.0) for s in stages]
        b.add("train stages", f"  {stage}", f"{median(values):.1f} s")
