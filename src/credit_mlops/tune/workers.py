"""One worker's loop over a shared study, until the study holds `n_trials` finished trials.

`n_trials` is the study's total, whichever workers run it. Before each trial the worker
fails the trials of dead workers (heartbeats on a database; on a journal file, a worker on
this machine whose process is gone, or a trial that never got its worker's name) and
re-queues their parameters; it then starts a trial
only while finished + running + queued trials are fewer than `n_trials`. Two workers can
still both start the last trial: each trial then counts the live trials numbered before it,
and one beyond the total gives its slot back (marked FAIL with user attribute
`credit.surplus`, never scored). So the study ends with exactly `n_trials` COMPLETE or PRUNED
trials, and a worker killed mid-trial does not stop it. A worker with no trial left to
start waits for the trials running elsewhere, says what it waits for, and on a journal ends
when they are held by stopped processes for `patience` seconds (`tune.waiting`).
"""

from __future__ import annotations

import os
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credit_mlops.processes.identity import alive
from credit_mlops.tune.waiting import WORKER_ATTR, Waiter, process_state

SURPLUS_ATTR = "credit.surplus"
RETRY_ATTR = "credit.retry_of"
# A live worker names itself on its trial at once; a RUNNING trial left without a name this
# many seconds after its start belongs to a worker stopped in between (a kill, a double
# Ctrl-C), and would otherwise hold the study's last slot for ever.
UNOWNED_GRACE = 60.0


@dataclass(frozen=True)
class TrialReport:
    number: int
    state: str  # COMPLETE | PRUNED | FAIL
    value: float | None
    params: dict[str, object]
    started: datetime | None
    completed: datetime | None
    retry_of: int | None  # the number of the dead worker's trial this one repeats
    study_finished: int  # COMPLETE + PRUNED trials in the study after this one
    best_value: float | None
    best_number: int | None


@dataclass(frozen=True)
class WorkerResult:
    study: str
    trials: tuple[TrialReport, ...]  # the trials this worker ran
    study_finished: int
    n_trials: int
    best_value: float | None
    best_params: dict[str, object]
    best_number: int | None
    stopped_by: str  # "budget" | "timeout" | "interrupt" | "waiting" (for stopped workers)
    running_elsewhere: int = 0  # trials other workers were running when this one ended


@dataclass(frozen=True)
class Counts:
    finished: int
    running: int
    waiting: int


class _Surplus(Exception):
    """The trial would go beyond the study's total."""


def identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def counts(study: Any) -> Counts:
    from optuna.trial import TrialState

    states = [t.state for t in study.get_trials(deepcopy=False)]
    return Counts(
        finished=sum(s in (TrialState.COMPLETE, TrialState.PRUNED) for s in states),
        running=states.count(TrialState.RUNNING),
        waiting=states.count(TrialState.WAITING),
    )


def reap_dead(study: Any) -> list[int]:
    """Fail the running trials of dead workers and queue their parameters again; returns the
    numbers of the trials failed by this call."""
    import optuna
    from optuna.storages._heartbeat import is_heartbeat_enabled
    from optuna.trial import TrialState

    if is_heartbeat_enabled(study._storage):
        before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            optuna.storages.fail_stale_trials(study)
        after = study.get_trials(deepcopy=False, states=(TrialState.FAIL,))
        return sorted(t.number for t in after if t.number not in before)
    host = socket.gethostname()
    failed: list[int] = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner = str(trial.user_attrs.get(WORKER_ATTR, ""))
        owner_host, _, pid = owner.rpartition(":")
        if not owner:  # stopped between its creation and its owner's name: dead if old
            started = trial.datetime_start  # naive local time, as Optuna writes it
            if started is None or (datetime.now() - started).total_seconds() < UNOWNED_GRACE:
                continue
        elif owner_host != host or not (pid.isascii() and pid.isdigit()) or _holds(int(pid)):
            continue
        try:
            study._storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # another worker got there first and re-queued it
        study.enqueue_trial(trial.params, user_attrs={RETRY_ATTR: trial.number})
        failed.append(trial.number)
    return failed


