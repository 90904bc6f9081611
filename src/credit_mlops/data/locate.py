"""Where the data file is: the one lookup every command uses."""

from __future__ import annotations

from pathlib import Path

from credit_mlops.config.settings import Settings
from credit_mlops.data.dataset import Dataset, load_dataset
from credit_mlops.data.files import HOW_TO_GET_DATA
from credit_mlops.data.schema import DATA_FILE, SHIPPED_FILE
from credit_mlops.errors import DataError


def configured_files(settings: Settings) -> list[Path]:
    """The files the settings point at, in order: data.path, then data.dir/DATA_FILE (a
    fetched copy), then the copy shipped with the project."""
    out: list[Path] = []
    if settings.data.path:
        out.append(settings.path(settings.data.path))
    out.append(settings.path(settings.data.dir) / DATA_FILE)
    out.append(settings.path(SHIPPED_FILE))
    return out


def data_file(settings: Settings, override: Path | None = None) -> Path:
    """`override`, else data.path, else a fetched copy in data.dir, else the shipped copy
    (or how to get one)."""
    explicit = override or (settings.path(settings.data.path) if settings.data.path else None)
    return find_data_file(
        explicit, settings.path(settings.data.dir), shipped=settings.path(SHIPPED_FILE)
    )


def find_data_file(explicit: Path | None, data_dir: Path, *, shipped: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    for candidate in (data_dir / DATA_FILE, shipped):
        if candidate is not None and candidate.is_file():
            return candidate
    raise DataError(f"no data file in {data_dir}: {HOW_TO_GET_DATA}")


def validate_data(settings: Settings, path: Path | None) -> Dataset:
    """`credit data validate`: the given or configured file, loaded and checked."""
    return load_dataset(
        data_file(settings, path), min_rows_per_class=settings.data.min_rows_per_class
    )
