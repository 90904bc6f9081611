"""What a logged credit model raises when it cannot answer.

Standard library only: a server maps these to HTTP statuses without importing anything heavy.
"""

from __future__ import annotations


class CreditModelError(Exception):
    """Base of everything a credit model raises on purpose."""


class InvalidInput(CreditModelError, ValueError):
    """Applicants the model refuses to score: a missing column, a missing value, a value that is
    not a number, not an integer code, or outside its column's domain; or a bad `reasons`
    parameter. `row` is the 0-based position of the first offending applicant in the frame
    given to `predict` (None when the problem is not one row's), `column` the column's name."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


class ExplanationUnavailable(CreditModelError, ValueError):
    """Reasons were asked of a model that cannot give them (no stored background sample)."""


class UntrustedModel(CreditModelError):
    """A stored model whose file names a type outside the runtime's allowlist."""


class DamagedModel(CreditModelError, ValueError):
    """A file logged beside the model (its decision, description or background) that cannot
    be read as the runtime wrote it: changed, truncated or replaced after logging."""
