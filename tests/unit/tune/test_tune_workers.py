"""The worker loop on a journal file (no database, no tracking): the study's total is the
budget, Ctrl-C stops between trials, dead workers' trials are re-queued, and several
processes on one machine share the study exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import TrialState

from credit_mlops.tune.storage import StorageSpec, open_storage
from credit_mlops.tune.study import open_study
from credit_mlops.tune.workers import RETRY_ATTR, WORKER_ATTR, counts, run_worker

pytestmark = pytest.mark.slow  # starts tune worker processes

WORKER = Path(__file__).resolve().parents[2] / "integration" / "tune_worker.py"


def quadratic(trial: Any) -> float:
    x = trial.suggest_float("x", -5.0, 5.0)
    return -((x - 1.0) ** 2)


def journal_study(tmp_path: Path, name: str = "s") -> Any:
    tmp_path.mkdir(exist_ok=True)  # the project folder (a worker never makes it)
    storage = open_storage(StorageSpec(str(tmp_path / ".credit" / "optuna.journal")))
    return open_study(storage, name, "maximize", seed=3)


def test_the_budget_is_the_studys_total_not_per_invocation(tmp_path: Path) -> None:
    study = journal_study(tmp_path)
    first = run_worker(study, quadratic, n_trials=4)
    assert [t.number for t in first.trials] == [0, 1, 2, 3]
    assert first.study_finished == 4 and first.stopped_by == "budget"
    assert first.best_value == max(t.value for t in first.trials if t.value is not None)
    again = run_worker(journal_study(tmp_path), quadratic, n_trials=4)
    assert again.trials == () and again.study_finished == 4
    more = run_worker(journal_study(tmp_path), quadratic, n_trials=6)
    assert [t.number for t in more.trials] == [4, 5]
    assert more.trials[-1].study_finished == 6


def test_same_seed_same_trials_bit_for_bit(tmp_path: Path) -> None:
    a = run_worker(journal_study(tmp_path / "a"), quadratic, n_trials=12)
    b = run_worker(journal_study(tmp_path / "b"), quadratic, n_trials=12)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.value for t in a.trials] == [t.value for t in b.trials]
    other = open_study(optuna.storages.InMemoryStorage(), "s", "maximize", seed=4)
    c = run_worker(other, quadratic, n_trials=12)
    assert [t.params for t in c.trials] != [t.params for t in a.trials]


def test_stop_request_ends_after_the_running_trial_and_keeps_it(tmp_path: Path) -> None:
    finished: list[int] = []
    result = run_worker(
        journal_study(tmp_path),
        quadratic,
        n_trials=10,
        should_stop=lambda: len(finished) >= 2,
        on_trial=lambda report: finished.append(report.number),
    )
    assert result.stopped_by == "interrupt"
    assert [t.state for t in result.trials] == ["COMPLETE", "COMPLETE"]
    assert counts(journal_study(tmp_path)).finished == 2


def test_a_timeout_starts_no_new_trial(tmp_path: Path) -> None:
    result = run_worker(journal_study(tmp_path), quadratic, n_trials=10, timeout=0)
    assert result.stopped_by == "timeout" and result.trials == ()


def test_pruned_trials_count_towards_the_total(tmp_path: Path) -> None:
    def always_pruned(trial: Any) -> float:
        trial.suggest_float("x", 0.0, 1.0)
        raise optuna.TrialPruned()

    result = run_worker(journal_study(tmp_path), always_pruned, n_trials=3)
    assert [t.state for t in result.trials] == ["PRUNED"] * 3
    assert result.best_value is None and result.best_params == {}


def test_a_dead_workers_trial_is_failed_and_its_parameters_queued_again(tmp_path: Path) -> None:
    study = journal_study(tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    orphan = study.ask({"x": optuna.distributions.FloatDistribution(-5.0, 5.0)})
    orphan.set_user_attr(WORKER_ATTR, f"{__import__('socket').gethostname()}:{dead.stdout.strip()}")
    result = run_worker(journal_study(tmp_path), quadratic, n_trials=3, poll=0.05)
    trials = journal_study(tmp_path).get_trials()
    assert trials[0].state == TrialState.FAIL
    retried = [t for t in trials if t.user_attrs.get(RETRY_ATTR) == 0]
    assert len(retried) == 1 and retried[0].params == trials[0].params
    assert retried[0].state == TrialState.COMPLETE
    assert result.study_finished == 3 and [t.retry_of for t in result.trials].count(0) == 1


def test_a_trial_that_never_got_its_workers_name_is_taken_over_when_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker stopped between Optuna's creation of its trial and the trial's owner: the
    study's last slot is not held for ever; a young one is left to its worker."""
    from credit_mlops.tune import workers

    study = journal_study(tmp_path)
    study.ask({"x": optuna.distributions.FloatDistribution(-5.0, 5.0)})  # no owner
    assert workers.reap_dead(journal_study(tmp_path)) == []  # just started: its worker's
    monkeypatch.setattr(workers, "UNOWNED_GRACE", 0.0)
    result = run_worker(journal_study(tmp_path), quadratic, n_trials=1, poll=0.05, timeout=60)
    trials = journal_study(tmp_path).get_trials()
    assert trials[0].state == TrialState.FAIL and trials[1].user_attrs.get(RETRY_ATTR) == 0
    assert result.study_finished == 1 and result.stopped_by == "budget"


