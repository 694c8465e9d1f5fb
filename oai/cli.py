"""The ``oai`` command: serve, load, delete, import, stats, db (check: :mod:`oai.check_cli`);
each parses, calls one function, prints."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from .check_cli import check
from .config import PACKAGE_DIR, ConfigError, display_url


def _state() -> Any:
    """The process state (settings, engines); config and schema errors become one-line errors."""
    from . import create_app
    from .store.schema import SchemaError

    try:
        state = create_app().extensions["oai"]
    except (ConfigError, SchemaError) as exc:
        raise click.ClickException(str(exc)) from None
    except OperationalError as exc:
        raise click.ClickException(_cannot_open(exc)) from None
    # Close the connections when the command ends (it may run in-process, as in tests).
    context = click.get_current_context()
    context.call_on_close(state.engine.dispose)
    context.call_on_close(state.read_engine.dispose)
    return state


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _cannot_open(exc: OperationalError, url: str | None = None) -> str:
    """One line naming the database that could not be opened, and why."""
    if url is None:
        from . import _configure

        url = _configure()[1].database_url  # the settings were read fine a moment ago
    return f"cannot open the database {display_url(url)}: {_first_line(exc.orig)}"


class _Commands(click.Group):
    """Commands whose database errors (locked, unreachable) end in one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:  # OperationalError included
            raise click.ClickException(f"database error: {_first_line(exc.orig)}") from None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("oai-endpoint")
    except PackageNotFoundError:
        return "unknown (the oai-endpoint package is not installed)"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"oai {_version()}")
        ctx.exit()


def _readme() -> str:
    """Where a user of this installation reads the documentation."""
    # A wheel carries README.md inside the package (pyproject.toml); a checkout has it beside.
    for path in (PACKAGE_DIR / "README.md", PACKAGE_DIR.parent / "README.md"):
        if path.is_file():
            return str(path)
    return "README.md of the oai-endpoint source (not installed here)"


@click.group(cls=_Commands, epilog=f"Documentation: {_readme()}")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print the installed version and exit.",
)
def main() -> None:
    """An OAI-PMH 2.0 data provider.

    \b
    Settings are OAI_* environment variables, or NAME=value lines (or TOML)
    in the file OAI_CONFIG_FILE names; the environment wins. The main ones:
      OAI_DATABASE_URL   sqlite:///path or postgresql+psycopg://...
                         (default: oai.sqlite in the instance folder;
                         every command prints the one it uses)
      OAI_BASE_URL       the public baseURL (default: from the request)
      OAI_PAGE_SIZE      records per list page (default 100)
      OAI_ACCESS_LOG     - (standard output) or a file (default: none)
    """


def _say_database(state: Any, err: bool = False) -> None:
    """Name the database a command works on: the default one moves with the install."""
    click.echo(f"database: {display_url(state.settings.database_url)}", err=err)


def _lines(stream: IO[bytes], bar: Any) -> Iterator[bytes]:
    for line in stream:
        if bar is not None:
            bar.update(len(line))
        yield line


#: Files larger than this load through worker processes (on a machine with several cores).
PARALLEL_BYTES = 16 * 1024 * 1024


