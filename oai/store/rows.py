"""Rendered rows: what a batch of records becomes in the tables, and what is stored already.

Used by the loader in this process and by the parallel load's worker processes
(:mod:`oai.store.parallel`), so both write exactly the same rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, Dialect, MetaData, Table, insert, select
from sqlalchemy.orm import Session

from ..formats import FORMATS
from ..fragments import header_parts
from . import sizes
from .models import Record

if TYPE_CHECKING:
    from .loader import RecordLine


@dataclass(frozen=True, slots=True)
class Pending:
    """A record about to be written, with its datestamp and content digest settled."""

    line: RecordLine
    datestamp: datetime
    digest: str


def with_ancestors(specs: Iterable[str]) -> list[str]:
    """Every set the specs imply: ``a:b:c`` gives ``a``, ``a:b`` and ``a:b:c``."""
    out: set[str] = set()
    for spec in specs:
        parts = spec.split(":")
        out.update(":".join(parts[: n + 1]) for n in range(len(parts)))
    return sorted(out)


#: A row as the database driver takes it: values in the table's column order.
Row = tuple[Any, ...]


@dataclass(slots=True)
class Rows:
    """Rendered rows of a batch of records, ready for the driver's executemany.

    Tuples in column order (``records``, ``fragments``, ``memberships`` as declared
    in :mod:`.models`), with datestamps and flags already in the form the dialect's
    own bind processors give them (:class:`Binder`). A million records make some
    three million rows: as dicts run through SQLAlchemy's per-row parameter
    processing they cost the loading process a third of its time (measured on
    100,000 records: 3.5 of its 10.7 CPU-seconds). The pickled bytes between
    processes hardly change (the XML and JSON dominate: 3.45 MB a thousand records).
    """

    records: list[Row] = field(default_factory=list)
    fragments: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    #: What these rows add to the list sizes (store.sizes).
    sizes: sizes.Sizes = field(default_factory=Counter)


class Binder:
    """A datestamp and a deleted flag as the dialect stores them, converted once per record.

    The processors are SQLAlchemy's own for the column types (on SQLite a datestamp
    becomes ``2025-01-02 03:04:05.000000`` text, a flag 0 or 1), so a row written
    from these values is the one a Core insert of the Python values writes.
    """

    def __init__(self, dialect: Dialect) -> None:
        columns = Record.__table__.c
        self._stamp = columns.datestamp.type.dialect_impl(dialect).bind_processor(dialect)
        self._flag = columns.deleted.type.dialect_impl(dialect).bind_processor(dialect)

    def stamp(self, value: datetime) -> Any:
        return value if self._stamp is None else self._stamp(value)

    def flag(self, value: bool) -> Any:
        return value if self._flag is None else self._flag(value)


def existing_records(
    session: Session | Connection, identifiers: list[str]
) -> dict[str, tuple[str, datetime]]:
    """(digest, datestamp) of those of ``identifiers`` already stored."""
    query = select(Record.identifier, Record.digest, Record.datestamp).where(
        Record.identifier.in_(identifiers)
    )
    return {identifier: (digest, stamp) for identifier, digest, stamp in session.execute(query)}


def render_rows(writes: Sequence[Pending], binder: Binder) -> Rows:
    """Every row the records need: record, one fragment per format it has, memberships."""
    rows = Rows()
    records, fragments, memberships = rows.records, rows.fragments, rows.memberships
    for pending in writes:
        line = pending.line
        identifier = line.identifier
        specs = with_ancestors(line.sets)
        stamp = binder.stamp(pending.datestamp)
        records.append(
            (identifier, stamp, binder.flag(line.deleted), line.source(), pending.digest)
        )
        opening, closing = header_parts(identifier, specs, line.deleted)
        elements = rendered(line)
        fragments.extend(
            (prefix, stamp, identifier, opening, closing, element) for prefix, element in elements
        )
        memberships.extend((spec, stamp, identifier, opening, closing) for spec in specs)
        sizes.count(rows.sizes, (prefix for prefix, _ in elements), specs)
    return rows


def rendered(line: RecordLine) -> list[tuple[str, bytes | None]]:
    """(prefix, metadata element) of each format the record has, in FORMATS order.

    A deleted record has its formats but no metadata: those its last metadata
    rendered in, or every format when the line that deleted it carried none.
    """
    if line.deleted:
        if not line.metadata:
            return [(fmt.prefix, None) for fmt in FORMATS]
        return [(fmt.prefix, None) for fmt in FORMATS if fmt.render(line.article) is not None]
    out: list[tuple[str, bytes | None]] = []
    for fmt in FORMATS:
        element = fmt.render(line.article)
        if element is not None:
            out.append((fmt.prefix, element.encode()))
    return out


def insert_rows(connection: Connection, table: Table, rows: list[Row]) -> None:
    """Insert ``rows`` (tuples in ``table``'s column order) with one driver executemany."""
    if not rows:
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(quote(column.name) for column in table.columns)
    markers = ", ".join(marker for _ in table.columns)
    target = dialect.identifier_preparer.format_table(table)
    connection.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({markers})", rows)


class Stage:
    """Rows of a load for a table kept in key order, appended to a temporary table and
    moved in key order at the end.

    ``memberships`` and ``fragments`` are stored in list order (set or format, then
    datestamp and identifier), and a load arrives in file order: inserted as they
    come, every row lands at a random place in a b-tree far larger than any cache,
    and a million-record load spends most of its time there. Appended unindexed
    and moved with one sorted INSERT ... SELECT, the same rows cost a sort and an
    append. Still one transaction: the temporary table goes with it on rollback.

    With ``wide`` rows (fragments, a few KB each), SQLite is given an index on the
    staged key first and walks it: its sorter would otherwise carry every whole row
    through temporary files twice. Measured on a million fragments: 28.4 s for the
    sorted move, 1.6 s to index and 14.7 s to move. Narrow rows (memberships) sort
    faster than they are looked up one by one (39.9 s sorted, 5.9 + 37.5 s indexed).
    """

    def __init__(
        self, connection: Connection, target: Table, wide: bool = False, part: str = ""
    ) -> None:
        self.connection = connection
        self.target = target
        self.wide = wide
        self.staged = Table(
            f"load_{target.name}{part}",
            MetaData(),
            *(
                Column(column.name, column.type, nullable=column.nullable)
                for column in target.columns
            ),
            prefixes=["TEMPORARY"],
        )
        self.created = False

    def add(self, rows: list[Row]) -> None:
        if not rows:
            return
        if not self.created:
            self.staged.create(self.connection)
            self.created = True
        insert_rows(self.connection, self.staged, rows)

    def move(self) -> None:
        """Insert the staged rows into the target table, in its key order."""
        if not self.created:
            return
        names = [column.name for column in self.target.columns]
        if self.wide and self.connection.dialect.name == "sqlite":
            self._move_by_index(names)
        else:
            key = [self.staged.c[column.name] for column in self.target.primary_key.columns]
            self.connection.execute(
                insert(self.target).from_select(
                    names, select(*(self.staged.c[name] for name in names)).order_by(*key)
                )
            )
        self.staged.drop(self.connection)
        self.created = False

    def _move_by_index(self, names: list[str]) -> None:
        """SQLite: the staged rows in key order through an index on the temporary table."""
        quote = self.connection.dialect.identifier_preparer.quote
        staged, index = quote(self.staged.name), quote(f"{self.staged.name}_key")
        key = ", ".join(quote(column.name) for column in self.target.primary_key.columns)
        columns = ", ".join(quote(name) for name in names)
        self.connection.exec_driver_sql(f"CREATE INDEX {index} ON {staged} ({key})")
        self.connection.exec_driver_sql(
            f"INSERT INTO {quote(self.target.name)} ({columns}) "
            f"SELECT {columns} FROM {staged} INDEXED BY {index} ORDER BY {key}"
        )


def _staged_key(row: Row) -> tuple[Any, Any]:
    """A fragment row's (datestamp, identifier): its place in its format's list."""
    return row[1], row[2]


class FormatStages:
    """Fragments staged one temporary table per format, filed format by format in key order.

    The fragments' key begins with the format, so filing the formats one after another
    in prefix order still appends to the table in key order, as one :class:`Stage`
    would. But each walk through a staged table's index now reads a sixth of the staged
    rows at random instead of all of them. At a million records the staged fragments
    are 23 GB, more than the development machine's memory, and one walk over them took
    12 of the load's 29 minutes, the load using 1.24 of two cores: it waited on the
    disk. A format's 2 to 5 GB can stay in the file cache (on 20,000 records: filing
    4.8 to 5.0 s before, 3.5 s after; 1.6 GB written, 1.2 GB after). The million-record
    load took 981 s where it took 1,762, and the disk held 59 GB more at the peak where
    it held 75 GB more (one run of each, the benchmark's corpus).
    """

    def __init__(self, connection: Connection, target: Table) -> None:
        self.connection = connection
        self.target = target
        self._stages: dict[str, Stage] = {}

    def add(self, rows: list[Row]) -> None:
        """Stage fragment rows (prefix first, as in the table) under their formats, each
        batch in key order.

        Sorted, a batch is a run of the staged table in key order, so the walk in key
        order at the end reads each run's pages one after another, and with a temporary
        cache that holds a page per run (``oai.store.STAGE_CACHE_KIB``) it reads each page
        about once, not once for nearly every row. Measured on 100,000 records (a batch
        is a worker's chunk of 1,000): the loading process read 10.1 GB through the file
        cache instead of 46.5 GB, and the load took 35.7 to 38.7 s against 38.6 to 41.5
        (five and four runs, alternating); sorted without the cache, 29.3 GB.
        """
        by_format: defaultdict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_format[row[0]].append(row)
        for prefix, group in by_format.items():
            group.sort(key=_staged_key)
            stage = self._stages.get(prefix)
            if stage is None:
                part = f"_{len(self._stages)}"
                stage = Stage(self.connection, self.target, wide=True, part=part)
                self._stages[prefix] = stage
            stage.add(group)

    def move(self) -> None:
        """File every format's staged rows, in prefix order."""
        for prefix in sorted(self._stages):
            self._stages[prefix].move()
        self._stages.clear()
