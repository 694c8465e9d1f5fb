"""Persistence: tables (models), every SELECT (queries), every write (loader), versions (schema).

Sessions are opened by the callers (web, cli); functions here take one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .models import Record
from .sqlite_reader import read_driver

T = TypeVar("T")

#: Bytes per SQLite page in a database this code creates: the largest SQLite allows. A
#: fragment row (a record's header and one format's element) is 2 to 6 KB, MARCXML and
#: MODS the largest. ``fragments`` is stored in list order (WITHOUT ROWID), and in such
#: a table SQLite keeps at most about a quarter of a page of a row in its leaf: the rest
#: goes to an overflow page of its own, mostly empty. With 16 KB pages every row over
#: 4 KB did (measured on 20,000 article records in six formats: 1,288 MB of fragments
#: for 470 MB of rows, 67 KB a record in all); with 64 KB pages rows stay whole beside
#: their neighbours (524 MB, 29 KB a record). ``oai db upgrade`` moves an older database
#: to this page size (:func:`oai.store.pages.enlarge`).
SQLITE_PAGE_SIZE = 65536
#: How long a SQLite connection waits for another's lock before "database is locked".
SQLITE_BUSY_MS = 5000
#: Bytes of a SQLite file the endpoint's connections read through a memory map (see
#: :func:`make_read_engine`): 1 TB, which SQLite caps at its build's ``SQLITE_MAX_MMAP_SIZE``
#: (1 TB in pysqlite3-binary's, 0x7fff0000 in Python's own: :mod:`.sqlite_reader`).
SQLITE_READ_MMAP_BYTES = 1 << 40


def make_engine(
    url: str, *, sqlite_mmap_bytes: int = 0, sqlite_driver: ModuleType | None = None
) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout so readers and a loader
    coexist, and reads the first ``sqlite_mmap_bytes`` of the file through a memory map,
    through ``sqlite_driver`` (a DB-API module) instead of Python's sqlite3 if given."""
    if url.startswith("sqlite"):
        options: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_MS / 1000}}
        if sqlite_driver is not None:
            options["module"] = sqlite_driver
        engine = create_engine(url, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # Takes effect only in a new, empty file (before WAL fixes it): see PAGE_SIZE.
            cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            _write_ahead_log(cursor, engine.dialect.loaded_dbapi.OperationalError)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Debian's SQLite is built with SECURE_DELETE, which zeroes every page a delete
            # frees: a load's staged rows (temp) and every replaced record (main) written
            # twice, for public metadata. Off, 100,000 records loaded with 5.7 GB written
            # instead of 10.0 GB (block writes), in 54.4 and 66.1 s against 57.3 and 70.6.
            cursor.execute("PRAGMA main.secure_delete=OFF")
            cursor.execute("PRAGMA temp.secure_delete=OFF")
            if sqlite_mmap_bytes:
                cursor.execute(f"PRAGMA mmap_size={sqlite_mmap_bytes}")
            cursor.close()

        return engine
    return create_engine(_server_url(url), pool_pre_ping=True)


#: Seconds between attempts to switch a new SQLite file to its write-ahead log.
WAL_RETRY_SECONDS = 0.02


def _write_ahead_log(cursor: Any, locked: type[Exception]) -> None:
    """``PRAGMA journal_mode=WAL``, waiting out another process that is creating the file.

    While another connection writes a file that is not in WAL mode yet (a node making
    the schema of a new database), the switch fails at once with "database is locked":
    SQLite's busy timeout does not cover it. Two nodes started together on a new file
    then failed about one start in ten (tests/test_scale.py). So it is tried again for
    up to the busy timeout, as any other statement would wait. ``locked``: the driver's
    OperationalError (Python's sqlite3 or pysqlite3, whichever the engine uses).
    """
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except locked as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(WAL_RETRY_SECONDS)


def _server_url(url: str) -> URL:
    """``url`` with what every connection to a database server needs added."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # Datestamps are naive UTC ``timestamp`` values; a session in UTC keeps any
        # comparison with a zone-aware value or now() in UTC too, whatever the server's zone.
        options = f"{parsed.query.get('options', '')} -c timezone=UTC".strip()
        parsed = parsed.update_query_dict({"options": options})
    return parsed


def make_read_engine(url: str) -> Engine:
    """The engine the endpoint answers requests through: each statement its own transaction.

    A request runs one to three SELECTs, each complete in itself (a page is one statement,
    its list's size another), so nothing needs a transaction around them. On a database
    server a transaction cost two round trips more a request (BEGIN before the first
    statement, ROLLBACK when the pool takes the connection back) and ``pool_pre_ping`` a
    third: a GetRecord's statement through the pool took 590 us in a transaction, 700 us
    with the ping and 216 us without either (PostgreSQL on this machine, 20,000 records,
    medians of 3,000). A connection the server has dropped is found by the statement
    that fails on it instead, and :func:`read` runs the work again on a fresh one.

    SQLite opens no transaction for a SELECT and pings nothing: it gets :func:`make_engine`,
    and reads the file through a memory map. A page SQLite has not cached is otherwise
    copied whole from the file (64 KB, ``SQLITE_PAGE_SIZE``) though a GetRecord needs
    one row of it: a GetRecord's statement read 4.5 pages a lookup and took 67 us, 23 us
    mapped (100,000 article records, raw sqlite3, medians of 1,000 lookups); a whole
    GetRecord in-process took 180 us, 129 us mapped. A list page uses all of the pages
    it reads and gains nothing. The mapped pages are the operating system's file cache,
    shared between the workers, and count in each worker's resident set (VmRSS) as
    RssFile, not as memory of its own. Python's own SQLite maps the first 2 GB of the file
    only; with pysqlite3-binary installed the endpoint reads through its SQLite, which maps
    the whole file (:mod:`.sqlite_reader`).
    The price: a disk error on a mapped page is a signal (SIGBUS) that ends the worker,
    where a read would have failed one request with 503; gunicorn starts another.
    """
    if url.startswith("sqlite"):
        return make_engine(
            url, sqlite_mmap_bytes=SQLITE_READ_MMAP_BYTES, sqlite_driver=read_driver()
        )
    return create_engine(_server_url(url), isolation_level="AUTOCOMMIT")


def read(engine: Engine, work: Callable[[Connection], T]) -> T:
    """``work`` on a pooled connection, run once more on a fresh one if the first was dead.

    A database restart or a proxy leaves every pooled connection dead; SQLAlchemy then
    invalidates the whole pool, so the second attempt connects anew. Only reads come
    here, and a read can be repeated. Any other error, or a second failure, propagates.
    """
    try:
        with engine.connect() as connection:
            return work(connection)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    with engine.connect() as connection:
        return work(connection)


#: SQLite page cache of a loading connection (KiB): a million-record load touches indexes
#: far larger than the default 2 MB cache, and every miss is a read (and a spill) again.
#: Filing a million records' four million memberships (their identifier index and the
#: foreign-key lookups) took 39.9 s with 128 MB, 26.7 s with 256 MB, 23.6 s with 512 MB.
BULK_CACHE_KIB = 256 * 1024
#: SQLite page cache of a loading connection's temporary tables (KiB), where the fragments
#: are staged: a page for each sorted run of the staged rows (a run a 1,000-record chunk,
#: 64 KB pages), so filing them in key order reads each page about once; enough for
#: two million records in one load (``rows.FormatStages``).
STAGE_CACHE_KIB = 128 * 1024


def prepare_bulk_load(session: Session) -> bool:
    """Tune the session's connection for a large load; whether the database holds no records.

    Bounded memory (BULK_CACHE_KIB, STAGE_CACHE_KIB). On SQLite, a first load into a
    database that holds no records, with no other connection open, writes the database file
    itself under a rollback journal instead of through the write-ahead log: a load is one
    transaction, so the log would grow by everything the load writes and then be copied into
    the file again, where the journal of an empty database holds almost nothing. Measured on
    100,000 article records: 103 and 104 s against 122 and 126 s through the log, 2.8 GB of
    database and log at the peak against 5.6 GB. A reader that connects meanwhile finds the
    file locked (the endpoint answers 503) while there is nothing to read yet; when one is
    connected before, the load keeps the log, so serving is never blocked.
    ``release_journal`` goes back to the write-ahead log, and so does any connection that
    opens the file (``make_engine``), so even a killed load leaves nothing behind.
    """
    connection = session.connection()
    fresh = connection.execute(select(Record.identifier).limit(1)).first() is None
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        connection.exec_driver_sql(f"PRAGMA temp.cache_size=-{STAGE_CACHE_KIB}")
        if fresh:
            _write_without_log(connection)
    return fresh


def _write_without_log(connection: Connection) -> None:
    """SQLite: a rollback journal for this load, if no other connection has the file open."""
    # Leaving WAL needs the file to itself: ask once instead of waiting out the busy timeout.
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        mode = connection.exec_driver_sql("PRAGMA journal_mode=DELETE").scalar()
    except DBAPIError:  # "database is locked": a server or another load has it open
        mode = None
    connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    if mode == "delete":
        # One commit: syncing fully at it costs nothing and keeps the file safe on power loss.
        connection.exec_driver_sql("PRAGMA synchronous=FULL")


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


def release_journal(engine: Engine) -> None:
    """After a load on SQLite, go back to the write-ahead log, folded into the file and cut back.

    A load is one transaction, so the log grows by everything it wrote (gigabytes for a
    large load) and SQLite keeps the file at that size for reuse; truncated, the disk
    it held is free again. Readers in other processes may keep part of it in use: the
    checkpoint then does what it can and the log shrinks at a later one. A first load
    wrote no log (``prepare_bulk_load``): the file goes back to the log here.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        if connection.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal":
            connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
            connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
            return  # the log is new and empty
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").close()
