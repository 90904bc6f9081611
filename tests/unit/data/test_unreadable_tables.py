"""What an unreadable table is told to do depends on what the file is: only the data set
`credit data fetch` downloads is fetched again; applicants are the user's to give as CSV
or Parquet. Nothing of the reader's own wording reaches the message."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from credit_mlops.data.formats import APPLICANTS_FIX, columns, iter_frames, read_frame
from credit_mlops.data.schema import DATA_FILE
from credit_mlops.errors import DataError

EMPTY = "file is empty; write the header line and at least one applicant into it"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n", b"\xef\xbb\xbf \r\n"])
@pytest.mark.parametrize("name", ["e3.csv", "e3.csv.gz"])
def test_a_byte_order_mark_alone_is_an_empty_file(
    tmp_path: Path, content: bytes, name: str
) -> None:
    path = _write(tmp_path / name, content)
    for read in (read_frame, columns, lambda p: next(iter_frames(p, 10))):
        with pytest.raises(DataError) as caught:
            read(path)
        assert str(caught.value) == f"{path}: {EMPTY}"


def test_a_byte_order_mark_before_a_header_is_no_part_of_a_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.csv", b"\xef\xbb\xbfa,b\n1,2\n")
    assert columns(path) == ["a", "b"]
    assert list(read_frame(path).columns) == ["a", "b"]


def test_random_bytes_in_applicants_ask_for_csv_or_parquet(tmp_path: Path) -> None:
    noise = np.random.default_rng(3).integers(0, 256, 3000, dtype=np.uint8).tobytes()
    path = _write(tmp_path / "bin.csv", noise)
    with pytest.raises(DataError) as caught:
        read_frame(path)
    assert str(caught.value) == f"{path}: not a text table (garbled bytes); {APPLICANTS_FIX}"
    assert "fetch" not in str(caught.value)


def test_only_the_data_set_itself_is_fetched_again(tmp_path: Path) -> None:
    path = _write(tmp_path / DATA_FILE, b"\xff\xfe\x00garbage\n")
    with pytest.raises(DataError, match=r"garbled bytes.*credit data fetch"):
        read_frame(path)
    ragged = _write(tmp_path / "mine.csv", b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(DataError) as caught:
        read_frame(ragged)
    assert str(caught.value) == (
        f"{ragged}: garbled table (line 3 has 3 fields, the header 2); {APPLICANTS_FIX}"
    )
