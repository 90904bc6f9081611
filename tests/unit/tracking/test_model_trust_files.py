"""The model file an MLmodel names is read back: only a regular file of the model's own
folder is loaded, and a missing one is damage (register again), never a question of trust."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from credit_mlops.tracking.model_trust import (
    DamagedModelError,
    UntrustedModelError,
    check,
    checked_file,
)

URI = "models:/m/1"


def model_folder(tmp_path: Path, data_file: str) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "MLmodel").write_text(
        f"flavors:\n  sklearn:\n    serialization_format: skops\n    pickled_model: {data_file!r}\n"
    )
    return folder


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "../outside.skops", "sub/model.skops", "..", "a\\b.skops"]
)
def test_a_data_file_outside_the_models_own_folder_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "outside.skops").write_bytes(b"PK")
    folder = model_folder(tmp_path, name)
    with pytest.raises(UntrustedModelError, match="not a file of the model's own folder"):
        checked_file(folder, URI, trust_code=False)


def test_a_link_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "other_team.skops").write_bytes(b"PK")
    folder = model_folder(tmp_path, "model.skops")
    os.symlink(tmp_path / "other_team.skops", folder / "model.skops")
    with pytest.raises(DamagedModelError, match="not a regular file"):
        checked_file(folder, URI, trust_code=False)


def test_a_missing_model_file_is_damage_and_never_advises_trusting_code(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, "model.skops")
    with pytest.raises(DamagedModelError) as caught:
        checked_file(folder, URI, trust_code=False)
    assert "missing" in str(caught.value) and "trust" not in str(caught.value)
    assert str(tmp_path) not in str(caught.value)


def test_a_file_skops_cannot_read_is_damage_not_an_untrusted_type(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, "model.skops")
    (folder / "model.skops").write_bytes(b"not a zip")
    with pytest.raises(DamagedModelError, match="not a readable skops file") as caught:
        check(folder, URI, trust_code=False)
    assert "trust" not in str(caught.value)


def test_the_models_own_file_is_taken(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, "model.skops")
    (folder / "model.skops").write_bytes(b"PK")
    assert checked_file(folder, URI, trust_code=False) == folder / "model.skops"


def test_a_model_of_trusted_parts_that_is_no_classifier_is_damage(tmp_path: Path) -> None:
    import skops.io

    from credit_mlops.tracking.model_trust import load_checked

    folder = model_folder(tmp_path, "model.skops")
    skops.io.dump({"a": 1}, folder / "model.skops")
    with pytest.raises(DamagedModelError, match="holds a dict, not a classifier"):
        load_checked(folder, URI, trust_code=False)


def test_a_file_the_store_cannot_give_is_damage_in_one_line(tmp_path: Path) -> None:
    """A link out of the store's folder: MLflow refuses to copy it and lists the failure on
    lines of its own; the user gets one line that keeps the reason."""
    from credit_mlops.tracking.model_trust import download

    stored = tmp_path / "store" / "model"
    stored.mkdir(parents=True)
    (stored / "MLmodel").write_text("flavors: {}\n")
    os.symlink("/etc/passwd", stored / "model.skops")
    with pytest.raises(DamagedModelError) as caught:
        download(f"file://{stored}", tmp_path / "into")
    message = str(caught.value)
    assert "\n" not in message and "model.skops" in message and "outside" in message


@pytest.mark.parametrize(
    ("mlmodel", "said"),
    [
        (b"", "empty or names no flavour"),
        (b"flavors: [1, 2]\n", "empty or names no flavour"),
        (b"flavors: {}\n", "empty or names no flavour"),
        (b"\xff\xfe\x00garbage", "damaged (not readable as YAML)"),
        (b"flavors: !!python/object/apply:os.system ['true']\n", "damaged (not readable as YAML)"),
        (None, "missing or unreadable"),
    ],
)
@pytest.mark.parametrize("trust_code", [False, True])
def test_a_damaged_mlmodel_is_damage_in_one_line_even_when_code_is_trusted(
    tmp_path: Path, mlmodel: bytes | None, said: str, trust_code: bool
) -> None:
    """Never the advice to trust code, never the temporary folder's path, one line."""
    folder = tmp_path / "model"
    folder.mkdir()
    if mlmodel is not None:
        (folder / "MLmodel").write_bytes(mlmodel)
    with pytest.raises(DamagedModelError) as caught:
        checked_file(folder, URI, trust_code=trust_code)
    text = str(caught.value)
    assert text.startswith(f"{URI}: its MLmodel file is {said}; train and register")
    assert "trust" not in text and str(tmp_path) not in text and "\n" not in text


def test_a_trusted_model_mlflow_cannot_load_is_damage_in_one_line(tmp_path: Path) -> None:
    from credit_mlops.tracking.model_trust import load_checked

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "MLmodel").write_text(
        "flavors:\n  sklearn:\n    serialization_format: cloudpickle\n"
        "    pickled_model: model.pkl\n"
    )
    (folder / "model.pkl").write_bytes(b"\x80\x04truncated")
    with pytest.raises(DamagedModelError, match=r"^models:/m/1: the trusted model could not"):
        load_checked(folder, URI, trust_code=True)


def _huge_coefficients(card: Any) -> None:
    card.estimator_.coef_ = np.full_like(card.estimator_.coef_, 1e308)  # finite, its points not


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (lambda card: setattr(card, "offset_", -math.inf), "offset is not a finite number"),
        (lambda card: setattr(card, "factor_", math.nan), "factor is not a finite number"),
        (_huge_coefficients, "points are not all finite numbers"),
    ],
)
def test_a_scorecard_whose_points_are_not_finite_is_damage(
    tmp_path: Path, spoil: Callable[[Any], None], problem: str
) -> None:
    """A scorecard logged with a scale beyond any number (or changed since) is refused when
    read back, in one line that says why, never scored with -inf or NaN points."""
    import skops.io

    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.schema import TARGET
    from credit_mlops.tracking.model_trust import load_checked
    from credit_runtime.scorecard import ScorecardClassifier

    frame = synthetic(300, seed=5)
    X, y = frame[["laufzeit", "hoehe", "alter"]], (frame[TARGET] == 0).astype(int)
    card = ScorecardClassifier(c_grid=(1.0,), inner_folds=2).fit(X, y)
    folder = model_folder(tmp_path, "model.skops")
    skops.io.dump(card, folder / "model.skops")
    assert load_checked(folder, URI, trust_code=False).credit_score(X).size == len(X)
    spoil(card)
    skops.io.dump(card, folder / "model.skops")
    with pytest.raises(DamagedModelError, match=problem) as refused:
        load_checked(folder, URI, trust_code=False)
    assert "\n" not in str(refused.value) and "train and register" in str(refused.value)
