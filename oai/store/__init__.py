"""Persistence: tables (models), every SELECT (queries), every write (loader).

Sessions are opened by the callers (web, cli); functions here take one.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from .models import Model


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout so readers and a loader coexist."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Create missing tables and indexes (idempotent)."""
    Model.metadata.create_all(engine)


#: SQLite page cache of a loading connection (KiB): a million-record load touches indexes
#: far larger than the default 2 MB cache, and every miss is a read (and a spill) again.
BULK_CACHE_KIB = 128 * 1024


def prepare_bulk_load(session: Session) -> None:
    """Tune the session's connection for a large load; bounded memory (BULK_CACHE_KIB)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
