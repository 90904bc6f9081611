"""Seeded synthetic applicants with the real data's marginals and pairwise structure.

The method is a Gaussian copula. Fitting (once, on the real file) keeps, per column, its
distribution of codes (the amount column, with hundreds of distinct values, as 201 quantiles)
and the correlation matrix of the columns' normal scores; nominal codes are first put in
the order of their bad rate, so their link with the target is a monotone one the copula can
hold. Sampling draws correlated normals and maps each column back through its own
distribution: every marginal is the real one up to sampling noise, pairwise rank
correlations follow the real ones, and no real row is copied. The fitted profile is
`synth_profile.json` beside this file (aggregates only, no rows); a test re-fits it from the
real file and checks it is the one shipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from credit_mlops import files
from credit_mlops.data.memory import check_rows_fit
from credit_mlops.data.schema import FEATURES, SPEC, TARGET
from credit_mlops.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

PROFILE_PATH = Path(__file__).with_name("synth_profile.json")
QUANTILE_COLUMNS_OVER = 60  # distinct values above which a column is kept as quantiles
N_QUANTILES = 201
CHUNK_ROWS = 250_000  # sampling in chunks bounds memory; the stream of draws is the same
# 21 int64 columns held three times at the peak (the chunks, their stack, the frame)
BYTES_PER_ROW = 3 * 21 * 8


def _column_profile(values: np.ndarray, order: list[int] | None) -> dict[str, Any]:
    codes, counts = np.unique(values, return_counts=True)
    if len(codes) > QUANTILE_COLUMNS_OVER:
        grid = np.linspace(0.0, 1.0, N_QUANTILES)
        return {"quantiles": [float(q) for q in np.quantile(values, grid)]}
    probs = dict(zip(codes.tolist(), (counts / counts.sum()).tolist(), strict=True))
    ordered = order if order is not None else sorted(probs)
    return {"codes": ordered, "probs": [probs[c] for c in ordered]}


def _bad_rate_order(frame: pd.DataFrame, name: str) -> list[int]:
    bad = (frame[TARGET] == 0).astype(float)
    rates = bad.groupby(frame[name]).mean()
    return [int(c) for c in rates.sort_values(kind="stable").index]


def _normal_scores(values: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    """Each value's expected standard normal score given its code's band (ranks for amounts)."""
    from scipy.special import ndtri
    from scipy.stats import norm, rankdata

    if "quantiles" in spec:
        return np.asarray(ndtri((rankdata(values) - 0.5) / len(values)))
    position = {code: i for i, code in enumerate(spec["codes"])}
    index = np.array([position[v] for v in values.tolist()])
    upper = np.clip(np.cumsum(spec["probs"]), 0.0, 1.0)
    lower = np.concatenate([[0.0], upper[:-1]])
    a, b = ndtri(lower), ndtri(upper)
    means = (norm.pdf(a) - norm.pdf(b)) / np.maximum(upper - lower, 1e-12)
    return np.asarray(means[index])


def latent_correlation(scores: np.ndarray) -> np.ndarray:
    """The copula's correlations from the band scores (columns of `scores`).

    A band score keeps only part of its latent normal's variance; to first order the
    covariance of two band scores is rho * var_i * var_j (a polychoric approximation), so
    dividing by the variances undoes the attenuation that coarse codes cause.
    """
    cov = np.cov(scores, rowvar=False)
    var = np.diag(cov)
    rho = np.clip(cov / np.outer(var, var), -0.95, 0.95)
    np.fill_diagonal(rho, 1.0)
    return np.asarray(rho)


def fit_profile(frame: pd.DataFrame) -> dict[str, Any]:
    """Marginals and the copula's correlation matrix of a validated South German Credit frame."""
    names = [*FEATURES, TARGET]
    columns: dict[str, dict[str, Any]] = {}
    scores = []
    for name in names:
        nominal = name in SPEC and SPEC[name].kind == "nominal"
        order = _bad_rate_order(frame, name) if nominal else None
        values = frame[name].to_numpy(dtype="int64")
        columns[name] = _column_profile(values, order)
        scores.append(_normal_scores(values, columns[name]))
    corr = latent_correlation(np.column_stack(scores))
    return {
        "method": "gaussian copula on band normal scores; nominal codes ordered by bad rate",
        "source_rows": len(frame),
        "columns": columns,
        "correlation": [[float(v) for v in row] for row in corr],
    }


def write_profile(profile: dict[str, Any], path: Path = PROFILE_PATH) -> Path:
    files.write_text(path, json.dumps(profile, indent=1) + "\n")
    return path


@cache
def shipped_profile() -> dict[str, Any]:
    return dict(json.loads(PROFILE_PATH.read_text()))


def _cholesky(corr: list[list[float]]) -> np.ndarray:
    matrix = np.asarray(corr, dtype="float64")
    values, vectors = np.linalg.eigh(matrix)
    if values.min() < 1e-10:  # keep it positive definite
        matrix = vectors @ np.diag(np.clip(values, 1e-10, None)) @ vectors.T
        scale = np.sqrt(np.diag(matrix))
        matrix = matrix / np.outer(scale, scale)
    return np.linalg.cholesky(matrix)


def _from_uniform(u: np.ndarray, spec: dict[str, Any], name: str) -> np.ndarray:
    if "quantiles" in spec:
        grid = np.linspace(0.0, 1.0, len(spec["quantiles"]))
        values = np.rint(np.interp(u, grid, spec["quantiles"])).astype("int64")
        if name in SPEC:
            values = np.clip(values, SPEC[name].low, SPEC[name].high)
        return values
    cumulative = np.cumsum(spec["probs"])
    cumulative[-1] = 1.0
    index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)
    return np.asarray(spec["codes"], dtype="int64")[index]


def synthesize(
    n_rows: int, *, seed: int = 0, profile: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """`n_rows` applicants with the schema's columns (target included), int64, reproducible."""
    import pandas as pd

    return pd.concat(list(synthesize_chunks(n_rows, seed=seed, profile=profile)), ignore_index=True)


def synthesize_chunks(
    n_rows: int, *, seed: int = 0, profile: Mapping[str, object] | None = None
) -> Iterator[pd.DataFrame]:
    """The rows of `synthesize` in chunks of CHUNK_ROWS (the same draws, so the same rows):
    `credit data synth` writes 10 million rows in the memory of one chunk."""
    import pandas as pd
    from scipy.special import ndtr

    if n_rows < 1:
        raise InputError(f"--rows must be at least 1 (got {n_rows})")
    check_rows_fit(n_rows, BYTES_PER_ROW)
    fitted: dict[str, Any] = dict(profile) if profile else shipped_profile()
    names = [*FEATURES, TARGET]
    lower = _cholesky(fitted["correlation"])
    rng = np.random.default_rng(seed)
    for start in range(0, n_rows, CHUNK_ROWS):
        rows = min(CHUNK_ROWS, n_rows - start)
        u = ndtr(rng.standard_normal((rows, len(names))) @ lower.T)
        block = np.empty((rows, len(names)), dtype="int64")
        for j, name in enumerate(names):
            block[:, j] = _from_uniform(u[:, j], fitted["columns"][name], name)
        yield pd.DataFrame(block, columns=names)
