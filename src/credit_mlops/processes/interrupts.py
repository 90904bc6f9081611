"""Ctrl-C (and SIGTERM or SIGHUP, taken as one): exit 130 while a command works; once its result
stands, exit 0 cleanly.

A command has completed when its work is done and its result is being shown: from then on
a Ctrl-C (e.g. while loky's or MLflow's exit hooks run at interpreter shutdown) is ignored
rather than printing a KeyboardInterrupt traceback over a finished result. Only when this
process is the `credit` script itself (`main()` says so): under CliRunner the test process
keeps its own handler.
"""

from __future__ import annotations

import signal
import sys

_script = [False]  # set once by cli.main.main(), never by CliRunner


def own_process() -> None:
    """Called by the console script: this process is one `credit` command. A SIGTERM (a
    service manager, `timeout`, `kill`) or a SIGHUP is taken as a Ctrl-C from here on, so
    that it ends the command the same way: runs ended, files whole, one line, exit 130."""
    _script[0] = True
    signal.signal(signal.SIGTERM, _as_ctrl_c)
    # A closed terminal or a dropped ssh session (SIGHUP) too, unless the command was started
    # to outlive it (`nohup` ignores SIGHUP before the command starts; that choice stands).
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is not None and signal.getsignal(hangup) == signal.SIG_DFL:
        signal.signal(hangup, _as_ctrl_c)


def _as_ctrl_c(signum: int, frame: object) -> None:
    """Whatever a Ctrl-C would do now: the handler of the moment (held while a run is
    logged, stop-after-this-trial in tune), nothing once the result stands."""
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)  # type: ignore[arg-type]
    elif handler != signal.SIG_IGN:
        raise KeyboardInterrupt


def settle() -> None:
    """The outcome is decided: ignore Ctrl-C from here to the end of the process."""
    if _script[0]:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def wind_down() -> None:
    """Ctrl-C in the `credit` script, once its one line is out: end the worker pool now
    and spare the exit the rest of the work.

    An interrupted command owes nothing to a polite shutdown: the pool's idle workers are
    killed rather than joined, and the interpreter's last garbage collection (seconds after
    a million-row job) is skipped by freezing what exists. Its runs are already ended
    (KILLED) and its files are written whole or not at all. If a read is still running in
    threads of its own (`signals.in_own_thread`), the process ends at once (os._exit(130)).
    Under CliRunner nothing happens.
    """
    if not _script[0]:
        return
    import gc
    import os

    from credit_mlops.processes.pools import end_workers  # standard library only
    from credit_mlops.processes.signals import work_in_flight

    end_workers()  # a no-op unless a pool was started
    if work_in_flight():  # a read in C threads: finalizing under it could crash, so end now
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(130)
    gc.freeze()