def _jobs(state: Any, size: int, jobs: int | None) -> int:
    """Worker processes for a file of ``size`` bytes: ``--jobs`` if given, else by size."""
    from sqlalchemy.engine import make_url

    from .store.parallel import default_jobs

    url = make_url(state.settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return 0  # workers could not see a private in-memory database
    if jobs is not None:
        return jobs
    return default_jobs() if size > PARALLEL_BYTES else 0


def _load_stream(state: Any, loader: Any, name: str, lines: Iterator[bytes], jobs: int) -> None:
    from .store.loader import numbered_lines
    from .store.parallel import load_lines

    if jobs:
        load_lines(loader, name, lines, state.settings.database_url, jobs)
        return
    for number, line in numbered_lines(name, lines):
        loader.add(name, number, line)


def load_files(state: Any, paths: list[str], progress: bool, jobs: int | None = None) -> Any:
    """Load every file in one transaction; a bad line rolls all of it back."""
    from .store import refresh_statistics, release_journal

    report = _load_all(state, paths, progress, jobs)
    refresh_statistics(state.engine, report.added + report.updated)
    release_journal(state.engine)
    return report


def _load_all(state: Any, paths: list[str], progress: bool, jobs: int | None) -> Any:
    from .store import prepare_bulk_load
    from .store.loader import Loader, LoadError

    with Session(state.engine) as session, session.begin():
        loader = Loader(session, fresh=prepare_bulk_load(session))
        for path in paths:
            name = "<stdin>" if path == "-" else path
            try:
                stream: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
            except OSError as exc:
                raise click.ClickException(f"{path}: {exc.strerror}") from None
            size = os.fstat(stream.fileno()).st_size if path != "-" else 0
            show = progress and size > 1_000_000 and sys.stderr.isatty()
            workers = _jobs(state, size, jobs)
            try:
                if show:
                    with click.progressbar(length=size, label=name, file=sys.stderr) as bar:
                        _load_stream(state, loader, name, _lines(stream, bar), workers)
                else:
                    _load_stream(state, loader, name, _lines(stream, None), workers)
            except LoadError as exc:
                raise click.ClickException(str(exc)) from None
            finally:
                if path != "-":
                    stream.close()
        return loader.finish()


def fixture_files(state: Any) -> list[str]:
    """The bundled fixtures' record files, wherever the package is installed."""
    return sorted(str(p) for p in Path(state.settings.fixtures).glob("*.jsonl"))


@main.command()
@click.argument("files", nargs=-1)
@click.option(
    "--fixtures",
    is_flag=True,
    help="Load the bundled fixtures (the seed issue) too, into any database.",
)
@click.option(
    "--jobs",
    type=click.IntRange(0, 64),
    default=None,
    help="Worker processes that parse and render (0: none). Default: one per core "
    "for files over 16 MB.",
)
def load(files: tuple[str, ...], fixtures: bool, jobs: int | None) -> None:
    """Load records and set declarations from JSON Lines FILES ('-' reads standard input)."""
    if not files and not fixtures:
        raise click.UsageError("name the FILES to load, or --fixtures for the bundled ones")
    state = _state()
    paths = (fixture_files(state) if fixtures else []) + list(files)
    report = load_files(state, paths, progress=True, jobs=jobs)
    _say_database(state)
    click.echo(
        f"loaded {report.lines} lines: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.sets} set declarations"
    )


@main.command()
@click.argument("identifiers", nargs=-1, required=True)
def delete(identifiers: tuple[str, ...]) -> None:
    """Mark records deleted; they stay harvestable as deleted headers."""
    from .store.loader import LoadError, mark_deleted

    state = _state()
    try:
        with Session(state.engine) as session, session.begin():
            count = mark_deleted(session, identifiers)
    except LoadError as exc:
        raise click.ClickException(str(exc)) from None
    _say_database(state)
    click.echo(f"marked {count} record(s) deleted")


@main.group("import")
def import_() -> None:
    """Load a journal's own files as article records, in one transaction as `oai load` does."""


def _import(paths: tuple[str, ...], dry_run: bool, source: str) -> None:
    from . import importers

    state = _state()
    find, read = {
        "crossref": (importers.crossref_inputs, importers.read_crossref),
        "jats": (importers.jats_inputs, importers.read_jats),
    }[source]
    try:
        inputs = find(list(paths))
        total = sum(item.size for item in inputs)

        def run(tick: Any = lambda count: None) -> Any:
            return importers.import_files(
                state.engine,
                state.settings.repository_identifier,
                inputs,
                read,
                dry_run=dry_run,
                tick=tick,
            )

        if (total > 1_000_000 or len(inputs) > 100) and sys.stderr.isatty():
            label = f"import {source}"
            with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
                report = run(bar.update)
        else:
            report = run()
    except importers.SourceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())


_DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Import, report the counts, then roll back: nothing is written."
)


@import_.command("crossref")
@click.argument("files", nargs=-1, required=True)
@_DRY_RUN
def import_crossref(files: tuple[str, ...], dry_run: bool) -> None:
    """Crossref deposit XML (doi_batch 4.x, 5.x) and REST API JSON (a work, a works list,
    JSON Lines of works) in FILES ('-' reads standard input)."""
    _import(files, dry_run, "crossref")


@import_.command("jats")
@click.argument("paths", nargs=-1, required=True)
@_DRY_RUN
def import_jats(paths: tuple[str, ...], dry_run: bool) -> None:
    """JATS article XML (front matter) in each FILE, and every *.xml under each DIR."""
    _import(paths, dry_run, "jats")


