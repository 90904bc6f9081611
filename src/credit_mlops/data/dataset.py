"""A data set in memory: features, target, source and content digest; loading one from a
raw South German Credit file or from the scripts project's processed X/y files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from credit_mlops.data.checks import check_no_missing, check_target, validate_frame
from credit_mlops.data.description import Description
from credit_mlops.data.schema import DEFAULT, FEATURES, TARGET
from credit_mlops.data.tables import read_table, to_german
from credit_mlops.errors import DataError


@dataclass(frozen=True)
class Dataset:
    """Features, target (1 good, 0 bad as in the file) and where they came from."""

    X: pd.DataFrame
    y: pd.Series
    source: str
    raw_schema: bool = True  # False for the seed's processed X/y inputs
    digest: str = field(default="")
    description: Description = DEFAULT

    @property
    def target(self) -> str:
        return self.description.target.column

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.X.shape[0]), int(self.X.shape[1]))

    @property
    def frame(self) -> pd.DataFrame:
        return self.X.assign(**{self.target: self.y.to_numpy()})


def content_digest(frame: pd.DataFrame) -> str:
    """A digest of the values, independent of line endings or separators."""
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    columns = ",".join(map(str, frame.columns)).encode()
    return hashlib.sha256(columns + hashed.tobytes()).hexdigest()[:16]


def load_dataset(
    path: Path, *, description: Description | None = None, min_rows_per_class: int = 30
) -> Dataset:
    """A data file read, named as its description says (aliases), validated, and typed:
    whole numbers without gaps as int64, numbers as float64, text codes as text."""
    from credit_mlops.data.checks import CSV_LINES, PARQUET_ROWS, good_mask, validate_frame
    from credit_mlops.data.formats import file_format

    d = description or DEFAULT
    frame = to_german(read_table(path), d)
    where = PARQUET_ROWS if file_format(path) == "parquet" else CSV_LINES
    validate_frame(
        frame, source=str(path), description=d, min_rows_per_class=min_rows_per_class, where=where
    )
    X = typed_features(frame, d)
    y = pd.Series(good_mask(frame[d.target.column], d.target).astype("int64"), name=d.target.column)
    y.index = X.index
    return Dataset(
        X=X,
        y=y,
        source=str(path),
        digest=content_digest(X.assign(**{d.target.column: y.to_numpy()})),
        description=d,
    )


def typed_features(frame: pd.DataFrame, d: Description) -> pd.DataFrame:
    """The described columns in order: int64 where whole and complete, float64 for numbers
    (NaN where missing), text codes as object (None where missing)."""
    out: dict[str, pd.Series] = {}
    for name, column in d.columns.items():
        values = frame[name]
        complete = not values.isna().any()
        if column.kind == "numeric" or column.integer_codes:
            whole = column.integer or column.integer_codes
            out[name] = values.astype("int64" if whole and complete else "float64")
        else:
            stripped = [None if v is None or v != v else str(v).strip() for v in values]
            out[name] = pd.Series(stripped, index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index)


def load_processed(
    x_path: Path, y_path: Path, *, preprocessed: bool, min_rows_per_class: int = 30
) -> Dataset:
    """The scripts project's inputs: --X-train CSV --y-train CSV [--preprocessor JOBLIB]."""
    X = to_german(read_table(x_path))
    y_frame = read_table(y_path)
    if y_frame.shape[1] != 1:
        raise DataError(f"{y_path}: expected one target column, found {y_frame.shape[1]}")
    y = y_frame.iloc[:, 0].rename(TARGET)
    if len(X) != len(y):
        raise DataError(
            f"--X-train has {len(X)} rows but --y-train has {len(y)}; give files of equal length"
        )
    if preprocessed:
        check_no_missing(X, str(x_path))
    else:
        validate_frame(X, source=str(x_path), min_rows_per_class=0, features_only=True)
        X = X[list(FEATURES)].astype("int64")
    check_target(y, str(y_path), min_rows_per_class)
    y = y.astype("int64").reset_index(drop=True)
    X = X.reset_index(drop=True)
    frame = X.assign(**{TARGET: y.to_numpy()})
    return Dataset(
        X=X,
        y=y,
        source=f"{x_path}+{y_path}",
        raw_schema=not preprocessed,
        digest=content_digest(frame),
    )
