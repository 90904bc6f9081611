"""Table files at scale: every accepted separator, gzip, Parquet, chunks, atomic writes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from credit_mlops.data import formats, writers
from credit_mlops.data.checks import PARQUET_ROWS, validate_frame
from credit_mlops.errors import DataError, InputError


@pytest.mark.parametrize("sep", [",", ";", "\t", " ", "  "])
def test_every_separator_reads_the_same_frame(
    tmp_path: Path, synthetic_frame: pd.DataFrame, sep: str
) -> None:
    path = tmp_path / "t.csv"
    lines = [sep.join(synthetic_frame.columns)]
    lines += [sep.join(map(str, row)) for row in synthetic_frame.itertuples(index=False)]
    path.write_text("\n".join(lines) + "\n")
    assert formats.columns(path) == list(synthetic_frame.columns)
    pd.testing.assert_frame_equal(formats.read_frame(path), synthetic_frame)


@pytest.mark.parametrize("name", ["t.csv.gz", "t.asc"])
def test_gzip_is_recognised_by_suffix_or_bytes(
    tmp_path: Path, synthetic_frame: pd.DataFrame, name: str
) -> None:
    path = tmp_path / name
    with gzip.open(path, "wt") as fh:
        synthetic_frame.to_csv(fh, sep=" ", index=False)
    assert formats.is_gzip(path)
    pd.testing.assert_frame_equal(formats.read_frame(path), synthetic_frame)
    assert formats.count_rows(path) is None  # not worth decompressing twice


@pytest.mark.parametrize("name", ["t.parquet", "t.data"])
def test_parquet_is_recognised_by_suffix_or_bytes(
    tmp_path: Path, synthetic_frame: pd.DataFrame, name: str
) -> None:
    path = tmp_path / name
    synthetic_frame.to_parquet(path)
    assert formats.file_format(path) == "parquet"
    assert formats.columns(path) == list(synthetic_frame.columns)
    pd.testing.assert_frame_equal(formats.read_frame(path), synthetic_frame)
    assert formats.count_rows(path) == len(synthetic_frame)


@pytest.mark.parametrize("suffix", [".asc", ".parquet"])
def test_chunks_keep_the_row_positions_of_the_file(
    tmp_path: Path, synthetic_frame: pd.DataFrame, suffix: str
) -> None:
    path = writers.write_frame(synthetic_frame, tmp_path / f"t{suffix}")
    chunks = list(formats.iter_frames(path, 150))
    assert [len(c) for c in chunks] == [150, 150, 100]
    assert [c.index[0] for c in chunks] == [0, 150, 300]
    pd.testing.assert_frame_equal(pd.concat(chunks), synthetic_frame)


def test_a_bad_row_in_a_later_chunk_names_its_line_in_the_file(
    tmp_path: Path, synthetic_frame: pd.DataFrame
) -> None:
    frame = synthetic_frame.copy()
    frame.loc[[321, 330], "laufkont"] = [7, 9]
    path = writers.write_frame(frame, tmp_path / "t.asc")
    with pytest.raises(DataError, match=r"has 2 codes outside 1–4: line 323 \(7\), line 332 \(9\)"):
        for chunk in formats.iter_frames(path, 150):
            validate_frame(chunk, source=str(path), min_rows_per_class=0)


def test_parquet_rows_are_named_as_rows(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    frame = synthetic_frame.copy()
    frame.loc[0, "alter"] = 7
    path = writers.write_frame(frame, tmp_path / "t.parquet")
    with pytest.raises(DataError, match=r"values outside 18–100: row 1 \(7\)"):
        validate_frame(formats.read_frame(path), source=str(path), where=PARQUET_ROWS)


def test_count_rows_of_a_csv_with_or_without_the_last_newline(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    assert formats.count_rows(path) == 2
    path.write_text("a,b\n1,2\n3,4")
    assert formats.count_rows(path) == 2


def test_garbled_parquet_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 64)
    with pytest.raises(DataError, match=r"not a readable Parquet file"):
        formats.read_frame(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        formats.read_frame(tmp_path / "nope.csv")


@pytest.mark.parametrize("name", ["out.csv", "out.parquet", "out.csv.gz"])
def test_writer_replaces_the_file_only_when_complete(
    tmp_path: Path, synthetic_frame: pd.DataFrame, name: str
) -> None:
    path = tmp_path / name
    path.write_text("earlier\n")
    fmt = formats.output_format(path)
    with pytest.raises(RuntimeError), writers.TableWriter(path, fmt) as writer:
        writer.write(synthetic_frame.head(10))
        raise RuntimeError("interrupted half way")
    assert path.read_text() == "earlier\n"
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left
    with writers.TableWriter(path, fmt) as writer:
        writer.write(synthetic_frame.head(10))
        writer.write(synthetic_frame.iloc[10:25])
    back = formats.read_frame(path)
    pd.testing.assert_frame_equal(back, synthetic_frame.head(25))


def test_unknown_output_format_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="use csv or parquet"):
        formats.output_format(tmp_path / "x", "xlsx")


def test_rows_split_unlike_the_header_are_a_garbled_table(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("a;b;c\n1;2;3\n4 5 6\n7;8;9\n")
    with pytest.raises(DataError, match=r"garbled table \(line 3 not separated by ';'"):
        formats.read_frame(path)
    with pytest.raises(DataError, match="line 3"):
        list(formats.iter_frames(path, chunk_rows=1))


def test_a_spreadsheet_safe_csv_reads_back_as_it_was_written(tmp_path: Path) -> None:
    """credit's CSV writer puts a quote before a formula's first character; reading the file
    back gives the names and text cells as they were, in one frame or in chunks."""
    frame = pd.DataFrame(
        {"=cmd": ["=1+1", "-x", "'kept", "plain"], "@n": [1, 2, 3, 4], "-0.5": ["a", "b", "c", "d"]}
    )
    path = tmp_path / "written.csv"
    with writers.TableWriter(path, "csv", sep=",") as writer:
        writer.write(frame)
    assert "'=cmd" in path.read_text() and "'=1+1" in path.read_text()  # neutralised on disk
    assert formats.columns(path) == ["=cmd", "@n", "-0.5"]
    back = formats.read_frame(path)
    assert list(back.columns) == ["=cmd", "@n", "-0.5"]
    assert back["=cmd"].tolist() == ["=1+1", "-x", "'kept", "plain"]
    assert back["@n"].tolist() == [1, 2, 3, 4]
    [chunk] = list(formats.iter_frames(path, 10, text=("=cmd",)))
    assert chunk["=cmd"].tolist() == ["=1+1", "-x", "'kept", "plain"]
