"""Rendered rows: what a batch of records becomes in the tables, and what is stored already.

Used by the loader in this process and by the parallel load's worker processes
(:mod:`oai.store.parallel`), so both write exactly the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, MetaData, Table, insert, select
from sqlalchemy.orm import Session

from ..formats import FORMATS
from ..fragments import render_all
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


@dataclass(slots=True)
class Rows:
    """Rendered rows of a batch of records, as Core executemany takes them."""

    records: list[dict[str, Any]] = field(default_factory=list)
    fragments: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)


def existing_records(
    session: Session | Connection, identifiers: list[str]
) -> dict[str, tuple[str, datetime]]:
    """(digest, datestamp) of those of ``identifiers`` already stored."""
    query = select(Record.identifier, Record.digest, Record.datestamp).where(
        Record.identifier.in_(identifiers)
    )
    return {identifier: (digest, stamp) for identifier, digest, stamp in session.execute(query)}


def render_rows(writes: Sequence[Pending]) -> Rows:
    """Every row the records need: record, one fragment per format, memberships."""
    rows = Rows()
    for pending in writes:
        line, datestamp = pending.line, pending.datestamp
        specs = with_ancestors(line.sets)
        elements = [None if line.deleted else fmt.render(line.metadata) for fmt in FORMATS]
        header, rendered = render_all(line.identifier, datestamp, specs, line.deleted, elements)
        rows.records.append(
            {
                "identifier": line.identifier,
                "datestamp": datestamp,
                "deleted": line.deleted,
                "source": line.source(datestamp),
                "digest": pending.digest,
                "header_xml": header,
            }
        )
        rows.fragments.extend(
            {
                "prefix": fmt.prefix,
                "datestamp": datestamp,
                "identifier": line.identifier,
                "record_xml": xml,
            }
            for fmt, xml in zip(FORMATS, rendered, strict=True)
        )
        rows.memberships.extend(
            {"set_spec": spec, "identifier": line.identifier, "datestamp": datestamp}
            for spec in specs
        )
    return rows


class Stage:
    """Rows of a load for a table kept in key order, appended to a temporary table and
    moved in key order at the end.

    ``memberships`` and ``fragments`` are stored in list order (set or format, then
    datestamp and identifier), and a load arrives in file order: inserted as they
    come, every row lands at a random place in a b-tree far larger than any cache,
    and a million-record load spends most of its time there. Appended unindexed
    and moved with one sorted INSERT ... SELECT, the same rows cost a sort and an
    append. Still one transaction: the temporary table goes with it on rollback.
    """

    def __init__(self, connection: Connection, target: Table) -> None:
        self.connection = connection
        self.target = target
        self.staged = Table(
            f"load_{target.name}",
            MetaData(),
            *(Column(column.name, column.type, nullable=False) for column in target.columns),
            prefixes=["TEMPORARY"],
        )
        self.created = False

    def add(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if not self.created:
            self.staged.create(self.connection)
            self.created = True
        self.connection.execute(insert(self.staged), rows)

    def move(self) -> None:
        """Insert the staged rows into the target table, in its key order."""
        if not self.created:
            return
        names = [column.name for column in self.target.columns]
        key = [self.staged.c[column.name] for column in self.target.primary_key.columns]
        self.connection.execute(
            insert(self.target).from_select(
                names, select(*(self.staged.c[name] for name in names)).order_by(*key)
            )
        )
        self.staged.drop(self.connection)
        self.created = False
