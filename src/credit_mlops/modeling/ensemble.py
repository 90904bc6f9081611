"""The `ensemble` model: a soft vote (weighted mean of P(bad)) of catalogue models.

Each member is a whole catalogue pipeline (its own preprocessing, resampling and model), so any
catalogue key can be a member, whatever columns or encoding it needs. The vote is scikit-learn's
VotingClassifier(voting="soft"); its parameters are logged as `model__<member>__<param>`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from credit_mlops.modeling.catalog import ENSEMBLE_KEY

if TYPE_CHECKING:
    from sklearn.ensemble import VotingClassifier

Scalar = str | int | float | bool | None


class MemberError(ValueError):
    """A member or a member's parameter override that does not exist."""


def with_overrides(pipeline: Any, member: str, overrides: Mapping[str, Scalar]) -> Any:
    """Set a member's parameter overrides; a plain name is a parameter of its model step.

    `max_depth` sets `model__max_depth`; a name starting with one of the pipeline's step names
    (`preprocess__...`, `smote__...`) is set as given.
    """
    if not overrides:
        return pipeline
    steps = set(getattr(pipeline, "named_steps", {}))
    valid = pipeline.get_params(deep=True)
    resolved: dict[str, Scalar] = {}
    for name, value in overrides.items():
        full = name if name.split("__", 1)[0] in steps else f"model__{name}"
        if full not in valid:
            raise MemberError(f"ensemble member '{member}' has no parameter '{name}'")
        resolved[full] = value
    return pipeline.set_params(**resolved)


def soft_vote(
    members: Sequence[str],
    build: Callable[[str], Any],
    *,
    weights: Sequence[float] | None = None,
    params: Mapping[str, Mapping[str, Scalar]] | None = None,
) -> Any:
    """VotingClassifier over `build(key)` for each member, overrides applied."""
    from sklearn.ensemble import VotingClassifier

    params = params or {}
    if len(members) < 2:
        raise MemberError("an ensemble needs at least two members")
    if len(set(members)) != len(members):
        raise MemberError("ensemble members must be distinct")
    if ENSEMBLE_KEY in members:
        raise MemberError("an ensemble cannot be a member of itself")
    unknown = sorted(set(params) - set(members))
    if unknown:
        raise MemberError(
            f"parameter overrides for '{unknown[0]}', which is not an ensemble member "
            f"(members: {', '.join(members)})"
        )
    if weights is not None and len(weights) != len(members):
        raise MemberError(
            f"{len(weights)} ensemble weights for {len(members)} members; give one per member"
        )
    estimators = [(key, with_overrides(build(key), key, params.get(key, {}))) for key in members]
    return VotingClassifier(
        estimators, voting="soft", weights=list(weights) if weights else None, n_jobs=1
    )


def vote_of(model: object) -> VotingClassifier | None:
    """The VotingClassifier inside a pipeline (step `model`) or the model itself, else None."""
    from sklearn.ensemble import VotingClassifier

    if isinstance(model, VotingClassifier):
        return model
    step = getattr(model, "named_steps", {}).get("model")
    return step if isinstance(step, VotingClassifier) else None


def ensemble_hyperparameters(vote: VotingClassifier) -> dict[str, Scalar]:
    """`<member>__<param>` for every member's model hyperparameter, plus weights and members."""
    from sklearn.base import BaseEstimator

    out: dict[str, Scalar] = {
        "members": ",".join(name for name, _ in vote.estimators),
        "weights": ",".join(str(w) for w in vote.weights) if vote.weights else "equal",
        "voting": vote.voting,
    }
    fitted = getattr(vote, "named_estimators_", None)
    for name, member in vote.estimators:
        member = fitted[name] if fitted is not None else member
        model = getattr(member, "named_steps", {}).get("model", member)
        for param, value in sorted(model.get_params(deep=True).items()):
            if not isinstance(value, BaseEstimator):
                out[f"{name}__{param}"] = value
    return out
