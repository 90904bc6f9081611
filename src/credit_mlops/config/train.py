"""`[train]`: what `credit train` fits and how it cross-validates."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from credit_mlops.config.base import Section
from credit_mlops.modeling.catalog import ALL_KEYS, SEED_KEYS
from credit_mlops.modeling.forest_scale import DEFAULT_SCALE_ROWS
from credit_mlops.modeling.oversampling_cost import default_limit
from credit_mlops.modeling.svm_scale import default_max_rows

SMOTE_METHODS = ("SMOTE", "BorderlineSMOTE", "ADASYN")


class TrainSettings(Section):
    # the model keys `credit train` fits when no --model is given; all = the five catalogue models
    models: list[str] = Field(default_factory=lambda: ["all"])
    cv_folds: int = Field(5, ge=2, le=50)
    cv_repeats: int = Field(3, ge=1, le=50)
    seed: int = Field(42, ge=0, le=2**32 - 1)
    test_size: float = Field(0.3, ge=0.0, lt=1.0)  # 0: no holdout, every row trains
    # oversample the bad credits inside every training fold (false: --no-smote)
    smote: bool = True
    smote_method: str = "BorderlineSMOTE"
    # neighbours SMOTE draws synthetic rows from
    smote_k_neighbors: int = Field(5, ge=1)
    # neighbours BorderlineSMOTE uses to find the borderline rows
    smote_m_neighbors: int = Field(10, ge=1)
    # Above this many training rows oversampling is refused: its neighbour search grows with
    # the square of the rows (measured; see modeling/oversampling_cost.py). 0: no limit.
    smote_max_rows: int = Field(default_factory=default_limit, ge=0)
    # class_weight='balanced' (scale_pos_weight for XGBoost) instead of oversampling
    class_weight: bool = False
    # cross-validate before the final fit (false: --no-evaluate, faster, no CV metrics)
    evaluate: bool = True
    # choose what a model kind chooses on each fit's training rows (the logistic regression's
    # C, by an inner cross-validation with oversampling inside it); false: fixed values
    inner_search: bool = True
    # above this many training rows a fit keeps the catalogue's values (0: no limit)
    inner_search_max_rows: int = Field(20_000, ge=0)
    # worker processes for the folds: -1 one per core, else 1..1024 (0 means nothing)
    n_jobs: int = Field(-1, ge=-1, le=1024)
    # CalibratedClassifierCV around the whole pipeline; none by default (measured: see docs)
    calibrate: Literal["none", "sigmoid", "isotonic"] = "none"
    # The exact RBF SVM grows about quadratically: above this many training rows `--model
    # svm` is refused and `all` leaves svm out (default: one CV fit ~10 min, svm_scale.py).
    # 0: no limit.
    svm_max_rows: int = Field(default_factory=default_max_rows, ge=0)
    svm_approx: bool = False  # svm as Nystroem + linear SVM (linear in the rows; no limit)
    svm_approx_components: int = Field(100, ge=10, le=10_000)  # Nystroem features
    # Above this many training rows each random-forest tree draws at most this many rows and
    # its leaves grow with the rows (modeling/forest_scale.py); 0: never.
    forest_scale_rows: int = Field(DEFAULT_SCALE_ROWS, ge=0)
    # Reasons per applicant the logged model gives when its caller does not ask (0: none).
    reasons: int = Field(4, ge=0, le=20)
    # Free space (MiB) the disk holding the store folder must have, beyond one copy of the
    # training data, before training starts: a run that cannot be kept there (nor in the
    # outbox on the same disk) would be lost after the work. 0: no check.
    min_free_mb: int = Field(64, ge=0)
    # Load `--preprocessor FILE` (joblib, which is pickle): reading the file runs the code it
    # holds, so only a file you trust as you trust code you run. Off: the flag is refused.
    trust_preprocessor_code: bool = False

    @field_validator("models")
    @classmethod
    def _known_models(cls, value: list[str]) -> list[str]:
        keys: list[str] = []
        for item in value:
            for key in (part.strip().lower() for part in item.split(",")):
                if not key:
                    continue
                if key == "all":
                    keys.extend(k for k in SEED_KEYS if k not in keys)
                elif key in ALL_KEYS:
                    if key not in keys:
                        keys.append(key)
                else:
                    raise ValueError(
                        f"unknown model '{key}' (choose from: {', '.join(ALL_KEYS)}, all)"
                    )
        if not keys:
            raise ValueError(f"no model given (choose from: {', '.join(ALL_KEYS)}, all)")
        return keys

    @model_validator(mode="after")
    def _one_imbalance_remedy(self) -> TrainSettings:
        if self.class_weight and self.smote:
            raise ValueError(
                "class weights and oversampling both correct the class imbalance and would "
                "count it twice; set train.smote = false (credit train --no-smote, env "
                "CREDIT_TRAIN__SMOTE=false) or train.class_weight = false"
            )
        return self

    @field_validator("calibrate", mode="before")
    @classmethod
    def _known_calibration(cls, value: object) -> object:
        methods = ("none", "sigmoid", "isotonic")
        if isinstance(value, str) and value.lower() in methods:
            return value.lower()
        raise ValueError(f"unknown calibration '{value}' (choose from: {', '.join(methods)})")

    @field_validator("smote_method")
    @classmethod
    def _known_smote(cls, value: str) -> str:
        for method in SMOTE_METHODS:
            if value.lower() == method.lower():
                return method
        raise ValueError(
            f"unknown SMOTE method '{value}' (choose from: {', '.join(SMOTE_METHODS)})"
        )

    @field_validator("n_jobs")
    @classmethod
    def _some_jobs(cls, value: int) -> int:
        if value == 0:
            raise ValueError("0 workers cannot fit anything; use -1 (one per core) or 1..1024")
        return value
