"""A data set in memory: features, target, source and content digest; loading one from a
raw South German Credit file or from the scripts project's processed X/y files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from credit_mlops.data.checks import check_no_missing, check_target, validate_frame
from credit_mlops.data.files import read_table, to_german
from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.errors import DataError


@dataclass(frozen=True)
class Dataset:
    """Features, target (1 good, 0 bad as in the file) and where they came from."""

    X: pd.DataFrame
    y: pd.Series
    source: str
    raw_schema: bool = True  # False for the seed's processed X/y inputs
    digest: str = field(default="")

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.X.shape[0]), int(self.X.shape[1]))

    @property
    def frame(self) -> pd.DataFrame:
        return self.X.assign(**{TARGET: self.y.to_numpy()})


def content_digest(frame: pd.DataFrame) -> str:
    """A digest of the values, independent of line endings or separators."""
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    columns = ",".join(map(str, frame.columns)).encode()
    return hashlib.sha256(columns + hashed.tobytes()).hexdigest()[:16]


def load_dataset(path: Path, *, min_rows_per_class: int = 30) -> Dataset:
    from credit_mlops.data.checks import CSV_LINES, PARQUET_ROWS, validate_frame
    from credit_mlops.data.formats import file_format

    frame = to_german(read_table(path))
    where = PARQUET_ROWS if file_format(path) == "parquet" else CSV_LINES
    validate_frame(frame, source=str(path), min_rows_per_class=min_rows_per_class, where=where)
    frame = frame[[*FEATURES, TARGET]].astype("int64")
    return Dataset(
        X=frame[list(FEATURES)],
        y=frame[TARGET],
        source=str(path),
        digest=content_digest(frame),
    )


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
