"""The journal's `.hash-key` is used only as this user's own regular file that no one else
can read or write; a link, a named pipe, a folder or an open file is one line, exit 2, at
`credit serve` start. A key the tool makes is 0600 from the start and made whole at once."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_mlops.errors import DataError
from credit_mlops.serve.journal import KEY_FILE, existing_key, hash_key


def _refused(folder: Path, *words: str) -> str:
    with pytest.raises(DataError) as info:
        existing_key(folder)
    message = str(info.value)
    assert info.value.exit_code == 2 and "\n" not in message
    assert str(folder / KEY_FILE) in message and "remove it to make a new key" in message
    for word in words:
        assert word in message
    return message


def test_a_link_to_a_public_file_is_refused(tmp_path: Path) -> None:
    public = tmp_path / "services"
    public.write_bytes(b"x" * 64)
    public.chmod(0o600)  # even a link to a private file: the link is not the key
    (tmp_path / KEY_FILE).symlink_to(public)
    assert "chmod" not in _refused(tmp_path, "is a symbolic link")  # it would follow the link
    with pytest.raises(DataError):
        hash_key(tmp_path)  # never made anew over the link either
    assert (tmp_path / KEY_FILE).is_symlink()


def test_a_named_pipe_is_refused_at_once_not_read_for_ever(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / KEY_FILE, 0o600)
    done: list[str] = []
    reader = threading.Thread(
        target=lambda: done.append(_refused(tmp_path, "named pipe", "not a regular file")),
        daemon=True,
    )
    reader.start()
    reader.join(20)
    assert done, "reading the key from a named pipe hung"


def test_a_folder_or_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).mkdir()
    _refused(tmp_path, "is a folder")
    other = tmp_path / "dev"
    other.mkdir()
    (other / KEY_FILE).symlink_to("/dev/zero")
    _refused(other, "symbolic link")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_a_key_others_can_read_or_write_is_refused(tmp_path: Path, mode: int) -> None:
    key = tmp_path / KEY_FILE
    key.write_bytes(os.urandom(32))
    key.chmod(mode)
    message = _refused(tmp_path, f"(mode {mode:o})", f"chmod 600 {key}")
    assert message.index("chmod 600") < message.index("remove it")
    key.chmod(0o600)
    assert existing_key(tmp_path) == key.read_bytes()


def test_a_key_of_another_user_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / KEY_FILE).write_bytes(os.urandom(32))
    (tmp_path / KEY_FILE).chmod(0o600)
    owner = (tmp_path / KEY_FILE).stat().st_uid
    monkeypatch.setattr("credit_mlops.serve.journal_key.os.geteuid", lambda: owner + 1)
    _refused(tmp_path, f"belongs to another user (uid {owner})")


def test_a_made_key_is_0600_whole_and_one_for_workers_starting_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    folder.mkdir()
    start = threading.Barrier(8)
    keys: list[bytes] = []

    def worker() -> None:
        start.wait()
        keys.append(hash_key(folder))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 32
    made = folder / KEY_FILE
    assert made.stat().st_mode & 0o777 == 0o600 and made.read_bytes() == keys[0]
    assert sorted(p.name for p in folder.iterdir()) == [KEY_FILE]  # no temporary left


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_credit_serve_refuses_a_readable_key_in_one_line_before_the_model(project: Path) -> None:
    from credit_mlops.cli.main import app

    folder = project / ".credit" / "journal"
    folder.mkdir(parents=True)
    (folder / KEY_FILE).symlink_to("/etc/hostname")
    env = {"CREDIT_SERVE__JOURNAL_HASH": '["alter"]'}
    args = ["serve", "logistic_regression", "--port", str(_free_port())]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: journal key "), result.stderr
    assert "symbolic link" in lines[0] and "Traceback" not in result.output
    assert not (project / ".credit" / "mlflow.db").exists()  # refused before the store
