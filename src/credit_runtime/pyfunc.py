"""MLflow's `python_function` loader of a credit model (`loader_module: credit_runtime.pyfunc`).

`mlflow.pyfunc.load_model(uri)` calls `_load_pyfunc(path)` with the model's data file; the
folder holding it holds the MLmodel and `credit/` (the description, the scale, the background
sample). The estimator is read with skops, trusting only the runtime's own allowlist
(`credit_runtime.trust`), never the list the model writes about itself in its MLmodel.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_runtime.errors import DamagedModel, InvalidInput
from credit_runtime.model import DEFAULT_REASONS, CreditModel, Scale

if TYPE_CHECKING:
    from credit_runtime.description import Description

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
    description = background = None
    decision: dict[str, Any] = {}
    if (folder / DESCRIPTION).is_file():
        description = _part(folder / DESCRIPTION, _description)
    if (folder / DECISION).is_file():
        most = len(description.names) if description is not None else None
        decision = _part(folder / DECISION, functools.partial(_decision, most_reasons=most))
    if (folder / BACKGROUND).is_file():
        background = _part(folder / BACKGROUND, functools.partial(_checked, description))
    return CreditModel(
        estimator,
        description=description,
        key=decision.get("key"),
        threshold=decision.get("threshold"),
        scale=decision.get("scale"),
        reasons=decision.get("reasons", DEFAULT_REASONS),
        background=background,
    )


DECISION_FIELDS = frozenset({"key", "threshold", "scale", "reasons"})
SCALE_FIELDS = frozenset({"pdo", "base_score", "base_odds"})


def _decision(stored: Any, most_reasons: int | None = None) -> dict[str, Any]:
    """decision.json as its writer (`credit_mlops.train.model_files.decision`) writes it:
    key (the model's kind, text), scale (pdo and base_odds finite and above 0, base_score
    finite: `Scale` checks them), reasons (a whole number from 0 to `most_reasons`, the
    model's columns) and, from older writers, threshold (a number from 0 to 1). A field of
    another type or range, or one no writer writes, raises TypeError or ValueError."""
    if not isinstance(stored, dict):
        raise TypeError("not a JSON object")
    unknown = sorted(str(k) for k in set(stored) - DECISION_FIELDS)
    if unknown:
        raise ValueError(f"unknown field {unknown[0][:40]!r}; the fields are {_listed()}")
    key, threshold = stored.get("key"), stored.get("threshold")
    if key is not None and (not isinstance(key, str) or not key.strip() or len(key) > 100):
        raise TypeError(f"'key' is {_shown(key)}, not a model's kind")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise TypeError(f"'threshold' is {type(threshold).__name__}, not a number")
        if not 0.0 <= threshold <= 1.0:  # NaN fails this too
            raise ValueError(f"'threshold' is {_shown(threshold)}, not a probability from 0 to 1")
    reasons = stored.get("reasons", DEFAULT_REASONS)
    if isinstance(reasons, bool) or not isinstance(reasons, int) or reasons < 0:
        raise TypeError(f"'reasons' is {_shown(reasons)}, not a count")
    if most_reasons is not None and reasons > most_reasons:
        raise ValueError(
            f"'reasons' is {_shown(reasons)}, more than the model's {most_reasons} columns"
        )
    return {"key": key, "threshold": threshold, "reasons": reasons, "scale": _scale(stored)}


def _scale(stored: dict[str, Any]) -> Scale | None:
    scale = stored.get("scale")
    if scale is None:
        return None  # a model logged before the scale was: the default one
    if not isinstance(scale, dict):
        raise TypeError("'scale' is not an object")
    made = Scale(**scale)  # an unknown field: TypeError naming it; values: Scale checks them
    missing = sorted(SCALE_FIELDS - set(scale))
    if missing:
        raise ValueError(f"'scale' has no {missing[0]!r}")
    return made


def _description(stored: Any) -> Description:
    """description.json as its writer writes it (`DataDescription.to_json`), checked where
    the runtime reads it: columns keyed by name, each with range null or [low, high] of
    finite numbers or nulls, codes an object of text, aliases a list of text, label and
    unit text or null, integer and missing true or false; then `Description.from_json`."""
    from credit_runtime.description import Description

    columns = stored.get("columns") if isinstance(stored, dict) else None
    if not isinstance(columns, dict) or not columns:
        raise TypeError("'columns' is not an object of columns")
    for name, raw in columns.items():
        problem = _column_problem(raw) if isinstance(raw, dict) else "not an object"
        if problem:
            raise ValueError(f"column {name[:40]!r}: {problem}")
    return Description.from_json(stored)


def _column_problem(raw: dict[str, Any]) -> str | None:
    bounds, codes, aliases = raw.get("range"), raw.get("codes") or {}, raw.get("aliases") or []
    if bounds is not None and not (
        isinstance(bounds, list)
        and len(bounds) == 2
        and all(b is None or _finite(b) for b in bounds)
        and (None in bounds or bounds[0] <= bounds[1])
    ):
        return f"'range' is {_shown(bounds)}, not [low, high] of finite numbers"
    if not isinstance(codes, dict) or not all(isinstance(v, str) for v in codes.values()):
        return "'codes' is not an object of text"
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        return "'aliases' is not a list of text"
    for key in ("label", "unit"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            return f"'{key}' is {_shown(raw[key])}, not text"
    for key in ("integer", "missing"):
        if not isinstance(raw.get(key, False), bool):
            return f"'{key}' is {_shown(raw[key])}, not true or false"
    return None


def _finite(value: object) -> bool:
    """A JSON number that is a finite float (not NaN, not infinity, no int beyond a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _listed() -> str:
    return ", ".join(sorted(DECISION_FIELDS))


def _shown(value: object) -> str:
    return repr(value)[:40]


def _part(path: Path, build: Any) -> Any:
    """One of the model's own files, read and built; DamagedModel naming it otherwise."""
    try:
        return build(_json(path))
    except (OSError, ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise DamagedModel(
            f"{path.parent.name}/{path.name} logged with the model cannot be read ({reason}): "
            "it was changed after the model was logged; train and register the model again"
        ) from None


def background_frame(stored: dict[str, Any]) -> Any:
    """The explanation background sample (the training run's `explain/background.json`)."""
    import pandas as pd

    frame = pd.DataFrame(stored["rows"], columns=stored["columns"])
    return frame.astype(dict(zip(stored["columns"], stored["dtypes"], strict=True)))


def _checked(description: Description | None, stored: dict[str, Any]) -> Any:
    frame = background_frame(stored)
    check_background(frame, description)
    return frame


def check_background(frame: Any, description: Description | None) -> None:
    """A background sample as its writer draws it: rows of the training part, so at least
    one, the model's columns, each value one its description accepts (a code it has, a
    number in its range). ValueError naming what is not: reasons given to applicants must
    never come from an edited file."""
    if len(frame) == 0:
        raise ValueError("it holds no rows")
    if description is None:
        return
    if sorted(map(str, frame.columns)) != sorted(description.names):
        raise ValueError("its columns are not the model's")
    description.validate(frame)  # InvalidInput (a ValueError) names the row and column


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
