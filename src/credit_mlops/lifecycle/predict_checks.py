"""What `credit predict` checks before it spends 10-20 s loading a model, and what it tells.

The input exists and its first rows pass the training schema; the output's folder takes a
new file; the model's training run still exists (a deleted run is refused: its threshold
and lineage are gone from view). Duplicate ids are counted while streaming and reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.errors import DataError, InputError, NotFoundError, some

if TYPE_CHECKING:
    from credit_mlops.data.description import Description
    from credit_mlops.lifecycle.resolve import ModelRef
    from credit_mlops.tracking.records import RunRecord
    from credit_mlops.tracking.store import TrackingStore

FIRST_ROWS = 1000  # enough for the schema to see a wrong file before the model loads


def check_paths(
    input_path: Path,
    output_path: Path,
    id_column: str = "id",
    description: Description | None = None,
    *,
    id_given: bool = False,
) -> None:
    """The input exists and its first rows pass the schema; the output can be written."""
    from credit_mlops.files import input_file, output_file

    input_file(input_path, setting="--input", what="input file")
    output_file(output_path, setting="--output", not_same_as=input_path)
    check_input(input_path, id_column, description, id_given=id_given)


def check_input(
    input_path: Path,
    id_column: str,
    description: Description | None = None,
    *,
    id_given: bool = False,
) -> None:
    """The first rows against the schema (the target column may be absent). An id column
    the user named (`id_given`; the default `id` may be absent) must be in the file."""
    from credit_mlops.data import formats
    from credit_mlops.data.checks import CSV_LINES, PARQUET_ROWS, validate_frame
    from credit_mlops.data.tables import to_german

    where = PARQUET_ROWS if formats.file_format(input_path) == "parquet" else CSV_LINES
    head = next(iter(formats.iter_frames(input_path, FIRST_ROWS)), None)
    if head is None:
        raise DataError(f"{input_path}: no data rows to score")
    if id_given and id_column not in head.columns:
        raise InputError(
            f"--id-column {id_column!r} is not a column of {input_path} (columns: "
            f"{some(head.columns)}); give the name of the file's id column"
        )
    head = to_german(head, description)
    head = head.drop(columns=[c for c in (id_column,) if c in head.columns])
    _unexpected_columns(head, description, input_path, id_column)
    validate_frame(
        head, source=str(input_path), description=description, features_only=True, where=where
    )


def _unexpected_columns(
    head: Any, description: Description | None, input_path: Path, id_column: str
) -> None:
    """Columns the data description does not know, when every feature is there: one of them
    may be the id column under another name, which `--id-column` names."""
    from credit_mlops.data.schema import DEFAULT

    d = description or DEFAULT
    if any(c not in head.columns for c in d.features):
        return  # the schema's own message names the missing ones
    from credit_mlops.data.checks import unexpected_columns

    extra = unexpected_columns(head.columns, d)
    if extra:
        raise DataError(
            f"{input_path}: unexpected column(s) {some(extra)}: not in the data description "
            f"'{d.name}'; if one is the applicants' id, name it with --id-column (now "
            f"{id_column!r}), else add them to the description or drop them from the file"
        )


def run_description(store: TrackingStore, run: RunRecord) -> Description | None:
    """The data description a training run logged (None for runs from before descriptions:
    they were trained on the default data set)."""
    from credit_mlops.data.description import ARTIFACT, parse
    from credit_mlops.readback import json_file, parsed

    if "data_description" not in run.params:
        return None
    what = f"run {run.run_id}'s {ARTIFACT}"
    fix = "it was changed after training: train the model again"
    data = json_file(store.download_artifact(run.run_id, ARTIFACT), what=what, fix=fix)
    return parsed(data, lambda d: parse(d, source=what), what=what, fix=fix)


def check_model_columns(model: object, description: Description | None, label: str) -> None:
    """A model that was fitted on other columns than its run's data description (one not
    trained by credit, registered under a name credit uses) is refused in one line, exit 2,
    before any applicant is read; a model that does not record its columns is taken as it
    is."""
    from credit_mlops.data.schema import FEATURES

    expected = getattr(model, "feature_names_in_", None)
    inner = getattr(model, "estimator_", None)
    if expected is None and inner is not None:
        expected = getattr(inner, "feature_names_in_", None)
    if expected is None:
        return
    fitted = [str(c) for c in expected]
    names = description.features if description is not None else list(FEATURES)
    if set(fitted) != set(names):
        missing = [c for c in names if c not in set(fitted)]
        raise InputError(
            f"{label} was fitted on the columns {some(fitted)}, not on its data "
            f"description's ({some(missing or names)} differ): it was not trained by credit "
            "on this data; retrain it with credit train or pick another version"
        )


def live_run(run: RunRecord, ref: ModelRef | None = None) -> RunRecord:
    """The model's training run, refused (exit 2) if it was deleted. Without `ref`, the run
    is about to be registered (nothing else to pick but another run)."""
    if run.lifecycle_stage == "deleted":
        of, other = (f" of {ref.label}", "another version") if ref else ("", "another run")
        raise NotFoundError(
            f"the training run {run.run_id}{of} was deleted, so its decision threshold and "
            f"lineage are gone; restore it (`mlflow runs restore --run-id {run.run_id}`) or "
            f"pick {other}"
        )
    return run


# what a CSV cell may change: controls, and anything beyond ASCII (checked one by one)
_SUSPECT = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|[^\x00-\x7e]"


def check_csv_ids(ids: Any, id_column: str) -> None:
    """Refuse ids a CSV would not give back as they are: a control or invisible character
    is written as `\\u200b`-style text (a terminal or a spreadsheet would act on it, or not
    show it), so such an id would no longer match the applicant it names (InputError)."""
    from credit_mlops.escaping import csv_read_text, csv_text

    if not hasattr(ids, "str"):
        return  # numbers: nothing to change
    text = ids.dropna()
    for value in text[text.str.contains(_SUSPECT, regex=True)]:
        if isinstance(value, str) and csv_read_text(csv_text(value)) != value:
            raise InputError(
                f"id column {id_column!r} holds an id with a character a CSV shows as an "
                f"escape ({csv_text(value)[:80]}), so it would not match its applicant; write "
                "Parquet (-o FILE.parquet) to keep ids exactly, or clean them"
            )


class IdTally:
    """Counts ids that repeat an earlier one, in constant memory per row (a 64-bit hash).

    Text ids held by Arrow (pandas 3's strings, Parquet's) are hashed from Arrow's buffers
    with FNV-1a, one numpy pass per character position: pandas' hash converts each id to a
    Python string first, which cost as much CPU as scoring with a logistic regression.
    Other ids keep pandas' hash."""

    def __init__(self) -> None:
        self._hashes: list[Any] = []

    def add(self, ids: Any) -> None:
        import pandas as pd

        hashed = _arrow_text_hash(ids)
        if hashed is None:
            hashed = pd.util.hash_pandas_object(ids, index=False).to_numpy()
        self._hashes.append(hashed)

    @property
    def duplicates(self) -> int:
        import numpy as np

        if not self._hashes:
            return 0
        values = np.concatenate(self._hashes)
        self._hashes = [values]  # the chunks' arrays are freed: 8 bytes a row, not 16
        values.sort()  # in place; np.unique would hold two more copies (10M rows: 160 MB)
        return int(np.count_nonzero(values[1:] == values[:-1]))


