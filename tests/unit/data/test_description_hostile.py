"""Data descriptions and data files that come in hostile or wrong: a description nested 50,000
deep, a folder or a pipe named as the description, two protected attributes whose labels give
one metric, tag or figure name, an infinite number in a file to describe, a missing file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.data import described
from credit_mlops.data.checks import CSV_LINES, check_column
from credit_mlops.data.description import Column, parse
from credit_mlops.data.draft import draft
from credit_mlops.errors import DataError, InputError

DESCRIPTION = """
name = "coll"
[target]
column = "status"
bad = ["bad"]
good = ["good"]
[columns.income]
kind = "numeric"
range = [0, 7400]
[columns.housing]
kind = "nominal"
codes = { rent = "rent", own = "own" }
[columns.sex]
kind = "nominal"
codes = { f = "female", m = "male" }
[protected.sex]
label = "grp a"
groups = { female = ["f"], male = ["m"] }
[protected.housing]
label = "grp_a"
groups = { renters = ["rent"], others = ["own"] }
"""


def one_error_line(result: object, *needles: str) -> str:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    lines = [line for line in result.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def applicants(tmp_path: Path, income: str) -> Path:
    rows = ["id,income,status"] + [
        f"{i},{income if i == 5 else 100 + i},{'bad' if i % 2 else 'good'}" for i in range(40)
    ]
    path = tmp_path / "applicants.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


# 1: TOML nested too deep


def test_a_description_nested_too_deep_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(DESCRIPTION + "[shifts]\nx = " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(DataError, match=r"deep.toml is not valid TOML: nested too deep"):
        described.resolve(str(path), tmp_path)


def test_data_validate_refuses_a_deep_description(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "{a = " * 50_000 + "}" * 50_000 + "\n")
    monkeypatch.setenv("CREDIT_DATA__DESCRIPTION", str(path))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["data", "validate"])
    one_error_line(result, "deep.toml is not valid TOML: nested too deep", "fix the file")


# 17b: a folder or a pipe named as the description


def test_a_folder_named_as_the_description_is_said_to_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "desc.toml").mkdir()
    with pytest.raises(DataError, match=r"desc.toml is a folder, not a TOML file"):
        described.resolve("desc.toml", tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_named_as_the_description_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.toml")
    with pytest.raises(DataError, match=r"fifo.toml is not a regular file"):
        described.resolve("fifo.toml", tmp_path)
    rows = described.shown_rows("fifo.toml", tmp_path)  # `credit config show` does not hang
    assert "is not a regular file" in rows[0][1]


def test_a_missing_description_still_says_how_to_draft_one(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"gone.toml does not exist; draft one"):
        described.resolve("gone.toml", tmp_path)


# 7: two protected attributes, one name


@pytest.mark.parametrize(
    ("other", "kind"),
    [("grp_a", "metric name 'grp_a'"), ("GRP A", "figure name 'grp_a'"), ("grp a", "metric")],
)
def test_two_protected_labels_with_one_name_are_refused_naming_both(
    tmp_path: Path, other: str, kind: str
) -> None:
    path = tmp_path / "d.toml"
    path.write_text(DESCRIPTION.replace('label = "grp_a"', f'label = "{other}"'))
    with pytest.raises(DataError) as caught:
        described.resolve(str(path), tmp_path)
    message = str(caught.value)
    assert "protected attributes 'sex' (label 'grp a') and 'housing'" in message, message
    assert kind in message and "give one of them another label" in message, message


def test_labels_with_their_own_names_load(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text(DESCRIPTION.replace('label = "grp_a"', 'label = "Grp-A"'))
    from credit_mlops.data.description import file_part, metric_part

    d = described.resolve(str(path), tmp_path)
    assert d.same_name(["sex", "housing"]) is None
    assert {metric_part("grp a"), metric_part("Grp-A")} == {"grp_a", "Grp-A"}
    assert {file_part("grp a"), file_part("Grp-A")} == {"grp_a", "grp-a"}


def test_unlabelled_attributes_are_named_by_their_column_labels(tmp_path: Path) -> None:
    text = DESCRIPTION.replace('label = "grp a"\n', "").replace('label = "grp_a"\n', "")
    text = text.replace(
        '[columns.housing]\nkind = "nominal"', '[columns.housing]\nlabel = "Sex"\nkind = "nominal"'
    )
    path = tmp_path / "d.toml"
    path.write_text(text)
    with pytest.raises(DataError, match=r"'sex' \(label 'sex'\) and 'housing' \(label 'Sex'\)"):
        described.resolve(str(path), tmp_path)


def test_the_fairness_figure_and_metric_names_come_from_the_checked_functions() -> None:
    from credit_mlops.data.description import metric_part
    from credit_mlops.fairness.assess import slug_of
    from credit_mlops.fairness.groups import grouping

    d = parse(
        {
            "name": "own",
            "target": {"column": "status", "bad": ["bad"], "good": ["good"]},
            "columns": {"age": {"kind": "numeric", "label": "age of applicant"}},
            "protected": {"age": {"bands": [30], "label": "age band"}},
        },
        source="test",
    )
    g = grouping(pd.DataFrame({"age": [20, 40]}), "age", {"age": [30]}, d)
    assert g.attribute == "age band"  # the protected label, as for grouped attributes
    assert slug_of("grp a") == metric_part("grp a") == "grp_a"


def test_fairness_attributes_of_the_profile_with_one_name_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_mlops.config.loader import load_settings
    from credit_mlops.fairness.assess import check_settings

    text = DESCRIPTION.split("[protected.sex]")[0].replace(
        '[columns.housing]\nkind = "nominal"', '[columns.housing]\nlabel = "Sex"\nkind = "nominal"'
    )
    (tmp_path / "d.toml").write_text(text)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "local.toml").write_text(
        '[data]\ndescription = "d.toml"\n[fairness]\nattributes = ["sex", "housing"]\n'
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"^fairness.attributes: 'sex' .* 'housing'"):
        check_settings(load_settings())


# 12: an infinite number in a file to describe


@pytest.mark.parametrize("value", ["1e999", "-1e999", "inf"])
def test_describe_refuses_an_infinite_number_with_its_line(tmp_path: Path, value: str) -> None:
    path = applicants(tmp_path, value)
    with pytest.raises(DataError) as caught:
        draft(path, target="status", bad="bad")
    assert str(caught.value).startswith(
        f"{path}: column 'income' holds an infinite number at line 7 ("
    ), str(caught.value)


def test_credit_data_describe_refuses_an_infinite_number_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    applicants(tmp_path, "1e999")
    args = ["data", "describe", "applicants.csv", "--target", "status", "--bad", "bad"]
    result = CliRunner().invoke(app, [*args, "-o", "d.toml"])
    one_error_line(result, "applicants.csv: column 'income' holds an infinite number at line 7")
    assert not (tmp_path / "d.toml").exists()


def test_describe_takes_numbers_near_the_largest_float(tmp_path: Path) -> None:
    path = applicants(tmp_path, "1.7e308")
    d = draft(path, target="status", bad="bad").description
    low, high = d.columns["income"].range or (0, 0)
    assert np.isfinite([low, high]).all() and high >= 1.7e308


def test_validate_refuses_an_infinite_number_by_the_same_check() -> None:
    series = pd.Series([1.0, float("inf"), 3.0], name="income")
    with pytest.raises(
        DataError, match=r"^data: column 'income' holds an infinite number at line 3"
    ):
        check_column(series, Column(kind="numeric", integer=True), "data", CSV_LINES)
    with pytest.raises(DataError, match=r"holds an infinite number at line 3 \(-inf\)"):
        check_column(-series, Column(kind="numeric"), "data", CSV_LINES)


# 17a: a missing file of one's own


def test_describe_of_a_missing_file_says_to_check_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["data", "describe", "applicants.csv", "--target", "status", "--bad", "bad"]
    line = one_error_line(
        CliRunner().invoke(app, args), "data file applicants.csv does not exist; check the path"
    )
    assert "fetch" not in line and "--data" not in line


def test_only_the_shipped_data_sets_own_file_suggests_fetching_it(tmp_path: Path) -> None:
    from credit_mlops.data.schema import DATA_FILE
    from credit_mlops.data.tables import read_table

    with pytest.raises(DataError, match=r"does not exist; run `credit data fetch`"):
        read_table(tmp_path / DATA_FILE)
    with pytest.raises(DataError, match=r"mine.csv does not exist; check the path$"):
        read_table(tmp_path / "mine.csv")
