"""`credit report TARGET`: the model card of a registered version, as Markdown and one
self-contained HTML, also logged on the version's training run (`report/model_card.html`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError
from credit_mlops.files import check_writable
from credit_mlops.lifecycle.promotion import find_version
from credit_mlops.lifecycle.resolve import get_run, resolve, versions
from credit_mlops.names import safe_component
from credit_mlops.report import facts as f
from credit_mlops.report import gather, related
from credit_mlops.report.card import ModelCard
from credit_mlops.report.compose import compose
from credit_mlops.report.write import HTML, write
from credit_mlops.tracking.store import TrackingStore

ARTIFACT_DIR = "report"


@dataclass(frozen=True)
class ReportResult:
    target: str
    name: str
    version: str
    folder: str
    markdown: str
    html: str
    figures: int
    sections: tuple[str, ...]
    run_id: str
    logged_as: str | None  # the artifact path on the training run


def report(
    settings: Settings,
    store: TrackingStore,
    target: str,
    *,
    output_dir: Path | None = None,
    log: bool = True,
) -> ReportResult:
    if output_dir is not None:
        output_dir = output_dir.resolve()
        check_writable(output_dir)  # before any work, so nothing is logged
    ref = resolve(store, target)
    if not ref.name or not ref.version:
        raise InputError(
            f"'{target}' is not a registered model version; give NAME, NAME/VERSION, "
            "NAME/STAGE or NAME@ALIAS (register a run with `credit register RUN_ID`)"
        )
    folder = output_dir or (
        settings.tracking.store_path(settings.root)
        / "reports"
        / safe_component(f"{ref.name}-v{ref.version}")
    )
    check_writable(folder)
    card = build_card(settings, store, ref.name, ref.version)
    written = write(card, folder)
    logged = None
    if log:
        store.log_artifact(ref.run_id, written.html, ARTIFACT_DIR)
        logged = f"{ARTIFACT_DIR}/{HTML}"
    return ReportResult(
        target=target,
        name=ref.name,
        version=ref.version,
        folder=str(written.folder),
        markdown=str(written.markdown),
        html=str(written.html),
        figures=len(written.figures),
        sections=tuple(s.title for s in card.sections),
        run_id=ref.run_id,
        logged_as=logged,
    )


def build_card(settings: Settings, store: TrackingStore, name: str, version: str) -> ModelCard:
    all_versions = versions(store, name)
    mv = find_version(all_versions, name, version)
    run = get_run(store, mv.run_id)
    model = store.registered_model(name)
    aliases = [a for a, v in (model.aliases if model else {}).items() if v == version]
    exact = f"{name}/{version}"
    with tempfile.TemporaryDirectory(prefix="credit-report-") as tmp:
        holdout, note, figures, bad_share = gather.holdout_evaluation(
            settings, store, exact, Path(tmp), mv
        )
        performance = gather.performance(run, holdout, note, figures)  # reads the PNGs now
    facts = f.CardFacts(
        identity=gather.identity_of(mv, run, aliases),
        intended_use=settings.report.intended_use,
        limitations=tuple(settings.report.limitations),
        data=gather.data(run, bad_share),
        training=gather.training(run),
        performance=performance,
        optional=related.optional_sections(store, run, mv, exact),
        stability=related.stability(store, mv),
        promotions=related.promotions(name, all_versions),
        comparison=related.comparison(store, mv, run, all_versions),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    return compose(facts)
