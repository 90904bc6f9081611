"""What a model card says, as typed facts gathered from the tracking store (no formatting)."""

from __future__ import annotations

from dataclasses import dataclass, field

from credit_mlops.report.card import Block, Figure


@dataclass(frozen=True)
class Identity:
    name: str
    version: str
    stage: str
    aliases: tuple[str, ...]
    run_id: str
    run_name: str
    git_commit: str
    data_digest: str
    created: str  # ISO time, UTC
    created_by: str
    model_version_tag: str  # the semantic version given at training (`version` param)


@dataclass(frozen=True)
class DataFacts:
    source: str
    rows: int
    columns: int
    train_rows: int
    holdout_rows: int
    bad_share: float | None  # share of bad credits in the whole file, if it was read


@dataclass(frozen=True)
class TrainingFacts:
    model: str  # display name
    key: str
    hyperparameters: tuple[tuple[str, str], ...]
    oversampling: str
    calibration: str
    cv_protocol: str
    seed: str


@dataclass(frozen=True)
class CostFacts:
    false_accept: float  # cost of accepting a bad applicant
    false_reject: float  # cost of rejecting a good one
    threshold: float
    threshold_source: str
    expected_cost: float | None  # per applicant at the threshold, out-of-fold
    expected_cost_at_half: float | None


@dataclass(frozen=True)
class PerformanceFacts:
    cv: tuple[tuple[str, float, float], ...]  # (metric, mean, std) on the CV test folds
    cv_train: tuple[tuple[str, float], ...]  # (metric, mean) on the CV training folds
    holdout: tuple[tuple[str, float], ...]  # empty when the holdout could not be scored
    holdout_note: str
    cost: CostFacts
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class Optional:
    """A section another command fills (explanations, fairness, tuning): its blocks when
    that command's results exist, else one line saying how to add them."""

    title: str
    blocks: tuple[Block, ...] = ()
    how_to_add: str = ""


@dataclass(frozen=True)
class StabilityFacts:
    when: str
    data: str
    rows: int
    score_psi: float
    score_band: str
    reject_rate_reference: float
    reject_rate_current: float
    top: tuple[tuple[str, float, str], ...]  # (column, psi, band), largest first
    run_id: str
    figure: Figure | None = None


@dataclass(frozen=True)
class PromotionFact:
    when: str
    change: str
    by: str
    metric: str
    note: str


@dataclass(frozen=True)
class ComparisonFacts:
    production: str  # "name vN" or "" when there is none
    rows: tuple[tuple[str, float | None, float | None], ...]  # (metric, this, production)
    note: str = ""


@dataclass(frozen=True)
class CardFacts:
    identity: Identity
    intended_use: str
    limitations: tuple[str, ...]
    data: DataFacts
    training: TrainingFacts
    performance: PerformanceFacts
    optional: tuple[Optional, ...]
    stability: StabilityFacts | None
    promotions: tuple[PromotionFact, ...]
    comparison: ComparisonFacts
    generated: str
    notes: tuple[str, ...] = field(default_factory=tuple)
