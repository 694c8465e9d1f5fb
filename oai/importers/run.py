"""One import: every article of every file checked and loaded in one transaction.

Each article becomes a record object (``records``) and goes through the loader's
own checks (``loader.parse_object``) and writes (``Loader``): what ``oai load``
guarantees, an import guarantees. The first bad item stops it with
``file:line: reason`` and the transaction is rolled back, so an import loads whole
or not at all. A dry run is the same import, rolled back at the end instead of
committed: its counts are the real ones and cannot drift from what a real import
would do. Records carry no datestamp: the loader keeps an unchanged record's
datestamp and gives a changed or new one the commit's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..store import prepare_bulk_load, queries, refresh_statistics
from ..store.loader import Loader, LoadError, parse_object
from .errors import SourceError
from .records import Records, Skipped
from .sources import Input, Item, Tick

#: Reads one input: its articles (and the works it skips), ticking the bytes read.
Reader = Callable[[Input, date, Tick], Iterator[Item]]


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, in a dry run, would do), for the line the command prints."""

    files: int = 0
    articles: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    sets: int = 0
    #: Works that are not journal articles, by their type.
    skipped: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

    def summary(self) -> str:
        files = f"{self.files} file" + ("" if self.files == 1 else "s")
        counts = (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.sets} set declarations"
        )
        skipped = ""
        if self.skipped:
            total = sum(self.skipped.values())
            kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(self.skipped.items()))
            works = "work that is not a journal article" if total == 1 else "works that are not"
            skipped = (
                f"; skipped {total} {works}{'' if total == 1 else ' journal articles'} ({kinds})"
            )
        what = f"{self.articles} articles from {files}"
        if self.dry_run:
            return f"dry run, nothing written: {what} would be {counts}{skipped}"
        return f"imported {what}: {counts}{skipped}"


def import_files(
    engine: Engine,
    repository_identifier: str,
    inputs: list[Input],
    reader: Reader,
    *,
    dry_run: bool = False,
    today: date | None = None,
    tick: Tick = lambda count: None,
) -> ImportReport:
    """Import ``inputs`` with ``reader``; SourceError (nothing written) on the first bad item."""
    report = ImportReport(files=len(inputs), dry_run=dry_run)
    with Session(engine) as session:
        transaction = session.begin()
        try:
            prepare_bulk_load(session)
            loaded = _load(session, repository_identifier, inputs, reader, today, tick, report)
        except BaseException:
            transaction.rollback()
            raise
        report.added, report.updated, report.unchanged = loaded
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    if not dry_run:
        refresh_statistics(engine, report.added + report.updated)
    return report


def _load(
    session: Session,
    repository_identifier: str,
    inputs: list[Input],
    reader: Reader,
    today: date | None,
    tick: Tick,
    report: ImportReport,
) -> tuple[int, int, int]:
    records = Records(repository_identifier)
    loader = Loader(session)
    first_seen: dict[str, str] = {}
    for source in inputs:
        for item in reader(source, today or date.today(), tick):
            if isinstance(item, Skipped):
                report.skipped[item.kind] += 1
                continue
            try:
                obj = records.record(item)
                line = parse_object(obj)
            except ValueError as exc:
                raise SourceError(f"{item.where}: {exc}") from None
            identifier = str(obj["identifier"])
            if identifier in first_seen:
                raise SourceError(
                    f"{item.where}: {identifier} is already in this import, "
                    f"at {first_seen[identifier]}"
                )
            first_seen[identifier] = item.where
            report.articles += 1
            try:
                loader.add(source.name, report.articles, line)
            except LoadError as exc:
                raise SourceError(str(exc)) from None
    stored = queries.set_names(session, list(records.sets))
    for declaration in records.declarations():
        # A set already named so keeps its declaration (and any setDescription given it).
        if stored.get(declaration["setSpec"]) != declaration["setName"]:
            loader.add("<sets>", 0, parse_object(declaration))
    result = loader.finish()
    report.sets = result.sets
    return result.added, result.updated, result.unchanged
