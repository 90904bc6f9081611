"""The explanation background: a fixed, seeded sample of the training part's raw rows.

Logged with the training run (a small JSON artifact) so that explanations are reproducible and
need no data file: the linear closed form takes its reference mean from it, the
model-agnostic explainer its background rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

BACKGROUND_ROWS = 50
ARTIFACT = "explain/background.json"


def sample(X_train: pd.DataFrame, seed: int, rows: int = BACKGROUND_ROWS) -> pd.DataFrame:
    """`rows` rows of the training part, drawn without replacement, in their original order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(X_train), size=min(rows, len(X_train)), replace=False))
    return X_train.iloc[picked].reset_index(drop=True)


def to_json(X_train: pd.DataFrame, seed: int, rows: int = BACKGROUND_ROWS) -> dict[str, object]:
    """The artifact logged by `credit train`: the sample, and how it was drawn."""
    picked = sample(X_train, seed, rows)
    return {
        "seed": seed,
        "drawn_from": f"training part, {len(X_train)} rows",
        "columns": [str(c) for c in picked.columns],
        "dtypes": [str(t) for t in picked.dtypes],
        "rows": picked.to_numpy().tolist(),
    }


def from_json(record: Mapping[str, object]) -> pd.DataFrame:
    """The background sample `to_json` wrote (KeyError, ValueError or TypeError when it is
    not one)."""
    import pandas as pd

    stored: Any = record
    frame = pd.DataFrame(stored["rows"], columns=stored["columns"])
    return frame.astype(dict(zip(stored["columns"], stored["dtypes"], strict=True)))
