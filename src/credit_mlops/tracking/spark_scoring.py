"""The MLflow side of scoring on Spark: a pyfunc that answers P(bad) and the decision, and
`mlflow.pyfunc.spark_udf` over it.

A logged scikit-learn model's pyfunc `predict` answers the estimator's own class labels;
`credit predict` needs P(bad) beside the decision. So the registered model is wrapped, for
this scoring only, in a small local pyfunc whose `predict` returns both columns, and Spark
runs that through `spark_udf` (env_manager="local": the executors' Python is this one).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import mlflow.pyfunc
from mlflow.pyfunc import PythonModel

from credit_mlops.config.environ import scoped_environ

RESULT_TYPE = "p_bad double, decision string"


class DecisionModel(PythonModel):
    """P(bad) from the wrapped pipeline; reject at or above the training run's threshold."""

    def __init__(self, threshold: float, features: list[str], uri: str, trust_code: bool) -> None:
        self.threshold = threshold
        self.features = features
        self.uri = uri
        self.trust_code = trust_code
        self._model: Any = None

    def load_context(self, context: Any) -> None:
        """The estimator as the driver checked it: built from its skops file's trusted types
        (never MLflow's loading, which puts the model's own `code/` first on the workers'
        import path), or by MLflow only when the user trusts models that run code."""
        from credit_mlops.tracking.model_trust import load_checked

        folder = Path(context.artifacts["model"])
        self._model = load_checked(folder, self.uri, trust_code=self.trust_code)

    # No type hints here: MLflow reads them as an input schema and warns on these.
    def predict(self, context, model_input, params=None):
        import pandas as pd

        from credit_mlops.modeling.decision import decisions

        frame = model_input[self.features].astype("int64")
        proba = self._model.predict_proba(frame)[:, 1]
        return pd.DataFrame({"p_bad": proba, "decision": decisions(proba, self.threshold)})


def save_decision_model(
    model_uri: str,
    *,
    threshold: float,
    features: list[str],
    folder: Path,
    trust_code: bool = False,
) -> Path:
    """Download the registered model, check it (`model_trust`: the executors load it) and
    save the wrapping pyfunc beside it, in `folder`."""
    import mlflow.artifacts

    from credit_mlops.tracking import model_trust

    quiet = os.environ.get("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR") or "false"
    with scoped_environ({"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": quiet}):
        local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=str(folder / "model")))
    model_trust.check(local, model_uri, trust_code=trust_code)
    target = folder / "decision-model"
    # MLflow's note on saving a Python object with CloudPickle concerns authors of
    # models, not a user scoring one: they would bury the command's own lines.
    pyfunc_log = logging.getLogger("mlflow.pyfunc")
    level = pyfunc_log.level
    pyfunc_log.setLevel(logging.ERROR)
    try:
        mlflow.pyfunc.save_model(
            path=str(target),
            python_model=DecisionModel(threshold, features, model_uri, trust_code),
            artifacts={"model": str(local)},
            pip_requirements=[],  # scored in this environment (env_manager="local")
        )
    finally:
        pyfunc_log.setLevel(level)
    return target


def spark_udf(spark: Any, model_path: Path) -> Any:
    """The pandas UDF Spark calls with a struct of the feature columns.

    MLflow warns that env_manager="local" does not recreate the training environment: that
    is the point here (the executors run this environment), so that warning is not shown.
    """
    from credit_mlops.config.environ import scoped_environ

    logging.getLogger("mlflow.models.flavor_backend_registry").setLevel(logging.WARNING)
    pyfunc_log = logging.getLogger("mlflow.pyfunc")
    level = pyfunc_log.level
    pyfunc_log.setLevel(logging.ERROR)
    try:
        with scoped_environ({"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}):
            return mlflow.pyfunc.spark_udf(
                spark, str(model_path), result_type=RESULT_TYPE, env_manager="local"
            )
    finally:
        pyfunc_log.setLevel(level)
