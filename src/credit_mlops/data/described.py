"""Which data description a command uses: `data.description` names a shipped one
(`configs/data/<name>.toml`, also packaged with the tool) or gives a path to a TOML file."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from credit_mlops.data.description import Description, parse
from credit_mlops.data.description_codes import parse_toml
from credit_mlops.errors import DataError
from credit_mlops.kept_files import read_as
from credit_mlops.readback import capped_bytes

DEFAULT = "south-german-credit"
FOLDER = Path("configs/data")  # a project's own descriptions, by name, relative to its root


def shipped_folder() -> Path:
    """The descriptions shipped with the tool: packaged in a wheel, configs/data in a checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "descriptions"
    return packaged if packaged.is_dir() else package.parents[1] / FOLDER


def shipped_names() -> list[str]:
    return sorted(p.stem for p in shipped_folder().glob("*.toml"))


def description_path(value: str, root: Path) -> Path:
    """A name (`south-german-credit`) -> root/configs/data/NAME.toml, else the shipped one;
    anything with a slash or ending in .toml is a path (relative to the project root)."""
    if value.endswith(".toml") or "/" in value or "\\" in value:
        path = Path(value).expanduser()
        return path if path.is_absolute() else root / path
    for folder in (root / FOLDER, shipped_folder()):
        candidate = folder / f"{value}.toml"
        if candidate.is_file() or (folder == root / FOLDER and os.path.lexists(candidate)):
            return candidate  # the project's own, whatever it is: `load` says what is wrong
    have = ", ".join(sorted({*shipped_names(), *(p.stem for p in (root / FOLDER).glob("*.toml"))}))
    raise DataError(
        f"no data description named {value!r} (have: {have}); give a shipped name or a path "
        "to a TOML file (setting data.description), or draft one with `credit data describe`"
    )


def resolve(value: str, root: Path) -> Description:
    path = description_path(value, root)
    if not path.exists():  # a folder or a pipe so named is refused by `load`, as such
        raise DataError(
            f"data description {path} does not exist; draft one with "
            "`credit data describe FILE --target COLUMN --bad VALUE -o FILE`"
        )
    return load(path)


MAX_DESCRIPTION_BYTES = 64 << 20  # 10,000 columns with many codes each stay far below


def load(path: Path) -> Description:
    """The description in the TOML file at `path`, or one DataError naming the file."""
    if path.is_dir():
        raise DataError(f"data description {path} is a folder, not a TOML file; name the file")
    if path.exists() and not path.is_file():  # reading a pipe would wait for a writer
        raise DataError(
            f"data description {path} is not a regular file (a pipe, a socket or a device); "
            "name a TOML file"
        )
    try:
        raw = capped_bytes(path, MAX_DESCRIPTION_BYTES)
        if raw is None:
            raise DataError(
                f"data description {path} is larger than {MAX_DESCRIPTION_BYTES >> 20} MB; a "
                "description names columns and codes, not rows - check that it is the file "
                "you meant"
            )
        text = raw.decode("utf-8-sig")  # a BOM is not part of the TOML
    except OSError as exc:
        raise DataError(f"cannot read data description {path}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise DataError(
            f"data description {path} is not UTF-8 text; save it as UTF-8 (TOML is UTF-8)"
        ) from None
    data = parse_toml(
        text,
        lambda why: DataError(f"data description {path} is not valid TOML: {why}; fix the file"),
    )
    read_as(path, "the data description")  # an output of this command never replaces it
    return parse(data, source=str(path))


@functools.cache
def default() -> Description:
    """South German Credit, the description shipped as the default."""
    return load(shipped_folder() / f"{DEFAULT}.toml")


def for_settings(settings_description: str, root: Path) -> Description:
    """The description a profile names (`data.description`)."""
    return resolve(settings_description, root)


def summary(description: Description) -> str:
    """`20 columns (7 nominal, 3 numeric, ...); target kredit: bad 0, good 1; protected ...`"""
    kinds = [c.kind for c in description.columns.values()]
    counted = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
    target = description.target
    bad = ", ".join(map(str, target.bad))
    good = ", ".join(map(str, target.good))
    protected = ", ".join(description.protected) or "none"
    return (
        f"{len(kinds)} columns ({counted}); target {target.column}: bad {bad}, good {good}; "
        f"protected: {protected}"
    )


def shown_rows(value: str, root: Path) -> list[tuple[str, str, str]]:
    """`credit config show`'s rows for the description: its file and a summary, or why not."""
    try:
        path = description_path(value, root)
        description = load(path)
    except DataError as exc:
        return [("data.description (file)", f"unusable: {exc}", "derived")]
    return [
        ("data.description (file)", str(path), "derived"),
        ("data.description (summary)", summary(description), "derived"),
    ]
