"""The endpoint's connections, kept open from one request to the next.

A request's work is a statement or two that take tens of microseconds on SQLite.
Taking a connection from SQLAlchemy's pool and giving it back (its checkout,
the reset on return, the wrappers around each) cost about as much again: a
GetRecord's statement took 90 us through the pool against 41 us on a connection
kept open (in-process, 5,000 article records, medians of 7 runs of 2,000, the
machine busy). :class:`Readers` keeps a plain list of idle connections instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


class Readers:
    """Connections of ``engine`` for read-only work, each used by one request at a time.

    A request takes an idle connection, or opens one when every one is in use, and
    puts it back when done, so as many stay open as requests ran at once (a worker's
    threads), whichever thread runs the next one. Nothing is reset between requests:
    the endpoint only reads, and neither SQLite (which opens no transaction for a
    SELECT) nor the database servers' read engine (autocommit) is left in a
    transaction by a read. A connection whose work failed is closed, not kept; one the
    server dropped (a restart) is found by the statement that fails on it, and the work
    runs once more on a new connection, as :func:`oai.store.read` does.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def read(self, work: Callable[[Connection], T]) -> T:
        """``work`` on a kept connection; once more on a new one if that one was dead."""
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = self.engine.connect()
        try:
            result = work(connection)
        except DBAPIError as exc:
            connection.close()
            if not exc.connection_invalidated:
                raise
            return self.read_fresh(work)
        except BaseException:
            self._reset(connection)
            raise
        self._put_back(connection)
        return result

    def read_fresh(self, work: Callable[[Connection], T]) -> T:
        """``work`` on a new connection, kept afterwards."""
        connection = self.engine.connect()
        try:
            result = work(connection)
        except BaseException:
            connection.close()
            raise
        self._put_back(connection)
        return result

    def _reset(self, connection: Connection) -> None:
        """Keep a connection whose work raised something else than a database error.

        An OAI error raised between statements leaves the connection usable, but a
        statement may still be open on it: a rollback (the pool's own reset) ends it.
        """
        try:
            connection.rollback()
        except DBAPIError:
            connection.close()
            return
        self._put_back(connection)

    def _put_back(self, connection: Connection) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close the idle connections; those in use close when their request ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
