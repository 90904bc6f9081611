"""Every `--flag` that a message of the promote area names exists: advice to pass a flag the
command does not have (`--metric`) sends the user to a second error."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "credit_mlops"
PROMOTE_AREA = (
    "lifecycle/promotion.py",
    "lifecycle/promote.py",
    "fairness/gate.py",
    "fairness/promote.py",
    "cli/commands/promote.py",
)
# flags of other commands a promote message may name, with the command that has them
ELSEWHERE = {"--no-evaluate": "train"}
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def options(command: str) -> set[str]:
    import typer

    from credit_mlops.cli.main import app

    group = typer.main.get_command(app)
    found = group.get_command(None, command)  # type: ignore[arg-type]
    assert found is not None, command
    return {opt for param in found.params for opt in (*param.opts, *param.secondary_opts)}


def flags_named(path: Path) -> set[str]:
    """The `--flags` in the string literals (f-string parts included) of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    return {flag for text in texts for flag in FLAG.findall(text)}


@pytest.mark.parametrize("module", PROMOTE_AREA)
def test_every_flag_a_promote_message_names_exists(module: str) -> None:
    promote = options("promote")
    for flag in sorted(flags_named(SRC / module)):
        where = ELSEWHERE.get(flag, "promote")
        have = promote if where == "promote" else options(where)
        assert flag in have, f"{module} names {flag}, which `credit {where}` does not have"


def test_the_check_finds_a_flag_that_does_not_exist(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('X = f"name a metric with --metric, or use --force ({1})"\n')
    assert flags_named(module) == {"--metric", "--force"}
    assert "--metric" not in options("promote")
