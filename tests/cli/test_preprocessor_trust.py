"""`credit train --preprocessor FILE`: a joblib file is a pickle, whose code runs while it is
read, so it is opened only with `train.trust_preprocessor_code`; a Pipeline (which cannot be
nested in credit's own) or an object that is not a transformer is one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.test_hardening import one_error_line
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.errors import DataError, InputError
from credit_mlops.train import inputs

runner = CliRunner()
TRUST = {"CREDIT_TRAIN__TRUST_PREPROCESSOR_CODE": "true"}
FAST = ["-m", "logistic_regression", "--cv-folds", "2", "--cv-repeats", "1", "--no-register"]


class Payload:
    """A pickle that makes a file when it is read: proof that its code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def dumped(tmp_path: Path, obj: object, name: str = "pre.joblib") -> Path:
    import joblib

    path = tmp_path / name
    joblib.dump(obj, path)
    return path


def test_without_the_setting_the_file_is_refused_before_it_is_opened(
    project: Path, tmp_path: Path, synthetic_file: Path
) -> None:
    marker = tmp_path / "code-ran.txt"
    pre = dumped(tmp_path, Payload(marker))
    args = ["train", "--data", str(synthetic_file), *FAST, "--preprocessor", str(pre)]
    result = runner.invoke(app, args)
    one_error_line(
        result, str(pre), "runs the code", "train.trust_preprocessor_code", "CREDIT_TRAIN__"
    )
    assert not marker.exists()  # the pickle was never read
    assert not (project / ".credit").exists()  # nothing trained, nothing tracked


def test_the_check_refuses_before_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import joblib

    def never(*_: object, **__: object) -> object:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(joblib, "load", never)
    pre = tmp_path / "pre.joblib"
    pre.write_bytes(b"anything")
    with pytest.raises(InputError, match=r"train\.trust_preprocessor_code"):
        inputs.preprocessor(pre)
    with pytest.raises(InputError, match="CREDIT_TRAIN__TRUST_PREPROCESSOR_CODE"):
        inputs.check(inputs.TrainInputs(preprocessor=pre), 1)
    with pytest.raises(DataError, match="does not exist"):  # a missing file is named as such
        inputs.check(inputs.TrainInputs(preprocessor=tmp_path / "gone.joblib"), 1)


def test_a_pipeline_is_one_line(project: Path, tmp_path: Path, synthetic_file: Path) -> None:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    pre = dumped(tmp_path, make_pipeline(PolynomialFeatures(2), StandardScaler()))
    args = ["train", "--data", str(synthetic_file), *FAST, "--preprocessor", str(pre)]
    result = runner.invoke(app, args, env=TRUST)
    one_error_line(result, str(pre), "Pipeline", "ColumnTransformer")
    assert not (project / ".credit").exists()


@pytest.mark.parametrize("kind", ["imblearn", "classifier", "number"])
def test_other_objects_are_refused_when_read(tmp_path: Path, kind: str) -> None:
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    obj = {
        "imblearn": Pipeline([("scale", StandardScaler())]),
        "classifier": LogisticRegression(),
        "number": 3,
    }[kind]
    pre = dumped(tmp_path, obj)
    expected = "Pipeline" if kind == "imblearn" else "not a transformer"
    with pytest.raises(DataError, match=expected):
        inputs.preprocessor(pre, trust_code=True)


def test_a_transformer_is_taken_with_the_setting(tmp_path: Path) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    pre = dumped(tmp_path, ColumnTransformer([("s", StandardScaler(), ["laufzeit"])]))
    assert type(inputs.preprocessor(pre, trust_code=True)).__name__ == "ColumnTransformer"


def test_help_says_the_file_runs_code() -> None:
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "300"})
    text = " ".join(result.output.split())
    assert "runs the code" in text and "train.trust_preprocessor_code" in text


