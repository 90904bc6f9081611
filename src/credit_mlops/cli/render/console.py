"""The terminal: stdout for results, stderr for notes, errors and progress."""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import io

    from rich.console import Console
    from rich.segment import Segment
    from rich.text import Text


def out() -> Console:
    return _safe_console()(highlight=False, soft_wrap=False, markup=False)


def err() -> Console:
    return _safe_console()(stderr=True, highlight=False, markup=False)


def aside(console: Console) -> tuple[Console, io.StringIO]:
    """A console like `console` that writes into memory (the StringIO): for what a file or a
    pipe sees only at the end, and only if the command succeeds."""
    import io

    kept = io.StringIO()
    return _safe_console()(
        file=kept, width=console.width, highlight=False, markup=False, color_system=None
    ), kept


def styled(markup: str) -> Text:
    """Our own styles, written as rich markup, as text to print. The consoles read no markup
    in what they print (a run named `[link=...]x[/link]` is shown as typed), so a style is
    always asked for here, and every user's value inside `markup` goes through `escape`."""
    from rich.text import Text

    return Text.from_markup(markup)


@functools.cache
def _safe_console() -> type[Console]:
    """A rich Console that never writes a control character from the text it shows.

    Names from users or the store can hold escape sequences (colours, a cleared screen, an
    OSC 8 link hidden behind text); every printed text segment goes through
    `escaping.terminal_text` at the last step, so tables, notes and summaries show them as
    `\\x1b` text. Rich's own control segments (progress bars, cursor moves) and the styles
    it renders are kept.
    """
    from rich.console import Console
    from rich.segment import Segment

    from credit_mlops.escaping import terminal_text

    class SafeConsole(Console):
        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            return super()._render_buffer(
                s if s.control else Segment(terminal_text(s.text), s.style) for s in buffer
            )

    return SafeConsole


def error(message: str, *, debug: bool) -> None:
    console = err()
    if debug and sys.exc_info()[0] is not None:
        console.print_exception(show_locals=False)
    # One line, never wrapped: scripts grep it and terminals wrap it themselves; a line break
    # in a user's value is shown as \n, so it can neither split the line nor forge another.
    from rich.markup import escape as markup

    from credit_mlops.escaping import one_line

    console.print(
        styled(f"[bold red]error:[/] {markup(one_line(bounded(message)))}"), soft_wrap=True
    )


MOST_SHOWN = 600  # characters of one error line; a value a user pasted can be much longer


def bounded(message: str, most: int = MOST_SHOWN) -> str:
    """The message, its middle left out past `most` characters (a 5,000-character value a
    user gave is named by its start and end, not echoed whole, once or twice)."""
    if len(message) <= most:
        return message
    head, tail = message[: most * 2 // 3], message[-(most // 3) :]
    return f"{head} [... {len(message) - len(head) - len(tail):,} characters left out ...] {tail}"


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
