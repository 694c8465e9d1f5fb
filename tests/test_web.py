"""The /oai endpoint through Flask's test client: every verb, every error row, paging.

Every response goes through the ``oai_get``/``oai_post`` fixtures, which check HTTP 200,
``text/xml; charset=utf-8`` and validate the document (and each metadata and description
element) against the official schemas.
"""

from __future__ import annotations

import dataclasses
import gzip
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import delete
from sqlalchemy.orm import Session

from oai.store.loader import LoadError
from oai.store.models import Fragment
from oai.tokens import TokenCodec

from . import xsd
from .conftest import error_code, load_lines

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
BASE_URL = "http://localhost/oai"

Get = Callable[..., etree._Element]

SETS = [
    {"setSpec": "a", "setName": "Set A", "setDescription": "Everything filed under A."},
    {"setSpec": "a:b", "setName": "Set A, part B"},
]


def line(n: int, datestamp: str, sets: list[str], **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "identifier": f"oai:example.org:rec-{n}",
        "datestamp": datestamp,
        "sets": sets,
        "metadata": {"title": [f"Record {n}"], "creator": ["Doe, Jane"], "type": ["Text"]},
    }
    entry.update(extra)
    return entry


#: Seven records on the edges of days, in sets a, a:b, a:b:c, c and none; rec-3 is deleted.
RECORDS = [
    line(1, "2024-01-01T00:00:00Z", ["a"]),
    line(2, "2024-01-01T23:59:59Z", ["a:b"]),
    {
        "identifier": "oai:example.org:rec-3",
        "datestamp": "2024-01-02T00:00:00Z",
        "deleted": True,
        "sets": ["c"],
    },
    line(4, "2024-01-02T12:00:00Z", []),
    line(5, "2024-01-03T00:00:00Z", ["a:b:c"]),
    line(6, "2024-01-03T00:00:00Z", ["c"]),
    line(7, "2024-01-04T08:30:00Z", ["a", "c"]),
]
ALL = [f"oai:example.org:rec-{n}" for n in range(1, 8)]


@pytest.fixture
def repo(app: Flask, load: Callable[[list[Any]], None]) -> Flask:
    load(SETS + RECORDS)
    return app


def headers(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(f"{OAI}header"))


def identifiers(root: etree._Element) -> list[str]:
    return [h.findtext(f"{OAI}identifier") or "" for h in headers(root)]


def request_attributes(root: etree._Element) -> dict[str, str]:
    request = root.find(f"{OAI}request")
    assert request is not None
    assert request.text == BASE_URL
    return dict(request.attrib)


def token_element(root: etree._Element) -> etree._Element | None:
    return root.find(f".//{OAI}resumptionToken")


def harvest(get: Get, verb: str, **args: str) -> tuple[list[str], list[etree._Element]]:
    """Follow resumption tokens to the end; checks cursor and completeListSize on the way."""
    seen: list[str] = []
    pages = [get(verb=verb, **args)]
    while True:
        page = pages[-1]
        assert error_code(page) is None, error_code(page)
        items = (
            [s.findtext(f"{OAI}setSpec") or "" for s in page.iter(f"{OAI}set")]
            if verb == "ListSets"
            else identifiers(page)
        )
        token = token_element(page)
        if token is not None:
            assert int(token.get("cursor", "-1")) == len(seen)
            assert token.get("completeListSize") is not None
        seen.extend(items)
        if token is None or not token.text:
            if token is not None:
                assert int(token.get("completeListSize", "-1")) == len(seen)
            return seen, pages
        pages.append(get(verb=verb, resumptionToken=token.text))


# --- every verb, by GET and by POST -------------------------------------------------------

