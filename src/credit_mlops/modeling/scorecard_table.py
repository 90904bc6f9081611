"""The scorecard's table and points below each maximum live in the scoring runtime
(`credit_runtime.scorecard_table`); this name stays for the commands that show them."""

from credit_runtime.scorecard_table import (
    NOT_PREDICTIVE_IV,
    SUSPICIOUS_IV,
    TABLE_COLUMNS,
    credit_scores,
    find_scorecard,
    information_values,
    iv_flag,
    max_points,
    points_below_max,
    points_table,
)

__all__ = [
    "NOT_PREDICTIVE_IV",
    "SUSPICIOUS_IV",
    "TABLE_COLUMNS",
    "credit_scores",
    "find_scorecard",
    "information_values",
    "iv_flag",
    "max_points",
    "points_below_max",
    "points_table",
]
