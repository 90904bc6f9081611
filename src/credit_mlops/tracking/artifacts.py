"""Listing a run's artifact files (MLflow lists one folder at a time)."""

from __future__ import annotations

from typing import Any


def paths(client: Any, run_id: str, folder: str, recursive: bool) -> list[str]:
    """Paths of the run's artifact files under `folder` (sub-folders too if recursive)."""
    out: list[str] = []
    pending = [folder or None]
    while pending:
        for item in client.list_artifacts(run_id, pending.pop()):
            if not item.is_dir:
                out.append(item.path)
            elif recursive:
                pending.append(item.path)
    return sorted(out)
