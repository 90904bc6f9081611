"""Downloading the UCI archive (cached by pooch), extracting and validating it."""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from credit_mlops.config.settings import Settings
from credit_mlops.data.archive import check_url, extract
from credit_mlops.data.dataset import load_dataset
from credit_mlops.data.schema import DATA_FILE, DEFAULT
from credit_mlops.errors import CreditError, DataError, SourceUnreachableError
from credit_mlops.files import writable_dir
from credit_mlops.redaction import redact, scrub

ARCHIVE_NAME = "south-german-credit-update.zip"


class ProgressBar(Protocol):
    """What pooch drives as a download bar."""

    total: int | None

    def update(self, n: int) -> None: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...


EXPECTED = (DATA_FILE, "codetable.txt")  # what is taken out of the archive


@dataclass(frozen=True)
class Fetched:
    path: Path  # the validated data file
    skipped: tuple[str, ...] = ()  # archive members left in the archive
    title: str = DEFAULT.title or DEFAULT.name  # what the data set is called


def fetch(
    url: str,
    data_dir: Path,
    *,
    sha256: str | None = None,
    progressbar: bool | ProgressBar = False,
    min_rows_per_class: int = 30,
    setting: str = "data.url",
    dir_setting: str = "data.dir",
) -> Fetched:
    """Download the UCI archive into `data_dir` (cached by pooch), extract and validate it;
    the data file and the archive members left out."""
    import pooch
    import requests

    check_url(url, setting=setting)  # http(s) only: file:// is not "a failed checksum"
    shown = redact(url)  # the URL may carry a password or a token: never shown
    made = [p for p in (data_dir, *data_dir.parents) if not p.exists()]
    # a file, a device or a folder that takes no file is said as such before any download
    # (never as a mirror that is unreachable)
    writable_dir(data_dir, setting=dir_setting, create=True)
    quiet = pooch.get_logger()
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # its "Downloading data from <the whole URL>" line
    try:
        archive = pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}" if sha256 else None,
            fname=ARCHIVE_NAME,
            path=data_dir,
            progressbar=progressbar,
        )
    except ValueError as exc:  # pooch's hash mismatch
        _unmake(made)
        raise DataError(
            f"download from {shown} failed its checksum: {scrub(str(exc), url)}"
        ) from None
    except (requests.RequestException, OSError) as exc:
        _unmake(made)
        raise _download_error(exc, shown, url) from None
    finally:
        quiet.setLevel(level)
    got = extract(Path(archive), data_dir, EXPECTED)
    target = data_dir / DATA_FILE
    if target not in got.files:
        raise DataError(f"the archive from {shown} holds no {DATA_FILE}")
    load_dataset(target, min_rows_per_class=min_rows_per_class)
    return Fetched(target, got.skipped)


def _unmake(made: list[Path]) -> None:
    """Remove the folders a failed download made (innermost first), if still empty."""
    for folder in made:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _download_error(exc: Exception, shown: str, url: str) -> CreditError:
    """A mirror that does not answer (exit 3) or answers with an HTTP error (exit 2), said
    in words: the reason the system gave, never a library's class names."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return DataError(
            f"{shown} answered HTTP {exc.response.status_code}; check data.url (or --url), or "
            "pass --data PATH to a local copy"
        )
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    timed_out = isinstance(exc, requests.Timeout)
    reason = "timed out" if timed_out else found.group(1).strip().lower() if found else "no answer"
    return SourceUnreachableError(
        f"{shown} is unreachable ({scrub(reason, url)}); check the address and the network, "
        "or pass --data PATH to a local copy"
    )


def fetch_data(
    settings: Settings, *, progressbar: bool | ProgressBar = False, url_flag: bool = False
) -> Fetched:
    """`credit data fetch`: the archive at data.url into data.dir, checked."""
    return fetch(
        settings.data.url,
        settings.path(settings.data.dir),
        sha256=settings.data.sha256,
        progressbar=progressbar,
        min_rows_per_class=settings.data.min_rows_per_class,
        setting="--url" if url_flag else settings.named("data.url"),
        dir_setting=settings.named("data.dir"),
    )
