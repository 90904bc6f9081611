"""A frame's columns as numpy arrays, read in one step when pandas holds them in one block.

Scoring one applicant spends most of its time in pandas' per-column lookups (about 12 us a
column, so a quarter of a millisecond for twenty columns). A frame whose columns share one
numeric numpy dtype is a single block: `to_numpy()` hands it over without a copy, and a
column is a view into it. Anything else (mixed types, text, pandas' extension types) is read
column by column, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

EXACT_INTEGER = 2**53 - 1  # the largest integer float64 holds exactly, with all below it


def single_block(frame: pd.DataFrame) -> np.ndarray | None:
    """`frame.to_numpy()` when every column has the same numeric numpy dtype, else None."""
    import numpy as np

    dtypes = set(frame.dtypes)
    if len(dtypes) != 1:
        return None
    (dtype,) = dtypes
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iuf":
        return None
    return frame.to_numpy()


def positions(frame: pd.DataFrame) -> dict[str, int]:
    """Each column name's position in `frame` (the last one where a name repeats)."""
    return {name: i for i, name in enumerate(frame.columns.tolist())}


def column_arrays(frame: pd.DataFrame, names: Sequence[str]) -> list[np.ndarray]:
    """The columns `names` of `frame`, each as a one-dimensional numpy array."""
    block = single_block(frame)
    if block is not None and frame.columns.is_unique:
        where = positions(frame)
        return [block[:, where[name]] for name in names]
    return [frame[name].to_numpy() for name in names]


def int64_matrix(frame: pd.DataFrame, names: Sequence[str]) -> np.ndarray | None:
    """The columns `names` of an all-int64 `frame` as one (rows x names) matrix, else None."""
    import numpy as np

    block = single_block(frame)
    if block is None or block.dtype != np.int64 or not frame.columns.is_unique:
        return None
    where = positions(frame)
    return block[:, [where[name] for name in names]]
