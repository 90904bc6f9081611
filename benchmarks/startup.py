"""Start-up: `credit --help`, `credit train --help`, `credit config show`."""

from __future__ import annotations

from pathlib import Path

from harness import CREDIT, Bench, Project, median, run


def bench(b: Bench, project: Project, data: Path) -> None:
    folder = project.fresh("startup")
    cases: list[tuple[str, list[str], float]] = [
        ("credit --help", ["--help"], 0.3),
        ("credit train --help", ["train", "--help"], 0.3),
        ("credit config show", ["config", "show"], 0.6),
    ]
    n = max(5, b.repeats * 3)
    for label, args, target in cases:
        run([CREDIT, *args], folder)  # warm the page cache
        walls = [run([CREDIT, *args], folder)[0] for _ in range(n)]
        m = median(walls)
        b.raw[label] = walls
        b.add("start-up", f"{label} (median of {n})", f"{m:.3f} s", f"≤ {target} s", m <= target)
