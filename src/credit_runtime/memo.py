"""What one decision computes once: a frame's WoE, points and transformed matrix.

A decision asks for the same things several times (P(bad), the score and the reasons each
bin or transform the applicants). Inside `reusing()` - entered by `CreditModel.decide` -
a computation of one owner (a scorecard, a fitted transformer) on one frame object, left
unchanged meanwhile, is done once and shared; outside it nothing is kept, so a frame
changed in place between two calls is never served stale. Per thread: two requests decided
at once never see each other's frames.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

_REUSE = threading.local()  # per thread: the frames of the decision being made


@contextlib.contextmanager
def reusing() -> Iterator[None]:
    """Within the block, `reused` computes once per owner, frame and kind of result."""
    if getattr(_REUSE, "memo", None) is not None:
        yield  # already inside one
        return
    _REUSE.memo = {}
    try:
        yield
    finally:
        _REUSE.memo = None


def reused(owner: object, X: Any, what: str, compute: Callable[[Any], Any]) -> Any:
    """`compute(X)`, once per (owner, X, what) inside `reusing()`; afresh outside it."""
    memo = getattr(_REUSE, "memo", None)
    if memo is None:
        return compute(X)
    key = (id(owner), id(X), what)
    known = memo.get(key)
    if known is not None and known[0] is owner and known[1] is X:
        return known[2]
    value = compute(X)
    memo[key] = (owner, X, value)  # holding both: their ids cannot be reused while kept
    return value
