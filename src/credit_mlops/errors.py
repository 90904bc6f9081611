"""The one error hierarchy. Each class carries the exit code the CLI maps it to.

0 success, 1 unexpected failure, 2 bad input, 3 tracking server unreachable,
4 authentication or permission refused, 130 interrupted.
"""

from __future__ import annotations


class CreditError(Exception):
    """A failure the user can act on; its message is one line that says what to do."""

    exit_code = 1


class InputError(CreditError):
    """Bad flags, settings, names or files given by the user."""

    exit_code = 2


class ConfigError(InputError):
    """A profile, TOML file or setting that cannot be used."""


class DataError(InputError):
    """A data file that is missing, unreadable or violates the schema."""


class NotFoundError(InputError):
    """A model, version, run, stage or alias that does not exist."""


class TrackingError(CreditError):
    """The tracking store refused or failed an operation."""

    exit_code = 1


class TrackingUnreachableError(TrackingError):
    """Nothing answers at the tracking URI."""

    exit_code = 3


class AuthError(TrackingError):
    """The tracking server refused the credentials or the permission."""

    exit_code = 4
