"""Oversampling's neighbour counts against what a training fold holds: refused before any
work in one line (scikit-learn's own error came as a traceback from inside a fold)."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_mlops.config.loader import load_settings
from credit_mlops.errors import InputError
from credit_mlops.train import limits


@pytest.mark.parametrize(
    ("variable", "value", "needle"),
    [
        ("CREDIT_TRAIN__SMOTE_K_NEIGHBORS", "500", "smote_k_neighbors = 500"),
        ("CREDIT_TRAIN__SMOTE_K_NEIGHBORS", str(10**20), "smote_k_neighbors"),
        ("CREDIT_TRAIN__SMOTE_M_NEIGHBORS", "5000", "smote_m_neighbors = 5,000"),
    ],
)
def test_neighbours_a_fold_cannot_give_are_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, needle: str
) -> None:
    monkeypatch.setenv(variable, value)
    settings = load_settings()
    with pytest.raises(InputError, match=needle):
        limits.check_oversampling(settings, ["logistic_regression"], 700, 210)


def test_the_defaults_and_no_oversampling_pass(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits.check_oversampling(load_settings(), ["logistic_regression"], 700, 210)
    monkeypatch.setenv("CREDIT_TRAIN__SMOTE_K_NEIGHBORS", "500")
    monkeypatch.setenv("CREDIT_TRAIN__SMOTE", "false")
    limits.check_oversampling(load_settings(), ["logistic_regression"], 700, 210)