VERB_REQUESTS = {
    "Identify": {"verb": "Identify"},
    "ListMetadataFormats": {"verb": "ListMetadataFormats"},
    "ListMetadataFormats-identifier": {"verb": "ListMetadataFormats", "identifier": ALL[0]},
    "ListSets": {"verb": "ListSets"},
    "GetRecord": {"verb": "GetRecord", "identifier": ALL[0], "metadataPrefix": "oai_dc"},
    "ListIdentifiers": {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
    "ListRecords": {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a"},
}


def _without_response_date(root: etree._Element) -> bytes:
    """The document less what depends on the second it was made in: the responseDate, and
    a token's text (it carries the list's start and its snapshot's end)."""
    date = root.find(f"{OAI}responseDate")
    assert date is not None
    date.text = ""
    for token in root.iter(f"{OAI}resumptionToken"):
        token.text = "token" if token.text else token.text
    return bytes(etree.tostring(root))


@pytest.mark.parametrize("args", VERB_REQUESTS.values(), ids=VERB_REQUESTS.keys())
def test_verb_by_get_and_post(
    repo: Flask, oai_get: Get, oai_post: Get, args: dict[str, str]
) -> None:
    by_get = oai_get(**args)
    by_post = oai_post(**args)
    assert error_code(by_get) is None
    verb = args["verb"]
    assert by_get.find(f"{OAI}{verb}") is not None
    assert request_attributes(by_get) == args
    assert _without_response_date(by_get) == _without_response_date(by_post)


def test_post_content_type(repo: Flask, client: FlaskClient, schemas: object) -> None:
    response = client.post("/oai", data={"verb": "Identify"})
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    xsd.validate(response.data)


def test_gzip(repo: Flask, client: FlaskClient, schemas: object) -> None:
    response = client.get(
        "/oai?verb=ListRecords&metadataPrefix=oai_dc", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    root = xsd.validate(gzip.decompress(response.data))
    assert len(identifiers(root)) == 3


# --- error rows ----------------------------------------------------------------------------

TOKEN_LIKE = "eyJ2IjoxfQ.AAAAAAAAAAAAAAAAAAAAAA"

ERRORS: list[Any] = [
    # badVerb: no arguments echoed
    ("no-verb", [], "badVerb"),
    ("no-verb-with-args", [("metadataPrefix", "oai_dc")], "badVerb"),
    ("unknown-verb", [("verb", "Harvest")], "badVerb"),
    ("empty-verb", [("verb", "")], "badVerb"),
    ("repeated-verb", [("verb", "Identify"), ("verb", "Identify")], "badVerb"),
    ("repeated-verb-other", [("verb", "Identify"), ("verb", "ListSets")], "badVerb"),
    # badArgument: no arguments echoed
    ("identify-extra", [("verb", "Identify"), ("set", "a")], "badArgument"),
    ("getrecord-no-prefix", [("verb", "GetRecord"), ("identifier", ALL[0])], "badArgument"),
    ("getrecord-no-id", [("verb", "GetRecord"), ("metadataPrefix", "oai_dc")], "badArgument"),
    ("list-no-prefix", [("verb", "ListRecords")], "badArgument"),
    ("ids-no-prefix", [("verb", "ListIdentifiers"), ("set", "a")], "badArgument"),
    ("unknown-arg", [("verb", "ListSets"), ("foo", "bar")], "badArgument"),
    (
        "repeated-prefix",
        [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "oai_dc")],
        "badArgument",
    ),
    (
        "repeated-identifier",
        [("verb", "ListMetadataFormats"), ("identifier", ALL[0]), ("identifier", ALL[1])],
        "badArgument",
    ),
    (
        "malformed-from",
        [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2024-1-1")],
        "badArgument",
    ),
    (
        "malformed-until",
        [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("until", "yesterday")],
        "badArgument",
    ),
    (
        "granularity-mismatch",
        [
            ("verb", "ListRecords"),
            ("metadataPrefix", "oai_dc"),
            ("from", "2024-01-01"),
            ("until", "2024-01-02T00:00:00Z"),
        ],
        "badArgument",
    ),
    (
        "from-after-until",
        [
            ("verb", "ListIdentifiers"),
            ("metadataPrefix", "oai_dc"),
            ("from", "2024-01-02"),
            ("until", "2024-01-01"),
        ],
        "badArgument",
    ),
    (
        "token-with-prefix",
        [("verb", "ListRecords"), ("resumptionToken", TOKEN_LIKE), ("metadataPrefix", "oai_dc")],
        "badArgument",
    ),
    (
        "token-with-set",
        [("verb", "ListSets"), ("resumptionToken", TOKEN_LIKE), ("set", "a")],
        "badArgument",
    ),
    (
        "empty-identifier",
        [("verb", "GetRecord"), ("identifier", ""), ("metadataPrefix", "oai_dc")],
        "badArgument",
    ),
    # badResumptionToken: arguments echoed
    (
        "garbled-token",
        [("verb", "ListRecords"), ("resumptionToken", "garbage")],
        "badResumptionToken",
    ),
    (
        "forged-token",
        [("verb", "ListIdentifiers"), ("resumptionToken", TOKEN_LIKE)],
        "badResumptionToken",
    ),
    ("empty-token", [("verb", "ListSets"), ("resumptionToken", "")], "badResumptionToken"),
    # the rest: arguments echoed
    (
        "unknown-format-list",
        [("verb", "ListRecords"), ("metadataPrefix", "marc21")],
        "cannotDisseminateFormat",
    ),
    (
        "unknown-format-ids",
        [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_DC")],
        "cannotDisseminateFormat",
    ),
    (
        "unknown-format-get",
        [("verb", "GetRecord"), ("identifier", ALL[0]), ("metadataPrefix", "ead")],
        "cannotDisseminateFormat",
    ),
    (
        "unknown-id-get",
        [
            ("verb", "GetRecord"),
            ("identifier", "oai:example.org:nope"),
            ("metadataPrefix", "oai_dc"),
        ],
        "idDoesNotExist",
    ),
    (
        "unknown-id-formats",
        [("verb", "ListMetadataFormats"), ("identifier", "oai:example.org:nope")],
        "idDoesNotExist",
    ),
    (
        "illegal-id-get",
        [("verb", "GetRecord"), ("identifier", "not an identifier"), ("metadataPrefix", "oai_dc")],
        "idDoesNotExist",
    ),
    (
        "future-from",
        [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2999-01-01")],
        "noRecordsMatch",
    ),
    (
        "until-before-earliest",
        [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("until", "2023-12-31")],
        "noRecordsMatch",
    ),
    (
        "empty-window",
        [
            ("verb", "ListIdentifiers"),
            ("metadataPrefix", "oai_dc"),
            ("from", "2024-01-02T00:00:01Z"),
            ("until", "2024-01-02T11:59:59Z"),
        ],
        "noRecordsMatch",
    ),
    (
        "unknown-set",
        [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "zzz")],
        "noRecordsMatch",
    ),
    (
        "illegal-set-syntax",
        [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "a:")],
        "badArgument",
    ),
    (
        "illegal-prefix-syntax",
        [("verb", "ListRecords"), ("metadataPrefix", "oai dc")],
        "badArgument",
    ),
    (
        "identifier-not-a-uri",
        [("verb", "GetRecord"), ("identifier", "oai:x:50%"), ("metadataPrefix", "oai_dc")],
        "badArgument",
    ),
    (
        "set-and-window",
        [
            ("verb", "ListRecords"),
            ("metadataPrefix", "oai_dc"),
            ("set", "a:b"),
            ("from", "2024-01-04"),
        ],
        "noRecordsMatch",
    ),
]

NOT_ECHOED = {"badVerb", "badArgument"}


@pytest.mark.parametrize(("pairs", "code"), [pytest.param(p, c, id=i) for i, p, c in ERRORS])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_error_rows(
    repo: Flask, oai_get: Get, oai_post: Get, method: str, pairs: list[tuple[str, str]], code: str
) -> None:
    root = (oai_get if method == "GET" else oai_post)(*pairs)
    assert error_code(root) == code
    assert len(root.findall(f"{OAI}error")) == 1
    echoed = request_attributes(root)
    if code in NOT_ECHOED:
        assert echoed == {}
    else:
        assert echoed == dict(pairs)


def test_no_set_hierarchy(app: Flask, load: Callable[[list[Any]], None], oai_get: Get) -> None:
    load([line(1, "2024-01-01T00:00:00Z", [])])
    assert error_code(oai_get(verb="ListSets")) == "noSetHierarchy"
    for verb in ("ListRecords", "ListIdentifiers"):
        root = oai_get(verb=verb, metadataPrefix="oai_dc", set="a")
        assert error_code(root) == "noSetHierarchy"
        assert request_attributes(root) == {"verb": verb, "metadataPrefix": "oai_dc", "set": "a"}
    # Without a set the lists work.
    assert identifiers(oai_get(verb="ListRecords", metadataPrefix="oai_dc")) == [ALL[0]]


def test_empty_repository(app: Flask, oai_get: Get) -> None:
    assert error_code(oai_get(verb="ListRecords", metadataPrefix="oai_dc")) == "noRecordsMatch"
    assert error_code(oai_get(verb="ListSets")) == "noSetHierarchy"
    identify = oai_get(verb="Identify")
    assert error_code(identify) is None


def test_no_metadata_formats(repo: Flask, oai_get: Get) -> None:
    """Only a store that lost a record's fragments can say it; the document must still be valid."""
    with Session(repo.extensions["oai"].engine) as session, session.begin():
        session.execute(delete(Fragment).where(Fragment.identifier == ALL[0]))
    root = oai_get(verb="ListMetadataFormats", identifier=ALL[0])
    assert error_code(root) == "noMetadataFormats"
    assert request_attributes(root) == {"verb": "ListMetadataFormats", "identifier": ALL[0]}


# --- resumption tokens ---------------------------------------------------------------------


def first_token(get: Get, verb: str = "ListRecords") -> str:
    args = {} if verb == "ListSets" else {"metadataPrefix": "oai_dc"}
    token = token_element(get(verb=verb, **args))
    assert token is not None and token.text
    return token.text


def _flip(token: str, index: int) -> str:
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers", "ListSets"])
@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda t: _flip(t, 3), id="payload-flipped"),
        pytest.param(lambda t: _flip(t, len(t) - 1), id="signature-flipped"),
        pytest.param(lambda t: t[:-1], id="truncated"),
        pytest.param(lambda t: t + "A", id="extended"),
        pytest.param(lambda t: t.replace(".", "", 1), id="no-dot"),
    ],
)
def test_tampered_token(
    repo: Flask, load: Callable[[list[Any]], None], oai_get: Get, verb: str, spoil: Any
) -> None:
    load([{"setSpec": f"s{n}", "setName": f"S{n}"} for n in range(5)])
    token = spoil(first_token(oai_get, verb))
    root = oai_get(verb=verb, resumptionToken=token)
    assert error_code(root) == "badResumptionToken"
    assert request_attributes(root) == {"verb": verb, "resumptionToken": token}


