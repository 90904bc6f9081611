"""Where the data file is and what describes it: the one lookup every command uses."""

from __future__ import annotations

from pathlib import Path

from credit_mlops.config.settings import Settings
from credit_mlops.data.dataset import Dataset, load_dataset
from credit_mlops.data.description import Description
from credit_mlops.data.tables import HOW_TO_GET_DATA
from credit_mlops.errors import DataError


def description(settings: Settings) -> Description:
    """The data description the profile names (`data.description`)."""
    from credit_mlops.data.described import resolve

    return resolve(settings.data.description, settings.root)


def configured_files(settings: Settings, d: Description | None = None) -> list[Path]:
    """The files the settings point at, in order: data.path, then data.dir/<the description's
    file> (a fetched copy), then the copy shipped with the project (data/<name>/<file>)."""
    d = d or description(settings)
    out: list[Path] = []
    if settings.data.path:
        out.append(settings.path(settings.data.path))
    if d.file:
        out.append(settings.path(settings.data.dir) / d.file)
        out.append(settings.path(Path("data") / d.name / d.file))
    return out


def data_file(
    settings: Settings, override: Path | None = None, d: Description | None = None
) -> Path:
    """`override`, else data.path, else a fetched copy in data.dir, else the shipped copy
    (or how to get one)."""
    if override is not None:
        return override
    d = d or description(settings)
    candidates = configured_files(settings, d)
    if settings.data.path:
        return candidates[0]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if d.file is None:
        raise DataError(
            f"no data file for the data description '{d.name}': pass --data PATH "
            "(setting data.path, env CREDIT_DATA__PATH)"
        )
    raise DataError(f"no data file in {settings.path(settings.data.dir)}: {HOW_TO_GET_DATA}")


def find_data_file(explicit: Path | None, data_dir: Path, *, shipped: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    from credit_mlops.data.schema import DATA_FILE

    for candidate in (data_dir / DATA_FILE, shipped):
        if candidate is not None and candidate.is_file():
            return candidate
    raise DataError(f"no data file in {data_dir}: {HOW_TO_GET_DATA}")


def load_configured(settings: Settings, override: Path | None = None) -> Dataset:
    """The configured (or given) data file, read and checked against the profile's
    description."""
    d = description(settings)
    return load_dataset(
        data_file(settings, override, d),
        description=d,
        min_rows_per_class=settings.data.min_rows_per_class,
    )


def validate_data(settings: Settings, path: Path | None) -> Dataset:
    """`credit data validate`: the given or configured file, loaded and checked."""
    return load_configured(settings, path)
