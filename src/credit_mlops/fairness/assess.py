"""`credit fairness TARGET`: group metrics of a model's decisions on its holdout (or a file),
pictures per attribute, an evaluation run, and the figures as tags on the model version;
and the promotion gate's measurement."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credit_mlops.data.description import Description

import math
from dataclasses import asdict, dataclass
from pathlib import Path

from credit_mlops import files
from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError
from credit_mlops.escaping import to_json
from credit_mlops.fairness.metrics import FairnessReport
from credit_mlops.lifecycle.evaluation_run import log_evaluation
from credit_mlops.lifecycle.evaluation_target import (
    EvaluatedModel,
    EvaluationTarget,
    Rows,
    open_target,
    target_rows,
)
from credit_mlops.tracking.store import TrackingStore


@dataclass(frozen=True)
class FairnessResult(EvaluatedModel):
    report: FairnessReport
    figures: dict[str, str]
    output_dir: str
    evaluation_run_id: str | None = None


def check_settings(settings: Settings) -> None:
    """Group columns and bands, refused before the store is opened."""
    from credit_mlops.data.locate import description
    from credit_mlops.fairness.groups import check_attributes

    d = description(settings)
    attributes, bands = groups_of(settings, d)
    given = settings.provenance  # bands the user gave are checked, the defaults' when used
    mine = {k.split(".", 2)[2] for k in given if k.startswith("fairness.bands.")}
    mine |= set(settings.fairness.bands) if "fairness.bands" in given else set()
    bands = {c: cuts for c, cuts in bands.items() if c in attributes or c in mine}
    check_attributes(attributes, d.features, bands, d.of_kind("nominal", "binary"))
    same = d.same_name(attributes)  # the profile's attributes; the description's are checked
    if same:
        raise InputError(f"fairness.attributes: {same}")


def groups_of(settings: Settings, d: Description) -> tuple[list[str], dict[str, list[float]]]:
    """The attributes compared and their bands: the profile's when it sets them, else the
    data description's protected attributes."""
    cfg = settings.fairness
    given = settings.provenance
    if "fairness.attributes" in given:
        return list(cfg.attributes), dict(cfg.bands)
    if not d.protected:
        raise InputError(
            f"the data description '{d.name}' declares no protected attributes, so there are "
            "no groups to compare; add [protected.COLUMN] tables to it (or set "
            "fairness.attributes)"
        )
    bands = {n: list(r.bands) for n, r in d.protected.items() if r.bands}
    own = any(k == "fairness.bands" or k.startswith("fairness.bands.") for k in given)
    return list(d.protected), bands | (dict(cfg.bands) if own else {})


def measure(
    settings: Settings, store: TrackingStore, opened: EvaluationTarget, rows: Rows
) -> FairnessReport:
    from credit_mlops.data.schema import DEFAULT
    from credit_mlops.fairness.metrics import fairness
    from credit_mlops.lifecycle.evaluate import costs_of, decision_threshold
    from credit_mlops.lifecycle.predict_checks import run_description
    from credit_mlops.modeling.build import target_bad

    cfg = settings.fairness
    run = opened.run
    from credit_mlops.data.locate import description

    trained_on = run_description(store, run) or DEFAULT
    profile = description(settings)
    # the profile's description when it describes the model's columns: protected attributes
    # can be declared after training; else the one the model carries
    d = profile if profile.features == trained_on.features else trained_on
    attributes, bands = groups_of(settings, d)
    model = store.load_model(opened.ref.uri)
    proba = model.predict_proba(rows.X)[:, 1]
    return fairness(
        rows.X,
        target_bad(rows.y),
        proba,
        decision_threshold(run, model)[
            0
        ],  # the decision the model carries, as evaluate and predict
        attributes=attributes,
        bands=bands,
        description=d,
        min_group=cfg.min_group_size,
        four_fifths=cfg.four_fifths,
        costs=costs_of(run),
    )


