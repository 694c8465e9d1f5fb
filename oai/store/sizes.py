"""List sizes kept by every write, so that completeListSize is read, not counted.

Counting a list's rows costs time in proportion to the list (42 ms for a million
rows on SQLite, 190 ms on PostgreSQL), and a first page would pay it on every
harvest. Every write already passes each row it adds or removes, so it keeps the
``list_sizes`` table (:class:`~oai.store.models.ListSize`) exact instead: a load
counts what it adds where it renders the rows (in the worker processes of a large
load), counts what it removes with one query over the records it replaces, and
adds the difference to the table in one statement at the end, inside the load's
transaction. A list of format ``prefix`` counts every record with a fragment in
that format, deleted ones included; a set's list only those in the set.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, func, select

from .models import Fragment, ListSize, Membership

#: (prefix, set_spec) -> items; set_spec "" is the format's whole list.
Sizes = Counter[tuple[str, str]]

_FRAGMENTS = Fragment.__table__.c
_MEMBERSHIPS = Membership.__table__.c


def count(sizes: Sizes, prefixes: Iterable[str], specs: Sequence[str]) -> None:
    """Add one record that has the formats ``prefixes`` and is in the sets ``specs``."""
    for prefix in prefixes:
        sizes[(prefix, "")] += 1
        for spec in specs:
            sizes[(prefix, spec)] += 1


def stored(connection: Connection, identifiers: Sequence[str]) -> Sizes:
    """What the stored rows of ``identifiers`` add to the lists (before they are replaced)."""
    sizes: Sizes = Counter()
    if not identifiers:
        return sizes
    ids = list(identifiers)
    whole = (
        select(_FRAGMENTS.prefix, func.count())
        .where(_FRAGMENTS.identifier.in_(ids))
        .group_by(_FRAGMENTS.prefix)
    )
    for prefix, items in connection.execute(whole):
        sizes[(prefix, "")] += items
    in_sets = (
        select(_FRAGMENTS.prefix, _MEMBERSHIPS.set_spec, func.count())
        .select_from(Fragment.__table__)
        .join(
            Membership.__table__,
            and_(
                _MEMBERSHIPS.identifier == _FRAGMENTS.identifier,
                _MEMBERSHIPS.datestamp == _FRAGMENTS.datestamp,
            ),
        )
        .where(_FRAGMENTS.identifier.in_(ids))
        .group_by(_FRAGMENTS.prefix, _MEMBERSHIPS.set_spec)
    )
    for prefix, spec, items in connection.execute(in_sets):
        sizes[(prefix, spec)] += items
    return sizes


def apply(connection: Connection, sizes: Sizes) -> None:
    """Add ``sizes`` (which may be negative) to the stored list sizes."""
    changes = [(prefix, spec, items) for (prefix, spec), items in sizes.items() if items]
    if not changes:
        return
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    table = ListSize.__tablename__
    connection.exec_driver_sql(
        f"INSERT INTO {table} (prefix, set_spec, items) VALUES ({marker}, {marker}, {marker}) "
        f"ON CONFLICT (prefix, set_spec) DO UPDATE SET items = {table}.items + excluded.items",
        changes,
    )