def _holds(pid: int) -> bool:
    """Whether process `pid` of this host still holds its trial: alive, and not a zombie
    (a worker that ended, its exit not yet collected by its parent)."""
    return alive(pid) and process_state(pid) != "Z"


def _report(study: Any, number: int) -> TrialReport:
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    trial = trials[number]
    done = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    best = _best(study)
    retry = trial.system_attrs.get("failed_trial", trial.user_attrs.get(RETRY_ATTR))
    return TrialReport(
        number=trial.number,
        state=trial.state.name,
        value=trial.value if trial.state != TrialState.FAIL else None,
        params=dict(trial.params),
        started=trial.datetime_start,
        completed=trial.datetime_complete,
        retry_of=int(retry) if retry is not None else None,
        study_finished=len(done),
        best_value=best.value if best else None,
        best_number=best.number if best else None,
    )


def _best(study: Any) -> Any:
    try:
        return study.best_trial
    except ValueError:  # no complete trial yet
        return None


def run_worker(
    study: Any,
    objective: Callable[[Any], float],
    *,
    n_trials: int,
    timeout: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_trial: Callable[[TrialReport], None] | None = None,
    poll: float = 1.0,
    on_wait: Callable[[str], None] | None = None,
    patience: float | None = None,
) -> WorkerResult:
    """Run trials of `study` until it holds `n_trials` finished ones, `timeout` seconds have
    passed (no new trial is started after that), `should_stop()` (checked between trials),
    or, on a storage without heartbeats, the trials it waits for have been held by stopped
    processes for `patience` seconds (`on_wait` hears what it waits for)."""
    import optuna
    from optuna.storages._heartbeat import is_heartbeat_enabled
    from optuna.trial import TrialState

    if n_trials < 1:
        raise ValueError("n_trials must be at least 1")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    me = identity()
    live = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)
    current: list[int] = []
    waiter = Waiter(None if is_heartbeat_enabled(study._storage) else patience, on_wait)

    def guarded(trial: Any) -> float:
        trial.set_user_attr(WORKER_ATTR, me)
        ahead = sum(t.number < trial.number for t in study.get_trials(deepcopy=False, states=live))
        if ahead >= n_trials:
            trial.set_user_attr(SURPLUS_ATTR, True)
            raise _Surplus(f"trial {trial.number} is beyond the study's {n_trials} trials")
        current.append(trial.number)
        return objective(trial)

    start = time.monotonic()
    ran: list[TrialReport] = []
    stopped_by = "budget"
    while True:
        if should_stop():
            stopped_by = "interrupt"
            break
        if timeout is not None and time.monotonic() - start >= timeout:
            stopped_by = "timeout"
            break
        reap_dead(study)
        now = counts(study)
        if now.finished >= n_trials:
            break
        if now.waiting == 0 and now.finished + now.running >= n_trials:
            if waiter.gives_up(study):  # held by stopped processes for `patience` seconds
                stopped_by = "waiting"
                break
            time.sleep(poll)  # the last trials run elsewhere; take over if their worker dies
            continue
        current.clear()
        study.optimize(guarded, n_trials=1, catch=(_Surplus,))
        if current:
            report = _report(study, current[0])
            ran.append(report)
            if on_trial is not None:
                on_trial(report)
    return _result(study, tuple(ran), n_trials, stopped_by)


def _result(study: Any, ran: tuple[TrialReport, ...], n_trials: int, why: str) -> WorkerResult:
    best = _best(study)
    end = counts(study)
    return WorkerResult(
        study=study.study_name,
        trials=ran,
        study_finished=end.finished,
        n_trials=n_trials,
        best_value=best.value if best else None,
        best_params=dict(best.params) if best else {},
        best_number=best.number if best else None,
        stopped_by=why,
        running_elsewhere=end.running,
    )
