"""Every record of an Optuna journal checked against the fields Optuna's journal format
gives its operation, and against what the records before it created.

Optuna replays a journal without checking it: a trial value that is text replays and then
fails the sampler mid-study (`'>' not supported between 'float' and 'str'`), and a record
naming a study or trial that no record created is skipped without a word. The rules here
are those of `optuna/storages/journal/_storage.py` (the fields each operation writes and
how its replay reads them): ids are integers, a study or trial id must have been created
by an earlier record, param distributions are Optuna's JSON text, values are null or a
list of one number per objective, states are TrialState integers, datetimes ISO text,
attributes one-entry objects. A trial's value must be finite and, once its study records
its objective (the `objective` user attribute credit writes), one that objective gives: a
ROC AUC in [0, 1], a cost of 0 or more (`objective.value_problem`). What Optuna itself may
write in a race (a second study of the same name, a trial of a deleted study, an update of a
finished trial) passes.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

_OPS = {
    0: "create-study",
    1: "delete-study",
    2: "set-study-user-attr",
    3: "set-study-system-attr",
    4: "create-trial",
    5: "set-trial-param",
    6: "set-trial-state-values",
    7: "set-trial-intermediate-value",
    8: "set-trial-user-attr",
    9: "set-trial-system-attr",
    10: "discard-trials",
}
RUNNING, COMPLETE, PRUNED, FAIL, WAITING = range(5)  # optuna.trial.TrialState
FINISHED = (COMPLETE, PRUNED, FAIL)


class BadRecord(Exception):
    """What is wrong with one journal record."""


def first_bad_record(path: Path) -> tuple[int, str] | None:
    """(line number, what is wrong) of the first record Optuna would misread or skip."""
    replay = Replay()
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                log = json.loads(raw)
            except (ValueError, RecursionError):
                return number, "a line that is not JSON"
            try:
                replay.apply(log)
            except BadRecord as exc:
                return number, str(exc)
    return None


class Replay:
    """What the records so far created: studies (by id, live ones by name) and trials."""

    def __init__(self) -> None:
        self.live: dict[str, int] = {}  # live studies by name
        self.objectives: dict[int, int] = {}  # every study created: its number of objectives
        self.trials: dict[int, int] = {}  # every trial created: its study
        self.objective: dict[int, object] = {}  # a study's objective, once recorded

    def check_shape(self, log: Any) -> int:
        if not isinstance(log, dict) or "op_code" not in log:
            raise BadRecord("JSON that is not an Optuna journal record")
        op = log["op_code"]
        if not _is_int(op) or op not in _OPS:
            raise BadRecord(f"op_code {_show(op)} is not an operation Optuna knows (0 to 9)")
        return int(op)

    def apply(self, log: Any) -> None:
        op = self.check_shape(log)
        name = _OPS[op]
        try:
            _text(log, "worker_id")
            if op == 10:
                raise BadRecord("only Rustuna writes it, and Optuna skips it")
            getattr(self, "_" + name.replace("-", "_"))(log)
        except BadRecord as exc:
            raise BadRecord(f"a {name} record: {exc}") from None

    def _study(self, log: dict[str, Any]) -> int:
        study = _int(log, "study_id")
        if study not in self.objectives:
            raise BadRecord(f"study_id {study} names a study no earlier record created")
        return study

    def _trial(self, log: dict[str, Any]) -> int:
        trial = _int(log, "trial_id")
        if trial not in self.trials:
            raise BadRecord(f"trial_id {trial} names a trial no earlier record created")
        return trial

    def _create_study(self, log: dict[str, Any]) -> None:
        name = _text(log, "study_name")
        directions = _field(log, "directions")
        if not (
            isinstance(directions, list)
            and directions
            and all(_is_int(d) and d in (1, 2) for d in directions)
        ):
            raise BadRecord(
                f"directions {_show(directions)} are not a list of 1 (minimize) or 2 (maximize)"
            )
        if name not in self.live:  # a second one of the same name: Optuna's race, skipped
            self.live[name] = len(self.objectives)
            self.objectives[len(self.objectives)] = len(directions)

    def _delete_study(self, log: dict[str, Any]) -> None:
        study = self._study(log)
        self.live = {name: known for name, known in self.live.items() if known != study}

    def _set_study_user_attr(self, log: dict[str, Any]) -> None:
        study = self._study(log)
        _attr(log, "user_attr")
        if "objective" in log["user_attr"]:
            self.objective[study] = log["user_attr"]["objective"]

    def _scored(self, study: int, values: list[float] | None) -> None:
        """Values the study's objective can give (see `objective.value_problem`)."""
        from credit_mlops.tune.objective import value_problem

        for value in values or ():
            problem = value_problem(self.objective.get(study), value)
            if problem is not None:
                raise BadRecord(problem)

    def _set_study_system_attr(self, log: dict[str, Any]) -> None:
        self._study(log)
        _attr(log, "system_attr")

    def _create_trial(self, log: dict[str, Any]) -> None:
        study = self._study(log)
        _when(log, "datetime_start", null=True)
        if "datetime_complete" in log:
            _when(log, "datetime_complete", null=False)
        state = _state(log) if "state" in log else RUNNING
        objectives = self.objectives[study]
        value = log.get("value")
        if value is not None and not (_is_number(value) and math.isfinite(value)):
            raise BadRecord(f"value {_show(value)} is neither null nor a finite number")
        if value is not None and objectives != 1:
            raise BadRecord(f"a single value for a study of {objectives} objectives")
        values = _values(log.get("values"), objectives)
        self._scored(study, [value] if value is not None else values)
        if state == COMPLETE and value is None and values is None:
            raise BadRecord("a complete trial without its value")
        self._template(log)
        if study in self.live.values():  # a trial of a deleted study: skipped by Optuna
            self.trials[len(self.trials)] = study

    def _template(self, log: dict[str, Any]) -> None:
        """A trial made from a template (add_trial, enqueue_trial): its params and attrs."""
        distributions = _object(log, "distributions")
        kinds = {name: _distribution(text) for name, text in distributions.items()}
        for name, value in _object(log, "params").items():
            if name not in kinds:
                raise BadRecord(f"param {name!r} has no distribution")
            _param(name, value, kinds[name])
        _object(log, "user_attrs")
        _object(log, "system_attrs")
        for step, value in _object(log, "intermediate_values").items():
            if (
                not step.isascii()
                or not step.strip().lstrip("+-").isdigit()
                or not _is_number(value)
            ):
                raise BadRecord(f"intermediate value {_show({step: value})} is not step: number")

    def _set_trial_param(self, log: dict[str, Any]) -> None:
        self._trial(log)
        name = _text(log, "param_name")
        kind = _distribution(_field(log, "distribution"))
        _param(name, _field(log, "param_value_internal"), kind)

    def _set_trial_state_values(self, log: dict[str, Any]) -> None:
        trial = self._trial(log)
        state = _state(log)
        values = _values(_field(log, "values"), self.objectives[self.trials[trial]])
        self._scored(self.trials[trial], values)
        if state == COMPLETE and values is None:
            raise BadRecord("a complete trial without its values")
        if state == RUNNING:
            _when(log, "datetime_start", null=False)
        if state in FINISHED:
            _when(log, "datetime_complete", null=False)

    def _set_trial_intermediate_value(self, log: dict[str, Any]) -> None:
        self._trial(log)
        _int(log, "step")
        value = _field(log, "intermediate_value")
        if not _is_number(value):
            raise BadRecord(f"intermediate_value {_show(value)} is not a number")

    def _set_trial_user_attr(self, log: dict[str, Any]) -> None:
        self._trial(log)
        _attr(log, "user_attr")

    def _set_trial_system_attr(self, log: dict[str, Any]) -> None:
        self._trial(log)
        _attr(log, "system_attr")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field(log: dict[str, Any], key: str) -> Any:
    if key not in log:
        raise BadRecord(f"no {key}")
    return log[key]


