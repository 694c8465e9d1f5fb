"""HTTP around the OAI document: compression, Content-Length, Last-Modified and 304.

Harvesters that ask nothing get plain XML; gzip and deflate bodies decompress to
exactly the plain document (responseDate aside, which moves with the clock).
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oai import xmlwriter

from . import xsd
from .conftest import load_lines, record

OAI_NS = "{http://www.openarchives.org/OAI/2.0/}"
_RESPONSE_DATE = re.compile(rb"<responseDate>[^<]*</responseDate>")

DECOMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.decompress,
    "deflate": zlib.decompress,  # HTTP "deflate" is the zlib format (RFC 9110)
}


def _same_document(a: bytes, b: bytes) -> bool:
    return _RESPONSE_DATE.sub(b"", a) == _RESPONSE_DATE.sub(b"", b)


def _get(client: FlaskClient, query: dict[str, str], **headers: str) -> Any:
    response = client.get("/oai", query_string=query, headers=headers)
    assert response.status_code == 200
    return response


QUERIES = {
    "Identify": {"verb": "Identify"},
    "ListRecords": {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
    "GetRecord": {
        "verb": "GetRecord",
        "metadataPrefix": "oai_dc",
        "identifier": "oai:example.org:rec-00001",
    },
    "error": {"verb": "Nonsense"},
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_no_accept_encoding_gets_plain_xml(
    client: FlaskClient, load: Any, schemas: Any, query: dict[str, str]
) -> None:
    load([record(n) for n in range(2)])
    response = _get(client, query)
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    xsd.validate(response.data)


@pytest.mark.parametrize("encoding", DECOMPRESS)
@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_compressed_body_is_the_plain_document(
    client: FlaskClient, load: Any, schemas: Any, encoding: str, query: dict[str, str]
) -> None:
    load([record(n) for n in range(2)])
    plain = _get(client, query).data
    response = _get(client, query, **{"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    body = DECOMPRESS[encoding](response.data)
    assert _same_document(body, plain)
    xsd.validate(body)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("*", "gzip"), ("GZIP", "gzip"), ("br, Deflate", "deflate"), ("identity, *;q=0.5", "gzip")],
)
def test_wildcard_and_case_still_select_an_encoding(
    client: FlaskClient, load: Any, header: str, expected: str
) -> None:
    """negotiation.encoding skips parsing headers that name no coding we offer; these do."""
    load([record(1)])
    response = _get(client, {"verb": "Identify"}, **{"Accept-Encoding": header})
    assert response.headers["Content-Encoding"] == expected
    xsd.validate(DECOMPRESS[expected](response.data))


@pytest.mark.parametrize(
    "header",
    ["gzip;q=0", "identity", "br", "gzip;q=0, deflate;q=0"],
)
def test_refused_or_unknown_encodings_get_plain_xml(
    client: FlaskClient, load: Any, header: str
) -> None:
    load([record(1)])
    response = _get(client, {"verb": "Identify"}, **{"Accept-Encoding": header})
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"<?xml")


def test_identify_advertises_both_compressions(load: Any, oai_get: Any) -> None:
    load([record(1)])
    root = oai_get(verb="Identify")
    advertised = [e.text for e in root.iter(f"{OAI_NS}compression")]
    assert sorted(advertised) == ["deflate", "gzip"]


def test_one_chunk_response_has_content_length(client: FlaskClient, load: Any) -> None:
    load([record(n) for n in range(3)])
    query = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    response = client.get("/oai", query_string=query)
    assert int(response.headers["Content-Length"]) == len(response.data)
    gzipped = client.get("/oai", query_string=query, headers={"Accept-Encoding": "gzip"})
    assert int(gzipped.headers["Content-Length"]) == len(gzipped.data)


@pytest.mark.parametrize("encoding", [None, *DECOMPRESS])
def test_document_larger_than_a_chunk_streams_whole(
    make_app: Callable[..., Flask], schemas: Any, encoding: str | None
) -> None:
    """A page bigger than the writer's chunk is streamed in pieces, and arrives intact."""
    app = make_app(page_size=400)
    text = "Long abstract. " * 60
    load_lines(app, [record(n, metadata={"description": [text]}) for n in range(400)])
    client = app.test_client()
    query = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    headers = {"Accept-Encoding": encoding} if encoding else {}
    response = client.get("/oai", query_string=query, headers=headers)
    body = DECOMPRESS[encoding](response.data) if encoding else response.data
    assert len(body) > xmlwriter.CHUNK
    assert "Content-Length" not in response.headers  # streamed: length unknown up front
    root = xsd.validate(body)
    assert len(root.findall(f"{OAI_NS}ListRecords/{OAI_NS}record")) == 400


def _http_date(value: datetime) -> str:
    return format_datetime(value.replace(tzinfo=UTC), usegmt=True)


