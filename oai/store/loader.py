"""Every write: JSON Lines validated line by line, upserted in one transaction.

A bad line raises LoadError ``file:line: reason`` and the caller rolls back, so
a file loads whole or not at all. Fragments are rendered here, once per record
and format. Reloading an unchanged record changes nothing, its datestamp included.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from ..article import DC_ELEMENTS, Article, parse_article
from ..uris import is_any_uri
from ..xmlchars import clean_text
from . import sizes
from .models import Fragment, Membership, OAISet, Record
from .rows import (
    Binder,
    FormatStages,
    Pending,
    Rows,
    Stage,
    existing_records,
    insert_rows,
    render_rows,
    with_ancestors,
)
from .stamps import pending, settle

BATCH = 500

DC_KEYS = frozenset(DC_ELEMENTS)
RECORD_KEYS = frozenset({"identifier", "datestamp", "deleted", "sets", "metadata"})
SET_KEYS = frozenset({"setSpec", "setName", "setDescription"})

# \Z, not $: $ also matches before a trailing newline, which would then be stored.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+\Z")
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*\Z")
_DATESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z", re.ASCII)
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\Z")


class LoadError(ValueError):
    """A line that cannot be loaded; the message is ``file:line: reason``."""


@dataclass(frozen=True, slots=True)
class RecordLine:
    identifier: str
    datestamp: datetime | None
    deleted: bool
    sets: tuple[str, ...]
    metadata: dict[str, Any]
    #: ``metadata`` checked and typed: what every format renders.
    article: Article

    @property
    def digest(self) -> str:
        content = [self.deleted, sorted(self.sets), self.metadata]
        text = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("ascii")).hexdigest()

    @classmethod
    def stored(cls, identifier: str, source: str, deleted: bool) -> tuple[RecordLine, str | None]:
        """The line a stored record was loaded from, and what was wrong with it, if anything.

        A record stored by an older version passed that version's checks; one whose
        article keys fail today's is rendered from its Dublin Core keys alone, and the
        reason is returned so the caller can say which record to load again corrected.
        """
        old = json.loads(source)
        metadata = old.get("metadata", {})
        sets = tuple(old.get("sets", []))
        try:
            article = parse_article(identifier, metadata)
            problem = None
        except ValueError as exc:
            dublin_core = {key: value for key, value in metadata.items() if key in DC_KEYS}
            article = parse_article(identifier, dublin_core)
            problem = str(exc)
        return cls(identifier, None, deleted, sets, metadata, article), problem

    def source(self) -> str:
        """The record as stored: what ``oai db upgrade`` renders a new format from. Without
        the datestamp, which lives in its own column (a restamp changes nothing else)."""
        line = {
            "identifier": self.identifier,
            "deleted": self.deleted,
            "sets": list(self.sets),
            "metadata": self.metadata,
        }
        return json.dumps(line, ensure_ascii=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class SetLine:
    set_spec: str
    name: str
    description: str | None


@dataclass(slots=True)
class LoadReport:
    """What a load did, for the one line the CLI prints."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    sets: int = 0
    deleted: int = 0
    lines: int = 0
    seen: set[bytes] = field(default_factory=set, repr=False)


def _check_datestamp(value: Any) -> datetime:
    if not isinstance(value, str) or not _DATESTAMP.match(value):
        raise ValueError("datestamp must look like 2026-11-24T10:00:00Z (UTC)")
    try:
        # fromisoformat is ~50x faster than strptime; the regex already fixed the shape.
        return datetime.fromisoformat(value[:-1])
    except ValueError:
        raise ValueError(f"datestamp {value!r} is not a real date and time") from None


def check_set_spec(spec: Any) -> str:
    if not isinstance(spec, str) or not _SET_SPEC.match(spec):
        raise ValueError(f"setSpec {spec!r} is not valid (letters, digits, -_.!~*'() and ':')")
    return spec


def _decode(text: str | bytes) -> str:
    """The line as text; a line that is not UTF-8 (Latin-1, say) is named as such."""
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8-sig")  # a BOM opening the file is tolerated, as json does
    except UnicodeDecodeError as exc:
        column = len(text[: exc.start].decode("utf-8", "replace")) + 1
        raise ValueError(
            f"not UTF-8 (byte 0x{text[exc.start]:02x} at column {column}); save the file as UTF-8"
        ) from None


def _json_error(exc: json.JSONDecodeError, text: str) -> str:
    """json's reason, placed by column within this one line (json's own "line 2" would
    count the newline that ends it, and contradict the file's line number)."""
    if exc.pos >= len(text.rstrip("\r\n")):
        return f"not valid JSON: {exc.msg} at the end of the line"
    return f"not valid JSON: {exc.msg} at column {exc.pos + 1}"


