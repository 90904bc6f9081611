"""The columns of each comparison view, with their labels and narrow-terminal priorities."""

from __future__ import annotations

from dataclasses import dataclass

from credit_mlops.modeling.metric_names import COMPARE_COLUMNS, lower_is_better, test_mean


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    better: str | None = None  # "max" or "min": the best value is highlighted
    priority: int = 5  # lower is dropped first on a narrow terminal


def better(metric: str) -> str:
    return "min" if lower_is_better(metric) else "max"


def run_columns(primary: str, show_status: bool = False) -> tuple[Column, ...]:
    """The latest/all-runs views: the primary metric with its std, then the others."""
    base = primary.removesuffix("_test_mean")
    label = base.replace("_", " ")
    cols = [
        Column("model", "model", priority=10),
        Column("run_name", "run", priority=5),
        Column("status", "status", priority=8 if show_status else 2),
        Column("model_version", "version", priority=4),
        Column(primary, f"{label} ± std", numeric=True, better=better(primary), priority=9),
        Column(f"{base}_test_std", f"{label} std", numeric=True, priority=0),
    ]
    for name, short, priority in COMPARE_COLUMNS:
        if test_mean(name) != primary:
            cols.append(
                Column(
                    test_mean(name),
                    short,
                    numeric=True,
                    better=better(test_mean(name)),
                    priority=priority,
                )
            )
    cols += [
        Column("smote", "SMOTE", priority=4),
        Column("duration_s", "train s", numeric=True, priority=3),
        Column("registered", "registered", priority=6),
        Column("stage", "stage", priority=6),
        Column("aliases", "aliases", priority=4),
        Column("run_id", "run id", priority=1),
        Column("start_time", "started (UTC)", priority=1),
    ]
    return tuple(cols)


def registry_columns(primary: str) -> tuple[Column, ...]:
    base = primary.removesuffix("_test_mean")
    return (
        Column("name", "registered model", priority=10),
        Column("version", "v", numeric=True, priority=10),
        Column("stage", "stage", priority=8),
        Column("aliases", "aliases", priority=7),
        Column("created", "created (UTC)", priority=4),
        Column("model", "model", priority=6),
        Column("model_version", "semver", priority=3),
        Column(
            primary,
            f"{base.replace('_', ' ')} ± std",
            numeric=True,
            better=better(primary),
            priority=9,
        ),
        Column(f"{base}_test_std", "std", numeric=True, priority=0),
        Column("f1_test_mean", "f1", numeric=True, better="max", priority=6),
        Column("recall_test_mean", "recall", numeric=True, better="max", priority=5),
        Column("precision_test_mean", "precision", numeric=True, better="max", priority=5),
        Column("parity_gap", "parity gap", numeric=True, better="min", priority=4),
        Column("run_id", "source run", priority=2),
    )
