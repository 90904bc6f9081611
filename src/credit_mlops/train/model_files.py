"""What a logged model carries beside its estimator, so that it decides and explains alone
(read by `credit_runtime.pyfunc`): the data description and the decision's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings


def description(settings: Settings) -> dict[str, Any]:
    """The data set's description as plain JSON: columns, domains, labels, aliases."""
    from credit_mlops.data.described import for_settings

    return for_settings(settings.data.description, settings.root).to_json()


def decision(settings: Settings, key: str) -> dict[str, Any]:
    """The model's kind (which explainer), the points scale (PDO and anchor) and how many
    reasons it gives when its caller does not ask."""
    card = settings.scorecard
    return {
        "key": key,
        "scale": {"pdo": card.pdo, "base_score": card.base_score, "base_odds": card.base_odds},
        "reasons": settings.train.reasons,
    }


def artifacts(settings: Settings, key: str) -> dict[str, object]:
    return {
        "model/description.json": description(settings),
        "model/decision.json": decision(settings, key),
    }
