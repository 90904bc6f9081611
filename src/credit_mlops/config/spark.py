"""`[spark]`: where `credit train --engine spark` runs and how it keys the rows."""

from __future__ import annotations

from pydantic import Field

from credit_mlops.config.base import Section


class SparkSettings(Section):
    # local[*] runs Spark on this machine; spark://host:7077 (or k8s://...) on a cluster
    master: str = "local[*]"
    # the column whose seeded hash puts each row in its holdout and CV fold (rows without it
    # are keyed by a hash of their values)
    id_column: str = "id"
    connect_timeout: float = Field(10.0, gt=0, le=30)  # seconds to wait for the master
    num_workers: int = Field(0, ge=0)  # XGBoost's Spark workers; 0: the default parallelism
