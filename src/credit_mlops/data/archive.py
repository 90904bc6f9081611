"""The downloaded archive: where it may come from, and what is taken out of it.

Only http(s) URLs are downloaded (a `file://` or `ftp://` URL is named as unsupported, not
reported as a failed checksum). Only the expected members are extracted, each atomically
and by its base name into the data folder; anything else in the archive (scripts, nested
folders, `../` paths) stays in the archive and is listed, never written to disk.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from credit_mlops.errors import DataError

SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Extracted:
    files: tuple[Path, ...]
    skipped: tuple[str, ...]  # members left in the archive


def check_url(url: str, *, setting: str) -> None:
    """An http(s) URL with a host, else exit 2 naming the setting and the scheme."""
    from credit_mlops.redaction import redact

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        what = f"scheme '{parts.scheme}'" if scheme else "no scheme"
        raise DataError(
            f"{setting}: cannot download '{redact(url)}': {what} is not supported, only "
            "http and https; for a file on this machine pass --data PATH instead"
        )
    if not parts.hostname:
        raise DataError(f"{setting}: '{redact(url)}' names no host; give http(s)://HOST/PATH")


def extract(archive: Path, folder: Path, expected: tuple[str, ...]) -> Extracted:
    """Extract the members named in `expected` (by base name) into `folder`, atomically."""
    from credit_mlops.files import atomic_write

    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{archive} is not a zip archive ({exc}); fetch it again") from exc
    written: list[Path] = []
    skipped: list[str] = []
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = PurePosixPath(info.filename).name
            if name not in expected or name in (p.name for p in written):
                skipped.append(info.filename)
                continue
            with zf.open(info) as src, atomic_write(folder / name, "wb") as dst:
                while block := src.read(1 << 20):
                    dst.write(block)
            written.append(folder / name)
    return Extracted(tuple(written), tuple(skipped))
