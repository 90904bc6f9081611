"""The joblib internals `processes.pools` relies on still exist: a joblib release that moves
them fails here, not as workers left running after a Ctrl-C."""

from __future__ import annotations

import sys
import threading

import pytest

from credit_mlops.processes import pools


@pytest.mark.slow
def test_the_pool_is_found_where_pools_looks_and_end_workers_ends_it() -> None:
    executor = pools.one_worker()
    assert executor.submit(sum, [1, 2]).result(timeout=60) == 3
    module = sys.modules["joblib.externals.loky.reusable_executor"]
    assert getattr(module, "_executor", None) is executor
    names = {t.name for t in threading.enumerate()}
    assert pools._MANAGER_THREAD in names
    processes = list(executor._processes.values())
    assert processes and all(p.is_alive() for p in processes)
    pools.end_workers()
    for process in processes:
        process.join(timeout=30)
        assert not process.is_alive()
