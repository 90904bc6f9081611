"""Run search: page after page, never truncated at a page size. Raw client calls."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from credit_mlops.errors import InputError
from credit_mlops.tracking.connection import Connection
from credit_mlops.tracking.convert import run_record
from credit_mlops.tracking.queries import in_filters
from credit_mlops.tracking.records import RunRecord


def iter_runs(
    conn: Connection,
    client: Any,
    experiment_ids: Sequence[str],
    filter_string: str = "",
    order_by: Sequence[str] | None = None,
    page_size: int = 1000,
    first_page: int | None = None,
) -> Iterator[RunRecord]:
    """Every matching run, page after page.

    With `first_page`, pages start that small and double up to `page_size`: a caller
    that usually stops early (the newest run per model) reads little.
    """
    from mlflow.exceptions import MlflowException

    token: str | None = None
    size = min(first_page or page_size, page_size)
    while True:
        with conn.guard():
            try:
                page = client.search_runs(
                    list(experiment_ids),
                    filter_string=filter_string,
                    max_results=size,
                    order_by=list(order_by) if order_by else None,
                    page_token=token,
                )
            except MlflowException as exc:
                if exc.error_code == "INVALID_PARAMETER_VALUE" and filter_string:
                    first = str(exc.message).splitlines()[0]
                    raise InputError(f"bad search filter '{filter_string}': {first}") from None
                raise
        yield from (run_record(r) for r in page)
        token = page.token
        if not token:
            return


def runs_by_id(
    conn: Connection, client: Any, experiment_ids: Sequence[str], run_ids: Sequence[str]
) -> dict[str, RunRecord]:
    """The runs with these ids, asked for in chunks."""
    out: dict[str, RunRecord] = {}
    for flt in in_filters("attributes.run_id", list(run_ids)):
        for run in iter_runs(conn, client, experiment_ids, flt):
            out[run.run_id] = run
    return out


def metric_history(conn: Connection, client: Any, run_id: str, key: str) -> list[float]:
    """A metric's values ordered by step (the folds of `credit train`); [] if none."""
    with conn.guard():
        history = client.get_metric_history(run_id, key)
    return [float(m.value) for m in sorted(history, key=lambda m: m.step)]
