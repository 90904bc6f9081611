"""The logged model: calibration around the whole pipeline, the decision inside the estimator.

    FixedThresholdClassifier(                      predict() = 1 (bad, reject) when P(bad) >= t
        CalibratedClassifierCV(                     only with --calibrate sigmoid|isotonic
            Pipeline(preprocess, [smote], model)))

The calibrator wraps the whole pipeline, not only the model step: each calibration fold then
resamples its own training part and is calibrated on untouched rows at the data's real share
of bad credits, which undoes the shift oversampling puts into the probabilities.
The threshold is a plain number chosen on training data before or after the fit
(`set_threshold`), so the logged model holds no scorer object and stays skops-clean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from imblearn.pipeline import Pipeline
    from sklearn.model_selection import FixedThresholdClassifier

CALIBRATION_METHODS: tuple[str, ...] = ("none", "sigmoid", "isotonic")
CALIBRATION_FOLDS = 5


def calibrated(
    estimator: object, method: str, *, seed: int, folds: int = CALIBRATION_FOLDS
) -> object:
    """`estimator` wrapped in CalibratedClassifierCV (or returned as is for 'none').

    ensemble=False: the calibrator is fitted on out-of-fold predictions and the estimator
    once more on all rows, so the logged model holds one pipeline, not `folds` copies.
    """
    if method == "none":
        return estimator
    if method not in CALIBRATION_METHODS:
        raise ValueError(
            f"unknown calibration {method!r} (choose from: {', '.join(CALIBRATION_METHODS)})"
        )
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold

    return CalibratedClassifierCV(
        estimator,
        method=method,
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        ensemble=False,
        n_jobs=1,
    )


def with_decision(estimator: object, threshold: float = 0.5) -> FixedThresholdClassifier:
    """The estimator inside scikit-learn's FixedThresholdClassifier (bad = 1 is positive)."""
    from sklearn.model_selection import FixedThresholdClassifier

    return FixedThresholdClassifier(
        estimator, threshold=float(threshold), response_method="predict_proba"
    )


def assemble(
    pipeline: object, *, calibrate: str, seed: int, threshold: float = 0.5
) -> FixedThresholdClassifier:
    """The unfitted model as it is trained and logged."""
    return with_decision(calibrated(pipeline, calibrate, seed=seed), threshold)


def set_threshold(model: FixedThresholdClassifier, threshold: float) -> FixedThresholdClassifier:
    """Change the decision of a fitted model; the fitted estimator is kept, no refit."""
    model.set_params(threshold=float(threshold))
    return model


def threshold_of(model: object) -> float | None:
    """The decision threshold a model carries, or None for a plain estimator."""
    from sklearn.model_selection import FixedThresholdClassifier

    if isinstance(model, FixedThresholdClassifier) and model.threshold != "auto":
        return float(model.threshold)
    return None


def inner_pipeline(model: object) -> Pipeline:
    """The (fitted, if `model` is) preprocess + model pipeline inside the wrappers."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import FixedThresholdClassifier

    current: Any = model
    while True:
        if isinstance(current, FixedThresholdClassifier):
            current = getattr(current, "estimator_", current.estimator)
        elif isinstance(current, CalibratedClassifierCV):
            fitted = getattr(current, "calibrated_classifiers_", None)
            current = fitted[0].estimator if fitted else current.estimator
        else:
            return current


def calibration_of(model: object) -> str:
    """'none', 'sigmoid' or 'isotonic': how the model's probabilities were calibrated."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import FixedThresholdClassifier

    current: Any = model
    if isinstance(current, FixedThresholdClassifier):
        current = getattr(current, "estimator_", current.estimator)
    return str(current.method) if isinstance(current, CalibratedClassifierCV) else "none"


def decisions(proba: np.ndarray, threshold: float) -> np.ndarray:
    """reject where P(bad) is at or above the threshold, as `credit predict` always did."""
    import numpy as np

    return np.where(proba >= threshold, "reject", "accept")
