"""Where a benchmark figure came from, written beside the figure.

Every `make bench*` target ends by writing one dated JSON file under benchmarks/results/
(kept in the repository): the rows it printed plus the commit, package versions, CPU model,
cores and the load average when it started. The documentation's benchmark page is rendered
from the newest file of each kind, so no figure is typed by hand.

    start = provenance.start()          # first thing: the load average before any work
    ...
    provenance.record("bench", start, rows=[...], lines=[...], data={...})
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
PACKAGES = (
    "credit-mlops",
    "mlflow",
    "scikit-learn",
    "xgboost",
    "imbalanced-learn",
    "pandas",
    "numpy",
    "pyarrow",
    "optuna",
    "optbinning",
    "shap",
    "fairlearn",
    "pyspark",
)


@dataclass(frozen=True)
class Start:
    when: datetime
    load_average: tuple[float, float, float]
    command: list[str] = field(default_factory=list)
    commit: str = ""  # the code measured: read when the run starts (the package is editable)
    uncommitted_changes: bool = False


def start() -> Start:
    """Called before any work: the load average then says how busy the machine already was."""
    return Start(
        datetime.now(UTC),
        os.getloadavg(),
        [Path(sys.argv[0]).name, *sys.argv[1:]],
        _git("rev-parse", "HEAD"),
        bool(_git("status", "--porcelain", "--untracked-files=no")),
    )


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def packages() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def provenance(begun: Start) -> dict[str, Any]:
    return {
        "commit": begun.commit,
        "uncommitted_changes": begun.uncommitted_changes,
        "packages": packages(),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "load_average_at_start": list(begun.load_average),
        "platform": platform.platform(),
        "started": begun.when.isoformat(timespec="seconds"),
        "command": begun.command,
    }


def record(
    kind: str,
    begun: Start,
    *,
    title: str,
    rows: list[dict[str, str]] | None = None,
    lines: list[str] | None = None,
    data: Any = None,
    folder: Path | None = None,
) -> Path:
    """Write `<kind>-<UTC time>.json` and return its path.

    rows: the printed table as {section, what, value, target, verdict}; lines: a table the
    benchmark already formats itself (Markdown or plain text), kept as printed.
    """
    folder = folder or Path(os.environ.get("CREDIT_BENCH_RESULTS") or RESULTS)
    folder.mkdir(parents=True, exist_ok=True)
    finished = datetime.now(UTC)
    payload = {
        "kind": kind,
        "title": title,
        "finished": finished.isoformat(timespec="seconds"),
        "provenance": provenance(begun),
        "rows": rows or [],
        "lines": lines or [],
        "data": data,
    }
    path = folder / f"{kind}-{finished.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(payload, indent=1, default=str) + "\n")
    return path


def publish(kind: str, begun: Start, *, title: str, lines: list[str], data: Any) -> Path:
    """Print a benchmark's own table on stdout, record it (`record`) and say where on
    stderr."""
    import sys

    print("\n".join(lines))
    path = record(kind, begun, title=title, lines=lines, data=data)
    print(f"results and per-fold figures: {path}", file=sys.stderr, flush=True)
    return path
