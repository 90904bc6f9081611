"""Every record of a study journal is checked against the types Optuna's journal format
gives its fields, and against the studies and trials the records before it created: a
journal written by Optuna passes whole; one corrupted afterwards is refused in one line
naming the file, the line and the field, and nothing is appended to it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from credit_mlops.errors import ConfigError
from credit_mlops.tune.journal import check_records
from credit_mlops.tune.journal_records import first_bad_record


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def written_by_optuna(path: Path) -> Path:
    """A journal of every operation Optuna writes: params of the three kinds, pruned, failed
    and NaN trials, an enqueued and an added trial, attributes, a second study of two
    objectives deleted and made again."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(str(path)))
    study = optuna.create_study(storage=storage, study_name="s", direction="maximize")
    study.set_user_attr("folds", 2)
    storage.set_study_system_attr(study._study_id, "note", [1, 2])

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.01, 10, log=True)
        trial.suggest_categorical("c", ["a", None, 3])
        trial.suggest_int("n", 1, 9, step=2)
        trial.set_user_attr("worker", "me")
        storage.set_trial_system_attr(trial._trial_id, "seat", 1)
        trial.report(x, 0)
        if trial.number == 2:
            raise optuna.TrialPruned()
        if trial.number == 3:
            raise RuntimeError("failed")
        return float("nan") if trial.number == 4 else x

    study.enqueue_trial({"x": 1.0, "c": "a"}, user_attrs={"retry": 0})
    study.optimize(objective, n_trials=6, catch=(RuntimeError,))
    x = optuna.distributions.FloatDistribution(0.01, 10, log=True)
    study.add_trial(
        optuna.trial.create_trial(
            params={"x": 2.0}, distributions={"x": x}, value=3.0, intermediate_values={0: 1.0}
        )
    )
    other = optuna.create_study(storage=storage, study_name="m", directions=["minimize"] * 2)
    other.optimize(lambda t: (t.suggest_float("y", 0, 1), 1.0), n_trials=2)
    optuna.delete_study(study_name="m", storage=storage)
    optuna.create_study(storage=storage, study_name="m", direction="minimize")
    return path


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return written_by_optuna(tmp_path_factory.mktemp("journal") / "j.log").read_bytes()


def records(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]


def first(data: bytes, op: int) -> dict[str, Any]:
    return next(r for r in records(data) if r["op_code"] == op)


def test_a_journal_optuna_wrote_passes_whole(sound: bytes, tmp_path: Path) -> None:
    path = tmp_path / "j.log"
    path.write_bytes(sound)
    assert {r["op_code"] for r in records(sound)} == set(range(10))
    assert first_bad_record(path) is None
    check_records(path)


def state_values(**change: Any) -> dict[str, Any]:
    return {"op_code": 6, "worker_id": "w", "trial_id": 0, "state": 1, "values": [0.5],
            "datetime_complete": "2026-01-01T00:00:00.000000+00:00", **change}  # fmt: skip


def set_param(**change: Any) -> dict[str, Any]:
    dist = '{"name": "FloatDistribution", "attributes": {"low": 0.0, "high": 1.0}}'
    return {"op_code": 5, "worker_id": "w", "trial_id": 0, "param_name": "x",
            "param_value_internal": 0.5, "distribution": dist, **change}  # fmt: skip


CHOICES = '{"name": "CategoricalDistribution", "attributes": {"choices": ["a", "b"]}}'

