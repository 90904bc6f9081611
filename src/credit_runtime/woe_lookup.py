"""A fitted binning process's WoE transform as array lookups, checked against its own output.

optbinning's `BinningProcess.transform` costs 5-6 ms for one applicant (pandas Series and
masks per characteristic), and a scorecard's decision with reasons asks for it three times
(P(bad), points, reasons). The transform is a step function of each value: a numerical
characteristic's bin is `np.digitize(x, splits)`, a categorical one's is the bin holding the
code (a code in no bin gets the unknown WoE), special codes and missing values get their own
WoE. `WoeLookup.of` reads the WoE of every step from the process's own transform of probe
values, then compares the lookups with the process's own transform on a second, denser set
of probes (both sides of every split, every code and its neighbours, unseen codes, missing
values, as integers and as floats); it is used only if every probe agrees to the last bit.
Characteristics whose codes or special codes are not plain numbers keep the process's own
transform (the lookup is None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from credit_runtime.frames import EXACT_INTEGER

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class _Step:
    """One characteristic: exact values first (codes, special codes), then the split table
    (numerical) or the unknown WoE (categorical); missing values last."""

    keys: np.ndarray  # sorted float64
    key_woe: np.ndarray
    splits: np.ndarray | None  # numerical only
    bin_woe: np.ndarray | None  # len(splits) + 1
    unknown: float
    missing: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.splits is not None and self.bin_woe is not None:
            out = self.bin_woe[np.digitize(x, self.splits, right=False)]
        else:
            out = np.full(len(x), self.unknown)
        if len(self.keys):
            at = np.minimum(np.searchsorted(self.keys, x), len(self.keys) - 1)
            out = np.where(self.keys[at] == x, self.key_woe[at], out)
        if x.dtype.kind == "f":
            out = np.where(np.isnan(x), self.missing, out)
        return out


class WoeLookup:
    def __init__(self, steps: Sequence[_Step]) -> None:
        self.steps = tuple(steps)

    def transform(self, columns: Sequence[np.ndarray]) -> np.ndarray | None:
        """The WoE matrix (rows x characteristics) of these columns (one array each, in the
        characteristics' order); None when a column is not plain finite numbers or missing
        values (the process's own transform then decides, and refuses what it refuses)."""
        import numpy as np

        for x in columns:
            if x.dtype.kind not in "iuf" or (x.dtype.kind == "f" and np.isinf(x).any()):
                return None
            if (
                x.dtype.kind in "iu"
                and len(x)
                and ((x > EXACT_INTEGER).any() or (x < -EXACT_INTEGER).any())
            ):
                return None  # beyond float64's integers: optbinning compares them exactly
        rows = len(columns[0]) if columns else 0
        out = np.empty((rows, len(self.steps)), dtype=np.float64)
        for j, (step, x) in enumerate(zip(self.steps, columns, strict=True)):
            out[:, j] = step(x)
        return out

    @classmethod
    def of(cls, process: Any, names: Sequence[str], own: Any) -> WoeLookup | None:
        """The lookups of a fitted `process` for the characteristics `names`, or None.
        `own(frame)` is the transform the lookups must equal (the scorecard's own path)."""
        import numpy as np

        found = [_shape(process.get_binned_variable(name)) for name in names]
        shapes = [s for s in found if s is not None]
        if len(shapes) != len(found):
            return None
        table_probes = [_table_probes(*s) for s in shapes]
        woe = own(_probe_frame(names, table_probes, float)).to_numpy(dtype=float)
        steps = [
            _step(*shape, woe[: len(probes), j])
            for j, (shape, probes) in enumerate(zip(shapes, table_probes, strict=True))
        ]
        lookup = cls(steps)
        for kind in (float, int):
            check = [_check_probes(*s, kind) for s in shapes]
            frame = _probe_frame(names, check, kind)
            expected = own(frame).to_numpy(dtype=float)
            got = lookup.transform([frame[name].to_numpy() for name in names])
            if got is None or got.shape != expected.shape or not np.array_equal(got, expected):
                return None
        return lookup


_Shape = tuple["np.ndarray", "np.ndarray | None"]  # (exact keys, splits or None)


def _shape(binned: Any) -> _Shape | None:
    """(sorted exact keys, splits) of one binned characteristic, or None when a key is not
    a plain number or the object is not a simple optimal binning."""
    import numpy as np

    if type(binned).__name__ != "OptimalBinning":
        return None
    specials = binned.special_codes or []
    if isinstance(specials, dict):
        specials = [v for group in specials.values() for v in np.atleast_1d(group)]
    keys = list(np.atleast_1d(np.asarray(specials, dtype=object)).ravel())
    if binned.dtype == "categorical":
        for part in binned.splits:
            keys.extend(np.atleast_1d(np.asarray(part, dtype=object)).ravel())
        keys.extend(np.atleast_1d(np.asarray(getattr(binned, "_categories", []), dtype=object)))
        splits = None
    elif binned.dtype == "numerical":
        splits = np.asarray(binned.splits, dtype=np.float64)
    else:
        return None
    if not all(_number(k) and abs(k) <= EXACT_INTEGER for k in keys):
        return None  # a key float64 cannot hold exactly would be compared inexactly
    return np.unique(np.asarray(keys, dtype=np.float64)), splits


def _number(value: Any) -> bool:
    import numpy as np

    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _table_probes(keys: np.ndarray, splits: np.ndarray | None) -> list[float]:
    """The keys, one value inside each bin, one unseen value and a missing one."""
    import numpy as np

    probes = [float(k) for k in keys]
    if splits is not None:
        probes += [float(splits[0]) - 1.0 if len(splits) else 0.0] + [float(s) for s in splits]
    known = np.concatenate([keys, splits if splits is not None else []])
    unseen = float(known.max()) + 1.0 if len(known) else 0.0
    return [*probes, unseen, float("nan")]


def _step(keys: np.ndarray, splits: np.ndarray | None, woe: np.ndarray) -> _Step:
    """The step of one characteristic from the WoE of its `_table_probes`."""
    n = len(keys)
    bins = None if splits is None else woe[n : n + len(splits) + 1].copy()
    return _Step(keys, woe[:n].copy(), splits, bins, float(woe[-2]), float(woe[-1]))


def _check_probes(keys: np.ndarray, splits: np.ndarray | None, kind: type) -> list[float]:
    import numpy as np

    points = [*keys.tolist(), *(splits.tolist() if splits is not None else [])]
    probes: list[float] = []
    for p in points:
        probes += [p, p - 1.0, p + 1.0, p - 0.5, p + 0.5]
        probes += [float(np.nextafter(p, -np.inf)), float(np.nextafter(p, np.inf))]
    low, high = (min(points), max(points)) if points else (0.0, 0.0)
    probes += [low - 1e6, high + 1e6, 0.0, -1.0]
    if kind is int:
        whole = {float(np.floor(p)) for p in probes} | {float(np.ceil(p)) for p in probes}
        return sorted(whole)
    return [*probes, float("nan")]


def _probe_frame(names: Sequence[str], probes: Sequence[list[float]], kind: type) -> pd.DataFrame:
    """One column per characteristic, each its probes repeated to the longest length."""
    import numpy as np
    import pandas as pd

    length = max((len(p) for p in probes), default=0)
    columns = {}
    for name, values in zip(names, probes, strict=True):
        column = np.resize(np.asarray(values, dtype=np.float64), length)
        columns[name] = column.astype(np.int64) if kind is int else column
    return pd.DataFrame(columns)
