"""The logistic regression's C chosen at every fit from that fit's rows (modeling/inner_search)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from credit_mlops.modeling.build import (
    EnsembleSpec,
    PipelineConfig,
    QualityConfig,
    ResamplingConfig,
    build_pipeline,
)
from credit_mlops.modeling.catalog import KINDS
from credit_mlops.modeling.cv import fitted
from credit_mlops.modeling.describe import describe
from credit_mlops.modeling.inner_search import chosen, summed_log_loss

KEY = "logistic_regression"
GRID = KINDS[KEY].inner_grid["C"]


def _noisy(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Few informative columns among many noisy ones: a strong penalty should win."""
    from tests import own_data

    frame = own_data.wide(n=n, seed=seed)
    y = frame.pop("bad").to_numpy()
    return frame, y


def _config(**changes: Any) -> PipelineConfig:
    import tempfile
    from pathlib import Path

    from credit_mlops.data.draft import draft

    X, y = _noisy()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wide.csv"
        X.assign(bad=y).to_csv(path, index=False)
        described = draft(path, target="bad", bad="1").description
    return replace(PipelineConfig(seed=0, resampling=None, description=described), **changes)


def test_the_choice_is_the_grid_point_with_the_lowest_inner_log_loss() -> None:
    """Checked against scikit-learn's own grid search on the same inner folds."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    X, y = _noisy()
    config = _config()
    choice = chosen(KEY, config, X, y).model_params[KEY]["C"]
    search = GridSearchCV(
        build_pipeline(KEY, config),
        {"model__C": list(GRID)},
        cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=0),
        scoring="neg_log_loss",
    ).fit(X, y)
    assert choice == search.best_params_["model__C"]
    assert choice != 1.0  # the catalogue's fixed value is not what these rows call for


def test_a_fit_is_built_with_the_chosen_value_and_it_is_reproducible() -> None:
    X, y = _noisy()
    config = _config()
    model, _ = fitted(KEY, config, X, y)
    again, _ = fitted(KEY, config, X, y)
    assert (
        describe(model).hyperparameters()["C"] == chosen(KEY, config, X, y).model_params[KEY]["C"]
    )
    np.testing.assert_array_equal(model.predict_proba(X), again.predict_proba(X))


def test_only_the_fit_rows_choose() -> None:
    """Rows left out of a fit (a fold's test rows) change nothing about its choice."""
    X, y = _noisy(n=400)
    config = _config()
    first = chosen(KEY, config, X.iloc[:300], y[:300]).model_params[KEY]
    flipped = X.copy()
    flipped.iloc[300:] = flipped.iloc[300:].to_numpy()[::-1]
    assert chosen(KEY, config, flipped.iloc[:300], y[:300]).model_params[KEY] == first


@pytest.mark.parametrize(
    "changes",
    [
        {"inner_search": False},
        {"inner_search_max_rows": 100},  # more rows than that: the fixed value
        {"model_params": {KEY: {"C": 5.0}}},  # given by credit tune or --params-from
    ],
)
def test_the_catalogue_or_the_users_value_is_kept(changes: dict[str, Any]) -> None:
    X, y = _noisy()
    config = _config(**changes)
    assert chosen(KEY, config, X, y) == config


def test_kinds_without_a_grid_are_left_alone() -> None:
    X, y = _noisy()
    config = _config()
    assert chosen("decision_tree", config, X, y) == config


def test_the_ensembles_logistic_member_is_chosen_unless_its_params_give_it() -> None:
    X, y = _noisy()
    config = _config()
    vote = chosen("ensemble", config, X, y).model_params
    assert vote[KEY]["C"] == chosen(KEY, config, X, y).model_params[KEY]["C"]
    assert set(vote) == {KEY}
    given = replace(config, quality=QualityConfig(ensemble=EnsembleSpec(params={KEY: {"C": 2.0}})))
    assert chosen("ensemble", given, X, y) == given


def test_oversampling_happens_on_inner_fit_parts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Synthetic rows are drawn from each inner fit part: never from rows it is checked on."""
    from imblearn.over_sampling import BorderlineSMOTE

    X, y = _noisy()
    seen: list[int] = []
    original = BorderlineSMOTE.fit_resample

    def spy(self: Any, rows: Any, labels: Any) -> Any:
        seen.append(len(labels))
        return original(self, rows, labels)

    monkeypatch.setattr(BorderlineSMOTE, "fit_resample", spy)
    chosen(KEY, _config(resampling=ResamplingConfig("BorderlineSMOTE")), X, y)
    assert seen == [240] * 5  # each inner fit part: four fifths of the 300 rows


def test_summed_log_loss_is_scikit_learns() -> None:
    from sklearn.metrics import log_loss

    labels = np.array([0, 1, 1, 0, 1])
    proba = np.array([0.1, 0.8, 0.0, 0.4, 1.0])
    assert summed_log_loss(labels, proba) == pytest.approx(
        log_loss(labels, proba, labels=[0, 1]) * len(labels)
    )
