"""Data description files: the shipped South German Credit one, and each refusal's message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import REPO
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.data import described, description
from credit_mlops.errors import DataError

GOOD = """
name = "tiny"
[target]
column = "status"
bad = ["bad"]
good = ["good"]
[columns.income]
label = "monthly income"
kind = "numeric"
range = [0, 50000]
missing = true
[columns.housing]
kind = "nominal"
codes = { rent = "rents", own = "owns a home" }
[columns.age]
kind = "numeric"
range = [18, 100]
[protected.age]
bands = [30]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "d.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_south_german_credit_is_a_description() -> None:
    sgc = described.default()
    assert sgc.name == "south-german-credit"
    assert len(sgc.features) == 20 and sgc.target.column == "kredit"
    assert sgc.of_kind("nominal") == [
        "laufkont",
        "moral",
        "verw",
        "famges",
        "buerge",
        "weitkred",
        "wohn",
    ]
    assert sgc.columns["famges"].code_label(2.0) == "female : non-single or male : single"
    assert set(sgc.protected) == {"alter", "gastarb", "famges"}
    assert sgc.protected["famges"].unidentified == [2]
    assert set(sgc.shifts) == {"younger", "longer", "purpose"}
    assert "shifts" not in sgc.to_json()  # scenarios for drift, not what a model carries


def test_a_description_round_trips_through_plain_json(tmp_path: Path) -> None:
    loaded = described.load(write(tmp_path, GOOD))
    text = json.dumps(loaded.to_json())
    again = description.parse(json.loads(text), source="json")
    assert again == loaded
    assert again.columns["housing"].code_values == ["rent", "own"]
    assert not again.columns["housing"].integer_codes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "nominal"', 'kind = "categorical"'), "unknown kind 'categorical'; use one of"),
        (("range = [0, 50000]", "range = [50000, 0]"), "range low 50000 is above high 0"),
        (("[protected.age]", "[protected.sex]"), "protected attribute 'sex' is not a column"),
        (
            ('codes = { rent = "rents", own = "owns a home" }', 'codes = ["rent", "own", "rent"]'),
            "code(s) rent listed twice",
        ),
        (('bad = ["bad"]', 'bad = ["good"]'), "listed as both bad and good"),
        (("bands = [30]", "bands = [40, 30]"), "strictly increasing"),
        (('label = "monthly income"', 'colour = "red"'), "colour: Extra inputs are not permitted"),
        (("bands = [30]", 'bands = [30]\n[shifts]\npoorer = ["income*x"]'), "'x' is not a number"),
        (("bands = [30]", 'bands = [30]\n[shifts]\nnone = ["age*2"]'), "shift name 'none'"),
        (("missing = true", 'missing = "yes"'), "expected true or false"),
        (("missing = true", "missing = 1"), "expected true or false, not 1"),
        (("range = [0, 50000]", "range = [nan, inf]"), "expected a finite number, not nan"),
        (("range = [0, 50000]", "range = [true, 9]"), "expected a number, not true"),
        (("bands = [30]", 'bands = ["30"]'), "expected a number, not the text '30'"),
        (
            ('codes = { rent = "rents", own = "owns a home" }', "codes = { rent = { a = 1 } }"),
            "the label of code 'rent' is not text",
        ),
        (
            (
                'codes = { rent = "rents", own = "owns a home" }',
                'codes = { 99999999999999999999 = "x" }',
            ),
            "beyond the whole numbers a data file holds",
        ),
        (('kind = "nominal"', 'kind = "nominal"\naliases = ["status"]'), "is the target column's"),
        (
            ("bands = [30]", 'bands = [30]\n[shifts]\nmovers = ["housing=boat@0.5"]'),
            "'housing' has no code(s) boat; its codes are rent, own",
        ),
    ],
)
def test_invalid_descriptions_are_one_line_naming_file_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert change[0] in GOOD
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(DataError) as caught:
        described.load(path)
    text = str(caught.value)
    assert message in text and str(path) in text and "\n" not in text


def test_a_bom_is_read_past_and_another_encoding_named(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert described.load(path).name == "tiny"
    path.write_bytes(GOOD.encode("utf-16"))
    with pytest.raises(DataError, match="is not UTF-8 text; save it as UTF-8"):
        described.load(path)


def test_not_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is not valid TOML"):
        described.load(write(tmp_path, "name = [unclosed"))


def test_names_resolve_to_the_project_then_shipped_and_paths_stay_paths(tmp_path: Path) -> None:
    assert described.description_path("south-german-credit", tmp_path) == (
        REPO / "configs" / "data" / "south-german-credit.toml"
    )
    own = tmp_path / "configs" / "data" / "tiny.toml"
    own.parent.mkdir(parents=True)
    own.write_text(GOOD, encoding="utf-8")
    assert described.resolve("tiny", tmp_path).name == "tiny"
    assert described.resolve("configs/data/tiny.toml", tmp_path).name == "tiny"
    with pytest.raises(DataError, match=r"no data description named 'nope' \(have: .*tiny"):
        described.resolve("nope", tmp_path)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: p.symlink_to("/dev/null"), "is not a regular file"),
        (lambda p: p.symlink_to(p.parent / "gone.toml"), "does not exist"),
        (lambda p: p.mkdir(), "is a folder"),
    ],
)
def test_a_projects_description_that_is_no_file_is_named_as_such(
    tmp_path: Path, make: object, said: str
) -> None:
    """Listed among the names it has, so never said not to exist: what it is instead."""
    own = tmp_path / "configs" / "data" / "odd.toml"
    own.parent.mkdir(parents=True)
    make(own)  # type: ignore[operator]
    with pytest.raises(DataError, match=rf"data description {own} {said}"):
        described.resolve("odd", tmp_path)


def test_config_show_names_the_description_and_sums_it_up(project: Path) -> None:
    result = CliRunner().invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["key"]: r["value"] for r in json.loads(result.stdout)["settings"]}
    assert rows["data.description"] == "south-german-credit"
    assert rows["data.description (file)"].endswith("south-german-credit.toml")
    assert rows["data.description (summary)"].startswith("20 columns (7 nominal")


@pytest.mark.parametrize("other", ["01", "1.0", " 1"])
def test_a_code_written_twice_as_the_same_number_is_refused(other: str) -> None:
    from credit_mlops.data.description_codes import BadCodes, normalised

    with pytest.raises(BadCodes, match="listed twice"):
        normalised({"columns": {"c": {"codes": {"1": "one", other: "again"}}}})


def test_text_codes_that_only_look_alike_stay_apart() -> None:
    from credit_mlops.data.description_codes import normalised

    out = normalised({"columns": {"c": {"codes": {"a": "A", "01": "zero one", "1": "one"}}}})
    assert set(out["columns"]["c"]["codes"]) == {"a", "01", "1"}


@pytest.mark.parametrize("field", ["name", "title", "source"])
def test_a_description_s_own_words_are_printable(field: str) -> None:
    from credit_mlops.data.description import parse
    from credit_mlops.errors import DataError

    data = {
        "name": "d",
        "target": {"column": "y", "bad": 1, "good": 0},
        "columns": {"x": {"kind": "numeric", "label": "x", "range": [0, 9]}},
        field: "PWN\u202eX\u001b[31m",
    }
    with pytest.raises(DataError, match="control character or an invisible one"):
        parse(data, source="d.toml")
