"""Ctrl-C: exit 130 while a command works; once its result stands, exit 0 cleanly.

A command has completed when its work is done and its result is being shown: from then on
a Ctrl-C (e.g. while loky's or MLflow's exit hooks run at interpreter shutdown) is ignored
rather than printing a KeyboardInterrupt traceback over a finished result. Only when this
process is the `credit` script itself (`main()` says so): under CliRunner the test process
keeps its own handler.
"""

from __future__ import annotations

import signal

_script = [False]  # set once by cli.main.main(), never by CliRunner


def own_process() -> None:
    """Called by the console script: this process is one `credit` command."""
    _script[0] = True


def settle() -> None:
    """The outcome is decided: ignore Ctrl-C from here to the end of the process."""
    if _script[0]:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
