"""The estimator factories the catalog names (key -> `<key>(seed)`), with their default
hyperparameters.

Every estimator is single-threaded: parallelism comes from running folds side by side,
which keeps two cores busy without oversubscribing them and keeps results independent
of --n-jobs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sklearn.base import BaseEstimator

from credit_mlops.modeling.catalog import KINDS, resolve

if TYPE_CHECKING:
    from credit_mlops.data.description import Description


def logistic_regression(seed: int) -> BaseEstimator:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000, random_state=seed)


def decision_tree(seed: int) -> BaseEstimator:
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(
        criterion="gini", max_depth=5, min_samples_leaf=10, random_state=seed
    )


def random_forest(seed: int) -> BaseEstimator:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=300, min_samples_leaf=2, max_features="sqrt", n_jobs=1, random_state=seed
    )


def svm(seed: int) -> BaseEstimator:
    # SVC(probability=True) is deprecated in scikit-learn 1.9; Platt scaling through
    # CalibratedClassifierCV is its documented successor and gives predict_proba.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    return CalibratedClassifierCV(
        SVC(kernel="rbf", C=1.0, gamma="scale", random_state=seed),
        method="sigmoid",
        cv=5,
        n_jobs=1,
    )


def svm_approx(seed: int, n_components: int) -> BaseEstimator:
    """`--svm-approx`: the svm key as Nystroem RBF features (gamma 'scale', seeded) + a
    linear SVM, Platt-scaled like the exact one; it grows linearly with the rows."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    from credit_mlops.modeling.kernel_approx import ScaledNystroem

    kernel = ScaledNystroem(n_components=n_components, random_state=seed)
    # primal solver (dual=False): n_samples >> n_components, the cost is linear in the rows
    linear = LinearSVC(C=1.0, dual=False, random_state=seed)
    return CalibratedClassifierCV(
        Pipeline([("nystroem", kernel), ("linear_svm", linear)]),
        method="sigmoid",
        cv=5,
        n_jobs=1,
    )


def xgboost(seed: int) -> BaseEstimator:
    from xgboost import XGBClassifier

    return XGBClassifier(
        n_estimators=300,
        max_depth=4,
        learning_rate=0.05,
        subsample=0.8,
        colsample_bytree=0.8,
        tree_method="hist",
        eval_metric="logloss",
        n_jobs=1,
        random_state=seed,
    )


def scorecard(seed: int) -> BaseEstimator:
    # Raw columns in (the pipeline has no preprocessing step); the settings section
    # `scorecard` sets the binning and points through PipelineConfig.scorecard.
    from credit_mlops.data.schema import DEFAULT
    from credit_mlops.modeling.scorecard import ScorecardClassifier

    return ScorecardClassifier(categorical=categorical(DEFAULT), random_state=seed)


def categorical(description: Description) -> tuple[str, ...]:
    """The columns a scorecard bins as categories: nominal ones, and any with text codes."""
    return tuple(
        n
        for n, c in description.columns.items()
        if c.kind == "nominal" or (c.kind != "numeric" and not c.integer_codes)
    )


def estimator(key: str, seed: int, description: Description | None = None) -> BaseEstimator:
    """The unfitted estimator of a catalog key (not the ensemble: its vote is built from
    member pipelines, modeling/build.py); the scorecard takes its categorical columns from
    `description`."""
    factory = KINDS[key].factory
    if factory is None:
        raise ValueError(f"model kind {key!r} has no estimator of its own")
    est: BaseEstimator = resolve(factory)(seed)
    if key == "scorecard" and description is not None:
        est.set_params(categorical=categorical(description))
    return est


def hyperparameters(est: BaseEstimator) -> dict[str, object]:
    """Every hyperparameter of the estimator, nested ones included, as loggable scalars."""
    out: dict[str, object] = {}
    for name, value in sorted(est.get_params(deep=True).items()):
        if isinstance(value, BaseEstimator) or _is_steps(value):
            continue  # its own parameters are listed as name__param
        out[name] = value
    return out


def _is_steps(value: object) -> bool:
    """A Pipeline's `steps`: (name, estimator) pairs, each listed as name__param already."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(s, tuple) and len(s) == 2 for s in value)
    )
