"""`credit predict --id-column NAME`: a name the user gives must be a column of the input
(refused before the store is opened, one line, exit 2); the default `id` may be absent. A
file whose id column is not `id` is refused as an unexpected column, naming `--id-column`."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_hardening import applicants, one_error_line
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.lifecycle.predict import check_paths

runner = CliRunner()


def test_an_id_column_the_file_lacks_is_refused_before_scoring(
    project: Path, tmp_path: Path
) -> None:
    path = applicants(tmp_path)
    out = tmp_path / "out.csv"
    argv = ["predict", "m", "-i", str(path), "-o", str(out), "--id-column", "aplicant_id"]
    result = runner.invoke(app, argv)
    one_error_line(
        result, "--id-column 'aplicant_id' is not a column of", str(path), "id, laufkont"
    )
    assert not out.exists()
    assert not (project / ".credit").exists()  # refused before the store was opened


def test_the_default_id_may_be_absent(tmp_path: Path) -> None:
    path = applicants(tmp_path)
    frame = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[1:]) for line in frame) + "\n")  # no id
    check_paths(path, tmp_path / "out.csv")  # the default: nothing to refuse
    check_paths(path, tmp_path / "out.csv", id_column="id", id_given=False)


def test_a_given_id_column_in_the_file_passes(tmp_path: Path) -> None:
    check_paths(applicants(tmp_path), tmp_path / "out.csv", id_column="id", id_given=True)


def test_an_id_under_another_name_names_the_flag(project: Path, tmp_path: Path) -> None:
    path = applicants(tmp_path)
    path.write_text(path.read_text().replace("id,", "ID,", 1))
    argv = ["predict", "m", "-i", str(path), "-o", str(tmp_path / "out.csv")]
    result = runner.invoke(app, argv)
    one_error_line(result, "unexpected column(s) ID", "--id-column")
    with_flag = runner.invoke(app, [*argv, "--id-column", "ID"])
    assert "unexpected column" not in with_flag.output  # the flag is the fix it names
