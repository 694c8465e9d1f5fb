"""Accept negotiation (oai.negotiation): harvesters keep getting the XML, byte for byte.

The clock is frozen (responseDate and the tokens' issue time), so two answers to
the same request can be compared whole, without masking anything.
"""

from __future__ import annotations

import gzip
import types
from datetime import datetime

import pytest
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy.exc import OperationalError

from oai import protocol, verbs
from tests import xsd
from tests.conftest import record

FROZEN = datetime(2026, 11, 25, 12, 0, 0)
CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

#: Accept header -> what the client gets. None means no Accept header at all.
ACCEPT_TABLE = [
    pytest.param(None, "xml", id="absent"),
    pytest.param("*/*", "xml", id="any"),
    pytest.param("text/xml", "xml", id="text-xml"),
    pytest.param("application/xml", "xml", id="application-xml"),
    pytest.param("text/*", "xml", id="text-wildcard"),
    pytest.param("application/xml, text/xml;q=0.9, */*;q=0.1", "xml", id="xml-first"),
    pytest.param("text/html, text/xml", "xml", id="tie-goes-to-xml"),
    pytest.param("text/html;q=0.5, application/xml", "xml", id="xml-preferred"),
    pytest.param("text/html;q=0", "xml", id="html-refused"),
    pytest.param("", "xml", id="empty"),
    pytest.param("text/html", "html", id="text-html"),
    pytest.param("application/xhtml+xml", "html", id="xhtml"),
    pytest.param("TEXT/HTML; level=1", "html", id="html-params"),
    pytest.param(CHROMIUM, "html", id="chromium"),
    pytest.param(FIREFOX, "html", id="firefox"),
]
HARVESTER_ACCEPTS = [None, "*/*", "text/xml", "application/xml", "text/xml, application/xml"]

#: Requests whose XML must not depend on the Accept header (and gets no page by accident).
REQUESTS = [
    pytest.param([("verb", "Identify")], id="Identify"),
    pytest.param([("verb", "ListMetadataFormats")], id="ListMetadataFormats"),
    pytest.param([("verb", "ListSets")], id="ListSets"),
    pytest.param([("verb", "ListRecords"), ("metadataPrefix", "oai_dc")], id="ListRecords"),
    pytest.param(
        [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("set", "even")],
        id="ListIdentifiers-set",
    ),
    pytest.param(
        [
            ("verb", "GetRecord"),
            ("metadataPrefix", "oai_dc"),
            ("identifier", "oai:example.org:rec-00002"),
        ],
        id="GetRecord",
    ),
    pytest.param([("verb", "Nope")], id="badVerb"),
    pytest.param([("verb", "ListRecords")], id="badArgument"),
    pytest.param([("verb", "ListRecords"), ("metadataPrefix", "marc")], id="cannotDisseminate"),
]


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Stop the clocks that reach the XML: responseDate and the tokens' issue time."""
    monkeypatch.setattr(protocol, "utc_now", lambda: FROZEN)
    epoch = (FROZEN - datetime(1970, 1, 1)).total_seconds()
    monkeypatch.setattr(verbs, "time", types.SimpleNamespace(time=lambda: epoch))
    return FROZEN


@pytest.fixture
def loaded(load) -> None:  # type: ignore[no-untyped-def]
    load([record(n) for n in range(1, 8)])


def _get(client: FlaskClient, path: str, pairs: list[tuple[str, str]], accept: str | None) -> bytes:
    headers = {} if accept is None else {"Accept": accept}
    response = client.get(path, query_string=pairs, headers=headers)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    return response.data


@pytest.mark.parametrize(("accept", "kind"), ACCEPT_TABLE)
def test_accept_header_picks_xml_or_page(client, loaded, accept, kind):
    headers = {} if accept is None else {"Accept": accept}
    response = client.get("/oai?verb=Identify", headers=headers)
    assert response.status_code == 200
    expected = "text/xml; charset=utf-8" if kind == "xml" else "text/html; charset=utf-8"
    assert response.content_type == expected
    assert "Accept" in response.vary
    assert "Accept-Encoding" in response.vary


@pytest.mark.parametrize("pairs", REQUESTS)
def test_harvesters_get_identical_bytes_whatever_their_accept(
    client, loaded, frozen, schemas, pairs
):
    answers = {accept: _get(client, "/oai", pairs, accept) for accept in HARVESTER_ACCEPTS}
    reference = answers[None]
    for accept, body in answers.items():
        assert body == reference, f"Accept {accept!r} changed the XML"
    root = xsd.validate(reference)
    assert root.findtext("oai:responseDate", namespaces=xsd.NS) == "2026-11-25T12:00:00Z"
    # The pages' raw-XML link gives the very same bytes, even to a browser.
    assert _get(client, "/oai.xml", pairs, CHROMIUM) == reference
    assert _get(client, "/oai.xml", pairs, None) == reference


def test_post_bytes_do_not_depend_on_accept(client, loaded, frozen):
    data = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    bodies = [
        client.post("/oai", data=data, headers=h).data
        for h in ({}, {"Accept": "*/*"}, {"Accept": "text/xml"})
    ]
    assert bodies[0] == bodies[1] == bodies[2]
    assert b"<ListRecords>" in bodies[0]


def test_resumed_pages_are_identical_too(client, loaded, frozen):
    body = _get(client, "/oai", [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")], None)
    token = etree.fromstring(body, xsd.strict_parser()).findtext(
        ".//oai:resumptionToken", namespaces=xsd.NS
    )
    assert token
    pairs = [("verb", "ListRecords"), ("resumptionToken", token)]
    assert _get(client, "/oai", pairs, None) == _get(client, "/oai", pairs, "*/*")
    assert _get(client, "/oai", pairs, None) == _get(client, "/oai.xml", pairs, CHROMIUM)


def test_gzip_for_harvesters_unchanged(client, loaded, frozen):
    pairs = [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")]
    plain = _get(client, "/oai", pairs, None)
    response = client.get("/oai", query_string=pairs, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == plain


def test_record_conditional_get_still_works_for_harvesters(client, loaded):
    pairs = [
        ("verb", "GetRecord"),
        ("metadataPrefix", "oai_dc"),
        ("identifier", "oai:example.org:rec-00002"),
    ]
    first = client.get("/oai", query_string=pairs)
    assert first.last_modified is not None
    again = client.get(
        "/oai", query_string=pairs, headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert again.status_code == 304
    assert "Accept" in again.vary


def test_raw_xml_echoes_the_oai_base_url(client, loaded):
    body = _get(client, "/oai.xml", [("verb", "Identify")], CHROMIUM)
    assert b"<baseURL>http://localhost/oai</baseURL>" in body
    assert b'<request verb="Identify">http://localhost/oai</request>' in body


@pytest.mark.parametrize("accept", [None, CHROMIUM])
@pytest.mark.parametrize("path", ["/oai?verb=Identify", "/oai.xml?verb=Identify", "/"])
def test_unreachable_database_is_503_for_everyone(client, monkeypatch, path, accept):
    def down(*args: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionError("connection refused"))

    monkeypatch.setattr(verbs.queries, "repository_facts", down)
    monkeypatch.setattr(verbs.queries, "counts", down)
    response = client.get(path, headers={} if accept is None else {"Accept": accept})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
