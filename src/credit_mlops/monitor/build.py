"""The reference of a training part: at train time from the CV's out-of-fold scores, and for
older runs recomputed by repeating the run's cross-validation on its recorded training rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from credit_mlops.monitor.reference import Reference, build
from credit_mlops.tracking.records import Classifier

if TYPE_CHECKING:
    from credit_mlops.data.description import Description


def domains(
    names: Sequence[str], description: Description | None = None
) -> dict[str, Sequence[int | str] | None]:
    """Code domains from the data description; numeric (or unknown, preprocessed): None."""
    from credit_mlops.data.schema import DEFAULT

    d = description or DEFAULT
    out: dict[str, Sequence[int | str] | None] = {}
    for name in names:
        column = d.columns.get(name)
        coded = column is not None and column.kind != "numeric"
        out[name] = column.code_values if coded and column is not None else None
    return out


def allowing_missing(names: Sequence[str], description: Description | None) -> frozenset[str]:
    if description is None:
        return frozenset()
    return frozenset(
        n for n in names if n in description.columns and description.columns[n].missing
    )


def from_training(
    X: pd.DataFrame,
    oof_bad: np.ndarray,
    threshold: float,
    *,
    bins: int = 10,
    score_source: str = "out-of-fold predictions on the training part",
    description: Description | None = None,
) -> Reference:
    names = [str(c) for c in X.columns]
    return build(
        {name: X[name].to_numpy() for name in names},
        domains(names, description),
        oof_bad,
        threshold,
        bins=bins,
        score_source=score_source,
        missing=allowing_missing(names, description),
    )


def oof_scores(
    model: Any, X: pd.DataFrame, y_bad: np.ndarray, *, folds: int, repeats: int, seed: int
) -> np.ndarray:
    """Out-of-fold P(bad) of an unfitted copy of `model`, averaged over the repeats, with
    the same splitter and seed as `credit train` (so the same folds)."""
    from sklearn.base import clone
    from sklearn.model_selection import RepeatedStratifiedKFold
    from threadpoolctl import threadpool_limits

    y_bad = np.asarray(y_bad)
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    oof = np.zeros((repeats, len(y_bad)))
    with threadpool_limits(limits=1):
        for n, (train, test) in enumerate(splitter.split(np.zeros(len(y_bad)), y_bad)):
            fold = clone(model).fit(X.iloc[train], y_bad[train])
            oof[n // folds, test] = fold.predict_proba(X.iloc[test])[:, 1]
    return oof.mean(axis=0)


def reference_artifact(
    X: pd.DataFrame,
    oof_bad: np.ndarray | None,
    pipeline: Classifier,
    threshold: float,
    *,
    bins: int,
    description: Description | None = None,
) -> dict[str, object]:
    """`monitoring/reference.json` of a training run. Without cross-validation
    (--no-evaluate) the only scores of the training part are in-sample ones, and it says so."""
    if oof_bad is not None:
        return from_training(X, oof_bad, threshold, bins=bins, description=description).to_json()
    proba = pipeline.predict_proba(X)[:, 1]
    source = "in-sample predictions on the training part (trained with --no-evaluate)"
    return from_training(
        X, proba, threshold, bins=bins, score_source=source, description=description
    ).to_json()
