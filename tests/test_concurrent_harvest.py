"""Harvesting while records change underneath: nothing repeated, nothing lost.

The snapshot rule (verbs._first_state): a list sequence covers datestamps up to one
second before its first responseDate, and the next incremental harvest starts
``from`` that responseDate. So:

- within one list sequence no identifier comes twice, and every record that did
  not change while the harvest ran is in it;
- the first harvest, then a follow-up harvest from its first responseDate, leave
  a harvester with exactly what the repository holds (deletions included).

The real test runs ``oai serve`` (two workers) while a second process runs
``oai load`` and ``oai delete`` over and over (thousands of changes), on SQLite and
on PostgreSQL. A smaller in-process test pins the case that a long load makes
likely: its rows are written, a harvest begins, and only then does the load commit.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from lxml import etree
from sqlalchemy.orm import Session

from oai import create_app
from oai.store.loader import Loader, numbered_lines

from . import pgschema, xsd
from .conftest import load_lines, record
from .server import run_command, running_servers

DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
INITIAL = 1200
PAGE = 100


@dataclass(frozen=True, slots=True)
class Item:
    identifier: str
    datestamp: str
    deleted: bool
    title: str | None


@dataclass(slots=True)
class Harvest:
    """One list sequence: its first responseDate and every item, in order."""

    response_date: str = ""
    items: list[Item] = field(default_factory=list)

    @property
    def identifiers(self) -> list[str]:
        return [item.identifier for item in self.items]

    def take(self, root: etree._Element) -> str | None:
        """Add a page's items (the first page's responseDate too); its token, if any."""
        self.response_date = self.response_date or (
            root.findtext("oai:responseDate", namespaces=xsd.NS) or ""
        )
        self.items += _items(root)
        return root.findtext(".//oai:resumptionToken", namespaces=xsd.NS) or None


def _items(root: etree._Element) -> Iterator[Item]:
    for rec in root.iterfind(".//oai:record", xsd.NS):
        header = rec.find("oai:header", xsd.NS)
        assert header is not None
        yield Item(
            identifier=header.findtext("oai:identifier", namespaces=xsd.NS) or "",
            datestamp=header.findtext("oai:datestamp", namespaces=xsd.NS) or "",
            deleted=header.get("status") == "deleted",
            title=rec.findtext(f".//{DC_TITLE}"),
        )


def harvest_http(base: str, pause: float = 0.0, **args: str) -> Harvest:
    """ListRecords to the end through HTTP, every page validated."""
    result = Harvest()
    query = {"verb": "ListRecords", "metadataPrefix": "oai_dc", **args}
    for _ in range(10_000):
        with urllib.request.urlopen(f"{base}/oai?{urllib.parse.urlencode(query)}") as response:
            assert response.status == 200
            root = xsd.validate(response.read())
        error = root.find("oai:error", xsd.NS)
        if error is not None:
            assert error.get("code") == "noRecordsMatch" and not result.items, error.get("code")
            result.response_date = root.findtext("oai:responseDate", namespaces=xsd.NS) or ""
            return result
        token = result.take(root)
        if not token:
            return result
        query = {"verb": "ListRecords", "resumptionToken": token}
        time.sleep(pause)
    raise AssertionError("the list never ended")


def _view(*harvests: Harvest) -> dict[str, tuple[str, bool, str | None]]:
    """What a harvester holds after applying the harvests in order."""
    held: dict[str, tuple[str, bool, str | None]] = {}
    for done in harvests:
        for item in done.items:
            held[item.identifier] = (item.datestamp, item.deleted, item.title)
    return held


def _ident(n: int) -> str:
    return f"oai:example.org:rec-{n:05d}"


def _line(n: int, title: str) -> str:
    """A record without a datestamp: it gets the load time, as a repository's changes do."""
    return json.dumps({"identifier": _ident(n), "sets": ["all"], "metadata": {"title": [title]}})


@dataclass(slots=True)
class Op:
    kind: str
    identifiers: list[str]
    start: float
    end: float


