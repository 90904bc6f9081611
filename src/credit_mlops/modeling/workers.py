"""CV worker processes that are cheap to name: nothing here imports scikit-learn, so
`credit train` can start a small job's one worker, and let it import scikit-learn, before
the main process has imported anything heavy. `cv.py` runs the folds on the same executor."""

from __future__ import annotations

from typing import Any


def start_trackers() -> None:
    """Start the resource trackers first: starting one unblocks SIGINT in this thread
    (the standard library's does), which would let the workers start with it unblocked."""
    import multiprocessing.resource_tracker

    from joblib.externals.loky.backend import resource_tracker

    multiprocessing.resource_tracker.ensure_running()
    resource_tracker.ensure_running()


def one_worker() -> Any:
    """The one-worker executor: joblib's own kind (a later `Parallel` may find and replace
    it); only small jobs use it, so nothing is memory-mapped (no temporary folder to manage).
    Always the same arguments, so the folds run on the worker `warm_up` started."""
    from joblib.executor import get_memmapping_executor

    return get_memmapping_executor(1, max_nbytes=None)


def warm_up() -> None:
    """Start the one worker now (SIGINT blocked, as every worker starts) and have it import
    what a fold needs (~1.5 s of CPU) while this process reads the data and imports MLflow."""
    from credit_mlops.signals import sigint_blocked

    start_trackers()
    with sigint_blocked():
        one_worker().submit(_imports)


def _imports() -> None:
    import importlib
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in every task: the parent ends us
    for name in ("credit_mlops.modeling.cv", "credit_mlops.modeling.assembly"):
        importlib.import_module(name)
