"""Requests refused before any work because they would not finish in reasonable time."""

from __future__ import annotations

from collections.abc import Mapping

from credit_mlops.config.settings import Settings
from credit_mlops.config.train import TrainSettings
from credit_mlops.errors import InputError
from credit_mlops.modeling.catalog import KINDS
from credit_mlops.modeling.forest_scale import FOREST_KEY, note
from credit_mlops.modeling.svm_scale import duration, refusal, skip_note

# The one kind with a row limit today (its refusal texts are the RBF SVM's own).
SVM_KEY = next(k for k, kind in KINDS.items() if kind.row_limit == "svm_max_rows")


def over(rows: int, limit: int) -> bool:
    """A row limit of 0 is no limit (train.smote_max_rows, train.svm_max_rows)."""
    return bool(limit) and rows > limit


def oversamples(settings: Settings, key: str) -> bool:
    """Whether this run oversamples `key` (not with --no-smote; never a kind that takes the raw
    columns, the scorecard; a vote only when [ensemble] smote asks for it)."""
    inputs = KINDS[key].inputs
    if not settings.train.smote or inputs == "raw":
        return False
    return inputs == "prepared" or settings.ensemble.smote


def oversampled_keys(settings: Settings, keys: list[str]) -> list[str]:
    """The models this run would oversample."""
    return [k for k in keys if oversamples(settings, k)]


def check_free_space(settings: Settings, data_bytes: int) -> None:
    """Refuse to train when the disk that keeps this run's files (the store folder: a local
    store's artifacts, and the outbox for any store) has less free space than
    `train.min_free_mb` plus one copy of the data (what an outbox entry holds)."""
    import shutil

    from credit_mlops.errors import CreditError

    minimum = settings.train.min_free_mb
    if not minimum:
        return
    folder = settings.tracking.store_path(settings.root)
    probe = folder
    while not probe.exists() and probe != probe.parent:  # not created yet: its disk
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return  # nothing to measure: writing will say what is wrong
    mib = 1024 * 1024
    needed = minimum * mib + data_bytes
    if free < needed:
        raise CreditError(
            f"the disk holding {folder} has {free / mib:.1f} MiB free and keeping this run "
            f"there needs about {needed / mib:.0f} MiB (train.min_free_mb = {minimum} plus "
            "a copy of the data); nothing was trained - free space and run again, or set "
            "train.min_free_mb = 0 to train anyway"
        )


def check_oversampling(
    settings: Settings, keys: list[str], train_rows: int, minority: int | None = None
) -> None:
    """Refuse oversampling above `train.smote_max_rows` training rows, with the estimate,
    and neighbour counts the smallest fold cannot give (`minority`: the training rows of
    the smaller class)."""
    from credit_mlops.modeling.oversampling_cost import cv_seconds

    cfg = settings.train
    if not oversampled_keys(settings, keys):
        return
    if minority is not None:
        _check_neighbours(cfg, train_rows, minority)
    limit = cfg.smote_max_rows
    if not over(train_rows, limit):
        return
    seconds = cv_seconds(
        train_rows, folds=cfg.cv_folds, repeats=cfg.cv_repeats, evaluate=cfg.evaluate
    )
    raise InputError(
        f"{cfg.smote_method} on {train_rows:,} training rows is over train.smote_max_rows = "
        f"{limit:,} (estimated {duration(seconds)} of CPU per model for its nearest-neighbour "
        "search, which grows with the square of the rows); use --class-weight --no-smote, "
        "--no-smote, or a subsample of at most "
        f"{limit:,} training rows, or raise train.smote_max_rows (CREDIT_TRAIN__SMOTE_MAX_ROWS)"
    )


def check_tuned(settings: Settings, key: str, train_rows: int, minority: int) -> None:
    """The guards above, for `credit tune` on its folds: every trial fits the searches that
    grow with the square of the rows (oversampling's neighbours, the exact SVM)."""
    cfg = settings.train.model_copy(update={"cv_folds": settings.tune.folds, "cv_repeats": 1})
    check_oversampling(settings.model_copy(update={"train": cfg}), [key], train_rows, minority)
    apply_svm_limit(cfg, [key], train_rows)  # svm alone over its limit: refused


def _check_neighbours(cfg: TrainSettings, train_rows: int, minority: int) -> None:
    """k neighbours among a fold's rows of the smaller class, m among all its rows (the
    borderline test): a fold holds (folds - 1) / folds of the training rows."""
    share = (cfg.cv_folds - 1) / cfg.cv_folds
    few, rows = int(minority * share), int(train_rows * share)
    for name, wanted, have, of in (
        ("smote_k_neighbors", cfg.smote_k_neighbors, few, "rows of the smaller class"),
        ("smote_m_neighbors", cfg.smote_m_neighbors, rows, "rows"),
    ):
        if name == "smote_m_neighbors" and cfg.smote_method != "BorderlineSMOTE":
            continue
        if wanted >= have:
            raise InputError(
                f"train.{name} = {wanted:,} needs more neighbours than a training fold has "
                f"(about {have:,} {of}); use at most {max(have - 1, 1):,} "
                f"(CREDIT_TRAIN__{name.upper()}) or --no-smote"
            )


def apply_svm_limit(
    cfg: TrainSettings,
    keys: list[str],
    train_rows: int,
    tuned: Mapping[str, Mapping[str, object]] | None = None,
) -> tuple[list[str], list[str]]:
    """The exact RBF SVM's row limit: the keys to train and the notes to show. Above
    `train.svm_max_rows` training rows svm alone is refused (one line with the estimate and
    the alternatives); svm among other models is left out with a note. `--svm-approx` grows
    linearly and has no limit; the exact SVM's tuned parameters (`--params-from`) do not fit
    it and are refused."""
    if cfg.svm_approx and SVM_KEY in keys and (tuned or {}).get(SVM_KEY):
        names = ", ".join(sorted((tuned or {})[SVM_KEY]))
        raise InputError(
            f"--params-from gives the exact RBF SVM's parameters ({names}), which --svm-approx "
            "does not have; drop --svm-approx or --params-from"
        )
    if SVM_KEY not in keys or cfg.svm_approx or not over(train_rows, cfg.svm_max_rows):
        return keys, []
    if keys == [SVM_KEY]:
        raise InputError(refusal(train_rows, cfg.svm_max_rows, cfg.cv_folds))
    kept = [k for k in keys if k != SVM_KEY]
    return kept, [skip_note(train_rows, cfg.svm_max_rows, cfg.cv_folds)]


def forest_notes(settings: Settings, keys: list[str], train_rows: int) -> list[str]:
    """The line saying the random forest was scaled, when a trained model holds one."""
    votes = any(KINDS[k].inputs == "members" for k in keys)
    members = settings.ensemble.members if votes else []
    if FOREST_KEY not in keys and FOREST_KEY not in members:
        return []
    line = note(train_rows, settings.train.forest_scale_rows)
    return [line] if line else []
