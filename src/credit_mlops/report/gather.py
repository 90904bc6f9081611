"""Reading what a model card says from the tracking store: the version, its training run,
its evaluation, and what other commands recorded about it. Nothing here renders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from credit_mlops.config.settings import Settings
from credit_mlops.errors import CreditError, DataError
from credit_mlops.modeling.cost_matrix import CostMatrix
from credit_mlops.modeling.metric_names import METRICS
from credit_mlops.report import facts as f
from credit_mlops.report.card import Figure
from credit_mlops.tracking.records import RunRecord, VersionRecord
from credit_mlops.tracking.store import TrackingStore

# Where a training run may record its calibration (the quality work names it `calibrate`).
CALIBRATION_PARAMS = ("calibration", "calibrate", "quality__calibrate")
FIGURES = ("roc_curve", "precision_recall_curve", "calibration_curve", "confusion_matrix")
CAPTIONS = {
    "roc_curve": "ROC curve on the holdout",
    "precision_recall_curve": "Precision-recall curve on the holdout",
    "calibration_curve": "Calibration on the holdout",
    "confusion_matrix": "Confusion matrix on the holdout at the decision threshold",
}


def utc(ms: int | None) -> str:
    if not ms:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def identity_of(mv: VersionRecord, run: RunRecord, aliases: list[str]) -> f.Identity:
    return f.Identity(
        name=mv.name,
        version=mv.version,
        stage=mv.current_stage,
        aliases=tuple(sorted(aliases)),
        run_id=run.run_id,
        run_name=run.run_name,
        git_commit=run.tags.get("git_commit", ""),
        data_digest=run.params.get("data_digest", ""),
        created=utc(mv.creation_timestamp or run.start_time),
        created_by=run.tags.get("mlflow.user", ""),
        model_version_tag=run.params.get("version", ""),
    )


def data(run: RunRecord, bad_share: float | None) -> f.DataFacts:
    p = run.params
    return f.DataFacts(
        source=p.get("data_source", "-"),
        rows=int(p.get("data_rows", 0)),
        columns=int(p.get("data_columns", 0)),
        train_rows=int(p.get("train_rows", 0)),
        holdout_rows=int(p.get("holdout_rows", 0)),
        bad_share=bad_share,
    )


def training(run: RunRecord) -> f.TrainingFacts:
    p = run.params
    if p.get("smote__used", "False") == "True":
        extra = ", ".join(
            f"{k.removeprefix('smote__')} {v}"
            for k, v in sorted(p.items())
            if k.startswith("smote__") and k not in ("smote__used", "smote__method")
        )
        oversampling = f"{p.get('smote__method', 'SMOTE')} ({extra}), inside every fold"
    else:
        oversampling = "none"
    if p.get("evaluated", "True") == "True":
        cv = (
            f"repeated stratified {p.get('cv_folds', '?')}-fold × {p.get('cv_repeats', '?')}, "
            "preprocessing and oversampling fitted inside each fold"
        )
    else:
        cv = "none (trained with --no-evaluate)"
    return f.TrainingFacts(
        model=run.tags.get("model_display_name", run.params.get("model_key", "?")),
        key=run.params.get("model_key", "?"),
        hyperparameters=tuple(
            (k.removeprefix("model__"), v) for k, v in sorted(p.items()) if k.startswith("model__")
        ),
        oversampling=oversampling,
        calibration=next(
            (p[k] for k in CALIBRATION_PARAMS if p.get(k) not in (None, "", "none")),
            "none: the model's own probabilities",
        ),
        cv_protocol=cv,
        seed=p.get("random_seed", "-"),
    )


def performance(
    run: RunRecord, holdout: Mapping[str, float], note: str, figures: Mapping[str, Path]
) -> f.PerformanceFacts:
    m = run.metrics
    cv = tuple(
        (name, m[f"{name}_test_mean"], m.get(f"{name}_test_std", 0.0))
        for name in METRICS
        if f"{name}_test_mean" in m
    )
    cv_train = tuple(
        (name, m[f"{name}_train_mean"]) for name in METRICS if f"{name}_train_mean" in m
    )
    matrix = CostMatrix.of_run(run.params)  # the matrix the run chose its threshold for
    cost = f.CostFacts(
        false_accept=matrix.accept_bad,
        false_reject=matrix.reject_good,
        threshold=float(m.get("decision_threshold", 0.5)),
        threshold_source=run.params.get("threshold_source", "not recorded: 0.5"),
        expected_cost=m.get("expected_cost_cv"),
        expected_cost_at_half=m.get("expected_cost_cv_at_0_5"),
    )
    pictures = tuple(
        Figure(name, CAPTIONS[name], figures[name].read_bytes())
        for name in FIGURES
        if name in figures
    )
    return f.PerformanceFacts(
        cv=cv,
        cv_train=cv_train,
        holdout=tuple(holdout.items()),
        holdout_note=note,
        cost=cost,
        figures=pictures,
    )


def holdout_evaluation(
    settings: Settings, store: TrackingStore, target: str, folder: Path, mv: VersionRecord
) -> tuple[dict[str, float], str, dict[str, Path], float | None]:
    """Score the holdout now (not logged) for its figures; else the last logged evaluation.
    Also the share of bad credits in the data file when it was read."""
    from credit_mlops.lifecycle.evaluate import evaluate

    try:
        report = evaluate(settings, store, target, output_dir=folder, log=False)
    except DataError as exc:
        logged = {
            k.removeprefix("eval.holdout."): float(v)
            for k, v in mv.tags.items()
            if k.startswith("eval.holdout.")
        }
        why = f"the holdout could not be scored now ({exc})"
        if logged:
            return logged, f"Holdout figures as logged by `credit evaluate`; {why}.", {}, None
        return {}, f"No holdout evaluation: {why}.", {}, None
    note = (
        f"Holdout: {report.n_rows} rows the training run kept out (never seen by CV or the "
        f"final fit), scored from {report.data_source}; the threshold was chosen on "
        f"{report.threshold_source}."
    )
    return (
        dict(report.metrics),
        note,
        {k: Path(v) for k, v in report.figures.items()},
        _bad_share(report.data_source),
    )


def _bad_share(source: str) -> float | None:
    from credit_mlops.data.dataset import load_dataset

    try:
        y = load_dataset(Path(source), min_rows_per_class=1).y
    except CreditError:
        return None
    return float((y == 0).mean())
