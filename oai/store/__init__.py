"""Persistence: tables (models), every SELECT (queries), every write (loader), versions (schema).

Sessions are opened by the callers (web, cli); functions here take one.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session

#: Bytes per SQLite page in a database this code creates. A stored ``<record>`` is one to
#: a few KB; in 16 KB pages it stays whole in the ``fragments`` leaf beside its neighbours
#: in list order, where 4 KB pages would push most of it to an overflow page of its own.
#: Measured on 100,000 records: a page of 101 rows costs 0.09 ms to read, 0.21 ms in
#: 4 KB pages. An existing database keeps the page size it was made with.
SQLITE_PAGE_SIZE = 16384


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout so readers and a loader coexist."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # Takes effect only in a new, empty file (before WAL fixes it): see PAGE_SIZE.
            cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # Datestamps are naive UTC ``timestamp`` values; a session in UTC keeps any
        # comparison with a zone-aware value or now() in UTC too, whatever the server's zone.
        options = f"{parsed.query.get('options', '')} -c timezone=UTC".strip()
        parsed = parsed.update_query_dict({"options": options})
    return create_engine(parsed, pool_pre_ping=True)


#: SQLite page cache of a loading connection (KiB): a million-record load touches indexes
#: far larger than the default 2 MB cache, and every miss is a read (and a spill) again.
#: Filing a million records' four million memberships (their identifier index and the
#: foreign-key lookups) took 39.9 s with 128 MB, 26.7 s with 256 MB, 23.6 s with 512 MB.
BULK_CACHE_KIB = 256 * 1024


def prepare_bulk_load(session: Session) -> None:
    """Tune the session's connection for a large load; bounded memory (BULK_CACHE_KIB)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")


#: Records a load must add or change before PostgreSQL's statistics are refreshed at once.
ANALYZE_AFTER = 1000


def refresh_statistics(engine: Engine, changed: int) -> bool:
    """After a large load, let PostgreSQL's planner see the new rows now; whether it ran.

    Autovacuum analyzes a table only a minute or more later. Until then the planner
    may think the tables nearly empty and join every fragment to serve one page
    (measured: 100 ms a page instead of 4 ms, right after loading 20,000 records).
    """
    if engine.dialect.name != "postgresql" or changed < ANALYZE_AFTER:
        return False
    with engine.connect() as connection:
        connection.execute(text("ANALYZE records, fragments, memberships, sets"))
        connection.commit()
    return True
