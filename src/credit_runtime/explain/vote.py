"""Reasons of a soft vote whose members all have exact explainers: the members' own
attributions, weighted as the vote weights their probabilities.

The vote's P(bad) is the weighted mean of its members' P(bad), and Shapley values are linear
in the model's output, so a column's contribution to the vote is the weighted mean of its
contributions to each member, all in probability. A tree member's TreeSHAP is already in
probability; a logistic regression's or XGBoost's exact attributions are in log-odds, and are
carried to probability by the one factor that keeps them additive, (p - p0) / (g - g0) for the
member's log-odds g (p = sigmoid(g)) and base g0: each column keeps its sign and its rank
within the member, and the contributions add up to p - p0. The result adds up to the vote's
P(bad) exactly (up to XGBoost's float32 contributions); the split between columns is exact
for tree members and a rescaling for the others, so it is marked not exact.

A vote with a member that has no exact explainer (an SVM, a calibrated member), a hard vote,
or a vote wrapped in calibration is explained by permutation sampling
(`credit_runtime.explain.agnostic`), as any other model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from credit_runtime.explain.attribution import Attribution, Explainer, Factory, factory_for

TINY = 1e-12  # |g - g0| below this: the derivative of the sigmoid at g0


class VoteExplainer:
    method = (
        "members' exact attributions weighted as the soft vote "
        "(log-odds carried to probability), probability"
    )
    needs_background = True  # a logistic regression member needs it

    def __init__(self, members: Sequence[Explainer], weights: np.ndarray, columns: Sequence[str]):
        self.members = tuple(members)
        self.weights = weights / weights.sum()
        self.columns = tuple(columns)

    def explain(self, X: pd.DataFrame) -> Attribution:
        values = np.zeros((len(X), len(self.columns)))
        base = np.zeros(len(X))
        position = {c: i for i, c in enumerate(self.columns)}
        for member, weight in zip(self.members, self.weights, strict=True):
            part = member.explain(X)
            contributions, start = _in_probability(part)
            where = [position[c] for c in part.columns]
            values[:, where] += weight * contributions
            base += weight * start
        return Attribution(
            values=values,
            base=base,
            columns=self.columns,
            space="probability",
            method=self.method,
            exact=False,
        )


def _in_probability(part: Attribution) -> tuple[np.ndarray, np.ndarray]:
    """(contributions, base) of one member in probability."""
    if part.space == "probability":
        return part.values, part.base
    g0 = part.base
    g = part.values.sum(axis=1) + g0
    p0, p = _sigmoid(g0), _sigmoid(g)
    step = g - g0
    flat = np.abs(step) < TINY
    factor = np.where(flat, p0 * (1.0 - p0), (p - p0) / np.where(flat, 1.0, step))
    return part.values * factor[:, None], p0


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=float)


def member_factories(model: Any, columns: Sequence[str]) -> list[Factory] | None:
    """The exact explainer factory of each member when `vote_explainer` explains the vote
    by its members, else None (it is then explained by permutation sampling)."""
    plain = _plain_vote(model, columns)
    return None if plain is None else plain[1]


def vote_explainer(model: Any, columns: Sequence[str], background: pd.DataFrame | None) -> Any:
    """The explainer of the catalogue's `ensemble` key (see the module docstring)."""
    from credit_runtime.explain.agnostic import PermutationExplainer

    plain = _plain_vote(model, columns)
    if plain is None:
        return PermutationExplainer(model, columns, background)
    vote, factories, weights = plain
    members = [f(m, columns, background) for f, m in zip(factories, vote.estimators_, strict=True)]
    return VoteExplainer(members, weights, columns)


vote_explainer.needs_background = True  # type: ignore[attr-defined]  # a linear member's mean


def _plain_vote(model: Any, columns: Sequence[str]) -> tuple[Any, list[Factory], np.ndarray] | None:
    """(the vote, its members' exact explainer factories, its weights) for a plain soft vote:
    no transform before it, no calibration around it, no member dropped, every member with
    an exact explainer whose features all map to distinct input columns, and weights that
    make a weighted mean; None for anything else."""
    from sklearn.ensemble import VotingClassifier

    from credit_runtime.explain.agnostic import PermutationExplainer
    from credit_runtime.explain.anatomy import anatomy

    parts = anatomy(model, columns)
    vote = parts.estimator
    if parts.transforms or type(vote) is not VotingClassifier or vote.voting != "soft":
        return None
    if len(vote.estimators_) != len(vote.estimators):
        return None
    weights = (
        np.ones(len(vote.estimators_)) if vote.weights is None else np.asarray(vote.weights, float)
    )
    if (weights < 0).any() or not weights.sum() > 0:
        return None  # not a weighted mean
    for member in vote.estimators_:
        own = anatomy(member, columns).columns
        if len(set(own)) != len(own) or not set(own) <= set(columns):
            return None  # a feature that maps to no input column
    factories = [factory_for(member, None, columns) for member in vote.estimators_]
    if any(f is PermutationExplainer for f in factories):
        return None
    return vote, factories, weights
