"""The `credit` application: the command table, global options and the one error mapping.

Commands are loaded lazily: `credit --help` imports no command module, `credit train --help`
imports only `cli/commands/train.py`. Adding a command is one file in `cli/commands/` and
one line in COMMANDS.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer import _click as click  # Typer vendors click; TyperGroup speaks its types
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from credit_mlops import __version__
from credit_mlops.cli.os_errors import os_error_line
from credit_mlops.processes import interrupts


@dataclass(frozen=True)
class Lazy:
    """A command as "module:attribute" (a function or a Typer sub-app), with its summary.

    The summary is what `credit --help` lists without importing the module; a test checks
    that it is the first line of the command's own help.
    """

    target: str
    summary: str
    no_args_is_help: bool = False


_PKG = "credit_mlops.cli.commands"
COMMANDS: dict[str, Lazy] = {
    "train": Lazy(
        f"{_PKG}.train:train", "Cross-validate, fit, log and register credit-risk models."
    ),
    "register": Lazy(
        f"{_PKG}.register:register", "Register the model of a run as a new version.", True
    ),
    "promote": Lazy(
        f"{_PKG}.promote:promote",
        "Move a version to a stage (and alias), with a metric gate.",
        True,
    ),
    "evaluate": Lazy(
        f"{_PKG}.evaluate:evaluate",
        "Score a model on its holdout or a file, with costs and plots.",
        True,
    ),
    "predict": Lazy(
        f"{_PKG}.predict:predict", "Score applicants: P(bad) and accept or reject.", True
    ),
    "scorecard": Lazy(
        f"{_PKG}.scorecard:scorecard", "Show a scorecard model's points table.", True
    ),
    "explain": Lazy(
        f"{_PKG}.explain:explain",
        "What drives a model: mean |SHAP| per original column, with plots.",
        True,
    ),
    "fairness": Lazy(
        f"{_PKG}.fairness:fairness",
        "Is the model fair: group metrics, parity and the four-fifths rule.",
        True,
    ),
    "monitor": Lazy(
        f"{_PKG}.monitor:monitor",
        "Population stability: PSI of the score and every column against training.",
        True,
    ),
    "report": Lazy(
        f"{_PKG}.report:report", "Write a model card (Markdown and one self-contained HTML).", True
    ),
    "serve": Lazy(
        f"{_PKG}.serve:serve",
        "Serve decisions over HTTP: one applicant or many, with reasons, journaled.",
    ),
    "compare": Lazy(f"{_PKG}.compare:compare", "Which model is best, and how sure are we."),
    "tune": Lazy(f"{_PKG}.tune:tune", "Search a model's hyperparameters with Optuna.", True),
    "sync": Lazy(f"{_PKG}.sync:sync", "Upload the runs kept while the tracking server was away."),
    "config": Lazy(f"{_PKG}.config:app", "Inspect settings."),
    "data": Lazy(f"{_PKG}.data:app", "Obtain, describe, check or synthesise data."),
    "server": Lazy(f"{_PKG}.server:app", "Run a local team tracking server (start, stop, status)."),
}


def load_command(name: str, lazy: Lazy) -> click.Command:
    """Import the command's module and build its click command."""
    module, _, attribute = lazy.target.partition(":")
    obj = getattr(importlib.import_module(module), attribute)
    # Built as the root would build it: its help style, no completion options.
    parent = typer.Typer(rich_markup_mode=None, add_completion=False)
    if isinstance(obj, typer.Typer):
        parent.add_typer(obj, name=name)
        group = typer.main.get_command(parent)
        assert isinstance(group, TyperGroup)
        command = group.commands[name]
    else:
        parent.command(name=name, no_args_is_help=lazy.no_args_is_help)(obj)
        command = typer.main.get_command(parent)
    command.name = name
    return command


