"""`credit serve [TARGET]`: the decision API."""

from __future__ import annotations

from typing import Annotated

import typer

from credit_mlops.cli.options import MlflowUri, Profile
from credit_mlops.cli.values import whole_number


def serve(
    target: Annotated[
        str | None,
        typer.Argument(
            help="NAME@ALIAS (follows promotions), NAME/VERSION, ... (setting serve.target, "
            "default scorecard@production).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(
            "--host", help="Address to bind (serve.host, default 127.0.0.1).", show_default=False
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            help="Port (serve.port, default 8080).",
            show_default=False,
            parser=whole_number,
            metavar="<int>",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Worker processes (serve.workers, default 1).",
            show_default=False,
            parser=whole_number,
            metavar="<int>",
        ),
    ] = None,
    poll_seconds: Annotated[
        float | None,
        typer.Option(
            "--poll-seconds",
            help="How often the registry is asked where TARGET points (serve.poll_seconds).",
            show_default=False,
        ),
    ] = None,
    reasons: Annotated[
        int | None,
        typer.Option(
            "--reasons",
            help="Reasons per applicant by default (serve.reasons).",
            show_default=False,
            parser=whole_number,
            metavar="<int>",
        ),
    ] = None,
    insecure: Annotated[
        bool,
        typer.Option("--insecure", help="Allow a non-loopback --host without a token."),
    ] = False,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
) -> None:
    """Serve decisions over HTTP: one applicant or many, with reasons, journaled.

    POST /v1/decisions, GET /v1/model, /healthz, /readyz, /metrics, /docs. An alias target
    follows promotions while serving. Any address other than loopback needs a bearer token
    (CREDIT_SERVE__TOKEN or serve.token_file). SIGTERM or Ctrl-C finish the requests in
    flight and exit 0.
    """
    from credit_mlops.cli.flags import settings_and_overrides
    from credit_mlops.cli.render.serve import configure_logging
    from credit_mlops.serve.run import Launch
    from credit_mlops.serve.run import serve as run_serve

    settings, given = settings_and_overrides(
        profile,
        mlflow_uri=mlflow_uri,
        host=host,
        port=port,
        workers=workers,
        poll_seconds=poll_seconds,
        reasons=reasons,
    )
    launch = Launch(profile, given, target or settings.serve.target, insecure)
    configure_logging()
    run_serve(settings, launch)
