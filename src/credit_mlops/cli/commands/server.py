"""`credit server start|stop`: a team tracking server on 127.0.0.1 for the remote profile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.values import port_option

app = typer.Typer(help="Run a local team tracking server (start, stop).", no_args_is_help=True)

Folder = Annotated[
    Path, typer.Option("--dir", help="Where the server keeps artifacts, logs and its pid.")
]


@app.command("start")
def start(
    port: Annotated[int, port_option("Port on 127.0.0.1.")] = 5000,
    backend: Annotated[
        str, typer.Option("--backend", help="postgres, sqlite, or auto (postgres if reachable).")
    ] = "auto",
    database: Annotated[
        str, typer.Option("--database", help="PostgreSQL database to create and use.")
    ] = "credit_mlflow",
    folder: Folder = Path(".credit/server"),
) -> None:
    """Start `mlflow server` in the background and print its URL and how to stop it."""
    from credit_mlops.cli.render import console
    from credit_mlops.errors import InputError
    from credit_mlops.ops.server import (
        MlflowServer,
        ServerSpec,
        create_database,
        postgres_reachable,
    )

    if backend not in ("auto", "postgres", "sqlite"):
        raise InputError(f"unknown backend '{backend}' (choose from: auto, postgres, sqlite)")
    folder = folder.resolve()
    MlflowServer(ServerSpec(folder=folder, port=port, backend_uri=None)).check_free()
    uri = None  # the database is made only for a server that can start
    if backend in ("auto", "postgres"):
        if postgres_reachable():
            uri = create_database(database)
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
    """Stop the server started with `credit server start` (its whole process group)."""
    from credit_mlops.cli.render import console
    from credit_mlops.ops.server import stop_server

    pid = stop_server(folder)  # only our own server's process group is signalled
    console.note(f"✓ stopped the tracking server (process group {pid})")
