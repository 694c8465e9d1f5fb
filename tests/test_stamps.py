"""stamps.settle: rows a load stamps "now" get the second of the commit, consistently in
every place the datestamp is stored (the records, fragments and memberships columns), and
no stored XML or source carries a datestamp that a restamp would have to edit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from oai import create_app
from oai.protocol import format_datestamp, utc_now
from oai.store import stamps
from oai.store.loader import Loader, mark_deleted, numbered_lines
from oai.store.models import Fragment, Membership, Record

from . import pgschema
from .conftest import load_lines, record


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on SQLite, or on a PostgreSQL schema of its own."""
    with pgschema.database(request.param, tmp_path) as url:
        app = create_app({"database_url": url, "secret_key": "stamps", "page_size": 5})
        yield app
        app.extensions["oai"].close()


def _add(session: Session, lines: list[dict[str, object]]) -> Loader:
    loader = Loader(session)
    texts = [json.dumps(line) for line in lines]
    for number, line in numbered_lines("<stamps>", texts):
        loader.add("<stamps>", number, line)
    return loader


def _undated(n: int) -> dict[str, object]:
    line = record(n)
    del line["datestamp"]
    return line


def _stored(session: Session) -> dict[str, set[str]]:
    """identifier -> every datestamp text stored anywhere for it."""
    found: dict[str, set[str]] = {}
    for identifier, stamp, source in session.execute(
        select(Record.identifier, Record.datestamp, Record.source)
    ):
        assert "datestamp" not in json.loads(source)
        found[identifier] = {format_datestamp(stamp)}
    fragments = select(
        Fragment.identifier, Fragment.datestamp, Fragment.header_open, Fragment.header_close
    )
    for identifier, stamp, opening, closing in session.execute(fragments):
        assert b"datestamp" not in opening + closing
        found[identifier].add(format_datestamp(stamp))
    for identifier, stamp in session.execute(select(Membership.identifier, Membership.datestamp)):
        found[identifier].add(format_datestamp(stamp))
    return found


def test_load_time_is_the_commit_second_everywhere(store: Flask) -> None:
    engine = store.extensions["oai"].engine
    with Session(engine) as session, session.begin():
        loader = _add(session, [_undated(n) for n in range(7)] + [record(50)])
        loader.flush()
        assert session.scalar(select(Record.datestamp).limit(1)) == stamps.PENDING
        before = utc_now()
        loader.finish()
        after = utc_now()
    with Session(engine) as session:
        stored = _stored(session)
    dated = format_datestamp(datetime(2024, 1, 23, 2))  # record(50)'s own datestamp
    assert stored.pop("oai:example.org:rec-00050") == {dated}
    assert len(stored) == 7
    (only,) = {frozenset(texts) for texts in stored.values()}
    (text,) = only
    assert format_datestamp(before) <= text <= format_datestamp(after)


def test_deletions_are_stamped_at_the_commit(store: Flask) -> None:
    engine = store.extensions["oai"].engine
    with Session(engine) as session, session.begin():
        _add(session, [record(n) for n in range(4)]).finish()
    with Session(engine) as session, session.begin():
        mark_deleted(session, ["oai:example.org:rec-00001", "oai:example.org:rec-00002"])
    with Session(engine) as session:
        stored = _stored(session)
        assert session.scalar(select(Record.deleted).where(Record.identifier.endswith("1")))
    today = format_datestamp(utc_now())[:10]
    for n in (1, 2):
        (text,) = stored[f"oai:example.org:rec-{n:05d}"]
        assert text[:10] == today
    assert all("9999" not in t for texts in stored.values() for t in texts)


def test_a_restamp_that_misses_its_second_is_done_again_ahead(store: Flask) -> None:
    """A clock that is already two seconds behind: every attempt is too late, so the
    rows get a second slightly ahead, never one in the past."""
    engine = store.extensions["oai"].engine
    late = utc_now() - timedelta(seconds=2)
    with Session(engine) as session, session.begin():
        _add(session, [_undated(n) for n in range(3)]).flush()
        stamp = stamps.settle(session, clock=lambda: late)
    assert stamp is not None and stamp > late
    with Session(engine) as session:
        stored = _stored(session)
    assert {text for texts in stored.values() for text in texts} == {format_datestamp(stamp)}


def test_a_late_attempt_is_rolled_back_and_redone(store: Flask) -> None:
    """The first attempt's second is already over: its restamp is undone (savepoint) and
    the next attempt stamps the current second."""
    engine = store.extensions["oai"].engine
    calls = iter([utc_now() - timedelta(seconds=3)])
    with Session(engine) as session, session.begin():
        _add(session, [_undated(n) for n in range(3)]).flush()
        before = utc_now()
        stamp = stamps.settle(session, clock=lambda: next(calls, None) or utc_now())
        after = utc_now()
    assert stamp is not None and before <= stamp <= after
    with Session(engine) as session:
        stored = _stored(session)
    assert {text for texts in stored.values() for text in texts} == {format_datestamp(stamp)}


def test_a_probed_restamp_leaves_no_trace(store: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large loads are timed on a few records first; that trial is undone."""
    monkeypatch.setattr(stamps, "PROBE", 3)
    engine = store.extensions["oai"].engine
    with Session(engine) as session, session.begin():
        _add(session, [_undated(n) for n in range(10)]).flush()
        stamp = stamps.settle(session)
    assert stamp is not None
    with Session(engine) as session:
        stored = _stored(session)
    assert len(stored) == 10
    assert {text for texts in stored.values() for text in texts} == {format_datestamp(stamp)}


def test_a_slow_restamp_takes_a_second_ahead(store: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the probe says the restamp takes seconds, the stamp is that far ahead."""
    monkeypatch.setattr(stamps, "_probe", lambda *args: 5.0)
    engine = store.extensions["oai"].engine
    with Session(engine) as session, session.begin():
        _add(session, [_undated(n) for n in range(4)]).flush()
        before = utc_now()
        stamp = stamps.settle(session)
    assert stamp is not None and stamp >= before + timedelta(seconds=8)
    with Session(engine) as session:
        stored = _stored(session)
    assert {text for texts in stored.values() for text in texts} == {format_datestamp(stamp)}


def test_nothing_pending_nothing_done(store: Flask) -> None:
    with Session(store.extensions["oai"].engine) as session, session.begin():
        _add(session, [record(1)]).flush()
        assert stamps.settle(session) is None


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z"])
def test_a_list_header_writes_the_datestamp_as_stored(store: Flask, stamp: str) -> None:
    """The database formats a list's header datestamps itself: every field at its width,
    the year too (year 1 is ``0001``), the same in a list and in GetRecord."""
    load_lines(store, [record(1, datestamp=stamp)])
    client = store.test_client()
    shown = set()
    for query in (
        "verb=ListIdentifiers&metadataPrefix=oai_dc",
        "verb=ListRecords&metadataPrefix=oai_dc&set=all",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:example.org:rec-00001",
    ):
        body = client.get(f"/oai?{query}").data
        shown |= set(re.findall(rb"<datestamp>([^<]*)</datestamp>", body))
    assert shown == {stamp.encode()}
