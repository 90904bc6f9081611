"""What `credit train` trains on: the data (raw file or the scripts project's X/y files),
the holdout kept out, and an optional preprocessor of the team's own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credit_mlops import names
from credit_mlops.config.settings import Settings
from credit_mlops.data.dataset import Dataset
from credit_mlops.errors import DataError, InputError


@dataclass(frozen=True)
class TrainInputs:
    """Where the data comes from and the per-invocation names that are not settings."""

    x_train: Path | None = None
    y_train: Path | None = None
    preprocessor: Path | None = None
    run_name: str | None = None
    reg_name: str | None = None
    model_params: dict[str, dict[str, object]] | None = None  # key -> parameters (credit tune)
    params_from: str | None = None  # a `credit tune` run id whose best parameters to train


def check(inputs: TrainInputs, n_models: int, *, trust_preprocessor: bool = False) -> None:
    """Refused before any work: nothing trained, nothing written, exit 2."""
    if inputs.run_name is not None:
        names.run_name(inputs.run_name, flag="--mlflow-run-name")
    if inputs.reg_name is not None:
        names.registered_model(inputs.reg_name, flag="--mlflow-reg-name")
    if inputs.reg_name and n_models > 1:
        raise InputError("--mlflow-reg-name names one registered model; give one --model with it")
    if (inputs.x_train is None) != (inputs.y_train is None):
        raise InputError("--X-train and --y-train go together; give both or neither")
    if inputs.preprocessor is not None:
        check_preprocessor(inputs.preprocessor, trust_preprocessor)


TRUST_SETTING = "train.trust_preprocessor_code"
TRUST_ENV = "CREDIT_TRAIN__TRUST_PREPROCESSOR_CODE"


def check_preprocessor(path: Path, trust_code: bool) -> None:
    """The file exists, and the user said they trust the code it holds: a joblib file is a
    pickle, which runs whatever code it holds while it is read. Checked before it is opened."""
    if not path.is_file():
        raise DataError(
            f"preprocessor {path} does not exist; pass the joblib file of a transformer"
        )
    if not trust_code:
        raise InputError(
            f"--preprocessor {path}: loading a joblib file runs the code it holds; if you trust "
            f"it as code you run, set {TRUST_SETTING} = true (env {TRUST_ENV}=true), else "
            "leave out --preprocessor to use credit's own preprocessing"
        )


def load(settings: Settings, inputs: TrainInputs) -> Dataset:
    from credit_mlops.data.dataset import load_processed
    from credit_mlops.data.locate import load_configured

    minimum = settings.data.min_rows_per_class
    if inputs.x_train is not None and inputs.y_train is not None:
        return load_processed(
            inputs.x_train,
            inputs.y_train,
            preprocessed=inputs.preprocessor is not None,
            min_rows_per_class=minimum,
        )
    return load_configured(settings)


def preprocessor(path: Path | None, trust_code: bool = False) -> Any:
    """The transformer in `path` (None without one), refused unless `trust_code`
    (train.trust_preprocessor_code): the file is only opened once the user trusts it."""
    if path is None:
        return None
    check_preprocessor(path, trust_code)
    import joblib

    try:
        obj = joblib.load(path)  # the user trusts it (train.trust_preprocessor_code)
    except Exception as exc:
        raise DataError(f"{path}: not a joblib transformer ({type(exc).__name__})") from exc
    check_transformer(path, obj)
    return obj


def check_transformer(path: Path, obj: object) -> None:
    """A transformer credit can put first in its own pipeline (preprocessing, oversampling,
    model): not a pipeline of its own, which scikit-learn refuses to nest."""
    from sklearn.pipeline import Pipeline

    if isinstance(obj, Pipeline) or type(obj).__name__ == "Pipeline":
        raise DataError(
            f"{path}: holds a Pipeline, which cannot be nested in the pipeline credit builds "
            "around it (preprocessing, oversampling, model); give a ColumnTransformer or a "
            "single transformer"
        )
    if not all(hasattr(obj, attr) for attr in ("fit", "transform", "get_params")):
        raise DataError(
            f"{path}: holds a {type(obj).__name__}, not a transformer; give a "
            "ColumnTransformer or a single scikit-learn transformer"
        )


def check_output(path: Path, transformer: Any, X: Any) -> None:
    """A trusted transformer runs the team's own code: fitted once on the training rows
    before any fold starts, its output must be what the model after it takes - a 2-D
    table of finite numbers, one row per input row - or the user hears which file is
    wrong, in one line, before anything is trained or written."""
    import numpy as np
    from sklearn.base import clone

    try:
        out = clone(transformer).fit_transform(X)
        shape = getattr(out, "shape", None)
        values = _numbers(out)
    except Exception as exc:  # the team's own code, whatever it raises
        raise failed(path, exc, "fitting it on the training rows") from exc
    problem = None
    if shape is None or len(shape) != 2:
        problem = f"gives {'no table' if shape is None else f'{len(shape)}-D output'}, not 2-D"
    elif shape[0] != len(X):
        problem = f"gives {shape[0]} rows for {len(X)}"
    elif values is None:
        problem = "gives values that are not numbers"
    elif not np.isfinite(values).all():
        problem = "gives missing or infinite values (impute them inside the transformer)"
    if problem:
        raise DataError(
            f"--preprocessor {path}: {problem}; the model after it takes a 2-D table of finite "
            "numbers, one row per applicant"
        )


def _numbers(out: Any) -> Any:
    """The values of a transformer's output as a float array (a sparse matrix's stored
    values), or None when they are not numbers."""
    import numpy as np

    data = out.data if hasattr(out, "tocsr") else np.asarray(out)
    try:
        return np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        return None


def failed(path: Path, exc: BaseException, when: str) -> DataError:
    """The team's transformer raised: one line naming its file, its error and when."""
    from credit_mlops.escaping import one_line

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return DataError(
        f"--preprocessor {path}: {when} failed ({one_line(detail)[:300]}); fix the transformer "
        "or leave out --preprocessor to use credit's own preprocessing"
    )
