"""Preprocessing as one ColumnTransformer, built from the data description, so that it sits
inside every pipeline and every fold (imputation included: learned on each training fold)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

if TYPE_CHECKING:
    from credit_mlops.data.description import Description


def preprocessor(
    description: Description | None = None, *, impute: bool = True
) -> ColumnTransformer:
    """One-hot for nominal codes, scaling for numeric columns, ordinal codes kept ordinal.

    Ordinal and binary codes are scaled, not expanded: their order carries the meaning (text
    codes are first numbered in the description's order). Nominal columns with missing values
    one-hot the missing value as a category of its own; numeric and ordinal ones impute the
    median (most frequent code) and add a missing indicator, unless `impute` is False (a
    model that takes gaps itself: they stay NaN). A ColumnTransformer (not a Pipeline)
    because imblearn's Pipeline refuses a nested one as a step.
    """
    from credit_mlops.data.schema import DEFAULT

    d = description or DEFAULT
    steps: list[tuple[str, Any, list[str]]] = []
    nominal = d.of_kind("nominal")
    if nominal:
        onehot = OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=float)
        steps.append(("nominal", onehot, nominal))
    for group, kinds in (("numeric", ("numeric",)), ("ordinal", ("ordinal", "binary"))):
        plain = [n for n in d.of_kind(*kinds) if not _needs_encoding(d, n)]
        if plain:
            steps.append((group, StandardScaler(), plain))
    for name in d.features:
        if _needs_encoding(d, name):
            steps.append((f"{group_of(d, name)}_{name}", _encoded(d, name, impute), [name]))
    return ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=True)


def group_of(description: Description, name: str) -> str:
    kind = description.columns[name].kind
    return "numeric" if kind == "numeric" else "nominal" if kind == "nominal" else "ordinal"


def _needs_encoding(d: Description, name: str) -> bool:
    """A column that the plain scaler cannot take: missing values, or text codes to number."""
    column = d.columns[name]
    if column.kind == "nominal":
        return False
    return column.missing or (column.kind != "numeric" and not column.integer_codes)


def _encoded(d: Description, name: str, impute: bool = True) -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    column = d.columns[name]
    steps: list[Any] = []
    if column.kind != "numeric" and not column.integer_codes:  # text codes, numbered in order
        steps.append(
            OrdinalEncoder(
                categories=[list(column.codes)],
                handle_unknown="use_encoded_value",
                unknown_value=float("nan"),
                encoded_missing_value=float("nan"),
                dtype=float,
            )
        )
    if impute or not column.missing:  # else the gaps stay NaN: StandardScaler keeps them
        strategy = "median" if column.kind == "numeric" else "most_frequent"
        steps.append(SimpleImputer(strategy=strategy, add_indicator=column.missing))
    return make_pipeline(*steps, StandardScaler())