CORRUPTIONS = {
    "values-as-text": (state_values(values=["x"]), 'values ["x"] are neither null'),
    "foreign-trial": (set_param(trial_id=999), "trial_id 999 names a trial no earlier"),
    "foreign-study": (
        {"op_code": 2, "worker_id": "w", "study_id": 7, "user_attr": {"a": 1}},
        "study_id 7 names a study no earlier",
    ),
    "trial-id-as-text": (set_param(trial_id="0"), 'trial_id "0" is not an integer'),
    "unknown-state": (state_values(state=9), "state 9 is not a trial state"),
    "bad-datetime": (state_values(datetime_complete="yesterday"), "not an ISO date"),
    "distribution-not-json": (set_param(distribution="{bad"), "not one Optuna reads"),
    "param-as-text": (set_param(param_value_internal="0.5"), "param 'x' value \"0.5\""),
    "choice-out-of-range": (
        set_param(distribution=CHOICES, param_value_internal=5),
        "param 'x' value 5 is not one of",
    ),
    "values-of-two-objectives": (state_values(values=[1.0, 2.0]), "list of 1 number"),
    "infinite-value": (state_values(values=[float("inf")]), "values [Infinity] are neither"),
    "minus-infinite-value": (state_values(values=[float("-inf")]), "[-Infinity] are neither"),
    "nan-value": (state_values(values=[float("nan")]), "values [NaN] are neither"),
    "complete-without-values": (state_values(values=None), "complete trial without"),
    "no-values-field": ({k: v for k, v in state_values().items() if k != "values"}, "no values"),
    "two-attrs-at-once": (
        {"op_code": 8, "worker_id": "w", "trial_id": 0, "user_attr": {"a": 1, "b": 2}},
        "user_attr",
    ),
    "intermediate-as-text": (
        {"op_code": 7, "worker_id": "w", "trial_id": 0, "step": 0, "intermediate_value": "x"},
        'intermediate_value "x" is not a number',
    ),
    "directions-as-names": (
        {"op_code": 0, "worker_id": "w", "study_name": "t", "directions": ["maximize"]},
        "directions",
    ),
    "trial-value-infinite": (
        {
            "op_code": 4,
            "worker_id": "w",
            "study_id": 0,
            "datetime_start": None,
            "state": 1,
            "value": float("inf"),
        },
        "value Infinity is neither null nor a finite number",
    ),
    "trial-value-as-text": (
        {"op_code": 4, "worker_id": "w", "study_id": 0, "datetime_start": None, "value": "1"},
        'value "1" is neither null nor a finite number',
    ),
    "unknown-operation": ({"op_code": 99, "worker_id": "w"}, "op_code 99 is not an operation"),
    "operation-as-boolean": ({"op_code": True, "worker_id": "w"}, "op_code true"),
    "rustuna-discard": ({"op_code": 10, "worker_id": "w"}, "only Rustuna writes it"),
    "no-worker": ({"op_code": 1, "study_id": 0}, "no worker_id"),
}


