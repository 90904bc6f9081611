"""`credit monitor`: is today's population still the one the model was trained on?

Flow: resolve the model; read and validate the new file (bad input stops here, nothing is
logged); get the training run's reference (the logged `monitoring/reference.json`, or
recomputed for older runs from their recorded training rows); score the new rows; PSI of
the score and every column; write the table and the picture; log a monitoring run and tag
the model version with the latest score PSI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.errors import DataError, InputError, some
from credit_mlops.escaping import to_json
from credit_mlops.files import write_text
from credit_mlops.lifecycle.evaluate import decision_threshold
from credit_mlops.lifecycle.resolve import ModelRef, get_run, resolve
from credit_mlops.monitor.reference import ARTIFACT, Reference
from credit_mlops.monitor.stability import MonitorResult
from credit_mlops.names import key_part, safe_component
from credit_mlops.tracking.records import EvaluationRun, RunRecord
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    import pandas as pd

    from credit_mlops.data.description import Description

RUN_TYPE = "monitoring"
VERSION_TAG = "monitor.psi_score"


@dataclass(frozen=True)
class MonitorReport:
    target: str
    model_uri: str
    name: str | None
    version: str | None
    source_run_id: str
    data_source: str
    reference_origin: str  # "logged at training" | "recomputed from the training rows"
    score_source: str
    result: MonitorResult
    figure: str
    output_dir: str
    monitoring_run_id: str | None
    when: str


def read_new_data(path: Path, description: Description | None = None) -> pd.DataFrame:
    """The monitored applicants (CSV, gzip CSV or Parquet), validated with the model's data
    description (None: the default data set); a target column may be there or not."""
    from credit_mlops.data.checks import CSV_LINES, PARQUET_ROWS, as_codes, validate_frame
    from credit_mlops.data.formats import file_format, read_frame
    from credit_mlops.data.schema import FEATURES
    from credit_mlops.data.tables import to_german

    _regular(path)
    frame = to_german(read_frame(path), description)
    where = PARQUET_ROWS if file_format(path) == "parquet" else CSV_LINES
    validate_frame(
        frame, source=str(path), description=description, features_only=True, where=where
    )
    if description is None:
        return as_codes(frame, list(FEATURES))
    from credit_mlops.data.dataset import typed_features

    return typed_features(frame, description)


def _regular(path: Path) -> None:
    """The monitored applicants: an existing regular file (a pipe, a device or a folder is
    said as what it is)."""
    from credit_mlops.data.formats import APPLICANTS_FIX
    from credit_mlops.files import input_file

    input_file(path, setting="--data", what="monitoring file", fix=f"; {APPLICANTS_FIX}")


def monitor(
    settings: Settings,
    store: TrackingStore,
    target: str,
    *,
    data_path: Path,
    output_dir: Path | None = None,
    log: bool = True,
) -> MonitorReport:
    from credit_mlops.files import check_writable
    from credit_mlops.monitor.stability import compare

    if output_dir is not None:
        check_writable(
            output_dir, "--output-dir"
        )  # bad input: refused before any work, nothing logged
    from credit_mlops.lifecycle.predict_checks import run_description

    _regular(data_path)  # refused before the store is asked anything
    ref = resolve(store, target)
    run = get_run(store, ref.run_id)
    described = run_description(store, run)
    frame = read_new_data(data_path, described)
    reference, origin = reference_of(settings, store, run, ref)
    _matches_description(reference, list(frame.columns), described, run.run_id)
    scores = store.load_model(ref.uri).predict_proba(frame)[:, 1]
    try:
        result = compare(reference, {c: frame[c].to_numpy() for c in frame.columns}, scores)
    except ValueError as exc:  # the file and the run's reference do not match
        raise DataError(
            f"{data_path} cannot be compared with run {run.run_id}'s reference: {exc}"
        ) from None
    stamp = datetime.now(UTC)
    label = f"{ref.name}-v{ref.version}" if ref.name else ref.run_id[:12]
    folder = output_dir or (
        settings.tracking.store_path(settings.root)
        / "monitoring"
        / safe_component(f"{label}-{stamp:%Y%m%d_%H%M%S}")
    )
    figure = _write(folder, ref, result, reference, str(data_path), origin)
    run_id = _log(store, run, ref, result, folder, str(data_path), stamp) if log else None
    return MonitorReport(
        target=target,
        model_uri=ref.uri,
        name=ref.name,
        version=ref.version,
        source_run_id=ref.run_id,
        data_source=str(data_path),
        reference_origin=origin,
        score_source=reference.score_source,
        result=result,
        figure=str(figure),
        output_dir=str(folder),
        monitoring_run_id=run_id,
        when=stamp.isoformat(timespec="seconds"),
    )


def _matches_description(
    reference: Reference, names: list[str], described: Description | None, run_id: str
) -> None:
    """The data passed the run's description: a reference whose columns, kinds or codes
    are not that description's is what is wrong (InputError naming it), never the data."""
    from credit_mlops.monitor.build import domains

    expected = domains(names, described)
    wrong = [
        c.name
        for c in reference.columns
        if c.name not in expected
        or (c.kind == "coded") != (expected[c.name] is not None)
        or (
            c.kind == "coded"
            and {str(v) for v in c.codes} != {str(v) for v in expected[c.name] or ()}
        )
    ]
    if wrong:
        raise InputError(
            f"{ARTIFACT} of run {run_id} describes column(s) {some(wrong)} otherwise than the "
            "run's data description (names, kinds or codes); it is not the file credit train "
            "wrote: delete that artifact to recompute it from the training rows"
        )


