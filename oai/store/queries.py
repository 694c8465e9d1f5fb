"""Every SELECT the endpoint runs. Functions take a Session and return plain values.

Lists are keyset pages: ``(datestamp, identifier) > (last sent)`` below the
snapshot bound, ordered by the same pair, ``LIMIT n + 1`` so the extra row
tells whether another page follows. No OFFSET anywhere: page 10,000 costs
what page 1 costs.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from .models import Fragment, Membership, Meta, OAISet, Record


@dataclass(frozen=True, slots=True)
class Item:
    """One row of a list page: its keyset position and the bytes to send."""

    datestamp: datetime
    identifier: str
    xml: bytes


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


def _window(
    columns: tuple[ColumnElement[datetime], ColumnElement[str]],
    from_: datetime | None,
    until: datetime | None,
    after: tuple[datetime, str] | None,
) -> list[ColumnElement[bool]]:
    datestamp, identifier = columns
    conditions: list[ColumnElement[bool]] = []
    if from_ is not None:
        conditions.append(datestamp >= from_)
    if until is not None:
        conditions.append(datestamp <= until)
    if after is not None:
        # Spelled out rather than a row value so both SQLite and PostgreSQL use the index.
        conditions.append(
            or_(datestamp > after[0], and_(datestamp == after[0], identifier > after[1]))
        )
    return conditions


def _items_select(
    prefix: str | None,
    set_spec: str | None,
    from_: datetime | None,
    until: datetime | None,
    after: tuple[datetime, str] | None,
) -> Select[tuple[datetime, str, bytes]]:
    """Rows in list order; with ``prefix`` the ``<record>`` bytes, without it the header bytes."""
    source = Membership if set_spec is not None else Record
    columns = (source.datestamp, source.identifier)
    if prefix is None:
        if set_spec is None:
            query = select(Record.datestamp, Record.identifier, Record.header_xml)
        else:
            query = select(Membership.datestamp, Membership.identifier, Record.header_xml).join(
                Record, Record.identifier == Membership.identifier
            )
    else:
        query = select(source.datestamp, source.identifier, Fragment.record_xml).join(
            Fragment, and_(Fragment.identifier == source.identifier, Fragment.prefix == prefix)
        )
    if set_spec is not None:
        query = query.where(Membership.set_spec == set_spec)
    return query.where(*_window(columns, from_, until, after)).order_by(*columns)


def page_items(
    session: Session,
    *,
    prefix: str | None,
    set_spec: str | None,
    from_: datetime | None,
    until: datetime | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Item]:
    """Up to ``limit`` items after ``after``; pass ``prefix=None`` for headers only."""
    query = _items_select(prefix, set_spec, from_, until, after).limit(limit)
    return [Item(d, i, x) for d, i, x in session.execute(query)]


def count_items(
    session: Session, *, set_spec: str | None, from_: datetime | None, until: datetime | None
) -> int:
    """How many items the list holds: completeListSize, counted once per list sequence."""
    source = Membership if set_spec is not None else Record
    query = select(func.count()).select_from(source)
    if set_spec is not None:
        query = query.where(Membership.set_spec == set_spec)
    query = query.where(*_window((source.datestamp, source.identifier), from_, until, None))
    return session.execute(query).scalar_one()


def record_xml(session: Session, identifier: str, prefix: str) -> bytes | None:
    """The ``<record>`` bytes of one record in one format, or None."""
    query = select(Fragment.record_xml).where(
        Fragment.identifier == identifier, Fragment.prefix == prefix
    )
    return session.execute(query).scalar_one_or_none()


def record_datestamp(session: Session, identifier: str) -> datetime | None:
    """The record's datestamp, or None when the identifier is unknown."""
    query = select(Record.datestamp).where(Record.identifier == identifier)
    return session.execute(query).scalar_one_or_none()


def record_formats(session: Session, identifier: str) -> list[str]:
    """Prefixes the record can be disseminated in (empty for an unknown identifier)."""
    query = select(Fragment.prefix).where(Fragment.identifier == identifier)
    return list(session.execute(query).scalars())


def earliest_datestamp(session: Session) -> datetime | None:
    return session.execute(select(func.min(Record.datestamp))).scalar_one_or_none()


def sample_identifier(session: Session, namespace: str) -> str | None:
    """An identifier that really exists in the ``oai:<namespace>:`` scheme, for Identify."""
    prefix = f"oai:{namespace}:"
    query = (
        select(Record.identifier)
        .where(Record.identifier.startswith(prefix, autoescape=True))
        .order_by(Record.identifier)
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def has_sets(session: Session) -> bool:
    return session.execute(select(OAISet.set_spec).limit(1)).first() is not None


def set_exists(session: Session, set_spec: str) -> bool:
    query = select(OAISet.set_spec).where(OAISet.set_spec == set_spec)
    return session.execute(query).first() is not None


def page_sets(session: Session, *, after: str | None, limit: int) -> list[SetRow]:
    """Sets in setSpec order after ``after``, at most ``limit``."""
    query = select(OAISet.set_spec, OAISet.name, OAISet.description).order_by(OAISet.set_spec)
    if after is not None:
        query = query.where(OAISet.set_spec > after)
    return [SetRow(s, n, d) for s, n, d in session.execute(query.limit(limit))]


def count_sets(session: Session) -> int:
    return session.execute(select(func.count()).select_from(OAISet)).scalar_one()


def counts(session: Session) -> Counts:
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


def formats_of(session: Session, identifiers: Sequence[str]) -> dict[str, list[str]]:
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


def set_names(session: Session, set_specs: Sequence[str]) -> dict[str, str]:
    """setName by setSpec for the given specs (undeclared specs are simply absent)."""
    if not set_specs:
        return {}
    query = select(OAISet.set_spec, OAISet.name).where(OAISet.set_spec.in_(list(set_specs)))
    return {spec: name for spec, name in session.execute(query)}
