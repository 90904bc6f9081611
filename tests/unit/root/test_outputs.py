"""Outputs go where users point them: a symlink is written through (never replaced), a
device or pipe is written in place, `-` is standard output, and every output folder follows
one rule (made if missing, never the folders above it)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pandas as pd
import pytest

from credit_mlops.data.writers import TableWriter
from credit_mlops.errors import InputError
from credit_mlops.files import (
    atomic_write,
    output_file,
    output_folder,
    write_target,
    write_text,
)


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new"


def test_a_chain_of_links_and_a_relative_link(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    target = tmp_path / "sub" / "real.txt"
    target.write_text("old")
    (tmp_path / "a").symlink_to("sub/real.txt")  # relative
    (tmp_path / "b").symlink_to(tmp_path / "a")
    write_text(tmp_path / "b", "new")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()
    assert target.read_text() == "new"


def test_a_dangling_link_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "later.txt")
    output_file(link, setting="-o")
    write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "later.txt").read_text() == "x"


def test_a_failed_write_through_a_link_keeps_the_old_target(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(RuntimeError), atomic_write(link) as fh:
        fh.write("half")
        raise RuntimeError
    assert target.read_text() == "old" and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real.txt"]  # no temp left


def _fifo_reader(path: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with path.open("rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=read)
    thread.start()
    return thread, got


def test_a_pipe_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert write_target(fifo) == (fifo, True)
    output_file(fifo, setting="-o")
    thread, got = _fifo_reader(fifo)
    write_text(fifo, "through the pipe")
    thread.join(5)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not a regular file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_table_writer_writes_through_a_pipe_and_a_link(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "p_bad": [0.1, 0.9]})
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    thread, got = _fifo_reader(fifo)
    with TableWriter(fifo, "csv") as writer:
        writer.write(frame)
    thread.join(5)
    assert got == [b"id,p_bad\na,0.1\nb,0.9\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    real = tmp_path / "real.parquet"
    real.write_bytes(b"old")
    link = tmp_path / "link.parquet"
    link.symlink_to(real)
    with TableWriter(link, "parquet") as writer:
        writer.write(frame)
    assert link.is_symlink() and pd.read_parquet(real).equals(frame)


def test_dev_null_stays_a_device(tmp_path: Path) -> None:
    null = Path("/dev/null")
    write_text(null, "discarded")
    assert stat.S_ISCHR(null.stat().st_mode)


def test_dash_is_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert output_file(Path("-"), setting="-o") == Path("-")
    write_text(Path("-"), "to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"
    assert not Path("-").exists()


def test_output_file_never_creates_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        output_file(tmp_path / "missing" / "x.csv", setting="-o")
    assert not (tmp_path / "missing").exists()


def test_output_folder_rule(tmp_path: Path) -> None:
    new = tmp_path / "new"
    assert output_folder(new, setting="--output-dir") == new
    assert not new.exists()  # checked only: made when results are written
    with pytest.raises(InputError, match=r"folder .*missing does not exist"):
        output_folder(tmp_path / "missing" / "sub", setting="--output-dir")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is not a folder"):
        output_folder(tmp_path / "file", setting="--output-dir")
    with pytest.raises(InputError, match="cannot write there"):
        output_folder(Path("/proc/credit-out"), setting="--output-dir")
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    assert output_folder(link, setting="--output-dir") == link
