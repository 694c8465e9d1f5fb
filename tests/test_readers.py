"""The endpoint's kept connections (oai.store.readers): reused, never shared, closed."""

from __future__ import annotations

import sqlite3.dbapi2
import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from oai.errors import IdDoesNotExist
from oai.store import make_engine, make_read_engine
from oai.store.readers import Readers

#: Connections each test's engine has opened to the database, by engine.
CONNECTS: dict[int, int] = {}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'readers.sqlite'}")
    CONNECTS[id(engine)] = 0

    @event.listens_for(engine, "connect")
    def _count(dbapi_connection: object, record: object) -> None:
        CONNECTS[id(engine)] += 1

    return engine


def _one(connection: Connection) -> int:
    return int(connection.execute(text("SELECT 1")).scalar_one())


def test_one_connection_serves_requests_one_after_another(engine: Engine) -> None:
    readers = Readers(engine)
    seen = set()
    for _ in range(20):
        assert readers.read(_one) == 1
        seen.add(readers.read(id))
    assert len(seen) == 1
    assert CONNECTS[id(engine)] == 1
    readers.close()


def test_requests_at_once_get_connections_of_their_own(engine: Engine) -> None:
    readers = Readers(engine)
    inside = threading.Barrier(3)
    used: list[int] = []

    def work(connection: Connection) -> None:
        inside.wait(timeout=10)  # all three hold a connection at the same time
        used.append(id(connection))

    threads = [threading.Thread(target=readers.read, args=(work,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(used)) == 3
    # Afterwards the three are kept, and reused by whichever thread comes next.
    assert CONNECTS[id(engine)] == 3
    for _ in range(5):
        readers.read(_one)
    assert CONNECTS[id(engine)] == 3
    readers.close()


def test_an_oai_error_keeps_the_connection(engine: Engine) -> None:
    readers = Readers(engine)

    def no_record(connection: Connection) -> None:
        _one(connection)
        raise IdDoesNotExist()

    for _ in range(3):
        with pytest.raises(IdDoesNotExist):
            readers.read(no_record)
    assert readers.read(_one) == 1
    assert CONNECTS[id(engine)] == 1
    readers.close()


def test_a_database_error_closes_the_connection(engine: Engine) -> None:
    readers = Readers(engine)
    first = readers.read(lambda connection: connection)

    def broken(connection: Connection) -> None:
        connection.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(OperationalError):
        readers.read(broken)
    assert first.closed  # given back to the engine's pool, which resets it
    assert readers.read(lambda connection: connection) is not first
    assert readers.read(_one) == 1
    readers.close()


def test_close_closes_idle_connections_and_those_given_back_later(engine: Engine) -> None:
    readers = Readers(engine)
    idle = readers.read(lambda connection: connection)
    held: list[Connection] = []

    def closes_meanwhile(connection: Connection) -> None:
        held.append(connection)
        readers.close()  # the server stops while this request runs

    readers.read(closes_meanwhile)
    assert idle.closed
    assert held[0].closed
    assert engine.pool.checkedout() == 0


def test_a_kept_connection_sees_what_was_written_after_its_last_read(database_url: str) -> None:
    """Nothing of a read stays open on a kept connection: no snapshot, no lock.

    Were a transaction left open, the connection would keep answering from the
    moment of its first read (a harvest would never see a new load), and on SQLite
    it would hold the write-ahead log back from a checkpoint.
    """
    writer = make_engine(database_url)
    with writer.begin() as connection:
        connection.execute(text("CREATE TABLE kept (n INTEGER)"))
        connection.execute(text("INSERT INTO kept VALUES (1)"))
    readers = Readers(make_read_engine(database_url))

    def total(connection: Connection) -> int:
        return int(connection.execute(text("SELECT sum(n) FROM kept")).scalar_one())

    try:
        assert readers.read(total) == 1
        with writer.begin() as connection:
            connection.execute(text("INSERT INTO kept VALUES (2)"))
        assert readers.read(total) == 3
        if writer.dialect.name == "sqlite":
            with writer.connect() as connection:
                busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            assert busy == 0  # 1 would mean a reader held the log back
    finally:
        readers.close()
        readers.engine.dispose()
        writer.dispose()


def _max_mmap(engine: Engine) -> int:
    """The most this engine's SQLite build maps (``SQLITE_MAX_MMAP_SIZE``)."""
    with engine.connect() as connection:
        options = [row[0] for row in connection.exec_driver_sql("PRAGMA compile_options")]
    found = [option.split("=", 1)[1] for option in options if option.startswith("MAX_MMAP_SIZE=")]
    return int(found[0], 0) if found else 0x7FFF0000  # SQLite's default


def test_sqlite_requests_read_the_file_through_a_memory_map(tmp_path: Path) -> None:
    """The endpoint's SQLite connections map the file, as much of it as their SQLite
    allows; a loading connection does not (it writes, and a map gains a write nothing)."""
    url = f"sqlite:///{tmp_path / 'mapped.sqlite'}"
    for make, mapped in ((make_read_engine, True), (make_engine, False)):
        engine = make(url)
        expected = _max_mmap(engine) if mapped else 0
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() == expected
        engine.dispose()


def test_with_pysqlite3_installed_requests_map_a_large_file_whole(tmp_path: Path) -> None:
    """pysqlite3-binary's SQLite maps up to 1 TB, where Python's own stops at 2 GB; loads
    keep Python's own, whose temporary tables may go to disk (pysqlite3-binary's stay in
    memory, and a large load stages gigabytes in them)."""
    pysqlite3 = pytest.importorskip("pysqlite3.dbapi2", reason="pysqlite3-binary not installed")
    url = f"sqlite:///{tmp_path / 'mapped.sqlite'}"
    reading, loading = make_read_engine(url), make_engine(url)
    assert reading.dialect.dbapi is pysqlite3
    assert loading.dialect.dbapi is sqlite3.dbapi2
    with reading.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() >= 1 << 40
    reading.dispose()
    loading.dispose()


def test_sqlite_frees_pages_without_zeroing_them(tmp_path: Path) -> None:
    """Neither the file nor the temporary tables a load stages in overwrite freed pages
    (Debian builds SQLite with SECURE_DELETE on: a load's every staged row written twice)."""
    url = f"sqlite:///{tmp_path / 'freed.sqlite'}"
    for make in (make_read_engine, make_engine):
        engine = make(url)
        with engine.connect() as connection:
            for schema in ("main", "temp"):
                pragma = f"PRAGMA {schema}.secure_delete"
                assert connection.exec_driver_sql(pragma).scalar() == 0, (make, schema)
        engine.dispose()


def test_a_new_file_another_process_is_creating_is_waited_for(tmp_path: Path) -> None:
    """Switching a new file to the write-ahead log while another connection writes it
    fails at once, without SQLite's busy timeout: a connection waits for it instead (two
    nodes starting together on a new database, tests/test_scale.py)."""
    path = tmp_path / "new.sqlite"
    creator = sqlite3.dbapi2.connect(path, isolation_level=None, check_same_thread=False)
    creator.execute("BEGIN IMMEDIATE")
    creator.execute("CREATE TABLE made_first (x)")
    done = threading.Timer(0.3, lambda: creator.execute("COMMIT"))
    done.start()
    try:
        for make in (make_engine, make_read_engine):
            engine = make(f"sqlite:///{path}")
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            engine.dispose()
    finally:
        done.join()
        creator.close()
