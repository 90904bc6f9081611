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


def check(inputs: TrainInputs, n_models: int) -> None:
    """Refused before any work: nothing trained, nothing written, exit 2."""
    if inputs.run_name is not None:
        names.run_name(inputs.run_name, flag="--mlflow-run-name")
    if inputs.reg_name is not None:
        names.registered_model(inputs.reg_name, flag="--mlflow-reg-name")
    if inputs.reg_name and n_models > 1:
        raise InputError("--mlflow-reg-name names one registered model; give one --model with it")
    if (inputs.x_train is None) != (inputs.y_train is None):
        raise InputError("--X-train and --y-train go together; give both or neither")


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


def preprocessor(path: Path | None) -> Any:
    if path is None:
        return None
    if not path.is_file():
        raise DataError(
            f"preprocessor {path} does not exist; pass the joblib file of a transformer"
        )
    import joblib

    try:
        obj = joblib.load(path)  # a file of the team's own; joblib is pickle, trust it only
    except Exception as exc:
        raise DataError(f"{path}: not a joblib transformer ({type(exc).__name__})") from exc
    if not hasattr(obj, "fit_transform"):
        raise DataError(f"{path}: holds a {type(obj).__name__}, not a transformer")
    return obj