def assess(
    settings: Settings,
    store: TrackingStore,
    target: str,
    *,
    data_path: Path | None = None,
    output_dir: Path | None = None,
    log: bool = True,
) -> FairnessResult:
    from credit_mlops.fairness.plots import save_fairness_figures

    check_settings(settings)
    opened = open_target(store, target)
    ref = opened.ref
    rows = target_rows(settings, store, opened.run, data_path)
    report = measure(settings, store, opened, rows)
    folder = opened.folder(settings, "fairness", rows.scope, output_dir)
    figures = save_fairness_figures(report, folder, ref.label)
    files.write_text(folder / "fairness.json", to_json(as_dict(report)))
    run_id = _log(store, opened, report, folder, rows) if log else None
    return FairnessResult(
        **vars(opened.evaluated(target, rows)),
        report=report,
        figures={k: str(v) for k, v in figures.items()},
        output_dir=str(folder),
        evaluation_run_id=run_id,
    )


def as_dict(report: FairnessReport) -> dict[str, object]:
    """JSON-able, NaN as null."""
    cleaned = _clean(asdict(report) | {"max_parity_difference": report.max_parity_difference})
    assert isinstance(cleaned, dict)
    return cleaned


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def slug_of(attribute: str) -> str:
    """An attribute's label as part of a metric or tag name (`description.metric_part`; a
    description whose protected labels would share one is refused when it is loaded)."""
    from credit_mlops.data.description import metric_part

    return metric_part(attribute)


def figures(report: FairnessReport, scope: str) -> dict[str, float]:
    """The figures logged as metrics: per attribute, the disparities."""
    out: dict[str, float] = {}
    for a in report.attributes:
        slug = slug_of(a.attribute)
        for name in ("parity_difference", "parity_ratio", "equalized_odds_difference"):
            value = getattr(a, name)
            if not math.isnan(value):
                out[f"{scope}_fairness_{slug}_{name}"] = value
    return out


def _log(
    store: TrackingStore,
    opened: EvaluationTarget,
    report: FairnessReport,
    folder: Path,
    rows: Rows,
) -> str:
    return log_evaluation(
        store,
        "fairness",
        opened,
        rows,
        metrics=figures(report, rows.scope),
        folder=folder,
        version_tags=version_tags(report, rows.scope),
        run_id_tag="fairness.run_id",
    )


def version_tags(report: FairnessReport, scope: str) -> dict[str, str]:
    """What `credit compare --registry` shows: the largest parity gap, and what was flagged."""
    worst = report.worst()
    tags = {
        "fairness.scope": scope,
        "fairness.max_parity_difference": (
            "n/a" if worst is None else f"{worst.parity_difference:.4f}"
        ),
        "fairness.worst_attribute": worst.attribute if worst else "n/a",
        "fairness.flagged": "; ".join(
            f"{a.attribute}: {', '.join(a.flagged)}" for a in report.attributes if a.flagged
        )
        or "none",
    }
    for a in report.attributes:
        if not math.isnan(a.parity_difference):
            tags[f"fairness.{slug_of(a.attribute)}.parity_difference"] = (
                f"{a.parity_difference:.4f}"
            )
    return tags


def parity_gate(
    settings: Settings,
    store: TrackingStore,
    name: str,
    version: str,
    stage: str,
    *,
    force: bool,
) -> None:
    """`promote.max_parity_gap`: measured on the candidate's holdout when promoting to
    Production; refused (exit 2) above the gap unless forced."""
    from credit_mlops.fairness.gate import parity_refusal
    from credit_mlops.lifecycle.targets import canonical_stage

    max_gap = settings.promote.max_parity_gap
    if max_gap is None or force or canonical_stage(stage) != "Production":
        return
    check_settings(settings)
    opened = open_target(store, f"{name}/{version}")
    report = measure(settings, store, opened, target_rows(settings, store, opened.run, None))
    worst = report.worst()
    refusal = parity_refusal(
        f"{name} v{version}",
        report.max_parity_difference,
        worst.attribute if worst else None,
        max_gap,
        force=force,
    )
    if refusal:
        raise InputError(refusal)
