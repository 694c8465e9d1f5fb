"""The ``oai`` command: serve, load, delete, stats; each parses, calls one function, prints."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from .config import ConfigError


def _state() -> Any:
    """The process state (settings, engines); config and schema errors become one-line errors."""
    from . import create_app
    from .store.schema import SchemaError

    try:
        state = create_app().extensions["oai"]
    except (ConfigError, SchemaError) as exc:
        raise click.ClickException(str(exc)) from None
    except OperationalError as exc:
        raise click.ClickException(f"cannot open the database: {_first_line(exc.orig)}") from None
    # Close the connections when the command ends (it may run in-process, as in tests).
    context = click.get_current_context()
    context.call_on_close(state.engine.dispose)
    context.call_on_close(state.read_engine.dispose)
    return state


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class _Commands(click.Group):
    """Commands whose database errors (locked, unreachable) end in one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:  # OperationalError included
            raise click.ClickException(f"database error: {_first_line(exc.orig)}") from None


@click.group(cls=_Commands)
def main() -> None:
    """An OAI-PMH 2.0 data provider (settings: OAI_* environment variables, see README.md)."""


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
    from .store import prepare_bulk_load, refresh_statistics
    from .store.loader import Loader, LoadError

    with Session(state.engine) as session, session.begin():
        prepare_bulk_load(session)
        loader = Loader(session)
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
        report = loader.finish()
    refresh_statistics(state.engine, report.added + report.updated)
    return report


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--jobs",
    type=click.IntRange(0, 64),
    default=None,
    help="Worker processes that parse and render (0: none). Default: one per core "
    "for files over 16 MB.",
)
def load(files: tuple[str, ...], jobs: int | None) -> None:
    """Load records and set declarations from JSON Lines FILES ('-' reads standard input)."""
    report = load_files(_state(), list(files), progress=True, jobs=jobs)
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
    click.echo(f"marked {count} record(s) deleted")


@main.command()
def stats() -> None:
    """Counts of records, deleted records, sets and formats."""
    from .formats import FORMATS
    from .store import queries

    state = _state()
    with Session(state.engine) as session:
        counts = queries.counts(session)
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
    files = sorted(str(p) for p in Path(state.settings.fixtures).glob("*.jsonl"))
    if not files:
        return 0
    return int(load_files(state, files, progress=False).lines)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve /oai with gunicorn; an empty database gets the bundled fixtures first."""
    from .server import run
    from .store.schema import lock

    state = _state()
    with lock(state.engine):  # nodes starting together seed an empty database once
        loaded = bootstrap(state)
    if loaded:
        click.echo(f"loaded {loaded} fixture lines into the empty database", err=True)
    state.engine.dispose()
    click.echo(f"serving http://{host}:{port}/oai with {workers} worker(s)", err=True)
    run(host, port, workers)


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
    try:
        with engine.connect() as connection:
            state = schema.status(connection)
    except OperationalError as exc:
        raise click.ClickException(f"cannot open the database: {_first_line(exc.orig)}") from None
    finally:
        engine.dispose()
    click.echo(f"database: {schema.describe(state)}")


@db.command()
def upgrade() -> None:
    """Migrate the database's schema to this version of oai (creates it when empty)."""
    from .store import schema

    engine = _primary()
    try:
        before, after = schema.upgrade(engine)
    except schema.SchemaError as exc:
        raise click.ClickException(str(exc)) from None
    except OperationalError as exc:
        raise click.ClickException(f"cannot open the database: {_first_line(exc.orig)}") from None
    finally:
        engine.dispose()
    if before.current == after.current:
        click.echo(f"database already at revision {after.current} (head)")
    else:
        click.echo(f"database upgraded from {schema.describe(before)} to revision {after.current}")
