"""Requests refused before any work because they would not finish in reasonable time."""

from __future__ import annotations

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError
from credit_mlops.modeling.catalog import ENSEMBLE_KEY, RAW_KEYS


def oversampled_keys(settings: Settings, keys: list[str]) -> list[str]:
    """The models this run would oversample (none with --no-smote; never the scorecard;
    the ensemble only when [ensemble] smote asks for it)."""
    if not settings.train.smote:
        return []
    return [k for k in keys if k not in RAW_KEYS and (k != ENSEMBLE_KEY or settings.ensemble.smote)]


def check_oversampling(settings: Settings, keys: list[str], train_rows: int) -> None:
    """Refuse oversampling above `train.smote_max_rows` training rows, with the estimate."""
    from credit_mlops.modeling.oversampling_cost import cv_seconds

    cfg = settings.train
    limit = cfg.smote_max_rows
    if not limit or train_rows <= limit or not oversampled_keys(settings, keys):
        return
    seconds = cv_seconds(
        train_rows, folds=cfg.cv_folds, repeats=cfg.cv_repeats, evaluate=cfg.evaluate
    )
    raise InputError(
        f"{cfg.smote_method} on {train_rows:,} training rows is over train.smote_max_rows = "
        f"{limit:,} (estimated {_duration(seconds)} of CPU per model for its nearest-neighbour "
        "search, which grows with the square of the rows); use --class-weight --no-smote, "
        "--no-smote, or a subsample of at most "
        f"{limit:,} training rows, or raise train.smote_max_rows (CREDIT_TRAIN__SMOTE_MAX_ROWS)"
    )


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under 1 s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
