"""A logged model's explainer: its kind from the training run, its background from the run's
artifact; and the reason columns `credit predict --explain` appends to each chunk."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from credit_mlops.errors import (
    AuthError,
    InputError,
    TrackingError,
    TrackingUnreachableError,
)
from credit_mlops.explain.attribution import Explainer, build, factory_for
from credit_mlops.explain.background import ARTIFACT, from_json
from credit_mlops.explain.reasons import check_count, reasons
from credit_mlops.tracking.records import Classifier, RunRecord
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    import pandas as pd

    from credit_mlops.data.description import Description

ReasonMaker = Callable[["pd.DataFrame"], "pd.DataFrame"]


def stored_background(
    store: TrackingStore, run: RunRecord, columns: Sequence[str] | None = None
) -> pd.DataFrame | None:
    """The run's background sample; None for runs trained before it was stored. With
    `columns` (the model's), a sample without them all is refused: it was changed outside
    credit (another project's background, say), and would fail deep in the explainer."""
    try:
        path = store.download_artifact(run.run_id, ARTIFACT)
    except (TrackingUnreachableError, AuthError):
        raise
    except TrackingError:
        return None  # the artifact is not there
    from credit_mlops import readback

    what = f"{ARTIFACT} of run {run.run_id}"
    fix = "retrain the model, or delete that artifact to explain without a stored background"
    frame = readback.parsed(
        readback.json_file(path, what=what, fix=fix), from_json, what=what, fix=fix
    )
    missing = [c for c in columns or () if c not in frame.columns]
    if missing:
        from credit_mlops.errors import some

        raise InputError(
            f"{what} lacks the model's columns {some(missing)}: it was changed outside credit; "
            "train the model again"
        )
    _check_values(store, run, frame, what)
    return frame


def _check_values(store: TrackingStore, run: RunRecord, frame: pd.DataFrame, what: str) -> None:
    """Every row a value the run's data description accepts, the model's columns and no
    other: the reasons given to applicants never come from an edited file."""
    from credit_mlops.data.schema import DEFAULT
    from credit_runtime.description import Description as Runtime
    from credit_runtime.pyfunc import check_background

    described = DEFAULT.to_json()
    if "data_description" in run.params:  # else a run from before descriptions: the default's
        from credit_mlops.data.description import ARTIFACT as DESCRIBED

        described = json.loads(store.download_artifact(run.run_id, DESCRIBED).read_text())
    try:
        check_background(frame, Runtime.from_json(described))
    except ValueError as exc:
        reason = str(exc).splitlines()[0][:200]
        raise InputError(
            f"{what} is not a sample credit drew ({reason}): it was changed outside credit; "
            "train the model again"
        ) from None


def model_explainer(store: TrackingStore, run: RunRecord, model: Classifier) -> Explainer:
    """The explainer for a run's loaded model, in terms of the schema's raw columns."""
    columns = trained_columns(store, run)
    key = run.params.get("model_key") or run.tags.get("model_name")
    factory = factory_for(model, key, tuple(columns))
    # tree explainers need no background: no download for them
    needed = getattr(factory, "needs_background", True)
    background = stored_background(store, run, columns) if needed else None
    return build(factory, model, columns, background)


def trained_columns(store: TrackingStore, run: RunRecord) -> list[str]:
    """The feature columns of the run's data description (the default data set's for runs
    logged before descriptions)."""
    from credit_mlops.data.description import ARTIFACT
    from credit_mlops.data.schema import FEATURES

    if "data_description" not in run.params:
        return list(FEATURES)
    stored = json.loads(store.download_artifact(run.run_id, ARTIFACT).read_text())
    return list(stored["columns"])


def reason_maker(
    store: TrackingStore,
    run: RunRecord,
    model: Classifier,
    k: int,
    description: Description | None = None,
) -> ReasonMaker:
    """chunk of raw rows -> reason_1..k and reason_1_value..k, in the chunk's order, worded
    by the data description the model was trained with (the words its own pyfunc and
    `credit serve` use), or by the default one for a run from before descriptions."""
    k = check_count(k, len(description.features) if description is not None else None)
    explained = model_explainer(store, run, model)
    label = None
    if description is not None:
        from credit_runtime.description import Description as Runtime

        label = Runtime.from_json(description.to_json()).describe

    def make(chunk: pd.DataFrame) -> pd.DataFrame:
        return reasons(explained.explain(chunk), chunk, k, label=label)

    return make
