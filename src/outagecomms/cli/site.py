"""``outagecomms site build``: the static status page from the incidents in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outagecomms.cli.app import JsonOption, ProjectOption, app, console, emit_json, project
from outagecomms.cli.options import DatabaseOption

site_app = typer.Typer(
    name="site",
    help="The static status page: HTML, an Atom feed and summary.json, for separate hosting.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(site_app, name="site")


@site_app.command("build")
def build(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            envvar="OUTAGECOMMS_SITE_DIR",
            help="The directory to write the site into (created if missing).",
            file_okay=False,
        ),
    ],
    lang: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            envvar="OUTAGECOMMS_SITE_LANGUAGE",
            help="A language to build, the first at the root, others in their folders; "
            "repeatable (default: every language the project speaks, default_language at /).",
            show_default=False,
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            envvar="OUTAGECOMMS_SITE_TIMEZONE",
            help="Time zone of the times shown (default: each language's site channel's, "
            "else its customer channel's, else timezone).",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            envvar="OUTAGECOMMS_SITE_NAME",
            help="The page's name (default: 'Service status' in the site's language).",
            show_default=False,
        ),
    ] = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Write index.html, a page per incident, feed.atom and summary.json into --out, for
    each language: the first at the root, the others in their folders (fa/, uk/, ...).

    Every file is replaced atomically, so a web server never serves a half-written page.
    """
    from outagecomms.incidents import open_project_store
    from outagecomms.site.build import build_sites
    from outagecomms.site.languages import site_configs

    loaded = project(project_dir)
    configs = site_configs(loaded, languages=lang or (), timezone=timezone, name=name)
    store = open_project_store(loaded, database_url)
    try:
        result = build_sites(loaded, store, out, configs)
    finally:
        store.close()
    if json_output:
        emit_json(result.as_json())
        return
    trees = ", ".join(f"{c.lang} at /{c.folder}" for c in configs)
    console().print(
        f"Status page written to {out}: {result.open} open and {result.resolved} resolved "
        f"incident(s), {len(result.files)} files; {trees}."
    )
