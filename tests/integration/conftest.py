"""Real `mlflow server` processes on 127.0.0.1: sqlite always, PostgreSQL when reachable
(required when CREDIT_REQUIRE_POSTGRES=1, as in CI). Each is stopped by its process group."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import REAL_DATA, REQUIRE_POSTGRES, project_with_store
from tests.integration.project import Project, Setup

from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.tables import write_table
from credit_mlops.ops.server import (
    MlflowServer,
    ServerSpec,
    create_database,
    drop_database,
    free_port,
    postgres_reachable,
)


def postgres_or_skip() -> None:
    if postgres_reachable():
        return
    if REQUIRE_POSTGRES:
        pytest.fail("CREDIT_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable at 127.0.0.1:5432")
    pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def team_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MlflowServer]:
    backend = request.param
    database = None
    uri = None
    if backend == "postgres":
        postgres_or_skip()
        database = f"credit_test_{uuid.uuid4().hex[:12]}"
        uri = create_database(database)
    folder = tmp_path_factory.mktemp(f"server-{backend}")
    server = MlflowServer(ServerSpec(folder=folder, port=free_port(), backend_uri=uri)).start()
    try:
        yield server
    finally:
        server.stop()
        if database:
            drop_database(database)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if REAL_DATA and Path(REAL_DATA).is_file():
        return Path(REAL_DATA)
    return write_table(synthetic(1000, seed=4), tmp_path_factory.mktemp("data") / "credit.asc")


def make_project(root: Path) -> Path:
    return project_with_store(root, None)


@pytest.fixture(scope="module")
def project_setup() -> Setup:
    """What `proj` holds; a module overrides it (its data, settings and first commands)."""
    return Setup("project")


@pytest.fixture(scope="module")
def proj(
    project_setup: Setup, tmp_path_factory: pytest.TempPathFactory, store_template: Path
) -> Project:
    """A project with a copy of the migrated store, set up (and trained) as the module says."""
    setup = project_setup
    root = project_with_store(tmp_path_factory.mktemp(setup.name), store_template)
    if setup.config:
        with (root / "configs" / "local.toml").open("a") as fh:
            fh.write(setup.config)
    project = Project(root, setup.data(root))
    for command in setup.commands:
        project.ok(*command)
    return project
