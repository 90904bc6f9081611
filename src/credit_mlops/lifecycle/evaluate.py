"""register / promote / evaluate / predict: the model lifecycle as functions returning results."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credit_mlops.config.settings import Settings
from credit_mlops.errors import DataError, InputError
from credit_mlops.train.workflow import open_tracker

RowsProgress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass(frozen=True)
class Registered:
    name: str
    version: str
    run_id: str
    source: str


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


@dataclass(frozen=True)
class PredictReport:
    target: str
    model_uri: str
    input: str
    output: str
    rows: int
    rejected: int
    threshold: float
    seconds: float  # the whole call, model loading included
    scoring_seconds: float  # reading, validating, scoring and writing the rows


def _registry(settings: Settings) -> Any:
    from credit_mlops.lifecycle.registry import Registry

    return Registry(open_tracker(settings, existing=True))


def register(settings: Settings, run_id: str, name: str | None) -> Registered:
    mv = _registry(settings).register(run_id, name)
    return Registered(name=mv.name, version=str(mv.version), run_id=run_id, source=mv.source)


def promote(
    settings: Settings,
    name: str,
    version: str,
    stage: str,
    *,
    force: bool = False,
    keep_existing: bool = False,
) -> Any:
    from credit_mlops.lifecycle.registry import canonical_stage

    canonical_stage(stage)  # a bad stage is refused before the store is opened
    return _registry(settings).promote(
        name,
        version,
        stage,
        metric=settings.tracking.primary_metric,
        force=force,
        keep_existing=keep_existing,
    )


def history(settings: Settings, name: str) -> list[Any]:
    return _registry(settings).history(name)


def _load_model(registry: Any, uri: str) -> Any:
    with registry.tracker.guard():
        import mlflow.sklearn

        return mlflow.sklearn.load_model(uri)


def _threshold(run: Any) -> tuple[float, str]:
    value = run.data.metrics.get("decision_threshold")
    if value is None:
        return 0.5, "not recorded by the training run; 0.5"
    return float(value), run.data.params.get("threshold_source", "training run")


def _holdout(settings: Settings, registry: Any, run: Any) -> tuple[Any, Any, str]:
    """The rows the training run kept out, from the same data (checked by digest)."""
    from credit_mlops.data import schema as data_mod

    with registry.tracker.guard():
        path = registry.client.download_artifacts(run.info.run_id, "results/holdout.json")
    holdout = json.loads(Path(path).read_text())
    candidates: list[Path] = []
    if settings.data.path:
        candidates.append(settings.path(settings.data.path))
    candidates.append(settings.path(settings.data.dir) / data_mod.DATA_FILE)
    source = run.data.params.get("data_source")
    if source:
        candidates.append(Path(source))
    for candidate in candidates:
        if candidate.is_file():
            dataset = data_mod.load_dataset(
                candidate, min_rows_per_class=settings.data.min_rows_per_class
            )
            if dataset.digest != holdout["data_digest"]:
                raise DataError(
                    f"{candidate} is not the data run {run.info.run_id} trained on (digest "
                    f"{dataset.digest}, run has {holdout['data_digest']}); point "
                    "--training-data at that file, or score another file with --data"
                )
            rows = list(holdout["test_rows"])
            return dataset.X.iloc[rows], dataset.y.iloc[rows], str(candidate)
    raise DataError(
        f"the data file run {run.info.run_id} trained on is not here; {data_mod.HOW_TO_GET_DATA}"
    )


def evaluate(
    settings: Settings,
    target: str,
    *,
    data_path: Path | None = None,
    output_dir: Path | None = None,
    log: bool = True,
) -> EvaluationReport:
    import numpy as np
    import pandas as pd

    from credit_mlops.data import schema as data_mod
    from credit_mlops.modeling.cv import target_bad
    from credit_mlops.modeling.metrics import brier, expected_cost, score
    from credit_mlops.modeling.plots import save_figures

    registry = _registry(settings)
    ref = registry.resolve(target)
    run = registry.run(ref.run_id)
    if data_path is not None:
        dataset = data_mod.load_dataset(data_path, min_rows_per_class=1)
        X, y, source, scope = dataset.X, dataset.y, str(data_path), "file"
    else:
        X, y, source = _holdout(settings, registry, run)
        scope = "holdout"
    model = _load_model(registry, ref.uri)
    proba = model.predict_proba(X)[:, 1]
    y_bad = target_bad(y)
    threshold, threshold_source = _threshold(run)
    metrics = score(y_bad, proba)
    metrics["brier"] = brier(y_bad, proba)
    metrics["expected_cost_at_0_5"] = expected_cost(y_bad, proba, 0.5)
    metrics["expected_cost_at_threshold"] = expected_cost(y_bad, proba, threshold)
    metrics["threshold"] = threshold

    stamp = datetime.now(UTC)
    label = f"{ref.name}-v{ref.version}" if ref.name else ref.run_id[:12]
    folder = output_dir or (
        settings.tracking.store_path(settings.root)
        / "evaluations"
        / f"{label}-{scope}-{stamp:%Y%m%d_%H%M%S}"
    )
    figures = save_figures(y_bad, proba, threshold, folder, ref.label)
    predictions = pd.DataFrame(
        {
            "row": X.index.to_numpy(),
            "p_bad": proba,
            "decision": np.where(proba >= threshold, "reject", "accept"),
            "bad": y_bad,
        }
    )
    predictions.to_csv(folder / "predictions.csv", index=False)
    report_data = {
        "target": target,
        "model_uri": ref.uri,
        "scope": scope,
        "data": source,
        "rows": len(X),
        "threshold": threshold,
        "threshold_source": threshold_source,
        "metrics": metrics,
    }
    (folder / "evaluation.json").write_text(json.dumps(report_data, indent=2))

    eval_run_id = None
    if log:
        eval_run_id = _log_evaluation(registry, run, ref, metrics, folder, scope, source)
    return EvaluationReport(
        target=target,
        model_uri=ref.uri,
        name=ref.name,
        version=ref.version,
        source_run_id=ref.run_id,
        scope=scope,
        data_source=source,
        n_rows=len(X),
        threshold=threshold,
        threshold_source=threshold_source,
        metrics=metrics,
        figures={k: str(v) for k, v in figures.items()},
        output_dir=str(folder),
        evaluation_run_id=eval_run_id,
    )


def _log_evaluation(
    registry: Any,
    run: Any,
    ref: Any,
    metrics: dict[str, float],
    folder: Path,
    scope: str,
    source: str,
) -> str:
    from mlflow.entities import Metric

    client = registry.client
    tags = {
        "credit.kind": "evaluation",
        "credit.source_run_id": ref.run_id,
        "credit.scope": scope,
        "credit.data": source,
        # not `model_name`: comparisons pick training runs by that tag
        "credit.model_key": run.data.tags.get("model_name", ""),
        "script": "credit evaluate",
    }
    if ref.name:
        tags.update({"credit.evaluated_model": ref.name, "credit.evaluated_version": ref.version})
    name = f"evaluate_{ref.name}_v{ref.version}" if ref.name else f"evaluate_{ref.run_id[:8]}"
    with registry.tracker.guard():
        created = client.create_run(run.info.experiment_id, run_name=name, tags=tags)
        rid = created.info.run_id
        now = int(time.time() * 1000)
        client.log_batch(
            rid, metrics=[Metric(f"{scope}_{k}", v, now, 0) for k, v in metrics.items()]
        )
        client.log_artifacts(rid, str(folder), "evaluation")
        client.set_terminated(rid, "FINISHED")
        if ref.name:
            for key, value in metrics.items():
                client.set_model_version_tag(
                    ref.name, ref.version, f"eval.{scope}.{key}", f"{value:.6g}"
                )
            client.set_model_version_tag(ref.name, ref.version, "eval.run_id", rid)
    return rid


def predict(
    settings: Settings,
    target: str,
    input_path: Path,
    output_path: Path,
    *,
    id_column: str = "id",
    chunk_rows: int = 50_000,
    progress: RowsProgress | None = None,
) -> PredictReport:
    import numpy as np
    import pandas as pd

    from credit_mlops.data import schema as data_mod

    start = time.perf_counter()
    if not input_path.is_file():
        raise DataError(f"input file {input_path} does not exist")
    if output_path.resolve() == input_path.resolve():
        raise InputError("--output must differ from --input (it would overwrite the input)")
    registry = _registry(settings)
    ref = registry.resolve(target)
    threshold, _ = _threshold(registry.run(ref.run_id))
    model = _load_model(registry, ref.uri)

    header = data_mod.read_header(input_path)
    sep = "," if "," in header else r"\s+"
    with input_path.open("rb") as fh:
        total = max(sum(1 for _ in fh) - 1, 0)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    scoring_start = time.perf_counter()
    rows = rejected = 0
    tmp = output_path.with_name(output_path.name + ".partial")
    reader = pd.read_csv(
        input_path, sep=sep, chunksize=chunk_rows, engine="c" if sep == "," else "python"
    )
    try:
        with tmp.open("w", newline="") as out:
            for i, chunk in enumerate(reader):
                chunk = data_mod.to_german(chunk)
                ids = chunk.pop(id_column) if id_column in chunk.columns else None
                # The target column may be there or not; it is not needed to score.
                data_mod.validate(chunk, source=str(input_path), features_only=True)
                proba = model.predict_proba(chunk[list(data_mod.FEATURES)])[:, 1]
                frame = pd.DataFrame(
                    {"p_bad": proba, "decision": np.where(proba >= threshold, "reject", "accept")}
                )
                if ids is not None:
                    frame.insert(0, id_column, ids.to_numpy())
                frame.to_csv(out, index=False, header=(i == 0), float_format="%.17g")
                rows += len(frame)
                rejected += int((proba >= threshold).sum())
                if progress:
                    progress(rows, total)
        if rows == 0:
            raise DataError(f"{input_path}: no data rows to score")
        tmp.replace(output_path)  # the output appears whole or not at all
    finally:
        tmp.unlink(missing_ok=True)
    return PredictReport(
        target=target,
        model_uri=ref.uri,
        input=str(input_path),
        output=str(output_path),
        rows=rows,
        rejected=rejected,
        threshold=threshold,
        seconds=time.perf_counter() - start,
        scoring_seconds=time.perf_counter() - scoring_start,
    )
