"""A fitted model taken apart: the transforming steps, the final estimator, and which original
column every transformed feature came from.

A logged model is a (scikit-learn or imbalanced-learn) pipeline: preprocessing, perhaps a
resampler (used in fit only), the model; it may sit inside a threshold wrapper
(`FixedThresholdClassifier`, `TunedThresholdClassifierCV`), which leaves `predict_proba` alone.
One-hot and scaled features are mapped back to their source column by the ColumnTransformer's
own bookkeeping (`output_indices_`) and the feature names it gives out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

_THRESHOLD_WRAPPERS = ("FixedThresholdClassifier", "TunedThresholdClassifierCV")


@dataclass(frozen=True)
class Anatomy:
    transforms: tuple[Any, ...]  # fitted steps applied in order before the estimator
    estimator: Any  # the final classifier
    input_columns: tuple[str, ...]
    feature_names: tuple[str, ...]  # names of the transformed features
    sources: tuple[str, ...]  # for each transformed feature, its original column
    fast: Any = None  # a CheckedTransform when the only transform is a ColumnTransformer

    @property
    def columns(self) -> tuple[str, ...]:
        """The original columns, in input order, then any feature with no source column."""
        ordered = [c for c in self.input_columns if c in self.sources]
        return tuple(ordered + [s for s in dict.fromkeys(self.sources) if s not in ordered])

    def inputs(self, X: pd.DataFrame) -> pd.DataFrame:
        """X's input columns in order; X itself when it is just that (a checked frame is),
        which spares pandas' selection (a quarter of a millisecond per call)."""
        from credit_runtime.frames import names

        wanted = list(self.input_columns)
        return X if names(X) == wanted else X[wanted]

    def transform(self, X: Any) -> np.ndarray:
        if self.fast is not None:
            return np.asarray(self.fast(X), dtype=float)
        out = X
        for step in self.transforms:
            out = step.transform(out)
        return np.asarray(out, dtype=float)

    def grouping(self) -> np.ndarray:
        """A (transformed features x original columns) 0/1 matrix: attributions @ it sums
        each original column's parts."""
        columns = self.columns
        index = {c: i for i, c in enumerate(columns)}
        matrix = np.zeros((len(self.sources), len(columns)))
        for j, source in enumerate(self.sources):
            matrix[j, index[source]] = 1.0
        return matrix


def unwrap(model: Any) -> Any:
    """The model inside threshold wrappers (they change `predict`, not `predict_proba`)."""
    while type(model).__name__ in _THRESHOLD_WRAPPERS and hasattr(model, "estimator_"):
        model = model.estimator_
    return model


def anatomy(model: Any, input_columns: Sequence[str]) -> Anatomy:
    """Split a fitted model into its transforming steps and final estimator."""
    model = unwrap(model)
    steps = [step for _, step in getattr(model, "steps", [])] or [model]
    transforms = tuple(
        s for s in steps[:-1] if s not in (None, "passthrough") and hasattr(s, "transform")
    )  # resamplers have no transform: they act in fit only
    estimator = unwrap(steps[-1])
    names, sources = _features(transforms, list(input_columns))
    fast = None
    if len(transforms) == 1 and type(transforms[0]).__name__ == "ColumnTransformer":
        from credit_runtime.fast_scoring import CheckedTransform

        fast = CheckedTransform(transforms[0])
    return Anatomy(transforms, estimator, tuple(input_columns), tuple(names), tuple(sources), fast)


def _features(transforms: Sequence[Any], columns: list[str]) -> tuple[list[str], list[str]]:
    names, sources = list(columns), list(columns)
    for step in transforms:
        try:
            out = [str(n) for n in step.get_feature_names_out(names)]
        except (AttributeError, ValueError, TypeError):
            n_out = getattr(step, "n_features_out_", None) or len(names)
            out = [f"x{i}" for i in range(int(n_out))]
        origin = _step_sources(step, names, out)
        lookup = dict(zip(names, sources, strict=True))
        sources = [lookup.get(o, o) for o in origin]
        names = out
    return names, sources


def _step_sources(step: Any, inputs: list[str], outputs: list[str]) -> list[str]:
    """For each output feature of one fitted step, the input feature it came from."""
    if type(step).__name__ == "ColumnTransformer" and hasattr(step, "output_indices_"):
        found = list(outputs)
        for name, _, cols in step.transformers_:
            part = step.output_indices_.get(name, slice(0, 0))
            candidates = _column_names(cols, inputs)
            for j in range(part.start, part.stop):
                if len(candidates) == 1:  # one column in: all its outputs (an indicator too)
                    found[j] = candidates[0]
                    continue
                local = _strip_prefix(outputs[j], name)
                found[j] = _longest_prefix(local, candidates) or outputs[j]
        return found
    if len(outputs) == len(inputs) and not hasattr(step, "categories_"):
        return list(inputs)  # one feature in, one out (scalers and kin)
    return [_longest_prefix(_strip_prefix(o, None), inputs) or o for o in outputs]


def _column_names(cols: Any, inputs: list[str]) -> list[str]:
    if isinstance(cols, str):
        return [cols]
    values = list(np.atleast_1d(np.asarray(cols)))
    if values and np.asarray(values).dtype == bool:
        return [c for c, keep in zip(inputs, values, strict=True) if keep]
    if values and isinstance(values[0], (int, np.integer)):
        return [inputs[int(i)] for i in values]
    return [str(c) for c in values]


def _strip_prefix(name: str, transformer: str | None) -> str:
    if transformer is not None and name.startswith(f"{transformer}__"):
        return name[len(transformer) + 2 :]
    return name.split("__", 1)[1] if "__" in name else name


def _longest_prefix(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate `name` is, or starts with followed by `_` (one-hot, splines, bins)."""
    best: str | None = None
    for c in candidates:
        if (name == c or name.startswith(f"{c}_")) and (best is None or len(c) > len(best)):
            best = c
    return best
