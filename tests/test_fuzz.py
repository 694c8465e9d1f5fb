"""Property tests over the whole request space: whatever arrives, the answer is an
OAI-PMH document that validates, or a deliberate HTTP error.

Requests are built as raw bytes (query strings and bodies), so percent-encoding
garbage, invalid UTF-8, NUL and control characters reach the application as a
harvester could send them. The deliberate non-200 answers are:

- 413 Request Entity Too Large: a POST body over ``endpoint.MAX_BODY``;
- 414 URI Too Long: a query string over ``endpoint.MAX_QUERY``;
- 400 Bad Request: a Host header Werkzeug refuses, before the app runs;
- 304 Not Modified: GetRecord with an If-Modified-Since at or after the record's datestamp.

Any exception that reaches Flask's error handling fails the test
(``got_request_exception`` is recorded and PROPAGATE_EXCEPTIONS re-raises).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask, got_request_exception
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder, TestResponse, run_wsgi_app

from oai import create_app, endpoint

from . import xsd
from .conftest import error_code, load_lines, record

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VERBS = [
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "GetRecord",
    "ListIdentifiers",
    "ListRecords",
]
NAMES = ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken"]
DATES = [
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "0000-01-01",
    "0001-01-01",
    "0001-01-01T00:00:00Z",
    "9999-12-31",
    "9999-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2024-02-29",
    "2023-02-29",
    "2024-13-01",
    "2024-01-01T24:00:00Z",
    "2024-01-01T23:59:60Z",
    "2024-01-01T00:00:00+00:00",
    "2024-01-01T00:00Z",
    "2024-01-01T00:00:00.5Z",
    "2024-1-1",
    "\uff12\uff10\uff12\uff14-01-01",
    "2024-01-01\n",
    " 2024-01-01",
]
IDENTIFIERS = [
    "oai:example.org:rec-00001",
    "oai:example.org:rec-00004",
    "oai:example.org:gone",
    "oai:example.org:nope",
    "really_wrong_id",
    "%zz",
    "a b[",
    "http://example.org/x#y#z",
    "oai:example.org:\u202eevil",
]
#: Raw fragments spliced into query strings and bodies as they are, undecoded.
GARBAGE = [
    b"%",
    b"%%",
    b"%G0",
    b"%0",
    b"%00",
    b"%FF%FE",
    b"%ED%A0%80",
    b"%C0%AF",
    b"&&",
    b"=",
    b"==",
    b";",
    b"+",
    b"\xff",
    b"\x00",
    b"\r\n",
]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for all examples: records, sets, a deleted record, pages of three."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "oai.sqlite"
    app = create_app(
        {
            "database_url": f"sqlite:///{path}",
            "secret_key": "fuzz-secret",
            "page_size": 3,
            "repository_identifier": "example.org",
        }
    )
    app.config["TESTING"] = True
    app.config["PROPAGATE_EXCEPTIONS"] = True
    lines: list[Any] = [{"setSpec": "all", "setName": "All"}]
    lines += [record(n) for n in range(1, 9)]
    lines.append(record(9, identifier="oai:example.org:gone", deleted=True))
    load_lines(app, lines)
    yield app
    app.extensions["oai"].close()


@pytest.fixture(scope="module")
def tokens(fuzz_app: Flask) -> list[str]:
    """Real tokens of each list verb, so fuzzing reaches the token decoder's inner paths."""
    client = fuzz_app.test_client()
    found = []
    for query in (
        "verb=ListRecords&metadataPrefix=oai_dc",
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=all",
    ):
        body = client.get(f"/oai?{query}").data
        match = re.search(rb"<resumptionToken[^>]*>([^<]+)<", body)
        assert match is not None
        found.append(match.group(1).decode("ascii"))
    return found


@contextmanager
def no_escapes(app: Flask) -> Iterator[None]:
    """Fail if any exception reaches Flask's handling of unhandled errors meanwhile."""
    escaped: list[BaseException] = []

    def record_exception(sender: Flask, exception: BaseException, **extra: object) -> None:
        escaped.append(exception)

    got_request_exception.connect(record_exception, app)
    try:
        yield
    finally:
        got_request_exception.disconnect(record_exception, app)
    assert escaped == []


@pytest.fixture
def fuzz_client(fuzz_app: Flask) -> Iterator[FlaskClient]:
    """A client whose app fails the test if any exception reaches Flask's handlers."""
    with no_escapes(fuzz_app):
        yield fuzz_app.test_client()


def _encode(text: str, raw: bool) -> bytes:
    """Percent-encode ``text`` as a form would, or pass it through nearly raw."""
    data = text.encode("utf-8", "surrogatepass")
    if raw:
        return data.replace(b"&", b"%26").replace(b"=", b"%3D").replace(b"#", b"%23")
    return quote(data, safe="").encode("ascii")


