"""CV worker processes that are cheap to name and to end: nothing here imports scikit-learn
(or anything beyond the standard library at import), so `credit train` can start a small
job's one worker, and let it import scikit-learn, before the main process has imported
anything heavy, and a Ctrl-C can end a pool without loading the CV module. `cv.py` runs the
folds on the same executor.

The one place that reads joblib's private state: loky keeps its reusable executor in the
module attribute `_executor` and names its feeding thread `ExecutorManagerThread`. joblib
has no public way to reach the pool a `Parallel` started, and `end_workers` must kill that
pool on Ctrl-C (joblib's own abort can leave its workers running).
tests/unit/processes/test_pools.py fails when a joblib release moves either."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joblib.executor import MemmappingExecutor


def start_trackers() -> None:
    """Start the resource trackers first: starting one unblocks SIGINT in this thread
    (the standard library's does), which would let the workers start with it unblocked."""
    import multiprocessing.resource_tracker

    from joblib.externals.loky.backend import resource_tracker

    multiprocessing.resource_tracker.ensure_running()
    resource_tracker.ensure_running()


def one_worker() -> MemmappingExecutor:
    """The one-worker executor: joblib's own kind (a later `Parallel` may find and replace
    it); only small jobs use it, so nothing is memory-mapped (no temporary folder to manage).
    Always the same arguments, so the folds run on the worker `warm_up` started."""
    from joblib.executor import get_memmapping_executor

    return get_memmapping_executor(1, max_nbytes=None)


def warm_up() -> None:
    """Start the one worker now (SIGINT blocked, as every worker starts) and have it import
    what a fold needs (~1.5 s of CPU) while this process reads the data and imports MLflow."""
    from credit_mlops.processes.signals import sigint_blocked

    start_trackers()
    with sigint_blocked():
        one_worker().submit(_imports)


def _imports() -> None:
    import importlib
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in every task: the parent ends us
    for name in ("credit_mlops.modeling.cv", "credit_mlops.modeling.build"):
        importlib.import_module(name)


def end_workers() -> None:
    """Kill the pool's workers now (joblib's own abort can leave them running) and delete
    the memory-mapped copies of the data they shared (else loky's resource tracker warns
    of leaked files on stderr after the command ended)."""
    import sys

    reusable_executor = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor: Any = getattr(reusable_executor, "_executor", None)  # none if never imported
    if executor is not None:
        _quiet_manager_thread()
    if hasattr(executor, "terminate"):  # joblib's memmapping executor: workers and files
        executor.terminate(kill_workers=True)
    elif executor is not None:
        executor.shutdown(wait=False, kill_workers=True)


_MANAGER_THREAD = "ExecutorManagerThread"  # loky's thread feeding the workers


def _quiet_manager_thread() -> None:
    """Killing a pool can race loky's manager thread while it queues the next task: it then
    dies of a KeyError on the work item the kill removed, and `threading.excepthook` would
    print that traceback after the command's one line. After a deliberate kill that thread's
    end is expected; every other thread's exception is still reported."""
    import threading

    previous = threading.excepthook
    if getattr(previous, "_credit_quiet", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.thread is not None and args.thread.name == _MANAGER_THREAD:
            return
        previous(args)

    hook._credit_quiet = True  # type: ignore[attr-defined]
    threading.excepthook = hook
