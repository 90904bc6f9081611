"""The groups `credit fairness` compares, as the settings give them: a column named twice,
bands for a column the data lacks or for codes, are refused; bands the user gives apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_mlops.config.loader import load_settings
from credit_mlops.data.schema import DEFAULT
from credit_mlops.errors import InputError
from credit_mlops.fairness.assess import check_settings, groups_of


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"CREDIT_FAIRNESS__ATTRIBUTES": '["alter", "alter"]'}, "names 'alter' twice"),
        ({"CREDIT_FAIRNESS__BANDS__NOSUCH": "[1]"}, "fairness.bands.nosuch: the data has no"),
        ({"CREDIT_FAIRNESS__BANDS__GASTARB": "[1.5]"}, "gastarb holds codes, not numbers"),
    ],
)
def test_groups_that_would_be_wrong_or_ignored_are_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], said: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InputError, match=said):
        check_settings(load_settings())


def test_bands_the_user_gives_apply_with_the_descriptions_attributes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_FAIRNESS__BANDS__ALTER", "[30, 60]")
    attributes, bands = groups_of(load_settings(), DEFAULT)
    assert "alter" in attributes and bands["alter"] == [30.0, 60.0]
