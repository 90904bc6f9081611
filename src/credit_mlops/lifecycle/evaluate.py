"""`credit evaluate`: score a model on its holdout (or a file), with costs and plots, and
log the result as an evaluation run linked to the model version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.config.settings import Settings
from credit_mlops.escaping import to_json
from credit_mlops.lifecycle.evaluation_run import log_evaluation
from credit_mlops.lifecycle.evaluation_target import (
    EvaluatedModel,
    EvaluationTarget,
    Rows,
    open_target,
    rows_of,
)
from credit_mlops.lifecycle.resolve import ModelRef
from credit_mlops.tracking.records import RunRecord
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    import numpy as np

    from credit_mlops.modeling.cost_matrix import CostMatrix


@dataclass(frozen=True)
class EvaluationReport(EvaluatedModel):
    n_rows: int
    threshold: float
    threshold_source: str
    metrics: dict[str, float]
    figures: dict[str, str]
    output_dir: str
    costs: tuple[float, float]  # accept_bad, reject_good: the run's CostMatrix
    evaluation_run_id: str | None = None


@dataclass(frozen=True)
class _Scored:
    rows: Rows
    y_bad: np.ndarray
    proba: np.ndarray


def costs_of(run: RunRecord) -> CostMatrix:
    """The cost matrix the training run chose its threshold for."""
    from credit_mlops.modeling.cost_matrix import CostMatrix as Matrix

    return Matrix.of_run(run.params)


def decision_threshold(run: RunRecord, model: object = None) -> tuple[float, str]:
    """The decision threshold the training run chose, and on what.

    A model that carries its decision (FixedThresholdClassifier) is asked first, so that
    `credit predict`, `credit evaluate` and a plain `model.predict()` decide alike.
    """
    from credit_mlops.modeling.decision import threshold_of as carried

    inside = carried(model) if model is not None else None
    if inside is not None:
        return inside, run.params.get("threshold_source", "the model's FixedThresholdClassifier")
    value = run.metrics.get("decision_threshold")
    if value is None:
        return 0.5, "not recorded by the training run; 0.5"
    return float(value), run.params.get("threshold_source", "training run")


def evaluate(
    settings: Settings,
    store: TrackingStore,
    target: str,
    *,
    data_path: Path | None = None,
    output_dir: Path | None = None,
    log: bool = True,
) -> EvaluationReport:
    opened = open_target(store, target, live=True)
    ref, run = opened.ref, opened.run
    scored, model = _score(settings, store, opened, data_path)
    threshold, threshold_source = decision_threshold(run, model)
    matrix = costs_of(run)
    metrics = _metrics(scored, threshold, matrix)
    folder = opened.folder(settings, "evaluations", scored.rows.scope, output_dir)
    figures = _write(folder, target, ref, scored, threshold, threshold_source, metrics)
    eval_run_id = _log(store, opened, metrics, folder, scored) if log else None
    return EvaluationReport(
        **vars(opened.evaluated(target, scored.rows)),
        n_rows=len(scored.rows.X),
        threshold=threshold,
        threshold_source=threshold_source,
        metrics=metrics,
        figures={k: str(v) for k, v in figures.items()},
        output_dir=str(folder),
        evaluation_run_id=eval_run_id,
        costs=(matrix.accept_bad, matrix.reject_good),
    )


def _score(
    settings: Settings, store: TrackingStore, opened: EvaluationTarget, data_path: Path | None
) -> tuple[_Scored, Any]:
    from credit_mlops.modeling.build import target_bad

    rows = rows_of(settings, store, opened.run, data_path)
    # after the rows: a run without a holdout loads nothing
    model = store.load_model(opened.ref.uri)
    proba = model.predict_proba(rows.X)[:, 1]
    return _Scored(rows=rows, y_bad=target_bad(rows.y), proba=proba), model


def _metrics(scored: _Scored, threshold: float, matrix: CostMatrix) -> dict[str, float]:
    from credit_mlops.modeling.metrics import brier, score

    y_bad, proba = scored.y_bad, scored.proba
    metrics = score(y_bad, proba)
    metrics["brier"] = brier(y_bad, proba)
    metrics["expected_cost_at_0_5"] = matrix.cost_at(y_bad, proba, 0.5)
    metrics["expected_cost_at_threshold"] = matrix.cost_at(y_bad, proba, threshold)
    metrics["threshold"] = threshold
    return metrics


def _write(
    folder: Path,
    target: str,
    ref: ModelRef,
    scored: _Scored,
    threshold: float,
    threshold_source: str,
    metrics: dict[str, float],
) -> dict[str, Path]:
    """The pictures, the predictions and evaluation.json in `folder`."""
    import numpy as np
    import pandas as pd

    from credit_mlops.modeling.plots import save_figures

    figures = save_figures(scored.y_bad, scored.proba, threshold, folder, ref.label)
    decision = np.where(scored.proba >= threshold, "reject", "accept")
    from credit_mlops.files import atomic_write, write_text

    predictions = pd.DataFrame(
        {
            "row": scored.rows.X.index.to_numpy(),
            "p_bad": scored.proba,
            "decision": decision,
            "bad": scored.y_bad,
        }
    )
    with atomic_write(folder / "predictions.csv", newline="") as fh:
        predictions.to_csv(fh, index=False)
    report = {
        "target": target,
        "model_uri": ref.uri,
        "scope": scored.rows.scope,
        "data": scored.rows.source,
        "rows": len(scored.rows.X),
        "threshold": threshold,
        "threshold_source": threshold_source,
        "metrics": metrics,
    }
    write_text(folder / "evaluation.json", to_json(report))
    return figures


def _log(
    store: TrackingStore,
    opened: EvaluationTarget,
    metrics: dict[str, float],
    folder: Path,
    scored: _Scored,
) -> str:
    scope = scored.rows.scope
    return log_evaluation(
        store,
        "evaluate",
        opened,
        scored.rows,
        metrics={f"{scope}_{k}": v for k, v in metrics.items()},
        folder=folder,
        version_tags={f"eval.{scope}.{key}": f"{value:.6g}" for key, value in metrics.items()},
        run_id_tag="eval.run_id",
    )
