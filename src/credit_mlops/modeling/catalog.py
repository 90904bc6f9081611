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
}
MODEL_KEYS: tuple[str, ...] = tuple(DISPLAY_NAMES)
SEED_KEYS: tuple[str, ...] = MODEL_KEYS[:5]  # `--model all`: the seed's five models
RAW_KEYS: frozenset[str] = frozenset({"scorecard"})  # take the raw columns, no preprocessing
