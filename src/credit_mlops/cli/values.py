"""Values the command line takes, checked as types once, where they are parsed.

A seed, a port, a row count or a model key is refused by its option - one line `error:`
naming the flag and what it accepts, exit 2 - before any settings are loaded or any store
is opened; the commands declare these options instead of each checking numbers its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from typer.models import OptionInfo

SEED_MAX = 2**32 - 1  # numpy's SeedSequence and scikit-learn take 0..2**32-1
PORT_MAX = 65535


def _within(flag: str, low: int, high: int | None, why: str) -> Callable[[Any], Any]:
    def check(value: int | None) -> int | None:
        from credit_mlops.errors import InputError

        if value is not None and (value < low or (high is not None and value > high)):
            accepted = f"{low}..{high}" if high is not None else f"at least {low}"
            raise InputError(f"{flag} {value} is out of range: use {accepted} ({why})")
        return value

    return check


def whole_number(raw: str | int) -> int:
    """A count, a seed or a port as typed: digits only (with a sign), so that `1.0` or
    `1e3` is refused rather than read as a number it merely resembles (a default, already
    a number, is kept)."""
    if isinstance(raw, int):
        return raw
    text = raw.strip()
    if not text or not text.lstrip("+-").isdigit() or not text.isascii():
        raise typer.BadParameter(f"{raw!r} is not a whole number")
    return int(text)


def whole_option(*flags: str, help: str, low: int, high: int | None, why: str) -> OptionInfo:
    """A whole-number option: digits as typed (`whole_number`), then low..high."""
    return typer.Option(
        *flags,
        help=help,
        parser=whole_number,
        metavar="<int>",
        callback=_within(flags[0], low, high, why),
    )


def seed_option(help: str) -> OptionInfo:
    """`--seed`: 0..2**32-1, what every random generator the tool uses accepts."""
    return whole_option("--seed", help=help, low=0, high=SEED_MAX, why="a seed is unsigned")


def port_option(help: str) -> OptionInfo:
    """`--port`: 1..65535 (0 would let the OS pick a port nobody could then find)."""
    return whole_option("--port", help=help, low=1, high=PORT_MAX, why="a TCP port")


def rows_option(help: str, *names: str) -> OptionInfo:
    """`--rows`: at least one; whether that many fit in memory is the data module's check."""
    return whole_option(*(names or ("--rows",)), help=help, low=1, high=None, why="applicants")


def output_path(raw: str) -> Path:
    """An output file or folder as the user typed it: exactly `-` is standard output; any
    other spelling of a file named `-` (`./-`, which pathlib shortens to `-`) is that file,
    so the two never meet after parsing. Every output option parses with this."""
    from credit_mlops.files import STDOUT

    if not raw.strip():  # pathlib would make it '.', the current folder
        raise typer.BadParameter("is empty; give a file or folder name ('-' is standard output)")
    from credit_mlops.names import invisible

    if invisible(raw):  # a line break would split every line that names the file
        raise typer.BadParameter(
            "holds a line break, a control or an invisible character; give a plain name"
        )
    if raw == "-":
        return STDOUT
    path = Path(raw)
    return Path.cwd() / path if path == STDOUT else path


def output_file_path(raw: str) -> Path:
    """An output file as typed (`output_path`); a name ending in '/' names a folder, which
    pathlib would silently turn into a file of that name."""
    if raw.endswith(("/", "/.")) and raw != "-":
        raise typer.BadParameter(f"{raw!r} ends with '/', so it names a folder; give a file name")
    return output_path(raw)


def known_models(value: list[str] | None) -> list[str] | None:
    """`--model KEY` (repeatable, or comma-separated) names catalogue keys only."""
    from credit_mlops.errors import InputError
    from credit_mlops.modeling.catalog import ALL_KEYS

    if not value:
        return value
    keys = [k.strip() for item in value for k in item.split(",") if k.strip()]
    if not keys:  # --model '' or ',': a filter given empty is no "every model"
        raise InputError(f"--model: no model given (choose from: {', '.join(ALL_KEYS)})")
    unknown = [k for k in keys if k not in ALL_KEYS]
    if unknown:
        raise InputError(
            f"--model: unknown model {', '.join(repr(k) for k in unknown)} "
            f"(known: {', '.join(ALL_KEYS)})"
        )
    return keys


def model_filter_option(help: str) -> OptionInfo:
    return typer.Option("--model", "-m", help=help, callback=known_models)
