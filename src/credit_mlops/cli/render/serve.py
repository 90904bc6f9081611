"""What `credit serve` writes while it runs: its log lines on stderr."""

from __future__ import annotations

import logging


def configure_logging() -> None:
    """The service's own log (model loads, follow failures) beside uvicorn's, on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("credit.serve")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
