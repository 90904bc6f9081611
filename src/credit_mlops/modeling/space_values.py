"""A profile's search-space overrides checked as values, before any study is opened.

`search_spaces.parse_param` checks an override's shape; here its values meet the model:

- the kind of the catalogue's own parameter holds: a whole-number parameter (a count, a
  depth) takes whole numbers, a numeric one numbers, a parameter of named choices names;
- a range stays within ten times the catalogue's own highest value, so a typo such as
  `n_estimators = { low = 100000000, ... }` is no search that never ends;
- each value the search can draw at its ends (low, high, every choice) is one the estimator
  takes: checked by its own parameter rules (scikit-learn's), or, for an estimator without
  them (XGBoost), by a fit on a few rows, when the catalogue's own values fit there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sklearn.base import BaseEstimator

from credit_mlops.errors import ConfigError
from credit_mlops.escaping import one_line
from credit_mlops.modeling.search_spaces import Choice, FloatRange, IntRange, Param, is_number

WIDEST = 10  # times the catalogue's own highest value


def check_overrides(
    key: str, estimator: BaseEstimator, base: Mapping[str, Param], overrides: Iterable[str],
    space: Mapping[str, Param],
) -> None:  # fmt: skip
    """ConfigError naming `tune.space.<key>.<name>` for the first override that does not
    hold; `space` is the resolved space, `base` the catalogue's own."""
    fits = _fit_error(estimator) is None  # it fits a few rows with its own values
    for name in overrides:
        where = f"tune.space.{key}.{name}"
        param = space[name]
        if name in base:
            _same_kind(where, base[name], param)
            _not_too_wide(where, base[name], param)
        for value in _ends(param):
            _taken(where, estimator, name, value, fit=fits)


def _ends(param: Param) -> list[object]:
    if isinstance(param, Choice):
        return list(param.choices)
    return [param.low, param.high]


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _same_kind(where: str, base: Param, param: Param) -> None:
    values = _ends(param)
    if isinstance(base, IntRange):
        wrong = next((v for v in values if not _whole(v)), None)
        if wrong is not None or isinstance(param, FloatRange):
            shown = wrong if wrong is not None else values[0]
            raise ConfigError(
                f"{where}: this parameter takes whole numbers, and {shown!r} is not one; "
                "write them without '.' (e.g. low = 100, high = 200)"
            )
    elif isinstance(base, FloatRange):
        wrong = next((v for v in values if not is_number(v)), None)
        if wrong is not None:
            raise ConfigError(f"{where}: this parameter takes numbers, and {wrong!r} is not one")
    elif all(isinstance(c, str) for c in base.choices):
        wrong = next((v for v in values if not isinstance(v, str)), None)
        if wrong is not None:
            known = ", ".join(str(c) for c in base.choices)
            raise ConfigError(
                f"{where}: this parameter takes names (such as {known}), and {wrong!r} is not one"
            )


def _not_too_wide(where: str, base: Param, param: Param) -> None:
    if isinstance(base, Choice) or base.high <= 0:
        return
    most = base.high * WIDEST
    numbers = [float(v) for v in _ends(param) if isinstance(v, int | float)]
    highest = max(numbers, default=None)
    if highest is not None and highest > most:
        shown = int(most) if isinstance(base, IntRange) else most
        raise ConfigError(
            f"{where}: {highest:g} is over {WIDEST} times the highest value the catalogue "
            f"searches ({base.high!r}); use at most {shown!r}"
        )


def _taken(where: str, estimator: BaseEstimator, name: str, value: object, *, fit: bool) -> None:
    from sklearn.base import clone

    est = clone(estimator).set_params(**{name: value})
    try:
        if hasattr(est, "_parameter_constraints"):
            est._validate_params()
        elif fit and name != "n_estimators":  # a count of trees: checked above
            problem = _fit_error(est)
            if problem is not None:
                raise ValueError(problem)
    except (ValueError, TypeError) as exc:
        reason = one_line(str(exc).split("\n")[0])[:200]
        raise ConfigError(f"{where}: the model does not take {value!r} ({reason})") from None


def _fit_error(estimator: BaseEstimator) -> str | None:
    """Why the estimator does not fit 40 rows of 3 columns (with 5 trees, if it grows
    trees: a value is tried for what it is, not for how long it takes); None if it does."""
    import numpy as np
    from sklearn.base import clone

    est = clone(estimator)
    if "n_estimators" in est.get_params():
        est.set_params(n_estimators=5)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.arange(40) % 2
    try:
        est.fit(X, y)
    except Exception as exc:  # a fit refused for any reason: the value is not one it takes
        first = str(exc).strip().split("\n")[0]  # the library's own words, not its stack
        return re.sub(r"^\[[\d:]+\] \S+:\d+: ", "", first) or type(exc).__name__
    return None
