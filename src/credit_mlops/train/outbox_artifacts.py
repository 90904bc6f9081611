"""The JSON artifacts an outbox entry carries, checked before `credit sync` logs any of them.

Each name must be one `credit train` writes, and each content is read by the very function
that reads it back from the run later (`credit evaluate` the holdout, `credit monitor` the
reference, `credit explain` the background, `credit predict` the data description, the
logged model's runtime its `credit/` files), so that a forged file never becomes part of a
run. `outbox_check.check_record` calls `check_artifacts`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from credit_mlops import readback
from credit_mlops.errors import CreditError, InputError
from credit_mlops.train.outbox_names import REMOVE, shown_name

RESULTS = "results/model_results.json"  # `train.spec.run_spec`, for people: read by no command
SCORECARD = "results/scorecard.json"  # `train.spec.scorecard_artifact`, likewise


def check_artifacts(artifacts: Mapping[str, Any], params: Mapping[str, str]) -> None:
    """Each artifact of a record, checked as the tool reads it back; InputError naming it."""
    readers = _readers()
    for name, content in artifacts.items():
        read = readers.get(name) if isinstance(name, str) else None
        if read is None:
            path = "" if _plain(name) else " is not a plain relative path and"
            raise InputError(
                f"artifact {shown_name(str(name))}{path} is not one credit train writes; {REMOVE}"
            )
        what = f"artifact {name}"
        try:
            readback.parsed(content, _as_value_error(read), what=what, fix=REMOVE)
        except CreditError as exc:  # one line, named by the record's reader
            raise InputError(str(exc).splitlines()[0]) from None
    if RESULTS in artifacts:
        _same_model(artifacts[RESULTS], params)


def _plain(name: object) -> bool:
    """A relative path of plain steps (what `outbox.check_artifact_names` takes), said in
    the refusal of a name that also is not one credit train writes."""
    import posixpath

    text = str(name)
    steps = text.split("/")
    return (
        bool(text)
        and "\\" not in text
        and posixpath.normpath(text) == text
        and all(step and not step.startswith(".") for step in steps)
    )


def _readers() -> dict[str, Callable[[Any], object]]:
    """Every artifact name `credit train` writes (pandas and Spark engines) -> its reader."""
    from credit_mlops.data.description import ARTIFACT as DESCRIPTION
    from credit_mlops.explain.background import ARTIFACT as BACKGROUND
    from credit_mlops.explain.background import from_json as background
    from credit_mlops.lifecycle.evaluation_target import HOLDOUT
    from credit_mlops.lifecycle.evaluation_target import check_holdout as holdout
    from credit_mlops.monitor.reference import ARTIFACT as REFERENCE
    from credit_mlops.monitor.reference import Reference
    from credit_mlops.tracking.portable import FILES

    return {  # each name as its reader downloads it
        HOLDOUT: holdout,
        REFERENCE: Reference.from_json,
        BACKGROUND: background,
        DESCRIPTION: _description,
        FILES["description.json"]: _model_description,
        FILES["decision.json"]: _decision,
        RESULTS: _results,
        SCORECARD: _scorecard,
    }


def _as_value_error(read: Callable[[Any], object]) -> Callable[[Any], object]:
    """`read`, with what numpy may raise on a forged number beyond `readback.parsed`'s list
    (OverflowError: an integer too large for a column) as ValueError: one line, never a
    traceback."""

    def checked(content: Any) -> object:
        try:
            return read(content)
        except ArithmeticError as exc:
            raise ValueError(str(exc) or type(exc).__name__) from None

    return checked


def _description(content: Any) -> object:
    """`data/description.json`, as `credit predict` and `credit evaluate` read it."""
    from credit_mlops.data.description import parse

    if not isinstance(content, dict):
        raise TypeError("not a JSON object")
    try:
        return parse(content, source="")
    except CreditError as exc:  # "data description [at KEY]: WHAT; fix the file"
        message = str(exc).removeprefix("data description ").removesuffix("; fix the file")
        raise ValueError(message.strip().removeprefix(": ")) from None


def _model_description(content: Any) -> object:
    """`model/description.json`, the logged model's own: a data description (as above), and
    what the model's runtime reads from it when it loads."""
    from credit_runtime.description import Description

    _description(content)
    return Description.from_json(content)


def _decision(content: Any) -> object:
    """`model/decision.json`, read by the logged model's runtime when it loads."""
    from credit_runtime.pyfunc import _decision as decision

    return decision(content)


def _results(content: Any) -> object:
    """`results/model_results.json`: an object naming the model and its params as text."""
    if not isinstance(content, dict):
        raise TypeError("not a JSON object")
    if not isinstance(content.get("model_key"), str):
        raise ValueError("model_key is not text")
    params = content.get("params")
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        raise ValueError("params is not an object of text")
    return content


def _scorecard(content: Any) -> object:
    """`results/scorecard.json`: the fields of the scorecard report (`ScorecardReport`)."""
    from credit_mlops.modeling.scorecard_report import ScorecardReport

    if not isinstance(content, dict):
        raise TypeError("not a JSON object")
    fields = {f.name for f in dataclasses.fields(ScorecardReport)}
    if set(content) != fields:
        raise ValueError(f"its fields are not {', '.join(sorted(fields))}")
    if not isinstance(content["characteristics"], list):
        raise ValueError("characteristics is not a list")
    return content


def _same_model(results: dict[str, Any], params: Mapping[str, str]) -> None:
    """The results name the model the entry's params name (train writes both from one key)."""
    key = params.get("model_key")
    if key is not None and results["model_key"] != key:
        raise InputError(
            f"artifact {RESULTS} is of the model {shown_name(results['model_key'])}, the entry's "
            f"params of {shown_name(key)}; {REMOVE}"
        )
