"""Training: all five models in one process against five processes; stages; memory."""

from __future__ import annotations

import json
from pathlib import Path

from harness import CREDIT, Bench, Project, median, run


def bench(b: Bench, project: Project, data: Path) -> None:
    from credit_mlops.modeling.catalog import SEED_KEYS

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