def _value(tokens: list[str]) -> st.SearchStrategy[str]:
    token_variants = st.sampled_from(tokens).flatmap(
        lambda token: st.one_of(
            st.just(token),
            st.integers(0, len(token)).map(lambda cut: token[:cut]),
            st.tuples(st.integers(0, len(token) - 1), st.characters()).map(
                lambda edit: token[: edit[0]] + edit[1] + token[edit[0] + 1 :]
            ),
        )
    )
    return st.one_of(
        st.sampled_from(VERBS + ["oai_dc", "all", "All", "", "verb", "ListRecords "]),
        st.sampled_from(DATES),
        st.sampled_from(IDENTIFIERS),
        token_variants,
        st.text(max_size=30),
        st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
        st.text(min_size=2000, max_size=5000, alphabet="ab<&>\"'%"),
    )


def _pairs(tokens: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    name = st.one_of(st.sampled_from(NAMES), st.sampled_from(NAMES).map(str.upper), st.text())
    return st.lists(st.tuples(name, _value(tokens)), max_size=8)


@st.composite
def _raw_form(draw: st.DrawFn, tokens: list[str]) -> bytes:
    """A form-encoded string: pairs, some left raw, with garbage bytes spliced in."""
    parts = []
    for key, value in draw(_pairs(tokens)):
        raw = draw(st.booleans())
        part = _encode(key, raw)
        if draw(st.booleans()):
            part += b"=" + _encode(value, raw)
        parts.append(part)
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            where = draw(st.integers(0, len(parts)))
            parts.insert(where, draw(st.sampled_from(GARBAGE)))
    return b"&".join(parts)


def _check(response: TestResponse) -> None:
    """Either a valid OAI-PMH document with HTTP 200 or one of the deliberate refusals."""
    if response.status_code in (413, 414):
        return
    assert response.status_code == 200, response.data[:300]
    assert response.content_type == "text/xml; charset=utf-8"
    root = xsd.validate(response.data)
    code = error_code(root)
    request = root.find("oai:request", xsd.NS)
    assert request is not None
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}, "badVerb/badArgument must not echo arguments"


@pytest.mark.usefixtures("schemas")
@FUZZ
@given(data=st.data())
def test_any_get_request_gets_a_valid_answer(
    fuzz_client: FlaskClient, tokens: list[str], data: st.DataObject
) -> None:
    query = data.draw(_raw_form(tokens), label="query")
    response = fuzz_client.get("/oai", query_string=query.decode("latin-1"))
    _check(response)


@pytest.mark.usefixtures("schemas")
@FUZZ
@given(data=st.data())
def test_any_post_request_gets_a_valid_answer(
    fuzz_client: FlaskClient, tokens: list[str], data: st.DataObject
) -> None:
    body = data.draw(_raw_form(tokens), label="body")
    content_type = data.draw(
        st.sampled_from(
            [
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=latin-1",
                "application/x-www-form-urlencoded; charset=bogus",
                "multipart/form-data; boundary=x",
                "multipart/form-data",
                "application/json",
                "text/xml",
                "",
            ]
        ),
        label="content_type",
    )
    query = data.draw(st.sampled_from(["", "verb=Identify", "verb=%ZZ&verb"]), label="query")
    response = fuzz_client.post("/oai", data=body, content_type=content_type, query_string=query)
    _check(response)


