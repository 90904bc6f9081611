"""The checked-path and atomic-write helpers (credit_mlops.files)."""

from __future__ import annotations

import multiprocessing
import os
import re
from pathlib import Path

import pytest

from credit_mlops import files
from credit_mlops.errors import InputError

ROOT = os.geteuid() == 0


def test_input_file_exists_is_a_file_and_readable(tmp_path: Path) -> None:
    good = tmp_path / "in.csv"
    good.write_text("a\n")
    assert files.input_file(good, setting="--input") == good
    with pytest.raises(InputError, match=r"--input: file .*nope.csv does not exist"):
        files.input_file(tmp_path / "nope.csv", setting="--input")
    with pytest.raises(InputError, match=r"--input: .* is a folder, not a regular file"):
        files.input_file(tmp_path, setting="--input")


@pytest.mark.parametrize(
    "target",
    ["/proc/self/x.csv", "{tmp}/missing/x.csv", "{tmp}/file/x.csv", "{tmp}"],
)
def test_output_file_refusals(tmp_path: Path, target: str) -> None:
    (tmp_path / "file").write_text("x")
    path = Path(target.format(tmp=tmp_path))
    with pytest.raises(InputError, match=r"^--output: "):
        files.output_file(path, setting="--output")
    assert not (tmp_path / "missing").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no probe left behind


def test_output_file_is_not_the_input(tmp_path: Path) -> None:
    same = tmp_path / "a.csv"
    same.write_text("x")
    with pytest.raises(InputError, match="is the input file"):
        files.output_file(tmp_path / "." / "a.csv", setting="--output", not_same_as=same)
    assert files.output_file(tmp_path / "b.csv", setting="--output", not_same_as=same)


@pytest.mark.skipif(ROOT, reason="root writes into read-only folders")
def test_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    with pytest.raises(InputError, match="cannot write in"):
        files.writable_dir(folder, setting="--output-dir")


def test_writable_dir_creates_only_when_asked(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        files.writable_dir(tmp_path / "new", setting="x")
    assert files.writable_dir(tmp_path / "new" / "deeper", setting="x", create=True).is_dir()


@pytest.mark.parametrize("name", ["../evil.toml", "/etc/passwd", "a/../../b"])
def test_inside_refuses_escapes(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="lies outside"):
        files.inside(Path(name), tmp_path, what="member")


def test_inside_keeps_members(tmp_path: Path) -> None:
    assert files.inside(Path("a/b.txt"), tmp_path, what="member") == (tmp_path / "a/b.txt")


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    files.write_text(target, "old\n")
    with pytest.raises(RuntimeError), files.atomic_write(target) as fh:
        fh.write("half of the new")
        raise RuntimeError("disk full, say")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left
    files.write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert (target.stat().st_mode & 0o777) == 0o666 & ~_umask()


def test_atomic_write_bytes_and_copy(tmp_path: Path) -> None:
    files.write_bytes(tmp_path / "a.bin", b"\x00\x01")
    files.copy_file(tmp_path / "a.bin", tmp_path / "b.bin")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def _writer(args: tuple[str, str, int]) -> None:
    path, tag, lines = args
    with files.atomic_write(Path(path)) as fh:
        for i in range(lines):
            fh.write(f"{tag},{i}\n")


def test_concurrent_writers_of_one_path_leave_one_complete_file(tmp_path: Path) -> None:
    """The class of case 1: several processes writing the same output at once."""
    target = tmp_path / "scored.csv"
    jobs = [(str(target), f"w{n}", 20_000 + n) for n in range(6)]
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        pool.map(_writer, jobs)
    lines = target.read_text().splitlines()
    tags = {line.split(",")[0] for line in lines}
    assert len(tags) == 1  # never a mix of writers
    (tag,) = tags
    n = int(tag[1:])
    assert lines == [f"{tag},{i}" for i in range(20_000 + n)]
    assert [p.name for p in tmp_path.iterdir()] == ["scored.csv"]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# Writing a file outside credit_mlops.files: only these, each for a reason.
RAW_WRITES_ALLOWED = {
    "files.py",  # the helper itself
    "data/writers.py",  # TableWriter writes its own temp_beside file, then files.publish
    "ops/server.py",  # the pid file: made exclusively (O_EXCL), then renamed into place
    "ops/server_log.py",  # the server's log, appended to by the server process itself
    "report/write.py",  # a zero-byte probe that the folder takes files, removed at once
    # the journal's secret key: 0600 from its first byte and linked into place, never
    # replacing a key another worker made first (atomic_write's rename would)
    "serve/journal_key.py",
    "tracking/portable.py",  # the model's own JSON files, in the folder MLflow is saving
    "tracking/runs.py",  # JSON artifacts in a TemporaryDirectory, uploaded, then gone
    "tracking/tuning.py",  # figures in a TemporaryDirectory, uploaded, then gone
}
RAW_WRITE = re.compile(
    r"(?<!files)\.write_text\(|(?<!files)\.write_bytes\(|open\([^)]*[\"'](w|a|wb|ab|wt)[\"']"
    r"|savefig\(path|\.to_csv\((folder|path|entry|output|out_path)"
)


def test_every_file_is_written_through_the_atomic_helper() -> None:
    """The class of case 1: a new writer that bypasses credit_mlops.files fails here."""
    src = Path(files.__file__).parent
    offenders = {
        str(p.relative_to(src)): n
        for p in src.rglob("*.py")
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if RAW_WRITE.search(line) and str(p.relative_to(src)) not in RAW_WRITES_ALLOWED
    }
    assert offenders == {}
