"""Seeded synthetic applicants with a data set's marginals and pairwise structure.

The method is a Gaussian copula. Fitting (on a data file read with its description) keeps,
per column, its distribution of codes or values (a column with more than 60 distinct values
as 201 quantiles), the share of missing values (a band of its own), and the correlation
matrix of the columns' normal scores; nominal codes, text ones too, are first put in the
order of their bad rate, so their link with the target is a monotone one the copula can
hold. Sampling draws correlated normals and maps each column back through its own
distribution: every marginal is the data's up to sampling noise, pairwise rank correlations
follow the data's, and no row is copied. A profile holds aggregates only, no rows.
`synth_profile.json` beside this file is South German Credit's (the default data set); a
test re-fits it from the real file and checks it is the one shipped. `credit data synth
--like FILE` fits one on the given file.
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
from credit_mlops.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from credit_mlops.config.settings import Settings
    from credit_mlops.data.description import Description

PROFILE_PATH = Path(__file__).with_name("synth_profile.json")
QUANTILE_COLUMNS_OVER = 60  # distinct values above which a column is kept as quantiles
N_QUANTILES = 201
CHUNK_ROWS = 250_000  # sampling in chunks bounds memory; the stream of draws is the same
# per column 8 bytes held three times at the peak (the draws, the columns, the frame)
COLUMN_BYTES = 3 * 8


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value JSON keeps (a code: int, float or text)."""
    return value.item() if hasattr(value, "item") else value


def _column_profile(values: np.ndarray, order: list[Any] | None) -> dict[str, Any]:
    """The distribution of a column's values (missing ones apart: a share of their own)."""
    import pandas as pd

    gaps = pd.isna(values)
    seen = values[~gaps]
    codes, counts = np.unique(seen, return_counts=True)
    if len(codes) > QUANTILE_COLUMNS_OVER:
        grid = np.linspace(0.0, 1.0, N_QUANTILES)
        spec: dict[str, Any] = {
            "quantiles": [float(q) for q in np.quantile(seen.astype(float), grid)]
        }
    else:
        probs = dict(zip(map(_plain, codes), (counts / counts.sum()).tolist(), strict=True))
        ordered = order if order is not None else sorted(probs)
        spec = {"codes": ordered, "probs": [probs[c] for c in ordered]}
    if gaps.any():
        spec["missing"] = float(gaps.mean())
    return spec


def _bad_rate_order(frame: pd.DataFrame, name: str, target: str) -> list[Any]:
    bad = (frame[target] == 0).astype(float)  # the frame's target: 1 good, 0 bad
    rates = bad.groupby(frame[name]).mean()
    return [_plain(c) for c in rates.sort_values(kind="stable").index]


def _normal_scores(values: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    """Each value's expected standard normal score given its band (ranks for quantile
    columns); missing values take the score of the band below all others."""
    import pandas as pd
    from scipy.special import ndtri
    from scipy.stats import norm

    gaps = np.asarray(pd.isna(values))
    missing = float(spec.get("missing", 0.0))
    out = np.empty(len(values))
    if gaps.any():
        b = ndtri(missing)
        out[gaps] = -norm.pdf(b) / max(missing, 1e-12)
    seen = values[~gaps]
    if "quantiles" in spec:
        from scipy.stats import rankdata

        out[~gaps] = ndtri(missing + (1.0 - missing) * ((rankdata(seen) - 0.5) / len(seen)))
        return out
    position = {code: i for i, code in enumerate(spec["codes"])}
    index = np.array([position[_plain(v)] for v in seen.tolist()], dtype=np.intp)
    upper = np.clip(missing + (1.0 - missing) * np.cumsum(spec["probs"]), 0.0, 1.0)
    lower = np.concatenate([[missing], upper[:-1]])
    a, b = ndtri(lower), ndtri(upper)
    means = (norm.pdf(a) - norm.pdf(b)) / np.maximum(upper - lower, 1e-12)
    out[~gaps] = means[index]
    return out


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


def fit_profile(frame: pd.DataFrame, description: Description | None = None) -> dict[str, Any]:
    """Marginals and the copula's correlation matrix of a validated frame (its described
    columns and its target, 1 good / 0 bad, as `load_dataset` reads them)."""
    from credit_mlops.data.described import default

    d = description or default()
    target = d.target.column
    columns: dict[str, dict[str, Any]] = {}
    scores = []
    for name in [*d.features, target]:
        nominal = name in d.columns and d.columns[name].kind == "nominal"
        order = _bad_rate_order(frame, name, target) if nominal else None
        values = frame[name].to_numpy()
        columns[name] = _column_profile(values, order)
        column = d.columns.get(name)
        if "quantiles" in columns[name] and column is not None and not column.integer:
            places = _decimals(values)
            if places is not None:
                columns[name]["decimals"] = places  # drawn values rounded like the data's
        scores.append(_normal_scores(values, columns[name]))
    corr = latent_correlation(np.column_stack(scores))
    return {
        "method": "gaussian copula on band normal scores; nominal codes ordered by bad rate",
        "source_rows": len(frame),
        "columns": columns,
        "correlation": [[float(v) for v in row] for row in corr],
    }


def _decimals(values: np.ndarray, most: int = 6) -> int | None:
    """The fewest decimal places that write every value of a numeric column (None: more)."""
    seen = values[~np.isnan(values.astype(float))].astype(float)
    for places in range(most + 1):
        scaled = seen * 10.0**places
        if np.all(np.abs(scaled - np.rint(scaled)) < 1e-6 * max(1.0, 10.0**places)):
            return places
    return None


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


def _from_uniform(u: np.ndarray, spec: dict[str, Any], column: Any) -> np.ndarray:
    """A column's values for the uniforms `u` (`column`: its description, None for the
    target): its bands, its quantiles (rounded and kept in range as it describes)."""
    missing = float(spec.get("missing", 0.0))
    gaps = None
    if missing > 0:
        gaps = u < missing
        u = np.clip((u - missing) / (1.0 - missing), 0.0, 1.0)
    if "quantiles" in spec:
        grid = np.linspace(0.0, 1.0, len(spec["quantiles"]))
        values = np.interp(u, grid, spec["quantiles"])
        whole = column is None or column.integer
        if whole:
            values = np.rint(values)
        elif "decimals" in spec:
            values = np.round(values, int(spec["decimals"]))
        if column is not None and column.range is not None:
            values = np.clip(values, *column.range)
        if whole and gaps is None:
            values = values.astype("int64")
    else:
        cumulative = np.cumsum(spec["probs"])
        cumulative[-1] = 1.0
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)
        codes = np.asarray(spec["codes"])
        values = (codes.astype("int64") if codes.dtype.kind in "iub" else codes)[index]
    if gaps is None:
        return np.asarray(values)
    filled = values.astype(object if values.dtype.kind in "OUS" else float)
    filled[gaps] = None if filled.dtype == object else np.nan
    return np.asarray(filled)


