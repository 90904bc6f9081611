"""South German Credit: read, validate against its schema, fetch, split, and synthesise.

Nothing is repaired silently: a file that breaks the schema is refused with the column and
the first offending lines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from credit_mlops.errors import DataError

TARGET = "kredit"
DATA_FILE = "SouthGermanCredit.asc"
ARCHIVE_NAME = "south-german-credit-update.zip"
Kind = Literal["nominal", "numeric", "ordinal", "binary"]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    english: str
    kind: Kind
    low: int
    high: int


# Codes from codetable.txt; the numeric ranges are plausibility bounds, wider than the data.
COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("laufkont", "status", "nominal", 1, 4),
    ColumnSpec("laufzeit", "duration", "numeric", 1, 120),
    ColumnSpec("moral", "credit_history", "nominal", 0, 4),
    ColumnSpec("verw", "purpose", "nominal", 0, 10),
    ColumnSpec("hoehe", "amount", "numeric", 1, 1_000_000),
    ColumnSpec("sparkont", "savings", "ordinal", 1, 5),
    ColumnSpec("beszeit", "employment_duration", "ordinal", 1, 5),
    ColumnSpec("rate", "installment_rate", "ordinal", 1, 4),
    ColumnSpec("famges", "personal_status_sex", "nominal", 1, 4),
    ColumnSpec("buerge", "other_debtors", "nominal", 1, 3),
    ColumnSpec("wohnzeit", "present_residence", "ordinal", 1, 4),
    ColumnSpec("verm", "property", "ordinal", 1, 4),
    ColumnSpec("alter", "age", "numeric", 18, 100),
    ColumnSpec("weitkred", "other_installment_plans", "nominal", 1, 3),
    ColumnSpec("wohn", "housing", "nominal", 1, 3),
    ColumnSpec("bishkred", "number_credits", "ordinal", 1, 4),
    ColumnSpec("beruf", "job", "ordinal", 1, 4),
    ColumnSpec("pers", "people_liable", "binary", 1, 2),
    ColumnSpec("telef", "telephone", "binary", 1, 2),
    ColumnSpec("gastarb", "foreign_worker", "binary", 1, 2),
)
FEATURES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
ENGLISH_TO_GERMAN: dict[str, str] = {c.english: c.name for c in COLUMNS} | {"credit_risk": TARGET}
SPEC: dict[str, ColumnSpec] = {c.name: c for c in COLUMNS}
FIRST_ROWS = 5


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


HOW_TO_GET_DATA = (
    "run `credit data fetch` to download South German Credit, "
    "or pass --data PATH (setting data.path, env CREDIT_DATA__PATH)"
)


def read_header(path: Path) -> str:
    """The header line, after checking the file exists, is text and names each column once."""
    if not path.is_file():
        raise DataError(f"data file {path} does not exist; {HOW_TO_GET_DATA}")
    try:
        with path.open("r", encoding="utf-8", errors="strict") as fh:
            header = fh.readline()
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not a text table (garbled bytes); fetch a fresh copy") from exc
    if not header.strip():
        raise DataError(f"{path}: file is empty; fetch a fresh copy with `credit data fetch`")
    names = [n.strip().strip('"') for n in (header.split(",") if "," in header else header.split())]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"{path}: duplicated column(s) {', '.join(dupes)}; each column once")
    return header


def read_table(path: Path) -> pd.DataFrame:
    """Read a space- or comma-separated table with a header, refusing duplicated columns."""
    sep = "," if "," in read_header(path) else r"\s+"
    try:
        return pd.read_csv(path, sep=sep, engine="python" if sep != "," else "c")
    except (pd.errors.ParserError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise DataError(f"{path}: garbled table ({first}); fetch a fresh copy") from exc


def to_german(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={k: v for k, v in ENGLISH_TO_GERMAN.items() if k in frame})


def load_dataset(path: Path, *, min_rows_per_class: int = 30) -> Dataset:
    frame = to_german(read_table(path))
    validate(frame, source=str(path), min_rows_per_class=min_rows_per_class)
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
        _check_no_missing(X, str(x_path))
    else:
        validate(X, source=str(x_path), min_rows_per_class=0, features_only=True)
        X = X[list(FEATURES)].astype("int64")
    _check_target(y, str(y_path), min_rows_per_class)
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


def validate(
    frame: pd.DataFrame,
    *,
    source: str,
    min_rows_per_class: int = 30,
    features_only: bool = False,
) -> None:
    """Check columns, integer codes in their domains, ranges, target; raise DataError."""
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    expected = list(FEATURES) if features_only else [*FEATURES, TARGET]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)}; expected the South German "
            "Credit columns (German or English names, see data/README.md)"
        )
    extra = [c for c in frame.columns if c not in (*FEATURES, TARGET)]
    if extra:
        raise DataError(f"{source}: unexpected column(s) {', '.join(map(str, extra))}")
    if frame.empty:
        raise DataError(f"{source}: no data rows; fetch a fresh copy with `credit data fetch`")
    _check_no_missing(frame, source)
    for name in frame.columns:
        _check_integer(frame[name], source)

    columns = {
        spec.name: pa.Column(
            "int64",
            pa.Check.in_range(spec.low, spec.high),
            nullable=False,
            coerce=False,
        )
        for spec in COLUMNS
    }
    schema = pa.DataFrameSchema(columns, strict=False)
    try:
        schema.validate(frame[list(FEATURES)], lazy=True)
    except SchemaErrors as exc:
        raise DataError(_describe(exc.failure_cases, source)) from None
    if TARGET in frame.columns and not features_only:
        _check_target(frame[TARGET], source, min_rows_per_class)


def _describe(cases: pd.DataFrame, source: str) -> str:
    first = cases.iloc[0]
    column = str(first["column"])
    bad = cases[cases["column"] == column]
    rows = [int(i) for i in bad["index"].dropna().tolist()][:FIRST_ROWS]
    spec = SPEC[column]
    where = ", ".join(
        f"line {r + 2} ({frame_value})"
        for r, frame_value in zip(rows, bad["failure_case"].tolist()[:FIRST_ROWS], strict=False)
    )
    label = "codes" if spec.kind != "numeric" else "values"
    return (
        f"{source}: column '{column}' has {len(bad)} {label} outside {spec.low}–{spec.high}: "
        f"{where}; fix those rows or fetch a fresh copy"
    )


def _check_no_missing(frame: pd.DataFrame, source: str) -> None:
    nulls = frame.isna()
    if nulls.to_numpy().any():
        column = str(nulls.any().idxmax())
        rows = frame.index[nulls[column]].tolist()[:FIRST_ROWS]
        lines = ", ".join(str(int(r) + 2) for r in rows)
        raise DataError(
            f"{source}: column '{column}' has missing values at line(s) {lines} "
            "(truncated or incomplete file?); fix the file or fetch a fresh copy"
        )


def _check_integer(series: pd.Series, source: str) -> None:
    if pd.api.types.is_integer_dtype(series):
        return
    numeric = pd.to_numeric(series, errors="coerce")
    bad = series.index[numeric.isna() | (numeric % 1 != 0)].tolist()[:FIRST_ROWS]
    shown = ", ".join(f"line {int(r) + 2} ({series.loc[r]!r})" for r in bad)
    raise DataError(
        f"{source}: column '{series.name}' must hold integer codes; not integers at {shown}"
    )


def _check_target(y: pd.Series, source: str, min_rows_per_class: int) -> None:
    _check_integer(y, source)
    values = set(pd.unique(y).tolist())
    if not values <= {0, 1}:
        odd = sorted(values - {0, 1})[:FIRST_ROWS]
        raise DataError(f"{source}: target '{TARGET}' must be binary (1 good, 0 bad); found {odd}")
    if len(values) < 2:
        raise DataError(
            f"{source}: target '{TARGET}' has a single class ({values.pop()}); "
            "training needs both good (1) and bad (0) rows"
        )
    counts = y.value_counts()
    small = counts[counts < min_rows_per_class]
    if not small.empty:
        cls = int(small.index[0])
        raise DataError(
            f"{source}: target class {cls} has {int(small.iloc[0])} rows, fewer than the "
            f"minimum {min_rows_per_class} (setting data.min_rows_per_class)"
        )


@dataclass(frozen=True)
class Holdout:
    """Row positions (0-based, in file order) kept out of CV and the final fit."""

    train_rows: tuple[int, ...]
    test_rows: tuple[int, ...]
    test_size: float
    seed: int

    def to_json(self, digest: str) -> dict[str, Any]:
        return {
            "data_digest": digest,
            "test_size": self.test_size,
            "seed": self.seed,
            "n_train": len(self.train_rows),
            "n_test": len(self.test_rows),
            "test_rows": list(self.test_rows),
        }


def split_holdout(y: pd.Series, *, test_size: float, seed: int) -> Holdout:
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(y))
    try:
        train, test = train_test_split(
            positions, test_size=test_size, stratify=y.to_numpy(), random_state=seed
        )
    except ValueError as exc:
        raise DataError(f"cannot make a stratified holdout of {test_size:.0%}: {exc}") from exc
    return Holdout(
        train_rows=tuple(int(i) for i in np.sort(train)),
        test_rows=tuple(int(i) for i in np.sort(test)),
        test_size=test_size,
        seed=seed,
    )


def synthetic(n_rows: int = 1000, *, seed: int = 0, bad_share: float = 0.3) -> pd.DataFrame:
    """A frame with the real schema and some signal, for tests that run without the file."""
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {}
    for spec in COLUMNS:
        if spec.name == "laufzeit":
            data[spec.name] = rng.integers(4, 73, n_rows)
        elif spec.name == "hoehe":
            data[spec.name] = np.clip(rng.lognormal(7.8, 0.7, n_rows), 250, 18424).astype(int)
        elif spec.name == "alter":
            data[spec.name] = rng.integers(19, 76, n_rows)
        else:
            data[spec.name] = rng.integers(spec.low, spec.high + 1, n_rows)
    score = (
        0.9 * (data["laufkont"] <= 2)
        + 0.03 * (data["laufzeit"] - 20)
        - 0.4 * (data["moral"] >= 3)
        - 0.25 * (data["sparkont"] - 1)
        + 0.00008 * (data["hoehe"] - 3000)
        - 0.02 * (data["alter"] - 35)
        + rng.normal(0.0, 0.8, n_rows)
    )
    cut = np.quantile(score, 1.0 - bad_share)
    data[TARGET] = (score < cut).astype(int)  # 1 good, 0 bad, as in the real file
    return pd.DataFrame(data)[[*FEATURES, TARGET]].astype("int64")


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write in the published format: space-separated with a header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=" ", index=False)
    return path


def find_data_file(explicit: Path | None, data_dir: Path) -> Path:
    if explicit is not None:
        return explicit
    candidate = data_dir / DATA_FILE
    if candidate.is_file():
        return candidate
    raise DataError(f"no data file in {data_dir}: {HOW_TO_GET_DATA}")


def fetch(
    url: str,
    data_dir: Path,
    *,
    sha256: str | None = None,
    progressbar: Any = False,
    min_rows_per_class: int = 30,
) -> Path:
    """Download the UCI archive into `data_dir` (cached by pooch), extract and validate it."""
    import pooch
    import requests

    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        members = pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}" if sha256 else None,
            fname=ARCHIVE_NAME,
            path=data_dir,
            processor=pooch.Unzip(extract_dir="."),
            progressbar=progressbar,
        )
    except ValueError as exc:  # pooch's hash mismatch
        raise DataError(f"download from {url} failed its checksum: {exc}") from exc
    except (requests.RequestException, OSError) as exc:
        raise DataError(
            f"cannot download {url} ({type(exc).__name__}: {exc}); check the network or "
            "pass --data PATH to a local copy"
        ) from exc
    found = [Path(m) for m in _as_list(members) if Path(m).name == DATA_FILE]
    if not found:
        raise DataError(f"the archive from {url} holds no {DATA_FILE}")
    target = data_dir / DATA_FILE
    if found[0].resolve() != target.resolve():
        target.write_bytes(found[0].read_bytes())
    load_dataset(target, min_rows_per_class=min_rows_per_class)
    return target


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
