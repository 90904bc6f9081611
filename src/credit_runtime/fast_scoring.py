"""P(bad) of a chunk without scikit-learn's per-call overhead, to the last bit the same.

The catalogue's pipelines preprocess with one ColumnTransformer of one-hot encoders and
standard scalers (`modeling.features`). On a 100,000-row chunk its `transform` costs about
as much CPU as scoring it with a logistic regression ten times over: column selection through
pandas, input validation per transformer, a sparse matrix built and densified, an hstack.
`compile_proba` recognises exactly that structure and computes the same float64 matrix with
plain numpy (the same operations in the same order: codes compared with the fitted
categories, `(x - mean_) / scale_`), then calls the fitted final estimator's own
`predict_proba` on it, so P(bad) is unchanged to the last bit. Any other model (a scorecard,
an ensemble, a seed's own preprocessor, an option this does not mirror) keeps the model's
`predict_proba`. `stream.score_file` also compares both on the first rows it scores and keeps
the model's own path if they differ in a single bit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Proba = Callable[["pd.DataFrame"], "np.ndarray"]  # int64 feature frame -> P(bad) per row
CHECK_ROWS = 2_000  # rows of the first chunk scored both ways before the fast path is used


@dataclass(frozen=True)
class _OneHot:
    columns: list[str]
    categories: list[np.ndarray]  # sorted, as fitted


@dataclass(frozen=True)
class _Scale:
    columns: list[str]
    mean: np.ndarray | None
    scale: np.ndarray | None


_Block = _OneHot | _Scale


def model_proba(model: Any) -> Proba:
    """The model's own P(bad): column 1 of `predict_proba`."""
    return lambda features: model.predict_proba(features)[:, 1]


class CheckedProba:
    """`compile_proba`'s path once it gave the model's own P(bad) bit for bit on the first
    CHECK_ROWS rows scored; the model's own path otherwise.
    Safe to call from several threads: the first call checks, the others wait for it."""

    def __init__(self, model: Any) -> None:
        import threading

        self._own = model_proba(model)
        self._fast = compile_proba(model)
        self._checked = self._fast is None
        self._lock = threading.Lock()

    @property
    def fast(self) -> bool:
        """Whether chunks are scored on the fast path (known once one chunk was scored)."""
        return self._checked and self._fast is not None

    def __call__(self, features: pd.DataFrame) -> np.ndarray:
        if not self._checked:
            with self._lock:
                if not self._checked:
                    return self._check(features)
        return _either(self._fast, self._own, features)

    def _check(self, features: pd.DataFrame) -> np.ndarray:
        import numpy as np

        sample = features.iloc[:CHECK_ROWS]  # the model's own path on a whole chunk would
        try:  # cost a small file a third more CPU
            fast = self._fast(sample) if self._fast is not None else None
        except NotWholeNumbers:
            return self._own(features)  # checked on the first chunk of whole numbers
        own = self._own(sample)
        if fast is None or fast.dtype != own.dtype or not np.array_equal(fast, own):
            self._fast = None
        self._checked = True
        return _either(self._fast, self._own, features)


class NotWholeNumbers(TypeError):
    """Features that are not all integer columns: the fast path mirrors integer codes and
    counts only (a fraction would be cut), so the model's own path scores them."""


def _either(
    fast: Callable[[pd.DataFrame], np.ndarray] | None,
    own: Callable[[pd.DataFrame], np.ndarray],
    features: pd.DataFrame,
) -> np.ndarray:
    if fast is None:
        return own(features)
    try:
        return fast(features)
    except NotWholeNumbers:
        return own(features)


def compile_proba(model: Any) -> Proba | None:
    """A faster P(bad) for a (thresholded) pipeline of our preprocessor and a model, or for a
    soft vote of such pipelines; None for anything else."""
    from sklearn.model_selection import FixedThresholdClassifier

    inner = model.estimator_ if type(model) is FixedThresholdClassifier else model
    matrix = _compiled(inner)
    if matrix is None:
        return None
    return lambda features: matrix(features)[:, 1]


Matrix = Callable[["pd.DataFrame"], "np.ndarray"]  # features -> predict_proba's matrix


def _compiled(inner: Any) -> Matrix | None:
    from imblearn.pipeline import Pipeline as ImbPipeline
    from sklearn.pipeline import Pipeline

    if type(inner) not in (Pipeline, ImbPipeline):
        return None
    if len(inner.steps) == 1:  # the step's own predict_proba is what the pipeline calls
        only = inner.steps[0][1]
        return _vote(only) or _card(only) or getattr(only, "predict_proba", None)
    pre, final = inner.steps[0][1], inner.steps[-1][1]
    middle = [step for _, step in inner.steps[1:-1]]
    if any(not hasattr(step, "fit_resample") for step in middle):
        return None  # samplers are skipped when predicting; any other step is not
    blocks = _blocks(pre)
    if blocks is None or not hasattr(final, "predict_proba"):
        return None
    width = sum(_width(b) for b in blocks)
    final_proba: Callable[[np.ndarray], np.ndarray] = (
        _linear(final) or _forest(final) or final.predict_proba
    )

    def matrix(features: pd.DataFrame) -> np.ndarray:
        return final_proba(_shared(pre, blocks, width, features))

    return matrix


