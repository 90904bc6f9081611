"""Reading a frame's columns: the dtypes from pandas' blocks are `frame.dtypes`' set, and the
names read once per index object are the index's names, whatever happens to the frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_runtime.frames import (
    column_arrays,
    dtypes,
    int64_matrix,
    names,
    positions,
    single_block,
)

FRAMES = {
    "int64 block": pd.DataFrame(np.arange(12).reshape(4, 3), columns=["a", "b", "c"]),
    "mixed": pd.DataFrame({"a": [1, 2], "b": [1.5, 2.5], "c": ["x", "y"]}),
    "two int blocks": pd.concat([pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"b": [3, 4]})], axis=1),
    "nullable": pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [1, 2]}),
    "empty": pd.DataFrame(),
    "duplicate names": pd.DataFrame(np.arange(6).reshape(2, 3), columns=["a", "b", "a"]),
}


@pytest.mark.parametrize("frame", FRAMES.values(), ids=FRAMES.keys())
def test_dtypes_and_names_are_pandas_own(frame: pd.DataFrame) -> None:
    assert dtypes(frame) == set(frame.dtypes)
    assert names(frame) == frame.columns.tolist()
    assert positions(frame) == {n: i for i, n in enumerate(frame.columns.tolist())}


def test_names_follow_a_frame_whose_columns_are_replaced_or_reordered() -> None:
    frame = pd.DataFrame(np.arange(6).reshape(2, 3), columns=["a", "b", "c"])
    assert names(frame) == ["a", "b", "c"]
    frame.columns = ["c", "a", "b"]
    assert names(frame) == ["c", "a", "b"] and positions(frame)["c"] == 0
    renamed = frame.rename(columns={"c": "z"})
    assert names(renamed) == ["z", "a", "b"] and names(frame) == ["c", "a", "b"]
    listed = names(frame)
    listed.append("mine")  # a copy: the next reader is not affected
    assert names(frame) == ["c", "a", "b"]
    for i in range(200):  # many indexes: the remembered ones are let go, answers stay right
        other = pd.DataFrame([[i]], columns=[f"n{i}"])
        assert names(other) == [f"n{i}"]
    assert names(frame) == ["c", "a", "b"]


def test_blocks_and_matrices_only_for_one_numeric_dtype() -> None:
    ints = FRAMES["int64 block"]
    assert single_block(ints) is not None
    np.testing.assert_array_equal(int64_matrix(ints, ["c", "a"]), ints[["c", "a"]].to_numpy())
    assert single_block(FRAMES["mixed"]) is None
    assert single_block(FRAMES["nullable"]) is None
    two = FRAMES["two int blocks"]
    np.testing.assert_array_equal(int64_matrix(two, ["b", "a"]), two[["b", "a"]].to_numpy())
    assert int64_matrix(FRAMES["duplicate names"], ["a"]) is None
    for got, name in zip(column_arrays(FRAMES["mixed"], ["c", "a"]), ["c", "a"], strict=True):
        assert list(got) == list(FRAMES["mixed"][name])