def test_a_study_made_for_another_model_or_direction_is_refused(tmp_path: Path) -> None:
    from credit_mlops.errors import ConfigError

    storage = open_storage(StorageSpec(str(tmp_path / "j.journal")))
    open_study(storage, "s", "maximize", seed=0, attrs={"model_key": "xgboost"})
    with pytest.raises(
        ConfigError, match="made for model_key xgboost; this worker asks model_key svm"
    ):
        open_study(storage, "s", "maximize", seed=0, attrs={"model_key": "svm"})
    with pytest.raises(ConfigError, match="already exists and is maximized"):
        open_study(storage, "s", "minimize", seed=0)


def test_two_processes_on_one_journal_file_share_the_total_exactly(tmp_path: Path) -> None:
    journal = str(tmp_path / "optuna.journal")
    outs = [tmp_path / f"w{i}.json" for i in range(2)]
    workers = [
        subprocess.Popen([sys.executable, str(WORKER), journal, "shared", "8", "0.05", str(out)])
        for out in outs
    ]
    assert [w.wait(timeout=300) for w in workers] == [0, 0]
    ran = [json.loads(out.read_text())["trials"] for out in outs]
    numbers = [t["number"] for trials in ran for t in trials]
    assert len(numbers) == len(set(numbers))  # each trial run (and reported) by one worker
    study = optuna.load_study(study_name="shared", storage=open_storage(StorageSpec(journal)))
    finished = [
        t for t in study.get_trials() if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
    ]
    assert len(finished) == 8
    assert sorted(numbers) == sorted(t.number for t in finished)


def test_a_full_disk_under_the_study_is_one_error_whatever_optuna_wraps_it_in(
    tmp_path: Path,
) -> None:
    """Optuna's journal meets ENOSPC and then fails its own assertion: the OSError is found
    in the chain and becomes one CreditError naming the storage; anything else is left."""
    import errno

    from credit_mlops.config.loader import load_settings
    from credit_mlops.errors import CreditError
    from credit_mlops.tune.storage import write_failure

    settings = load_settings(overrides={"tune": {"storage": str(tmp_path / "s.journal")}})
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError:
            raise AssertionError("Should not reach.")  # noqa: B904 - as Optuna does
    except AssertionError as wrapped:
        found = write_failure(wrapped, settings.tune.storage_url(settings.root))
    assert isinstance(found, CreditError)
    assert "s.journal" in str(found) and "No space left" in str(found)
    assert write_failure(ValueError("a bug"), str(tmp_path)) is None
