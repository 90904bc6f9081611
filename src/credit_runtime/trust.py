"""The types a credit model may hold, kept here and not in the model.

skops refuses to build any type it does not trust; MLflow's sklearn flavour trusts whatever the
model's own MLmodel lists (`skops_trusted_types`), so a model can vouch for itself. The
runtime (and the `credit` tool, which loads through here) trusts skops' defaults plus this
list only: a model naming anything else is refused before any of it is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from credit_runtime.errors import DamagedModel, UntrustedModel

# Beyond skops' own defaults (scikit-learn's estimators, numpy and builtins): what the
# catalogue's models are made of. Old class paths stay so that older models still load.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        # the runtime's own estimators (and where they lived before)
        "credit_runtime.scorecard.ScorecardClassifier",
        "credit_runtime.kernel_approx.ScaledNystroem",
        "credit_mlops.modeling.scorecard.ScorecardClassifier",
        "credit_mlops.modeling.kernel_approx.ScaledNystroem",
        # imbalanced-learn: the pipeline and its samplers (skipped when predicting)
        "imblearn.pipeline.Pipeline",
        "imblearn.over_sampling._smote.base.SMOTE",
        "imblearn.over_sampling._smote.filter.BorderlineSMOTE",
        "imblearn.over_sampling._adasyn.ADASYN",
        # the samplers' fitted neighbour search keeps a tree on few columns (else brute force)
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        # XGBoost
        "xgboost.sklearn.XGBClassifier",
        "xgboost.core.Booster",
        "sklearn.tree._tree.Tree",
        # optbinning: the scorecard's binning
        "optbinning.binning.binning_process.BinningProcess",
        "optbinning.binning.binning.OptimalBinning",
        "optbinning.binning.binning_statistics.BinningTable",
        # scikit-learn types skops does not trust by default
        "sklearn.model_selection._classification_threshold.FixedThresholdClassifier",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.utils._bunch.Bunch",
        "builtins.slice",
        "numpy.dtype",
        "collections.OrderedDict",
    }
)


def untrusted(data_file: Path | bytes, name: str = "model") -> list[str]:
    """The types in a skops file (a path, or its bytes read once) that neither skops nor
    this runtime trusts."""
    import zipfile

    import skops.io

    if isinstance(data_file, Path):
        name = data_file.name
    try:
        if isinstance(data_file, Path):
            found = skops.io.get_untrusted_types(file=data_file)
        else:
            found = skops.io.get_untrusted_types(data=data_file)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise DamagedModel(f"{name}: not a readable skops file ({why})") from exc
    return sorted(t for t in found if t not in TRUSTED_TYPES)


def load_estimator(data_file: Path) -> Any:
    """The estimator in a skops file, built only from trusted types. The file is read once:
    the bytes checked are the bytes built, even if the file is replaced meanwhile."""
    if data_file.suffix != ".skops":
        raise UntrustedModel(
            f"{data_file.name}: not a skops file; this runtime loads only skops models, whose "
            "types it can check before building them"
        )
    return estimator_from_bytes(read_regular(data_file), data_file.name)


def read_regular(path: Path) -> bytes:
    """The bytes of the regular file `path`; a pipe, device or folder, or an unreadable
    file, raises DamagedModel."""
    from credit_runtime.regular_file import read_regular as read

    try:
        return read(path)
    except OSError as exc:
        raise DamagedModel(f"{path.name}: cannot be read ({exc.strerror})") from exc


def estimator_from_bytes(data: bytes, name: str) -> Any:
    """The estimator in the bytes of a skops file (`name` for messages), built only from
    trusted types."""
    import skops.io

    refused = untrusted(data, name)
    if refused:
        shown = ", ".join(refused[:5]) + (
            f" and {len(refused) - 5} more" if len(refused) > 5 else ""
        )
        raise UntrustedModel(
            f"{name} holds type(s) this runtime does not trust: {shown}; "
            "it was not built by credit, or needs a newer credit runtime"
        )
    # every type is now known to be skops' own or ours: trust exactly those
    found = skops.io.get_untrusted_types(data=data)
    return skops.io.loads(data, trusted=found)


def classifier(model: Any, name: str) -> Any:
    """`model` itself if it is a classifier; a file built only from trusted parts (a dict, a
    lone transformer) that is none is refused before anything asks it for a probability."""
    if not callable(getattr(model, "predict_proba", None)):
        raise DamagedModel(
            f"{name} holds a {type(model).__name__}, not a classifier; it was not built by credit"
        )
    if _may_hold_a_scorecard(model):
        from credit_runtime.scorecard_table import points_problem

        problem = points_problem(model)
        if problem is not None:
            raise DamagedModel(
                f"{name}: {problem} (its pdo, base_score or base_odds were out of bounds, or "
                "the file was changed), so it cannot score"
            )
    return model


def _may_hold_a_scorecard(model: Any) -> bool:
    """Only a model with the scorecard among its modules needs its points checked (other
    models never import it here)."""
    import sys

    return "credit_runtime.scorecard" in sys.modules