class Churn(threading.Thread):
    """The second process: rounds of ``oai load`` (updates, new records, undeletes) and
    ``oai delete``, each a real ``python -m oai`` process, until told to stop."""

    def __init__(self, env: dict[str, str], folder: Path, rounds: int) -> None:
        super().__init__(daemon=True)
        self.env, self.folder, self.min_rounds = env, folder, rounds
        self.stop = threading.Event()
        self.ops: list[Op] = []
        self.failure: str | None = None
        self.live = set(range(INITIAL))
        self.deleted: set[int] = set()
        self.next_new = INITIAL
        self.rng = random.Random(6)

    def _run(self, kind: str, ids: list[int], *args: str) -> None:
        op = Op(kind, [_ident(n) for n in ids], time.time(), float("inf"))
        self.ops.append(op)  # under way: it counts as touching its records from now on
        done = run_command(self.env, *args)
        if done.returncode != 0:
            raise RuntimeError(f"{kind} failed: {done.stderr.strip()}")
        op.end = time.time()

    def _round(self, number: int) -> None:
        # The first load is long (several write batches in one transaction): a harvest
        # can begin and end between its first writes and its commit.
        updates = self.rng.sample(sorted(self.live), 500 if number == 0 else 400)
        added = 2500 if number == 0 else 150
        new = list(range(self.next_new, self.next_new + added))
        self.next_new += added
        back = self.rng.sample(sorted(self.deleted), min(40, len(self.deleted)))
        path = self.folder / f"round-{number}.jsonl"
        path.write_text(
            "".join(_line(n, f"round {number} of {n}") + "\n" for n in updates + new + back)
        )
        self._run("load", updates + new + back, "load", str(path))
        self.live.update(new + back)
        self.deleted.difference_update(back)
        gone = self.rng.sample(sorted(self.live), 100)
        self._run("delete", gone, "delete", *(_ident(n) for n in gone))
        self.live.difference_update(gone)
        self.deleted.update(gone)

    def run(self) -> None:
        try:
            number = 0
            while number < self.min_rounds or not self.stop.is_set():
                self._round(number)
                number += 1
        except Exception as exc:  # reported by the test, not lost in the thread
            self.failure = repr(exc)

    def touched_between(self, start: float, end: float) -> set[str]:
        return {i for op in self.ops if op.end >= start and op.start <= end for i in op.identifiers}

    def changes(self) -> int:
        return sum(len(op.identifiers) for op in self.ops)


