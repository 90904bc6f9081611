"""A holdout share that cannot split the rows is refused naming the range that can."""

from __future__ import annotations

import pandas as pd
import pytest

from credit_mlops.data.split import split_holdout
from credit_mlops.errors import DataError


@pytest.mark.parametrize("share", [1e-9, 0.999])
def test_a_share_that_cannot_split_names_the_range(share: float) -> None:
    y = pd.Series([0] * 200 + [1] * 100)
    with pytest.raises(DataError, match=r"use 0\.007\.\.0\.993, or 0 for no holdout"):
        split_holdout(y, test_size=share, seed=0)
    assert len(split_holdout(y, test_size=0.3, seed=0).test_rows) == 90