@main.command()
def stats() -> None:
    """Counts of records, deleted records, sets and formats."""
    from .formats import FORMATS
    from .store import queries

    state = _state()
    with Session(state.engine) as session:
        counts = queries.counts(session)
    _say_database(state)
    click.echo(
        f"records: {counts.records}\ndeleted: {counts.deleted}\n"
        f"sets: {counts.sets}\nformats: {len(FORMATS)} ({', '.join(f.prefix for f in FORMATS)})"
    )


def bootstrap(state: Any) -> int:
    """Load the bundled fixtures into an empty database; the number of lines loaded."""
    from .store import queries

    with Session(state.engine) as session:
        if queries.counts(session).records:
            return 0
    files = fixture_files(state)
    if not files:
        return 0
    return int(load_files(state, files, progress=False).lines)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve /oai with gunicorn; an empty database gets the bundled fixtures first."""
    from .server import port_problem, run
    from .store.schema import lock

    problem = port_problem(host, port)  # before gunicorn, which retries for seconds
    if problem is not None:
        raise click.ClickException(problem)
    state = _state()
    _say_database(state, err=True)
    with lock(state.engine):  # nodes starting together seed an empty database once
        loaded = bootstrap(state)
    if loaded:
        click.echo(f"loaded {loaded} fixture lines into the empty database", err=True)
    state.engine.dispose()
    click.echo(f"serving http://{host}:{port}/oai with {workers} worker(s)", err=True)
    run(host, port, workers, access_log=state.settings.access_log)


@main.group()
def db() -> None:
    """The database schema: its revision, and migrating it to this version of oai."""


def _primary() -> Any:
    """An engine on the primary database, opened without the schema check ``_state`` makes."""
    from . import _configure
    from .store import make_engine

    try:
        _, settings = _configure()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return make_engine(settings.database_url)


@db.command()
def current() -> None:
    """Print the schema revision of the database and the one this version needs."""
    from .store import schema

    engine = _primary()
    url = engine.url.render_as_string(hide_password=False)
    try:
        with engine.connect() as connection:
            state = schema.status(connection)
    except OperationalError as exc:
        raise click.ClickException(_cannot_open(exc, url)) from None
    finally:
        engine.dispose()
    click.echo(f"database: {display_url(url)}\nschema: {schema.describe(state)}")


@db.command()
def upgrade() -> None:
    """Migrate the database's schema to this version of oai (creates it when empty), then
    render the stored records in any format this version adds or renders differently.

    On PostgreSQL it first creates the schema the URL's search_path names, if missing.
    """
    from .store import pages, schema, search_path

    engine = _primary()
    url = engine.url.render_as_string(hide_password=False)
    try:
        created = search_path.create(engine)
        before, after = schema.upgrade(engine)
        click.echo(f"database: {display_url(url)}")
        if created:
            click.echo(f"created PostgreSQL schema {created!r}")
        if before.current == after.current:
            click.echo(f"database already at revision {after.current} (head)")
        else:
            click.echo(
                f"database upgraded from {schema.describe(before)} to revision {after.current}"
            )
        moved = pages.enlarge(engine)
        if moved is not None:
            click.echo(f"SQLite pages enlarged from {moved[0]} to {moved[1]} bytes (VACUUM)")
        _render_formats(engine)
    except schema.SchemaError as exc:
        raise click.ClickException(str(exc)) from None
    except OperationalError as exc:
        raise click.ClickException(_cannot_open(exc, url)) from None
    finally:
        engine.dispose()


def _render_formats(engine: Any) -> None:
    """``oai db upgrade``'s second step: the stale formats rendered from the stored records."""
    from sqlalchemy import func, select

    from .store import backfill
    from .store.models import Record

    with engine.connect() as connection:
        if not backfill.stale(connection):
            return
        total = connection.execute(select(func.count()).select_from(Record)).scalar_one()
    show = total > 1000 and sys.stderr.isatty()
    with click.progressbar(
        length=total, label="rendering formats", file=sys.stderr, hidden=not show
    ) as bar:
        report = backfill.backfill(engine, progress=bar.update)
    for identifier, problem in report.problems[:20]:
        click.echo(
            f"warning: {identifier}: {problem}; rendered from its Dublin Core keys only: "
            "load it again corrected",
            err=True,
        )
    if len(report.problems) > 20:
        click.echo(f"warning: {len(report.problems) - 20} more such records", err=True)
    click.echo(
        f"formats rendered: {', '.join(report.formats) or 'none'} for {report.records} records: "
        f"{report.added} added, {report.restamped} records changed (new datestamp), "
        f"{report.removed} of formats no longer offered removed"
    )


main.add_command(check)