def _epoch(datestamp: str) -> float:
    return datetime.strptime(datestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def _wait_for_next_second() -> None:
    time.sleep(1.05 - time.time() % 1)


def _check_one_sequence(
    churn: Churn, first: Harvest, finished: float, follow_up: Harvest, truth: Harvest
) -> None:
    """No repeats; everything unchanged during ``first`` is in it, as it was; ``first``
    then ``follow_up`` (from first's responseDate) leave the harvester with ``truth``."""
    for done in (first, follow_up):
        assert len(done.identifiers) == len(set(done.identifiers)), "repeated within one list"
    # The snapshot ends the second before the first responseDate; a load's datestamp may be
    # up to a few seconds ahead of its end (stamps.settle). Changes that ended earlier are in
    # the snapshot: those records, untouched since, must all be in the harvest.
    began = _epoch(first.response_date) - 5
    before = {_ident(n) for n in range(INITIAL)} | {
        i for op in churn.ops if op.end < began and op.kind == "load" for i in op.identifiers
    }
    unchanged = before - churn.touched_between(began, finished)
    missing = unchanged - set(first.identifiers)
    assert not missing, f"{len(missing)} unchanged records skipped, e.g. {sorted(missing)[:3]}"
    assert len(unchanged) > INITIAL // 4, "the test checks a real number of unchanged records"
    # What the repository now holds with a datestamp inside the snapshot has not changed
    # since before the harvest began: the harvest has it, exactly.
    actual, seen = _view(truth), _view(first)
    settled = {i: v for i, v in actual.items() if v[0] < first.response_date}
    wrong = [i for i in settled if seen.get(i) != settled[i]]
    assert not wrong, f"{len(wrong)} records not as they were before the harvest: {wrong[:3]}"
    assert all(item.datestamp < first.response_date for item in first.items)
    held = _view(first, follow_up)
    assert held.keys() == actual.keys()
    wrong = [i for i in actual if held[i] != actual[i]]
    assert not wrong, f"{len(wrong)} changes not picked up, e.g. {wrong[:3]}"


def _check_harvest_under_churn(env: dict[str, str], folder: Path) -> None:
    initial = folder / "initial.jsonl"
    lines = [json.dumps({"setSpec": "all", "setName": "All"})]
    lines += [json.dumps(record(n)) for n in range(INITIAL)]
    initial.write_text("\n".join(lines) + "\n")
    done = run_command(env, "load", str(initial))
    assert done.returncode == 0, done.stderr
    env = {**env, "OAI_PAGE_SIZE": str(PAGE), "OAI_SECRET_KEY": "churn"}
    with running_servers(folder, [env], workers=2) as (server,):
        churn = Churn(env, folder, rounds=2)
        churn.start()
        while not churn.ops and churn.failure is None:
            time.sleep(0.01)
        time.sleep(1.5)  # the long first load has started writing, and not committed
        quick = harvest_http(server.base)
        quick_end = time.time()
        slow = harvest_http(server.base, pause=0.05)  # spans the later loads and deletes
        slow_end = time.time()
        churn.stop.set()
        churn.join(timeout=120)
        assert churn.failure is None, churn.failure
        assert not churn.is_alive()
        _wait_for_next_second()  # the last change's second is inside the next snapshots
        follow_quick = harvest_http(server.base, **{"from": quick.response_date})
        follow_slow = harvest_http(server.base, **{"from": slow.response_date})
        truth = harvest_http(server.base)

    assert churn.changes() >= 2500, "the second process made thousands of changes"
    assert len(truth.identifiers) == len(set(truth.identifiers))
    _check_one_sequence(churn, quick, quick_end, follow_quick, truth)
    _check_one_sequence(churn, slow, slow_end, follow_slow, truth)
    assert sum(item.deleted for item in truth.items) >= 100, "deletions were harvested"


def test_harvest_during_churn_sqlite(tmp_path: Path, schemas: Path) -> None:
    _check_harvest_under_churn({"OAI_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}"}, tmp_path)


def test_harvest_during_churn_postgresql(tmp_path: Path, schemas: Path) -> None:
    with pgschema.own_schema(pgschema.server_url()) as url:
        _check_harvest_under_churn({"OAI_DATABASE_URL": url}, tmp_path)


def _harvest_client(app: Flask, **args: str) -> Harvest:
    client = app.test_client()
    result = Harvest()
    query: dict[str, Any] = {"verb": "ListRecords", "metadataPrefix": "oai_dc", **args}
    while True:
        root = xsd.validate(client.get("/oai", query_string=query).data)
        token = result.take(root)
        if not token:
            return result
        query = {"verb": "ListRecords", "resumptionToken": token}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_rows_written_before_a_harvest_and_committed_after_it(
    tmp_path: Path, schemas: Path, kind: str
) -> None:
    """A load writes its rows, a harvest starts in a later second and ends, then the load
    commits: the follow-up harvest from the first responseDate must hold the changes."""
    with pgschema.database(kind, tmp_path) as url:
        app = create_app({"database_url": url, "secret_key": "race", "page_size": 5})
        try:
            _race(app)
        finally:
            app.extensions["oai"].close()


def _race(app: Flask) -> None:
    load_lines(app, [record(n) for n in range(12)])
    changed = [_line(n, "changed") for n in range(0, 12, 3)] + [_line(100, "new")]
    with Session(app.extensions["oai"].engine) as session, session.begin():
        loader = Loader(session)
        for number, line in numbered_lines("<churn>", changed):
            loader.add("<churn>", number, line)
        loader.flush()  # written now, visible only at the commit
        _wait_for_next_second()
        first = _harvest_client(app)
        loader.finish()
    assert {i.title for i in first.items} == {f"Record {n}" for n in range(12)}
    _wait_for_next_second()
    follow_up = _harvest_client(app, **{"from": first.response_date})
    assert sorted(follow_up.identifiers) == sorted([_ident(n) for n in (0, 3, 6, 9, 100)])
    assert all(item.datestamp >= first.response_date for item in follow_up.items)
    held, actual = _view(first, follow_up), _view(_harvest_client(app))
    assert held == actual
