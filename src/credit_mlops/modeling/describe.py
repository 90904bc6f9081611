"""What a fitted model is, said once: `describe(fitted)` looks through the wrappers `credit
train` puts around a pipeline (FixedThresholdClassifier, CalibratedClassifierCV) and names
what it finds, so that logging, the outbox and reports do not each walk the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FittedModel:
    threshold: float | None  # the decision it carries (None: a plain estimator, 0.5)
    calibration: str  # none | sigmoid | isotonic
    pipeline: Any  # preprocess + [smote] + model, inside the wrappers
    model: Any  # the pipeline's step `model` (a soft vote for the ensemble)
    vote: Any | None  # the VotingClassifier, for the ensemble
    scorecard: Any | None  # the fitted ScorecardClassifier, for a scorecard

    def hyperparameters(self) -> dict[str, object]:
        """The model's hyperparameters as loggable scalars; `<member>__<param>` for a vote."""
        from credit_mlops.modeling.ensemble import ensemble_hyperparameters
        from credit_mlops.modeling.estimators import hyperparameters

        if self.vote is not None:
            return dict(ensemble_hyperparameters(self.vote))
        return hyperparameters(self.model)

    def booster(self) -> Any:
        """The bare XGBoost booster of an XGBoost model (the catalog's `booster` artifact)."""
        return self.model.get_booster()


def describe(fitted: object) -> FittedModel:
    from credit_mlops.modeling.decision import calibration_of, inner_pipeline, threshold_of
    from credit_mlops.modeling.ensemble import vote_of
    from credit_mlops.modeling.scorecard_table import find_scorecard

    pipeline = inner_pipeline(fitted)
    return FittedModel(
        threshold=threshold_of(fitted),
        calibration=calibration_of(fitted),
        pipeline=pipeline,
        model=pipeline.named_steps["model"],
        vote=vote_of(pipeline),
        scorecard=find_scorecard(fitted),
    )
