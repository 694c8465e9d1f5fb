"""The schema's version: Alembic migrations in ``migrations/``, checked before any use.

Every process that opens the database calls :func:`prepare`: an empty database
gets the whole schema at once (so a fresh machine needs only ``oai serve``), a
current one is used as it is, and one whose schema is older than this code (or
newer) is refused with a one-line :class:`SchemaError` naming the command to
run. Only ``oai db upgrade`` (:func:`upgrade`) evolves an existing schema, so a
deployment decides when its data is migrated, not whichever node starts first.

To change the schema: change ``models.py``, add ``migrations/versions/NNNN_name.py``
with ``revision``/``down_revision`` and the operations; tests/test_schema.py fails,
printing the difference, until the migrations produce exactly the models' schema.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from . import search_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The schema older code made with ``create_all``, before it recorded any revision.
BASELINE = "0001"
BASELINE_TABLES = frozenset({"records", "fragments", "memberships", "sets", "meta"})


class SchemaError(RuntimeError):
    """The database cannot be used by this code as it is; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Status:
    """Where a database stands relative to this code's migrations."""

    #: The revision recorded in the database; None when none is recorded.
    current: str | None
    head: str
    #: Tables of ours found without a recorded revision (a pre-migration database).
    unversioned: bool = False

    @property
    def empty(self) -> bool:
        return self.current is None and not self.unversioned

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this code knows."""
    revision = _script().get_current_head()
    assert revision is not None, "the migrations folder has no revision"
    return revision


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [script.revision for script in reversed(list(_script().walk_revisions()))]


def status(connection: Connection) -> Status:
    current = MigrationContext.configure(connection).get_current_revision()
    unversioned = False
    if current is None:
        unversioned = bool(BASELINE_TABLES & set(inspect(connection).get_table_names()))
    return Status(current, head(), unversioned)


def describe(state: Status) -> str:
    if state.unversioned:
        return "unversioned (made before migrations existed)"
    if state.current is None:
        return "empty"
    suffix = " (head)" if state.up_to_date else f" (head is {state.head})"
    return f"revision {state.current}{suffix}"


@contextlib.contextmanager
def lock(engine: Engine) -> Iterator[None]:
    """Hold the database's set-up lock, so processes starting together migrate and seed once.

    PostgreSQL: an advisory lock named after the current schema. SQLite: ``flock`` on
    a file beside the database (SQLite is one machine's database by nature).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            key = "SELECT hashtext('oai-endpoint schema ' || coalesce(current_schema(), ''))"
            connection.execute(text(f"SELECT pg_advisory_lock(({key}))"))
            try:
                yield
            finally:
                connection.execute(text(f"SELECT pg_advisory_unlock(({key}))"))
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    try:
        handle = open(f"{database}.lock", "a")  # noqa: SIM115
    except OSError:  # no folder: connecting will fail with a clearer message
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_upgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def upgrade(engine: Engine, revision: str = "head") -> tuple[Status, Status]:
    """Migrate to ``revision``; the status before and after.

    A pre-migration database holding the baseline tables is recorded at the
    baseline first, then migrated. Raises SchemaError for a database this code
    cannot migrate (tables of ours missing, or a revision it does not know).
    """
    with lock(engine):
        with engine.connect() as connection:
            before = status(connection)
        if not _known(before):
            raise SchemaError(_unknown_message(before))
        if before.unversioned:
            with engine.connect() as connection:
                found = set(inspect(connection).get_table_names())
            missing = sorted(BASELINE_TABLES - found)
            if missing:
                raise SchemaError(
                    "the database holds some of this program's tables but not "
                    f"{', '.join(missing)}: it was not made by oai; use an empty database"
                )
            with engine.begin() as connection:
                command.stamp(_config(connection), BASELINE)
        _run_upgrade(engine, revision)
        if before.empty and revision == "head":
            _new_store(engine)
        with engine.connect() as connection:
            return before, status(connection)


def _new_store(engine: Engine) -> None:
    """A database made just now holds no records: they are complete in every format."""
    from sqlalchemy.orm import Session

    from .backfill import record_versions

    with Session(engine) as session, session.begin():
        record_versions(session)


def _known(state: Status) -> bool:
    return state.current is None or state.current in revisions()


def _unknown_message(state: Status) -> str:
    return (
        f"the database schema is at revision {state.current}, which this version of oai "
        f"does not know (its newest is {state.head}): run a newer version of oai"
    )


def prepare(engine: Engine) -> Status:
    """Make sure the schema is this code's: create it in an empty database, refuse otherwise.

    Raises SchemaError (one line, naming ``oai db upgrade``) when the schema is
    behind, or when it is at a revision this code does not know.
    """
    with engine.connect() as connection:
        absent = search_path.missing(connection)
        if absent is not None:  # else CREATE TABLE fails naming neither schema nor fix
            raise SchemaError(search_path.message(absent, search_path.quoted(connection, absent)))
        state = status(connection)
    if state.up_to_date:
        return state
    with lock(engine):
        with engine.connect() as connection:
            state = status(connection)
        if state.empty:
            _run_upgrade(engine, "head")
            _new_store(engine)
            with engine.connect() as connection:
                return status(connection)
    if state.up_to_date:
        return state
    if not _known(state):
        raise SchemaError(_unknown_message(state))
    found = "unversioned" if state.unversioned else f"at revision {state.current}"
    raise SchemaError(
        f"the database schema is {found}, older than this version of oai "
        f"({state.head}): run `oai db upgrade` first"
    )
