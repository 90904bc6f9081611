"""Applicant tables on disk: CSV (comma, semicolon, tab or whitespace), gzip CSV and Parquet.

Every CSV is read with pandas' C engine (whitespace as `sep=r"\\s+"`, which the C engine
takes; any other regex would fall back to the python engine, 100 times slower). Parquet is
read with pyarrow. Chunked reading keeps each chunk's index at its row position in the
file, so a problem found in a chunk names the same line as in the whole file. Writing is
`data/writers.py`.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from credit_mlops.errors import DataError, some
from credit_mlops.escaping import csv_read_text
from credit_mlops.processes.signals import in_own_thread

if TYPE_CHECKING:
    import pandas as pd

Format = Literal["csv", "parquet"]
PARQUET_SUFFIXES = (".parquet", ".pq")
SEPARATORS = {",": ",", ";": ";", "\t": "\t"}  # else whitespace
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"


def _magic(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def is_gzip(path: Path) -> bool:
    return path.suffix == ".gz" or _magic(path, 2) == _GZIP_MAGIC


def file_format(path: Path) -> Format:
    """Parquet by suffix or by its magic bytes, else CSV (plain or gzip)."""
    if path.suffix.lower() in PARQUET_SUFFIXES or _magic(path, 4) == _PARQUET_MAGIC:
        return "parquet"
    return "csv"


def output_format(path: Path, given: str | None = None, *, command: str = "credit") -> Format:
    """The format to write: `given` if any, else the extension's (Parquet for .parquet/.pq,
    CSV for .csv, .csv.gz and names that say nothing); an extension naming another format
    (.xlsx, .json) is refused (`data.output_kinds`, one rule for every output file)."""
    from credit_mlops.data.output_kinds import chosen, table_writes

    return "parquet" if chosen(path, given, table_writes(command)) == "parquet" else "csv"


def locator(path: Path) -> Callable[[int], str]:
    """How a data row (0-based position) is named in messages: its line, or its row."""
    if file_format(path) == "parquet":
        return lambda position: f"row {position + 1}"
    return lambda position: f"line {position + 2}"


def _open_text(path: Path) -> IO[str]:
    if is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8", errors="strict", newline="")
    return path.open("r", encoding="utf-8", errors="strict", newline="")


def _refill_hint(path: Path) -> str:
    """A data file can be fetched again; an applicants file is the user's own to refill."""
    from credit_mlops.data.schema import DATA_FILE

    if path.name == DATA_FILE:
        return "fetch a fresh copy with `credit data fetch`"
    return "write the header line and at least one applicant into it"


APPLICANTS_FIX = "give the applicants as CSV (any separator, plain or gzip) or Parquet"
DATA_FIX = "give the data as CSV (any separator, plain or gzip) or Parquet"


def _fix(path: Path, own: str = APPLICANTS_FIX) -> str:
    """What to do about an unreadable table: only the data set `credit data fetch`
    downloads can be fetched again; any other file is the user's own (`own`)."""
    from credit_mlops.data.schema import DATA_FILE

    return "fetch a fresh copy with `credit data fetch`" if path.name == DATA_FILE else own


def csv_header(path: Path) -> tuple[list[str], str]:
    """The column names and the separator of a CSV, refusing empty or duplicated headers.
    A byte-order mark is no column name: a file holding only one is empty."""
    try:
        with _open_text(path) as fh:
            header = fh.readline().removeprefix("\ufeff")
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise DataError(f"{path}: not a text table (garbled bytes); {_fix(path)}") from exc
    if not header.strip():
        raise DataError(f"{path}: file is empty; {_refill_hint(path)}")
    sep = next((s for s in SEPARATORS if s in header), r"\s+")
    raw = header.split(sep) if sep != r"\s+" else header.split()
    names = [n.strip().strip('"') for n in raw]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"{path}: duplicated column(s) {some(dupes)}; each column once")
    return names, sep


def columns(path: Path) -> list[str]:
    """The column names of a table file, without reading its rows (a CSV's as written:
    `as_written`)."""
    _exists(path)
    if file_format(path) == "parquet":
        return list(_parquet(path).schema_arrow.names)
    return [csv_read_text(n) for n in csv_header(path)[0]]