def synthesize(
    n_rows: int,
    *,
    seed: int = 0,
    profile: Mapping[str, object] | None = None,
    description: Description | None = None,
) -> pd.DataFrame:
    """`n_rows` applicants with the profile's columns (target included: 1 good, 0 bad),
    reproducible; South German Credit's shipped profile by default."""
    import pandas as pd

    chunks = synthesize_chunks(n_rows, seed=seed, profile=profile, description=description)
    return pd.concat(list(chunks), ignore_index=True)


def synthesize_chunks(
    n_rows: int,
    *,
    seed: int = 0,
    profile: Mapping[str, object] | None = None,
    description: Description | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of `synthesize` in chunks of CHUNK_ROWS (the same draws, so the same rows):
    `credit data synth` writes 10 million rows in the memory of one chunk."""
    import pandas as pd
    from scipy.special import ndtr

    from credit_mlops.data.described import default

    if n_rows < 1:
        raise InputError(f"--rows must be at least 1 (got {n_rows})")
    fitted: dict[str, Any] = dict(profile) if profile else shipped_profile()
    d = description or default()
    names = list(fitted["columns"])
    check_rows_fit(n_rows, COLUMN_BYTES * len(names))
    lower = _cholesky(fitted["correlation"])
    rng = np.random.default_rng(seed)
    for start in range(0, n_rows, CHUNK_ROWS):
        rows = min(CHUNK_ROWS, n_rows - start)
        u = ndtr(rng.standard_normal((rows, len(names))) @ lower.T)
        yield pd.DataFrame(
            {
                name: _from_uniform(u[:, j], fitted["columns"][name], d.columns.get(name))
                for j, name in enumerate(names)
            }
        )


def plan(settings: Settings, like: Path | None) -> tuple[Mapping[str, object] | None, Description]:
    """What `credit data synth` draws from: a profile fitted on `like` (read and checked with
    the profile's data description), or the shipped one when the description is the one it
    was fitted on; anything else is refused before a row is drawn."""
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.data.described import default
    from credit_mlops.data.locate import description

    d = description(settings)
    if like is None:
        shipped = default()
        if d.digest() != shipped.digest():
            raise InputError(
                f"the shipped synthetic profile is {shipped.name}'s, not {d.name}'s; give "
                "--like FILE to draw applicants like your data"
            )
        return None, d
    from credit_mlops.data.formats import DATA_FIX

    files.input_file(like, setting="--like", what="data file", fix=f"; {DATA_FIX}")
    dataset = load_dataset(like, description=d, min_rows_per_class=1)
    return fit_profile(dataset.frame, d), d


def coded_target(chunk: pd.DataFrame, d: Description) -> pd.DataFrame:
    """The target back in the data's own values (the first listed good and bad)."""
    good, bad = d.target.good[0], d.target.bad[0]
    if (good, bad) == (1, 0):
        return chunk
    column = chunk[d.target.column].to_numpy()
    coded = np.where(column == 1, np.asarray(good, dtype=object), np.asarray(bad, dtype=object))
    return chunk.assign(**{d.target.column: coded})