_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_NULL_HASH = 0x9E3779B97F4A7C15  # every missing id alike, as pandas' hash has them


def _arrow_text_hash(ids: Any) -> Any:
    """FNV-1a (64-bit) of each id's UTF-8 bytes, for a Series of Arrow-backed text; else None."""
    import numpy as np
    import pyarrow as pa

    arrow = getattr(ids.array, "_pa_array", None)
    text_types = (pa.types.is_string, pa.types.is_large_string)
    if arrow is None or not any(is_text(arrow.type) for is_text in text_types):
        return None
    text = arrow.combine_chunks().cast(pa.large_string())
    validity, offsets_buffer, data_buffer = text.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)
    offsets = offsets[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(data_buffer or b"", dtype=np.uint8)
    starts, lengths = offsets[:-1], np.diff(offsets)
    hashes = np.full(len(text), _FNV_OFFSET, dtype=np.uint64)
    prime = np.uint64(_FNV_PRIME)
    shortest, longest = (int(lengths.min()), int(lengths.max())) if len(text) else (0, 0)
    with np.errstate(over="ignore"):
        for k in range(shortest):  # every id has a k-th byte
            hashes ^= data[starts + k]
            hashes *= prime
        for k in range(shortest, longest):
            live = np.flatnonzero(lengths > k)
            hashes[live] = (hashes[live] ^ data[starts[live] + k]) * prime
    if validity is not None:
        hashes[text.is_null().to_numpy(zero_copy_only=False)] = _NULL_HASH
    return hashes