def test_token_of_another_verb(repo: Flask, oai_get: Get) -> None:
    token = first_token(oai_get, "ListRecords")
    assert error_code(oai_get(verb="ListIdentifiers", resumptionToken=token)) == (
        "badResumptionToken"
    )


def test_token_from_another_key(repo: Flask, make_app: Callable[..., Flask], oai_get: Get) -> None:
    token = first_token(oai_get)
    other = make_app(page_size=3, secret_key="another key").test_client()
    response = other.get("/oai", query_string={"verb": "ListRecords", "resumptionToken": token})
    assert error_code(xsd.validate(response.data)) == "badResumptionToken"


def test_expired_token(make_app: Callable[..., Flask], schemas: object) -> None:
    app = make_app(page_size=3, token_max_age=60)
    load_lines(app, RECORDS)
    client = app.test_client()

    def get(**args: str) -> etree._Element:
        response = client.get("/oai", query_string=args)
        assert response.status_code == 200
        return xsd.validate(response.data)

    page = get(verb="ListRecords", metadataPrefix="oai_dc")
    token = token_element(page)
    assert token is not None and token.text
    assert token.get("expirationDate")  # the harvester is told when it runs out
    assert error_code(get(verb="ListRecords", resumptionToken=token.text)) is None
    # Sixty-one seconds later, by the codec's clock.
    state = app.extensions["oai"]
    later = TokenCodec("test-secret", 60, clock=lambda: time.time() + 61)
    app.extensions["oai"] = dataclasses.replace(state, codec=later)
    root = get(verb="ListRecords", resumptionToken=token.text)
    assert error_code(root) == "badResumptionToken"


