"""Read-ahead of a list's next page (oai.prefetch): same pages, nothing lost, idle time only.

The first tests drive the Prefetcher with a stand-in for the page query; the last
ones harvest through the app (SQLite and PostgreSQL) with the read-ahead on and
off, and change records between pages.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
from flask import Flask

from oai import protocol, verbs
from oai.prefetch import Prefetcher
from oai.tokens import ListState

from .conftest import load_lines, record


def state(n: int) -> ListState:
    return ListState(
        "ListRecords", "oai_dc", None, datetime(2030, 1, 1), None,
        datetime(2024, 1, 1), f"oai:example.org:rec-{n:05d}", n, 100, 0,
    )  # fmt: skip


def page(request: protocol.ListItems) -> verbs.ItemsResult:
    assert request.state is not None
    return verbs.ItemsResult(request.verb, [request.state.after_key.encode()], None)


def test_a_started_page_is_taken_once() -> None:
    prefetcher = Prefetcher(page)
    assert prefetcher.start(state(1))
    taken = prefetcher.take(state(1))
    assert taken is not None and taken.items == [b"oai:example.org:rec-00001"]
    assert prefetcher.take(state(1)) is None  # the next request for it reads it again
    assert prefetcher.take(state(2)) is None  # never started
    assert prefetcher.served == 1
    prefetcher.close()


def test_only_one_page_is_read_at_a_time() -> None:
    release = threading.Event()

    def slow(request: protocol.ListItems) -> verbs.ItemsResult:
        release.wait(10)
        return page(request)

    prefetcher = Prefetcher(slow)
    assert prefetcher.start(state(1))
    assert not prefetcher.start(state(2)), "a second read-ahead while one runs"
    assert not prefetcher.start(state(1)), "the same page twice"
    release.set()
    assert prefetcher.take(state(1)) is not None  # waits for the running read
    assert prefetcher.start(state(2))
    prefetcher.close()


def test_a_read_ahead_not_ready_in_time_leaves_the_request_to_read_itself() -> None:
    release = threading.Event()

    def stuck(request: protocol.ListItems) -> verbs.ItemsResult:
        release.wait(10)
        return page(request)

    prefetcher = Prefetcher(stuck, timeout=0.05)
    assert prefetcher.start(state(1))
    started = time.monotonic()
    assert prefetcher.take(state(1)) is None
    assert time.monotonic() - started < 5
    release.set()
    prefetcher.close()


def test_a_failed_read_ahead_leaves_the_request_to_read_itself() -> None:
    def failing(request: protocol.ListItems) -> verbs.ItemsResult:
        raise RuntimeError("database went away")

    prefetcher = Prefetcher(failing)
    assert prefetcher.start(state(1))
    assert prefetcher.take(state(1)) is None
    assert prefetcher.start(state(2)), "a failure does not leave it busy"
    prefetcher.close()


def test_pages_kept_are_bounded_in_number_and_age() -> None:
    now = [0.0]
    prefetcher = Prefetcher(page, capacity=2, max_age=30, clock=lambda: now[0])
    for n in (1, 2, 3):
        assert prefetcher.start(state(n))
        prefetcher.wait()
    assert prefetcher.take(state(1)) is None, "the oldest was dropped"
    assert prefetcher.take(state(2)) is not None
    now[0] = 31.0
    assert prefetcher.take(state(3)) is None, "too old to serve"
    prefetcher.close()
    assert not prefetcher.start(state(4)), "closed"


TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]*)</resumptionToken>")
DATE = re.compile(rb"<responseDate>[^<]*</responseDate>")
#: The token a page's <request> element echoes.
ECHOED_TOKEN = re.compile(rb' resumptionToken="[^"]*"')


def harvest(app: Flask, verb: str = "ListRecords") -> list[bytes]:
    """Every page body of a harvest, responseDate and resumptionTokens (sent and echoed) blanked."""
    client = app.test_client()
    query: dict[str, str] = {"verb": verb, "metadataPrefix": "oai_dc"}
    bodies = []
    while True:
        # buffered: the response is closed once read, which starts the read-ahead
        response = client.get("/oai", query_string=query, buffered=True)
        assert response.status_code == 200
        # The date and the tokens (they carry the second the list began) may differ.
        bodies.append(ECHOED_TOKEN.sub(b"", TOKEN.sub(b"", DATE.sub(b"", response.data))))
        found = TOKEN.search(response.data)
        if not found or not found.group(1):
            return bodies
        query = {"verb": verb, "resumptionToken": found.group(1).decode()}


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_a_harvest_gets_the_same_bytes_with_or_without_read_ahead(
    make_app: Callable[..., Flask], verb: str
) -> None:
    plain = make_app(page_size=3, prefetch=False)
    load_lines(plain, [record(n) for n in range(20)])
    ahead = make_app(page_size=3, prefetch=True)
    prefetcher = ahead.extensions["oai"].prefetcher
    assert prefetcher is not None
    prefetcher.timeout = 30  # a loaded test machine must not turn a read-ahead into a miss
    assert harvest(ahead, verb) == harvest(plain, verb)
    assert prefetcher.served == 6, "every resumed page came from the read-ahead"


def test_a_change_between_pages_is_not_lost(make_app: Callable[..., Flask]) -> None:
    """The page read ahead keeps a record's old version; the next incremental harvest,
    from the first page's responseDate, brings the new one: nothing is lost."""
    app = make_app(page_size=5, prefetch=True)
    load_lines(app, [record(n) for n in range(15)])
    client = app.test_client()
    first = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc", buffered=True).data
    since = re.search(rb"<responseDate>([^<]*)<", first)
    token = TOKEN.search(first)
    assert since and token
    prefetcher = app.extensions["oai"].prefetcher
    # Let page 2 be read ahead, then change a record it holds, then ask for it.
    prefetcher.wait()
    changed = b"oai:example.org:rec-00005"
    update = record(5, metadata={"title": ["Changed"]})
    del update["datestamp"]  # stamped with the time of the change
    load_lines(app, [update])
    second = client.get(f"/oai?verb=ListRecords&resumptionToken={token.group(1).decode()}")
    assert changed in second.data and b"Changed" not in second.data, "read before the change"
    seen = [m.group(1) for m in re.finditer(rb"<identifier>([^<]*)</identifier>", first)]
    body = second.data
    while True:
        seen += [m.group(1) for m in re.finditer(rb"<identifier>([^<]*)</identifier>", body)]
        found = TOKEN.search(body)
        if not found or not found.group(1):
            break
        body = client.get(f"/oai?verb=ListRecords&resumptionToken={found.group(1).decode()}").data
    assert len(seen) == len(set(seen)) == 15
    # A list ends a second before it starts: the change shows once its second is over.
    since_query = f"verb=ListRecords&metadataPrefix=oai_dc&from={since.group(1).decode()}"
    deadline = time.monotonic() + 5
    while changed not in (later := client.get(f"/oai?{since_query}").data):
        assert time.monotonic() < deadline, later
        time.sleep(0.1)
    assert b"Changed" in later
