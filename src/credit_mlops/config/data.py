"""`[data]`: where the data file is and where it is fetched from."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

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
