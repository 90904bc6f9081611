"""The target grammar, as a pure function: NAME, NAME/VERSION, NAME/latest, NAME/STAGE,
NAME@ALIAS, models:/… (any of those, or a logged model id) and runs:/RUN_ID[/PATH].

Parsing needs no store; `lifecycle.resolve` looks a parsed target up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from credit_mlops import names
from credit_mlops.errors import InputError

STAGES = {"staging": "Staging", "production": "Production", "archived": "Archived", "none": "None"}
STAGE_ALIAS = {"Staging": "staging", "Production": "production"}
LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")


@dataclass(frozen=True)
class RunTarget:
    run_id: str
    path: str | None  # None: the run's own logged model
    uri: str  # as given, used when `path` names an artifact


@dataclass(frozen=True)
class LoggedModelTarget:
    model_id: str


@dataclass(frozen=True)
class VersionTarget:
    name: str
    version: str


@dataclass(frozen=True)
class LatestTarget:
    name: str


@dataclass(frozen=True)
class StageTarget:
    name: str
    stage: str  # canonical: Staging | Production | Archived | None


@dataclass(frozen=True)
class AliasTarget:
    name: str
    alias: str


Target = RunTarget | LoggedModelTarget | VersionTarget | LatestTarget | StageTarget | AliasTarget


def canonical_stage(stage: str) -> str:
    try:
        return STAGES[stage.strip().lower()]
    except KeyError:
        raise InputError(
            f"unknown stage '{stage}' (choose from: Staging, Production, Archived, None)"
        ) from None


def parse_target(target: str) -> Target:
    """The parsed target; every name, alias, run id and path in it checked (exit 2)."""
    text = target.strip()
    if not text:
        raise InputError(
            "the model target is empty; give NAME, NAME/VERSION, NAME/STAGE, NAME@ALIAS, "
            "models:/... or runs:/RUN_ID"
        )
    if text.startswith("runs:/"):
        run_id, _, path = text.removeprefix("runs:/").partition("/")
        names.run_id(run_id, flag=f"target {target!r}")
        path = path.rstrip("/")
        if path:
            names.artifact_path(path, flag=f"target {target!r}")
        return RunTarget(run_id=run_id, path=path or None, uri=text)
    if text.startswith("models:/"):
        text = text.removeprefix("models:/")
        if LOGGED_MODEL_ID.fullmatch(text):
            return LoggedModelTarget(text)
    return _named(text, target)


def _named(text: str, target: str) -> Target:
    flag = f"target {target!r}"
    if "@" in text:
        name, alias = text.rsplit("@", 1)
        return AliasTarget(names.registered_model(name, flag=flag), names.alias(alias, flag=flag))
    if "/" not in text:
        return LatestTarget(names.registered_model(text, flag=flag))
    name, ref = text.rsplit("/", 1)
    names.registered_model(name, flag=flag)
    if ref.isascii() and ref.isdigit():  # never ١ or ¹: the registry knows 0-9 only
        return VersionTarget(name, ref)
    if ref.lower() == "latest":
        return LatestTarget(name)
    if ref.lower() in STAGES:
        return StageTarget(name, canonical_stage(ref))
    raise InputError(
        f"'{ref}' in '{target}' is neither a version number, 'latest' nor a stage "
        "(Staging, Production, Archived, None)"
    )