# A trusted transformer is the team's own code: what it gives, or raises, is input too.
def _texts(X: object) -> object:
    import numpy as np

    return np.full((len(X), 2), "a", dtype=object)  # type: ignore[arg-type]


def _raises(X: object) -> object:
    raise ValueError("the team's code failed\nerror: a forged second line")


def _one_row_short(X: object) -> object:
    import numpy as np

    return np.zeros((len(X) - 1, 2))  # type: ignore[arg-type]


def _gaps(X: object) -> object:
    import numpy as np

    out = np.zeros((len(X), 2))  # type: ignore[arg-type]
    out[0, 0] = np.inf
    return out


def _flat(X: object) -> object:
    import numpy as np

    return np.zeros(len(X))  # type: ignore[arg-type]


def _sparse(X: object) -> object:
    import numpy as np
    from scipy import sparse

    return sparse.csr_matrix(np.ones((len(X), 2)))  # type: ignore[arg-type]


class _OnlyItsOwnRows:
    """Fits, and transforms the rows it was fitted on, but fails on any other rows: a
    fault only the folds reveal."""

    def fit(self, X: object, y: object = None) -> _OnlyItsOwnRows:
        self.n_ = len(X)  # type: ignore[arg-type]
        return self

    def transform(self, X: object) -> object:
        import numpy as np

        if len(X) != self.n_:  # type: ignore[arg-type]
            raise KeyError("rows it was not fitted on")
        return np.arange(2 * self.n_, dtype=float).reshape(-1, 2)

    def fit_transform(self, X: object, y: object = None) -> object:
        return self.fit(X).transform(X)

    def get_params(self, deep: bool = True) -> dict[str, object]:
        return {}

    def set_params(self, **params: object) -> _OnlyItsOwnRows:
        return self


@pytest.mark.parametrize(
    ("func", "expected"),
    [
        (_texts, "not numbers"),
        (_raises, "fitting it on the training rows failed (ValueError: the team's code failed)"),
        (_one_row_short, "gives 9 rows for 10"),
        (_gaps, "missing or infinite"),
        (_flat, "1-D output"),
    ],
    ids=["text", "raises", "rows", "infinite", "1-D"],
)
def test_what_the_transformer_gives_is_checked(tmp_path: Path, func: object, expected: str) -> None:
    import pandas as pd
    from sklearn.preprocessing import FunctionTransformer

    X = pd.DataFrame({"a": range(10), "b": range(10)})
    with pytest.raises(DataError) as caught:
        inputs.check_output(tmp_path / "pre.joblib", FunctionTransformer(func), X)
    message = str(caught.value)
    assert expected in message and "pre.joblib" in message and "\n" not in message


def test_a_sparse_numeric_output_is_taken(tmp_path: Path) -> None:
    import pandas as pd
    from sklearn.preprocessing import FunctionTransformer

    X = pd.DataFrame({"a": range(10)})
    inputs.check_output(tmp_path / "pre.joblib", FunctionTransformer(_sparse), X)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ("texts", "not numbers"),
        ("raises", "the team's code failed"),
        ("folds", "training with it failed (KeyError: 'rows it was not fitted on')"),
    ],
)
def test_a_failing_transformer_is_one_line_and_nothing_is_written(
    project: Path, tmp_path: Path, synthetic_file: Path, obj: str, expected: str
) -> None:
    from sklearn.preprocessing import FunctionTransformer

    made = {
        "texts": FunctionTransformer(_texts),
        "raises": FunctionTransformer(_raises),
        "folds": _OnlyItsOwnRows(),
    }[obj]
    pre = dumped(tmp_path, made)
    args = ["train", "--data", str(synthetic_file), *FAST, "--preprocessor", str(pre)]
    result = runner.invoke(app, args, env=TRUST)
    one_error_line(result, str(pre), expected)
    assert "forged" not in result.output.replace("\\n", " ") or "\\n" in result.output
    assert not list((project / ".credit").glob("**/meta.yaml"))  # no run was logged
