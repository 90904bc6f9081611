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
    dir: Path = Path("data/raw")
    url: str = UCI_ARCHIVE_URL
    sha256: str | None = None
    min_rows_per_class: int = Field(30, ge=1)