def as_written(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV's names and text cells as they were before a spreadsheet-safe writer (credit's,
    among others) put a quote before a formula's first character: `'=x` is `=x` again."""
    frame.columns = [csv_read_text(str(c)) for c in frame.columns]
    for name in frame.select_dtypes(include=["object", "string"]).columns:
        column = frame[name]
        quoted = column.str.startswith("'", na=False)
        if quoted.any():
            frame[name] = column.where(~quoted, column[quoted].map(csv_read_text))
    return frame


def _exists(path: Path) -> None:
    from credit_mlops.link_loops import refuse_loop

    refuse_loop(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist; check the path")


def _parquet(path: Path) -> Any:
    import pyarrow
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pyarrow.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc}); write it again") from exc


def _csv_reader(path: Path, chunk_rows: int | None, text: tuple[str, ...] = ()) -> Any:
    """pandas' reader of the CSV; the `text` columns (an id) are read as the file holds
    them: `00123` stays `00123`, `NA` stays `NA`, an empty cell stays empty."""
    import pandas as pd

    columns, sep = csv_header(path)
    verbatim = [c for c in columns if csv_read_text(c) in text]
    options: dict[str, Any] = {}
    if verbatim:
        from pandas._libs.parsers import STR_NA_VALUES  # pandas' own missing-value words

        missing = sorted(STR_NA_VALUES)
        options = {
            "dtype": dict.fromkeys(verbatim, str),
            "keep_default_na": False,
            "na_values": {c: missing for c in columns if c not in verbatim},
        }
    return pd.read_csv(
        path,
        sep=sep,
        engine="c",
        compression="gzip" if is_gzip(path) else None,
        chunksize=chunk_rows,
        **options,
    )


def _split_like_header(path: Path, frame: pd.DataFrame, sep: str) -> pd.DataFrame:
    """Refuse rows left whole in the first column: another separator than the header's."""
    from pandas.api.types import is_numeric_dtype

    first = frame.iloc[:, 0] if frame.shape[1] > 1 else None
    if first is None or is_numeric_dtype(first):
        return frame
    rest_empty = frame.iloc[:, 1:].isna().all(axis=1)
    if not rest_empty.any():  # the common case, without a pattern matched on every row
        return frame
    unsplit = rest_empty & first.astype(str).str.contains(r"[\s,;]", regex=True, na=False)
    if unsplit.any():
        where = locator(path)
        lines = ", ".join(where(int(i)) for i in frame.index[unsplit.to_numpy()][:5])
        shown = "whitespace" if sep == r"\s+" else repr(sep)
        raise DataError(
            f"{path}: garbled table ({lines} not separated by {shown} like the header); "
            + _fix(path, "separate every line like the header")
        )
    return frame


def _garbled(path: Path, exc: Exception) -> DataError:
    """What a reader could not read, said in the tool's words with what to do."""
    import re

    import pandas as pd

    if isinstance(exc, pd.errors.EmptyDataError):  # e.g. a header of separators only
        return DataError(f"{path}: file is empty; {_refill_hint(path)}")
    if isinstance(exc, UnicodeDecodeError):
        return DataError(f"{path}: not a text table (garbled bytes); {_fix(path)}")
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", first)
    if fields:
        first = f"line {fields[2]} has {fields[3]} fields, the header {fields[1]}"
    return DataError(f"{path}: garbled table ({first}); {_fix(path)}")


def read_frame(path: Path) -> pd.DataFrame:
    """The whole table; the index is the row position."""
    import pandas as pd
    import pyarrow

    _exists(path)
    if file_format(path) == "parquet":
        try:
            return _parquet(path).read().to_pandas()
        except (pyarrow.ArrowException, OSError) as exc:
            raise _garbled(path, exc) from exc
    try:
        # pandas parses it in threads of its own: a Ctrl-C must not unwind through it
        frame = in_own_thread(lambda: _csv_reader(path, None))
        return as_written(_split_like_header(path, frame, csv_header(path)[1]))
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise _garbled(path, exc) from exc


def iter_frames(path: Path, chunk_rows: int, text: tuple[str, ...] = ()) -> Iterator[pd.DataFrame]:
    """The table in chunks of at most `chunk_rows` rows; each index continues the last;
    the `text` columns of a CSV read verbatim (`_csv_reader`)."""
    import pandas as pd
    import pyarrow

    _exists(path)
    if file_format(path) == "parquet":
        done = 0
        try:
            for batch in _parquet(path).iter_batches(batch_size=chunk_rows):
                frame = batch.to_pandas()
                frame.index = pd.RangeIndex(done, done + len(frame))
                done += len(frame)
                yield frame
        except (pyarrow.ArrowException, OSError) as exc:
            raise _garbled(path, exc) from exc
        return
    sep = csv_header(path)[1]
    try:
        for frame in _csv_reader(path, chunk_rows, text):
            yield as_written(_split_like_header(path, frame, sep))
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise _garbled(path, exc) from exc


def count_rows(path: Path) -> int | None:
    """Data rows, cheaply: Parquet's metadata, a plain CSV's newlines; None for gzip."""
    _exists(path)
    if file_format(path) == "parquet":
        return int(_parquet(path).metadata.num_rows)
    if is_gzip(path):
        return None
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += last != b"\n"  # a last line without its newline
    return max(lines - 1, 0)