@pytest.mark.parametrize(
    "args",
    [
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "c"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-01-02"},
    ],
    ids=["records", "identifiers", "set", "window"],
)
def test_paging(repo: Flask, oai_get: Get, args: dict[str, str]) -> None:
    args = dict(args)
    verb = args.pop("verb")
    everything, pages = harvest(oai_get, verb, **args)
    assert len(everything) == len(set(everything))
    for page in pages[:-1]:
        assert len(headers(page)) == 3
        token = token_element(page)
        assert token is not None and token.text
    last = token_element(pages[-1])
    if len(pages) > 1:
        # The last page of a multi-page list ends with an empty resumptionToken.
        assert last is not None and last.text is None
        assert list(last) == []
    else:
        assert last is None
    # The request of a resumed page echoes exactly verb and resumptionToken.
    if len(pages) > 1:
        token = token_element(pages[0])
        assert token is not None
        assert request_attributes(pages[1]) == {"verb": verb, "resumptionToken": token.text}


def test_list_sizes(repo: Flask, oai_get: Get) -> None:
    records, _ = harvest(oai_get, "ListRecords", metadataPrefix="oai_dc")
    assert records == ALL  # datestamp order, identifier breaking ties
    ids, _ = harvest(oai_get, "ListIdentifiers", metadataPrefix="oai_dc")
    assert ids == ALL


