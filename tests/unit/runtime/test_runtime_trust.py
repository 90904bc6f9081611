"""The runtime's allowlist: skops files are built only from types the runtime trusts (not the
types a model lists about itself); models saved under the old class paths still load."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.preprocessing import FunctionTransformer

from credit_runtime.errors import DamagedModel, UntrustedModel
from credit_runtime.kernel_approx import ScaledNystroem
from credit_runtime.trust import load_estimator, untrusted


def _renamed(source: Path, target: Path, old: str, new: str) -> Path:
    """A copy of a skops file whose stored class path `old` reads `new` (an older model)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "schema.json":
                data = data.replace(old.encode(), new.encode())
            zout.writestr(item, data)
    return target


def test_a_model_under_the_old_class_path_still_loads(tmp_path: Path) -> None:
    X = np.random.default_rng(0).normal(size=(40, 3))
    fitted = ScaledNystroem(n_components=5, random_state=0).fit(X)
    new = tmp_path / "new.skops"
    skops.io.dump(fitted, new)
    old = _renamed(
        new,
        tmp_path / "old.skops",
        "credit_runtime.kernel_approx",
        "credit_mlops.modeling.kernel_approx",
    )
    assert "credit_mlops.modeling.kernel_approx.ScaledNystroem" in skops.io.get_untrusted_types(
        file=old
    )
    loaded = load_estimator(old)
    assert isinstance(loaded, ScaledNystroem)
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))


def test_a_type_outside_the_allowlist_is_refused_by_name(tmp_path: Path) -> None:
    shady = FunctionTransformer(np.testing.assert_array_equal).fit(np.zeros((2, 2)))
    path = tmp_path / "shady.skops"
    skops.io.dump(shady, path)
    assert untrusted(path) == ["numpy.testing._private.utils.assert_array_equal"]
    with pytest.raises(UntrustedModel, match="assert_array_equal"):
        load_estimator(path)


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [("model.pkl", b"\x80\x04N.", UntrustedModel), ("m.skops", b"x", DamagedModel)],
)
def test_anything_but_a_readable_skops_file_is_refused(
    tmp_path: Path, name: str, content: bytes, error: type[Exception]
) -> None:
    """Another format is a question of trust; a skops file that cannot be read is damage."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error, match="skops"):
        load_estimator(path)


@pytest.mark.parametrize("columns", [2, 3])
def test_oversampling_on_few_columns_keeps_a_tree_the_runtime_trusts(
    tmp_path: Path, columns: int
) -> None:
    """With few columns the sampler's neighbour search keeps a KDTree (more: brute force);
    a model trained so must load, or what the user trained could never be used."""
    from imblearn.over_sampling import BorderlineSMOTE
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(columns)
    X = rng.normal(size=(300, columns))
    y = (X[:, 0] + rng.normal(scale=0.5, size=300) > 0.8).astype(int)
    model = Pipeline(
        [("smote", BorderlineSMOTE(random_state=0)), ("model", LogisticRegression())]
    ).fit(X, y)
    path = tmp_path / "model.skops"
    skops.io.dump(model, path)
    assert any("KDTree" in t for t in skops.io.get_untrusted_types(file=path))
    loaded = load_estimator(path)
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("kind", ["fifo", "folder", "empty"])
def test_a_model_file_that_is_not_a_readable_regular_file_is_damaged(
    tmp_path: Path, kind: str
) -> None:
    """A pipe (reading would wait for ever), a folder or an empty file: DamagedModel at once."""
    import os

    path = tmp_path / "model.skops"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"")
    with pytest.raises(DamagedModel, match=r"model\.skops"):
        load_estimator(path)


@pytest.mark.parametrize("content", ["dict", "transformer"])
def test_a_file_of_trusted_parts_that_is_no_classifier_is_damaged(
    tmp_path: Path, content: str
) -> None:
    """Only trusted types, but no model: refused in one line before anything asks it for a
    probability (an AttributeError deep in scoring)."""
    from credit_runtime.trust import classifier

    obj = {"a": 1} if content == "dict" else ScaledNystroem(n_components=2)
    path = tmp_path / "model.skops"
    skops.io.dump(obj, path)
    with pytest.raises(DamagedModel, match="not a classifier"):
        classifier(load_estimator(path), path.name)
