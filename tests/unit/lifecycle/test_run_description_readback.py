"""A run's logged data description is read back: damaged, it is one line (exit 2), for every
command that reads it (predict, evaluate, explain, fairness, monitor, report)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from credit_mlops.errors import CreditError
from credit_mlops.lifecycle.predict_checks import run_description


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path

    def download_artifact(self, run_id: str, name: str) -> Path:
        return self.path


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe{", b"[" * 100_000 + b"]" * 100_000, b"[1, 2]", b'{"name": 5}', b"{"],
)
def test_a_damaged_description_is_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "description.json"
    path.write_bytes(content)
    run: Any = SimpleNamespace(run_id="r1", params={"data_description": "x"})
    with pytest.raises(CreditError) as caught:
        run_description(Store(path), run)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "run r1's data/description.json" in message and "\n" not in message
    assert caught.value.exit_code == 2
