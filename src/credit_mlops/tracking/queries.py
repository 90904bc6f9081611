"""MLflow search-filter text, written in one place: quoting and chunked `IN (...)` lists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from credit_mlops.errors import InputError

IN_CHUNK = 100  # ids per IN (...) query: long lists are split, never truncated


def quote(value: str) -> str:
    """A string literal for an MLflow filter. MLflow's parser keeps a backslash as it is
    (`'o\\'b'` matches nothing), so a value holding a single quote is written in double
    quotes, which `=` takes; one holding both kinds cannot be written at all."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise InputError(
        f"{value!r} holds both kinds of quote, which MLflow's search filters cannot hold; rename it"
    )


def in_filters(column: str, values: Sequence[str], size: int = IN_CHUNK) -> Iterator[str]:
    """`column IN ('a', 'b', …)` filters, `size` values at a time."""
    for i in range(0, len(values), size):
        yield f"{column} IN ({', '.join(quote(v) for v in values[i : i + size])})"


def tag_equals(key: str, value: str) -> str:
    return f"tags.`{key}` = {quote(value)}"
