"""Output folders the user names replace only the files credit wrote there, by real `credit`
runs on a trained, registered model: a file of the user's under a name a command writes is
refused in one line (exit 2) before any file is written, and a second run into the same folder
replaces its own files. A run's background sample replaced by another project's is one line,
not a traceback."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import credit, project_with_store

MODEL = "logistic_regression/1"


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory, store_template: Path, synthetic_frame: object
) -> Iterator[tuple[Path, Path]]:
    from credit_mlops.data.tables import write_table

    root = project_with_store(tmp_path_factory.mktemp("owned"), store_template)
    data = write_table(synthetic_frame, root / "synthetic.asc")  # type: ignore[arg-type]
    train = ["train", "-m", "logistic_regression", "--no-evaluate", "-q", "--data", str(data)]
    done = credit(train, root)
    assert done.returncode == 0, done.stderr[-2000:]
    yield root, data


def _refused(done: object, *paths: Path) -> None:
    assert done.returncode == 2, done.stderr[-2000:]  # type: ignore[attr-defined]
    lines = [line for line in done.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert any(str(path) in lines[0] for path in paths), lines
    assert "credit did not write it" in lines[0], lines


COMMANDS = {
    "evaluate": (["evaluate", MODEL], ["predictions.csv", "roc_curve.png"]),
    "explain": (["explain", MODEL], ["importance_bar.png", "attributions.csv"]),
    "fairness": (["fairness", MODEL], ["fairness.json"]),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_users_file_in_the_output_dir_is_refused_and_kept(
    trained: tuple[Path, Path], command: str
) -> None:
    root, data = trained
    args, names = COMMANDS[command]
    folder = root / f"out-{command}"
    folder.mkdir()
    for name in names:
        (folder / name).write_text("mine\n")
    (folder / "notes.txt").write_text("mine too\n")
    done = credit([*args, "--training-data", str(data), "--output-dir", str(folder)], root)
    _refused(done, *(folder / name for name in names))
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, "notes.txt"])
    assert all((folder / name).read_text() == "mine\n" for name in names)
    for name in names:  # moved away: the command writes, and a second run replaces its files
        (folder / name).unlink()
    for _ in range(2):
        done = credit([*args, "--training-data", str(data), "--output-dir", str(folder)], root)
        assert done.returncode == 0, done.stderr[-2000:]
    assert set(names) <= set(json.loads((folder / ".credit-outputs").read_text()))
    assert (folder / "notes.txt").read_text() == "mine too\n"


def test_monitor_keeps_a_users_file_and_leaves_nothing_behind(
    trained: tuple[Path, Path],
) -> None:
    """Monitor learns the names as it writes: its first file, written before the clash, is
    removed again."""
    root, data = trained
    folder = root / "out-monitor"
    folder.mkdir()
    (folder / "monitoring.json").write_text("mine\n")
    args = ["monitor", MODEL, "--data", str(data), "--training-data", str(data)]
    done = credit([*args, "--output-dir", str(folder)], root)
    _refused(done, folder / "monitoring.json")
    assert [p.name for p in folder.iterdir() if p.name != ".credit-outputs"] == ["monitoring.json"]
    assert (folder / "monitoring.json").read_text() == "mine\n"


def test_report_keeps_a_users_figure_and_replaces_its_own_card(
    trained: tuple[Path, Path],
) -> None:
    root, data = trained
    folder = root / "card"
    (folder / "figures").mkdir(parents=True)
    mine = folder / "figures" / "roc_curve.png"
    mine.write_bytes(b"my own picture")
    report = ["report", MODEL, "--training-data", str(data), "-o", str(folder)]
    done = credit(report, root)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "roc_curve.png" in done.stderr and "Traceback" not in done.stderr
    assert mine.read_bytes() == b"my own picture"
    assert not (folder / "model_card.md").exists() and not (folder / "model_card.html").exists()
    mine.unlink()
    for _ in range(2):
        done = credit(report, root)
        assert done.returncode == 0, done.stderr[-2000:]
    assert (folder / "model_card.html").is_file() and mine.is_file()


def test_a_background_of_another_project_is_one_line(trained: tuple[Path, Path]) -> None:
    root, data = trained
    [stored] = (root / ".credit" / "artifacts").rglob("explain/background.json")
    kept = stored.read_bytes()
    other = json.loads(kept)
    other["columns"] = [f"other_{i}" for i in range(len(other["columns"]))]
    try:
        stored.write_text(json.dumps(other))
        done = credit(["explain", MODEL, "--training-data", str(data)], root)
    finally:
        stored.write_bytes(kept)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, lines
    assert "explain/background.json of run" in lines[0] and "train the model again" in lines[0]


def test_no_output_folder_left_half_made(trained: tuple[Path, Path]) -> None:
    """Sanity: a folder the tool chooses under the store still takes every output."""
    root, data = trained
    done = credit(["explain", MODEL, "--training-data", str(data)], root)
    assert done.returncode == 0, done.stderr[-2000:]
    shutil.rmtree(root / ".credit" / "explanations")
