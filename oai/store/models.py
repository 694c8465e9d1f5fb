"""Tables: records, their rendered fragments, set memberships, sets, and stored settings.

Keyset pagination walks ``(datestamp, identifier)``: ``records`` has that index,
``fragments`` is keyed ``(prefix, datestamp, identifier)`` so a ListRecords or
ListIdentifiers page in a format is one range of neighbouring rows, holding only the
records that have that format, and ``memberships`` repeats both columns per set so a
set harvest walks ``(set_spec, datestamp, identifier)`` without touching records it skips.
Identifiers compare bytewise on every database (``COLLATE "C"`` on PostgreSQL),
so the keyset order is the same everywhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Identifiers and setSpecs: bytewise order on PostgreSQL too.
Key = String(1024).with_variant(String(1024, collation="C"), "postgresql")


class Model(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Record(Model):
    """One item: its datestamp, the record it was loaded from, and a digest to spot changes."""

    __tablename__ = "records"

    identifier: Mapped[str] = mapped_column(Key, primary_key=True)
    datestamp: Mapped[datetime] = mapped_column(DateTime())
    deleted: Mapped[bool] = mapped_column(default=False)
    #: The record as loaded, without its datestamp (canonical JSON, ASCII-escaped): what
    #: ``oai db upgrade`` renders a new or changed format from.
    source: Mapped[str] = mapped_column(Text)
    #: SHA-256 of the content that matters to harvesters (not the datestamp).
    digest: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_records_datestamp_identifier", "datestamp", "identifier"),)


class Fragment(Model):
    """A record in one format it has: its header and metadata element, rendered at load time.

    A record has a row for each format that renders it (a format may decline a record
    that lacks what it requires), so lists, counts and GetRecord in a format see only
    the records that have it. Keyed, and on SQLite stored (WITHOUT ROWID), in the keyset
    order of a harvest: a page is one range scan over neighbouring rows. The header is
    stored around its datestamp, which lives only in the key: a restamp changes a
    column, never stored XML. A deleted record keeps a row (no metadata) in each format
    it had, so it is listed as deleted where harvesters knew it.
    """

    __tablename__ = "fragments"

    prefix: Mapped[str] = mapped_column(String(64), primary_key=True)
    datestamp: Mapped[datetime] = mapped_column(DateTime(), primary_key=True)
    identifier: Mapped[str] = mapped_column(
        Key, ForeignKey("records.identifier", ondelete="CASCADE"), primary_key=True
    )
    #: ``<header>`` (with ``status="deleted"``) and ``<identifier>``: what precedes the datestamp.
    header_open: Mapped[bytes] = mapped_column(LargeBinary)
    #: The ``<setSpec>`` elements and ``</header>``: what follows the datestamp.
    header_close: Mapped[bytes] = mapped_column(LargeBinary)
    #: The format's metadata element; None for a deleted record.
    metadata_xml: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    __table_args__ = (
        Index("ix_fragments_identifier_prefix", "identifier", "prefix", unique=True),
        {"sqlite_with_rowid": False},
    )


class Membership(Model):
    """A record in a set, ancestors of hierarchical sets included (``a`` for ``a:b``).

    The primary key is the keyset order of a set harvest, and on SQLite the table
    is stored in it (WITHOUT ROWID): the table is its own index, so a record in
    four sets costs eight b-tree inserts, not sixteen. The loader writes each
    (set, record) pair once, so (set_spec, identifier) needs no constraint of its own.

    Each row repeats the record's header parts (the same in every format), so a set's
    ListIdentifiers page is one range of this narrow table (some 250 bytes a row), where
    looking up each member's fragment (a row of kilobytes) cost five times as much: 327
    against 61 to 71 us for the query of a page of 101 at 100,000 records, beyond the
    2 GB that Python's SQLite maps.
    """

    __tablename__ = "memberships"

    set_spec: Mapped[str] = mapped_column(Key, primary_key=True)
    datestamp: Mapped[datetime] = mapped_column(DateTime(), primary_key=True)
    identifier: Mapped[str] = mapped_column(
        Key, ForeignKey("records.identifier", ondelete="CASCADE"), primary_key=True
    )
    #: As :attr:`Fragment.header_open`: ``<header>`` and ``<identifier>``.
    header_open: Mapped[bytes] = mapped_column(LargeBinary)
    #: As :attr:`Fragment.header_close`: the ``<setSpec>`` elements and ``</header>``.
    header_close: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (
        Index("ix_memberships_identifier", "identifier"),
        {"sqlite_with_rowid": False},
    )


class ListSize(Model):
    """How many items each list holds, kept up to date by every write that adds or
    removes a fragment: completeListSize of a whole-repository or set harvest without
    counting a million rows (store.sizes).

    A list is a format's records (``set_spec`` empty) or a format's records in a set.
    Deleted records count: a list shows them as deleted headers.
    """

    __tablename__ = "list_sizes"

    prefix: Mapped[str] = mapped_column(String(64), primary_key=True)
    set_spec: Mapped[str] = mapped_column(Key, primary_key=True)
    items: Mapped[int] = mapped_column(BigInteger)


class OAISet(Model):
    """A set: declared in a load file, or implied by a record or a descendant's setSpec."""

    __tablename__ = "sets"

    set_spec: Mapped[str] = mapped_column(Key, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    declared: Mapped[bool] = mapped_column(default=False)


class Meta(Model):
    """Small facts kept with the data, such as the generated token-signing key."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
