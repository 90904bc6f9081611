"""Preprocessing as one ColumnTransformer, so it sits inside every pipeline and every fold."""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from credit_mlops.data.schema import COLUMNS


def preprocessor() -> ColumnTransformer:
    """One-hot for nominal codes, scaling for numeric columns, ordinal codes kept ordinal.

    Ordinal and binary codes are scaled, not expanded: their order carries the meaning.
    A ColumnTransformer (not a Pipeline) because imblearn's Pipeline refuses a nested one.
    """
    nominal = [c.name for c in COLUMNS if c.kind == "nominal"]
    numeric = [c.name for c in COLUMNS if c.kind == "numeric"]
    ordered = [c.name for c in COLUMNS if c.kind in ("ordinal", "binary")]
    return ColumnTransformer(
        [
            (
                "nominal",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=float),
                nominal,
            ),
            ("numeric", StandardScaler(), numeric),
            ("ordinal", StandardScaler(), ordered),
        ],
        remainder="drop",
        verbose_feature_names_out=True,
    )
