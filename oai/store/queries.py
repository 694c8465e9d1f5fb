"""Every SELECT the endpoint runs. Functions take a Session or a Core Connection (the
endpoint passes a Connection: a page needs no ORM unit of work) and return plain values.

Lists are keyset pages: ``(datestamp, identifier) > (last sent)`` below the
snapshot bound, ordered by the same pair, ``LIMIT n + 1`` so the extra row
tells whether another page follows. No OFFSET anywhere: page 10,000 costs
what page 1 costs.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Dialect,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from .models import Fragment, Membership, Meta, OAISet, Record

#: What the query functions read through: an ORM Session (CLI, pages) or a Core Connection.
Reader = Session | Connection


def _connection(reader: Reader) -> Connection:
    """The Core connection under ``reader``, to run a cached Core statement without the ORM."""
    return reader.connection() if isinstance(reader, Session) else reader


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: the bytes to send, and where the next page starts."""

    #: ``<record>`` or ``<header>`` bytes, in list order.
    items: list[bytes]
    #: (datestamp, identifier) of the last item when more follow; None on the last page.
    next_after: tuple[datetime, str] | None


@dataclass(frozen=True, slots=True)
class SetRow:
    set_spec: str
    name: str
    description: str | None


@dataclass(frozen=True, slots=True)
class Counts:
    records: int
    deleted: int
    sets: int


_RECORDS = Record.__table__.c
_MEMBERSHIPS = Membership.__table__.c
_FRAGMENTS = Fragment.__table__.c


def _window(
    columns: tuple[ColumnElement[datetime], ColumnElement[str]],
    from_: bool,
    until: bool,
    after: bool,
) -> list[ColumnElement[bool]]:
    """The conditions of a list window, as bound parameters ``from_``, ``until``,
    ``after_datestamp`` and ``after_identifier``."""
    datestamp, identifier = columns
    conditions: list[ColumnElement[bool]] = []
    # Past the first page ``after`` (an item of this list, so >= from) already bounds
    # the range from below; adding ``from`` too lets SQLite pick it as the range start
    # and walk every item between ``from`` and ``after`` on each page.
    if from_ and not after:
        conditions.append(datestamp >= bindparam("from_", type_=DateTime()))
    if until:
        conditions.append(datestamp <= bindparam("until", type_=DateTime()))
    if after:
        # A row value: SQLite and PostgreSQL both turn it into an index range that starts
        # at the last item sent. The spelled-out ``d > x OR (d = x AND i > y)`` does not:
        # SQLite then scans from the start of the list, so page n costs O(n) (OFFSET again).
        conditions.append(
            tuple_(datestamp, identifier)
            > tuple_(
                bindparam("after_datestamp", type_=DateTime()),
                bindparam("after_identifier", type_=identifier.type),
            )
        )
    return conditions


@functools.cache
def _items_select(
    records: bool, in_set: bool, from_: bool, until: bool, after: bool
) -> Select[tuple[datetime, str, bytes]]:
    """The list query of one shape, built once: rows in list order with their bytes.

    ``records``: the ``<record>`` bytes of format ``prefix``; otherwise the header bytes.
    Built from Core columns with bound parameters and kept, so serving a page costs
    no query construction and no ORM work, only the statement cache lookup.
    """
    if records and not in_set:
        # The fragments table is keyed (prefix, datestamp, identifier): one range scan.
        source = _FRAGMENTS
        query = select(source.datestamp, source.identifier, source.record_xml.label("xml")).where(
            source.prefix == bindparam("prefix")
        )
    else:
        source = _MEMBERSHIPS if in_set else _RECORDS
        if not records:
            query = select(source.datestamp, source.identifier, _RECORDS.header_xml.label("xml"))
            if in_set:
                query = query.join(Record.__table__, _RECORDS.identifier == source.identifier)
        else:
            # A set's page joins each membership to its fragment by the fragments' key.
            query = select(
                source.datestamp, source.identifier, _FRAGMENTS.record_xml.label("xml")
            ).join(
                Fragment.__table__,
                and_(
                    _FRAGMENTS.prefix == bindparam("prefix"),
                    _FRAGMENTS.datestamp == source.datestamp,
                    _FRAGMENTS.identifier == source.identifier,
                ),
            )
    columns = (source.datestamp, source.identifier)
    if in_set:
        query = query.where(source.set_spec == bindparam("set_spec"))
    query = query.where(*_window(columns, from_, until, after))
    return query.order_by(*columns).limit(bindparam("limit", type_=Integer()))


