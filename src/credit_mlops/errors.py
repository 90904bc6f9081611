"""The one error hierarchy. Each class carries the exit code the CLI maps it to.

0 success, 1 unexpected failure, 2 bad input, 3 tracking server unreachable,
4 authentication or permission refused, 5 a check the user asked to fail on did fail,
130 interrupted. The code belongs to the class: an instance never changes it.
"""

from __future__ import annotations

from typing import ClassVar


class CreditError(Exception):
    """A failure the user can act on; its message is one line that says what to do."""

    exit_code: ClassVar[int] = 1


class InputError(CreditError):
    """Bad flags, settings, names or files given by the user."""

    exit_code = 2


class ConfigError(InputError):
    """A profile, TOML file or setting that cannot be used."""


class DataError(InputError):
    """A data file that is missing, unreadable or violates the schema."""


class NotFoundError(InputError):
    """A model, version, run, stage or alias that does not exist."""


class DeletedError(NotFoundError):
    """A name the store still holds but as deleted (an experiment): said as such, with how to
    restore it, never taken for "nothing there yet"."""


class TrackingError(CreditError):
    """The tracking store refused or failed an operation.

    `partial_run_id` names a run the failed operation had already created (and ended as
    FAILED), so that `credit sync` can clean it up later.
    """

    exit_code = 1

    def __init__(self, message: str, *, partial_run_id: str | None = None) -> None:
        super().__init__(message)
        self.partial_run_id = partial_run_id


class TrackingUnreachableError(TrackingError):
    """Nothing answers at the tracking URI."""

    exit_code = 3


class NotATrackingServerError(TrackingError):
    """Something answers at the tracking URI, but not MLflow's API (a wrong host, port or
    path): the URI given is wrong."""

    exit_code = 2


class ClusterUnreachableError(CreditError):
    """Nothing answers at the Spark master URL."""

    exit_code = 3


class SourceUnreachableError(CreditError):
    """A download mirror (data.url) that does not answer (exit 3)."""

    exit_code = 3


class AuthError(TrackingError):
    """The tracking server refused the credentials or the permission."""

    exit_code = 4


class CheckFailedError(CreditError):
    """A check the user asked to fail on did fail (e.g. `--fail-on major` found a shift)."""

    exit_code = 5


def error_for_exit_code(code: int) -> type[CreditError]:
    """The class whose exit code is `code`, for reporting a failure recorded earlier."""
    classes: dict[int, type[CreditError]] = {
        InputError.exit_code: InputError,
        TrackingUnreachableError.exit_code: TrackingUnreachableError,
        AuthError.exit_code: AuthError,
        CheckFailedError.exit_code: CheckFailedError,
    }
    return classes.get(code, TrackingError)


def cut(text: str, most: int) -> str:
    """`text` for a one-line message: whole up to `most` characters, else its start and how
    long it was (a value or name a user pasted is never echoed whole)."""
    if len(text) <= most:
        return text
    return f"{text[: max(most - 30, 10)]}...({len(text):,} characters)"


def some(names: object, first: int = 5) -> str:
    """Names for a one-line message: the first few and how many more, never an 80 KB line
    (a file with 10,000 unknown columns is named by five of them and a count)."""
    items = [str(n) for n in names]  # type: ignore[attr-defined]
    shown = ", ".join(items[:first])
    rest = len(items) - first
    return f"{shown} and {rest:,} more" if rest > 0 else shown


def name_too_long(path: object) -> str:
    """The refusal of a path the file system cannot hold (a name over 255 bytes, or a path
    over 4,096)."""
    text = str(path)
    shown = text if len(text) <= 80 else f"{text[:40]}...{text[-30:]} ({len(text)} characters)"
    return (
        f"the path {shown} is longer than the file system allows (255 bytes a name, 4,096 "
        "a path); give a shorter one"
    )
