"""The model catalog's names: cheap to import, so the CLI and settings can use them.

The estimators themselves are built in `models.py`, which imports scikit-learn.
"""

from __future__ import annotations

DISPLAY_NAMES: dict[str, str] = {
    "logistic_regression": "Logistic Regression",
    "decision_tree": "Decision Tree",
    "random_forest": "Random Forest",
    "svm": "Support Vector Machine",
    "xgboost": "XGBoost",
    "scorecard": "WoE Scorecard",
    "ensemble": "Ensemble (soft vote)",
}
ENSEMBLE_KEY = "ensemble"
# What `--model all` means: the seed project's five models, whatever keys are added later.
SEED_KEYS: tuple[str, ...] = (
    "logistic_regression",
    "decision_tree",
    "random_forest",
    "svm",
    "xgboost",
)
ALL_KEYS: tuple[str, ...] = tuple(DISPLAY_NAMES)  # every key `credit train` accepts
MODEL_KEYS: tuple[str, ...] = tuple(k for k in DISPLAY_NAMES if k != ENSEMBLE_KEY)  # single models
RAW_KEYS: frozenset[str] = frozenset({"scorecard"})  # take the raw columns, no preprocessing