def parse_line(text: str | bytes) -> RecordLine | SetLine:
    """One line of a load file as a record or a set declaration; ValueError says why not."""
    line = _decode(text)
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(_json_error(exc, line)) from None
    return parse_object(obj)


def parse_object(obj: Any) -> RecordLine | SetLine:
    """A record or set declaration given as a JSON value (what a line holds, or an importer
    builds); ValueError says why it is not one."""
    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object")
    if "identifier" not in obj and "setSpec" in obj:
        unknown = set(obj) - SET_KEYS
        if unknown:
            raise ValueError(f"unknown key {sorted(unknown)[0]!r} in a set declaration")
        name = obj.get("setName", obj["setSpec"])
        description = obj.get("setDescription")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("setName must be a non-empty string")
        if description is not None and not isinstance(description, str):
            raise ValueError("setDescription must be a string")
        # Stored as text and shown as XML text: what XML 1.0 (or the database) cannot hold goes.
        return SetLine(
            check_set_spec(obj["setSpec"]),
            clean_text(name),
            None if description is None else clean_text(description),
        )
    unknown = set(obj) - RECORD_KEYS
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
    identifier = obj.get("identifier")
    if identifier is None:
        raise ValueError("identifier is missing")
    if (
        not isinstance(identifier, str)
        or len(identifier) > 1000
        or not _URI.match(identifier)
        or not is_any_uri(identifier)  # e.g. a bare % or two #: invalid in every header
    ):
        raise ValueError(f"identifier {identifier!r} is not a URI such as oai:example.org:123")
    datestamp = _check_datestamp(obj["datestamp"]) if "datestamp" in obj else None
    deleted = obj.get("deleted", False)
    if not isinstance(deleted, bool):
        raise ValueError("deleted must be true or false")
    sets = obj.get("sets", [])
    if not isinstance(sets, list):
        raise ValueError("sets must be a list of setSpecs")
    metadata = obj.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError("metadata must be an object")
    article = parse_article(identifier, metadata)
    if not deleted and not metadata:
        raise ValueError("metadata is missing (only deleted records may omit it)")
    specs = tuple(sorted({check_set_spec(spec) for spec in sets}))
    return RecordLine(identifier, datestamp, deleted, specs, metadata, article)


def parse_numbered(name: str, number: int, text: str | bytes) -> RecordLine | SetLine:
    """``parse_line`` whose errors say ``file:line: reason`` (LoadError)."""
    try:
        return parse_line(text)
    except ValueError as exc:
        raise LoadError(f"{name}:{number}: {exc}") from None
    except RecursionError:
        raise LoadError(f"{name}:{number}: JSON nested too deeply") from None


def numbered_lines(
    name: str, lines: Iterable[bytes | str]
) -> Iterator[tuple[int, RecordLine | SetLine]]:
    """Parse a file's lines, skipping blank ones; LoadError names file and line."""
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, parse_numbered(name, number, text)


def decide(
    lines: Sequence[RecordLine],
    existing: dict[str, tuple[str, datetime]],
    now: datetime,
    report: LoadReport,
) -> tuple[list[Pending], list[str]]:
    """Which records to write (with their datestamps) and which stored ones they replace.

    A record whose content digest is unchanged, and whose datestamp is absent or the
    same, is left alone: reloading an unchanged file changes nothing.
    """
    writes: list[Pending] = []
    replace: list[str] = []
    for line in lines:
        old = existing.get(line.identifier)
        digest = line.digest
        if old is not None and old[0] == digest and line.datestamp in (None, old[1]):
            report.unchanged += 1
            continue
        if old is None:
            report.added += 1
        else:
            report.updated += 1
            replace.append(line.identifier)
        writes.append(Pending(line, line.datestamp or now, digest))
    return writes, replace


