"""`[data]`: where the data file is and where it is fetched from."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, field_validator

from credit_mlops.config.base import Section

UCI_ARCHIVE_URL = "https://archive.ics.uci.edu/static/public/573/south+german+credit+update.zip"


class DataSettings(Section):
    # the data set's description: a shipped name (configs/data/NAME.toml) or a TOML path
    description: str = "south-german-credit"
    path: Path | None = None
    # where `credit data fetch` puts the downloaded file; a copy there is used before the shipped
    # one
    dir: Path = Path("data/raw")
    url: str = UCI_ARCHIVE_URL
    # pin the downloaded archive: a different checksum is refused
    sha256: str | None = None
    # a data file with fewer good or bad rows than this is refused
    min_rows_per_class: int = Field(30, ge=1)

    @field_validator("sha256")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        """A SHA-256 digest: 64 hexadecimal digits (checked before any download)."""
        if value is not None and re.fullmatch(r"[0-9a-fA-F]{64}", value) is None:
            raise ValueError(
                f"{value[:80]!r} is not a SHA-256 digest (64 hexadecimal digits, as "
                "`sha256sum FILE` prints them)"
            )
        return value.lower() if value else value
