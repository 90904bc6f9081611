"""From the facts to the card: sections in the order a reviewer reads them."""

from __future__ import annotations

import shlex

from credit_mlops.report import facts as f
from credit_mlops.report.card import Block, Facts, ModelCard, Section, Table, Text

MONITOR_HOW_TO = "No monitoring run yet: run `credit monitor {target} --data NEW_APPLICANTS`."


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def identity(i: f.Identity) -> Section:
    return Section(
        "Identity",
        (
            Facts(
                (
                    ("registered model", i.name),
                    ("version", i.version),
                    ("stage", i.stage or "None"),
                    ("aliases", ", ".join(i.aliases) or "-"),
                    ("model version (semantic)", i.model_version_tag or "-"),
                    ("training run", f"{i.run_name} ({i.run_id})"),
                    ("git commit", i.git_commit or "unknown"),
                    ("data digest", i.data_digest or "-"),
                    ("created (UTC)", i.created),
                    ("created by", i.created_by or "unknown"),
                )
            ),
        ),
    )


def intended_use(text: str, limitations: tuple[str, ...]) -> Section:
    blocks: list[Block] = [Text(text)]
    if limitations:
        blocks.append(Table(("known limitations",), tuple((item,) for item in limitations)))
    return Section("Intended use and limits", tuple(blocks))


def data(d: f.DataFacts) -> Section:
    balance = "-" if d.bad_share is None else f"{d.bad_share:.1%} bad, {1 - d.bad_share:.1%} good"
    return Section(
        "Data",
        (
            Facts(
                (
                    ("source", d.source),
                    ("rows × columns", f"{d.rows} × {d.columns}"),
                    ("class balance", balance),
                    ("training part", f"{d.train_rows} rows"),
                    ("holdout (never seen by CV or the fit)", f"{d.holdout_rows} rows"),
                )
            ),
        ),
    )


def training(t: f.TrainingFacts) -> Section:
    set_values = tuple((k, v) for k, v in t.hyperparameters if v != "None")
    defaults = len(t.hyperparameters) - len(set_values)
    return Section(
        "Training",
        (
            Facts(
                (
                    ("model", f"{t.model} ({t.key})"),
                    ("oversampling", t.oversampling),
                    ("calibration", t.calibration),
                    ("cross-validation", t.cv_protocol),
                    ("random seed", t.seed),
                )
            ),
            Table(("hyperparameter", "value"), set_values, caption="Hyperparameters"),
            Text(f"{defaults} more left at the library's default."),
        ),
    )


def performance(p: f.PerformanceFacts) -> Section:
    train = dict(p.cv_train)
    cv_rows = tuple(
        (name, f"{mean:.4f} ± {std:.4f}", _num(train.get(name))) for name, mean, std in p.cv
    )
    blocks: list[Block] = [
        Table(
            ("metric", "CV test folds (mean ± std)", "CV training folds (mean)"),
            cv_rows,
            caption="Cross-validation on the training part (optimistic bound: training folds)",
        )
    ]
    if p.holdout:
        blocks.append(
            Table(
                ("metric", "holdout"),
                tuple((k, _num(v)) for k, v in p.holdout),
                caption="Holdout evaluation",
            )
        )
    blocks.append(Text(p.holdout_note))
    c = p.cost
    blocks.append(
        Facts(
            (
                (
                    "cost matrix",
                    f"accept a bad applicant {c.false_accept:g}, "
                    f"reject a good one {c.false_reject:g}",
                ),
                ("decision threshold", f"reject when P(bad) ≥ {c.threshold:.4f}"),
                ("threshold chosen on", c.threshold_source),
                ("expected cost per applicant at the threshold", _num(c.expected_cost)),
                ("expected cost per applicant at 0.5", _num(c.expected_cost_at_half)),
            )
        )
    )
    blocks += list(p.figures)
    return Section("Performance", tuple(blocks))


def optional(o: f.Optional) -> Section:
    return Section(o.title, o.blocks or (Text(o.how_to_add),))


def stability(s: f.StabilityFacts | None, target: str) -> Section:
    if s is None:
        return Section("Stability", (Text(MONITOR_HOW_TO.format(target=shlex.quote(target))),))
    return Section(
        "Stability",
        (
            Facts(
                (
                    ("latest monitoring (UTC)", s.when),
                    ("data", f"{s.data} ({s.rows} rows)"),
                    ("PSI of the score", f"{s.score_psi:.4f} ({s.score_band})"),
                    (
                        "reject rate at the threshold",
                        f"{s.reject_rate_reference:.1%} at training → "
                        f"{s.reject_rate_current:.1%} now",
                    ),
                    ("monitoring run", s.run_id),
                )
            ),
            Table(
                ("column", "PSI", "band"),
                tuple((name, f"{v:.4f}", band) for name, v, band in s.top),
                caption="Largest shifts (< 0.10 stable, 0.10-0.25 moderate, > 0.25 major)",
            ),
            *((s.figure,) if s.figure else ()),
        ),
    )


def promotions(rows: tuple[f.PromotionFact, ...]) -> Section:
    if not rows:
        return Section("Promotion history", (Text("Never promoted."),))
    return Section(
        "Promotion history",
        (
            Table(
                ("when (UTC)", "change", "by", "metric", "note"),
                tuple((p.when, p.change, p.by, p.metric, p.note) for p in rows),
            ),
        ),
    )


def comparison(c: f.ComparisonFacts) -> Section:
    blocks: list[Block] = []
    if c.rows:
        blocks.append(
            Table(
                ("metric", "this version", c.production or "Production"),
                tuple((m, _num(a), _num(b)) for m, a, b in c.rows),
            )
        )
    if c.note:
        blocks.append(Text(c.note))
    return Section("Comparison with Production", tuple(blocks) or (Text("-"),))


def compose(card: f.CardFacts) -> ModelCard:
    i = card.identity
    target = f"{i.name}/{i.version}"
    sections = [
        identity(i),
        intended_use(card.intended_use, card.limitations),
        data(card.data),
        training(card.training),
        performance(card.performance),
        *(optional(o) for o in card.optional),
        stability(card.stability, target),
        promotions(card.promotions),
        comparison(card.comparison),
    ]
    if card.notes:
        sections.append(Section("Notes", tuple(Text(n) for n in card.notes)))
    return ModelCard(
        title=f"Model card: {i.name} v{i.version}",
        subtitle=f"{card.training.model} · stage {i.stage or 'None'} · generated {card.generated}",
        sections=tuple(sections),
    )