@dataclass(frozen=True, slots=True)
class _DriverQuery:
    """A list query compiled once for a dialect, run as SQL text on the driver.

    A page is the hot path of a harvest. Run as a Core statement it pays, every
    time, for the statement's cache key, an execution context with bind and result
    processing, and a Row per item; as the compiled text with ready parameters it
    costs a quarter less (measured: 0.117 against 0.092 ms a page of 101 rows on
    SQLite), and only the last row's datestamp needs converting.
    """

    sql: str
    #: Parameter order for a positional paramstyle (SQLite's ``?``); None for named ones.
    order: tuple[str, ...] | None
    #: Values the statement carries itself, e.g. SQLite's ``OFFSET 0`` after LIMIT.
    fixed: dict[str, Any]
    #: Driver-side conversion of bound values (SQLite stores datetimes as text).
    binds: dict[str, Callable[[Any], Any]]
    #: Driver value of the datestamp column to a datetime; None when it is one already.
    datestamp: Callable[[Any], datetime] | None

    @classmethod
    def compile(cls, query: Select[tuple[datetime, str, bytes]], dialect: Dialect) -> _DriverQuery:
        compiled = query.compile(dialect=dialect)
        binds = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds[name] = process
        stamp = DateTime().dialect_impl(dialect).result_processor(dialect, None)
        return cls(
            sql=compiled.string,
            order=tuple(compiled.positiontup) if compiled.positiontup is not None else None,
            fixed={
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if bind.effective_value is not None
            },
            binds=binds,
            datestamp=stamp,
        )

    def parameters(self, values: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        given = self.fixed | values
        for name, process in self.binds.items():
            if name in given:
                given[name] = process(given[name])
        if self.order is None:
            return given
        return tuple(given[name] for name in self.order)


@functools.cache
def _driver_query(
    dialect: Dialect, records: bool, in_set: bool, from_: bool, until: bool, after: bool
) -> _DriverQuery:
    return _DriverQuery.compile(_items_select(records, in_set, from_, until, after), dialect)


def page_items(
    session: Reader,
    *,
    prefix: str | None,
    set_spec: str | None,
    from_: datetime | None,
    until: datetime | None,
    after: tuple[datetime, str] | None,
    size: int,
) -> Page:
    """Up to ``size`` items after ``after``; pass ``prefix=None`` for headers only."""
    connection = _connection(session)
    query = _driver_query(
        connection.dialect,
        prefix is not None,
        set_spec is not None,
        from_ is not None,
        until is not None,
        after is not None,
    )
    values = {
        "prefix": prefix,
        "set_spec": set_spec,
        "from_": from_,
        "until": until,
        "after_datestamp": after[0] if after else None,
        "after_identifier": after[1] if after else None,
        "limit": size + 1,  # the extra row says whether another page follows
    }
    used = {key: value for key, value in values.items() if value is not None}
    # One fetchall of plain tuples, not a fetch or a Row per item.
    rows = connection.exec_driver_sql(query.sql, query.parameters(used)).cursor.fetchall()
    next_after = None
    if len(rows) > size:
        del rows[size:]
        datestamp, identifier, _ = rows[-1]
        if query.datestamp is not None:
            datestamp = query.datestamp(datestamp)
        next_after = (datestamp, identifier)
    return Page([row[2] for row in rows], next_after)


def count_items(
    session: Reader, *, set_spec: str | None, from_: datetime | None, until: datetime | None
) -> int:
    """How many items the list holds: completeListSize, counted once per list sequence."""
    source = _MEMBERSHIPS if set_spec is not None else _RECORDS
    query = select(func.count()).select_from(source.datestamp.table)
    if set_spec is not None:
        query = query.where(source.set_spec == bindparam("set_spec"))
    query = query.where(
        *_window((source.datestamp, source.identifier), from_ is not None, until is not None, False)
    )
    params = {"set_spec": set_spec, "from_": from_, "until": until}
    used = {key: value for key, value in params.items() if value is not None}
    return int(_connection(session).execute(query, used).scalar_one())


def record_xml(session: Reader, identifier: str, prefix: str) -> bytes | None:
    """The ``<record>`` bytes of one record in one format, or None."""
    query = select(Fragment.record_xml).where(
        Fragment.identifier == identifier, Fragment.prefix == prefix
    )
    return session.execute(query).scalar_one_or_none()


def record_datestamp(session: Reader, identifier: str) -> datetime | None:
    """The record's datestamp, or None when the identifier is unknown."""
    query = select(Record.datestamp).where(Record.identifier == identifier)
    return session.execute(query).scalar_one_or_none()


def record_formats(session: Reader, identifier: str) -> list[str]:
    """Prefixes the record can be disseminated in (empty for an unknown identifier)."""
    query = select(Fragment.prefix).where(Fragment.identifier == identifier)
    return list(session.execute(query).scalars())


def earliest_datestamp(session: Reader) -> datetime | None:
    return session.execute(select(func.min(Record.datestamp))).scalar_one_or_none()


def sample_identifier(session: Reader, namespace: str) -> str | None:
    """An identifier that really exists in the ``oai:<namespace>:`` scheme, for Identify."""
    prefix = f"oai:{namespace}:"
    query = (
        select(Record.identifier)
        .where(Record.identifier.startswith(prefix, autoescape=True))
        .order_by(Record.identifier)
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def has_sets(session: Reader) -> bool:
    return session.execute(select(OAISet.set_spec).limit(1)).first() is not None


def set_exists(session: Reader, set_spec: str) -> bool:
    query = select(OAISet.set_spec).where(OAISet.set_spec == set_spec)
    return session.execute(query).first() is not None


def page_sets(session: Reader, *, after: str | None, limit: int) -> list[SetRow]:
    """Sets in setSpec order after ``after``, at most ``limit``."""
    query = select(OAISet.set_spec, OAISet.name, OAISet.description).order_by(OAISet.set_spec)
    if after is not None:
        query = query.where(OAISet.set_spec > after)
    return [SetRow(s, n, d) for s, n, d in session.execute(query.limit(limit))]


def count_sets(session: Reader) -> int:
    return session.execute(select(func.count()).select_from(OAISet)).scalar_one()


def counts(session: Reader) -> Counts:
    records = session.execute(select(func.count()).select_from(Record)).scalar_one()
    deleted = session.execute(
        select(func.count()).select_from(Record).where(Record.deleted.is_(True))
    ).scalar_one()
    return Counts(records=records, deleted=deleted, sets=count_sets(session))


def secret_key(session: Session) -> str:
    """The database's token-signing key, generated and stored on first use."""
    stored = session.execute(select(Meta.value).where(Meta.key == "secret_key")).scalar()
    if stored is not None:
        return stored
    session.add(Meta(key="secret_key", value=secrets.token_urlsafe(32)))
    try:
        session.commit()
    except Exception:  # another process stored one first: use theirs
        session.rollback()
    return session.execute(select(Meta.value).where(Meta.key == "secret_key")).scalar_one()


def formats_of(session: Reader, identifiers: Sequence[str]) -> dict[str, list[str]]:
    """The prefixes each identifier can be disseminated in, for a whole page in one query."""
    if not identifiers:
        return {}
    query = select(Fragment.identifier, Fragment.prefix).where(
        Fragment.identifier.in_(list(identifiers))
    )
    found: dict[str, list[str]] = {}
    for identifier, prefix in session.execute(query):
        found.setdefault(identifier, []).append(prefix)
    return found


def set_names(session: Reader, set_specs: Sequence[str]) -> dict[str, str]:
    """setName by setSpec for the given specs (undeclared specs are simply absent)."""
    if not set_specs:
        return {}
    query = select(OAISet.set_spec, OAISet.name).where(OAISet.set_spec.in_(list(set_specs)))
    return {spec: name for spec, name in session.execute(query)}
