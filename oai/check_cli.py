"""The ``oai check URL`` command: its options, and the exit codes a CI job reads.

Kept apart from :mod:`oai.cli` because the checker is a client of any endpoint:
this module imports :mod:`oai.check` only when the command runs, so the other
commands do not pay for loading it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _check_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter("an http:// or https:// URL is needed", ctx, param)
    if parts.query or parts.fragment:
        raise click.BadParameter("give the baseURL, without ?verb=... or #...", ctx, param)
    return value


def _schemas_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None and not (value / "catalog.xml").is_file():
        raise click.BadParameter(f"{value} has no catalog.xml", ctx, param)
    return value


@click.command()
@click.argument("url", callback=_check_url)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Seconds to wait between requests.",
)
@click.option(
    "--max-records",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    help="Items to follow in each list before stopping.",
)
@click.option(
    "--max-sets",
    type=click.IntRange(0),
    default=10,
    show_default=True,
    help="Sets harvested one by one to check their members.",
)
@click.option(
    "--schemas",
    "schemas_dir",
    default=None,
    callback=_schemas_dir,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder with catalog.xml mapping schema URLs to local files.",
)
@click.option(
    "--offline", is_flag=True, help="Never download a schema; one not found locally is a warning."
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=60.0,
    show_default=True,
    help="Seconds to wait for each response.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--all", "show_all", is_flag=True, help="Print every failure, not 5 per check.")
def check(
    url: str,
    delay: float,
    max_records: int,
    max_sets: int,
    schemas_dir: Path | None,
    offline: bool,
    timeout: float,
    as_json: bool,
    show_all: bool,
) -> None:
    """Check the OAI-PMH endpoint at URL: exit 0 if nothing failed, 1 if something did,
    2 if URL could not be reached or is not an OAI-PMH endpoint."""
    import json

    from .check import NotAnEndpoint, Options, Unreachable, report, run
    from .check.progress import Progress

    options = Options(url, delay, max_records, max_sets, schemas_dir, offline, timeout)
    try:
        with Progress(sys.stderr) as progress:
            result = run(options, progress.phase, progress.request)
    except (Unreachable, NotAnEndpoint) as exc:
        if as_json:
            click.echo(json.dumps({"url": url, "unreachable": str(exc)}, indent=2))
        else:
            click.echo(f"Error: {url} could not be checked: {exc}", err=True)
        sys.exit(2)
    click.echo(report.as_json(result) if as_json else report.text(result, show_all), nl=False)
    sys.exit(result.exit_code())
