"""One rule for every output file: --format, else the extension; an extension naming a
format the command does not write is refused, naming what it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_mlops.data.formats import output_format
from credit_mlops.data.output_kinds import COMPARE, DESCRIPTION, chosen, extension, table_writes
from credit_mlops.errors import InputError

SCORES = table_writes("credit predict")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("c.csv", "csv"),
        ("c.CSV", "csv"),
        ("c.json", "json"),
        ("c.md", "markdown"),
        ("c.markdown", "markdown"),
        ("c.txt", "table"),  # a name that says no format: the default
        ("c", "table"),
        ("-", "table"),
        ("runs.2024-01", "table"),
    ],
)
def test_compare_follows_the_extension(name: str, expected: str) -> None:
    assert chosen(Path(name), None, COMPARE) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("s.csv", "csv"),
        ("s.csv.gz", "csv"),
        ("s.gz", "csv"),
        ("s.tar.gz", "csv"),  # `.tar` names no format: a gzip CSV as before
        ("s.parquet", "parquet"),
        ("s.PQ", "parquet"),
        ("scores", "csv"),
        ("s.asc", "csv"),
        ("-", "csv"),
    ],
)
def test_tables_follow_the_extension(name: str, expected: str) -> None:
    assert output_format(Path(name)) == expected


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("s.xlsx", "Excel files (.xlsx)"),
        ("s.xls", "Excel files (.xls)"),
        ("s.json", "JSON files (.json)"),
        ("s.md", "Markdown files (.md)"),
        ("s.parquet.gz", "gzip-compressed Parquet files (.parquet.gz)"),
        ("s.json.gz", "gzip-compressed JSON files (.json.gz)"),
    ],
)
def test_a_table_writer_refuses_another_formats_extension(name: str, named: str) -> None:
    with pytest.raises(InputError) as caught:
        output_format(Path(name), command="credit predict")
    message = str(caught.value)
    assert f"--output {name}: credit predict does not write {named}" in message
    assert "it writes CSV (.csv, .csv.gz, .gz) or Parquet (.parquet, .pq)" in message
    assert message.endswith("name the file s.csv or s.parquet")


def test_compare_refuses_what_it_cannot_write_and_says_what_it_writes() -> None:
    with pytest.raises(InputError) as caught:
        chosen(Path("cmp.xlsx"), None, COMPARE)
    assert "credit compare does not write Excel files (.xlsx)" in str(caught.value)
    assert "CSV (.csv), JSON (.json) or Markdown (.md, .markdown)" in str(caught.value)
    with pytest.raises(InputError, match=r"gzip-compressed CSV files \(\.csv\.gz\)"):
        chosen(Path("c.csv.gz"), None, COMPARE)


def test_a_given_format_that_contradicts_the_extension_is_refused() -> None:
    with pytest.raises(InputError, match=r"c.csv names a CSV file and --format is json; drop "):
        chosen(Path("c.csv"), "json", COMPARE)
    with pytest.raises(InputError, match=r"name the file c.txt"):  # a table goes in a .txt
        chosen(Path("c.csv"), "table", COMPARE)
    with pytest.raises(InputError, match=r"name the file s.parquet"):
        output_format(Path("s.csv"), "parquet")


def test_a_given_format_decides_where_the_name_says_nothing() -> None:
    assert chosen(Path("c.txt"), "csv", COMPARE) == "csv"
    assert chosen(Path("-"), "json", COMPARE) == "json"
    assert output_format(Path("scores"), "parquet") == "parquet"
    assert output_format(Path("s.csv"), "csv") == "csv"
    with pytest.raises(InputError, match="--format 'xlsx' is unknown; use csv or parquet"):
        output_format(Path("s"), "xlsx")


def test_the_data_description_is_toml_only() -> None:
    assert chosen(Path("d.toml"), None, DESCRIPTION) == "toml"
    assert chosen(Path("d"), None, DESCRIPTION) == "toml"
    with pytest.raises(
        InputError, match=r"does not write YAML files \(.yaml\).*name the file d.toml"
    ):
        chosen(Path("d.yaml"), None, DESCRIPTION)


def test_extension_keeps_a_compressed_format_whole() -> None:
    assert extension(Path("a.b.CSV.GZ")) == ".csv.gz"
    assert extension(Path("a.v1.gz")) == ".gz"
    assert extension(Path("noext")) == ""
