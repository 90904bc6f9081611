"""Which format an output file gets: one rule for every command that writes a file.

`--format` when given, else the format the file's extension names (`.csv`, `.md`, `.json`,
`.parquet`, `.csv.gz`, as the command writes them). An extension that names a format the
command does not write (`.xlsx` for a table of scores, `.json` for synthetic applicants) is
refused in one line before any work, naming what the command writes; so is a `--format`
that contradicts the extension. A name without an extension, or with one that names no
format (`.asc`, `.txt`, `.out`), gets `--format` or the command's default, as always.
Standard output (`-`) has no extension. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from credit_mlops.errors import InputError

# what an extension says a file holds: every format any command writes, and formats a
# reader would open the file as (a spreadsheet, a document) that no command writes
NAMED: dict[str, str] = {
    ".csv": "CSV",
    ".json": "JSON",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".parquet": "Parquet",
    ".pq": "Parquet",
    ".toml": "TOML",
    ".xlsx": "Excel",
    ".xlsm": "Excel",
    ".xls": "Excel",
    ".ods": "OpenDocument spreadsheet",
    ".tsv": "tab-separated",
    ".jsonl": "JSON lines",
    ".ndjson": "JSON lines",
    ".html": "HTML",
    ".htm": "HTML",
    ".xml": "XML",
    ".yaml": "YAML",
    ".yml": "YAML",
    ".pdf": "PDF",
    ".png": "PNG",
    ".feather": "Feather",
    ".arrow": "Arrow",
    ".orc": "ORC",
    ".avro": "Avro",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".zip": "zip",
    ".gz": "gzip",
    ".bz2": "bzip2",
    ".xz": "xz",
    ".zst": "zstd",
}
_COMPRESSED = (".gz", ".bz2", ".xz", ".zst")


@dataclass(frozen=True)
class Writes:
    """What one command writes: each format with the extensions that name it (the first
    is suggested), how the format is called in messages, and the format of a file whose
    name says nothing."""

    command: str
    extensions: dict[str, tuple[str, ...]]
    default: str
    shown: dict[str, str]

    def offer(self) -> str:
        parts = [
            f"{self.shown[f]} ({', '.join(ext)})" if ext else self.shown[f]
            for f, ext in self.extensions.items()
        ]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


COMPARE = Writes(
    "credit compare",
    {"table": (), "csv": (".csv",), "json": (".json",), "markdown": (".md", ".markdown")},
    "table",
    {"table": "a text table", "csv": "CSV", "json": "JSON", "markdown": "Markdown"},
)
TABLES = {  # applicant tables: data synth, data drift, predict's scores
    "csv": (".csv", ".csv.gz", ".gz"),
    "parquet": (".parquet", ".pq"),
}
TABLE_NAMES = {"csv": "CSV", "parquet": "Parquet"}
DESCRIPTION = Writes("credit data describe", {"toml": (".toml",)}, "toml", {"toml": "TOML"})


def table_writes(command: str) -> Writes:
    return Writes(command, TABLES, "csv", TABLE_NAMES)


def extension(path: Path) -> str:
    """The extension as the rule reads it: lower case; `.csv.gz` whole when the part
    before a compression names a format."""
    suffixes = [s.lower() for s in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in _COMPRESSED and suffixes[-2] in NAMED:
        return suffixes[-2] + suffixes[-1]
    return suffixes[-1] if suffixes else ""


def _named(ext: str) -> str | None:
    """The format an extension names (`gzip-compressed JSON`), or None."""
    if ext in NAMED:
        return NAMED[ext]
    inner, _, outer = ext.rpartition(".")
    if inner in NAMED and "." + outer in NAMED:
        return f"{NAMED['.' + outer]}-compressed {NAMED[inner]}"
    return None


def chosen(path: Path, given: str | None, writes: Writes, *, setting: str = "--output") -> str:
    """The format `path` is written in (InputError when the command cannot honour both)."""
    if given is not None and given not in writes.extensions:
        raise InputError(f"--format {given!r} is unknown; use {' or '.join(writes.extensions)}")
    if path == Path("-"):
        return given or writes.default
    ext = extension(path)
    by_name = next((f for f, exts in writes.extensions.items() if ext in exts), None)
    if by_name is None:
        named = _named(ext)
        if named is not None:
            raise InputError(
                f"{setting} {path}: {writes.command} does not write {named} files ({ext}); "
                f"it writes {writes.offer()}: {_rename(path, ext, writes, given)}"
            )
        return given or writes.default
    if given is not None and given != by_name:
        raise InputError(
            f"{setting} {path} names a {writes.shown[by_name]} file and --format is {given}; "
            f"drop --format, or {_rename(path, ext, writes, given)}"
        )
    return by_name


def _rename(path: Path, ext: str, writes: Writes, given: str | None) -> str:
    """How to name the file instead: with the extension of the format asked for, or of
    each format the command writes."""
    stem = path.name[: len(path.name) - len(ext)] if ext else path.name
    wanted = [given] if given is not None else list(writes.extensions)
    # a format no extension names (compare's text table) takes one that names none
    names = [f"{stem}{(writes.extensions[f] or ('.txt',))[0]}" for f in wanted]
    return "name the file " + " or ".join(names)
