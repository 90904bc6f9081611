"""`[report]`: the model card's intended-use text and its known limitations."""

from __future__ import annotations

from pydantic import Field

from credit_mlops.config.base import Section

INTENDED_USE = (
    "Ranks applicants for an instalment loan by their probability of not repaying it "
    "(P(bad)) and proposes accept or reject at a cost-optimal threshold (accepting a bad "
    "applicant costs five times as much as rejecting a good one). It supports a credit "
    "officer's decision; it does not make it. Trained on South German Credit: 1,000 loans "
    "of a southern German bank in the 1970s, a sample in which bad credits are "
    "over-represented (30 %) against the bank's own portfolio."
)
LIMITATIONS = (
    "1970s German bank loans: applicants, products, currency (Deutsche Mark) and lending "
    "rules differ from today's; use it to demonstrate and compare methods, not to decide on "
    "real applicants without revalidation on current data.",
    "1,000 rows only (300 of them held out): metrics carry several points of sampling "
    "noise; read differences between models against their standard deviations.",
    "Known coding issues (Grömping 2019): `famges` (personal status and sex) mixes sex and "
    "marital status, and its code 2 holds both non-single women and single men, so the "
    "column cannot tell sex apart; do not read effects by sex from it.",
    "Bad credits are over-sampled in the data (30 %, more than in the bank's portfolio): "
    "P(bad) is relative to that sample, not to a real population of applicants.",
    "`gastarb` (foreign worker) and `famges` are protected or sensitive characteristics in "
    "most jurisdictions; check fairness (see the fairness section) before any use.",
)


class ReportSettings(Section):
    # the model card's intended-use paragraph
    intended_use: str = INTENDED_USE
    # the model card's list of limitations
    limitations: list[str] = Field(default_factory=lambda: list(LIMITATIONS))
