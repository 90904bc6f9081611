"""The Typer CLI: thin commands (`commands/`) over the library; `render/` is the only printer."""
