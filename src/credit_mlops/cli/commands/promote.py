"""`credit promote NAME VERSION STAGE` and `credit promote NAME --history`."""

from __future__ import annotations

from typing import Annotated

import typer

from credit_mlops.cli.options import Json, MlflowUri, Profile, checked_model_name


def promote(
    name: Annotated[
        str, typer.Argument(help="Registered model name.", callback=checked_model_name)
    ],
    version: Annotated[str | None, typer.Argument(help="Version number.")] = None,
    stage: Annotated[
        str | None, typer.Argument(help="Staging, Production, Archived or None (any case).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Promote even if worse than Production.")
    ] = False,
    keep_existing: Annotated[
        bool,
        typer.Option("--keep-existing", help="Do not archive the version now in that stage."),
    ] = False,
    show_history: Annotated[
        bool, typer.Option("--history", help="Show every promotion of NAME.")
    ] = False,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Move a version to a stage (and alias), with a metric gate.

    Production is refused to a version worse than the current one unless --force.
    """
    from dataclasses import asdict

    from credit_mlops.cli.options import uri_settings
    from credit_mlops.cli.render import console, lifecycle
    from credit_mlops.errors import InputError
    from credit_mlops.fairness.promote import promote as run_promote
    from credit_mlops.lifecycle.promote import history
    from credit_mlops.lifecycle.targets import canonical_stage
    from credit_mlops.tracking.open import open_tracker

    settings = uri_settings(profile, mlflow_uri)
    if show_history:
        records = history(open_tracker(settings, existing=True), name)
        if json_out:
            console.emit_json([asdict(r) for r in records])
        else:
            lifecycle.promotion_history(name, records)
        return
    if version is None or stage is None:
        raise InputError(
            "give NAME VERSION STAGE (e.g. credit promote xgboost 3 Production), or NAME --history"
        )
    if not (version.isascii() and version.isdigit() and len(version) <= 18):
        raise InputError(f"VERSION {version!r} is not a version number (1, 2, 3 ...)")
    canonical_stage(stage)  # a bad stage is refused before the store is opened
    store = open_tracker(settings, existing=True)
    record = run_promote(  # the parity gate, the metric gate, the move
        settings, store, name, version, stage, force=force, keep_existing=keep_existing
    )
    if json_out:
        console.emit_json(record)
    else:
        lifecycle.promotion(record)
