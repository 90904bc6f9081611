"""The layout's rules, checked on the source: MLflow behind one door, no process-wide state
changed outside a scoped block, commands loaded lazily, and each file small."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "credit_mlops"
TRACKING = SRC / "tracking"


def modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def imported_names(path: Path) -> set[str]:
    """Every module an `import` or `from … import` in the file names (at any depth)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_scan_sees_mlflow_where_it_is_imported() -> None:
    # the scan itself works: tracking/ does import mlflow
    assert any(
        n == "mlflow" or n.startswith("mlflow.")
        for p in TRACKING.rglob("*.py")
        for n in imported_names(p)
    )


def test_mlflow_is_imported_only_under_tracking() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in modules()
        if TRACKING not in p.parents
        and any(n == "mlflow" or n.startswith("mlflow.") for n in imported_names(p))
    ]
    assert offenders == []


def test_no_module_outside_tracking_reaches_for_a_client() -> None:
    offenders = []
    for p in modules():
        if TRACKING in p.parents:
            continue
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("client", "_client"):
                offenders.append(f"{p.relative_to(SRC)}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id == "MlflowClient":
                offenders.append(f"{p.relative_to(SRC)}:{node.lineno}")
    assert offenders == []


def _environ_writes(path: Path) -> list[int]:
    """Lines that assign to, update, pop from or setdefault on os.environ."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        target = None
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            target = next((t for t in targets if isinstance(t, ast.Subscript)), None)
            target = target.value if target is not None else None
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "pop", "setdefault", "clear", "putenv")
        ):
            target = node.func.value
        if target is not None and ast.unparse(target) in ("os.environ", "environ", "os"):
            lines.append(node.lineno)
    return lines


def test_environment_is_written_only_by_the_scoped_block() -> None:
    writes = {str(p.relative_to(SRC)): lines for p in modules() if (lines := _environ_writes(p))}
    assert list(writes) == ["config/environ.py"]  # scoped_environ, and nothing else
    assert _environ_writes(Path(__file__)) == []


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, its docstring and signature not counted."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:] or body
    return (node.end_lineno or node.lineno) - body[0].lineno + 1


def test_no_module_over_300_lines_and_no_function_over_60() -> None:
    sizes = {str(p.relative_to(SRC)): len(p.read_text().splitlines()) for p in modules()}
    long_functions = []
    for p in modules():
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and body_lines(node) > 60:
                long_functions.append(f"{p.relative_to(SRC)}:{node.name}")
    # "about 300": a module past 330 lines is doing two jobs
    assert {name: n for name, n in sizes.items() if n > 330} == {}
    assert long_functions == []


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _commands(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith("credit_mlops.cli.commands."))


def test_root_help_loads_no_command_module() -> None:
    code = (
        "from credit_mlops.cli.main import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert _commands(loaded_after(code)) == []


def test_train_help_loads_only_the_train_command() -> None:
    code = (
        "from credit_mlops.cli.main import app\n"
        "try:\n    app(['train', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert _commands(loaded_after(code)) == ["credit_mlops.cli.commands.train"]


@pytest.mark.parametrize("name", ["train", "promote", "compare", "config", "server"])
def test_listed_summary_is_the_commands_own_help(name: str) -> None:
    import typer

    from credit_mlops.cli.main import COMMANDS, app

    group = typer.main.get_command(app)
    command = group.get_command(None, name)  # type: ignore[arg-type]
    assert command is not None
    assert command.get_short_help_str(limit=200) == COMMANDS[name].summary


def test_every_listed_summary_matches() -> None:
    import typer

    from credit_mlops.cli.main import COMMANDS, app

    group = typer.main.get_command(app)
    for name, lazy in COMMANDS.items():
        command = group.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None, name
        assert command.get_short_help_str(limit=200) == lazy.summary, name


def test_no_exit_code_is_set_on_an_instance() -> None:
    offenders = [
        f"{p.relative_to(SRC)}:{node.lineno}"
        for p in modules()
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Attribute) and t.attr == "exit_code" for t in node.targets)
    ]
    assert offenders == []


def test_exit_codes_belong_to_the_classes() -> None:
    from credit_mlops import errors

    assert errors.CheckFailedError("x").exit_code == 5
    assert errors.error_for_exit_code(5) is errors.CheckFailedError
    assert errors.error_for_exit_code(3) is errors.TrackingUnreachableError
    assert errors.error_for_exit_code(4) is errors.AuthError
    assert errors.error_for_exit_code(2) is errors.InputError
    assert errors.error_for_exit_code(1) is errors.TrackingError


def _area(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _signatures_with_any() -> set[tuple[str, str]]:
    """(module, name) of top-level functions and classes whose signature or fields say Any."""
    out: set[tuple[str, str]] = set()
    for p in modules():
        module = "credit_mlops." + ".".join(p.relative_to(SRC).with_suffix("").parts)
        for node in ast.parse(p.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                annotations = [a.annotation for a in args] + [node.returns]
            elif isinstance(node, ast.ClassDef):
                annotations = [s.annotation for s in node.body if isinstance(s, ast.AnnAssign)]
            else:
                continue
            # IO[Any] is typeshed's type of a file open in either mode, not a loose value.
            texts = [ast.unparse(a).replace("IO[Any]", "IO") for a in annotations if a is not None]
            if any("Any" in text for text in texts):
                out.add((module, node.name))
    return out


def test_no_any_on_a_boundary_between_areas() -> None:
    """What one area imports from another is typed: records and protocols, never Any."""
    loose = _signatures_with_any()
    assert loose  # the scan finds Any where it is allowed (inside an area)
    crossing = []
    for p in modules():
        for node in ast.walk(ast.parse(p.read_text())):
            if not (isinstance(node, ast.ImportFrom) and node.module):
                continue
            parts = node.module.split(".")
            if parts[0] != "credit_mlops" or len(parts) < 3 or parts[1] == _area(p):
                continue
            crossing += [
                f"{_area(p)} <- {node.module}.{alias.name}"
                for alias in node.names
                if (node.module, alias.name) in loose
            ]
    assert crossing == []
