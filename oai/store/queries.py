"""Every SELECT the endpoint runs but the lists' (:mod:`oai.store.lists`): records, sets,
Identify's facts. Functions take a Session or a Core Connection (the endpoint passes a
Connection: a request needs no ORM unit of work) and return plain values.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Session

from .. import fragments
from .driver import DriverStatement
from .models import Fragment, Membership, Meta, OAISet, Record
from .sqlfunctions import stamp_bytes, stamp_datetime

#: What the query functions read through: an ORM Session (CLI, pages) or a Core Connection.
Reader = Session | Connection


def connection_of(reader: Reader) -> Connection:
    """The Core connection under ``reader``, to run a cached Core statement without the ORM."""
    return reader.connection() if isinstance(reader, Session) else reader


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
_FRAGMENTS = Fragment.__table__.c


# The statements a request runs, built once with bound parameters: building a statement
# costs more than the SQLite query behind a GetRecord (measured in-process: ~0.15 ms of
# 0.8 ms a GetRecord went to SQLAlchemy's statement construction). A GetRecord's lookup
# runs on the driver's cursor (store.driver): 27.3 us through Connection.execute, 14.7 so.
_RECORD = DriverStatement(
    select(
        stamp_bytes(_FRAGMENTS.datestamp),
        _FRAGMENTS.header_open,
        _FRAGMENTS.header_close,
        _FRAGMENTS.metadata_xml,
    ).where(
        _FRAGMENTS.identifier == bindparam("identifier"), _FRAGMENTS.prefix == bindparam("prefix")
    )
)
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
    connection = connection_of(session)
    row = _RECORD.first(connection, {"identifier": identifier, "prefix": prefix})
    if row is None:
        return None
    stamp, opening, closing, metadata = row
    datestamp = stamp_datetime(stamp)
    return fragments.record(opening, stamp, closing, metadata), datestamp


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
    row = session.execute(_FACTS, _scheme_range(namespace)).one()
    return row[0], row[1]


def earliest_datestamp(session: Reader) -> datetime | None:
    return session.execute(_EARLIEST).scalar_one_or_none()


def sample_identifier(session: Reader, namespace: str) -> str | None:
    """An identifier that really exists in the ``oai:<namespace>:`` scheme, for Identify.

    A range, not ``LIKE 'oai:ns:%'``: SQLite runs LIKE as a scan of every record (0.7 ms
    at 20,000 records), a range is one index lookup. ``;`` follows ``:`` bytewise.
    """
    return session.execute(_SAMPLE, _scheme_range(namespace)).scalar_one_or_none()


def _scheme_range(namespace: str) -> dict[str, str]:
    """The identifiers ``oai:<namespace>:...`` as a range: ``;`` follows ``:`` bytewise."""
    low = f"oai:{namespace}:"
    return {"low": low, "high": low[:-1] + ";"}


_HAS_SETS = select(OAISet.set_spec).limit(1)
#: Asked by every first page of a set's list, so on the driver's cursor like a page.
_SET_EXISTS = DriverStatement(
    select(OAISet.set_spec).where(OAISet.set_spec == bindparam("set_spec"))
)
_SETS = select(OAISet.set_spec, OAISet.name, OAISet.description).order_by(OAISet.set_spec)
_SETS_AFTER = _SETS.where(OAISet.set_spec > bindparam("after"))
_COUNT_SETS = select(func.count()).select_from(OAISet)


def has_sets(session: Reader) -> bool:
    return session.execute(_HAS_SETS).first() is not None


def set_exists(session: Reader, set_spec: str) -> bool:
    return _SET_EXISTS.first(connection_of(session), {"set_spec": set_spec}) is not None


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
