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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    Select,
    and_,
    bindparam,
    func,
    select,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from .. import fragments
from .models import Fragment, ListSize, Membership, Meta, OAISet, Record

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


class stamp_bytes(FunctionElement[bytes]):  # noqa: N801 -- a SQL function, named like one
    """A datestamp column as the header writes it, ``YYYY-MM-DDThh:mm:ssZ``, in bytes.

    Made by the database for every row of a page: a page then costs no datetime per
    row, parsed by the driver and formatted again (measured: 1.4 us a row of ~7 us).
    """

    type = LargeBinary()
    inherit_cache = True


@compiles(stamp_bytes, "sqlite")
def _stamp_sqlite(element: stamp_bytes, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy stores a DateTime in SQLite as fixed-width text, 'YYYY-MM-DD hh:mm:ss.ffffff':
    # cut and joined, not parsed again by strftime, which cost 0.9 us a row (0.29 against
    # 0.17 ms for a page's 101 rows at 100,000 records).
    column = compiler.process(element.clauses, **kw)
    return f"CAST(substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || 'Z' AS BLOB)"


@compiles(stamp_bytes, "postgresql")
def _stamp_postgresql(element: stamp_bytes, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"convert_to(to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'UTF8')"


class same_datestamp(FunctionElement[bool]):  # noqa: N801 -- a SQL condition, named like one
    """A fragment's datestamp equals its membership's, as a join condition where it helps.

    Every write gives a record's fragments and memberships the record's datestamp, so
    the identifier (with the prefix) already joins a membership to its one fragment.
    SQLite needs the datestamp too, to look the fragment up by its primary key: 0.75 ms
    for a set page of 101 items with it, 2.7 ms through the identifier index without
    (100,000 records). PostgreSQL must not get it: it multiplies the two equalities'
    selectivities, expects one row from the join instead of 85,000, and so plans a
    set's page as a hash join of the whole set with every fragment of the format
    (630 to 880 ms a page for the ``type:article`` set of 100,000 records) instead of
    walking the set's memberships in order (1 to 7 ms).
    """

    type = Boolean()
    inherit_cache = True
    #: A comparison already: SQLite, which has no boolean type, must not get ``= 1`` after it.
    _is_implicitly_boolean = True


@compiles(same_datestamp)
def _same_datestamp(element: same_datestamp, compiler: Any, **kw: Any) -> str:
    fragment, membership = (compiler.process(c, **kw) for c in element.clauses)
    return f"{fragment} = {membership}"


@compiles(same_datestamp, "postgresql")
def _same_datestamp_postgresql(element: same_datestamp, compiler: Any, **kw: Any) -> str:
    return "true"


@functools.cache
def _items_select(
    records: bool, in_set: bool, from_: bool, until: bool, after: bool
) -> Select[tuple[Any, ...]]:
    """The list query of one shape, built once: rows in list order with their parts.

    Rows are ``(stamp bytes, identifier, header_open, header_close[, metadata])`` of the
    records that have format ``prefix``; ``records`` adds the metadata element. Built
    from Core columns with bound parameters and kept, so serving a page costs no query
    construction and no ORM work, only the statement cache lookup.
    """
    fragments = _FRAGMENTS
    columns: list[ColumnElement[Any]] = [fragments.header_open, fragments.header_close]
    if records:
        columns.append(fragments.metadata_xml)
    if in_set:
        # A set's page walks the set's memberships and joins each to its fragment by key.
        source = _MEMBERSHIPS
        query = (
            select(stamp_bytes(source.datestamp), source.identifier, *columns)
            .join(
                Fragment.__table__,
                and_(
                    fragments.prefix == bindparam("prefix"),
                    fragments.identifier == source.identifier,
                    same_datestamp(fragments.datestamp, source.datestamp),
                ),
            )
            .where(source.set_spec == bindparam("set_spec"))
        )
    else:
        # The fragments table is keyed (prefix, datestamp, identifier): one range scan.
        source = fragments
        query = select(stamp_bytes(source.datestamp), source.identifier, *columns).where(
            source.prefix == bindparam("prefix")
        )
    keys = (source.datestamp, source.identifier)
    query = query.where(*_window(keys, from_, until, after))
    return query.order_by(*keys).limit(bindparam("limit", type_=Integer()))


def page_items(
    session: Reader,
    *,
    prefix: str,
    records: bool,
    set_spec: str | None,
    from_: datetime | None,
    until: datetime | None,
    after: tuple[datetime, str] | None,
    size: int,
) -> Page:
    """Up to ``size`` items in format ``prefix`` after ``after``: ``<record>`` bytes when
    ``records``, else ``<header>`` bytes."""
    query = _items_select(
        records, set_spec is not None, from_ is not None, until is not None, after is not None
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
    rows = _connection(session).execute(query, used).all()
    next_after = None
    if len(rows) > size:
        rows = rows[:size]
        stamp, identifier = rows[-1][0], rows[-1][1]
        next_after = (datetime.fromisoformat(stamp[:-1].decode()), identifier)
    if records:
        items = [
            fragments.record(opening, stamp, closing, metadata)
            for stamp, _, opening, closing, metadata in rows
        ]
    else:
        items = [fragments.header(opening, stamp, closing) for stamp, _, opening, closing in rows]
    return Page(items, next_after)


def _in_format(prefix: ColumnElement[str] | str) -> ColumnElement[bool]:
    """A membership's record has a fragment in format ``prefix``: as EXISTS, so that the
    planner walks the set's memberships and looks each up, never the other way round.

    As a join SQLite chose to range over every fragment of the window and look up its
    memberships: 18 ms for a set's three-month window at 20,000 records, 3.8 ms as EXISTS.
    """
    return (
        select(_FRAGMENTS.identifier)
        .where(
            _FRAGMENTS.prefix == prefix,
            _FRAGMENTS.datestamp == _MEMBERSHIPS.datestamp,
            _FRAGMENTS.identifier == _MEMBERSHIPS.identifier,
        )
        .exists()
    )


@functools.cache
def _count_select(in_set: bool, from_: bool, until: bool, every_record: bool) -> Select[Any]:
    """count_items' statement of one shape, built once."""
    if in_set:
        query = (
            select(func.count())
            .select_from(Membership.__table__)
            .where(_MEMBERSHIPS.set_spec == bindparam("set_spec"))
        )
        if not every_record:
            query = query.where(_in_format(bindparam("prefix")))
        keys = (_MEMBERSHIPS.datestamp, _MEMBERSHIPS.identifier)
    else:
        query = (
            select(func.count())
            .select_from(Fragment.__table__)
            .where(_FRAGMENTS.prefix == bindparam("prefix"))
        )
        keys = (_FRAGMENTS.datestamp, _FRAGMENTS.identifier)
    return query.where(*_window(keys, from_, until, False))


def count_items(
    session: Reader,
    *,
    prefix: str,
    set_spec: str | None,
    from_: datetime | None,
    until: datetime | None,
    every_record: bool = False,
) -> int:
    """How many items the list in format ``prefix`` holds within from/until: completeListSize
    of a selective harvest, counted once per list sequence (store.sizes keeps the others).

    ``every_record``: every record has the format, so a set's count is its memberships in
    the window alone. Otherwise each membership's fragment is looked up, and those
    lookups are the count's cost: for a set's three-month window of 402 items at
    100,000 records, 2.9 to 4.5 ms with them, 0.2 ms without.
    """
    in_set = set_spec is not None
    query = _count_select(in_set, from_ is not None, until is not None, every_record)
    params = {"prefix": prefix, "set_spec": set_spec, "from_": from_, "until": until}
    if in_set and every_record:
        del params["prefix"]
    used = {key: value for key, value in params.items() if value is not None}
    return int(_connection(session).execute(query, used).scalar_one())


@functools.cache
def _list_size_select(in_set: bool) -> Select[Any]:
    """list_size's statement, built once per shape (building it took 0.2 ms a first page,
    as long as the page's own query)."""
    stored = select(ListSize.items).where(
        ListSize.prefix == bindparam("prefix"), ListSize.set_spec == bindparam("set_key")
    )
    bound = bindparam("bound", type_=DateTime())
    if in_set:
        later = (
            select(func.count())
            .select_from(Membership.__table__)
            .where(_MEMBERSHIPS.set_spec == bindparam("set_spec"), _MEMBERSHIPS.datestamp > bound)
            .where(_in_format(bindparam("prefix")))
        )
    else:
        later = select(func.count()).where(
            _FRAGMENTS.prefix == bindparam("prefix"), _FRAGMENTS.datestamp > bound
        )
    return select(func.coalesce(stored.scalar_subquery(), 0) - later.scalar_subquery())


def list_size(session: Reader, *, prefix: str, set_spec: str | None, bound: datetime) -> int:
    """completeListSize of a whole format or set list up to ``bound``, the snapshot's end,
    read from the sizes every write keeps (store.sizes): the stored size less the items
    stamped after the bound (changed in the last second, or stamped ahead by a slow load),
    which are few, and an index range at the end of the list. One statement, so both
    parts see the same committed state."""
    params: dict[str, Any] = {"prefix": prefix, "set_key": set_spec or "", "bound": bound}
    if set_spec is not None:
        params["set_spec"] = set_spec
    query = _list_size_select(set_spec is not None)
    return int(_connection(session).execute(query, params).scalar_one())


# The statements a request runs, built once with bound parameters: building a statement
# costs more than the SQLite query behind a GetRecord (measured in-process: ~0.15 ms of
# 0.8 ms a GetRecord went to SQLAlchemy's statement construction).
_RECORD = select(
    _FRAGMENTS.datestamp, _FRAGMENTS.header_open, _FRAGMENTS.header_close, _FRAGMENTS.metadata_xml
).where(_FRAGMENTS.identifier == bindparam("identifier"), _FRAGMENTS.prefix == bindparam("prefix"))
_DATESTAMP = select(_RECORDS.datestamp).where(_RECORDS.identifier == bindparam("identifier"))
_FORMATS = select(_FRAGMENTS.prefix).where(_FRAGMENTS.identifier == bindparam("identifier"))
_EARLIEST = select(func.min(_RECORDS.datestamp))
_SAMPLE = (
    select(_RECORDS.identifier)
    .where(_RECORDS.identifier >= bindparam("low"), _RECORDS.identifier < bindparam("high"))
    .order_by(_RECORDS.identifier)
    .limit(1)
)
_FACTS = select(_EARLIEST.scalar_subquery(), _SAMPLE.scalar_subquery())


def record_xml(session: Reader, identifier: str, prefix: str) -> tuple[bytes, datetime] | None:
    """The ``<record>`` bytes of one record in one format and its datestamp, or None when
    the record is unknown or lacks the format."""
    row = session.execute(_RECORD, {"identifier": identifier, "prefix": prefix}).first()
    if row is None:
        return None
    datestamp, opening, closing, metadata = row
    return fragments.record(opening, fragments.stamp(datestamp), closing, metadata), datestamp


def record_datestamp(session: Reader, identifier: str) -> datetime | None:
    """The record's datestamp, or None when the identifier is unknown."""
    return session.execute(_DATESTAMP, {"identifier": identifier}).scalar_one_or_none()


def record_formats(session: Reader, identifier: str) -> list[str]:
    """Prefixes the record can be disseminated in (empty for an unknown identifier)."""
    return list(session.execute(_FORMATS, {"identifier": identifier}).scalars())


def repository_facts(session: Reader, namespace: str) -> tuple[datetime | None, str | None]:
    """Identify's two facts, earliest_datestamp and sample_identifier, in one statement.

    One round trip to a database server instead of two: in-process on PostgreSQL an
    Identify took 908 us with two statements and 465 to 488 us with one; on SQLite the
    statements alone 87 against 48 us (20,000 and 100,000 records).
    """
    low = f"oai:{namespace}:"
    params = {"low": low, "high": low[:-1] + ";"}
    row = session.execute(_FACTS, params).one()
    return row[0], row[1]


def earliest_datestamp(session: Reader) -> datetime | None:
    return session.execute(_EARLIEST).scalar_one_or_none()


def sample_identifier(session: Reader, namespace: str) -> str | None:
    """An identifier that really exists in the ``oai:<namespace>:`` scheme, for Identify.

    A range, not ``LIKE 'oai:ns:%'``: SQLite runs LIKE as a scan of every record (0.7 ms
    at 20,000 records), a range is one index lookup. ``;`` follows ``:`` bytewise.
    """
    low = f"oai:{namespace}:"
    params = {"low": low, "high": low[:-1] + ";"}
    return session.execute(_SAMPLE, params).scalar_one_or_none()


_HAS_SETS = select(OAISet.set_spec).limit(1)
_SET_EXISTS = select(OAISet.set_spec).where(OAISet.set_spec == bindparam("set_spec"))
_SETS = select(OAISet.set_spec, OAISet.name, OAISet.description).order_by(OAISet.set_spec)
_SETS_AFTER = _SETS.where(OAISet.set_spec > bindparam("after"))
_COUNT_SETS = select(func.count()).select_from(OAISet)


def has_sets(session: Reader) -> bool:
    return session.execute(_HAS_SETS).first() is not None


def set_exists(session: Reader, set_spec: str) -> bool:
    return session.execute(_SET_EXISTS, {"set_spec": set_spec}).first() is not None


def page_sets(session: Reader, *, after: str | None, limit: int) -> list[SetRow]:
    """Sets in setSpec order after ``after``, at most ``limit``."""
    params: dict[str, Any] = {"limit": limit}
    if after is None:
        query = _SETS.limit(bindparam("limit"))
    else:
        query = _SETS_AFTER.limit(bindparam("limit"))
        params["after"] = after
    return [SetRow(s, n, d) for s, n, d in session.execute(query, params)]


def count_sets(session: Reader) -> int:
    return session.execute(_COUNT_SETS).scalar_one()


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


def set_counts(session: Reader, set_specs: Sequence[str]) -> dict[str, int]:
    """Records in each of the given sets (deleted ones too, as a harvest of the set lists
    them; descendants' records included), in one GROUP BY over the memberships."""
    if not set_specs:
        return {}
    query = (
        select(Membership.set_spec, func.count())
        .where(Membership.set_spec.in_(list(set_specs)))
        .group_by(Membership.set_spec)
    )
    return {spec: int(count) for spec, count in session.execute(query)}
