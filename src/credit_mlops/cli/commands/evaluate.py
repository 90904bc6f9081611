"""`credit evaluate TARGET`."""

from __future__ import annotations

from pathlib import Path

from credit_mlops.cli.options import (
    FiguresCsvDir,
    Json,
    MlflowUri,
    Profile,
    ScoreFile,
    Target,
    TrainingData,
    evaluation_store,
)


def evaluate(
    target: Target,
    data: ScoreFile = None,
    training_data: TrainingData = None,
    output_dir: FiguresCsvDir = None,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Score a model on its holdout or a file, with costs and plots.

    The figures are logged as an evaluation run linked to the model version.
    """
    from credit_mlops.cli.render import console, lifecycle
    from credit_mlops.lifecycle.evaluate import evaluate as run_evaluate

    settings, store = evaluation_store(
        profile, mlflow_uri, training_data, check=lambda _: _writable(output_dir)
    )
    report = run_evaluate(settings, store, target, data_path=data, output_dir=output_dir)
    if json_out:
        console.emit_json(report)
    else:
        lifecycle.evaluation(report)


def _writable(output_dir: Path | None) -> None:
    """A new folder is made inside an existing, writable one."""
    if output_dir is not None:
        from credit_mlops.files import writable_dir

        writable_dir(
            output_dir if output_dir.exists() else output_dir.parent, setting="--output-dir"
        )
