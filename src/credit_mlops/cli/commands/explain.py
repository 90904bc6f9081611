"""`credit explain TARGET`."""

from __future__ import annotations

from credit_mlops.cli.options import (
    ExplainFile,
    FiguresCsvDir,
    Json,
    MlflowUri,
    Profile,
    Target,
    TrainingData,
    evaluation_store,
)


def explain(
    target: Target,
    data: ExplainFile = None,
    training_data: TrainingData = None,
    output_dir: FiguresCsvDir = None,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """What drives a model: mean |SHAP| per original column, with plots.

    On the holdout (or --data), logged as an evaluation run linked to the model version.
    """
    from credit_mlops.cli.render import console
    from credit_mlops.cli.render import explain as render
    from credit_mlops.lifecycle.explain import explain_model

    settings, store = evaluation_store(profile, mlflow_uri, training_data)
    report = explain_model(settings, store, target, data_path=data, output_dir=output_dir)
    if json_out:
        console.emit_json(report)
    else:
        render.explanation(report)
