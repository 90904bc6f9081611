"""Seeded random rows with the shipped schema, for tests and benchmarks without the data file
(`credit data synth` and `data/synth.py` make applicants like a real data set)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_mlops.data.schema import COLUMNS, FEATURES, TARGET


def synthetic(n_rows: int = 1000, *, seed: int = 0, bad_share: float = 0.3) -> pd.DataFrame:
    """A frame with the real schema and some signal, for tests that run without the file."""
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {}
    for spec in COLUMNS:
        if spec.name == "laufzeit":
            data[spec.name] = rng.integers(4, 73, n_rows)
        elif spec.name == "hoehe":
            data[spec.name] = np.clip(rng.lognormal(7.8, 0.7, n_rows), 250, 18424).astype(int)
        elif spec.name == "alter":
            data[spec.name] = rng.integers(19, 76, n_rows)
        else:
            data[spec.name] = rng.integers(spec.low, spec.high + 1, n_rows)
    score = (
        0.9 * (data["laufkont"] <= 2)
        + 0.03 * (data["laufzeit"] - 20)
        - 0.4 * (data["moral"] >= 3)
        - 0.25 * (data["sparkont"] - 1)
        + 0.00008 * (data["hoehe"] - 3000)
        - 0.02 * (data["alter"] - 35)
        + rng.normal(0.0, 0.8, n_rows)
    )
    cut = np.quantile(score, 1.0 - bad_share)
    data[TARGET] = (score < cut).astype(int)  # 1 good, 0 bad, as in the real file
    return pd.DataFrame(data)[[*FEATURES, TARGET]].astype("int64")
