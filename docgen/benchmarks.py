"""The benchmark results page, rendered from the newest result file of each kind.

`make bench*` write `benchmarks/results/<kind>-<UTC time>.json` (benchmarks/provenance.py);
this page shows the newest one of each kind with where it came from. No figure on it is
typed by hand.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"

# kind -> the command that produces it, in the order the page shows them
KINDS: dict[str, str] = {
    "bench": "make bench",
    "bench-tune": "make bench-tune",
    "bench-scale": "make bench-scale",
    "forest-growth": "make bench-scale",
    "spark-train": "make bench-scale",
    "bench-quality": "make bench-quality",
    "scorecard-quality": "make bench-quality",
    "bench-quality-own": "make bench-quality",
}


def latest(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """kind -> the newest result of that kind (by its finishing time)."""
    folder = folder or Path(os.environ.get("CREDIT_BENCH_RESULTS") or RESULTS)
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            result = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(result, dict) or "kind" not in result:
            continue
        result["file"] = path.name
        kind = str(result["kind"])
        if kind not in found or str(result.get("finished")) > str(found[kind].get("finished")):
            found[kind] = result
    return found


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;")


def _provenance(result: dict[str, Any]) -> list[str]:
    p = result.get("provenance", {})
    load = ", ".join(f"{x:.2f}" for x in p.get("load_average_at_start", []))
    versions = ", ".join(f"{k} {v}" for k, v in p.get("packages", {}).items())
    commit = str(p.get("commit", ""))[:10] + (
        " (with uncommitted changes)" if p.get("uncommitted_changes") else ""
    )
    busy = []
    averages, cores = p.get("load_average_at_start") or [0.0], p.get("cores") or 1
    if averages[0] > 0.5 * cores:
        busy = [
            '!!! warning "Taken on a busy machine"',
            f"    The load average was {averages[0]:.1f} on {cores} cores when this run started:"
            " its times are slower than the code is. Re-run it on a quiet machine.",
            "",
        ]
    return [
        *busy,
        f"Recorded {result.get('finished', '?')} by `{' '.join(p.get('command', []))}` "
        f"at commit `{commit}` on {p.get('cores', '?')} cores "
        f"({_cell(p.get('cpu_model', '?'))}), load average at start {load} "
        f"(1, 5, 15 min). Packages: {versions}. File: `benchmarks/results/{result['file']}`.",
        "",
    ]


def _body(result: dict[str, Any]) -> list[str]:
    rows = result.get("rows") or []
    lines = [str(line) for line in result.get("lines") or []]
    out: list[str] = []
    if rows:
        out += ["| section | what | value | target | verdict |", "| --- | --- | --- | --- | --- |"]
        out += [
            "| "
            + " | ".join(
                _cell(r.get(k, "")) for k in ("section", "what", "value", "target", "verdict")
            )
            + " |"
            for r in rows
        ]
        out.append("")
    if lines:
        if all(line.startswith("|") for line in lines if line.strip()):
            out += [*lines, ""]
        else:
            out += ["```text", *lines, "```", ""]
    return out


def page(folder: Path | None = None) -> str:
    results = latest(folder)
    out = [
        "# Benchmark results",
        "",
        "The newest result of each benchmark kept in `benchmarks/results/`, rendered when",
        "this site is built. Each says when, on which commit and on what machine it was",
        "taken, and how busy that machine was when it started: figures taken under load",
        "are slower than the code is. [Benchmarks](benchmarks.md) says what each one",
        "measures and how to run it.",
        "",
    ]
    kinds = [k for k in KINDS if k in results] + sorted(set(results) - set(KINDS))
    if not kinds:
        out += [
            "No result has been recorded yet: run `make bench` (and the other targets)",
            "on a quiet machine and commit the files it writes.",
            "",
        ]
    for kind in kinds:
        result = results[kind]
        out += [f"## {_cell(result.get('title') or kind)}", ""]
        if kind in KINDS:
            out += [f"From `{KINDS[kind]}`.", ""]
        out += _provenance(result) + _body(result)
    missing = [k for k in KINDS if k not in results]
    if kinds and missing:
        out += [
            "Not recorded yet: " + ", ".join(f"`{k}` (`{KINDS[k]}`)" for k in missing) + ".",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"
