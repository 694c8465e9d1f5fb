"""Error pages: the code, what it means in plain words, and a corrected request that works.

The corrections come from oai.browser.advice; each one shown on a page is followed
the way a harvester would, and must answer without an OAI error.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import lxml.html
import pytest
from flask.testing import FlaskClient

from oai.browser import advice
from tests.conftest import error_code, load_lines, record
from tests.pages import ACCEPT, SETS, check_page, follow_xml, text

Page = Callable[..., lxml.html.HtmlElement]


@pytest.fixture
def page(client: FlaskClient) -> Page:
    def get(url: str = "/oai", **args: str) -> lxml.html.HtmlElement:
        return check_page(client.get(url, query_string=args or None, headers=ACCEPT))

    return get


@pytest.fixture
def loaded(app, load) -> None:  # type: ignore[no-untyped-def]
    """Seven records (page size 3: three pages), rec-00003 deleted, and declared sets."""
    load(SETS + [record(n) for n in range(1, 8)])
    load([record(3, deleted=True, metadata={})])


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param({}, "badVerb", id="no-verb"),
        pytest.param({"verb": "listrecords"}, "badVerb", id="verb-case"),
        pytest.param({"verb": "Harvest"}, "badVerb", id="unknown-verb"),
        pytest.param({"verb": "ListRecords"}, "badArgument", id="missing-prefix"),
        pytest.param({"verb": "GetRecord"}, "badArgument", id="missing-identifier"),
        pytest.param({"verb": "Identify", "x": "1"}, "badArgument", id="extra-argument"),
        pytest.param(
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"},
            "badArgument",
            id="bad-date",
        ),
        pytest.param(
            {
                "verb": "ListIdentifiers",
                "metadataPrefix": "oai_dc",
                "from": "2024-02-01",
                "until": "2024-01-01",
            },
            "badArgument",
            id="from-after-until",
        ),
        pytest.param(
            {"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken", id="token"
        ),
        pytest.param(
            {"verb": "ListRecords", "metadataPrefix": "marc21"},
            "cannotDisseminateFormat",
            id="format",
        ),
        pytest.param(
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:nope"},
            "idDoesNotExist",
            id="getrecord-id",
        ),
        pytest.param(
            {"verb": "ListMetadataFormats", "identifier": "oai:x:nope"},
            "idDoesNotExist",
            id="formats-id",
        ),
        pytest.param(
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nope"},
            "noRecordsMatch",
            id="no-set",
        ),
        pytest.param(
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"},
            "noRecordsMatch",
            id="future",
        ),
    ],
)
def test_error_page_explains_and_corrects(client, page, loaded, schemas, args, code):
    # The page shows the code the harvester's XML carries...
    assert error_code(follow_xml(client, "/oai?" + urlencode(args))) == code
    doc = page(**args)
    assert text(doc, "//code[@class='code']") == code
    assert text(doc, "//p[@class='explanation']") == advice.EXPLANATIONS[code]
    # ...and its corrected example works.
    example = doc.xpath("//a[@class='example']/@href")[0]
    assert error_code(follow_xml(client, example)) is None


def test_no_set_hierarchy_page(app, client, page, schemas):
    load_lines(app, [record(1, sets=[])])
    doc = page(verb="ListSets")
    assert text(doc, "//code[@class='code']") == "noSetHierarchy"
    example = doc.xpath("//a[@class='example']/@href")[0]
    assert error_code(follow_xml(client, example)) is None


def test_post_and_head_from_a_browser(client, loaded):
    doc = check_page(client.post("/oai", data={"verb": "ListSets"}, headers=ACCEPT))
    assert text(doc, "//h1") == "Sets"
    assert doc.xpath("//a[@class='raw']/@href")[0] == "/oai.xml?verb=ListSets"
    head = client.head("/oai?verb=Identify", headers=ACCEPT)
    assert head.status_code == 200
    assert head.content_type == "text/html; charset=utf-8"


def test_repeated_verb_error_page(client, loaded):
    response = client.get("/oai?verb=Identify&verb=ListSets", headers=ACCEPT)
    doc = check_page(response)
    assert text(doc, "//code[@class='code']") == "badVerb"
    assert doc.xpath("//a[@class='example']/@href") == ["/oai?verb=Identify"]


@pytest.mark.parametrize(
    ("code", "pairs", "expected"),
    [
        (
            "noMetadataFormats",
            [("verb", "ListMetadataFormats"), ("identifier", "a")],
            [("verb", "ListMetadataFormats")],
        ),
        (
            "badArgument",
            [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "x")],
            [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")],
        ),
        (
            "badArgument",
            [("verb", "ListRecords"), ("resumptionToken", "t"), ("set", "s")],
            [("verb", "ListRecords"), ("set", "s"), ("metadataPrefix", "oai_dc")],
        ),
        (
            "badArgument",
            [
                ("verb", "ListRecords"),
                ("metadataPrefix", "oai_dc"),
                ("from", "2024-01-01"),
                ("until", "2024-01-02T00:00:00Z"),
            ],
            [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")],
        ),
        ("badArgument", [("verb", "GetRecord")], [("verb", "Identify")]),  # empty repository
    ],
)
def test_corrections(code, pairs, expected):
    assert advice.corrected(code, pairs, prefix="oai_dc", sample_identifier=None) == expected