def test_same_token_twice(repo: Flask, oai_get: Get) -> None:
    token = first_token(oai_get)
    once = oai_get(verb="ListRecords", resumptionToken=token)
    twice = oai_get(verb="ListRecords", resumptionToken=token)
    assert _without_response_date(once) == _without_response_date(twice)
    assert identifiers(once) == ALL[3:6]


def test_token_survives_restart(make_app: Callable[..., Flask], schemas: object) -> None:
    """Generated key stored in the database: a new app (a restart, another worker) resumes."""
    first = make_app(page_size=3, secret_key=None)
    load_lines(first, RECORDS)
    page = xsd.validate(
        first.test_client().get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").data
    )
    token = token_element(page)
    assert token is not None and token.text
    second = make_app(page_size=3, secret_key=None)
    response = second.test_client().get(
        "/oai", query_string={"verb": "ListIdentifiers", "resumptionToken": token.text}
    )
    assert identifiers(xsd.validate(response.data)) == ALL[3:6]


def test_list_sets_paging(repo: Flask, load: Callable[[list[Any]], None], oai_get: Get) -> None:
    load([{"setSpec": f"s{n:02d}", "setName": f"S{n}"} for n in range(10)])
    specs, pages = harvest(oai_get, "ListSets")
    assert specs == sorted({"a", "a:b", "a:b:c", "c"} | {f"s{n:02d}" for n in range(10)})
    assert len(pages) == 5


# --- sets, deleted records, windows -----------------------------------------------------------


def test_list_sets(repo: Flask, oai_get: Get) -> None:
    _, pages = harvest(oai_get, "ListSets")
    sets = {s.findtext(f"{OAI}setSpec"): s for page in pages for s in page.iter(f"{OAI}set")}
    assert set(sets) == {"a", "a:b", "a:b:c", "c"}
    assert sets["a"].findtext(f"{OAI}setName") == "Set A"
    # Undeclared sets are named after their setSpec.
    assert sets["a:b:c"].findtext(f"{OAI}setName") == "a:b:c"
    description = sets["a"].find(f"{OAI}setDescription")
    assert description is not None
    assert description.findtext(f".//{DC}description") == "Everything filed under A."
    assert sets["c"].find(f"{OAI}setDescription") is None


@pytest.mark.parametrize(
    ("spec", "members"),
    [
        ("a", [1, 2, 5, 7]),
        ("a:b", [2, 5]),
        ("a:b:c", [5]),
        ("c", [3, 6, 7]),
    ],
)
@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_hierarchical_sets(
    repo: Flask, oai_get: Get, verb: str, spec: str, members: list[int]
) -> None:
    found, pages = harvest(oai_get, verb, metadataPrefix="oai_dc", set=spec)
    assert found == [f"oai:example.org:rec-{n}" for n in members]
    for page in pages:
        for header in headers(page):
            specs = [s.text for s in header.findall(f"{OAI}setSpec")]
            assert spec in specs


