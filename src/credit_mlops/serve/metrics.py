"""The service's Prometheus metrics.

With several worker processes each one counts in files under PROMETHEUS_MULTIPROC_DIR
(set by `serve.run` before the workers start) and /metrics adds them up, whichever worker
answers; with one process the counters live in this process only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


@dataclass(frozen=True)
class Metrics:
    registry: Any
    requests: Any  # by path and status
    latency: Any  # seconds, by path
    decisions: Any  # by outcome and model version
    validation_errors: Any  # by column
    model_version: Any  # the served version, by model name
    load_failures: Any

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

        if multiprocess():
            from prometheus_client.multiprocess import MultiProcessCollector

            merged = CollectorRegistry()
            MultiProcessCollector(merged)
            return generate_latest(merged), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def make_metrics() -> Metrics:
    """A fresh set of metrics in its own registry (one per app: tests build several)."""
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

    registry = CollectorRegistry()
    prefix = "credit_serve_"
    return Metrics(
        registry=registry,
        requests=Counter(
            prefix + "requests", "HTTP requests answered", ["path", "status"], registry=registry
        ),
        latency=Histogram(
            prefix + "request_seconds",
            "Time to answer a request",
            ["path"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        decisions=Counter(
            prefix + "decisions",
            "Decisions made, by outcome and model version",
            ["outcome", "version"],
            registry=registry,
        ),
        validation_errors=Counter(
            prefix + "validation_errors",
            "Requests refused for their content, by the column named",
            ["column"],
            registry=registry,
        ),
        model_version=Gauge(
            prefix + "model_version",
            "The registered version being served",
            ["model"],
            registry=registry,
            multiprocess_mode="livemax",
        ),
        load_failures=Counter(
            prefix + "model_load_failures", "New versions that failed to load", registry=registry
        ),
    )
