"""Values in MLflow search filters are found as they are, quotes and all, in a real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow import MlflowClient

from credit_mlops.errors import InputError
from credit_mlops.tracking.queries import quote, tag_equals


@pytest.mark.parametrize("value", ["plain", "o'brien", 'say "x"', "back\\slash", "it's a \\ test"])
def test_a_tag_value_is_found_by_its_filter(tmp_path: Path, value: str) -> None:
    client = MlflowClient(f"sqlite:///{tmp_path / 'm.db'}")
    experiment = client.create_experiment("e")
    wanted = client.create_run(experiment, tags={"k": value}).info.run_id
    client.create_run(experiment, tags={"k": value + "x"})
    found = client.search_runs([experiment], tag_equals("k", value))
    assert [r.info.run_id for r in found] == [wanted]


def test_a_value_with_both_quotes_is_refused_in_one_line() -> None:
    with pytest.raises(InputError, match="both kinds of quote"):
        quote('it\'s "x"')
