"""Reading and writing data tables: header checks, separators, German/English names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit_mlops.data.description import Description
from credit_mlops.data.schema import DATA_FILE, ENGLISH_TO_GERMAN
from credit_mlops.errors import DataError

HOW_TO_GET_DATA = (
    "run `credit data fetch` to download South German Credit, "
    "or pass --data PATH (setting data.path, env CREDIT_DATA__PATH)"
)


def read_table(path: Path) -> pd.DataFrame:
    """A whole table: CSV (comma, semicolon, tab or whitespace; plain or gzip) or Parquet.

    Read by pandas' C engine or pyarrow (`data.formats`), refusing duplicated columns.
    """
    from credit_mlops.data.formats import DATA_FIX, read_frame
    from credit_mlops.files import input_file
    from credit_mlops.link_loops import refuse_loop

    refuse_loop(path, "data file")
    if not path.exists():
        raise DataError(f"data file {path} does not exist; {missing_hint(path)}")
    input_file(path, setting="data file", fix=f"; {DATA_FIX}")  # a folder, a pipe, a device
    return read_frame(path)


def missing_hint(path: Path) -> str:
    """What to do about a data file that is not there: only the shipped data set's own file
    can be fetched; any other file is the user's, whose path is to be checked."""
    return HOW_TO_GET_DATA if path.name == DATA_FILE else "check the path"


def to_german(frame: pd.DataFrame, description: Description | None = None) -> pd.DataFrame:
    """Columns given under an alias (South German Credit's English names) renamed to the
    description's names."""
    aliases = ENGLISH_TO_GERMAN
    if description is not None:
        target = description.target
        aliases = description.aliases() | ({target.label: target.column} if target.label else {})
    renames = {k: v for k, v in aliases.items() if k in frame and v not in frame}
    return frame.rename(columns=renames) if renames else frame


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write in the published format: space-separated with a header."""
    from credit_mlops.files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, newline="") as fh:
        frame.to_csv(fh, sep=" ", index=False)
    return path