def _deleted_header(root: etree._Element, identifier: str) -> etree._Element:
    for header in headers(root):
        if header.findtext(f"{OAI}identifier") == identifier:
            return header
    raise AssertionError(f"{identifier} not in the response")


def test_deleted_in_every_list(repo: Flask, oai_get: Get) -> None:
    deleted = ALL[2]
    records = oai_get(verb="ListRecords", metadataPrefix="oai_dc", set="c")
    header = _deleted_header(records, deleted)
    assert header.get("status") == "deleted"
    record = header.getparent()
    assert record is not None and record.find(f"{OAI}metadata") is None
    ids = oai_get(verb="ListIdentifiers", metadataPrefix="oai_dc", set="c")
    assert _deleted_header(ids, deleted).get("status") == "deleted"
    got = oai_get(verb="GetRecord", identifier=deleted, metadataPrefix="oai_dc")
    assert _deleted_header(got, deleted).get("status") == "deleted"
    assert got.find(f".//{OAI}metadata") is None
    # The live records carry no status and do carry metadata.
    for header in headers(records):
        if header.findtext(f"{OAI}identifier") != deleted:
            assert header.get("status") is None
            parent = header.getparent()
            assert parent is not None and parent.find(f"{OAI}metadata") is not None


WINDOWS = [
    ({"from": "2024-01-01"}, [1, 2, 3, 4, 5, 6, 7]),
    ({"until": "2024-01-01"}, [1, 2]),
    ({"from": "2024-01-02", "until": "2024-01-02"}, [3, 4]),
    ({"from": "2024-01-03", "until": "2024-01-03"}, [5, 6]),
    ({"from": "2024-01-04"}, [7]),
    ({"until": "2024-01-01T00:00:00Z"}, [1]),
    ({"from": "2024-01-01T23:59:59Z", "until": "2024-01-02T00:00:00Z"}, [2, 3]),
    ({"from": "2024-01-02T12:00:00Z", "until": "2024-01-02T12:00:00Z"}, [4]),
    ({"from": "2024-01-03T00:00:00Z", "until": "2024-01-03T00:00:00Z"}, [5, 6]),
    ({"from": "2024-01-04T08:30:00Z"}, [7]),
    ({"until": "2024-01-04T08:29:59Z"}, [1, 2, 3, 4, 5, 6]),
]


@pytest.mark.parametrize(
    ("window", "members"),
    WINDOWS,
    ids=["&".join(f"{k}={v}" for k, v in w.items()) for w, _ in WINDOWS],
)
def test_from_until_inclusive(
    repo: Flask, oai_get: Get, window: dict[str, str], members: list[int]
) -> None:
    found, _ = harvest(oai_get, "ListIdentifiers", metadataPrefix="oai_dc", **window)
    assert found == [f"oai:example.org:rec-{n}" for n in members]


# --- Identify, formats, records ----------------------------------------------------------------


def test_identify(repo: Flask, oai_get: Get) -> None:
    root = oai_get(verb="Identify")
    identify = root.find(f"{OAI}Identify")
    assert identify is not None

    def text(name: str) -> str | None:
        return identify.findtext(f"{OAI}{name}")

    assert text("repositoryName") == "Test Repository"
    assert text("baseURL") == BASE_URL
    assert text("protocolVersion") == "2.0"
    assert text("adminEmail") == "admin@example.org"
    assert text("earliestDatestamp") == "2024-01-01T00:00:00Z"
    assert text("deletedRecord") == "persistent"
    assert text("granularity") == "YYYY-MM-DDThh:mm:ssZ"
    oai_id = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    description = identify.find(f"{OAI}description/{oai_id}oai-identifier")
    assert description is not None  # and valid against oai-identifier.xsd (oai_get checked)
    assert description.findtext(f"{oai_id}repositoryIdentifier") == "example.org"
    sample = description.findtext(f"{oai_id}sampleIdentifier")
    assert sample in ALL
    got = oai_get(verb="GetRecord", identifier=sample, metadataPrefix="oai_dc")
    assert error_code(got) is None


