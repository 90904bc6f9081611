"""The promotion rules, as pure functions: the metric gate, which versions a move archives,
which aliases follow it, and how a promotion is written to (and read from) version tags."""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

from credit_mlops import readback
from credit_mlops.errors import InputError, NotFoundError
from credit_mlops.lifecycle.targets import STAGE_ALIAS, STAGES
from credit_mlops.tracking.records import VersionRecord

PROMOTION_TAG = "credit.promotion."
LAST_PROMOTION_TAG = "credit.last_promotion"
GATE_SETTING = "tracking.primary_metric"  # the metric the gate compares
GATE_ENV = "CREDIT_TRACKING__PRIMARY_METRIC"


class GateRefusedError(InputError):
    """A promotion to Production that would replace a better model."""


@dataclass(frozen=True)
class Promotion:
    name: str
    version: str
    from_stage: str
    to_stage: str
    at: str
    by: str
    metric: str
    candidate: float | None
    current: float | None
    current_version: str | None
    forced: bool
    archived: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """What a move changes: the version, its stage now, Production's holder, who is archived."""

    version: VersionRecord
    from_stage: str
    incumbent: VersionRecord | None  # the version in Production now (another one)
    replaced: tuple[VersionRecord, ...]  # archived by this move


def find_version(versions: Sequence[VersionRecord], name: str, version: str) -> VersionRecord:
    for v in versions:
        if v.version == str(version):
            return v
    have = ", ".join(v.version for v in versions) or "none"
    raise NotFoundError(f"model '{name}' has no version {version} (versions: {have})")


def plan(
    versions: Sequence[VersionRecord],
    name: str,
    version: str,
    to_stage: str,
    *,
    keep_existing: bool = False,
) -> Plan:
    mv = find_version(versions, name, version)
    if mv.current_stage == to_stage:
        raise InputError(f"{name} v{version} is already in {to_stage}; nothing to do")
    others = [v for v in versions if v.version != mv.version]
    incumbent = next((v for v in reversed(others) if v.current_stage == "Production"), None)
    archive = to_stage in ("Production", "Staging") and not keep_existing
    replaced = tuple(v for v in others if archive and v.current_stage == to_stage)
    return Plan(mv, mv.current_stage, incumbent, replaced)


def check_gate(
    name: str,
    version: str,
    to_stage: str,
    *,
    metric: str,
    candidate: float | None,
    incumbent_version: str | None,
    incumbent_value: float | None,
    force: bool,
    known: Sequence[str] = (),
) -> None:
    """Refuse Production to a version without the gate's metric (never evaluated, or the
    metric's name misspelt: the gate would pass unchecked), or worse than the incumbent."""
    if to_stage != "Production" or force:
        return
    if candidate is None and (incumbent_version is None or incumbent_value is None):
        close = difflib.get_close_matches(metric, list(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close and close[0] != metric else ""
        raise GateRefusedError(
            f"refused: {name} v{version} has no {metric}{hint}, so the gate cannot check it "
            "(it was trained with --no-evaluate, or the metric's name is wrong): train it "
            f"again without --no-evaluate, set {GATE_SETTING} (env {GATE_ENV}) to a metric "
            "its run logged, or use --force to promote anyway"
        )
    if incumbent_version is None or incumbent_value is None:
        return
    if candidate is None or candidate < incumbent_value:
        shown = "missing" if candidate is None else f"{candidate:.4f}"
        raise GateRefusedError(
            f"refused: {name} v{version} has {metric} {shown}, worse than "
            f"Production v{incumbent_version} ({incumbent_value:.4f}); "
            "use --force to promote anyway"
        )


def alias_changes(
    aliases: Mapping[str, str], version: str, to_stage: str
) -> tuple[list[str], str | None]:
    """(aliases to delete, alias to set): `staging`/`production` follow the version's stage."""
    stage_of = {alias: stage for stage, alias in STAGE_ALIAS.items()}
    delete = [
        alias
        for alias, held_by in aliases.items()
        if held_by == version and alias in stage_of and stage_of[alias] != to_stage
    ]
    return delete, STAGE_ALIAS.get(to_stage)


def record_tags(p: Promotion) -> dict[str, str]:
    """The version tags that keep one promotion: a stamped one and the last one."""
    stamp = p.at.replace(":", "").replace("-", "").replace(".", "").replace("+", "_")
    value = json.dumps({k: v for k, v in asdict(p).items() if k not in ("name", "version")})
    return {f"{PROMOTION_TAG}{stamp}": value, LAST_PROMOTION_TAG: value}


def _reader(name: str, version: str) -> Callable[[str], Promotion]:
    def read(text: str) -> Promotion:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        for field, check in _RECORD_FIELDS.items():
            if field in data:
                check(field, data[field])
            elif field not in _OPTIONAL:
                raise ValueError(f"{field} is missing")
        unknown = sorted(set(data) - set(_RECORD_FIELDS))
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}")
        data["archived"] = tuple(data.get("archived", ()))
        return Promotion(name=name, version=version, **data)

    return read


_OPTIONAL = frozenset({"archived", "note"})  # not written by older versions of credit


def _text(field: str, value: object, *, empty: bool = True) -> None:
    if not isinstance(value, str) or (not empty and not value):
        raise ValueError(f"{field} is not a text")


def _optional_text(field: str, value: object) -> None:
    if value is not None:
        _text(field, value)


def _stage(field: str, value: object) -> None:
    if value not in STAGES.values():
        raise ValueError(f"{field} is not one of {', '.join(STAGES.values())}")


def _time(field: str, value: object) -> None:
    from datetime import datetime

    _text(field, value)
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{field} is not an ISO time") from None


def _number(field: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{field} is not a number")
    if not math.isfinite(value):
        raise ValueError(f"{field} is not a finite number")


def _flag(field: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{field} is not true or false")


def _versions(field: str, value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{field} is not a list of versions")


# every field of a record, with the check of the type `credit promote` writes
_RECORD_FIELDS: dict[str, Callable[[str, object], None]] = {
    "from_stage": _stage,
    "to_stage": _stage,
    "at": _time,
    "by": _text,
    "metric": lambda f, v: _text(f, v, empty=False),
    "candidate": _number,
    "current": _number,
    "current_version": _optional_text,
    "forced": _flag,
    "archived": _versions,
    "note": _text,
}


def history(name: str, versions: Sequence[VersionRecord]) -> list[Promotion]:
    """Every promotion recorded on the versions' tags, oldest first."""
    out: list[Promotion] = []
    for v in versions:
        for key, value in v.tags.items():
            if key.startswith(PROMOTION_TAG):
                what = f"tag {key} of {name} v{v.version}"
                fix = "remove or correct that tag in the registry"
                out.append(readback.parsed(value, _reader(name, v.version), what=what, fix=fix))
    return sorted(out, key=lambda p: (p.at, p.note != ""))
