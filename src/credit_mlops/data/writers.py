"""Writing applicant tables: chunk by chunk, and the file appears only when it is whole.

CSV (space-separated like the published file, or the given separator, gzip by suffix) or
Parquet; every cell goes through the CSV escaping layer. The target is replaced only when
everything is written, so an interrupted or failed write leaves any earlier file as it was.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from credit_mlops.data.formats import Format, output_format
from credit_mlops.errors import DataError

if TYPE_CHECKING:
    import pandas as pd


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def _open_sink(path: Path, *, gz: bool) -> Any:
    from credit_mlops.files import STDOUT
    from credit_mlops.standard_output import stdout_stream

    if path == STDOUT:  # file descriptor 1 itself; flushed, never closed, by the writer
        return _Unclosed(stdout_stream())
    return gzip.open(path, "wb") if gz else path.open("wb")  # closed by the writer


class _Unclosed:
    """Standard output for a writer that closes its sink when done: the bytes go to
    descriptor 1 directly, so that a reader that stops early (`| head`) is an error here,
    not bytes dropped in silence; closing leaves the descriptor open."""

    def __init__(self, stream: Any) -> None:
        stream.flush()
        self._fd = stream.fileno()

    def write(self, data: bytes) -> int:
        import os

        from credit_mlops.errors import CreditError

        view, done = memoryview(data), 0
        try:
            while done < len(view):
                done += os.write(self._fd, view[done:])
        except BrokenPipeError:
            # what is left of standard output goes nowhere: no second error at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._fd)
            raise CreditError(
                "standard output was closed by its reader before every row was written; "
                "the output is incomplete"
            ) from None
        return done

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class TableWriter:
    """Write a table chunk by chunk; the file appears at `path` only when the block ends well.

    An exception inside the `with` block (or an interrupt) removes the partial file and
    leaves any earlier file at `path` untouched. `encode` holds no state and releases the GIL
    in pyarrow, so worker threads can encode chunks while the main thread writes them in
    order. CSV numbers are written in their shortest form that reads back exactly.
    """

    def __init__(self, path: Path, fmt: Format, *, sep: str = ","):
        self.path = path
        self.fmt = fmt
        self.sep = sep
        self.rows = 0
        self._tmp = partial_path(path)  # replaced by this writer's own file in __enter__
        self._started = False
        self._parquet: Any = None
        self._binary: Any = None

    def __enter__(self) -> TableWriter:
        from credit_mlops.files import output_file, temp_beside

        output_file(self.path, setting="--output")  # its folder exists: none is created
        # Its own temporary file: several processes may write the same path at once.
        self._tmp = temp_beside(self.path)
        return self

    def encode(self, frame: pd.DataFrame) -> Any:
        """A chunk ready to write: a pyarrow table (Parquet) or CSV bytes without header."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        if self.fmt == "parquet":  # typed columns: nothing a spreadsheet would evaluate
            return pa.Table.from_pandas(frame, preserve_index=False)
        from credit_mlops.escaping import csv_frame

        table = pa.Table.from_pandas(csv_frame(frame), preserve_index=False)
        buffer = io.BytesIO()
        try:  # unquoted, like pandas, unless a value holds a separator, quote or newline
            options = pcsv.WriteOptions(
                include_header=False, delimiter=self.sep, quoting_style="none"
            )
            pcsv.write_csv(table, buffer, options)
        except pa.ArrowInvalid:
            buffer = io.BytesIO()
            options = pcsv.WriteOptions(include_header=False, delimiter=self.sep)
            pcsv.write_csv(table, buffer, options)
        return buffer.getvalue()

    def write_encoded(self, encoded: Any, columns: list[str], rows: int) -> None:
        self._started = True
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            if self._parquet is None:
                from credit_mlops.files import STDOUT
                from credit_mlops.standard_output import stdout_stream

                sink = stdout_stream() if self._tmp == STDOUT else self._tmp
                self._parquet = pq.ParquetWriter(sink, encoded.schema)
            self._parquet.write_table(encoded)
        else:
            if self._binary is None:
                sink = _open_sink(self._tmp, gz=self.path.suffix == ".gz")
                sink.write(_header(columns, self.sep).encode())
                self._binary = sink
            self._binary.write(encoded)
        self.rows += rows

    def write(self, frame: pd.DataFrame) -> None:
        self.write_encoded(self.encode(frame), [str(c) for c in frame.columns], len(frame))

    def _close_handles(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._binary is not None:
            self._binary.close()
            self._binary = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        from credit_mlops.files import STDOUT, discard, publish

        named = self.path != STDOUT  # standard output is said as such, never as a file "-"
        if named and isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(self.path)  # a full disk is said with the file it stopped
        try:
            self._close_handles()
            if kind is None:
                if not self._started:
                    raise DataError(f"nothing to write to {self.path}: no rows")
                publish(self._tmp, self.path)  # fsynced, then renamed into place
        except OSError as failed:
            if named and failed.filename is None:
                failed.filename = str(self.path)
            raise
        finally:
            discard(self._tmp)  # never the stream or device written in place


def _header(columns: list[str], sep: str) -> str:
    """The header row, through the same CSV layer as the cells (a user's --id-column)."""
    from credit_mlops.escaping import csv_writer

    buf = io.StringIO()
    csv_writer(buf, delimiter=sep).writerow(columns)
    return buf.getvalue()


def write_frame(frame: pd.DataFrame, path: Path, fmt: Format | None = None) -> Path:
    """Write a whole table (CSV space-separated like the published file, or Parquet)."""
    chosen = fmt or output_format(path)
    with TableWriter(path, chosen, sep=" " if chosen == "csv" else ",") as writer:
        writer.write(frame)
    return path
