"""Every write: JSON Lines validated line by line, upserted in one transaction.

A bad line raises LoadError ``file:line: reason`` and the caller rolls back, so
a file loads whole or not at all. Fragments are rendered here, once per record
and format. Reloading an unchanged record changes nothing, its datestamp included.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from ..protocol import format_datestamp
from ..uris import is_any_uri
from ..xmlchars import clean_text
from .models import Fragment, Membership, OAISet, Record
from .rows import (
    Binder,
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

DC_ELEMENTS = frozenset(
    "title creator subject description publisher contributor date type format "
    "identifier source language relation coverage rights".split()
)
#: Richer keys other formats may use, and the JSON type each must have.
RICH_KEYS: dict[str, type] = {
    "authors": list,
    "journal": str,
    "issn": str,
    "volume": str,
    "issue": str,
    "pages": str,
    "doi": str,
    "section": str,
    "license": str,
    "url": str,
}
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

    @property
    def digest(self) -> str:
        content = [self.deleted, sorted(self.sets), self.metadata]
        text = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("ascii")).hexdigest()

    def source(self, datestamp: datetime) -> str:
        line = {
            "identifier": self.identifier,
            "datestamp": format_datestamp(datestamp),
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


def _strings(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list of strings")
    for item in value:
        if type(item) is str:
            continue
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            extra = set(item) - {"value", "lang"}
            if extra:
                raise ValueError(f"{where}: unexpected key {sorted(extra)[0]!r}")
            lang = item.get("lang")
            if lang is not None and not (isinstance(lang, str) and _LANG.match(lang)):
                raise ValueError(f"{where}: lang must be a language tag such as 'en'")
            continue
        raise ValueError(f"{where} must hold strings or {{'value': ..., 'lang': ...}} objects")


def _check_metadata(metadata: Any) -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise ValueError("metadata must be an object")
    for key, value in metadata.items():
        if key in DC_ELEMENTS:
            _strings(value, f"metadata.{key}")
        elif key in RICH_KEYS:
            if not isinstance(value, RICH_KEYS[key]):
                kind = "a list" if RICH_KEYS[key] is list else "a string"
                raise ValueError(f"metadata.{key} must be {kind}")
        else:
            raise ValueError(f"metadata: unknown element {key!r}")
    return metadata


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


def parse_line(text: str | bytes) -> RecordLine | SetLine:
    """One line of a load file as a record or a set declaration; ValueError says why not."""
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
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
    metadata = _check_metadata(obj.get("metadata", {}))
    if not deleted and not metadata:
        raise ValueError("metadata is missing (only deleted records may omit it)")
    specs = tuple(sorted({check_set_spec(spec) for spec in sets}))
    return RecordLine(identifier, datestamp, deleted, specs, metadata)


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

    def __init__(self, session: Session, now: Callable[[], datetime] = pending) -> None:
        # "Now" is settled at the commit (stamps.settle), so a harvest that starts while
        # this load runs and its follow-up cannot both miss what the load changes.
        self.session = session
        self.now = now
        self.report = LoadReport()
        self._records: list[tuple[str, int, RecordLine]] = []
        self._sets: dict[str, SetLine | None] = {}
        connection = session.connection()
        self._binder = Binder(connection.dialect)
        self._fragments = Stage(connection, cast(Table, Fragment.__table__), wide=True)
        self._memberships = Stage(connection, cast(Table, Membership.__table__))

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
        existing = existing_records(self.session, [line.identifier for line in lines])
        writes, replace = decide(lines, existing, self.now(), self.report)
        self.write(writes, replace=replace)

    def write(self, writes: Sequence[Pending], replace: list[str]) -> None:
        """Store records with their fragments and memberships, replacing ``replace`` first."""
        self.store(render_rows(writes, self._binder), replace)

    def store(self, rows: Rows, replace: Sequence[str]) -> None:
        """Insert rendered rows, deleting the old rows of ``replace`` first.

        Rows go in as driver executemany batches of tuples (rows.Rows): at a million
        records the per-row overhead of anything more dominates the load. Fragments
        and memberships are staged and filed in key order by ``finish`` (rows.Stage).
        """
        if replace:
            for table in (Fragment, Membership, Record):
                self.session.execute(delete(table).where(table.identifier.in_(replace)))
        insert_rows(self.session.connection(), cast(Table, Record.__table__), rows.records)
        self._fragments.add(rows.fragments)
        self._memberships.add(rows.memberships)

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
        raise LoadError(f"no record with identifier {missing[0]!r}")
    loader = Loader(session, now)
    stamp = now()
    writes = []
    for identifier in wanted:
        old = json.loads(rows[identifier])
        line = RecordLine(
            identifier, None, True, tuple(old.get("sets", [])), old.get("metadata", {})
        )
        writes.append(Pending(line, stamp, line.digest))
    loader.write(writes, replace=wanted)
    loader.finish()
    return len(writes)
