"""The endpoint's kept connections (oai.store.readers): reused, never shared, closed."""

from __future__ import annotations

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


def test_sqlite_requests_read_the_file_through_a_memory_map(tmp_path: Path) -> None:
    """The endpoint's SQLite connections map the file (2 GB, the most this SQLite allows);
    a loading connection does not (it writes, and a map gains a write nothing)."""
    url = f"sqlite:///{tmp_path / 'mapped.sqlite'}"
    for make, expected in ((make_read_engine, 0x7FFF0000), (make_engine, 0)):
        engine = make(url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() == expected
        engine.dispose()


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
