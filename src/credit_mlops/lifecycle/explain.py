"""`credit explain TARGET`: the global view of a model - mean |attribution| per original column
on its holdout (or a file), a bar and a beeswarm-style picture, logged as an evaluation run
linked to the model version, like `credit evaluate`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from credit_mlops import files
from credit_mlops.config.settings import Settings
from credit_mlops.escaping import csv_frame, to_json
from credit_mlops.explain.summary import Importance
from credit_mlops.lifecycle.evaluation_run import log_evaluation
from credit_mlops.lifecycle.evaluation_target import (
    EvaluatedModel,
    EvaluationTarget,
    Rows,
    open_target,
    target_rows,
)
from credit_mlops.names import key_part
from credit_mlops.tracking.store import TrackingStore


@dataclass(frozen=True)
class ExplainReport(EvaluatedModel):
    n_rows: int
    method: str
    space: str  # what the contributions are measured in
    importance: tuple[Importance, ...]
    figures: dict[str, str]
    output_dir: str
    evaluation_run_id: str | None = None


def explain_model(
    settings: Settings,
    store: TrackingStore,
    target: str,
    *,
    data_path: Path | None = None,
    output_dir: Path | None = None,
    log: bool = True,
) -> ExplainReport:
    from credit_mlops.explain.plots import save_explain_figures
    from credit_mlops.explain.service import model_explainer
    from credit_mlops.explain.summary import importance

    opened = open_target(store, target)
    ref, run = opened.ref, opened.run
    rows = target_rows(settings, store, run, data_path)
    explained = model_explainer(store, run, store.load_model(ref.uri))
    attribution = explained.explain(rows.X)
    ranked = tuple(importance(attribution))
    folder = opened.folder(settings, "explanations", rows.scope, output_dir)
    figures = save_explain_figures(attribution, rows.X, folder, ref.label)
    frame = attribution.frame().assign(base=attribution.base).set_index(rows.X.index)
    with files.atomic_write(folder / "attributions.csv", newline="") as fh:
        csv_frame(frame).to_csv(fh, index_label="row")  # column names are the data's
    summary = {
        "target": target,
        "model_uri": ref.uri,
        "scope": rows.scope,
        "data": rows.source,
        "rows": len(rows.X),
        "method": attribution.method,
        "space": attribution.space,
        "importance": [i.__dict__ for i in ranked],
    }
    files.write_text(folder / "explanation.json", to_json(summary))
    run_id = _log(store, opened, ranked, folder, rows) if log else None
    return ExplainReport(
        **vars(opened.evaluated(target, rows)),
        n_rows=len(rows.X),
        method=attribution.method,
        space=attribution.space,
        importance=ranked,
        figures={k: str(v) for k, v in figures.items()},
        output_dir=str(folder),
        evaluation_run_id=run_id,
    )


def _log(
    store: TrackingStore,
    opened: EvaluationTarget,
    ranked: tuple[Importance, ...],
    folder: Path,
    rows: Rows,
) -> str:
    return log_evaluation(
        store,
        "explain",
        opened,
        rows,
        # a column's name is the data's: one safe key part each, distinct names kept apart
        metrics={f"{rows.scope}_mean_abs_{key_part(i.column)}": i.mean_abs for i in ranked},
        folder=folder,
        version_tags={"explain.top_columns": ", ".join(i.name for i in ranked[:5])[:2000]},
        run_id_tag="explain.run_id",
    )