class Loader:
    """Writes parsed lines in batches inside the caller's transaction; call ``finish``."""

    def __init__(
        self, session: Session, now: Callable[[], datetime] = pending, fresh: bool = False
    ) -> None:
        # "Now" is settled at the commit (stamps.settle), so a harvest that starts while
        # this load runs and its follow-up cannot both miss what the load changes.
        self.session = session
        self.now = now
        #: The database held no records when this load began: nothing stored to compare
        #: with, so no lookups (the tables' keys still refuse a record stored meanwhile).
        self.fresh = fresh
        self.report = LoadReport()
        self._records: list[tuple[str, int, RecordLine]] = []
        self._sets: dict[str, SetLine | None] = {}
        connection = session.connection()
        self._binder = Binder(connection.dialect)
        self._fragments = FormatStages(connection, cast(Table, Fragment.__table__))
        self._memberships = Stage(connection, cast(Table, Membership.__table__))
        #: What this load adds to (and removes from) the list sizes so far.
        self._sizes: sizes.Sizes = Counter()

    def add(self, name: str, number: int, line: RecordLine | SetLine) -> None:
        self.report.lines += 1
        if isinstance(line, SetLine):
            self.declare(line)
            return
        self.check_new(name, number, line.identifier)
        for spec in with_ancestors(line.sets):
            self.use_set(spec)
        self._records.append((name, number, line))
        if len(self._records) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the pending records: new ones inserted, changed ones replaced, others left."""
        if not self._records:
            return
        batch, self._records = self._records, []
        lines = [line for _, _, line in batch]
        identifiers = [line.identifier for line in lines]
        existing = {} if self.fresh else existing_records(self.session, identifiers)
        writes, replace = decide(lines, existing, self.now(), self.report)
        self.write(writes, replace=replace)

    def write(self, writes: Sequence[Pending], replace: list[str]) -> None:
        """Store records with their fragments and memberships, replacing ``replace`` first."""
        self.store(render_rows(writes, self._binder), replace)

    def store(self, rows: Rows, replace: Sequence[str]) -> None:
        """Insert rendered rows, deleting the old rows of ``replace`` first.

        Rows go in as driver executemany batches of tuples (rows.Rows): at a million
        records the per-row overhead of anything more dominates the load. Fragments
        and memberships are staged and filed in key order by ``finish`` (rows.Stage,
        rows.FormatStages).
        """
        connection = self.session.connection()
        if replace:
            self._sizes.subtract(sizes.stored(connection, replace))
            for table in (Fragment, Membership, Record):
                self.session.execute(delete(table).where(table.identifier.in_(replace)))
        insert_rows(connection, cast(Table, Record.__table__), rows.records)
        self._fragments.add(rows.fragments)
        self._memberships.add(rows.memberships)
        self._sizes.update(rows.sizes)

    def declare(self, line: SetLine) -> None:
        """A set declaration: created or updated by ``finish``."""
        self._sets[line.set_spec] = line
        self.report.sets += 1

    def use_set(self, spec: str) -> None:
        """A setSpec a record uses: created by ``finish`` if it does not exist."""
        self._sets.setdefault(spec, None)

    def check_new(self, name: str, number: int, identifier: str) -> None:
        """Raise LoadError if ``identifier`` was already seen in this load."""
        key = hashlib.blake2b(identifier.encode("utf-8", "surrogatepass"), digest_size=12).digest()
        if key in self.report.seen:
            raise LoadError(
                f"{name}:{number}: identifier {identifier!r} appears twice in this load"
            )
        self.report.seen.add(key)

    def finish(self) -> LoadReport:
        """Flush the last batch, file the memberships, create or update the sets seen."""
        self.flush()
        self._fragments.move()
        self._memberships.move()
        existing = (
            {
                spec: declared
                for spec, declared in self.session.execute(
                    select(OAISet.set_spec, OAISet.declared).where(
                        OAISet.set_spec.in_(list(self._sets))
                    )
                )
            }
            if self._sets
            else {}
        )
        for spec, line in sorted(self._sets.items()):
            if line is not None:
                values = {"name": line.name, "description": line.description, "declared": True}
                if spec in existing:
                    self.session.execute(
                        update(OAISet).where(OAISet.set_spec == spec).values(**values)
                    )
                else:
                    self.session.execute(insert(OAISet).values(set_spec=spec, **values))
            elif spec not in existing:
                self.session.execute(
                    insert(OAISet).values(
                        set_spec=spec, name=spec, description=None, declared=False
                    )
                )
            # Ancestors of a declared set are sets too.
            for ancestor in with_ancestors([spec]):
                if ancestor not in existing and ancestor not in self._sets:
                    self.session.execute(
                        insert(OAISet).values(
                            set_spec=ancestor, name=ancestor, description=None, declared=False
                        )
                    )
                    existing[ancestor] = False
        sizes.apply(self.session.connection(), self._sizes)
        self._sizes.clear()
        settle(self.session)
        return self.report


def mark_deleted(
    session: Session, identifiers: Iterable[str], now: Callable[[], datetime] = pending
) -> int:
    """Mark records deleted (they stay as deleted headers); unknown ones raise LoadError."""
    wanted = list(dict.fromkeys(identifiers))
    rows = {
        identifier: source
        for identifier, source in session.execute(
            select(Record.identifier, Record.source).where(Record.identifier.in_(wanted))
        )
    }
    missing = [identifier for identifier in wanted if identifier not in rows]
    if missing:
        named = ", ".join(repr(identifier) for identifier in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        unknown = (
            "no record with identifier" if len(missing) == 1 else "no records with identifiers"
        )
        raise LoadError(f"{unknown} {named}{more}: nothing was deleted")
    loader = Loader(session, now)
    stamp = now()
    writes = []
    for identifier in wanted:
        line, _ = RecordLine.stored(identifier, rows[identifier], deleted=True)
        writes.append(Pending(line, stamp, line.digest))
    loader.write(writes, replace=wanted)
    loader.finish()
    return len(writes)