class _LazyCommands(MutableMapping[str, click.Command]):
    """The group's command mapping: every name of COMMANDS, each built on first access."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = load_command(name, COMMANDS[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class CreditGroup(TyperGroup):
    """Loads commands on use and maps errors to exit codes in one place."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table: no command module is imported for it."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, lazy.summary) for name, lazy in COMMANDS.items()])

    def invoke(self, ctx: click.Context) -> Any:
        from credit_mlops.errors import CreditError

        given = [*ctx._protected_args, *ctx.args]  # the command's words, before parsing
        try:
            return super().invoke(ctx)
        except CreditError as exc:
            from credit_mlops.cli.render.console import error

            error(str(exc), debug=_debug(ctx))
            raise typer.Exit(exc.exit_code) from None
        except click_errors.NoArgsIsHelpError:
            raise  # a command called bare shows its help
        except click_errors.UsageError as exc:  # the parser's own: a bad flag, value or command
            from credit_mlops.cli.render.console import error

            # One line, like every other refusal, rather than click's usage block.
            error(_usage_line(exc, ctx, given), debug=False)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            line = os_error_line(exc)
            if line is None:
                raise
            from credit_mlops.cli.render.console import error

            error(line[0], debug=_debug(ctx))
            raise typer.Exit(line[1]) from None
        except KeyboardInterrupt:
            from credit_mlops.cli.render.console import error

            error("interrupted", debug=False)
            interrupts.wind_down()
            raise typer.Exit(130) from None
        finally:
            interrupts.settle()  # the exit code is decided; shutdown is not interruptible


def _usage_line(exc: click_errors.UsageError, ctx: click.Context, given: list[str]) -> str:
    """The parser's refusal as one line naming where `--help` lists what it expected."""
    if exc.ctx is not None:
        where = exc.ctx.command_path
    else:  # raised before the command's own context existed
        where = " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))
    # typer reads some values through pydantic, whose refusals start "Value error, "
    message = exc.format_message().replace(": Value error, ", ": ", 1)
    negative = _negative_number(exc, given)
    if negative:  # `--explain -3`: the parser reads a negative count as flags
        message = (
            f"{negative} is not a flag, and a count given after one (as in --explain K) must "
            "be a positive whole number"
        )
    what = "commands" if message.startswith("No such command") else "options"
    return f"{message} ({where} --help lists the {what})"


_NEGATIVE = re.compile(r"-[0-9]+(\.[0-9]*)?")


def _negative_number(exc: click_errors.UsageError, given: list[str]) -> str | None:
    """The word the user typed when the parser took a negative number for short flags
    (`-12` is refused as the flag `-1`)."""
    if not isinstance(exc, click_errors.NoSuchOption) or exc.option_name[1:2] == "-":
        return None
    for word in given:
        if _NEGATIVE.fullmatch(word) and word.startswith(exc.option_name):
            return word
    return None


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.meta.get("credit.debug")) or os.environ.get("CREDIT_DEBUG", "") not in ("", "0")


app = typer.Typer(
    cls=CreditGroup,
    name="credit",
    help="Train, track, register, promote and compare credit-risk models on MLflow.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
    add_completion=True,  # credit --install-completion
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"credit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for errors (or CREDIT_DEBUG=1).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Train, track, register, promote and compare credit-risk models on MLflow."""
    ctx.meta["credit.debug"] = debug
    from credit_mlops.kept_files import forget_reads
    from credit_mlops.standard_output import check_open

    forget_reads()  # a new command (CliRunner runs many in one process) has read nothing yet
    check_open()  # every command writes its results there: a closed one is said first


def main() -> None:
    import warnings

    from credit_mlops.config.environ import scoped_environ

    interrupts.own_process()
    # pyspark (the spark extra) warns under pandas 3 each time a library probes for it
    # (MLflow does): lines on stderr that would bury our one-line messages.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    # MLflow (3.x) sends usage telemetry to its vendor from a thread, unless told not to. A
    # credit team's tool contacts nothing the team did not configure: off for the command
    # (and the processes it starts) unless the user set MLFLOW_DISABLE_TELEMETRY or
    # DO_NOT_TRACK themselves.
    chosen = {"MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK"} & set(os.environ)
    with scoped_environ({} if chosen else {"MLFLOW_DISABLE_TELEMETRY": "true"}):
        _guarded(app)


def _guarded(run: Any) -> None:
    """Standard output checked before anything is parsed, `--help` and `--version`
    included (they print while the flags are read, before any command's own guard), and
    their output refused by a full device said in one line."""
    from credit_mlops.cli.render.console import error
    from credit_mlops.errors import CreditError
    from credit_mlops.standard_output import check_open

    try:
        check_open()
        run()
    except CreditError as exc:
        error(str(exc), debug=False)
        sys.exit(exc.exit_code)
    except OSError as exc:
        line = os_error_line(exc)
        if line is None:
            raise
        error(line[0], debug=False)
        sys.exit(line[1])