@pytest.mark.parametrize(("record", "what"), CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupted_record_is_refused_in_one_line_and_nothing_appended(
    sound: bytes, tmp_path: Path, record: dict[str, Any], what: str
) -> None:
    from credit_mlops.tune.storage import StorageSpec, open_storage

    path = tmp_path / "j.log"
    path.write_bytes(sound + json.dumps(record).encode() + b"\n")
    line = len(records(sound)) + 1
    before = digest(path)
    with pytest.raises(ConfigError) as caught:
        open_storage(StorageSpec(str(path)))
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert "\n" not in message and str(path) in message and f"at line {line} (" in message
    assert what in message, message
    assert f"head -n {line - 1}" in message and "move it away" in message
    assert digest(path) == before  # no worker appended to it


def test_a_corrupted_record_in_the_middle_is_named_by_its_line(
    sound: bytes, tmp_path: Path
) -> None:
    lines = sound.splitlines(keepends=True)
    index = next(i for i, r in enumerate(records(sound)) if r["op_code"] == 6 and r["values"])
    lines[index] = json.dumps({**json.loads(lines[index]), "values": ["x"]}).encode() + b"\n"
    path = tmp_path / "j.log"
    path.write_bytes(b"".join(lines))
    found = first_bad_record(path)
    assert found is not None and found[0] == index + 1
    assert "set-trial-state-values" in found[1]


def test_optunas_own_race_records_pass(sound: bytes, tmp_path: Path) -> None:
    """A second study of a live name, a trial of a deleted study and an update of a
    finished trial are what Optuna's workers write in a race, and skip: they pass."""
    deleted = first(sound, 1)["study_id"]
    race = [
        {"op_code": 0, "worker_id": "w", "study_name": "s", "directions": [2]},
        {"op_code": 4, "worker_id": "w", "study_id": deleted, "datetime_start": None},
        state_values(trial_id=0, state=3, values=None),  # trial 0 finished long ago
        set_param(trial_id=0),
    ]
    path = tmp_path / "j.log"
    path.write_bytes(sound + b"".join(json.dumps(r).encode() + b"\n" for r in race))
    assert first_bad_record(path) is None


def test_a_trial_of_a_deleted_study_gets_no_id(sound: bytes, tmp_path: Path) -> None:
    """Optuna numbers only the trials it keeps: the id after a skipped one is still free."""
    trials = sum(1 for r in records(sound) if r["op_code"] == 4)
    deleted = first(sound, 1)["study_id"]
    skipped = {"op_code": 4, "worker_id": "w", "study_id": deleted, "datetime_start": None}
    path = tmp_path / "j.log"
    path.write_bytes(
        sound
        + json.dumps(skipped).encode()
        + b"\n"
        + json.dumps(set_param(trial_id=trials - 1)).encode()  # the last kept trial: fine
        + b"\n"
    )
    assert first_bad_record(path) is None
    path.write_bytes(path.read_bytes() + json.dumps(set_param(trial_id=trials)).encode() + b"\n")
    found = first_bad_record(path)
    assert found is not None and f"trial_id {trials} names a trial no earlier" in found[1]


def test_values_as_text_fail_optuna_itself_without_the_check(sound: bytes, tmp_path: Path) -> None:
    """Why the check exists: Optuna replays the record and fails later, mid-study."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    trial = sum(1 for r in records(sound) if r["op_code"] == 4)  # the next trial's id
    created = {"op_code": 4, "worker_id": "w", "study_id": 0, "datetime_start": None}
    tail = [created, state_values(trial_id=trial, values=["x"])]
    path = tmp_path / "j.log"
    path.write_bytes(sound + b"".join(json.dumps(r).encode() + b"\n" for r in tail))
    storage = JournalStorage(JournalFileBackend(str(path)))  # replayed without a word
    with pytest.raises(TypeError, match="not supported between"):
        optuna.load_study(study_name="s", storage=storage).best_trial  # noqa: B018
    with pytest.raises(ConfigError, match=f"cannot replay at line {len(records(sound)) + 2}"):
        check_records(path)


def test_1e999_is_infinity_and_refused(sound: bytes, tmp_path: Path) -> None:
    """JSON's 1e999 reads as infinity: a value no trial has, like NaN or Infinity."""
    trial = sum(1 for r in records(sound) if r["op_code"] == 4)
    created = {"op_code": 4, "worker_id": "w", "study_id": 0, "datetime_start": None}
    done = json.dumps(state_values(trial_id=trial)).replace("[0.5]", "[1e999]")
    path = tmp_path / "j.log"
    path.write_bytes(sound + json.dumps(created).encode() + b"\n" + done.encode() + b"\n")
    found = first_bad_record(path)
    assert found == (
        len(records(sound)) + 2,
        "a set-trial-state-values record: values [Infinity] are neither null nor a list of "
        "1 number(s), each finite",
    )


def with_objective(sound: bytes, objective: str, value: float) -> bytes:
    """The sound journal, its study "s" recording `objective` as credit does, and one more
    complete trial of value `value`."""
    study = first(sound, 0)
    assert study["study_name"] == "s"  # study 0
    trial = sum(1 for r in records(sound) if r["op_code"] == 4)
    tail = [
        {"op_code": 2, "worker_id": "w", "study_id": 0, "user_attr": {"objective": objective}},
        {"op_code": 4, "worker_id": "w", "study_id": 0, "datetime_start": None},
        state_values(trial_id=trial, values=[value]),
    ]
    return sound + b"".join(json.dumps(r).encode() + b"\n" for r in tail)


@pytest.mark.parametrize(
    ("objective", "value", "what"),
    [
        ("roc_auc", 5.0, "the value 5.0 is outside what roc_auc gives ([0, 1])"),
        ("roc_auc", -0.01, "the value -0.01 is outside what roc_auc gives ([0, 1])"),
        ("cost", -1.0, "the value -1.0 is outside what cost gives (0 or more)"),
        ("roc_auc", 0.73, None),
        ("roc_auc", 1.0, None),
        ("cost", 7.5, None),
        ("cost", 0.0, None),
        ("some_other", -3.0, None),  # an objective credit does not know: finite is enough
    ],
)
def test_a_value_its_objective_never_gives_is_refused_at_its_line(
    sound: bytes, tmp_path: Path, objective: str, value: float, what: str | None
) -> None:
    path = tmp_path / "j.log"
    path.write_bytes(with_objective(sound, objective, value))
    found = first_bad_record(path)
    if what is None:
        assert found is None
        return
    assert found == (len(records(sound)) + 3, f"a set-trial-state-values record: {what}")
    before = digest(path)
    with pytest.raises(ConfigError, match=f"at line {found[0]} ") as caught:
        check_records(path)
    assert caught.value.exit_code == 2 and what in str(caught.value)
    assert digest(path) == before


def test_value_problem_is_the_one_rule() -> None:
    from credit_mlops.tune.objective import value_problem

    assert value_problem("roc_auc", 0.5) is None and value_problem(None, -1e300) is None
    assert value_problem("roc_auc", float("inf")) == "the value inf is not a finite number"
    assert value_problem(None, float("nan")) == "the value nan is not a finite number"
    assert value_problem("cost", True) == "the value True is not a number"
    assert "outside what roc_auc gives" in str(value_problem("roc_auc", 1.0000001))
