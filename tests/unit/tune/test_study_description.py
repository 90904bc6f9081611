"""One study, one question: the data description (what decides the features) is part of a
study's identity, so a worker with another description of the same data file is refused;
a study recorded before the description was part of it is joined only on a full match."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from credit_mlops.errors import ConfigError
from credit_mlops.tune.study import open_study, study_identity


def _identity(project: Path, description: str, **changes: str) -> dict[str, str]:
    from credit_mlops.config.loader import load_settings

    settings = load_settings(None, {})
    return {**study_identity(settings, "logistic_regression", ("data1", description)), **changes}


def test_the_identity_holds_the_description_digest_beside_the_data_s(project: Path) -> None:
    identity = _identity(project, "desc1")
    assert identity["data_digest"] == "data1"
    assert identity["data_description_digest"] == "desc1"


def test_a_worker_with_another_description_is_refused_in_one_line(project: Path) -> None:
    storage = optuna.storages.InMemoryStorage()
    open_study(storage, "s", "maximize", seed=0, attrs=_identity(project, "nominal"))
    with pytest.raises(ConfigError) as info:
        open_study(storage, "s", "maximize", seed=0, attrs=_identity(project, "ordinal"))
    message = str(info.value)
    assert "\n" not in message
    assert "made for data_description_digest nominal" in message
    assert "this worker asks data_description_digest ordinal" in message
    assert open_study(storage, "s", "maximize", seed=0, attrs=_identity(project, "nominal"))


def test_a_study_recorded_before_the_description_joins_only_on_a_full_match(
    project: Path,
) -> None:
    storage = optuna.storages.InMemoryStorage()
    old = {k: v for k, v in _identity(project, "x").items() if k != "data_description_digest"}
    open_study(storage, "s", "maximize", seed=0, attrs=old)  # as an older credit recorded it
    with pytest.raises(ConfigError, match="made for folds"):  # what it records still counts
        open_study(storage, "s", "maximize", seed=0, attrs=_identity(project, "A", folds="9"))
    study = open_study(storage, "s", "maximize", seed=0, attrs=_identity(project, "A"))
    assert study.user_attrs["data_description_digest"] == "A"  # recorded by the first joiner
    with pytest.raises(ConfigError, match="data_description_digest A"):
        open_study(storage, "s", "maximize", seed=0, attrs=_identity(project, "B"))
