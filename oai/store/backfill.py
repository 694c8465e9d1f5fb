"""Which formats the stored records are rendered in, and rendering them when the code changes.

Every format is rendered when a record is loaded, so a harvest only copies bytes.
A new version of oai may bring a format the stored records were never rendered in,
or render an existing one differently (its ``Format.version`` rises). The ``meta``
table keeps, for each format, the version the stored records were rendered with
(``format:<prefix>``); :func:`stale` compares it with the code. A database with
stale formats is refused (``oai db upgrade`` first), except an empty one, which
simply records the code's versions.

:func:`backfill` renders the stale formats again from each record's stored
source, in batches of :data:`BATCH` records (bounded memory, one transaction, a
progress callback). A record gaining a format it never had keeps its datestamp:
nobody harvested it in that format. A record whose element in a format it was
already disseminated in changes is rewritten as a load would rewrite it, with a
new datestamp settled at the commit, so incremental harvesters collect it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.orm import Session

from ..formats import FORMATS, Format
from ..fragments import header_parts
from . import sizes
from .loader import Loader, RecordLine
from .models import Fragment, ListSize, Meta, Record
from .rows import Binder, Pending, Rows, rendered, with_ancestors
from .schema import lock

#: Records rendered and compared per round trip.
BATCH = 500
_KEY = "format:"


def stored_versions(connection: Connection | Session) -> dict[str, int]:
    """Format prefix -> the version its stored elements were rendered with."""
    rows = connection.execute(select(Meta.key, Meta.value).where(Meta.key.startswith(_KEY)))
    return {key.removeprefix(_KEY): int(value) for key, value in rows}


def stale(connection: Connection | Session) -> list[Format]:
    """The code's formats whose stored elements are missing or from another version."""
    versions = stored_versions(connection)
    return [fmt for fmt in FORMATS if versions.get(fmt.prefix) != fmt.version]


def record_versions(session: Session) -> None:
    """Note that the stored records are rendered in every format of this code."""
    session.execute(delete(Meta).where(Meta.key.startswith(_KEY)))
    session.add_all(Meta(key=_KEY + fmt.prefix, value=str(fmt.version)) for fmt in FORMATS)


def check(engine: Engine) -> list[Format]:
    """The stale formats of a database holding records (``oai db upgrade`` renders them).

    An empty database, or one whose formats are current, returns an empty list; an
    empty one records the code's versions on the way, so that records loaded into
    it are known to be rendered in every format.
    """
    with engine.connect() as connection:
        formats = stale(connection)
        if not formats:
            return []
        if connection.execute(select(Record.identifier).limit(1)).first() is not None:
            return formats
    # Nodes starting together on a new database record the versions once.
    with lock(engine), Session(engine) as session, session.begin():
        if stale(session) and session.execute(select(Record.identifier).limit(1)).first() is None:
            record_versions(session)
    return []


@dataclass(slots=True)
class Report:
    """What a backfill did, for the lines ``oai db upgrade`` prints."""

    formats: list[str] = field(default_factory=list)
    records: int = 0
    #: Fragments added for formats the records did not have yet.
    added: int = 0
    #: Records rewritten with a new datestamp: an element they were disseminated with changed.
    restamped: int = 0
    #: Fragments of formats the code no longer has, removed.
    removed: int = 0
    #: (identifier, reason): records whose stored article keys fail today's checks; they
    #: were rendered from their Dublin Core keys alone and should be loaded again corrected.
    problems: list[tuple[str, str]] = field(default_factory=list)


def backfill(engine: Engine, progress: Callable[[int], None] | None = None) -> Report:
    """Render every stale format for every stored record; record the code's versions."""
    report = Report()
    with Session(engine) as session, session.begin():
        formats = stale(session)
        report.formats = [fmt.prefix for fmt in formats]
        known = {fmt.prefix for fmt in FORMATS}
        removed = session.connection().execute(
            delete(Fragment).where(Fragment.prefix.not_in(known))
        )
        report.removed = removed.rowcount
        session.execute(delete(ListSize).where(ListSize.prefix.not_in(known)))
        if formats:
            _render_all(session, formats, report, progress)
        record_versions(session)
    return report


def _render_all(
    session: Session,
    formats: list[Format],
    report: Report,
    progress: Callable[[int], None] | None,
) -> None:
    versions = stored_versions(session)
    #: Formats whose stored elements harvesters have seen: a change there is a modification.
    disseminated = {fmt.prefix for fmt in formats if fmt.prefix in versions}
    prefixes = {fmt.prefix for fmt in formats}
    loader = Loader(session)
    binder = Binder(session.connection().dialect)
    after = ""
    while True:
        batch = session.execute(
            select(Record.identifier, Record.datestamp, Record.deleted, Record.source)
            .where(Record.identifier > after)
            .order_by(Record.identifier)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        after = batch[-1][0]
        old = _stored_elements(session, [row[0] for row in batch], prefixes)
        additions = Rows()
        rewrites: list[Pending] = []
        for identifier, datestamp, deleted, source in batch:
            line, problem = RecordLine.stored(identifier, source, deleted)
            if problem is not None:
                report.problems.append((identifier, problem))
            new = {prefix: element for prefix, element in rendered(line) if prefix in prefixes}
            mine = old.get(identifier, {})
            if any(new.get(p, False) != mine.get(p, False) for p in disseminated):
                rewrites.append(Pending(line, loader.now(), line.digest))
                continue
            missing = [prefix for prefix in new if prefix not in mine]
            if missing:
                specs = with_ancestors(line.sets)
                opening, closing = header_parts(identifier, specs, deleted)
                stamp = binder.stamp(datestamp)
                additions.fragments.extend(
                    (prefix, stamp, identifier, opening, closing, new[prefix]) for prefix in missing
                )
                sizes.count(additions.sizes, missing, specs)
        loader.store(additions, replace=())
        loader.write(rewrites, replace=[pending.line.identifier for pending in rewrites])
        report.records += len(batch)
        report.added += len(additions.fragments)
        report.restamped += len(rewrites)
        if progress is not None:
            progress(len(batch))
    loader.finish()


def _stored_elements(
    session: Session, identifiers: list[str], prefixes: set[str]
) -> dict[str, dict[str, bytes | None]]:
    """identifier -> prefix -> stored element (None for a deleted record's row)."""
    rows = session.execute(
        select(Fragment.identifier, Fragment.prefix, Fragment.metadata_xml).where(
            Fragment.identifier.in_(identifiers), Fragment.prefix.in_(prefixes)
        )
    )
    found: dict[str, dict[str, bytes | None]] = {}
    for identifier, prefix, element in rows:
        found.setdefault(identifier, {})[prefix] = element
    return found