def reference_of(
    settings: Settings, store: TrackingStore, run: RunRecord, ref: ModelRef
) -> tuple[Reference, str]:
    """The run's logged reference, else one recomputed from its training rows."""
    if store.artifact_exists(run.run_id, ARTIFACT):
        from credit_mlops import readback

        what = f"{ARTIFACT} of run {run.run_id}"
        fix = "delete that artifact to recompute it from the training rows"
        path = store.download_artifact(run.run_id, ARTIFACT)
        data = readback.json_file(path, what=what, fix=fix)
        return readback.parsed(data, Reference.from_json, what=what, fix=fix), "logged at training"
    return _recompute(settings, store, run, ref), "recomputed from the training rows"


def _recompute(
    settings: Settings, store: TrackingStore, run: RunRecord, ref: ModelRef
) -> Reference:
    """Older runs: repeat the run's cross-validation on its training rows (same folds and
    seed) for the out-of-fold scores; the data file must be the one it trained on."""
    from credit_mlops.modeling.build import target_bad
    from credit_mlops.monitor.build import from_training, oof_scores

    try:
        X, y = _training_rows(settings, store, run)
    except DataError as exc:
        raise DataError(
            f"run {run.run_id} has no monitoring reference ({ARTIFACT}) and its training "
            f"data cannot be read to recompute it: {exc}"
        ) from None
    threshold, _ = decision_threshold(run)
    y_bad = target_bad(y)
    p = run.params
    oof = oof_scores(
        store.load_model(ref.uri),
        X,
        y_bad,
        folds=int(p.get("cv_folds", 5)),
        repeats=int(p.get("cv_repeats", 3)),
        seed=int(p.get("random_seed", 42)),
    )
    return from_training(
        X,
        oof,
        threshold,
        bins=settings.monitor.bins,
        score_source="out-of-fold predictions on the training part (recomputed)",
    )


def _training_rows(
    settings: Settings, store: TrackingStore, run: RunRecord
) -> tuple[pd.DataFrame, pd.Series]:
    """The training part: every row of the checked data file not in the run's holdout."""
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.lifecycle.evaluation_target import holdout

    X_hold, _, source = holdout(settings, store, run)
    dataset = load_dataset(Path(source), min_rows_per_class=settings.data.min_rows_per_class)
    keep = ~dataset.X.index.isin(X_hold.index)
    return dataset.X[keep].reset_index(drop=True), dataset.y[keep].reset_index(drop=True)


def _write(
    folder: Path,
    ref: ModelRef,
    result: MonitorResult,
    reference: Reference,
    source: str,
    origin: str,
) -> Path:
    from credit_mlops.monitor.plot import score_shift_png
    from credit_mlops.monitor.table import as_rows

    folder.mkdir(parents=True, exist_ok=True)
    figure = score_shift_png(result, folder / "score_shift.png", ref.label)
    summary = {
        "model": ref.label,
        "model_uri": ref.uri,
        "data": source,
        "rows": result.rows,
        "reference": {"origin": origin, "rows": reference.rows, "score": reference.score_source},
        "threshold": result.threshold,
        "reject_rate_reference": result.reject_rate_reference,
        "reject_rate_current": result.reject_rate_current,
        "worst": result.worst,
        "stability": as_rows(result),
    }
    write_text(folder / "monitoring.json", to_json(summary))
    return figure


def _log(
    store: TrackingStore,
    run: RunRecord,
    ref: ModelRef,
    result: MonitorResult,
    folder: Path,
    source: str,
    stamp: datetime,
) -> str:
    tags = {
        "run_type": RUN_TYPE,
        "credit.kind": RUN_TYPE,
        "credit.source_run_id": ref.run_id,
        "credit.data": source,
        "credit.model_key": run.tags.get("model_name", ""),
        "script": "credit monitor",
        "psi_band": result.worst,
    }
    if ref.name and ref.version:
        # not `model_name`: comparisons pick training runs by that tag
        tags.update({"monitored_model": ref.name, "monitored_version": ref.version})
    metrics = {f"psi_{key_part(row.name)}": row.psi for row in result.table}
    metrics.update(
        {
            "rows": float(result.rows),
            "reject_rate_current": result.reject_rate_current,
            "reject_rate_reference": result.reject_rate_reference,
        }
    )
    name = f"monitor_{ref.name}_v{ref.version}" if ref.name else f"monitor_{ref.run_id[:8]}"
    rid = store.log_evaluation_run(
        EvaluationRun(
            experiment_id=run.experiment_id,
            run_name=f"{name}_{stamp:%Y%m%d_%H%M%S}",
            tags=tags,
            metrics=metrics,
            folder=str(folder),
            artifact_path="monitoring",
        )
    )
    if ref.name and ref.version:
        store.set_version_tag(ref.name, ref.version, VERSION_TAG, f"{result.score.psi:.6g}")
        store.set_version_tag(ref.name, ref.version, "monitor.band", result.worst)
        store.set_version_tag(ref.name, ref.version, "monitor.run_id", rid)
        store.set_version_tag(
            ref.name, ref.version, "monitor.when", stamp.isoformat(timespec="seconds")
        )
    return rid
