"""The terminal: stdout for results, stderr for notes, errors and progress."""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def out() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def error(message: str, *, debug: bool) -> None:
    console = err()
    if debug and sys.exc_info()[0] is not None:
        console.print_exception(show_locals=False)
    # One line, never wrapped: scripts grep it and terminals wrap it themselves.
    console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def escape(text: str) -> str:
    """Text from users or the store, safe in rich markup and on the terminal: no markup
    tag and no control sequence of its own."""
    from rich.markup import escape

    from credit_mlops.escaping import terminal_text

    return escape(terminal_text(text))


def note(message: str) -> None:
    from credit_mlops.escaping import terminal_text

    err().print(terminal_text(message), markup=False, soft_wrap=True)


def emit_json(payload: object) -> None:
    """JSON on stdout and nothing else there."""
    if dataclasses.is_dataclass(payload) and not isinstance(payload, type):
        payload = dataclasses.asdict(payload)
    from credit_mlops.escaping import to_json

    sys.stdout.write(to_json(payload) + "\n")  # strict: NaN is null, any parser reads it
    sys.stdout.flush()
