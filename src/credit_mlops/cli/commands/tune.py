"""`credit tune`: search a model's hyperparameters with Optuna, shared by many workers."""

from __future__ import annotations

import signal
from typing import Annotated, Any

import typer

from credit_mlops.cli.options import DataPath, Json, MlflowExperiment, MlflowUri, Profile, Quiet
from credit_mlops.cli.values import seed_option, whole_number


def tune(
    model: Annotated[
        str, typer.Option("--model", "-m", help="The model key to tune.", show_default=False)
    ],
    profile: Profile = None,
    data: DataPath = None,
    objective: Annotated[
        str | None, typer.Option("--objective", help="roc_auc (default) or cost.")
    ] = None,
    trials: Annotated[
        int | None,
        typer.Option(
            "--trials",
            help="The study's total trials, whichever workers run them (40).",
            parser=whole_number,
            metavar="<int>",
        ),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds after which no trial starts.")
    ] = None,
    study: Annotated[
        str | None, typer.Option("--study", help="Study name (default: <model>-<objective>).")
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option("--storage", help="Journal file or database URL (setting tune.storage)."),
    ] = None,
    folds: Annotated[
        int | None,
        typer.Option(
            "--folds", help="CV folds per trial (5).", parser=whole_number, metavar="<int>"
        ),
    ] = None,
    seed: Annotated[int | None, seed_option("Random seed (42).")] = None,
    train_best: Annotated[
        bool, typer.Option("--train", help="Then train, log and register the best parameters.")
    ] = False,
    mlflow_disable: Annotated[
        bool, typer.Option("--mlflow-disable", help="Tune without tracking.")
    ] = False,
    mlflow_uri: MlflowUri = None,
    mlflow_experiment: MlflowExperiment = None,
    quiet: Quiet = False,
    json_out: Json = False,
) -> None:
    """Search a model's hyperparameters with Optuna.

    Several `credit tune` processes with the same --study share one study (a journal file
    locally, PostgreSQL with --profile remote) and stop together at --trials. Ctrl-C stops
    after the running trial and keeps everything.
    """
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console as render
    from credit_mlops.cli.render import tune as tune_render
    from credit_mlops.tune.tune import Callbacks
    from credit_mlops.tune.tune import tune as run_tune

    settings = settings_from(
        profile,
        seed=seed,
        objective=objective,
        trials=trials,
        timeout=timeout,
        study=study,
        storage=storage,
        folds=folds,
        data=data,
        mlflow_disable=mlflow_disable,
        mlflow_uri=mlflow_uri,
        mlflow_experiment=mlflow_experiment,
    )
    stop = _StopOnInterrupt()
    with stop, tune_render.progress(enabled=not (quiet or json_out)) as shown:
        on_start, on_trial, on_wait = shown
        report = run_tune(
            settings,
            model.strip().lower(),
            train_after=train_best,
            callbacks=Callbacks(
                on_start=on_start, on_trial=on_trial, should_stop=stop.requested, on_wait=on_wait
            ),
        )
    if json_out:
        render.emit_json(report)
    else:
        tune_render.report(report, quiet=quiet)
    if report.worker.stopped_by == "interrupt":
        raise typer.Exit(130)


class _StopOnInterrupt:
    """The first Ctrl-C asks the worker to stop after the running trial; a second one
    interrupts at once (the running trial is then marked failed)."""

    def __init__(self) -> None:
        self._count = 0
        self._previous: Any = None

    def requested(self) -> bool:
        return self._count > 0

    def _handle(self, signum: int, frame: Any) -> None:
        self._count += 1
        if self._count > 1:
            raise KeyboardInterrupt
        from credit_mlops.cli.render import console as render

        render.note("stopping after the running trial (Ctrl-C again to stop at once)")

    def __enter__(self) -> _StopOnInterrupt:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self._previous)