def _vote(vote: Any) -> Matrix | None:
    """scikit-learn's soft VotingClassifier.predict_proba, each member compiled: the weighted
    mean (`np.average`) of the members' matrices, in the members' order."""
    import numpy as np
    from sklearn.ensemble import VotingClassifier

    if type(vote) is not VotingClassifier or vote.voting != "soft":
        return None
    found = [_compiled(member) for member in vote.estimators_]
    members = [m for m in found if m is not None]
    if len(members) != len(found) or len(members) != len(vote.estimators):
        return None  # a member dropped ("drop") or one this module does not mirror
    weights = None if vote.weights is None else list(vote.weights)

    def matrix(features: pd.DataFrame) -> np.ndarray:
        probas = np.asarray([m(features) for m in members])
        return np.average(probas, axis=0, weights=weights)

    return matrix


def _linear(final: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """A binary logistic regression's predict_proba as scikit-learn computes it (the same
    product, the same expit), without its input validation: a third of a millisecond per
    call, most of one applicant's P(bad)."""
    import numpy as np
    from scipy import special
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

    if type(final) not in (LogisticRegression, LogisticRegressionCV):
        return None
    coef, intercept = getattr(final, "coef_", None), getattr(final, "intercept_", None)
    if not isinstance(coef, np.ndarray) or not isinstance(intercept, np.ndarray):
        return None
    if len(final.classes_) != 2 or coef.ndim != 2 or coef.shape[0] != 1:
        return None
    coef_t = coef.T

    def matrix(values: np.ndarray) -> np.ndarray:
        X = np.asarray(values)
        if X.dtype != np.float64 or X.ndim != 2 or X.shape[1] != coef.shape[1] or not len(X):
            raise NotWholeNumbers("not the matrix the regression was fitted on")
        if not np.isfinite(X).all():  # scikit-learn refuses these: its own path says how
            raise NotWholeNumbers("not finite")
        prob = (X @ coef_t + intercept).reshape(-1)
        special.expit(prob, out=prob)
        return np.stack([1 - prob, prob], axis=1)

    return matrix


def _card(card: Any) -> Matrix | None:
    """A scorecard's predict_proba: its WoE (`ScorecardClassifier.woe`, the checked
    lookups), then its regression through `_linear`."""
    from credit_runtime.scorecard import ScorecardClassifier

    if type(card) is not ScorecardClassifier or not hasattr(card, "estimator_"):
        return None
    linear = _linear(card.estimator_)
    if linear is None:
        return None
    return lambda features: linear(card.woe(features).to_numpy())


def _forest(final: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """A random forest's predict_proba as scikit-learn computes it with one job (each tree's
    leaf values added in order, then divided by the number of trees), without its
    per-call thread pool: 300 trees score one applicant in 1 ms instead of 14.

    A large batch is cut by rows, one slice per core, each scored by every tree in order in
    a thread of its own (scikit-learn's tree traversal releases the GIL). Splitting rows,
    not trees, keeps every row's sum in the same order, so the result is the same to the
    last bit however many cores there are."""
    import numpy as np
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    if type(final) not in (RandomForestClassifier, ExtraTreesClassifier):
        return None
    if final.n_outputs_ != 1 or final.n_jobs != 1:  # with more jobs its own sum has no order
        return None
    trees = [tree.tree_ for tree in final.estimators_]
    n_classes = int(final.n_classes_)

    def rows(X: np.ndarray) -> np.ndarray:
        out = np.zeros((X.shape[0], n_classes), dtype=np.float64)
        for tree in trees:
            out += tree.predict(X)[:, :n_classes]
        out /= len(trees)
        return out

    def matrix(values: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(values, dtype=np.float32)
        slices = _row_slices(X.shape[0])
        if len(slices) == 1:
            return rows(X)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(slices)) as pool:
            parts = list(pool.map(rows, [X[s] for s in slices]))
        return np.concatenate(parts)

    return matrix


PARALLEL_ROWS = 20_000  # below this a batch is scored in the caller's thread


def _row_slices(n: int, cores: int | None = None) -> list[slice]:
    """Contiguous row ranges, one per usable core, each of at least PARALLEL_ROWS / 2 rows."""
    import os

    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    k = max(1, min(cores, n // (PARALLEL_ROWS // 2)))
    if n < PARALLEL_ROWS:
        k = 1
    bounds = [n * i // k for i in range(k + 1)]
    return [slice(bounds[i], bounds[i + 1]) for i in range(k)]


class CheckedTransform:
    """A fitted ColumnTransformer's `transform` in plain numpy once it gave the transformer's
    own output bit for bit on the first call; the transformer's own `transform` otherwise
    (the explainers' preprocessing: one applicant costs a fraction of a millisecond)."""

    def __init__(self, step: Any) -> None:
        import threading

        self._own = step.transform
        blocks = _blocks(step)
        self._fast: Callable[[pd.DataFrame], np.ndarray] | None = None
        if blocks is not None:
            width = sum(_width(b) for b in blocks)
            self._fast = lambda features: _shared(step, blocks, width, features)
        self._checked = self._fast is None
        self._lock = threading.Lock()

    def __call__(self, features: pd.DataFrame) -> np.ndarray:
        if not self._checked:
            with self._lock:
                if not self._checked:
                    return self._check(features)
        return _either(self._fast, self._own, features)

    def _check(self, features: pd.DataFrame) -> np.ndarray:
        import numpy as np

        own = np.asarray(self._own(features))
        try:
            fast = self._fast(features) if self._fast is not None else None
        except NotWholeNumbers:
            return own  # checked on the first call with whole numbers
        except (TypeError, ValueError):  # the transformer's own path, from now on
            fast = None
        if fast is None or fast.dtype != own.dtype or not np.array_equal(fast, own):
            self._fast = None
        self._checked = True
        return own


def _blocks(pre: Any) -> list[_Block] | None:
    """The fitted ColumnTransformer as blocks, if it is exactly one this module mirrors."""
    import sklearn
    from sklearn.compose import ColumnTransformer

    if type(pre) is not ColumnTransformer or getattr(pre, "sparse_output_", True):
        return None
    if sklearn.get_config()["transform_output"] != "default" or _pandas_output(pre):
        return None
    blocks: list[_Block] = []
    for _, step, columns in pre.transformers_:
        if step == "drop":
            continue
        if not (isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns)):
            return None
        block = _one_hot(step, columns) or _scale(step, columns)
        if block is None or _pandas_output(step):
            return None
        blocks.append(block)
    return blocks or None


def _pandas_output(step: Any) -> bool:
    return getattr(step, "_sklearn_output_config", {}).get("transform", "default") != "default"


def _one_hot(step: Any, columns: list[str]) -> _OneHot | None:
    import numpy as np
    from sklearn.preprocessing import OneHotEncoder

    if type(step) is not OneHotEncoder or step.sparse_output or step.drop is not None:
        return None
    if step.handle_unknown != "ignore" or (step.max_categories, step.min_frequency) != (None, None):
        return None
    if (
        np.dtype(step.dtype) != np.float64
        or list(getattr(step, "feature_names_in_", [])) != columns
    ):
        return None
    cats = [np.asarray(c) for c in step.categories_]
    if any(c.dtype.kind not in "iu" or len(np.unique(c)) != len(c) for c in cats):
        return None  # integer codes, each once, so a code is one column or none
    return _OneHot(columns, cats)


def _scale(step: Any, columns: list[str]) -> _Scale | None:
    import numpy as np
    from sklearn.preprocessing import StandardScaler

    if type(step) is not StandardScaler or list(getattr(step, "feature_names_in_", [])) != columns:
        return None
    mean = np.asarray(step.mean_, dtype=np.float64) if step.with_mean else None
    scale = np.asarray(step.scale_, dtype=np.float64) if step.with_std else None
    return _Scale(columns, mean, scale)


def _width(block: _Block) -> int:
    if isinstance(block, _OneHot):
        return sum(len(c) for c in block.categories)
    return len(block.columns)


def _shared(pre: Any, blocks: list[_Block], width: int, features: pd.DataFrame) -> np.ndarray:
    """`_transform`, done once per decision for P(bad) and the reasons alike (`memo`):
    the matrix is read-only, so no reader can change what the other one reads."""
    from credit_runtime.memo import reused

    def compute(frame: pd.DataFrame) -> np.ndarray:
        out = _transform(blocks, width, frame)
        out.flags.writeable = False
        return out

    matrix: np.ndarray = reused(pre, features, "transform", compute)
    return matrix


def _transform(blocks: list[_Block], width: int, features: pd.DataFrame) -> np.ndarray:
    """The ColumnTransformer's dense float64 output, C-ordered like its hstack."""
    import numpy as np

    from credit_runtime.frames import dtypes, positions

    for dtype in dtypes(features):
        if not isinstance(dtype, np.dtype) or not (
            dtype.kind == "i" or (dtype.kind == "u" and dtype.itemsize < 8)
        ):
            raise NotWholeNumbers(f"a column of type {dtype}")
    codes = features.to_numpy(dtype=np.int64)  # one array: pandas' column lookups cost more
    position = positions(features)
    out = np.zeros((len(features), width), dtype=np.float64)
    at = 0
    for block in blocks:
        if isinstance(block, _OneHot):
            for name, cats in zip(block.columns, block.categories, strict=True):
                column = codes[:, position[name]]
                # 1.0 where the code is the category; an unknown code stays all zeros
                out[:, at : at + len(cats)] = column[:, None] == cats[None, :]
                at += len(cats)
        else:
            values = codes[:, [position[name] for name in block.columns]].astype(np.float64)
            if block.mean is not None:
                values -= block.mean
            if block.scale is not None:
                values /= block.scale
            out[:, at : at + len(block.columns)] = values
            at += len(block.columns)
    return out
