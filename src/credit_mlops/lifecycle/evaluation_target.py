"""The model an evaluation looks at (`credit evaluate`, `explain`, `fairness`): its reference
and training run, the rows it is measured on (the run's holdout or a file), and the folder
the outputs go to. One definition, so the three commands open a target alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.config.settings import Settings
from credit_mlops.errors import DataError, InputError
from credit_mlops.lifecycle.predict_checks import live_run
from credit_mlops.lifecycle.resolve import ModelRef, get_run, resolve
from credit_mlops.names import safe_component
from credit_mlops.tracking.records import RunRecord
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Rows:
    """What a model is measured on: a file's rows, or its training run's holdout."""

    X: pd.DataFrame
    y: pd.Series  # the file's coding (1 good, 0 bad)
    source: str
    scope: str  # "holdout" or "file"


@dataclass(frozen=True)
class EvaluatedModel:
    """The fields every evaluation result begins with: what was asked for, the model that
    answered and the rows it was measured on."""

    target: str
    model_uri: str
    name: str | None
    version: str | None
    source_run_id: str
    scope: str  # "holdout" or "file"
    data_source: str


@dataclass(frozen=True)
class EvaluationTarget:
    """A resolved model and the run that trained it."""

    ref: ModelRef
    run: RunRecord

    def evaluated(self, target: str, rows: Rows) -> EvaluatedModel:
        """The first fields of a result about this model measured on `rows`."""
        ref = self.ref
        return EvaluatedModel(
            target, ref.uri, ref.name, ref.version, ref.run_id, rows.scope, rows.source
        )

    def folder(self, settings: Settings, kind: str, scope: str, output_dir: Path | None) -> Path:
        """`output_dir`, else a new folder of the store's `kind` named after the model. Either
        replaces only the files credit wrote there: a file of the user's under a name this
        command writes is refused here, before any file is written (`owned_outputs`)."""
        from credit_mlops.owned_outputs import refuse_foreign

        if output_dir is None:
            ref = self.ref
            label = f"{ref.name}-v{ref.version}" if ref.name else ref.run_id[:12]
            name = f"{label}-{scope}-{datetime.now(UTC):%Y%m%d_%H%M%S}"
            output_dir = settings.tracking.store_path(settings.root) / kind / safe_component(name)
        refuse_foreign(output_dir, WRITES.get(kind, ()))
        return output_dir


# The fixed names each kind of folder gets (figures named after the data are checked as they
# are written, by the same rule).
WRITES: dict[str, tuple[str, ...]] = {
    "evaluations": (
        "confusion_matrix.png",
        "roc_curve.png",
        "precision_recall_curve.png",
        "calibration_curve.png",
        "predictions.csv",
        "evaluation.json",
    ),
    "explanations": (
        "importance_bar.png",
        "summary_beeswarm.png",
        "attributions.csv",
        "explanation.json",
    ),
    "fairness": ("fairness.json",),
}


def open_target(store: TrackingStore, target: str, *, live: bool = False) -> EvaluationTarget:
    """The model `target` names and its training run; with `live`, a deleted run is refused."""
    ref = resolve(store, target)
    run = get_run(store, ref.run_id)
    return EvaluationTarget(ref, live_run(run, ref) if live else run)


def check_scope(run: RunRecord, data_path: Path | None) -> None:
    """A run that kept no holdout needs --data; refused before anything is computed."""
    if data_path is None and run.params.get("holdout_rows") in ("0", "0.0"):
        raise InputError(
            f"run {run.run_id} kept no holdout (trained with --test-size 0); "
            "pass --data FILE to use another file"
        )


def target_rows(
    settings: Settings, store: TrackingStore, run: RunRecord, data_path: Path | None
) -> Rows:
    """The rows of a global view: checked first, a run without holdout rows is refused."""
    check_scope(run, data_path)
    rows = rows_of(settings, store, run, data_path)
    if rows.scope == "holdout" and len(rows.X) == 0:
        raise InputError(
            f"run {run.run_id} kept no holdout rows; pass --data FILE to use another file"
        )
    return rows


def rows_of(
    settings: Settings, store: TrackingStore, run: RunRecord, data_path: Path | None
) -> Rows:
    """The validated file at `data_path`, else the run's holdout."""
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.lifecycle.predict_checks import run_description

    if data_path is not None:  # read as the model's own data description says
        trained_on = run_description(store, run)
        dataset = load_dataset(data_path, description=trained_on, min_rows_per_class=1)
        return Rows(dataset.X, dataset.y, str(data_path), "file")
    X, y, source = holdout(settings, store, run)
    return Rows(X, y, source, "holdout")


HOLDOUT = "results/holdout.json"


def kept_rows(store: TrackingStore, run: RunRecord) -> dict[str, Any]:
    """The run's `results/holdout.json`, checked: row positions and the data digest."""
    from credit_mlops import readback

    what = f"{HOLDOUT} of run {run.run_id}"
    data = readback.json_file(store.download_artifact(run.run_id, HOLDOUT), what=what, fix=_FIX)
    return readback.parsed(data, _holdout, what=what, fix=_FIX)


