"""oai.express answers a harvester's list pages without Flask, exactly as Flask would.

Every request is sent both ways: through the app as deployed (the wrapper first) and
straight to the Flask app behind it. Status, headers and body must be equal, the
body up to its responseDate and the tokens' text (both carry the current second).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from werkzeug.test import Client

from oai.express import ListPages

from .conftest import load_lines, record

DATE = re.compile(rb"<responseDate>[^<]*</responseDate>")
TOKEN = re.compile(rb"(<resumptionToken[^>]*>)[^<]*(</resumptionToken>)")

#: (query string, request headers): what harvesters send, and what must go to Flask.
REQUESTS = [
    ("verb=ListRecords&metadataPrefix=oai_dc", {}),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc", {}),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=even", {}),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-05&until=2024-01-20", {}),
    ("verb=ListRecords&metadataPrefix=oai_dc", {"Accept": "*/*"}),
    ("verb=ListRecords&metadataPrefix=oai_dc", {"Accept-Encoding": "identity"}),
    ("verb=ListRecords&metadataPrefix=oai_dc", {"Accept-Encoding": "gzip"}),
    ("verb=ListRecords&metadataPrefix=oai_dc", {"Accept": "text/html"}),
    ("verb=ListRecords&metadataPrefix=nope", {}),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=missing", {}),
    ("verb=ListRecords&resumptionToken=forged", {}),
    ("verb=ListRecords&resumptionToken=", {}),
    ("verb=ListRecords", {}),
    ("verb=ListRecords&verb=ListRecords&metadataPrefix=oai_dc", {}),
    ("verb=ListRecords&metadataPrefix=oai_dc&bogus=1", {}),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-01", {}),
    ("verb=ListRecords&metadataPrefix=%ZZ", {}),
    ("verb=Identify", {}),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:example.org:rec-00003", {}),
]


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(page_size=4, prefetch=False)
    load_lines(app, [record(n) for n in range(12)])
    return app


def _both(app: Flask, query: str, headers: dict[str, str]) -> tuple[object, object]:
    assert isinstance(app.wsgi_app, ListPages)
    flask_only = app.wsgi_app.app
    answers = []
    for wsgi in (app.wsgi_app, flask_only):
        response = Client(wsgi).get(f"/oai?{query}", headers=headers)
        body = TOKEN.sub(rb"\1\2", DATE.sub(b"", response.get_data()))
        if response.mimetype == "text/html":  # a page (Flask's both ways) shows the time
            body = b""
        answers.append((response.status, sorted(response.headers.items()), body))
    return answers[0], answers[1]


@pytest.mark.parametrize(("query", "headers"), REQUESTS)
def test_the_short_way_answers_as_flask_does(
    app: Flask, query: str, headers: dict[str, str]
) -> None:
    express, flask = _both(app, query, headers)
    assert express == flask


def test_a_whole_harvest_is_the_same_both_ways(app: Flask) -> None:
    express, flask = _both(app, "verb=ListRecords&metadataPrefix=oai_dc", {})
    client = Client(app.wsgi_app)
    query = "verb=ListRecords&metadataPrefix=oai_dc"
    pages = 0
    while query:
        response = client.get(f"/oai?{query}")
        token = re.search(rb"<resumptionToken[^>]*>([^<]+)<", response.get_data())
        resumed = f"verb=ListRecords&resumptionToken={token.group(1).decode()}" if token else ""
        if resumed:
            assert _both(app, resumed, {})[0] == _both(app, resumed, {})[1]
        query = resumed
        pages += 1
    assert pages == 3


#: The requests of REQUESTS that Flask must answer: compressed, for a browser, not a
#: single list verb.
FLASK_ANSWERS = {6, 7, 13, 17, 18}


def test_only_list_pages_for_harvesters_take_the_short_way(app: Flask) -> None:
    wrapper = app.wsgi_app
    assert isinstance(wrapper, ListPages)
    reached: list[bool] = []

    def flask_app(environ: dict[str, object], start_response: Callable[..., object]) -> object:
        reached.append(True)
        return wrapper.app(environ, start_response)  # type: ignore[arg-type]

    short = ListPages(flask_app, wrapper.state)  # type: ignore[arg-type]
    for number, (query, headers) in enumerate(REQUESTS):
        reached.clear()
        Client(short).get(f"/oai?{query}", headers=headers)
        assert bool(reached) == (number in FLASK_ANSWERS), (query, headers)
    reached.clear()
    Client(short).post("/oai", data={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert reached, "a POST goes to Flask"
