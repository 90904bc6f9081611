"""What one training run logs: params, metrics, tags, artifacts (the `RunSpec`)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.config.settings import Settings
from credit_mlops.data.description import ARTIFACT as DESCRIPTION_ARTIFACT
from credit_mlops.explain.background import ARTIFACT
from credit_mlops.modeling.catalog import DISPLAY_NAMES, KINDS, RAW_KEYS, pip_packages
from credit_mlops.modeling.forest_scale import FOREST_KEY, scaled_params
from credit_mlops.processes.identity import this_process
from credit_mlops.tracking.orphans import PROCESS_TAG
from credit_mlops.tracking.records import RunSpec
from credit_mlops.train.limits import oversamples

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from credit_mlops.data.dataset import Dataset
    from credit_mlops.data.split import Holdout
    from credit_mlops.modeling.build import PipelineConfig, QualityConfig, ResamplingConfig
    from credit_mlops.modeling.cv import CVResult

OOF_SOURCE = "out-of-fold predictions on the training part"
INNER_CV_SOURCE = "inner cross-validation on the training part (trained with --no-evaluate)"
BAYES_SOURCE = "the cost matrix (Bayes rule: reject when P(bad) >= reject_good / total cost)"


@dataclass(frozen=True)
class TrainingPart:
    """The data one run was trained on and where it came from."""

    dataset: Dataset
    holdout: Holdout
    X: pd.DataFrame
    y: np.ndarray
    preprocessor: Path | None = None


def resampling(settings: Settings) -> ResamplingConfig | None:
    """The oversampling the settings ask for (None with --no-smote)."""
    from credit_mlops.modeling.build import ResamplingConfig

    cfg = settings.train
    if not cfg.smote:
        return None
    return ResamplingConfig(cfg.smote_method, cfg.smote_k_neighbors, cfg.smote_m_neighbors)


def quality(settings: Settings) -> QualityConfig:
    """Calibration, cost matrix, threshold rule and ensemble, from the settings."""
    from credit_mlops.modeling.build import EnsembleSpec, QualityConfig

    e = settings.ensemble
    return QualityConfig(
        calibrate=settings.train.calibrate,
        cost=settings.cost.matrix(),
        threshold_rule=settings.cost.threshold,
        ensemble=EnsembleSpec(
            members=tuple(e.members),
            weights=tuple(e.weights) if e.weights else None,
            smote=e.smote,
            params={k: dict(v) for k, v in e.params.items()},
        ),
    )


def check_ensemble(keys: list[str], pconfig: PipelineConfig) -> None:
    """Build the ensemble once before anything is fitted: a wrong override is bad input."""
    from credit_mlops.errors import InputError
    from credit_mlops.modeling.build import build_pipeline
    from credit_mlops.modeling.catalog import ENSEMBLE_KEY
    from credit_mlops.modeling.ensemble import MemberError

    if ENSEMBLE_KEY not in keys:
        return
    try:
        build_pipeline(ENSEMBLE_KEY, pconfig)
    except MemberError as exc:
        raise InputError(f"{exc}; fix [ensemble] in the profile") from None


def run_name(given: str | None, key: str, n_models: int, stamp: datetime) -> str:
    if given:
        return given if n_models == 1 else f"{given}_{key}"
    return f"train_{key}_{stamp:%Y%m%d_%H%M%S}"


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def decision_metrics(cv: CVResult | None, model: Any, rule: str) -> tuple[dict[str, float], str]:
    """CV metrics plus the threshold inside the model, chosen on the training part only."""
    from credit_mlops.modeling.describe import describe

    threshold = describe(model).threshold
    metrics = {"decision_threshold": 0.5 if threshold is None else threshold}
    source = BAYES_SOURCE if rule == "bayes" else (OOF_SOURCE if cv else INNER_CV_SOURCE)
    if cv is None:
        return metrics, source
    return {
        **cv.metrics,
        **metrics,
        "expected_cost_cv": cv.oof_cost,
        "expected_cost_cv_at_0_5": cv.oof_cost_at_half,
    }, source


def params(
    settings: Settings, key: str, part: TrainingPart, threshold_source: str, pipeline: Any
) -> dict[str, Any]:
    cfg = settings.train
    dataset, holdout = part.dataset, part.holdout
    target = dataset.description.target
    smote = oversamples(settings, key)
    out: dict[str, Any] = {
        "version": settings.model_version,
        "model_key": key,
        "cv_folds": cfg.cv_folds,
        "cv_repeats": cfg.cv_repeats,
        "evaluated": cfg.evaluate,
        "random_seed": cfg.seed,
        "test_size": cfg.test_size,
        "smote__used": smote,
        "class_weight": cfg.class_weight and key not in RAW_KEYS,  # balanced at every fit
        "positive_class": f"bad ({dataset.target}={'/'.join(map(str, target.bad))})",
        "data_description": dataset.description.name,
        "data_description_digest": dataset.description.digest(),
        "data_rows": dataset.shape[0],
        "data_columns": dataset.shape[1],
        "train_rows": len(holdout.train_rows),
        "holdout_rows": len(holdout.test_rows),
        "data_digest": dataset.digest,
        "data_source": dataset.source,
        "preprocessor": str(part.preprocessor) if part.preprocessor else "builtin",
        "threshold_source": threshold_source,
        "calibration": cfg.calibrate,
        **settings.cost.params(),
    }
    if has_variants(key):  # which SVM this run is: the exact RBF one or --svm-approx's
        out["svm__variant"] = svm_variant(settings)
    if key == FOREST_KEY:  # whether the bounded sample and growing leaf applied (and above what)
        out["forest__scale_rows"] = cfg.forest_scale_rows
        out["forest__scaled"] = bool(scaled_params(len(holdout.train_rows), cfg.forest_scale_rows))
    if searches(key, settings):  # whether the kind's inner grid was chosen on the rows
        limit = cfg.inner_search_max_rows
        out["inner_search__used"] = cfg.inner_search and not (
            limit and len(holdout.train_rows) > limit
        )
    config = resampling(settings)
    if config is not None and smote:
        out.update({f"smote__{k}": v for k, v in config.params().items()})
    out.update({f"model__{name}": value for name, value in model_params(pipeline).items()})
    return out


def searches(key: str, settings: Settings) -> bool:
    """A kind (or an ensemble member) with values chosen on the training rows (inner_grid)."""
    keys = settings.ensemble.members if KINDS[key].inputs == "members" else [key]
    return any(KINDS[k].inner_grid for k in keys)


def has_variants(key: str) -> bool:
    """A kind with an approximate variant (`--svm-approx`) logs which one a run is."""
    return KINDS[key].approx_factory is not None


def svm_variant(settings: Settings) -> str:
    return "nystroem+linear_svm" if settings.train.svm_approx else "exact_rbf"


def model_params(model: Any) -> dict[str, Any]:
    """The hyperparameters of the model inside the wrappers; `<member>__<param>` for a vote."""
    from credit_mlops.modeling.describe import describe

    return describe(model).hyperparameters()


def tags(settings: Settings, key: str, stamp: datetime) -> dict[str, str]:
    t = settings.tracking
    return {
        "project": t.project,
        "team": t.team,
        "script": "credit train",
        "model_version": settings.model_version,
        "model_name": key,
        "model_display_name": DISPLAY_NAMES[key],
        "git_commit": git_commit(settings.root),
        "timestamp": stamp.isoformat(timespec="seconds"),
        "profile": settings.profile,
        PROCESS_TAG: this_process(),
        **({"svm_variant": svm_variant(settings)} if has_variants(key) else {}),
        **t.tags,
    }


def run_spec(
    settings: Settings,
    key: str,
    name: str,
    part: TrainingPart,
    cv: CVResult | None,
    pipeline: Any,
    stamp: datetime,
    reg_name: str | None = None,
) -> RunSpec:
    from credit_mlops.explain.background import to_json as background_json
    from credit_mlops.monitor.build import reference_artifact
    from credit_mlops.train import model_files

    kind = KINDS[key]
    metrics, threshold_source = decision_metrics(cv, pipeline, settings.cost.threshold)
    logged = params(settings, key, part, threshold_source, pipeline)
    dataset = part.dataset
    results = {
        "model_key": key,
        "model_display_name": DISPLAY_NAMES[key],
        "version": settings.model_version,
        "timestamp": stamp.isoformat(timespec="seconds"),
        "params": {k: str(v) for k, v in logged.items()},
        "cv_results": cv.metrics if cv else None,
        "decision_threshold": metrics["decision_threshold"],
        "cv_folds_scores": list(cv.folds) if cv else None,
        "data": {"source": dataset.source, "digest": dataset.digest, "shape": dataset.shape},
    }
    frame = part.X.assign(**{dataset.target: 1 - part.y})  # as loaded: 1 good, 0 bad
    register = settings.tracking.register_models and settings.tracking.enabled
    return RunSpec(
        run_name=name,
        params=logged,
        metrics=metrics,
        tags=tags(settings, key, stamp),
        pipeline=pipeline,
        input_example=part.X.head(5),
        dataset=frame,
        dataset_source=dataset.source,
        dataset_name=dataset.description.name,
        artifacts={
            "results/model_results.json": results,
            "results/holdout.json": part.holdout.to_json(dataset.digest),
            ARTIFACT: background_json(part.X, settings.train.seed),  # credit explain/predict
            DESCRIPTION_ARTIFACT: dataset.description.to_json(),  # travels with the model
            "monitoring/reference.json": reference_artifact(
                part.X,
                cv.oof if cv else None,
                pipeline,
                metrics["decision_threshold"],
                bins=settings.monitor.bins,
                description=dataset.description,
            ),
            **(scorecard_artifact(key, pipeline) if "scorecard_table" in kind.artifacts else {}),
            **model_files.artifacts(settings, key),  # read by the logged model itself
        },
        register_as=(reg_name or key) if register else None,
        version_tags={"model_version": settings.model_version, "model_key": key},
        booster=_booster(pipeline) if "booster" in kind.artifacts else None,
        pip_packages=pip_packages(key, settings.ensemble.members),
        histories=fold_histories(cv),
    )


def fold_histories(cv: CVResult | None) -> dict[str, list[float]]:
    """Each test metric's value per fold (roc_auc_test, ...), logged as its history with
    step = fold index, so runs on the same splits can be compared fold by fold."""
    if cv is None or not cv.folds:
        return {}
    names = [k for k in cv.folds[0] if k.endswith("_test")]
    return {name: [float(fold[name]) for fold in cv.folds] for name in names}


def scorecard_artifact(key: str, pipeline: object) -> dict[str, object]:
    """The points table with IVs of a scorecard model, as `results/scorecard.json`."""
    from credit_mlops.modeling.describe import describe
    from credit_mlops.modeling.scorecard_report import report_of

    card = describe(pipeline).scorecard
    if card is None:
        return {}
    return {"results/scorecard.json": report_of(card, model=key, uri="").to_json()}


def _booster(model: Any) -> Any:
    from credit_mlops.modeling.describe import describe

    return describe(model).booster()
