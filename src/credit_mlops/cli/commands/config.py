"""`credit config show`: the effective settings and where each value came from."""

from __future__ import annotations

import typer

from credit_mlops.cli.options import Json, Profile

app = typer.Typer(help="Inspect settings.", no_args_is_help=True)


@app.command("show")
def show(profile: Profile = None, json_out: Json = False) -> None:
    """Print every setting with its source (default, profile file, env var, flag)."""
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console, misc
    from credit_mlops.data.described import shown_rows

    settings = settings_from(profile)
    rows = settings.rows()
    rows.extend(shown_rows(settings.data.description, settings.root))
    rows.append(("tracking.uri (effective)", settings.tracking_uri_shown, "derived"))
    if json_out:
        console.emit_json(
            {
                "profile": settings.profile,
                "file": str(settings.profile_file or ""),
                "settings": [{"key": k, "value": v, "source": s} for k, v, s in rows],
            }
        )
        return
    misc.settings_table(rows, settings.profile, str(settings.profile_file or "") or None)
