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

    found = dtypes(frame)
    if len(found) != 1:
        return None
    (dtype,) = found
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iuf":
        return None
    return frame.to_numpy()


def dtypes(frame: pd.DataFrame) -> set[object]:
    """The set of the frame's column dtypes: each of pandas' blocks holds one dtype, so the
    blocks' dtypes are that set, read without building `frame.dtypes` (a Series indexed by
    the column names, a tenth of a millisecond for twenty text names)."""
    try:
        return {block.dtype for block in frame._mgr.blocks}
    except AttributeError:  # a pandas without block internals
        return set(frame.dtypes)


def positions(frame: pd.DataFrame) -> dict[str, int]:
    """Each column name's position in `frame` (the last one where a name repeats)."""
    return dict(_known(frame.columns)[1])


def names(frame: pd.DataFrame) -> list[str]:
    """The frame's column names as a list (a copy: the caller may change it)."""
    return list(_known(frame.columns)[0])


# An index is immutable: what it holds is read once per index object. The frames a model
# checks and scores share a few (the description's, a server's per request shape), and
# pandas' text index hands out its names slowly (arrow strings, one by one).
_KNOWN: dict[int, tuple[pd.Index, tuple[str, ...], dict[str, int]]] = {}
_MOST_KNOWN = 64


def _known(index: pd.Index) -> tuple[tuple[str, ...], dict[str, int]]:
    found = _KNOWN.get(id(index))
    if found is not None and found[0] is index:
        return found[1], found[2]
    listed = tuple(index.tolist())
    where = {name: i for i, name in enumerate(listed)}
    if len(_KNOWN) >= _MOST_KNOWN:
        _KNOWN.clear()
    _KNOWN[id(index)] = (index, listed, where)  # holding it: its id is not reused meanwhile
    return listed, where


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
