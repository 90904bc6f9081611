"""The synthetic applicant generator: seeded, valid, and shaped like the real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data import synth
from credit_mlops.data.checks import validate_frame
from credit_mlops.data.dataset import load_dataset
from credit_mlops.data.schema import COLUMNS, FEATURES, TARGET


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    a, b = synth.synthesize(3000, seed=4), synth.synthesize(3000, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(synth.synthesize(3000, seed=5))
    assert list(a.columns) == [*FEATURES, TARGET]
    assert (a.dtypes == "int64").all()


@pytest.mark.slow
def test_chunked_sampling_is_one_stream() -> None:
    """Rows do not depend on the chunk size: the first rows of a bigger draw are the same."""
    small = synth.synthesize(1000, seed=9)
    big = synth.synthesize(synth.CHUNK_ROWS + 10, seed=9)
    pd.testing.assert_frame_equal(big.head(1000), small)


def test_rows_pass_the_schema_and_follow_the_shipped_marginals() -> None:
    frame = synth.synthesize(50_000, seed=1)
    validate_frame(frame, source="synth")
    profile = synth.shipped_profile()
    for name in ("laufkont", "sparkont", "telef", TARGET):
        spec = profile["columns"][name]
        observed = frame[name].value_counts(normalize=True)
        for code, prob in zip(spec["codes"], spec["probs"], strict=True):
            assert observed.get(code, 0.0) == pytest.approx(prob, abs=0.01), (name, code)
    amounts = profile["columns"]["hoehe"]["quantiles"]
    assert frame["hoehe"].median() == pytest.approx(amounts[100], rel=0.05)


def test_the_target_keeps_its_link_to_the_status_column() -> None:
    frame = synth.synthesize(20_000, seed=2)
    bad_rate = (frame[TARGET] == 0).groupby(frame["laufkont"]).mean()
    order = synth.shipped_profile()["columns"]["laufkont"]["codes"]  # by real bad rate
    assert list(bad_rate.loc[order]) == sorted(bad_rate)


def test_rows_must_be_positive() -> None:
    from credit_mlops.errors import InputError

    with pytest.raises(InputError, match="--rows must be at least 1"):
        synth.synthesize(0)


def test_shipped_profile_is_the_one_fitted_on_the_real_file(real_data_path: Path) -> None:
    real = load_dataset(real_data_path).frame
    fitted = synth.fit_profile(real)
    shipped = synth.shipped_profile()
    assert fitted["columns"].keys() == shipped["columns"].keys()
    for name, spec in fitted["columns"].items():
        for key, values in spec.items():
            np.testing.assert_allclose(values, shipped["columns"][name][key], rtol=1e-9)
    np.testing.assert_allclose(fitted["correlation"], shipped["correlation"], atol=1e-9)


def test_pairwise_structure_follows_the_real_file(real_data_path: Path) -> None:
    real = load_dataset(real_data_path).frame
    fake = synth.synthesize(100_000, seed=3)
    ordered = [c.name for c in COLUMNS if c.kind != "nominal"] + [TARGET]
    gap = (real[ordered].corr("spearman") - fake[ordered].corr("spearman")).abs()
    assert gap.to_numpy().max() < 0.1
    # each column's association with the target (nominal ones included, as bad rates)
    for name in FEATURES:
        if real[name].nunique() > 12:
            continue
        real_rate = (real[TARGET] == 0).groupby(real[name]).mean()
        fake_rate = (fake[TARGET] == 0).groupby(fake[name]).mean()
        common = real[name].value_counts()
        big = common[common >= 100].index  # bands with enough real rows to compare
        gaps = (real_rate.loc[big] - fake_rate.reindex(big)).abs()
        assert gaps.max() < 0.12, (name, gaps.to_dict())


def test_synth_writes_chunk_by_chunk_the_same_rows(tmp_path: Path) -> None:
    """Over CHUNK_ROWS rows the file is written a chunk at a time: the rows are those of
    synthesize() all the same, in order."""
    from typer.testing import CliRunner

    from credit_mlops.cli.main import app

    rows = synth.CHUNK_ROWS + 1_234
    out = tmp_path / "many.parquet"
    result = CliRunner().invoke(
        app, ["data", "synth", "--rows", str(rows), "--seed", "8", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(out), synth.synthesize(rows, seed=8))


def _described(tmp_path: Path) -> tuple[Path, Any]:
    """A data file of another shape (text codes, gaps, a good/bad target) and its drafted
    description."""
    from tests.own_data import text_with_gaps, write_csv

    from credit_mlops.data.draft import draft

    path = write_csv(text_with_gaps(2000, seed=4), tmp_path / "apps.csv", sep=";")
    return path, draft(path, target="status", bad="bad").description


def test_a_profile_fitted_on_other_data_draws_rows_it_would_accept(tmp_path: Path) -> None:
    path, d = _described(tmp_path)
    real = load_dataset(path, description=d)
    profile = synth.fit_profile(real.frame, d)
    assert json.loads(json.dumps(profile)) == profile  # aggregates in plain JSON, no rows
    assert profile["columns"]["housing"]["codes"][-1] == "rent"  # ordered by bad rate
    assert profile["columns"]["income"]["decimals"] == 2
    fake = synth.synthesize(20_000, seed=5, profile=profile, description=d)
    again = synth.synthesize(20_000, seed=5, profile=profile, description=d)
    pd.testing.assert_frame_equal(fake, again)
    written = synth.coded_target(fake, d)
    assert set(written["status"]) == {"good", "bad"}
    out = tmp_path / "fake.csv"
    written.to_csv(out, index=False)
    back = load_dataset(out, description=d)
    for column in ("income", "housing"):  # gaps keep their share
        assert back.X[column].isna().mean() == pytest.approx(real.X[column].isna().mean(), abs=0.01)
    assert back.y.mean() == pytest.approx(real.y.mean(), abs=0.01)
    real_rates = real.frame.groupby("housing")["status"].mean()
    fake_rates = back.frame.groupby("housing")["status"].mean()
    assert fake_rates.idxmin() == real_rates.idxmin() == "rent"  # status 1 = good
    assert (fake["income"].dropna() * 100).round(6).mod(1).eq(0).all()  # cents, like the data


def test_the_shipped_profile_is_refused_for_another_description(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_mlops.config.loader import load_settings
    from credit_mlops.data.description_toml import to_toml
    from credit_mlops.errors import InputError

    path, d = _described(tmp_path)
    toml = tmp_path / "apps.toml"
    toml.write_text(to_toml(d), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDIT_DATA__DESCRIPTION", str(toml))
    settings = load_settings()
    with pytest.raises(InputError, match="give --like FILE to draw applicants like your data"):
        synth.plan(settings, None)
    fitted, described = synth.plan(settings, path)
    assert fitted is not None and described.name == "apps"
