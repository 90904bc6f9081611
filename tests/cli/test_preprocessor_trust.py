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
