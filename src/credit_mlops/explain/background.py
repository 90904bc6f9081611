"""The explanation background: a fixed, seeded sample of the training part's raw rows.

Stored with the training run so that explanations are reproducible and need no data file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BACKGROUND_ROWS = 50
ARTIFACT = "explain/background.csv"


def sample(X_train: pd.DataFrame, seed: int, rows: int = BACKGROUND_ROWS) -> pd.DataFrame:
    """`rows` rows of the training part, drawn without replacement, in their original order."""
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(X_train), size=min(rows, len(X_train)), replace=False))
    return X_train.iloc[picked].reset_index(drop=True)


def to_csv(background: pd.DataFrame) -> str:
    return background.to_csv(index=False)


def from_csv(path: str) -> pd.DataFrame:
    return pd.read_csv(path)
