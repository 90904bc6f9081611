"""MLflow's `python_function` loader of a credit model (`loader_module: credit_runtime.pyfunc`).

`mlflow.pyfunc.load_model(uri)` calls `_load_pyfunc(path)` with the model's data file; the
folder holding it holds the MLmodel and `credit/` (the description, the scale, the background
sample). The estimator is read with skops, trusting only the runtime's own allowlist
(`credit_runtime.trust`), never the list the model writes about itself in its MLmodel.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from credit_runtime.errors import DamagedModel, InvalidInput
from credit_runtime.model import CreditModel, Scale

FOLDER = "credit"  # inside the logged model's folder
DESCRIPTION = "description.json"
DECISION = "decision.json"
BACKGROUND = "background.json"
DATA_FILE = "model.skops"  # the sklearn flavour's name for a skops model


def _load_pyfunc(path: str) -> Any:
    """The object MLflow's pyfunc wraps: `predict(frame, params=None)`."""
    return Served(load(Path(path)))


def load(path: Path) -> CreditModel:
    """A logged credit model from its folder (or its data file, `model.skops`) and the files
    beside it."""
    from credit_runtime.trust import classifier, load_estimator

    folder, data_file = (path, path / DATA_FILE) if path.is_dir() else (path.parent, path)
    estimator = classifier(load_estimator(data_file), data_file.name)
    return with_files(estimator, folder / FOLDER)


def with_files(estimator: Any, folder: Path) -> CreditModel:
    """`estimator` with what `folder` (a logged model's `credit/`) says; a model logged
    before these files existed still decides (it warns that it cannot check or explain).
    A file that is there but cannot be read as written raises DamagedModel naming it."""
    from credit_runtime.description import Description

    description = background = None
    decision: dict[str, Any] = {}
    if (folder / DESCRIPTION).is_file():
        description = _part(folder / DESCRIPTION, Description.from_json)
    if (folder / DECISION).is_file():
        decision = _part(folder / DECISION, _decision)
    if (folder / BACKGROUND).is_file():
        background = _part(folder / BACKGROUND, background_frame)
    scale = decision.get("scale")
    return CreditModel(
        estimator,
        description=description,
        key=decision.get("key"),
        threshold=decision.get("threshold"),
        scale=scale,
        reasons=decision.get("reasons", 4),
        background=background,
    )


def _decision(stored: Any) -> dict[str, Any]:
    """decision.json's fields with their types: key, threshold, scale, reasons."""
    if not isinstance(stored, dict):
        raise TypeError("not a JSON object")
    key, threshold = stored.get("key"), stored.get("threshold")
    if key is not None and not isinstance(key, str):
        raise TypeError(f"'key' is {type(key).__name__}, not text")
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, int | float)
    ):
        raise TypeError(f"'threshold' is {type(threshold).__name__}, not a number")
    reasons = stored.get("reasons", 4)
    if isinstance(reasons, bool) or not isinstance(reasons, int) or reasons < 0:
        raise TypeError(f"'reasons' is {reasons!r}, not a count")
    scale = stored.get("scale") or {}
    if not isinstance(scale, dict):
        raise TypeError("'scale' is not an object")
    return {
        "key": key,
        "threshold": threshold,
        "reasons": reasons,
        "scale": Scale(**scale) if scale else None,
    }


def _part(path: Path, build: Any) -> Any:
    """One of the model's own files, read and built; DamagedModel naming it otherwise."""
    try:
        return build(_json(path))
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise DamagedModel(
            f"{path.parent.name}/{path.name} logged with the model cannot be read ({reason}): "
            "it was changed after the model was logged; restore it or retrain the model"
        ) from None


def background_frame(stored: dict[str, Any]) -> Any:
    """The explanation background sample (the training run's `explain/background.json`)."""
    import pandas as pd

    frame = pd.DataFrame(stored["rows"], columns=stored["columns"])
    return frame.astype(dict(zip(stored["columns"], stored["dtypes"], strict=True)))


def _json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a JSON object")
    return data


class Served:
    """What MLflow's pyfunc holds. Refusals are raised as `credit_runtime.InvalidInput`
    that is also an MlflowException of INVALID_PARAMETER_VALUE, so `mlflow models serve`
    answers HTTP 400 with the message (the row and the column)."""

    def __init__(self, model: CreditModel) -> None:
        self.model = model

    def predict(self, frame: Any, params: dict[str, Any] | None = None) -> Any:
        try:
            return self.model.predict(frame, params)
        except InvalidInput as exc:
            raise served_error(exc) from exc

    def get_raw_model(self) -> CreditModel:
        return self.model


def served_error(exc: InvalidInput) -> InvalidInput:
    """`exc` as an InvalidInput that MLflow's scoring server maps to HTTP 400."""
    served: type[InvalidInput] = _served_type()
    out = served(exc.message, row=exc.row, column=exc.column)
    return out


@functools.cache
def _served_type() -> type[InvalidInput]:
    """InvalidInput that is also an MlflowException (INVALID_PARAMETER_VALUE): made on first
    use, so that importing the runtime never imports mlflow."""
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

    class ServedInvalidInput(InvalidInput, MlflowException):
        def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
            MlflowException.__init__(self, message, error_code=INVALID_PARAMETER_VALUE)
            self.message = message
            self.row = row
            self.column = column

    return ServedInvalidInput
