"""Reading back a file as the regular file it must be: one open, refusals on the open
descriptor (a pipe does not hang, a link is refused when links are)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from credit_runtime.regular_file import NotRegularFile, read_regular


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    data = os.urandom(3 << 20)  # more than one read
    path.write_bytes(data)
    assert read_regular(path) == data
    assert read_regular(path, follow_links=False) == data


@pytest.mark.parametrize("kind", ["pipe", "folder", "device"])
def test_other_kinds_are_named(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x"
    if kind == "pipe":
        os.mkfifo(path)  # no writer: an open without O_NONBLOCK would wait for ever
    elif kind == "folder":
        path.mkdir()
    else:
        path = Path("/dev/zero")  # would never end
    with pytest.raises(NotRegularFile) as caught:
        read_regular(path)
    assert caught.value.kind == {"pipe": "a named pipe", "folder": "a folder"}.get(kind, "a device")
    assert "not a regular file" in caught.value.strerror


def test_a_link_is_followed_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "t"
    target.write_bytes(b"abc")
    link = tmp_path / "l"
    link.symlink_to(target)
    assert read_regular(link) == b"abc"
    with pytest.raises(OSError) as caught:
        read_regular(link, follow_links=False)
    assert caught.value.errno == errno.ELOOP


def test_the_check_refuses_before_a_byte_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"secret")
    seen: list[int] = []

    def refuse(info: os.stat_result) -> None:
        seen.append(info.st_size)
        raise PermissionError("not yours")

    with pytest.raises(PermissionError):
        read_regular(path, check=refuse)
    assert seen == [6]
