"""The settings reference, read from the pydantic settings models.

Each setting's description is the field's own `description` when it has one, else the
comment written beside or just above the field in its section's source: the text the code's
authors keep next to the field is what the reader gets.
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import tokenize
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from credit_mlops.config.settings import ENV_PREFIX, Settings
from credit_mlops.config.sources import SECRET_KEYS, SEED_ENV


def comments(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the comment beside it or in the block of comment lines above it."""
    source = inspect.getsource(model)
    tree = ast.parse(source)
    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    by_line: dict[int, str] = {}
    code_lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            by_line[tok.start[0]] = tok.string.lstrip("#").strip()
        elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            code_lines.add(tok.start[0])
    out: dict[str, str] = {}
    for node in cls.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        above: list[str] = []
        line = node.lineno - 1
        while line in by_line and line not in code_lines:
            above.insert(0, by_line[line])
            line -= 1
        beside = [
            by_line[n]
            for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)
            if n in by_line
        ]
        text = " ".join(above + beside).strip()
        if text:
            out[node.target.id] = text
    return out


# Flags whose name does not spell the setting they set.
FLAG_SETTINGS = {
    "model": "train.models",
    "mlflow_uri": "tracking.uri",
    "mlflow_experiment": "tracking.experiment",
    "mlflow_tags": "tracking.tags",
    "mlflow_disable": "tracking.enabled",
    "model_version": "model_version",
    "no_smote": "train.smote",
    "no_evaluate": "train.evaluate",
    "no_register": "tracking.register_models",
}


def flag_help() -> dict[str, str]:
    """Setting -> the help of the flag that sets it: `--cv-folds` of `credit train` sets
    train.cv_folds; a help that names its setting ("(setting data.path)") says so itself."""
    import re

    from docgen.commands import walk

    keys = {".".join(path) for entries in rows(with_flags=False).values() for path, _, _ in entries}
    found: dict[str, str] = {}
    for entry in walk():
        verb = entry.path[-1]
        for param in entry.command.params:
            text = " ".join((getattr(param, "help", None) or "").split())
            name = param.name or ""
            if not text:
                continue
            named = re.findall(r"setting ([a-z_]+(?:\.[a-z_]+)*)", text)
            for key in [*named, FLAG_SETTINGS.get(name, ""), f"{verb}.{name}"]:
                if key in keys and key not in found:
                    flag = max(getattr(param, "opts", [""]), key=len)
                    text = re.sub(r"\s*\[default: [^]]*\]", "", text)
                    found[key] = f"`{flag}` of `{' '.join(entry.path)}`: {text}"
    return found


def type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(json.dumps(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(type_name(a) for a in args)
    if origin is not None:
        inner = ", ".join(type_name(a) for a in args)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation))


def default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if isinstance(value, BaseModel):
        return ""
    if isinstance(value, SecretStr) or value is None:
        return "none"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, Path):
        value = str(value)
    return json.dumps(value, default=str)


def _sections() -> list[tuple[str, type[BaseModel] | None]]:
    out: list[tuple[str, type[BaseModel] | None]] = [("", None)]
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.append((name, annotation))
    return out


def _env(path: tuple[str, ...]) -> str:
    names = [ENV_PREFIX + "__".join(p.upper() for p in path)]
    names += [var for var, target in SEED_ENV.items() if target == path]
    return ", ".join(f"`{n}`" for n in names)


def _row(path: tuple[str, ...], field: FieldInfo, note: str) -> str:
    description = field.description or note
    if path in SECRET_KEYS:
        description = (description + " " if description else "") + (
            "Secret: from the environment only; a profile file holding it is refused."
        )
    description = " ".join(description.split()).replace("|", "\\|")
    description = description.replace("<", "&lt;").replace(">", "&gt;")
    default = default_text(field).replace("|", "\\|")
    return (
        f"| `{'.'.join(path)}` | {type_name(field.annotation)} | "
        f"{f'`{default}`' if default else ''} | {_env(path)} | {description} |"
    )


def rows(with_flags: bool = True) -> dict[str, list[tuple[tuple[str, ...], FieldInfo, str]]]:
    """Section name ("" for the top level) -> (path, field, description) of every setting:
    the field's comment in the source, else the help of the flag that sets it."""
    out: dict[str, list[tuple[tuple[str, ...], FieldInfo, str]]] = {}
    top = comments(Settings)
    for section, model in _sections():
        if model is None:
            out[""] = [
                ((name,), field, top.get(name, ""))
                for name, field in Settings.model_fields.items()
                if not (
                    isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
                )
            ]
            continue
        notes = comments(model)
        out[section] = [
            ((section, name), field, notes.get(name, ""))
            for name, field in model.model_fields.items()
        ]
    if with_flags:
        flags = flag_help()
        for section, entries in out.items():
            out[section] = [
                (path, field, note or flags.get(".".join(path), ""))
                for path, field, note in entries
            ]
    return out


def page() -> str:
    lines = [
        "# Settings",
        "",
        "Every setting, read from the settings models when this site is built. Values merge,",
        "lowest to highest: the defaults below < `configs/<profile>.toml` < environment",
        "variables < command-line flags. `credit config show` prints the effective value of",
        "each one and where it came from.",
        "",
        "In a profile file a setting `section.key` is `key` under `[section]`; in the",
        "environment it is `CREDIT_SECTION__KEY`. Lists and tables are written as JSON in",
        "the environment.",
        "",
    ]
    header = [
        "| setting | type | default | environment | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    for section, entries in rows().items():
        title = f"`[{section}]`" if section else "Top level"
        lines += [f"## {title}", "", *header]
        lines += [_row(path, field, note) for path, field, note in entries]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
