"""`credit register RUN_ID [--name NAME]`."""

from __future__ import annotations

from typing import Annotated

import typer

from credit_mlops.cli.options import Json, MlflowUri, Profile


def register(
    run_id: Annotated[str, typer.Argument(help="The run whose model to register.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Registered model name (default: the model key).")
    ] = None,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Register the model of a run as a new version."""
    from credit_mlops.cli.options import uri_settings
    from credit_mlops.cli.render import console, lifecycle
    from credit_mlops.lifecycle.register import register as run_register
    from credit_mlops.tracking.open import open_tracker

    store = open_tracker(uri_settings(profile, mlflow_uri), existing=True)
    result = run_register(store, run_id, name)
    if json_out:
        console.emit_json(result)
    else:
        lifecycle.registered(result)