def test_identify_earliest_follows_the_store(
    app: Flask, load: Callable[[list[Any]], None], oai_get: Get
) -> None:
    load([line(9, "2021-05-06T07:08:09Z", [])])
    root = oai_get(verb="Identify")
    assert root.findtext(f"{OAI}Identify/{OAI}earliestDatestamp") == "2021-05-06T07:08:09Z"


def test_identify_base_url_setting(make_app: Callable[..., Flask], schemas: object) -> None:
    app = make_app(base_url="https://oai.example.org/oai")
    root = xsd.validate(app.test_client().get("/oai?verb=Identify").data)
    assert root.findtext(f"{OAI}Identify/{OAI}baseURL") == "https://oai.example.org/oai"
    assert root.findtext(f"{OAI}request") == "https://oai.example.org/oai"


def test_list_metadata_formats(repo: Flask, oai_get: Get) -> None:
    for args in ({}, {"identifier": ALL[0]}, {"identifier": ALL[2]}):
        root = oai_get(verb="ListMetadataFormats", **args)
        prefixes = [f.findtext(f"{OAI}metadataPrefix") for f in root.iter(f"{OAI}metadataFormat")]
        assert "oai_dc" in prefixes
        dc = next(
            f
            for f in root.iter(f"{OAI}metadataFormat")
            if f.findtext(f"{OAI}metadataPrefix") == "oai_dc"
        )
        assert (
            dc.findtext(f"{OAI}metadataNamespace") == "http://www.openarchives.org/OAI/2.0/oai_dc/"
        )
        assert dc.findtext(f"{OAI}schema") == "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"


def test_get_record(repo: Flask, oai_get: Get) -> None:
    root = oai_get(verb="GetRecord", identifier=ALL[6], metadataPrefix="oai_dc")
    header = _deleted_header(root, ALL[6])
    assert header.findtext(f"{OAI}datestamp") == "2024-01-04T08:30:00Z"
    assert [s.text for s in header.findall(f"{OAI}setSpec")] == ["a", "c"]
    assert root.findtext(f".//{DC}title") == "Record 7"


CONTROL = "A\x00B\x01C\x08D\x0bE\x0cF\x1fG\ufffeH\uffffI\tJ\nK"


def test_control_characters_never_break_xml(
    app: Flask, load: Callable[[list[Any]], None], oai_get: Get
) -> None:
    load(
        [
            {"setSpec": "x", "setName": "Set\x01X", "setDescription": "Desc\x00ription"},
            line(
                1,
                "2024-01-01T00:00:00Z",
                ["x"],
                metadata={"title": [CONTROL], "subject": [{"value": CONTROL, "lang": "en"}]},
            ),
        ]
    )
    for args in (
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        {"verb": "GetRecord", "identifier": ALL[0], "metadataPrefix": "oai_dc"},
        {"verb": "ListSets"},
    ):
        oai_get(**args)  # parsed strictly and validated by the fixture
    title = oai_get(verb="GetRecord", identifier=ALL[0], metadataPrefix="oai_dc").findtext(
        f".//{DC}title"
    )
    assert title is not None and title.startswith("A") and title.endswith("I\tJ\nK")
    # Arguments echoed in <request> and in error messages are cleaned too.
    for args in (
        {"verb": "GetRecord", "identifier": "oai:x:\x01\x02", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "\x00"},
        {"verb": "Identify\x00"},
        {"verb": "ListSets", "resumptionToken": "\x1f"},
    ):
        assert error_code(oai_get(**args)) is not None


@pytest.mark.parametrize(
    "identifier", ["oai:example.org:50%", "oai:x:a#b#c", "oai:x:[", "oai:x:1\n", "oai:x:\u0001"]
)
def test_loader_refuses_identifiers_that_break_headers(app: Flask, identifier: str) -> None:
    """An identifier is echoed in every header as xs:anyURI; one that is not is refused."""
    with pytest.raises(LoadError):
        load_lines(app, [line(1, "2024-01-01T00:00:00Z", [], identifier=identifier)])
