"""Loading a stored model only when the tool can check it before any of it runs.

A skops model is checked against the runtime's allowlist of types (`credit_runtime.trust`),
kept by the tool, not against the list the model writes about itself in its MLmodel. Any other
format (pickle, cloudpickle, a custom pyfunc) runs code while it is read, so it is refused with
one line, unless the user turns on `tracking.trust_models_that_run_code`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from credit_mlops.errors import InputError

SETTING = "tracking.trust_models_that_run_code"
ENV = "CREDIT_TRACKING__TRUST_MODELS_THAT_RUN_CODE"


class UntrustedModelError(InputError):
    """A stored model the tool cannot check before it runs (exit 2)."""


class DamagedModelError(InputError):
    """A stored model whose own files are missing or not what was logged (exit 2): damage,
    not a question of trust, so the advice is to register it again, never to trust code."""


def sklearn_flavour(folder: Path, uri: str) -> dict[str, Any] | None:
    """The MLmodel's sklearn flavour (serialization format, data file), or None for a model
    of another flavour; an MLmodel that is missing, garbled or names no flavour at all is
    damage (DamagedModelError), never a question of trust."""
    import yaml

    damaged = f"{uri}: its MLmodel file is {{}}; train and register the model again"
    try:
        meta = yaml.safe_load((folder / "MLmodel").read_text(encoding="utf-8"))
    except OSError:
        raise DamagedModelError(damaged.format("missing or unreadable")) from None
    except (UnicodeDecodeError, yaml.YAMLError):
        raise DamagedModelError(damaged.format("damaged (not readable as YAML)")) from None
    flavours = meta.get("flavors") if isinstance(meta, dict) else None
    if not isinstance(flavours, dict) or not flavours:
        raise DamagedModelError(damaged.format("empty or names no flavour"))
    flavour = flavours.get("sklearn")
    return flavour if isinstance(flavour, dict) else None


def checked_file(folder: Path, uri: str, *, trust_code: bool) -> Path | None:
    """The skops file to load with the allowlist; None when the user trusts code and the model
    is in another format (load it MLflow's way); UntrustedModelError otherwise."""
    flavour = sklearn_flavour(folder, uri)
    fmt = str((flavour or {}).get("serialization_format") or "no scikit-learn flavour")
    if flavour is not None and fmt == "skops":
        return _data_file(folder, uri, flavour.get("pickled_model") or "model.skops")
    if trust_code:
        return None
    raise UntrustedModelError(
        f"{uri} is stored as {fmt}, which runs code while it loads; credit loads only skops "
        f"models whose types it checks. Retrain it with credit, or if you trust who stored it, "
        f"set {SETTING} = true (env {ENV}=true)"
    )


def _data_file(folder: Path, uri: str, name: object) -> Path:
    """The model's data file named by its MLmodel: a plain file name inside the model's own
    folder, a regular file there. An MLmodel is read back, so it never points elsewhere (an
    absolute path, `..`, a folder or a link out of the model would load another file)."""
    import os
    import stat

    text = str(name)
    if not text or text in (".", "..") or "/" in text or "\\" in text or "\0" in text:
        raise UntrustedModelError(
            f"{uri}: its MLmodel names the model file {text[:80]!r}, not a file of the model's "
            "own folder; the model was changed after it was logged: register it again"
        )
    path = folder / text
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        raise DamagedModelError(
            f"{uri}: the model file {text[:80]} is missing from the stored model; it was "
            "removed or never uploaded whole: train and register the model again"
        ) from None
    if not stat.S_ISREG(mode):
        raise DamagedModelError(
            f"{uri}: the model file {text[:80]} is not a regular file; the stored model was "
            "changed after it was logged: train and register the model again"
        )
    return path


def load_checked(folder: Path, uri: str, *, trust_code: bool) -> Any:
    """The estimator in a downloaded model folder, loaded only if checked (or trusted)."""
    from credit_runtime.errors import DamagedModel, UntrustedModel
    from credit_runtime.trust import classifier, load_estimator

    data = checked_file(folder, uri, trust_code=trust_code)
    if data is None:
        return _load_trusted(folder, uri)
    try:
        return classifier(load_estimator(data), data.name)
    except DamagedModel as exc:
        raise DamagedModelError(f"{uri}: {exc}; train and register the model again") from None
    except UntrustedModel as exc:
        if not trust_code:
            raise UntrustedModelError(f"{uri}: {exc}; to load it anyway set {SETTING}") from exc
    return _load_trusted(folder, uri)


def _load_trusted(folder: Path, uri: str) -> Any:
    """MLflow's own loading of a model the user trusts: whatever it raises (a pickle of a
    class that is gone, a truncated file) is the model's damage, said in one line."""
    import mlflow.sklearn

    from credit_mlops.escaping import one_line

    try:
        return mlflow.sklearn.load_model(str(folder))
    except Exception as exc:  # a trusted pickle may raise anything while it loads
        reason = one_line(str(exc) or type(exc).__name__)[:200]
        raise DamagedModelError(
            f"{uri}: the trusted model could not be loaded as a scikit-learn model ({reason}); "
            "train and register it again"
        ) from None


def check(folder: Path, uri: str, *, trust_code: bool) -> None:
    """Refuse (UntrustedModelError) a downloaded model the tool cannot check, unless trusted."""
    from credit_runtime.errors import DamagedModel, UntrustedModel
    from credit_runtime.trust import untrusted

    data = checked_file(folder, uri, trust_code=trust_code)
    if data is None or trust_code:
        return
    try:
        refused = untrusted(data)
    except DamagedModel as exc:
        raise DamagedModelError(f"{uri}: {exc}; train and register the model again") from None
    except UntrustedModel as exc:
        raise UntrustedModelError(f"{uri}: {exc}") from exc
    if refused:
        raise UntrustedModelError(
            f"{uri} holds type(s) credit does not trust: {', '.join(refused[:5])}; "
            f"to load it anyway set {SETTING}"
        )


def load_model(uri: str, trust_code: bool) -> Any:
    """The estimator of the stored model at `uri`, loaded only if checked (or trusted)."""
    with tempfile.TemporaryDirectory(prefix="credit-model-") as tmp:
        return load_checked(download(uri, Path(tmp)), uri, trust_code=trust_code)


def load_decision_model(uri: str, trust_code: bool) -> Any:
    """The checked estimator at `uri` with the files logged beside it (description, scale,
    background), as the runtime's `CreditModel`: the whole decision, in this process."""
    from credit_runtime.errors import DamagedModel
    from credit_runtime.pyfunc import FOLDER, with_files

    with tempfile.TemporaryDirectory(prefix="credit-model-") as tmp:
        folder = download(uri, Path(tmp))
        estimator = load_checked(folder, uri, trust_code=trust_code)
        try:
            return with_files(estimator, folder / FOLDER)
        except DamagedModel as exc:
            raise InputError(f"{uri}: {exc}") from None


def download(uri: str, into: Path) -> Path:
    """The model's folder copied from the store into `into`; a file of it the store cannot
    give (a link out of the store, a file made unreadable) is damage: one line, exit 2."""
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException

    from credit_mlops.config.environ import scoped_environ
    from credit_mlops.escaping import one_line

    try:
        with scoped_environ({"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}):
            return Path(mlflow.artifacts.download_artifacts(uri, dst_path=str(into)))
    except MlflowException as exc:
        head, _, failures = str(exc).partition(":\n")  # MLflow's list of failed files
        if "failures occurred while downloading" not in head:
            raise
        raise DamagedModelError(
            f"{uri}: some of its files cannot be read from the store "
            f"({one_line(' '.join(failures.split()))[:300]}); train and register the model again"
        ) from None