def _int(log: dict[str, Any], key: str) -> int:
    value = _field(log, key)
    if not _is_int(value):
        raise BadRecord(f"{key} {_show(value)} is not an integer")
    return int(value)


def _text(log: dict[str, Any], key: str) -> str:
    value = _field(log, key)
    if not isinstance(value, str):
        raise BadRecord(f"{key} {_show(value)} is not text")
    return value


def _object(log: dict[str, Any], key: str) -> dict[str, Any]:
    value = log.get(key, {})
    if not isinstance(value, dict):
        raise BadRecord(f"{key} {_show(value)} is not a JSON object")
    return value


def _attr(log: dict[str, Any], key: str) -> None:
    value = _field(log, key)
    if not isinstance(value, dict) or len(value) != 1:
        raise BadRecord(f"{key} {_show(value)} is not an object of one key and its value")


def _state(log: dict[str, Any]) -> int:
    state = _field(log, "state")
    if not _is_int(state) or not RUNNING <= state <= WAITING:
        raise BadRecord(f"state {_show(state)} is not a trial state (0 to 4)")
    return int(state)


def _when(log: dict[str, Any], key: str, *, null: bool) -> None:
    value = _field(log, key)
    if value is None and null:
        return
    try:
        datetime.fromisoformat(value).astimezone()
    except (TypeError, ValueError, OverflowError, OSError):
        raise BadRecord(f"{key} {_show(value)} is not an ISO date and time") from None


def _values(values: Any, objectives: int) -> list[float] | None:
    if values is None:
        return None
    if not (
        isinstance(values, list)
        and len(values) == objectives
        and all(_is_number(v) and math.isfinite(v) for v in values)
    ):
        raise BadRecord(
            f"values {_show(values)} are neither null nor a list of {objectives} number(s), "
            "each finite"
        )
    return values


def _distribution(text: Any) -> Any:
    """The distribution, written as Optuna's JSON text. (One of another kind than the
    param's earlier ones is a record Optuna itself writes before it raises, and skips.)"""
    from optuna.distributions import json_to_distribution

    try:
        return json_to_distribution(text)
    except Exception:  # any failure: not a distribution Optuna reads
        raise BadRecord(f"distribution {_show(text)} is not one Optuna reads") from None


def _param(name: str, value: Any, kind: Any) -> None:
    """An internal param value its distribution turns into the value a trial sees."""
    from optuna.distributions import CategoricalDistribution

    problem = not (_is_number(value) and math.isfinite(value))
    if not problem and isinstance(kind, CategoricalDistribution):
        problem = value != int(value) or not 0 <= value < len(kind.choices)
    if not problem:
        try:
            kind.to_external_repr(value)
        except Exception:  # any failure: not a value of that distribution
            problem = True
    if problem:
        raise BadRecord(f"param {name!r} value {_show(value)} is not one of its distribution")