@pytest.mark.parametrize(
    ("value", "header"),
    [
        (datetime(2024, 1, 2, 1, 0, 0), "Tue, 02 Jan 2024 01:00:00 GMT"),
        (datetime(2000, 2, 29, 23, 59, 59), "Tue, 29 Feb 2000 23:59:59 GMT"),
        (datetime(1999, 12, 31, 0, 0, 5), "Fri, 31 Dec 1999 00:00:05 GMT"),
        (datetime(2026, 12, 6, 9, 7, 3), "Sun, 06 Dec 2026 09:07:03 GMT"),
        (datetime(998, 7, 15, 12, 30, 0), "Sun, 15 Jul 0998 12:30:00 GMT"),
    ],
)
def test_http_dates_are_imf_fixdates(value: datetime, header: str) -> None:
    """Last-Modified as RFC 9110 spells it, and as the email package writes it."""
    from oai.endpoint import http_date

    assert http_date(value) == header == _http_date(value)


GET_RECORD = QUERIES["GetRecord"]
DATESTAMP = datetime(2024, 1, 2, 1, 0, 0)  # record(1)'s datestamp


def test_get_record_has_last_modified(client: FlaskClient, load: Any) -> None:
    load([record(1)])
    response = _get(client, GET_RECORD)
    assert response.headers["Last-Modified"] == _http_date(DATESTAMP)


@pytest.mark.parametrize(
    ("since", "status"),
    [
        (DATESTAMP, 304),
        (DATESTAMP + timedelta(days=1), 304),
        (DATESTAMP - timedelta(seconds=1), 200),
    ],
    ids=["same", "later", "earlier"],
)
def test_get_record_if_modified_since(
    client: FlaskClient, load: Any, since: datetime, status: int
) -> None:
    load([record(1)])
    response = client.get(
        "/oai", query_string=GET_RECORD, headers={"If-Modified-Since": _http_date(since)}
    )
    assert response.status_code == status
    if status == 304:
        assert response.data == b""
        assert "Accept-Encoding" in response.headers["Vary"]


def test_changed_record_is_modified_again(client: FlaskClient, load: Any) -> None:
    load([record(1)])
    later = DATESTAMP + timedelta(days=3)
    load([record(1, datestamp="2024-01-05T01:00:00Z", metadata={"title": ["New"]})])
    response = client.get(
        "/oai", query_string=GET_RECORD, headers={"If-Modified-Since": _http_date(DATESTAMP)}
    )
    assert response.status_code == 200
    assert response.headers["Last-Modified"] == _http_date(later)


def test_lists_carry_no_last_modified(client: FlaskClient, load: Any) -> None:
    """A list's content depends on the whole repository, not one datestamp."""
    load([record(1)])
    response = _get(client, {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert "Last-Modified" not in response.headers


#: Query strings as a WSGI server may pass them: raw bytes as Latin-1 text (werkzeug's
#: development server does; gunicorn refuses the request line itself), and the answer.
RAW_QUERIES = {
    "byte in a value": (
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:example.org:\xff",
        "idDoesNotExist",
    ),
    "byte in the verb": ("verb=Ident\xe9ify", "badVerb"),
    "byte in a name": ("verb=Identify&\xff=1", "badArgument"),
    "Latin-1 text": ("verb=ListRecords&metadataPrefix=oai_dc&set=caf\xe9", "badArgument"),
}


def _raw_get(app: Flask, path: str, query: str, accept: str) -> tuple[str, bytes]:
    """A GET with ``query`` passed to the app as it is, not encoded as a test client would."""
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_ACCEPT": accept,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    body = b"".join(app.wsgi_app(environ, lambda status, headers: statuses.append(status)))
    return statuses[0], body


@pytest.mark.parametrize("query, code", RAW_QUERIES.values(), ids=RAW_QUERIES.keys())
def test_raw_bytes_in_the_query_get_an_oai_answer(
    app: Flask, load: Any, schemas: Any, query: str, code: str
) -> None:
    """Bytes that are not UTF-8 become U+FFFD, and the request its OAI error: never a 500."""
    load_lines(app, [record(1)])
    status, body = _raw_get(app, "/oai", query, "text/xml")
    assert status == "200 OK"
    error = xsd.validate(body).find(f"{OAI_NS}error")
    assert error is not None and error.get("code") == code


@pytest.mark.parametrize("query", [query for query, _ in RAW_QUERIES.values()])
@pytest.mark.parametrize("path, status", [("/oai", "200 OK"), ("/form", "303 SEE OTHER")])
def test_raw_bytes_in_a_browsers_query_get_a_page(
    app: Flask, load: Any, query: str, path: str, status: str
) -> None:
    load_lines(app, [record(1)])
    assert _raw_get(app, path, query, "text/html")[0] == status


@pytest.mark.parametrize(
    "query",
    [
        "verb=Identify",
        "a=1&a=2&b=",
        "x=%FF%41&y=%C3%A9",
        "flag&=v&&k=a+b",
        "id=oai%3Ax%3A1",
        "verb=GetRecord&identifier=oai:x:1&metadataPrefix=oai_dc",
        "flag&=v&&k=a=b&",
        "&",
        "",
        "=",
        "a==",
        "verb=ListRecords&resumptionToken=2.WyJvYWlfZGMiXQ.QyaO4FyVORZOOTs37ebbxQ",
    ],
)
def test_query_pairs_are_what_werkzeug_reads(query: str) -> None:
    """For what a URL may carry, the arguments are werkzeug's own, in the same order."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from oai.negotiation import query_pairs

    request = Request(EnvironBuilder(query_string=query).get_environ())
    assert query_pairs(query) == list(request.args.items(multi=True))