def _holdout(data: Any) -> dict[str, Any]:
    check_holdout(data)
    split = {k: data[k] for k in ("test_size", "seed") if k in data}
    return {"test_rows": data["test_rows"], "data_digest": data["data_digest"], **split}


def _same_split(kept: dict[str, Any], run: RunRecord, y: pd.Series) -> None:
    """The listed rows are the split `credit train` drew from this data with the run's
    test size and seed (the file's own say the same): a record edited by hand is refused."""
    from credit_mlops.data.split import split_holdout

    what = f"{HOLDOUT} of run {run.run_id} is not the holdout credit train kept"
    given = (kept.get("test_size"), kept.get("seed"))
    logged = (run.params.get("test_size"), run.params.get("random_seed"))
    if None not in logged and tuple(str(v) for v in given) != logged:
        raise InputError(f"{what} (its test size and seed differ from the run's); {_FIX}")
    try:
        drawn = split_holdout(y, test_size=float(given[0]), seed=int(given[1]))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{what} (no test size and seed to draw it by); {_FIX}") from None
    if list(drawn.test_rows) != list(kept["test_rows"]):
        raise InputError(f"{what} (its rows are not the split of this data); {_FIX}")


_FIX = "score a file with --data FILE instead"


def _no_rows(run: RunRecord) -> str:
    """Why a run's holdout record lists no rows: none was kept, Spark's goes by a hash of
    each key, or the record was emptied by hand."""
    held = run.params.get("test_size", "0")
    if run.params.get("engine") == "spark":
        return f"run {run.run_id} was trained by Spark, whose holdout goes by a hash; {_FIX}"
    if held in ("0", "0.0"):
        why = "trained with --test-size 0"
        return f"run {run.run_id} kept no holdout ({why}); score a file with --data FILE"
    return f"{HOLDOUT} of run {run.run_id} lists no rows, yet it held {held} out; {_FIX}"


def check_holdout(data: object) -> None:
    """A holdout record as `credit train` writes it: distinct row positions and the data's
    digest; ValueError naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    rows, digest = data.get("test_rows"), data.get("data_digest")
    if not isinstance(rows, list) or not all(
        isinstance(r, int) and not isinstance(r, bool) and r >= 0 for r in rows
    ):
        raise ValueError("test_rows is not a list of row positions")
    if len(set(rows)) != len(rows):
        raise ValueError("test_rows names a row twice")
    if not isinstance(digest, str):
        raise ValueError("data_digest is not text")
    count = data.get("n_test", len(rows))
    if rows and count != len(rows):  # Spark's runs list none: their rows go by a hash
        raise ValueError(f"n_test says {count!r} rows and test_rows lists {len(rows)}")
    size, seed = data.get("test_size", 0.0), data.get("seed", 0)
    if isinstance(size, bool) or not isinstance(size, int | float) or not 0 <= size < 1:
        raise ValueError(f"test_size {size!r} is not a fraction of the rows")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed {seed!r} is not a whole number")


def holdout(
    settings: Settings, store: TrackingStore, run: RunRecord
) -> tuple[pd.DataFrame, pd.Series, str]:
    """The rows the training run kept out, from the same data (checked by digest)."""
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.data.locate import configured_files
    from credit_mlops.data.tables import HOW_TO_GET_DATA

    kept = kept_rows(store, run)
    if not kept["test_rows"]:
        raise InputError(_no_rows(run))
    configured = settings.path(settings.data.path) if settings.data.path else None
    if configured is not None and not configured.is_file():  # named: never passed over
        given = settings.provenance.get("data.path", "settings")
        raise DataError(
            f"data.path ({given}): {configured} does not exist; point it (or --training-data) "
            f"at the file run {run.run_id} trained on, or {HOW_TO_GET_DATA}"
        )
    from credit_mlops.lifecycle.predict_checks import run_description

    trained_on = run_description(store, run)
    candidates = configured_files(settings)
    source = run.params.get("data_source")
    if source:
        candidates.append(Path(source))
    for candidate in candidates:
        if candidate.is_file():
            dataset = load_dataset(
                candidate,
                description=trained_on,
                min_rows_per_class=settings.data.min_rows_per_class,
            )
            if dataset.digest != kept["data_digest"]:
                raise DataError(
                    f"{candidate} is not the data run {run.run_id} trained on (digest "
                    f"{dataset.digest}, run has {kept['data_digest']}); point "
                    "--training-data at that file, or score another file with --data"
                )
            rows = list(kept["test_rows"])
            if rows and max(rows) >= len(dataset.X):
                raise InputError(f"{HOLDOUT} of run {run.run_id} names rows the data lacks; {_FIX}")
            _same_split(kept, run, dataset.y)
            return dataset.X.iloc[rows], dataset.y.iloc[rows], str(candidate)
    raise DataError(f"the data file run {run.run_id} trained on is not here; {HOW_TO_GET_DATA}")
