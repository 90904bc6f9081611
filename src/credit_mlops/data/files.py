"""Reading and writing data tables: header checks, separators, German/English names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit_mlops.data.schema import ENGLISH_TO_GERMAN
from credit_mlops.errors import DataError

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
    """A whole table: CSV (comma, semicolon, tab or whitespace; plain or gzip) or Parquet.

    Read by pandas' C engine or pyarrow (`data.formats`), refusing duplicated columns.
    """
    from credit_mlops.data.formats import read_frame

    if not path.is_file():
        raise DataError(f"data file {path} does not exist; {HOW_TO_GET_DATA}")
    return read_frame(path)


def to_german(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={k: v for k, v in ENGLISH_TO_GERMAN.items() if k in frame})


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write in the published format: space-separated with a header."""
    from credit_mlops.files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, newline="") as fh:
        frame.to_csv(fh, sep=" ", index=False)
    return path
