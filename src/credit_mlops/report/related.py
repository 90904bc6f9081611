"""What other commands recorded about a model version: explanations, fairness, tuning,
monitoring, promotions, and the Production version it would replace.

The contract with those commands: model-version tags `<area>.<key>`, and the run named by
`<area>.run_id` (else a run tagged `credit.kind` = the area's kind whose
`credit.source_run_id` is the training run): its figures (largest first) and pictures."""

from __future__ import annotations

import shlex

from credit_mlops.lifecycle.promotion import history
from credit_mlops.monitor.monitor import VERSION_TAG
from credit_mlops.report import facts as f
from credit_mlops.report.card import Block, Facts, Figure, Table, Text
from credit_mlops.tracking.records import RunRecord, VersionRecord
from credit_mlops.tracking.store import TrackingStore

# (section title, run kinds, version-tag prefix, training-run tag naming the run, how to add)
OPTIONAL = (
    ("Explanations", ("explain",), "explain.", "", "run `credit explain {target}`"),
    ("Fairness", ("fairness",), "fairness.", "", "run `credit fairness {target}`"),
    (
        "Tuning",
        ("tune",),
        "tune.",
        "tuned_from",  # `<study>/<tune run id>`, set by `credit train --params-from`
        "run `credit tune --model {key}`, then `credit train --params-from` its run",
    ),
)
COMPARED = (
    "roc_auc_test_mean",
    "average_precision_test_mean",
    "f1_test_mean",
    "recall_test_mean",
    "expected_cost_cv",
    "decision_threshold",
)
MAX_FIGURES = 4
MAX_ROWS = 20


def _runs_of(store: TrackingStore, run: RunRecord, kinds: tuple[str, ...]) -> list[RunRecord]:
    found = store.runs_tagged("credit.source_run_id", run.run_id)
    picked = [r for r in found if r.tags.get("credit.kind") in kinds]
    return sorted(picked, key=lambda r: r.start_time or 0, reverse=True)


def _figures(store: TrackingStore, other: RunRecord, area: str) -> list[Figure]:
    out: list[Figure] = []
    for path in store.artifact_paths(other.run_id, recursive=True):
        if path.endswith(".png") and len(out) < MAX_FIGURES:
            stem = path.rsplit("/", 1)[-1].removesuffix(".png").lower()
            name = f"{area}-{''.join(c if c.isalnum() else '_' for c in stem)}"
            png = store.download_artifact(other.run_id, path).read_bytes()
            out.append(Figure(name, f"{stem.replace('_', ' ')} ({other.run_name})", png))
    return out


def optional_sections(
    store: TrackingStore, run: RunRecord, mv: VersionRecord, target: str
) -> tuple[f.Optional, ...]:
    out = []
    for title, kinds, prefix, link, how in OPTIONAL:
        blocks: list[Block] = []
        tags = sorted(
            (k.removeprefix(prefix), v) for k, v in mv.tags.items() if k.startswith(prefix)
        )
        tags += sorted((k, v) for k, v in run.tags.items() if k.startswith(prefix) or k == link)
        if tags:
            blocks.append(Facts(tuple(tags)))
        linked = mv.tags.get(f"{prefix}run_id") or run.tags.get(link, "").rpartition("/")[2]
        found = store.get_run(linked) if linked else None
        others = [found] if found else _runs_of(store, run, kinds)
        if others:
            latest = others[0]
            blocks.append(Text(f"From run {latest.run_name} ({latest.run_id})."))
            if latest.metrics:
                ranked = sorted(latest.metrics.items(), key=lambda kv: -abs(kv[1]))
                rows = tuple((k, f"{v:.4g}") for k, v in ranked[:MAX_ROWS])
                blocks.append(Table(("figure", "value"), rows))
            blocks += _figures(store, latest, title.lower())
        command = how.format(
            target=shlex.quote(target), key=shlex.quote(str(run.params.get("model_key", "KEY")))
        )
        out.append(
            f.Optional(
                title,
                tuple(blocks),
                f"Not recorded for this version yet: {command} to add it.",
            )
        )
    return tuple(out)


def stability(store: TrackingStore, mv: VersionRecord) -> f.StabilityFacts | None:
    """The latest `credit monitor` of this version (its tags point at the run)."""
    run_id = mv.tags.get("monitor.run_id")
    if VERSION_TAG not in mv.tags or not run_id:
        return None
    found = store.get_run(run_id)
    if found is None:
        return None
    m = found.metrics
    cols = sorted(
        ((k.removeprefix("psi_"), v) for k, v in m.items() if k.startswith("psi_")),
        key=lambda kv: -kv[1],
    )
    from credit_mlops.monitor.psi import band

    return f.StabilityFacts(
        when=mv.tags.get("monitor.when", "-"),
        data=found.tags.get("credit.data", "-"),
        rows=int(m.get("rows", 0)),
        score_psi=float(m.get("psi_score", float(mv.tags[VERSION_TAG]))),
        score_band=band(float(m.get("psi_score", 0.0))),
        reject_rate_reference=float(m.get("reject_rate_reference", 0.0)),
        reject_rate_current=float(m.get("reject_rate_current", 0.0)),
        top=tuple((name, v, band(v)) for name, v in cols[:6]),
        run_id=run_id,
        figure=_score_shift(store, run_id),
    )


def _score_shift(store: TrackingStore, run_id: str) -> Figure | None:
    path = "monitoring/score_shift.png"
    if not store.artifact_exists(run_id, path):
        return None
    png = store.download_artifact(run_id, path).read_bytes()
    return Figure("score_shift", "Score distribution: training vs the monitored data", png)


def promotions(name: str, versions: list[VersionRecord]) -> tuple[f.PromotionFact, ...]:
    rows = []
    for p in history(name, versions):
        figure = "-" if p.candidate is None else f"{p.metric} {p.candidate:.4f}"
        note = "; ".join(x for x in ("forced" if p.forced else "", p.note) if x)
        rows.append(
            f.PromotionFact(
                p.at[:16].replace("T", " "),
                f"v{p.version}: {p.from_stage} → {p.to_stage}",
                p.by,
                figure,
                note,
            )
        )
    return tuple(rows)


def comparison(
    store: TrackingStore, mv: VersionRecord, run: RunRecord, versions: list[VersionRecord]
) -> f.ComparisonFacts:
    prod = [v for v in versions if v.current_stage == "Production"]
    if not prod:
        return f.ComparisonFacts("", (), f"'{mv.name}' has no Production version to compare with.")
    current = prod[-1]
    if current.version == mv.version:
        return f.ComparisonFacts("", (), "This version is the Production version.")
    other = store.get_run(current.run_id)
    theirs = other.metrics if other else {}
    rows = tuple((k, run.metrics.get(k), theirs.get(k)) for k in COMPARED)
    hold = "eval.holdout.roc_auc"
    if hold in mv.tags or hold in current.tags:
        mine, prods = mv.tags.get(hold), current.tags.get(hold)
        rows += (
            (
                "holdout roc_auc",
                float(mine) if mine else None,
                float(prods) if prods else None,
            ),
        )
    return f.ComparisonFacts(
        f"Production v{current.version}",
        rows,
        "Cross-validation figures of each version's training run (lower is better for "
        "expected cost).",
    )
