"""Training onto a disk that cannot keep the run is refused before any work."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from credit_mlops.config.loader import load_settings
from credit_mlops.errors import CreditError
from credit_mlops.train.limits import check_free_space


def test_enough_room_passes(project: Path) -> None:
    check_free_space(load_settings(), 1_000_000)


def test_too_little_room_is_one_line_naming_the_setting(project: Path) -> None:
    free_mib = shutil.disk_usage(project).free / 2**20
    settings = load_settings(None, {"train": {"min_free_mb": int(free_mib) + 1024}})
    with pytest.raises(CreditError) as caught:
        check_free_space(settings, 0)
    message = str(caught.value)
    assert "MiB free" in message and "nothing was trained" in message
    assert "train.min_free_mb = 0" in message and "\n" not in message
    assert caught.value.exit_code == 1


def test_the_data_copy_counts(project: Path) -> None:
    """The outbox keeps a copy of the data: a large frame needs room beyond the minimum."""
    free = shutil.disk_usage(project).free
    with pytest.raises(CreditError):
        check_free_space(load_settings(None, {"train": {"min_free_mb": 1}}), free + 2**30)


def test_zero_turns_the_check_off(project: Path) -> None:
    free = shutil.disk_usage(project).free
    check_free_space(load_settings(None, {"train": {"min_free_mb": 0}}), free * 2)
