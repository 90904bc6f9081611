"""Shared fixtures. Every test runs in its own project folder under tmp_path with a clean
environment: no CREDIT_* or MLFLOW_* variable of the caller leaks in."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Read once, before the per-test environment is cleaned: CI points it at the shared copy.
REAL_DATA = os.environ.get("CREDIT_DATA__PATH")
CREDIT = Path(sys.executable).parent / "credit"  # the installed script
# CI sets it: the PostgreSQL-backed server tests must run there, not skip.
REQUIRE_POSTGRES = os.environ.get("CREDIT_REQUIRE_POSTGRES") == "1"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("CREDIT_", "MLFLOW_")) or name == "MODEL_VERSION":
            monkeypatch.delenv(name)
    monkeypatch.setenv("MLFLOW_LOGGING_LEVEL", "WARNING")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's configs/ in tmp_path, which is the working directory."""
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def real_data_path() -> Path:
    if not REAL_DATA:
        pytest.skip("real data file not configured: set CREDIT_DATA__PATH to SouthGermanCredit.asc")
    path = Path(REAL_DATA)
    if not path.is_file():
        pytest.skip(f"CREDIT_DATA__PATH={REAL_DATA} does not exist")
    return path


@pytest.fixture(scope="session")
def synthetic_frame():  # type: ignore[no-untyped-def]
    from credit_mlops.data.random_rows import synthetic

    return synthetic(400, seed=7)


@pytest.fixture(scope="module")
def xy(request: pytest.FixtureRequest) -> tuple[object, object]:
    """Features and bad-credit labels (1 = bad) of a seeded synthetic frame: the size and seed
    are the test module's `XY = (rows, seed)` (300 rows, seed 5 when it sets none)."""
    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.schema import FEATURES, TARGET
    from credit_mlops.modeling.build import target_bad

    rows, seed = getattr(request.module, "XY", (300, 5))
    frame = synthetic(rows, seed=seed)
    return frame[list(FEATURES)], target_bad(frame[TARGET])


@pytest.fixture
def synthetic_file(tmp_path: Path, synthetic_frame) -> Path:  # type: ignore[no-untyped-def]
    from credit_mlops.data.tables import write_table

    return write_table(synthetic_frame, tmp_path / "synthetic.asc")


@pytest.fixture(scope="session")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow sqlite store with its schema migrated once; copied per test (~3 s saved each)."""
    from mlflow.tracking import MlflowClient

    folder = tmp_path_factory.mktemp("store-template")
    db = folder / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{db}").search_experiments()
    return db


def run_statuses(root: Path) -> dict[str, str]:
    """run id -> status, over every experiment of the project's embedded store."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{root / '.credit' / 'mlflow.db'}")
    return {
        run.info.run_id: run.info.status
        for exp in client.search_experiments()
        for run in client.search_runs([exp.experiment_id])
    }


def project_with_store(root: Path, template: Path | None) -> Path:
    """A project folder: the repository's configs/, and a copy of the migrated store."""
    shutil.copytree(REPO / "configs", root / "configs")
    if template is not None:
        (root / ".credit").mkdir()
        shutil.copy(template, root / ".credit" / "mlflow.db")
    return root


@pytest.fixture
def store(project: Path, store_template: Path) -> Iterator[Path]:
    """The project's embedded store (.credit/mlflow.db), ready to use."""
    target = project / ".credit"
    target.mkdir()
    shutil.copy(store_template, target / "mlflow.db")
    yield target


def tracking_uri(store: Path) -> str:
    return f"sqlite:///{store / 'mlflow.db'}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def archive_server(tmp_path: Path, synthetic_frame) -> Iterator[tuple[str, Path]]:
    """A local HTTP server on 127.0.0.1 serving a copy of the UCI archive."""
    from credit_mlops.data.schema import DATA_FILE
    from credit_mlops.data.tables import write_table

    served = tmp_path / "served"
    served.mkdir()
    source = write_table(synthetic_frame, tmp_path / "src" / DATA_FILE)
    archive = served / "south+german+credit+update.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(source, DATA_FILE)
        zf.writestr("codetable.txt", "codes\n")
        zf.writestr("read_SouthGermanCredit.R", "# R\n")
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{archive.name}", archive
    finally:
        server.shutdown()
        server.server_close()


def credit(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """The real `credit` script in a subprocess, with a clean environment plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    base.update(env or {})
    return subprocess.run(
        [str(CREDIT), *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
