"""Small frames inside the schema's ranges for unit tests of monitoring (no data file)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_mlops.data.schema import COLUMNS, TARGET


def synthetic(n_rows: int, seed: int) -> pd.DataFrame:
    """Codes and values inside the schema's ranges, and a target tied to two columns."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {c.name: rng.integers(c.low, min(c.high, c.low + 60) + 1, n_rows) for c in COLUMNS}
    )
    risk = 0.05 * frame["laufzeit"] - 0.04 * frame["alter"] + rng.normal(0, 1, n_rows)
    frame[TARGET] = (risk < np.quantile(risk, 0.7)).astype("int64")
    return frame
