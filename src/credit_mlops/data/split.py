"""The stratified holdout: rows kept out of cross-validation and the final fit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from credit_mlops.errors import DataError


@dataclass(frozen=True)
class Holdout:
    """Row positions (0-based, in file order) kept out of CV and the final fit."""

    train_rows: tuple[int, ...]
    test_rows: tuple[int, ...]
    test_size: float
    seed: int

    def to_json(self, digest: str) -> dict[str, Any]:
        return {
            "data_digest": digest,
            "test_size": self.test_size,
            "seed": self.seed,
            "n_train": len(self.train_rows),
            "n_test": len(self.test_rows),
            "test_rows": list(self.test_rows),
        }


def split_holdout(
    y: pd.Series, *, test_size: float, seed: int, setting: str = "train.test_size"
) -> Holdout:
    """The stratified holdout; `setting` names where test_size came from in a refusal."""
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(y))
    if test_size == 0:  # --test-size 0: no holdout, every row trains (evaluate needs --data)
        return Holdout(tuple(int(i) for i in positions), (), 0.0, seed)
    try:
        train, test = train_test_split(
            positions, test_size=test_size, stratify=y.to_numpy(), random_state=seed
        )
    except ValueError:
        counts = y.value_counts()
        classes, rows = len(counts), len(y)
        low = math.ceil(classes / rows * 1000) / 1000  # a row of each class held out
        high = math.floor((1 - classes / rows) * 1000) / 1000  # and one of each trains
        raise DataError(
            f"{setting}: {test_size:g} cannot hold out a stratified part of "
            f"{rows:,} rows with {classes} classes, each class on both sides; use "
            f"{low:g}..{high:g}, or 0 for no holdout"
        ) from None
    return Holdout(
        train_rows=tuple(int(i) for i in np.sort(train)),
        test_rows=tuple(int(i) for i in np.sort(test)),
        test_size=test_size,
        seed=seed,
    )
