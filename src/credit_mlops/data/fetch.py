"""Downloading the UCI archive (cached by pooch), extracting and validating it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from credit_mlops.config.settings import Settings
from credit_mlops.data.dataset import load_dataset
from credit_mlops.data.schema import DATA_FILE
from credit_mlops.errors import DataError

ARCHIVE_NAME = "south-german-credit-update.zip"


class ProgressBar(Protocol):
    """What pooch drives as a download bar."""

    total: int | None

    def update(self, n: int) -> None: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...


def fetch(
    url: str,
    data_dir: Path,
    *,
    sha256: str | None = None,
    progressbar: bool | ProgressBar = False,
    min_rows_per_class: int = 30,
) -> Path:
    """Download the UCI archive into `data_dir` (cached by pooch), extract and validate it."""
    import pooch
    import requests

    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        members = pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}" if sha256 else None,
            fname=ARCHIVE_NAME,
            path=data_dir,
            processor=pooch.Unzip(extract_dir="."),
            progressbar=progressbar,
        )
    except ValueError as exc:  # pooch's hash mismatch
        raise DataError(f"download from {url} failed its checksum: {exc}") from exc
    except (requests.RequestException, OSError) as exc:
        raise DataError(
            f"cannot download {url} ({type(exc).__name__}: {exc}); check the network or "
            "pass --data PATH to a local copy"
        ) from exc
    found = [Path(m) for m in _as_list(members) if Path(m).name == DATA_FILE]
    if not found:
        raise DataError(f"the archive from {url} holds no {DATA_FILE}")
    target = data_dir / DATA_FILE
    if found[0].resolve() != target.resolve():
        target.write_bytes(found[0].read_bytes())
    load_dataset(target, min_rows_per_class=min_rows_per_class)
    return target


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def fetch_data(settings: Settings, *, progressbar: bool | ProgressBar = False) -> Path:
    """`credit data fetch`: the archive at data.url into data.dir, checked."""
    return fetch(
        settings.data.url,
        settings.path(settings.data.dir),
        sha256=settings.data.sha256,
        progressbar=progressbar,
        min_rows_per_class=settings.data.min_rows_per_class,
    )
