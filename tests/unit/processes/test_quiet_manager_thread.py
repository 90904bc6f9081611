"""A deliberately killed pool's manager thread dies quietly; other threads' errors still show."""

from __future__ import annotations

import threading

import pytest

from credit_mlops.processes import pools as workers


def _raise_in(name: str) -> None:
    def boom() -> None:
        raise KeyError(13)  # what loky's manager thread raises when a kill races it

    thread = threading.Thread(target=boom, name=name)
    thread.start()
    thread.join()


def test_manager_thread_error_is_quiet_after_a_kill(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.thread.name))
    workers._quiet_manager_thread()
    workers._quiet_manager_thread()  # installed once: a second call does not wrap again
    _raise_in("ExecutorManagerThread")
    _raise_in("some-other-thread")
    assert seen == ["some-other-thread"]
