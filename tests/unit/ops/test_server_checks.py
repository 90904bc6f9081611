"""`credit server start`'s checks before anything is made: the name of the store's database
(an identifier needing no quotes, never PostgreSQL's own databases, refused before any
connection), the folder (made, never those above it) and a port held by a process."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from credit_mlops.errors import InputError
from credit_mlops.ops.server import (
    MlflowServer,
    ServerSpec,
    check_database_name,
    create_database,
    free_port,
)
from credit_mlops.ops.server_processes import port_holder, port_in_use

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"  # nothing listens on port 1
RULE = "use lower-case letters, digits and _, starting with a letter or _"


@pytest.mark.parametrize("name", ["credit_mlflow", "_x", "a", "a1_b2", "z" * 63, "postgres_x"])
def test_an_identifier_is_a_database_name(name: str) -> None:
    assert check_database_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        'x"; drop table y; --',
        "Hostile_X",
        "with space",
        "",
        "1abc",
        "a" * 64,
        "ab\n",
        "caf\u00e9",
        'x" TEMPLATE "template0',
        "a-b",
    ],
)
def test_anything_else_is_refused_naming_the_flag_and_the_rule(name: str) -> None:
    with pytest.raises(InputError) as caught:
        check_database_name(name, "--database")
    message = str(caught.value)
    assert message.startswith("--database ") and RULE in message
    assert "\n" not in message


@pytest.mark.parametrize("name", ["postgres", "template0", "template1"])
def test_postgresql_s_own_databases_are_refused_before_any_connection(name: str) -> None:
    """The admin URL leads nowhere: a connection attempt would fail otherwise, not refuse."""
    expected = (
        f"--database {name} is PostgreSQL's own database; name one of its own for the store, "
        "e.g. --database credit_mlflow"
    )
    with pytest.raises(InputError) as caught:
        create_database(name, NOWHERE)
    assert str(caught.value) == expected


def test_a_hostile_name_is_refused_before_any_connection() -> None:
    with pytest.raises(InputError, match="lower-case letters"):
        create_database('x"; drop table y; --', NOWHERE)


def test_a_server_folder_is_made_but_never_the_folders_above_it(tmp_path: Path) -> None:
    folder = tmp_path / "nope" / "nope" / "srv"
    server = MlflowServer(ServerSpec(folder=folder, port=free_port()))
    with pytest.raises(InputError, match=f"folder {tmp_path / 'nope' / 'nope'} does not exist"):
        server.start(timeout=1)
    assert list(tmp_path.iterdir()) == []


def test_the_projects_own_credit_folder_is_made_with_the_default(tmp_path: Path) -> None:
    server = MlflowServer(ServerSpec(folder=tmp_path / ".credit" / "server", port=free_port()))
    server.check_free()  # allowed: `.credit/` is the project's own, made on start
    deeper = MlflowServer(ServerSpec(folder=tmp_path / "a" / ".credit" / "server"))
    with pytest.raises(InputError, match="does not exist"):
        deeper.check_free()


def test_a_port_held_by_a_process_names_it(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert port_holder(port) == os.getpid()
        message = port_in_use(port)
        assert message.startswith(f"port {port} is in use by process {os.getpid()} (")
        assert message.endswith("; pick another with --port")
        server = MlflowServer(ServerSpec(folder=tmp_path, port=port))
        with pytest.raises(InputError, match=f"in use by process {os.getpid()}"):
            server.check_free()
    assert port_holder(port) is None
