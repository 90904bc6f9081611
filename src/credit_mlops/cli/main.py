"""The `credit` application: commands, global options and the one error mapping."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from credit_mlops import __version__
from credit_mlops.cli.commands import config as config_cmd
from credit_mlops.cli.commands import data as data_cmd
from credit_mlops.cli.commands import lifecycle
from credit_mlops.cli.commands import server as server_cmd
from credit_mlops.cli.commands.compare import compare
from credit_mlops.cli.commands.train import train


class CreditGroup(TyperGroup):
    """Maps errors to exit codes in one place: CreditError -> one line + its code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        from credit_mlops.errors import CreditError

        try:
            return super().invoke(ctx)
        except CreditError as exc:
            from credit_mlops.cli.render import console as render

            render.error(str(exc), debug=_debug(ctx))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            from credit_mlops.cli.render import console as render

            render.error("interrupted", debug=False)
            raise typer.Exit(130) from None


def _debug(ctx: typer.Context) -> bool:
    return bool(ctx.meta.get("credit.debug")) or os.environ.get("CREDIT_DEBUG", "") not in ("", "0")


app = typer.Typer(
    cls=CreditGroup,
    name="credit",
    help="Train, track, register, promote and compare credit-risk models on MLflow.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
    add_completion=False,
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


app.command(no_args_is_help=False)(train)
app.command(no_args_is_help=True)(lifecycle.register)
app.command(no_args_is_help=True)(lifecycle.promote)
app.command(no_args_is_help=True)(lifecycle.evaluate)
app.command(no_args_is_help=True)(lifecycle.predict)
app.command()(compare)
app.command()(lifecycle.sync)
app.add_typer(config_cmd.app, name="config")
app.add_typer(data_cmd.app, name="data")
app.add_typer(server_cmd.app, name="server")


def main() -> None:
    app()
