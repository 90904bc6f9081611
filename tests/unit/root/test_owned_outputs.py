"""The manifest rule on real files: in a guarded output folder, `files` replaces a file only
if credit wrote it there; a refusal removes the files this process had newly made there; the
manifest is never uploaded with a run's files. And a model card is written whole or not at
all: a full disk (a small tmpfs) leaves no half card and is the disk-full error, not bad input."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.tmpfs import tmpfs
from tests.unit.report.test_report_card import sample_card

from credit_mlops import files, owned_outputs
from credit_mlops.errors import InputError
from credit_mlops.report.write import write
from credit_mlops.written import written_in


def test_a_users_file_is_refused_and_new_files_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "b.csv").write_text("mine\n")
    owned_outputs.guard(folder)
    files.write_text(folder / "a.png", "ours")
    with pytest.raises(InputError, match=r"b\.csv is already there and credit did not write"):
        files.write_text(folder / "b.csv", "ours")
    assert (folder / "b.csv").read_text() == "mine\n"
    assert not (folder / "a.png").exists()  # made by this call, removed on refusal
    assert json.loads((folder / owned_outputs.MANIFEST).read_text()) == []  # and off the list
    (folder / "a.png").write_text("mine too\n")  # the name is the user's again
    owned_outputs.guard(folder)
    with pytest.raises(InputError, match=r"a\.png is already there"):
        files.write_text(folder / "a.png", "ours")
    assert (folder / "a.png").read_text() == "mine too\n"


def test_a_refusal_keeps_the_names_of_earlier_commands_on_the_list(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    owned_outputs.guard(folder)
    files.write_text(folder / "old.csv", "earlier command")
    (folder / "b.csv").write_text("mine\n")
    owned_outputs.guard(folder)  # the next command
    files.write_text(folder / "old.csv", "replaced")
    files.write_text(folder / "new.png", "made now")
    with pytest.raises(InputError, match=r"b\.csv is already there"):
        files.write_text(folder / "b.csv", "ours")
    assert json.loads((folder / owned_outputs.MANIFEST).read_text()) == ["old.csv"]
    assert not (folder / "new.png").exists()


def test_a_file_credit_wrote_is_replaced_and_the_manifest_stays_home(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    owned_outputs.guard(folder)
    files.write_text(folder / "a.json", "1")
    files.write_text(folder / "a.json", "2")
    assert (folder / "a.json").read_text() == "2"
    assert json.loads((folder / owned_outputs.MANIFEST).read_text()) == ["a.json"]
    assert written_in(folder) == [(folder / "a.json").resolve()]  # never uploaded


def test_the_refusal_names_a_foreign_file_before_anything_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "x.png").write_text("mine")
    with pytest.raises(InputError, match=r"x\.png"):
        owned_outputs.refuse_foreign(folder, ["y.png", "x.png"])
    assert sorted(p.name for p in folder.iterdir()) == ["x.png"]


def test_an_older_card_with_its_mark_is_still_replaced(tmp_path: Path) -> None:
    card = sample_card()
    first = write(card, tmp_path / "card")
    (tmp_path / "card" / owned_outputs.MANIFEST).unlink()  # as an older credit left it
    again = write(card, tmp_path / "card")
    assert again.html.read_text() == first.html.read_text()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk", "64k") as mount:
        yield mount


def test_a_full_disk_leaves_no_half_card(small_disk: Path) -> None:
    card = sample_card()
    (small_disk / "filler").write_bytes(b"x" * 36 * 1024)  # room for some of it, not all
    folder = small_disk / "card"
    with pytest.raises(OSError) as caught:
        write(card, folder)
    assert not isinstance(caught.value, InputError)
    assert caught.value.errno in (errno.ENOSPC, errno.EDQUOT)
    left = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert not any(name.startswith("model_card") for name in left), left
    assert not any(name.endswith(".tmp") for name in left), left


def test_a_users_figure_beside_no_card_is_kept(tmp_path: Path) -> None:
    figure = tmp_path / "card" / "figures" / "roc_curve.png"
    figure.parent.mkdir(parents=True)
    figure.write_bytes(b"mine")
    with pytest.raises(InputError, match=r"roc_curve\.png was not written by credit report"):
        write(sample_card(), tmp_path / "card")
    assert figure.read_bytes() == b"mine"
    assert sorted(p.name for p in (tmp_path / "card").rglob("*")) == ["figures", "roc_curve.png"]


def test_a_list_that_cannot_be_written_places_no_file_and_the_rerun_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up as `.credit-outputs` is written: the file it would have listed is
    not placed (else credit would later refuse its own file as the user's), and once there
    is room the same write succeeds."""
    folder = tmp_path / "out"
    folder.mkdir()
    owned_outputs.guard(folder)
    real_write = files.write_text

    def full(path: Path, text: str) -> Path:
        if path.name == owned_outputs.MANIFEST:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_write(path, text)

    monkeypatch.setattr(files, "write_text", full)
    with pytest.raises(OSError, match="No space left"):
        files.write_bytes(folder / "confusion_matrix.png", b"png")
    assert sorted(p.name for p in folder.iterdir()) == []  # nothing placed, no temp left
    monkeypatch.setattr(files, "write_text", real_write)
    owned_outputs.guard(folder)  # the rerun, with room again
    files.write_bytes(folder / "confusion_matrix.png", b"png")
    assert json.loads((folder / owned_outputs.MANIFEST).read_text()) == ["confusion_matrix.png"]


def test_a_listed_name_now_a_link_out_of_the_folder_is_never_written_through(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    owned_outputs.guard(folder)
    files.write_text(folder / "model_card.md", "ours")  # listed
    precious = tmp_path / "precious.txt"
    precious.write_text("precious\n")
    (folder / "model_card.md").unlink()
    (folder / "model_card.md").symlink_to(precious)
    owned_outputs.guard(folder)  # the next command
    with pytest.raises(InputError, match="outside the output folder"):
        files.write_text(folder / "model_card.md", "card")
    assert precious.read_text() == "precious\n"
    inside = folder / "notes.md"  # a link within the folder to a file of its own: as before
    files.write_text(folder / "kept.md", "ours")
    inside.symlink_to(folder / "kept.md")
    files.write_text(inside, "through")
    assert (folder / "kept.md").read_text() == "through"


@pytest.mark.parametrize("kind", ["fifo", "device", "garbage", "folder", "not-a-list"])
def test_a_list_that_is_not_the_one_credit_writes_is_refused_unread(
    tmp_path: Path, kind: str
) -> None:
    """A pipe would hang the read, a link to /dev/zero fill the memory, garbage be taken as
    an empty list and rewritten: each is one line, and nothing is written."""
    folder = tmp_path / "out"
    folder.mkdir()
    listed = folder / owned_outputs.MANIFEST
    if kind == "fifo":
        os.mkfifo(listed)
    elif kind == "device":
        listed.symlink_to("/dev/zero")
    elif kind == "garbage":
        listed.write_bytes(bytes(range(256)))
    elif kind == "folder":
        listed.mkdir()
    else:
        listed.write_text('{"model_card.md": true}')
    owned_outputs.guard(folder)
    with pytest.raises(InputError, match="is not the list of the files credit wrote"):
        files.write_text(folder / "model_card.md", "card")
    assert not (folder / "model_card.md").exists()
