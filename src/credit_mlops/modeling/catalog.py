"""The table of model kinds: everything the code knows about a model key, as plain data.

Cheap to import (no scikit-learn): the CLI, the settings and every area that used to
special-case a key look it up here. Adding a model kind is one `ModelKind` entry below plus
one factory function (docs/adding-a-model-kind.md walks through it); `tests/unit/
test_catalog.py` fails on an entry that is incomplete or points at nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from credit_mlops.modeling.search_spaces import Choice, FloatRange, IntRange, Param, Scalar

# What a kind's pipeline feeds its model: "prepared" = our preprocessing (one-hot, scaling)
# and the run's oversampling; "raw" = the data set's columns as read (the model bins them
# itself; oversampling would distort its statistics); "members" = a vote of other kinds'
# whole pipelines, each with its own inputs.
Inputs = Literal["prepared", "raw", "members"]
# Extra things logged beside the model: "booster" = the bare XGBoost booster (`xgb_model_only`),
# "scorecard_table" = the points table with IVs (`results/scorecard.json`).
Artifact = Literal["booster", "scorecard_table"]
ARTIFACTS: tuple[Artifact, ...] = ("booster", "scorecard_table")
ESTIMATORS = "credit_mlops.modeling.estimators"
EXPLAIN = "credit_runtime.explain"  # the explainers ship with every logged model


@dataclass(frozen=True)
class ModelKind:
    key: str
    display_name: str
    # "module:function"; the function takes the seed and returns the unfitted estimator
    # (None for the ensemble, whose model is the vote the build module assembles).
    factory: str | None
    inputs: Inputs
    # Hyperparameter ranges `credit tune` searches (names as the estimator's get_params()).
    space: Mapping[str, Param]
    # CPU seconds of one CV fold per 1,000 training rows, single-threaded: only whether a CV
    # job is small enough for one worker depends on it (train/background.py).
    fold_seconds: float
    # Scheduling order of fold tasks, lowest first: slow ones first, so a pool's last tasks
    # are short (0 = slowest).
    fold_rank: int
    explainer: str  # "module:factory" of its explainer (explain/attribution.py)
    pip_packages: tuple[str, ...]  # beyond the base set every logged model needs
    artifacts: tuple[Artifact, ...] = ()
    # The TrainSettings field that caps its training rows (0 there = no cap), if any.
    row_limit: str | None = None
    # "module:function" taking (seed, n_components): the kind's variant that grows linearly
    # with the rows (`--svm-approx`); it has no row limit.
    approx_factory: str | None = None
    seed: bool = False  # one of the seed project's models: part of `--model all`
    # `credit train --engine spark` trains it with Spark's own learner (train/spark_learners.py)
    spark: bool = False
    # It takes missing values as they are (learns where they go): numeric and ordinal gaps
    # reach it unimputed, without an indicator, unless the rows are oversampled first (SMOTE
    # needs complete rows).
    native_missing: bool = False
    # Values chosen at every fit by an inner cross-validation on that fit's training rows
    # (modeling/inner_search.py), unless the user gives the parameter; names as `space`.
    inner_grid: Mapping[str, tuple[Scalar, ...]] = field(default_factory=dict)


KINDS: dict[str, ModelKind] = {
    kind.key: kind
    for kind in (
        ModelKind(
            key="logistic_regression",
            display_name="Logistic Regression",
            factory=f"{ESTIMATORS}:logistic_regression",
            inputs="prepared",
            space={"C": FloatRange(1e-3, 1e2, log=True)},
            # the regularisation: the same grid on every data set, its choice on the rows
            inner_grid={"C": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)},
            fold_seconds=0.6,  # with the inner search of C (0.3 without)
            fold_rank=3,
            explainer=f"{EXPLAIN}.exact:LinearExplainer",
            pip_packages=(),
            seed=True,
            spark=True,
        ),
        ModelKind(
            key="decision_tree",
            display_name="Decision Tree",
            factory=f"{ESTIMATORS}:decision_tree",
            inputs="prepared",
            space={
                "max_depth": IntRange(2, 12),
                "min_samples_leaf": IntRange(1, 60, log=True),
                "criterion": Choice(("gini", "entropy")),
            },
            fold_seconds=0.3,
            fold_rank=4,
            explainer=f"{EXPLAIN}.exact:TreeExplainer",
            pip_packages=(),
            seed=True,
        ),
        ModelKind(
            key="random_forest",
            display_name="Random Forest",
            factory=f"{ESTIMATORS}:random_forest",
            inputs="prepared",
            space={
                "n_estimators": IntRange(100, 500, step=50),
                "max_depth": IntRange(3, 20),
                "min_samples_leaf": IntRange(1, 20, log=True),
                "max_features": FloatRange(0.1, 1.0),
            },
            fold_seconds=1.5,
            fold_rank=1,
            explainer=f"{EXPLAIN}.exact:TreeExplainer",
            pip_packages=(),
            seed=True,
        ),
        ModelKind(
            key="svm",
            display_name="Support Vector Machine",
            factory=f"{ESTIMATORS}:svm",
            inputs="prepared",
            # a calibrated SVM's parameters are its inner estimator's: estimator__<name>
            space={
                "estimator__C": FloatRange(1e-2, 1e2, log=True),
                "estimator__gamma": FloatRange(1e-4, 1.0, log=True),
            },
            fold_seconds=1.0,
            fold_rank=0,
            explainer=f"{EXPLAIN}.agnostic:PermutationExplainer",
            pip_packages=(),
            row_limit="svm_max_rows",
            approx_factory=f"{ESTIMATORS}:svm_approx",
            seed=True,
        ),
        ModelKind(
            key="xgboost",
            display_name="XGBoost",
            factory=f"{ESTIMATORS}:xgboost",
            inputs="prepared",
            space={
                "n_estimators": IntRange(100, 600, step=50),
                "max_depth": IntRange(2, 8),
                "learning_rate": FloatRange(0.01, 0.3, log=True),
                "subsample": FloatRange(0.5, 1.0),
                "colsample_bytree": FloatRange(0.4, 1.0),
                "min_child_weight": FloatRange(1.0, 10.0, log=True),
                "reg_lambda": FloatRange(1e-3, 10.0, log=True),
            },
            fold_seconds=1.5,
            fold_rank=2,
            explainer=f"{EXPLAIN}.exact:XGBoostExplainer",
            pip_packages=("xgboost",),
            artifacts=("booster",),
            seed=True,
            spark=True,
            native_missing=True,
        ),
        ModelKind(
            key="scorecard",
            display_name="WoE Scorecard",
            factory=f"{ESTIMATORS}:scorecard",
            inputs="raw",
            space={  # the binning; C is chosen inside each fit by inner CV
                "min_bin_share": FloatRange(0.02, 0.15),
                "max_n_bins": IntRange(3, 10),
                "rare_code_share": FloatRange(0.0, 0.05),
                "monotonic_trend": Choice(("auto", "auto_asc_desc", "auto_heuristic")),
            },
            fold_seconds=1.5,
            fold_rank=0,
            explainer=f"{EXPLAIN}.scorecard:ScorecardExplainer",
            pip_packages=("optbinning",),
            artifacts=("scorecard_table",),
        ),
        ModelKind(
            key="ensemble",
            display_name="Ensemble (soft vote)",
            factory=None,
            inputs="members",
            space={},  # weights and members are settings ([ensemble]), not searched
            fold_seconds=1.5,
            fold_rank=0,
            explainer=f"{EXPLAIN}.vote:vote_explainer",
            pip_packages=(),  # its members' packages (pip_packages() adds them)
        ),
    )
}

ENSEMBLE_KEY = "ensemble"
ALL_KEYS: tuple[str, ...] = tuple(KINDS)  # every key `credit train` accepts
SEED_KEYS: tuple[str, ...] = tuple(k for k, kind in KINDS.items() if kind.seed)  # `--model all`
SPARK_KEYS: tuple[str, ...] = tuple(k for k, kind in KINDS.items() if kind.spark)
MODEL_KEYS: tuple[str, ...] = tuple(k for k, kind in KINDS.items() if kind.inputs != "members")
RAW_KEYS: frozenset[str] = frozenset(k for k, kind in KINDS.items() if kind.inputs == "raw")
DISPLAY_NAMES: dict[str, str] = {k: kind.display_name for k, kind in KINDS.items()}
SPACES: dict[str, Mapping[str, Param]] = {k: kind.space for k, kind in KINDS.items() if kind.space}


def pip_packages(key: str, members: Iterable[str] = ()) -> tuple[str, ...]:
    """The packages a logged model of `key` needs beyond the base set; a vote's include those
    of its `members`."""
    kind = KINDS[key]
    names = list(kind.pip_packages)
    if kind.inputs == "members":
        for member in members:
            names.extend(n for n in KINDS[member].pip_packages if n not in names)
    return tuple(names)


def slowest_first(keys: Sequence[str]) -> list[str]:
    """The keys in fold scheduling order (a stable sort: equal ranks keep their order)."""
    return sorted(keys, key=lambda k: KINDS[k].fold_rank)


def resolve(path: str) -> Callable[..., Any]:
    """The callable a "module:name" path of the table names (imported on first use)."""
    module, _, name = path.partition(":")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return fn
