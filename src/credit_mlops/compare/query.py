"""What `credit compare` was asked for: the query, its `--since` and `--tag` parsing, and
the MLflow filter it becomes. Pure: no store needed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from credit_mlops.errors import InputError
from credit_mlops.tracking.queries import quote, tag_equals


@dataclass(frozen=True)
class Query:
    experiment: str
    primary: str = "roc_auc_test_mean"
    sort: str | None = None
    models: tuple[str, ...] = ()
    filter: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    since: str | None = None
    top: int | None = None
    all_runs: bool = False
    page_size: int = 1000
    experiment_given: bool = True  # False: the profile's own, which may not exist yet
    primary_from: str = "tracking.primary_metric"  # how a refusal names the primary metric


def parse_since(text: str, now: datetime | None = None) -> int:
    """'7d', '12h', '30m', '2w' or a date/datetime (ISO) -> epoch milliseconds."""
    now = now or datetime.now(UTC)
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text)
    if match:
        seconds = (
            int(match.group(1)) * {"m": 60, "h": 3600, "d": 86400, "w": 604800}[match.group(2)]
        )
        return int((now.timestamp() - seconds) * 1000)
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--since '{text}' is neither a duration (7d, 12h, 30m, 2w) nor a date "
            "(2026-11-01 or 2026-11-01T08:00)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def parse_tags(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--tag '{item}' is not KEY=VALUE")
        out.append((key.strip(), value.strip()))
    return tuple(out)


def check_sort(sort: str | None) -> None:
    if sort and not re.fullmatch(r"[A-Za-z0-9_.\-]+", sort):
        raise InputError(f"--sort '{sort}' is not a metric name")


def build_filter(q: Query, now: datetime | None = None) -> str:
    parts = []
    if q.filter:
        parts.append(q.filter)
    parts.extend(tag_equals(k, v) for k, v in q.tags)
    if q.since:
        parts.append(f"attributes.start_time >= {parse_since(q.since, now)}")
    if len(q.models) == 1:
        parts.append(f"tags.model_name = {quote(q.models[0])}")
    return " and ".join(parts)
