"""The command reference, read from the click tree of the `credit` application itself.

The application loads its commands lazily; walking the tree through the group's own
`get_command` loads each one exactly as `credit <command> --help` would, so the page always
shows the options the installed code accepts.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Iterator
from dataclasses import dataclass

import typer
from typer._click.core import Command, Context  # Typer vendors click
from typer.core import TyperArgument, TyperGroup

from credit_mlops.cli.main import app


@dataclass(frozen=True)
class Entry:
    path: tuple[str, ...]  # ("credit", "data", "fetch")
    command: Command
    ctx: Context


def root() -> Command:
    # The real entry point, as installed: completion options included when the app has them.
    return typer.main.get_command(app)


def walk(
    command: Command | None = None, parent: Context | None = None, name: str = "credit"
) -> Iterator[Entry]:
    """Every command and sub-command, depth first, in the order `--help` lists them."""
    command = command or root()
    ctx = Context(command, info_name=name, parent=parent)
    path = (*parent.command_path.split(), name) if parent else (name,)
    yield Entry(path, command, ctx)
    if isinstance(command, TyperGroup):
        for sub in command.list_commands(ctx):
            child = command.get_command(ctx, sub)
            if child is not None and not child.hidden:
                yield from walk(child, ctx, sub)


def _cell(text: str) -> str:
    """One table cell: one line, pipes escaped, angle brackets shown rather than parsed."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _code_cell(text: str) -> str:
    """Code in a table cell: HTML, since a pipe escaped inside backticks shows its backslash."""
    text = html.escape(" ".join(text.split()), quote=False).replace("|", "&#124;")
    return f"<code>{text}</code>"


def _options(entry: Entry) -> list[str]:
    rows = []
    for param in entry.command.get_params(entry.ctx):
        if isinstance(param, TyperArgument) or getattr(param, "hidden", False):
            continue
        record = param.get_help_record(entry.ctx)
        if record is None:
            continue
        opts, help_text = record
        rows.append(f"| {_code_cell(opts)} | {_cell(help_text)} |")
    if not rows:
        return []
    return ["| option | what it does |", "| --- | --- |", *rows, ""]


def _arguments(entry: Entry) -> list[str]:
    rows = []
    for param in entry.command.params:
        if isinstance(param, TyperArgument):
            need = "required" if param.required else "optional"
            help_text = getattr(param, "help", None) or ""
            label = (param.name or "").upper()
            rows.append(f"| `{label}` | {need} | {_cell(help_text)} |")
    if not rows:
        return []
    return ["| argument | | what it is |", "| --- | --- | --- |", *rows, ""]


def section(entry: Entry) -> list[str]:
    name = " ".join(entry.path)
    usage = " ".join([name, *entry.command.collect_usage_pieces(entry.ctx)])
    level = "#" * min(len(entry.path) + 1, 4)
    help_text = inspect.cleandoc(entry.command.help or "")
    lines = [f"{level} `{name}`", "", help_text, "", "```text", usage, "```", ""]
    if isinstance(entry.command, TyperGroup):
        subs = entry.command.list_commands(entry.ctx)
        if subs and len(entry.path) > 1:
            lines += [", ".join(f"`{name} {s}`" for s in subs), ""]
    return lines + _arguments(entry) + _options(entry)


def page() -> str:
    entries = list(walk())
    lines = [
        "# Commands",
        "",
        "Every command and option of `credit`, read from the application itself when this",
        "site is built. `credit COMMAND --help` prints the same text in a terminal.",
        "",
        "Exit codes: 0 success · 1 unexpected failure · 2 bad input (flags, data, settings,",
        "unknown names) · 3 tracking server or storage unreachable · 4 authentication or",
        "permission refused · 5 a check you asked to fail on did fail · 130 interrupted.",
        "",
    ]
    for entry in entries:
        lines += section(entry)
    return "\n".join(lines).rstrip() + "\n"
