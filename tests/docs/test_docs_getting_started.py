"""Every command of the getting-started page runs, as written, on the shipped data."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import REPO

PAGE = REPO / "docs" / "getting-started.md"


def commands(text: str) -> list[str]:
    """The lines of the page's ```bash blocks (```text blocks are shown, not run)."""
    blocks = re.findall(r"^```bash\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    lines = [line.split(" #", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_page_has_the_commands_of_a_first_session() -> None:
    found = commands(PAGE.read_text())
    verbs = {shlex.split(line)[1] for line in found if line.startswith("credit ")}
    assert {"train", "compare", "promote", "predict", "evaluate", "report"} <= verbs
    assert all(line.startswith("credit ") for line in found), found


def test_the_quick_start_targets_exist() -> None:
    # `make train` and `make test` are what the README and this page start with; CI runs
    # `make test` itself, and a dry run proves both targets resolve.
    text = PAGE.read_text()
    for target in ("train", "test"):
        assert f"make {target}" in text
        proc = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_every_command_of_the_page_runs_on_the_shipped_data(tmp_path: Path) -> None:
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    shutil.copytree(
        REPO / "data" / "south-german-credit", tmp_path / "data" / "south-german-credit"
    )
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))} | {
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "COLUMNS": "120",
    }
    for line in commands(PAGE.read_text()):
        proc = subprocess.run(
            shlex.split(line), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
        )
        assert proc.returncode == 0, f"{line}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    header = (tmp_path / "scored.csv").read_text().splitlines()[0]
    assert header.startswith("p_bad,decision,reason_1,reason_2,reason_3")
    assert (tmp_path / "model-card" / "model_card.html").stat().st_size > 0
    assert not (tmp_path / "data" / "raw").exists()  # the shipped copy, no download
