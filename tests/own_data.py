"""Data sets of other shapes than South German Credit, made in the tests (seeded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def text_with_gaps(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Text categories, missing values, an id, a target coded good/bad (bad tied to the data)."""
    rng = np.random.default_rng(seed)
    income = rng.normal(3000, 800, n).round(2)
    housing = rng.choice(["rent", "own", "free"], n)
    years = rng.integers(0, 4, n)
    risk = -0.001 * (income - 3000) + (housing == "rent") * 0.8 - 0.3 * years
    bad = rng.random(n) < 1 / (1 + np.exp(-(risk - 0.8)))
    frame = pd.DataFrame(
        {
            "applicant": [f"A{i:05d}" for i in range(n)],
            "income": income,
            "housing": housing,
            "years_at_job": years,
            "age": rng.integers(18, 80, n),
            "status": np.where(bad, "bad", "good"),
        }
    )
    frame.loc[rng.choice(n, n // 15, replace=False), "income"] = np.nan
    frame.loc[rng.choice(n, n // 20, replace=False), "housing"] = np.nan
    return frame


def numeric_default(n: int = 600, seed: int = 1) -> pd.DataFrame:
    """Numbers only, target `default` 1 bad / 0 good."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    logit = X @ np.array([1.0, -0.7, 0.5, 0.0, 0.3]) - 0.9
    frame = pd.DataFrame(X.round(4), columns=[f"x{i}" for i in range(5)])
    frame["default"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def wide(n: int = 500, columns: int = 64, seed: int = 2) -> pd.DataFrame:
    """Many columns: numbers and small integer codes, target 0/1 called `bad`."""
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {}
    for i in range(columns):
        data[f"f{i:02d}"] = rng.integers(1, 5, n) if i % 4 == 0 else rng.normal(size=n).round(3)
    frame = pd.DataFrame(data)
    logit = frame["f01"] - frame["f02"] + 0.4 * frame["f00"] - 1.5
    frame["bad"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def write_csv(frame: pd.DataFrame, path: Path, sep: str = ",") -> Path:
    frame.to_csv(path, index=False, sep=sep)
    return path
