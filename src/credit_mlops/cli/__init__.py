"""The Typer CLI: thin commands over `credit_mlops.workflows`; `render` is the only printer."""
