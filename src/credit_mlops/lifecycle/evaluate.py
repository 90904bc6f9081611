"""`credit evaluate`: score a model on its holdout (or a file), with costs and plots, and
log the result as an evaluation run linked to the model version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.config.settings import Settings
from credit_mlops.errors import DataError, InputError
from credit_mlops.lifecycle.evaluation_run import evaluation_run_identity
from credit_mlops.lifecycle.predict_checks import live_run
from credit_mlops.lifecycle.resolve import ModelRef, get_run, resolve
from credit_mlops.tracking.records import EvaluationRun, RunRecord
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class EvaluationReport:
    target: str
    model_uri: str
    name: str | None
    version: str | None
    source_run_id: str
    scope: str  # "holdout" or "file"
    data_source: str
    n_rows: int
    threshold: float
    threshold_source: str
    metrics: dict[str, float]
    figures: dict[str, str]
    output_dir: str
    evaluation_run_id: str | None = None
    costs: tuple[float, float] = (5.0, 1.0)  # accept_bad, reject_good


@dataclass(frozen=True)
class _Scored:
    X: pd.DataFrame
    y_bad: np.ndarray
    proba: np.ndarray
    source: str
    scope: str


def costs_of(run: RunRecord) -> tuple[float, float]:
    """(accept_bad, reject_good): the cost matrix the training run chose its threshold for
    (runs from before the `cost` settings used the Statlog matrix, 5 and 1)."""
    p = run.params
    return float(p.get("cost__accept_bad", 5.0)), float(p.get("cost__reject_good", 1.0))


def threshold_of(run: RunRecord, model: object = None) -> tuple[float, str]:
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


def holdout(
    settings: Settings, store: TrackingStore, run: RunRecord
) -> tuple[pd.DataFrame, pd.Series, str]:
    """The rows the training run kept out, from the same data (checked by digest)."""
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.data.files import HOW_TO_GET_DATA
    from credit_mlops.data.locate import configured_files

    kept = json.loads(store.download_artifact(run.run_id, "results/holdout.json").read_text())
    if not kept["test_rows"]:
        raise InputError(
            f"run {run.run_id} kept no holdout (trained with --test-size 0); "
            "score a file with --data FILE"
        )
    candidates = configured_files(settings)
    source = run.params.get("data_source")
    if source:
        candidates.append(Path(source))
    for candidate in candidates:
        if candidate.is_file():
            dataset = load_dataset(candidate, min_rows_per_class=settings.data.min_rows_per_class)
            if dataset.digest != kept["data_digest"]:
                raise DataError(
                    f"{candidate} is not the data run {run.run_id} trained on (digest "
                    f"{dataset.digest}, run has {kept['data_digest']}); point "
                    "--training-data at that file, or score another file with --data"
                )
            rows = list(kept["test_rows"])
            return dataset.X.iloc[rows], dataset.y.iloc[rows], str(candidate)
    raise DataError(f"the data file run {run.run_id} trained on is not here; {HOW_TO_GET_DATA}")


def evaluate(
    settings: Settings,
    store: TrackingStore,
    target: str,
    *,
    data_path: Path | None = None,
    output_dir: Path | None = None,
    log: bool = True,
) -> EvaluationReport:
    ref = resolve(store, target)
    run = live_run(get_run(store, ref.run_id), ref)
    scored, model = _score(settings, store, ref, run, data_path)
    threshold, threshold_source = threshold_of(run, model)
    metrics = _metrics(scored, threshold, costs_of(run))
    stamp = datetime.now(UTC)
    label = f"{ref.name}-v{ref.version}" if ref.name else ref.run_id[:12]
    folder = output_dir or (
        settings.tracking.store_path(settings.root)
        / "evaluations"
        / f"{label}-{scored.scope}-{stamp:%Y%m%d_%H%M%S}"
    )
    figures = _write(folder, target, ref, scored, threshold, threshold_source, metrics)
    eval_run_id = _log(store, run, ref, metrics, folder, scored) if log else None
    return EvaluationReport(
        target=target,
        model_uri=ref.uri,
        name=ref.name,
        version=ref.version,
        source_run_id=ref.run_id,
        scope=scored.scope,
        data_source=scored.source,
        n_rows=len(scored.X),
        threshold=threshold,
        threshold_source=threshold_source,
        metrics=metrics,
        figures={k: str(v) for k, v in figures.items()},
        output_dir=str(folder),
        evaluation_run_id=eval_run_id,
        costs=costs_of(run),
    )


def _score(
    settings: Settings,
    store: TrackingStore,
    ref: ModelRef,
    run: RunRecord,
    data_path: Path | None,
) -> tuple[_Scored, Any]:
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.modeling.pipeline import target_bad

    if data_path is not None:
        dataset = load_dataset(data_path, min_rows_per_class=1)
        X, y, source, scope = dataset.X, dataset.y, str(data_path), "file"
    else:
        X, y, source = holdout(settings, store, run)
        scope = "holdout"
    model = store.load_model(ref.uri)  # after the rows: a run without a holdout loads nothing
    proba = model.predict_proba(X)[:, 1]
    return _Scored(X=X, y_bad=target_bad(y), proba=proba, source=source, scope=scope), model


def _metrics(scored: _Scored, threshold: float, costs: tuple[float, float]) -> dict[str, float]:
    from credit_mlops.modeling.cost_matrix import CostMatrix
    from credit_mlops.modeling.metrics import brier, score

    y_bad, proba = scored.y_bad, scored.proba
    matrix = CostMatrix(*costs)
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
            "row": scored.X.index.to_numpy(),
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
        "scope": scored.scope,
        "data": scored.source,
        "rows": len(scored.X),
        "threshold": threshold,
        "threshold_source": threshold_source,
        "metrics": metrics,
    }
    write_text(folder / "evaluation.json", json.dumps(report, indent=2))
    return figures


def _log(
    store: TrackingStore,
    run: RunRecord,
    ref: ModelRef,
    metrics: dict[str, float],
    folder: Path,
    scored: _Scored,
) -> str:
    scope = scored.scope
    name, tags = evaluation_run_identity("evaluate", ref, run, scope=scope, source=scored.source)
    rid = store.log_evaluation_run(
        EvaluationRun(
            experiment_id=run.experiment_id,
            run_name=name,
            tags=tags,
            metrics={f"{scope}_{k}": v for k, v in metrics.items()},
            folder=str(folder),
        )
    )
    if ref.name and ref.version:
        for key, value in metrics.items():
            store.set_version_tag(ref.name, ref.version, f"eval.{scope}.{key}", f"{value:.6g}")
        store.set_version_tag(ref.name, ref.version, "eval.run_id", rid)
    return rid
