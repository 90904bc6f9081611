"""The exact RBF SVM's row limit, applied before anything is fitted or logged.

Above `train.svm_max_rows` training rows, asking for svm alone is bad input (one line with
the estimate and the alternatives); svm among other models (`--model all`) is left out with
a note and the others train. `--svm-approx` grows linearly and has no limit.
"""

from __future__ import annotations

from collections.abc import Mapping

from credit_mlops.config.train import TrainSettings
from credit_mlops.errors import InputError
from credit_mlops.modeling.svm_scale import over_limit, refusal, skip_note

SVM_KEY = "svm"


def apply(
    cfg: TrainSettings,
    keys: list[str],
    train_rows: int,
    tuned: Mapping[str, Mapping[str, object]] | None = None,
) -> tuple[list[str], list[str]]:
    """The keys to train and the notes to show; raises InputError when svm alone is refused
    or when the exact SVM's tuned parameters (`--params-from`) meet `--svm-approx`."""
    if cfg.svm_approx and SVM_KEY in keys and (tuned or {}).get(SVM_KEY):
        names = ", ".join(sorted((tuned or {})[SVM_KEY]))
        raise InputError(
            f"--params-from gives the exact RBF SVM's parameters ({names}), which --svm-approx "
            "does not have; drop --svm-approx or --params-from"
        )
    if SVM_KEY not in keys or cfg.svm_approx or not over_limit(train_rows, cfg.svm_max_rows):
        return keys, []
    if keys == [SVM_KEY]:
        raise InputError(refusal(train_rows, cfg.svm_max_rows, cfg.cv_folds))
    kept = [k for k in keys if k != SVM_KEY]
    return kept, [skip_note(train_rows, cfg.svm_max_rows, cfg.cv_folds)]
