"""`credit server start|stop|status`: a team tracking server on 127.0.0.1 for the remote profile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.values import port_option

app = typer.Typer(
    help="Run a local team tracking server (start, stop, status).", no_args_is_help=True
)

DEFAULT_DATABASE = "credit_mlflow"


def _no_loop(value: Path) -> Path:
    from credit_mlops.link_loops import refuse_loop

    refuse_loop(value, "--dir")  # said before any process is looked at or started
    return value


def _folder(raw: str) -> Path:
    if not raw.strip():  # pathlib would make it '.', the current folder
        raise typer.BadParameter("is empty; name the server's folder")
    return Path(raw)


Folder = Annotated[
    Path,
    typer.Option(
        "--dir",
        help="Where the server keeps artifacts, logs and its pid.",
        parser=_folder,
        callback=_no_loop,
    ),
]


@app.command("start")
def start(
    port: Annotated[int, port_option("Port on 127.0.0.1.")] = 5000,
    backend: Annotated[
        str, typer.Option("--backend", help="postgres, sqlite, or auto (postgres if reachable).")
    ] = "auto",
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="PostgreSQL database to create and use.  [default: credit_mlflow]",
            show_default=False,
        ),
    ] = None,
    folder: Folder = Path(".credit/server"),
) -> None:
    """Start `mlflow server` in the background and print its URL and how to stop it."""
    from credit_mlops.cli.render import console
    from credit_mlops.errors import InputError
    from credit_mlops.ops.server import (
        MlflowServer,
        ServerSpec,
        check_database_name,
        create_database,
        postgres_reachable,
    )

    if backend not in ("auto", "postgres", "sqlite"):
        raise InputError(f"unknown backend '{backend}' (choose from: auto, postgres, sqlite)")
    if backend == "sqlite" and database is not None:  # a flag given is never ignored
        raise InputError(
            "--database names a PostgreSQL database, and --backend sqlite keeps the store in "
            "--dir; drop --database, or use --backend postgres"
        )
    database = DEFAULT_DATABASE if database is None else database  # given empty: refused
    if backend != "sqlite":  # before any connection: a name, never PostgreSQL's own
        check_database_name(database, "--database")
    folder = folder.resolve()
    MlflowServer(ServerSpec(folder=folder, port=port, backend_uri=None)).check_free()
    uri = None  # the database is made only for a server that can start
    if backend in ("auto", "postgres"):
        if postgres_reachable():
            uri = create_database(database, setting="--database", port=port)
        elif backend == "postgres":
            raise InputError("PostgreSQL is not reachable at 127.0.0.1:5432; use --backend sqlite")
    server = MlflowServer(ServerSpec(folder=folder, port=port, backend_uri=uri)).start()
    shown = uri.replace("postgresql+psycopg", "postgresql") if uri else server.spec.backend
    console.out().print(
        f"✓ tracking server at {server.spec.url} (backend {shown}, artifacts "
        f"{folder / 'artifacts'})\n  use it: credit train --mlflow-uri {server.spec.url}   "
        f"(or export MLFLOW_TRACKING_URI={server.spec.url})\n"
        f"  stop it: credit server stop --dir {folder}   (process group {server.pid})",
        markup=False,
        soft_wrap=True,
    )


@app.command("stop")
def stop(folder: Folder = Path(".credit/server")) -> None:
    """Stop the server started with `credit server start` (its whole process group), its
    workers too when its main process died."""
    from credit_mlops.cli.render import console
    from credit_mlops.ops.server_processes import stop_server

    state = stop_server(folder)  # only our own server's processes are signalled
    died = " whose main process had died" if state.leader_died else ""
    groups = ", ".join(str(g) for g in state.groups)
    console.note(f"✓ stopped the tracking server{died} (process group {groups})")


@app.command("status")
def status(folder: Folder = Path(".credit/server")) -> None:
    """Whether the server of the folder runs: its process group, processes and URL (exit 3 if
    none runs)."""
    from credit_mlops.cli.render import console
    from credit_mlops.errors import TrackingUnreachableError
    from credit_mlops.escaping import terminal_text
    from credit_mlops.ops.server_processes import server_state

    state = server_state(folder)
    if not state.processes:
        raise TrackingUnreachableError(
            f"no tracking server runs on {folder}; start one: credit server start --dir {folder}"
        )
    url = f"http://127.0.0.1:{state.port}" if state.port else "an unknown port"
    pids = ", ".join(str(p) for p in state.pids)
    if state.leader_died:
        line = (
            f"! the tracking server of {folder} runs without its main process (process group "
            f"{state.group}): its workers (processes {pids}) still serve {url}; stop them: "
            f"credit server stop --dir {folder}"
        )
    else:
        line = (
            f"✓ tracking server of {folder} runs at {url} (process group {state.group}, "
            f"processes {pids})"
        )
    console.out().print(terminal_text(line), markup=False, soft_wrap=True)
