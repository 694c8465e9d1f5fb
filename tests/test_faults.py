"""Faults: the database unavailable, a statement failing mid-request, a load killed.

- An unavailable database gets HTTP 503 with Retry-After (OAI-PMH's flow control),
  never a 500, and service resumes by itself once the database is back; a harvest
  then continues from its last resumption token and misses nothing.
- ``oai load`` against a locked database fails in one line and changes nothing; a load
  killed with SIGKILL half-way leaves the store exactly as it was.

SQLite is made unavailable the way a process holding its locks exclusively does it:
the test process takes every WAL lock of the shared-memory file (``fcntl``), so the
server's readers wait, then fail. PostgreSQL is reached through a TCP proxy the test
cuts and restores: for the server that is the database going away and coming back,
and the shared PostgreSQL server itself is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception
from sqlalchemy import event, make_url, text
from sqlalchemy.engine import Engine

from oai import create_app

from . import pgschema, xsd
from .conftest import load_lines, record
from .server import run_command, running_servers
from .storedump import snapshot
from .tcpproxy import Proxy

#: Byte offset and length of SQLite's WAL locks in the -shm file (write, checkpoint,
#: recover and the five read marks), as its unix VFS places them.
WAL_LOCKS = (120, 8)


@contextlib.contextmanager
def sqlite_held(path: Path) -> Iterator[None]:
    """Hold every WAL lock of ``path``, as an exclusive holder would; released on exit."""
    fd = os.open(f"{path}-shm", os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, WAL_LOCKS[1], WAL_LOCKS[0])
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the locks


def _fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _page(base: str, **args: str) -> tuple[list[str], str | None]:
    status, _, body = _fetch(f"{base}/oai?{urllib.parse.urlencode(args)}")
    assert status == 200, body[:200]
    root = xsd.validate(body)
    ids = root.xpath("//oai:header/oai:identifier/text()", namespaces=xsd.NS)
    return ids, root.findtext(".//oai:resumptionToken", namespaces=xsd.NS) or None


def _assert_unavailable(base: str, query: str) -> None:
    status, headers, body = _fetch(f"{base}/oai?{query}")
    assert status == 503, body[:300]
    assert int(headers["Retry-After"]) > 0
    assert b"Traceback" not in body


def _harvest_with_outage(base: str, outage: Callable[[], Any], expected: set[str]) -> None:
    """Two pages, then ``outage`` (a context manager) during which the next page and a new
    harvest get 503; afterwards the same token continues to the end, nothing lost or repeated."""
    seen, token = _page(base, verb="ListIdentifiers", metadataPrefix="oai_dc")
    more, token = _page(base, verb="ListIdentifiers", resumptionToken=token or "")
    seen += more
    assert token
    resume = urllib.parse.urlencode({"verb": "ListIdentifiers", "resumptionToken": token})
    with outage(), ThreadPoolExecutor(2) as pool:  # both wait out the outage at once
        for done in [pool.submit(_assert_unavailable, base, q) for q in (resume, "verb=Identify")]:
            done.result()
    while token:
        more, token = _page(base, verb="ListIdentifiers", resumptionToken=token)
        seen += more
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


def _records_file(folder: Path, count: int, start: int = 0) -> Path:
    path = folder / f"records-{start}-{count}.jsonl"
    with open(path, "w") as handle:
        for n in range(start, start + count):
            handle.write(json.dumps(record(n)) + "\n")
    return path


def test_sqlite_held_mid_harvest(tmp_path: Path, schemas: Path) -> None:
    """Readers wait out SQLite's lock protocol (about 10 s), then get 503; a concurrent
    ``oai load`` fails in one line after the busy timeout and changes nothing."""
    path = tmp_path / "held.sqlite"
    # No read-ahead: a page read ahead before the outage would rightly be served during
    # it, by whichever worker holds it (tests/test_prefetch.py covers a failed read-ahead).
    env = {"OAI_DATABASE_URL": f"sqlite:///{path}", "OAI_PAGE_SIZE": "7", "OAI_PREFETCH": "0"}
    assert run_command(env, "load", str(_records_file(tmp_path, 40))).returncode == 0
    before = snapshot(env["OAI_DATABASE_URL"])
    late = _records_file(tmp_path, 5, start=100)
    outcome: list[subprocess.CompletedProcess[str]] = []

    @contextlib.contextmanager
    def outage() -> Iterator[None]:
        with sqlite_held(path):
            loader = threading.Thread(
                target=lambda: outcome.append(run_command(env, "load", str(late)))
            )
            loader.start()
            yield
            loader.join()

    with running_servers(tmp_path, [env]) as (server,):
        expected = {f"oai:example.org:rec-{n:05d}" for n in range(40)}
        _harvest_with_outage(server.base, outage, expected)
    (done,) = outcome
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("Error: "), done.stderr
    assert snapshot(env["OAI_DATABASE_URL"]) == before


def test_postgresql_gone_mid_harvest(tmp_path: Path, schemas: Path) -> None:
    with pgschema.own_schema(pgschema.server_url()) as url:
        target = make_url(url)
        proxy = Proxy((target.host or "127.0.0.1", target.port or 5432))
        proxy.start()
        try:
            env = {
                "OAI_DATABASE_URL": pgschema.with_port(url, proxy.port),
                "OAI_PAGE_SIZE": "7",
                "OAI_PREFETCH": "0",  # as in test_sqlite_held_mid_harvest
            }
            loaded = run_command(env, "load", str(_records_file(tmp_path, 40)))
            assert loaded.returncode == 0, loaded.stderr

            @contextlib.contextmanager
            def outage() -> Iterator[None]:
                proxy.stop()
                try:
                    yield
                finally:
                    proxy.start()

            with running_servers(tmp_path, [env], workers=2) as (server,):
                expected = {f"oai:example.org:rec-{n:05d}" for n in range(40)}
                _harvest_with_outage(server.base, outage, expected)
        finally:
            proxy.stop()


def test_serve_on_an_unreachable_database_says_so_in_one_line(tmp_path: Path) -> None:
    proxy = Proxy(("127.0.0.1", 9))  # never started: its port refuses connections
    url = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
    done = run_command({"OAI_DATABASE_URL": url}, "serve", "--port", str(proxy.port))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr


# ---- a statement failing inside a request, at every point a session is used ----

REQUESTS = {
    "Identify": "verb=Identify",
    "ListRecords": "verb=ListRecords&metadataPrefix=oai_dc&set=all",
    "ListIdentifiers": "verb=ListIdentifiers&metadataPrefix=oai_dc",
    "ListSets": "verb=ListSets",
    "GetRecord": "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:example.org:rec-00001",
    "ListMetadataFormats": "verb=ListMetadataFormats&identifier=oai:example.org:rec-00001",
    "home": "",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def faulty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app whose statements can be made to fail: ``app.fail_at`` counts down per
    statement, on the engine requests read through and on the one the app writes with;
    at zero the connection is dropped (PostgreSQL) and the driver raises its own
    OperationalError, and goes on raising at every later statement while ``persist``
    is set (a database that stays away)."""
    with pgschema.database(request.param, tmp_path) as url:
        # No read-ahead: its statements would share the countdown (tests/test_prefetch.py
        # covers a read-ahead that fails).
        app = create_app(
            {"database_url": url, "secret_key": "faults", "page_size": 3, "prefetch": False}
        )
        load_lines(app, [record(n) for n in range(8)])
        # Its first connection runs the dialect's own queries: not the requests' statements.
        assert app.test_client().get("/oai?verb=Identify").status_code == 200
        state = app.extensions["oai"]
        engines: list[Engine] = [state.engine, state.read_engine]
        countdown: dict[str, int | bool] = {"left": -1, "persist": True}

        def failing(driver_error: type[Exception]) -> Callable[..., None]:
            def _fail(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
                countdown["left"] -= 1
                if countdown["left"] == 0 or (countdown["persist"] and countdown.get("failing")):
                    countdown["failing"] = True
                    if request.param == "postgresql":
                        cursor.connection.close()  # as a server that went away leaves it
                    raise driver_error("simulated: server closed the connection unexpectedly")

            return _fail

        for engine in engines:
            # Each engine's own driver: SQLite requests may read through pysqlite3.
            event.listen(
                engine, "do_execute", failing(engine.dialect.loaded_dbapi.OperationalError)
            )
        app.config["fail_at"] = countdown
        yield app
        state.close()


def _fail_at(app: Flask, position: int, persist: bool) -> None:
    """The ``position``-th statement from now fails (and every later one, if ``persist``)."""
    countdown = app.config["fail_at"]
    countdown.pop("failing", None)
    countdown.update(left=position, persist=persist)


def _statements(app: Flask, query: str, accept: str) -> int:
    """How many statements the request runs when nothing fails."""
    _fail_at(app, 10_000, persist=False)
    response = app.test_client().get(f"/oai?{query}" if query else "/", headers={"Accept": accept})
    assert response.status_code == 200
    return 10_000 - app.config["fail_at"]["left"]


@pytest.mark.parametrize("accept", ["text/xml", "text/html"], ids=["harvester", "browser"])
@pytest.mark.parametrize("name", REQUESTS)
def test_a_failure_at_any_statement_is_503(faulty: Flask, name: str, accept: str) -> None:
    """A database that goes away at any statement of a request, and stays away: 503."""
    escaped: list[BaseException] = []

    def record_exception(sender: Flask, exception: BaseException, **extra: object) -> None:
        escaped.append(exception)

    got_request_exception.connect(record_exception, faulty)
    client = faulty.test_client()
    query = REQUESTS[name]
    total = _statements(faulty, query, accept)
    assert total >= 1
    for position in range(1, total + 1):
        _fail_at(faulty, position, persist=True)
        response = client.get(f"/oai?{query}" if query else "/", headers={"Accept": accept})
        assert response.status_code == 503, (position, response.data[:200])
        assert response.headers["Retry-After"]
        _fail_at(faulty, -1, persist=False)
        again = client.get(f"/oai?{query}" if query else "/", headers={"Accept": accept})
        assert again.status_code == 200
    got_request_exception.disconnect(record_exception, faulty)
    assert escaped == []


@pytest.mark.parametrize("name", [name for name in REQUESTS if name != "home"])
def test_one_dropped_connection_is_read_again(faulty: Flask, name: str) -> None:
    """A connection the server dropped (a restart, a proxy) fails one statement once:
    PostgreSQL's driver says so, the pool is renewed and the request read again (200).
    SQLite has no server to drop it: the same failure there is 503."""
    client = faulty.test_client()
    query = REQUESTS[name]
    dialect = faulty.extensions["oai"].read_engine.dialect.name
    for position in range(1, _statements(faulty, query, "text/xml") + 1):
        _fail_at(faulty, position, persist=False)
        response = client.get(f"/oai?{query}")
        assert response.status_code == (200 if dialect == "postgresql" else 503), position
        if response.status_code == 200:
            xsd.validate(response.data)


# ---- a load killed half-way ----


def _kill_when(process: subprocess.Popen[bytes], writing: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not writing():
        assert process.poll() is None, "the load ended before it could be killed"
        assert time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()


def _killed_load(env: dict[str, str], folder: Path, writing: Callable[[], bool]) -> None:
    loaded = run_command(env, "load", str(_records_file(folder, 300)))
    assert loaded.returncode == 0, loaded.stderr
    before = snapshot(env["OAI_DATABASE_URL"])
    updates = folder / "big.jsonl"
    with open(updates, "w") as handle:
        for n in range(40_000):
            handle.write(json.dumps({**record(n), "metadata": {"title": [f"v2 {n}"]}}) + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "oai", "load", str(updates)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _kill_when(process, writing)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(env["OAI_DATABASE_URL"]) == before
    again = run_command(env, "load", str(_records_file(folder, 5, start=1000)))
    assert again.returncode == 0, again.stderr
    stats = run_command(env, "stats")
    assert "records: 305" in stats.stdout


def test_killed_load_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite"
    env = {"OAI_DATABASE_URL": f"sqlite:///{path}"}
    wal = Path(f"{path}-wal")

    def writing() -> bool:  # the WAL grows once the load's first batches are written
        return wal.exists() and wal.stat().st_size > 500_000

    _killed_load(env, tmp_path, writing)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_killed_first_load_sqlite(tmp_path: Path) -> None:
    """A first load writes the file itself under a rollback journal: killed while the file
    grows, the next connection rolls the journal back and finds the database empty."""
    path = tmp_path / "first.sqlite"
    env = {"OAI_DATABASE_URL": f"sqlite:///{path}"}
    assert run_command(env, "stats").returncode == 0  # the schema and the token key
    before = snapshot(env["OAI_DATABASE_URL"])
    empty = path.stat().st_size
    journal = Path(f"{path}-journal")
    records = tmp_path / "first.jsonl"
    with open(records, "w") as handle:
        for n in range(12_000):
            handle.write(json.dumps(record(n)) + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "oai", "load", str(records)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def writing() -> bool:  # the records are being written into the file itself
        return journal.exists() and path.stat().st_size > empty + 1_000_000

    _kill_when(process, writing)
    assert process.returncode == -signal.SIGKILL
    assert journal.exists()
    assert snapshot(env["OAI_DATABASE_URL"]) == before
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = run_command(env, "load", str(_records_file(tmp_path, 5)))
    assert again.returncode == 0, again.stderr
    assert "records: 5" in run_command(env, "stats").stdout
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_killed_load_postgresql(tmp_path: Path) -> None:
    with pgschema.own_schema(pgschema.server_url()) as url:
        name = f"h_hostile_kill_{os.getpid()}"
        tagged = make_url(url).update_query_dict({"application_name": name})
        env = {"OAI_DATABASE_URL": tagged.render_as_string(hide_password=False)}
        watcher = pgschema.admin_engine()
        query = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = :name AND backend_xid IS NOT NULL"
        )

        def writing() -> bool:  # the load's transaction has written rows
            with watcher.connect() as connection:
                return bool(connection.execute(query, {"name": name}).scalar())

        try:
            _killed_load(env, tmp_path, writing)
        finally:
            watcher.dispose()
