"""An older SQLite database moved to the page size this code makes (``SQLITE_PAGE_SIZE``).

SQLite fixes a database's page size when the file is made; a database made with
16 KB pages would store each new format's larger fragment rows half on overflow
pages (see ``SQLITE_PAGE_SIZE``). ``VACUUM`` rebuilds the file with another page
size, but not in WAL mode, so the journal mode is switched off WAL for it and back.
It rewrites the whole file (and needs as much free disk again), so only
``oai db upgrade`` does it, when the servers are stopped.
"""

from __future__ import annotations

from sqlalchemy import Engine

from . import SQLITE_PAGE_SIZE


def page_size(engine: Engine) -> int | None:
    """The SQLite database's page size; None for another database."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA page_size").scalar_one())


def enlarge(engine: Engine) -> tuple[int, int] | None:
    """Rebuild a SQLite database with smaller pages at SQLITE_PAGE_SIZE; (before, after),
    or None when there was nothing to do."""
    before = page_size(engine)
    if before is None or before >= SQLITE_PAGE_SIZE:
        return None
    engine.dispose()  # VACUUM needs the only connection
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
        connection.exec_driver_sql(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        after = int(connection.exec_driver_sql("PRAGMA page_size").scalar_one())
    engine.dispose()
    return before, after
