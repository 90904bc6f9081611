"""What is taken out of a downloaded archive, and which URLs are downloaded at all."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from credit_mlops.data.archive import check_url, extract
from credit_mlops.errors import DataError


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("file:///tmp/x.zip", "scheme 'file'"),
        ("ftp://host/x.zip", "scheme 'ftp'"),
        ("/tmp/x.zip", "no scheme"),
        ("https:///x.zip", "names no host"),
    ],
)
def test_only_http_urls_are_downloaded(url: str, needle: str) -> None:
    with pytest.raises(DataError) as info:
        check_url(url, setting="--url")
    assert str(info.value).startswith("--url: ") and needle in str(info.value)


def test_a_password_in_the_url_is_not_shown() -> None:
    with pytest.raises(DataError) as info:
        check_url("ftp://bob:hunter22@host/x.zip", setting="data.url")
    assert "hunter22" not in str(info.value)


def test_only_expected_members_are_extracted(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("nested/SouthGermanCredit.asc", "data\n")
        zf.writestr("codetable.txt", "codes\n")
        zf.writestr("run-me.sh", "echo hi\n")
        zf.writestr("../escape.txt", "out\n")
        zf.writestr("/abs/codetable.txt", "a second one\n")
    out = tmp_path / "raw"
    out.mkdir()
    got = extract(archive, out, ("SouthGermanCredit.asc", "codetable.txt"))
    assert sorted(p.name for p in out.iterdir()) == ["SouthGermanCredit.asc", "codetable.txt"]
    assert (out / "codetable.txt").read_text() == "codes\n"
    assert set(got.skipped) == {"run-me.sh", "../escape.txt", "/abs/codetable.txt"}
    assert not (tmp_path / "escape.txt").exists()


def test_not_a_zip(tmp_path: Path) -> None:
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"nope")
    with pytest.raises(DataError, match="not a zip archive"):
        extract(bad, tmp_path, ("a",))
