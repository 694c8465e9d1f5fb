"""The statements every request repeats, run on the database driver's own cursor.

A GetRecord, a list page, a first page's list size and a set's existence are each one
Core statement, built and compiled by SQLAlchemy once per dialect. Executing one
through ``Connection.execute`` costs SQLAlchemy's per-call work on top of the query:
the statement's cache key, an execution context, bind and result processing, a Row
per row. For a GetRecord that is as much as the query itself: on 100,000 article
records (SQLite, in-process, best of 5 runs of 2,000) a GetRecord's lookup took 27.3 us
through ``Connection.execute``, 24.4 us through ``exec_driver_sql`` and 14.7 us on the
driver's cursor; a resumed page of 101 rows 111 against 93 us.

:class:`DriverStatement` keeps SQLAlchemy for everything but that call: the SQL text,
its parameter order and each parameter's bind processor come from the compiled
statement (public API: ``Compiled.string``, ``positiontup``, ``bind_names``,
``params``), parameters are converted as ``Connection.execute`` would convert them, a
missing one is refused as it refuses it, and a driver error is raised as SQLAlchemy
raises it (a ``DBAPIError``, ``connection_invalidated`` when the server is gone), so
the 503 and the reconnect in :mod:`oai.store.readers` work the same. Rows come back as
the driver gives them, so the statements select only values every driver returns
alike (text, integers, bytes: a datestamp as ``stamp_bytes`` writes it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler

#: A row as the driver returns it.
DriverRow = Sequence[Any]


class _Compiled:
    """One statement compiled for one dialect: its text and how to bind its parameters."""

    __slots__ = ("sql", "positional", "names", "defaults", "required", "processors")

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        #: Every parameter under its compiled name, with the value the statement fixes
        #: itself (SQLite's OFFSET 0 after a bound LIMIT) or None.
        self.defaults: dict[str, Any] = dict(compiled.params)
        #: Names in the order the SQL text takes them (a name used twice, twice).
        self.names: list[str] = (
            list(compiled.positiontup or []) if self.positional else list(self.defaults)
        )
        #: Parameters the caller must give (``bindparam("x")`` without a value).
        self.required = frozenset(
            name for bind, name in compiled.bind_names.items() if bind.required
        )
        self.processors: dict[str, Callable[[Any], Any]] = {}
        for bind, name in compiled.bind_names.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def parameters(self, values: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if not self.required.issubset(values):
            # As Connection.execute refuses it: a forgotten value must not bind NULL and
            # quietly match nothing.
            missing = ", ".join(sorted(self.required.difference(values)))
            raise InvalidRequestError(f"A value is required for bind parameter {missing}")
        processors = self.processors
        bound = {}
        for name, default in self.defaults.items():
            value = values.get(name, default)
            processor = processors.get(name)
            bound[name] = value if processor is None or value is None else processor(value)
        return tuple(bound[name] for name in self.names) if self.positional else bound


class DriverStatement:
    """A Core statement executed on the driver's cursor; see the module's docstring."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        #: Compiled per (dialect, driver, paramstyle): two drivers of one database may
        #: take different parameter markers.
        self._compiled: dict[tuple[str, str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(key, _Compiled(self.statement, dialect))
        return compiled

    def all(self, connection: Connection, values: dict[str, Any]) -> list[DriverRow]:
        """Every row, as the driver returns it."""
        compiled = self._for(connection.dialect)
        parameters = compiled.parameters(values)
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None
        cursor = dbapi_connection.cursor()
        try:
            _execute(connection.dialect, cursor, compiled.sql, parameters)
            return list(cursor.fetchall())
        except connection.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(connection, compiled.sql, parameters, exc, cursor) from exc
        finally:
            cursor.close()

    def first(self, connection: Connection, values: dict[str, Any]) -> DriverRow | None:
        rows = self.all(connection, values)
        return rows[0] if rows else None


def _execute(dialect: Dialect, cursor: Any, sql: str, parameters: Any) -> None:
    """``cursor.execute``, unless a listener of the dialect's ``do_execute`` event runs it,
    as ``Connection.execute`` does (the fault tests fail statements there). The
    connection's ``before_cursor_execute`` and ``after_cursor_execute`` events are not
    fired: they take an execution context, which these statements do not make, so
    instrumentation built on them does not see the statements of this module."""
    for listener in dialect.dispatch.do_execute:
        if listener(cursor, sql, parameters, None):
            return
    cursor.execute(sql, parameters)


def _wrapped(
    connection: Connection,
    sql: str,
    parameters: Any,
    exc: Exception,
    cursor: Any,
) -> BaseException:
    """The driver's error as SQLAlchemy raises it; a connection the server dropped is
    invalidated, so that it is not used again."""
    dialect = connection.dialect
    gone = dialect.is_disconnect(
        exc,  # type: ignore[arg-type]  # the dialect's DBAPI Error, as caught
        connection.connection.dbapi_connection,
        cursor,
    )
    if gone:
        connection.invalidate(exc)
    return DBAPIError.instance(
        sql,
        parameters,
        exc,
        dialect.loaded_dbapi.Error,
        connection_invalidated=gone,
        dialect=dialect,
    )
