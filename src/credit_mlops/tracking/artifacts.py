"""Listing a run's artifact files (MLflow lists one folder at a time), and copying one back."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from credit_mlops.errors import CreditError, InputError, NotFoundError, TrackingError


def paths(client: Any, run_id: str, folder: str, recursive: bool) -> list[str]:
    """Paths of the run's artifact files under `folder` (sub-folders too if recursive)."""
    out: list[str] = []
    pending = [folder or None]
    while pending:
        for item in client.list_artifacts(run_id, pending.pop()):
            if not item.is_dir:
                out.append(item.path)
            elif recursive:
                pending.append(item.path)
    return sorted(out)


def moved_store(client: Any, run_id: str) -> str | None:
    """Why a run's files cannot be found when its store was moved, or None.

    A local store records each run's artifact folder by its absolute path: once the project
    (or its `.credit`) is moved or copied elsewhere, the runs still name the old folder.
    Nothing is lost; the message says where the files are looked for and how to reach them.
    """
    from urllib.parse import unquote, urlparse

    uri = client.get_run(run_id).info.artifact_uri or ""
    if not uri.startswith(("file:", "/")):  # a server's or a cloud's: not a local folder
        return None
    recorded = Path(unquote(urlparse(uri).path) if uri.startswith("file:") else uri)
    # a run's folder is <experiment folder>/<run id>/artifacts, made only when it has files;
    # credit's local store keeps its experiments' files in <store>/artifacts: gone, moved
    root = recorded.parent.parent
    if recorded.exists() or root.name != "artifacts" or root.exists():
        return None
    return (
        f"run {run_id}'s files are recorded under {root}, which does not exist: the store was "
        f"moved or copied from there. Move it back, or link the old place to its artifacts "
        f"folder (mkdir -p {root.parent} && ln -s <the store's folder>/artifacts {root})"
    )


def kept_elsewhere(location: str | None, root: Path | None) -> str | None:
    """The folder of a local store's experiment (`location`) when it is not the store's own
    artifact folder `root` (a copied or moved store), else None. Only for a local store with
    its files on the local disk."""
    from urllib.parse import unquote, urlparse

    if root is None or not location or not location.startswith(("file:", "/")):
        return None
    path = Path(unquote(urlparse(location).path) if location.startswith("file:") else location)
    own = root.resolve()
    return None if path == own or own in path.parents else str(path)


def listed_anyway(exists: Callable[[], bool]) -> bool:
    """Whether a file that could not be downloaded is listed in the run: asked only when it
    failed; a dangling link fails the listing too (its size cannot be read), and counts as
    listed."""
    try:
        return exists()
    except TrackingError as again:
        if type(again) is not TrackingError or not isinstance(again.__cause__, OSError):
            raise
        return True


def not_given(run_id: str, path: str, listed: bool) -> CreditError:
    """The error for a run's file the store did not give back."""
    if not listed:
        return NotFoundError(
            f"run {run_id} has no {path}: it was not trained by credit (or the file was "
            "removed); name a model version credit trained (credit compare lists them)"
        )
    return InputError(  # listed, yet not given: a link, pipe or device in its place
        f"run {run_id}: its file {path} is listed in the store but cannot be read back "
        "(a link, a pipe or a device put in its place, or a link to nothing); it was "
        "changed outside credit - train or evaluate again"
    )


MOST_BYTES = 512 << 20  # every file credit reads back this way (JSON, PNG) is far smaller
_SCRATCH: list[tempfile.TemporaryDirectory[str]] = []  # this process's, removed at its end


def download(client: Any, run_id: str, path: str) -> Path:
    """The run's file `path`, copied into a folder of this process's own (removed when it
    ends); refused unread when the store lists it larger than any file credit writes."""
    folder = path.rpartition("/")[0] or None
    size = next((i.file_size for i in client.list_artifacts(run_id, folder) if i.path == path), 0)
    if size and size > MOST_BYTES:
        raise InputError(
            f"run {run_id}: its file {path} is {size >> 20:,} MB, far above any credit writes "
            f"({MOST_BYTES >> 20} MB at most); it was changed outside credit - train or "
            "evaluate again"
        )
    if not _SCRATCH:
        _SCRATCH.append(tempfile.TemporaryDirectory(prefix="credit-artifacts-"))
    into = tempfile.mkdtemp(dir=_SCRATCH[0].name)
    return Path(client.download_artifacts(run_id, path, dst_path=into))
