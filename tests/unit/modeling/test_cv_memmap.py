"""The data set reaches the CV workers memory-mapped, and the results do not change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data import random_rows, schema
from credit_mlops.modeling import build as pipeline
from credit_mlops.modeling import cv

pytestmark = pytest.mark.slow  # worker processes over a memory-mapped data set

ROWS = 8_000  # 20 int64 columns: 1.3 MB, over joblib's 1 MB memory-mapping threshold


@pytest.fixture(scope="module")
def big() -> tuple[pd.DataFrame, np.ndarray]:
    frame = random_rows.synthetic(ROWS, seed=5)
    X = frame[list(schema.FEATURES)].reset_index(drop=True)
    return X, pipeline.target_bad(frame[schema.TARGET])


def test_each_worker_maps_the_data_set_instead_of_copying_it(
    big: tuple[pd.DataFrame, np.ndarray],
) -> None:
    X, y = big
    assert X.to_numpy().nbytes > 1024**2

    def backing(frame: pd.DataFrame, labels: np.ndarray) -> tuple[bool, bool]:
        import mmap

        def mapped(array: object) -> bool:
            while array is not None:
                if isinstance(array, np.memmap | mmap.mmap):
                    return True
                array = getattr(array, "base", None)
            return False

        return mapped(frame.to_numpy()), mapped(labels)

    found = [r for _, r in cv._run([(backing, (X, y))] * 2, n_jobs=2)]
    assert found == [(True, False)] * 2  # y (64 kB) is small enough to travel pickled


def test_memory_mapped_folds_score_bit_for_bit_as_in_memory(
    big: tuple[pd.DataFrame, np.ndarray],
) -> None:
    X, y = big
    keys = ["logistic_regression", "xgboost"]
    config = pipeline.PipelineConfig(3, None, class_weight=True)
    in_memory = cv.cross_validate(keys, config, X, y, folds=2, repeats=1, n_jobs=1)
    mapped = cv.cross_validate(keys, config, X, y, folds=2, repeats=1, n_jobs=2)
    for key in keys:
        assert in_memory[key].metrics == mapped[key].metrics  # exact float equality
        assert np.array_equal(in_memory[key].oof, mapped[key].oof)
