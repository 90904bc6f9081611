"""A project folder with its own sqlite MLflow store, driven through the CLI in-process: what
the integration modules share (their `proj` fixture is in conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import REAL_DATA
from typer.testing import CliRunner, Result

from credit_mlops.cli.main import app
from credit_mlops.data import random_rows, tables

runner = CliRunner()


class Project:
    def __init__(self, root: Path, data_path: Path) -> None:
        self.root = root
        self.data_path = data_path
        self.uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"

    @contextmanager
    def here(self) -> Iterator[None]:
        old = Path.cwd()
        os.chdir(self.root)
        try:
            yield
        finally:
            os.chdir(old)

    def invoke(self, *args: str, **env: str) -> Result:
        # Module fixtures run before the per-test clean environment: clear it here too.
        prefixes = ("CREDIT_", "MLFLOW_TRACKING", "MLFLOW_EXP")
        clean: dict[str, str | None] = {k: None for k in os.environ if k.startswith(prefixes)}
        clean.update({"CREDIT_DATA__PATH": str(self.data_path), "COLUMNS": "200", **env})
        with self.here():
            return runner.invoke(app, list(args), env=clean)

    def ok(self, *args: str, **env: str) -> Result:
        result = self.invoke(*args, **env)
        assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str, **env: str) -> Any:
        return json.loads(self.ok(*args, "--json", **env).stdout)

    def client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.uri)

    def runs(self) -> int:
        client = self.client()
        return sum(len(client.search_runs([e.experiment_id])) for e in client.search_experiments())


def real_or_synthetic(root: Path) -> Path:
    """The real file where CREDIT_DATA__PATH names one, else 1,000 synthetic rows."""
    if REAL_DATA and Path(REAL_DATA).is_file():
        return Path(REAL_DATA)
    return tables.write_table(random_rows.synthetic(1000, seed=2), root / "credit.asc")


def copy_in_project(root: Path) -> Path:
    """As `real_or_synthetic`, always a file of the project (a test may move it away)."""
    data_path = root / "credit.asc"
    source = real_or_synthetic(root)
    if source != data_path:
        shutil.copy(source, data_path)
    return data_path


@dataclass(frozen=True)
class Setup:
    """A module's `proj`: its folder's name, its data, settings added to configs/local.toml,
    and the commands run (checked to succeed) before its first test."""

    name: str
    data: Callable[[Path], Path] = real_or_synthetic
    config: str = ""
    commands: tuple[tuple[str, ...], ...] = ()
