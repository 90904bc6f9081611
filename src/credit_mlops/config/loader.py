"""Building the settings of one invocation: the profile file, provenance, one-line errors.

Each command calls `load_settings` once and passes the parts it needs down as arguments.
Nothing here runs at import time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import EnvSettingsSource, SettingsConfigDict

from credit_mlops.config import guard
from credit_mlops.config.masking import flatten
from credit_mlops.config.refusals import config_error
from credit_mlops.config.settings import DEFAULT_PROFILE, ENV_PREFIX, Settings
from credit_mlops.config.sources import SECRET_KEYS, SeedEnvSource, seed_env_var
from credit_mlops.errors import ConfigError
from credit_mlops.link_loops import refuse_loop


def config_dir(start: Path | None = None) -> Path:
    """CREDIT_CONFIG_DIR, else the nearest configs/ folder at or above the working directory."""
    explicit = os.environ.get(f"{ENV_PREFIX}CONFIG_DIR")
    if explicit:
        refuse_loop(Path(explicit).expanduser(), f"{ENV_PREFIX}CONFIG_DIR")
        folder = Path(explicit).expanduser().resolve()
        if not folder.is_dir():  # never fall back on built-in defaults without a word
            what = "is not a folder" if folder.exists() else "does not exist"
            raise ConfigError(
                f"{ENV_PREFIX}CONFIG_DIR: {folder} {what}; point it at the folder holding "
                "the profiles (configs/) or unset it"
            )
        return folder
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "configs").is_dir():
            return folder / "configs"
    return here / "configs"


def _secret_env(key: str) -> str:
    """The variable a secret setting is read from (MLflow's own for the tracking ones)."""
    section, _, name = key.partition(".")
    if section == "tracking":
        return f"MLFLOW_TRACKING_{name.upper()}"
    return f"{ENV_PREFIX}{section.upper()}__{name.upper()}"


def available_profiles(folder: Path) -> list[str]:
    """The profiles one can pick: regular .toml files (not a folder or a device so named)."""
    return sorted(p.stem for p in folder.glob("*.toml") if p.is_file()) if folder.is_dir() else []


def load_settings(
    profile: str | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """Build the effective settings for one invocation.

    `overrides` holds the flags the user actually passed, as nested dicts; `None` values
    are dropped so that an unset flag never hides the environment or the profile file.
    """
    folder = config_dir()
    name = guard.profile_name(profile, DEFAULT_PROFILE)  # a plain name, never a path
    candidate = folder / f"{name}.toml"
    toml_file: Path | None = candidate
    if not candidate.is_file():
        if candidate.exists():  # a folder, a device, a broken link so named
            raise ConfigError(
                f"profile '{name}': {candidate} is not a regular file; make it one or pick "
                "another with --profile"
            )
        have = ", ".join(available_profiles(folder)) or "none"
        if profile or os.environ.get(f"{ENV_PREFIX}PROFILE") or name != DEFAULT_PROFILE:
            raise ConfigError(
                f"profile '{name}' not found in {folder} (have: {have}); "
                f"create {folder / (name + '.toml')} or pick another with --profile"
            )
        if os.environ.get(f"{ENV_PREFIX}CONFIG_DIR"):  # named on purpose: never defaults
            raise ConfigError(
                f"{ENV_PREFIX}CONFIG_DIR: {folder} holds no {name}.toml (have: {have}); point "
                "it at the folder holding the profiles (configs/) or unset it"
            )
        toml_file = None  # no configs/ found: the embedded default needs no file
    root = folder.parent

    toml_data = _read_toml(toml_file) if toml_file else {}
    if toml_file:
        guard.refuse_url_secrets(toml_file, flatten(toml_data))
        _check_types(toml_file, Settings, toml_data, "")
    for key, _ in flatten(toml_data):
        if tuple(key.split(".")) in SECRET_KEYS:
            raise ConfigError(
                f"{toml_file}: key '{key}' is a secret; set it in the environment "
                f"({_secret_env(key)}), never in a profile file"
            )
    flags = _drop_none(dict(overrides or {}))
    _refuse_unknown_sections(os.environ)
    _refuse_too_deep(os.environ)

    from pydantic_settings import SettingsError

    bound = _bind(toml_file)
    try:
        provenance = _provenance(bound, toml_file, toml_data, root, flags)
    except SettingsError as exc:  # an environment value that is not the JSON it must be
        raise _source_error(exc) from None
    try:
        settings = bound(**flags)
    except ValidationError as exc:
        raise config_error(exc, provenance) from exc
    except SettingsError as exc:  # an environment value that is not the JSON it must be
        raise _source_error(exc) from None
    settings._profile = name
    settings._profile_file = toml_file
    settings._root = root
    settings._provenance = provenance
    return settings


def _refuse_too_deep(environ: Mapping[str, str]) -> None:
    """A list or table given as JSON so deeply nested that no parser reads it (Python's
    raises RecursionError, a traceback) is refused as a profile nested too deep is."""
    for name, value in environ.items():
        if not name.upper().startswith(ENV_PREFIX) or not value.lstrip().startswith(("[", "{")):
            continue
        try:
            json.loads(value)
        except RecursionError:
            raise ConfigError(
                f"environment: {name} holds JSON nested too deep to read; give a flat list "
                "or table, e.g. CREDIT_TRAIN__MODELS='[\"xgboost\"]'"
            ) from None
        except ValueError:
            continue  # not JSON at all: said with the setting it was meant for


def _refuse_unknown_sections(environ: Mapping[str, str]) -> None:
    """CREDIT_<SECTION>__<KEY> with a section that does not exist (a typo like
    CREDIT_TRIAN__CV_FOLDS) would be ignored by pydantic-settings: refused like an unknown
    key inside a section is."""
    sections = set(Settings.model_fields)
    for variable in sorted(environ):
        if not variable.upper().startswith(ENV_PREFIX) or "__" not in variable:
            continue
        section = variable[len(ENV_PREFIX) :].split("__", 1)[0].lower()
        if section not in sections:
            raise ConfigError(
                f"env {variable}: unknown settings section '{section}' (sections: "
                f"{', '.join(sorted(sections))}); fix or unset the variable"
            )


def _bind(toml_file: Path | None) -> type[Settings]:
    """The Settings class bound to one profile file (pydantic-settings issue #259)."""

    class ProfileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=toml_file)

    return ProfileSettings


MAX_PROFILE_BYTES = 1 << 20  # settings fit in a few KB; a bigger file is something else


def _read_toml(path: Path) -> dict[str, Any]:
    from credit_mlops.data.description_codes import parse_toml
    from credit_mlops.kept_files import read_as
    from credit_mlops.readback import capped_bytes

    read_as(path, "the settings profile")  # an output of this command never replaces it

    try:
        raw = capped_bytes(path, MAX_PROFILE_BYTES)
        if raw is None:
            raise ConfigError(
                f"{path}: the profile file is larger than {MAX_PROFILE_BYTES >> 20} MB; a "
                "profile holds settings, not data - check that it is the file you meant"
            )
        if b"\x00" in raw:  # valid UTF-8 in bytes, never in a text file (UTF-16 has them)
            raise UnicodeDecodeError("utf-8", raw, 0, 1, "NUL byte")
        text = raw.decode("utf-8")
        if text.startswith("\ufeff"):  # TOML readers (ours and pydantic-settings') refuse it
            raise ConfigError(
                f"{path}: the profile file starts with a byte-order mark; save it as UTF-8 "
                "without BOM"
            )
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {_not_utf8(raw or b'')}; save it as UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read profile file ({exc.strerror})") from exc
    data = parse_toml(
        text,
        lambda why: ConfigError(
            f"{path}: malformed TOML ({why}); fix the file or pick another profile"
        ),
    )
    # Section and setting names are lower case: the settings would match [TRAIN] without
    # regard to case but its keys with it, and [train] beside [TRAIN] would lose one.
    upper = next((k for k in data if k != k.lower()), None)
    if upper is not None:
        raise ConfigError(
            f"{path}: {upper!r} is not lower case; sections and settings are written in "
            f"lower case ({upper.lower()!r})"
        )
    return data


def _check_types(path: Path, model: Any, values: Mapping[str, Any], prefix: str) -> None:
    """A profile's values keep TOML's own types: text where a number belongs (`seed =
    "42"`) is refused, as pydantic would convert it; an environment variable, always text,
    is left to parse. Unknown keys are left to pydantic, which names them."""
    from pydantic import BaseModel

    from credit_mlops.strictness import check

    for key, value in values.items():
        field = model.model_fields.get(key)
        if field is None:
            continue
        kind = field.annotation
        if isinstance(value, dict) and isinstance(kind, type) and issubclass(kind, BaseModel):
            _check_types(path, kind, value, f"{prefix}{key}.")
            continue
        try:
            check(value, kind, text_for_numbers=False)
        except ValueError as exc:
            raise ConfigError(f"{path}: key '{prefix}{key}': {exc}; fix the file") from None


def _not_utf8(raw: bytes) -> str:
    """What the bytes look like, so the fix is obvious (TOML files must be UTF-8)."""
    if raw.count(b"\x00") > len(raw) * 3 // 4:  # UTF-16 text has at most half NULs
        return "the profile file is not text (binary)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[1:2] == b"\x00" or raw[:1] == b"\x00":
        return "the profile file is UTF-16 text, not UTF-8"
    return "the profile file is not text (binary or another encoding)"


def _provenance(
    bound: type[Settings],
    toml_file: Path | None,
    toml_data: Mapping[str, Any],
    root: Path,
    flags: Mapping[str, Any],
) -> dict[str, str]:
    out: dict[str, str] = {}
    if toml_file is not None:
        try:
            label = str(toml_file.relative_to(root))
        except ValueError:
            label = str(toml_file)
        for key, _ in flatten(toml_data):
            out[key] = label
    for key, _ in flatten(SeedEnvSource(bound)()):
        out[key] = f"env {seed_env_var(key)}"
    for key, _ in flatten(EnvSettingsSource(bound)()):
        out[key] = f"env {_env_variable(key)}"
    for key, _ in flatten(dict(flags)):
        out[key] = "flag"
    return out


def _env_variable(key: str) -> str:
    """The variable `key` was read from: CREDIT_TRAIN__CV_FOLDS, or the one holding it as JSON
    (CREDIT_TRACKING__TAGS for tracking.tags.team, CREDIT_TRAIN for train.cv_folds)."""
    given = {name.upper(): name for name in os.environ}
    parts = key.upper().split(".")
    for end in range(len(parts), 0, -1):
        name = given.get(ENV_PREFIX + "__".join(parts[:end]))
        if name is not None:
            return name
    return ENV_PREFIX + "__".join(parts)


def _source_error(exc: Exception) -> ConfigError:
    """pydantic-settings' refusal of a value it could not even parse (a list or a table in
    an environment variable that is not valid JSON), naming the variables to look at."""
    import re

    found = re.search(r'field "(\w+)"', str(exc))
    section = found.group(1) if found else None
    cause = exc.__cause__ or exc.__context__
    reason = str(cause).splitlines()[0] if cause is not None and str(cause) else str(exc)
    where = f"CREDIT_{section.upper()}__*" if section else "a CREDIT_* variable"
    suspects = sorted(
        k for k in os.environ if section and k.upper().startswith(f"CREDIT_{section.upper()}__")
    )
    named = f" ({', '.join(suspects[:5])})" if suspects else ""
    return ConfigError(
        f"environment: {where}{named} holds a value that is not valid JSON ({reason}); a list "
        "or table setting takes JSON, e.g. CREDIT_TRAIN__MODELS='[\"xgboost\"]'"
    )


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            nested = _drop_none(value)
            if nested:
                out[key] = nested
        elif value is not None:
            out[key] = value
    return out