@pytest.mark.usefixtures("schemas")
@FUZZ
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from(NAMES), st.text(alphabet=st.characters(codec="utf-8"))),
        max_size=6,
    ),
    method=st.sampled_from(["GET", "POST"]),
)
@example(pairs=[("verb", "ListRecords"), ("metadataPrefix", "a b")], method="GET")
@example(
    pairs=[("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "a b")], method="GET"
)
@example(
    pairs=[("verb", "GetRecord"), ("metadataPrefix", "oai_dc"), ("identifier", "%zz")], method="GET"
)
@example(pairs=[("verb", "ListMetadataFormats"), ("identifier", "a b[")], method="POST")
@example(
    pairs=[
        ("verb", "ListRecords"),
        ("metadataPrefix", "oai_dc"),
        ("from", "\uff12\uff10\uff12\uff14-01-01"),
    ],
    method="GET",
)
def test_well_formed_argument_lists_get_a_valid_answer(
    fuzz_client: FlaskClient, pairs: list[tuple[str, str]], method: str
) -> None:
    """Known argument names with any Unicode values: the cases a typed harvester could send."""
    if method == "GET":
        response = fuzz_client.get("/oai", query_string=pairs)
    else:
        response = fuzz_client.post("/oai", data=MultiDict(pairs))
    _check(response)


@pytest.mark.usefixtures("schemas")
@FUZZ
@given(
    verb=st.sampled_from(["ListRecords", "ListIdentifiers"]),
    start=st.sampled_from(DATES),
    end=st.sampled_from(DATES),
    spec=st.sampled_from([None, "all", "even", "odd", "nothing", "all:x"]),
)
def test_date_windows_at_the_edges(
    fuzz_client: FlaskClient, verb: str, start: str, end: str, spec: str | None
) -> None:
    """from/until at the ends of the calendar, with and without a set, then every page."""
    query: dict[str, str] = {"verb": verb, "metadataPrefix": "oai_dc", "from": start, "until": end}
    if spec is not None:
        query["set"] = spec
    pages = 0
    while True:
        response = fuzz_client.get("/oai", query_string=query)
        _check(response)
        root = xsd.validate(response.data)
        token = root.findtext(".//oai:resumptionToken", namespaces=xsd.NS)
        pages += 1
        if not token or pages > 10:
            break
        query = {"verb": verb, "resumptionToken": token}
    assert pages <= 10


def test_oversized_body_is_refused_with_413(fuzz_client: FlaskClient) -> None:
    body = b"verb=Identify&x=" + b"a" * endpoint.MAX_BODY
    response = fuzz_client.post("/oai", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_oversized_query_string_is_refused_with_414(fuzz_client: FlaskClient) -> None:
    response = fuzz_client.get("/oai", query_string="verb=Identify&x=" + "a" * endpoint.MAX_QUERY)
    assert response.status_code == 414


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_refused_with_405(fuzz_client: FlaskClient, method: str) -> None:
    response = fuzz_client.open("/oai?verb=Identify", method=method)
    assert response.status_code == 405


@pytest.mark.usefixtures("schemas")
def test_head_is_answered_without_a_body(fuzz_client: FlaskClient) -> None:
    response = fuzz_client.head("/oai?verb=Identify")
    assert response.status_code == 200
    assert response.data == b""


@pytest.mark.usefixtures("schemas")
def test_a_thousand_repeated_arguments(fuzz_client: FlaskClient) -> None:
    query = "&".join(["verb=Identify"] + [f"set={n}" for n in range(1000)])
    root = xsd.validate(fuzz_client.get(f"/oai?{query}").data)
    assert error_code(root) == "badArgument"
    rng = random.Random(6)
    mixed = [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")] * 500
    rng.shuffle(mixed)
    root = xsd.validate(fuzz_client.post("/oai", data=MultiDict(mixed)).data)
    assert error_code(root) in ("badVerb", "badArgument")


@pytest.mark.usefixtures("schemas")
def test_json_body_is_not_taken_for_arguments(fuzz_client: FlaskClient) -> None:
    response = fuzz_client.post("/oai", data=json.dumps({"verb": "Identify"}))
    assert response.status_code == 200
    assert error_code(xsd.validate(response.data)) == "badVerb"


HEADER_VALUES = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
    st.sampled_from(
        [
            "text/html",
            "text/html;q=0.9, text/xml",
            "*/*",
            "gzip",
            "deflate;q=0, gzip;q=0",
            "br, zstd",
            "Sat, 29 Oct 1994 19:43:31 GMT",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "yesterday",
            "a b",
            "%zz",
            "[::1]:80",
            "example.org:99999",
        ]
    ),
)


@pytest.mark.usefixtures("schemas")
@FUZZ
@given(
    headers=st.dictionaries(
        st.sampled_from(["Accept", "Accept-Encoding", "If-Modified-Since", "Host"]),
        HEADER_VALUES,
    ),
    query=st.sampled_from(
        [
            "verb=Identify",
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:example.org:rec-00001",
            "verb=ListRecords&metadataPrefix=oai_dc",
            "verb=Nope",
        ]
    ),
)
def test_any_headers(fuzz_app: Flask, headers: dict[str, str], query: str) -> None:
    """Content negotiation, compression, conditional requests and Host, any header values.

    Called as a WSGI server would call the app: the test client would itself choke on
    some Host values (a port out of range) before the app saw them.
    """
    environ = EnvironBuilder(path="/oai", query_string=query).get_environ()
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    with no_escapes(fuzz_app):
        chunks, status, response_headers = run_wsgi_app(fuzz_app, environ, buffered=True)
    code = int(status.split()[0])
    assert code in (200, 304, 400), status
    if code != 200:
        return
    header = dict(response_headers)
    body = b"".join(chunks)
    if header.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    elif header.get("Content-Encoding") == "deflate":
        body = zlib.decompress(body)
    if header["Content-Type"].startswith("text/html"):
        assert b"Traceback" not in body
        return
    assert header["Content-Type"] == "text/xml; charset=utf-8"
    xsd.validate(body)
