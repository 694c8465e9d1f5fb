"""The browser view without a browser: a page per verb, the home page and its forms.

Pages are fetched with a browser's Accept header through the test client and
read with lxml.html; links found on a page are followed the way a person would.
Error pages are in test_browser_advice.py.
"""

from __future__ import annotations

from collections.abc import Callable

import lxml.html
import pytest
from flask.testing import FlaskClient

from oai.browser import reading
from tests.conftest import error_code, load_lines, record
from tests.pages import ACCEPT, SETS, check_page, follow_xml, href_args, terms, text

Page = Callable[..., lxml.html.HtmlElement]

#: The formats this repository offers, in the order ListMetadataFormats lists them.
PREFIXES = ["oai_dc", "oai_openaire", "marcxml", "oai_datacite", "jats", "mods"]


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


def test_identify_page(page, loaded):
    doc = page(verb="Identify")
    assert text(doc, "//*[@class='repository-name']") == "Test Repository"
    facts = {k: v[0] for k, v in terms(doc.xpath("//dl[@class='facts']")[0]).items()}
    assert facts["Base URL"].xpath("a/@href") == ["http://localhost/oai"]
    assert facts["Administrator"].xpath("a/@href") == ["mailto:admin@example.org"]
    compression = terms(doc.xpath("//dl[@class='facts']")[0])["Compression"]
    assert [dd.text_content().strip() for dd in compression] == ["gzip", "deflate"]
    sample = facts["Sample identifier"].xpath("a/@href")[0]
    assert ("identifier", "oai:example.org:rec-00001") in href_args(sample)
    assert doc.xpath("//a[@class='raw']/@href")[0] == "/oai.xml?verb=Identify"


def test_list_records_pages_through_the_list(client, page, loaded, schemas):
    doc = page(verb="ListRecords", metadataPrefix="oai_dc")
    assert text(doc, "(//p[@class='position'])[1]") == "records 1-3 of 7"
    assert text(doc, "//td//p[@class='title']") == "Record 1 Record 2"  # rec-3 is deleted
    rows = doc.xpath("//table[@class='items']/tbody/tr")
    assert len(rows) == 3
    deleted = rows[2]
    assert "is-deleted" in deleted.get("class")
    assert text(deleted, ".//td[@data-label='Status']") == "Deleted"
    assert text(rows[0], ".//td[@data-label='Status']") == "Active"
    assert text(rows[0], ".//td[@data-label='Datestamp']") == "2024-01-02T01:00:00Z"
    metadata = terms(rows[0].xpath(".//dl[@class='metadata']")[0])
    assert [dd.text_content() for dd in metadata["Authors"]] == ["Doe, Jane"]
    # Each setSpec links to a harvest of that set, named by its setName.
    set_links = rows[0].xpath(".//td[@data-label='Sets']//a")
    assert [a.text for a in set_links] == ["Everything", "Odd records"]
    assert ("set", "odd") in href_args(set_links[1].get("href"))
    root = follow_xml(client, set_links[1].get("href"))
    assert error_code(root) is None
    # Following "next page" reaches records 4-6, then the last page.
    assert not doc.xpath("//a[@rel='first']")  # this is the first page
    second = page(doc.xpath("//a[@rel='next']/@href")[0])
    assert text(second, "(//p[@class='position'])[1]") == "records 4-6 of 7"
    third = page(second.xpath("//a[@rel='next']/@href")[0])
    assert text(third, "(//p[@class='position'])[1]") == "records 7-7 of 7 (last page)"
    assert not third.xpath("//a[@rel='next']")
    assert text(third, "//td//p[@class='title']") == "Record 7"
    # Every later page links back to the first page of the same list.
    for later in (second, third):
        first = page(later.xpath("//a[@rel='first']/@href")[0])
        assert text(first, "(//p[@class='position'])[1]") == "records 1-3 of 7"
        assert text(first, "//td//p[@class='title']") == "Record 1 Record 2"


def test_later_pages_show_the_token_shortened(page, loaded):
    first = page(verb="ListIdentifiers", metadataPrefix="oai_dc", set="odd")
    token = dict(href_args(first.xpath("//a[@rel='next']/@href")[0]))["resumptionToken"]
    assert len(token) > 40
    second = page(verb="ListIdentifiers", resumptionToken=token)
    shown = text(second, "//p[@class='request']")
    assert token not in shown
    assert f"resumptionToken={token[:8]}…" in shown
    # The first-page link repeats the list's own query (the set, not the token).
    args = dict(href_args(second.xpath("//a[@rel='first']/@href")[0]))
    assert (args["verb"], args["metadataPrefix"], args["set"]) == (
        "ListIdentifiers",
        "oai_dc",
        "odd",
    )
    assert "resumptionToken" not in args


def test_identifiers_link_to_getrecord_in_every_format(client, page, loaded, schemas):
    doc = page(verb="ListIdentifiers", metadataPrefix="oai_dc", set="even")
    assert text(doc, "//h1") == "Record identifiers in oai_dc"
    assert not doc.xpath("//dl[@class='metadata']")  # headers only
    links = doc.xpath("//p[@class='formats']/a")
    assert links, "no GetRecord links"
    for link in links:
        args = dict(href_args(link.get("href")))
        assert args["verb"] == "GetRecord"
        assert args["metadataPrefix"] == link.text
        assert error_code(follow_xml(client, link.get("href"))) is None


def test_get_record_page(page, loaded):
    doc = page(verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:example.org:rec-00002")
    assert text(doc, "//h1") == "Record 2"
    header = {k: v[0] for k, v in terms(doc.xpath("//dl[@class='header']")[0]).items()}
    assert header["Identifier"].text_content() == "oai:example.org:rec-00002"
    assert header["Status"].text_content().strip() == "Active"
    assert [a.text for a in header["Sets"].xpath(".//a")] == ["Everything", "Even records"]
    # oai_dc's title, creator and type, under the labels every format's page uses.
    assert text(doc, "//dl[@class='metadata']/dt") == "Title Authors Type"
    assert doc.xpath("//a[@class='raw']/@href")[0].startswith("/oai.xml?verb=GetRecord&")


def test_deleted_record_page(page, loaded):
    doc = page(verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:example.org:rec-00003")
    assert text(doc, "//h1") == "oai:example.org:rec-00003"
    assert "Deleted" in text(doc, "//dl[@class='header']")
    assert "no metadata" in text(doc, "//p[@class='none']")


def test_language_and_links_in_metadata(app, page):
    load_lines(
        app,
        [
            record(
                1,
                metadata={
                    "title": [{"value": "Ein Titel", "lang": "de"}],
                    "identifier": ["https://example.org/a/1"],
                    "description": ["x" * 400],
                },
            )
        ],
    )
    doc = page(verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:example.org:rec-00001")
    assert doc.xpath("//h1/span/@lang") == ["de"]
    assert doc.xpath("//dl[@class='metadata']//a/@href") == ["https://example.org/a/1"]
    # The one record's page shows its long text (an abstract) whole; lists fold it.
    assert not doc.xpath("//dl[@class='metadata']//details")
    assert text(doc, "//dl[@class='metadata']/dd/span[not(@lang)]") == "x" * 400
    listed = page(verb="ListRecords", metadataPrefix="oai_dc")
    assert text(listed, "//dl[@class='metadata']//details/summary") == "x" * 200 + "…"


def test_markup_in_records_is_escaped(app, page, client):
    load_lines(app, [record(1, metadata={"title": ["<script>alert(1)</script><b>x</b>"]})])
    doc = page(verb="ListRecords", metadataPrefix="oai_dc")
    assert text(doc, "//td//p[@class='title']") == "<script>alert(1)</script><b>x</b>"
    assert not doc.xpath("//script | //td//b")


def test_formats_page(page, loaded, client, schemas):
    doc = page(verb="ListMetadataFormats")
    assert doc.xpath("//tbody/tr/th/code/text()") == PREFIXES
    harvest = doc.xpath("//td[@data-label='Harvest']/a/@href")[0]
    assert error_code(follow_xml(client, harvest)) is None
    one = page(verb="ListMetadataFormats", identifier="oai:example.org:rec-00001")
    assert "oai:example.org:rec-00001" in text(one, "//h1")
    link = one.xpath("//td[@data-label='Harvest']/a/@href")[0]
    assert dict(href_args(link))["verb"] == "GetRecord"


def test_sets_page(page, loaded, make_app, client, schemas):
    doc = page(verb="ListSets")
    assert text(doc, "(//p[@class='position'])[1]") == "sets 1-3 of 3 (the whole list)"
    assert doc.xpath("//tbody/tr/th/text()")[:2] == ["Everything", "Even records"]
    assert text(doc, "//p[@class='description']") == "Records with even numbers."
    for link in doc.xpath("//td[@data-label='Harvest']/a/@href"):
        assert error_code(follow_xml(client, link)) is None
    # How many records each set holds: 1-7 are in "all", 2, 4, 6 in "even", the others
    # (the deleted rec-00003 too, which a harvest of the set lists) in "odd".
    counts = dict(
        zip(
            doc.xpath("//tbody/tr/td[@data-label='setSpec']/code/text()"),
            doc.xpath("//tbody/tr/td[@data-label='Records']/text()"),
            strict=True,
        )
    )
    assert counts == {"all": "7", "even": "3", "odd": "4"}


def test_home_page(page, loaded, client, schemas):
    doc = page("/")
    assert text(doc, "//h1") == "Test Repository"
    assert text(doc, "//ul[@class='counts']") == "7 records (1 deleted) 3 sets 6 metadata formats"
    forms = doc.xpath("//form")
    assert {f.xpath("input[@name='verb']/@value")[0] for f in forms} == {
        "Identify",
        "ListMetadataFormats",
        "ListSets",
        "ListIdentifiers",
        "ListRecords",
        "GetRecord",
    }
    for form in forms:
        assert form.get("method") == "get"
        assert form.get("action") == "/form"
    assert doc.xpath("//select[@id='lr-set']/option/@value") == ["", "all", "even", "odd"]
    assert doc.xpath("//select[@id='lr-prefix']/option/@value") == PREFIXES
    assert doc.xpath("//input[@id='lr-from']/@type") == ["date"]
    # Submitting each form as a browser would (every field, empty or not) lands on a valid query.
    for form in forms:
        fields = [(el.name, el.value or "") for el in form.inputs if el.name]
        response = client.get("/form", query_string=fields)
        assert response.status_code == 303
        assert error_code(follow_xml(client, response.headers["Location"])) is None


def test_form_drops_only_empty_fields(client):
    response = client.get(
        "/form?verb=ListRecords&metadataPrefix=oai_dc&set=&from=2024-01-01&until="
    )
    assert response.status_code == 303
    assert (
        response.headers["Location"]
        == "/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01"
    )


def test_form_trims_pasted_spaces(client):
    response = client.get(
        "/form",
        query_string={
            "verb": "GetRecord",
            "identifier": "  oai:example.org:rec-00001\t ",
            "metadataPrefix": " oai_dc",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == (
        "/oai?verb=GetRecord&identifier=oai%3Aexample.org%3Arec-00001&metadataPrefix=oai_dc"
    )


def test_many_sets_become_a_text_box(app, page, monkeypatch):
    import oai.browser

    monkeypatch.setattr(oai.browser, "MAX_SET_CHOICES", 2)
    load_lines(app, SETS + [record(1)])
    doc = page("/")
    assert doc.xpath("//input[@id='lr-set']/@type") == ["text"]


def test_stylesheet_is_served(client):
    response = client.get("/static/browser.css")
    assert response.status_code == 200
    assert response.content_type.startswith("text/css")
    response.close()


def test_metadata_of_an_unknown_format_is_listed_by_path():
    """A format the page has no table of fields for: one row per leaf, labelled by its path."""
    document = b"""<?xml version="1.0"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate>
<request verb="GetRecord">http://x/oai</request><GetRecord><record><header>
<identifier>oai:x:1</identifier><datestamp>2026-01-01T00:00:00Z</datestamp></header><metadata>
<record xmlns="http://example.org/not-a-format/"><datafield tag="245" ind1="1" ind2="0">
<subfield code="a">A title</subfield></datafield><name>X</name></record></metadata></record>
</GetRecord></OAI-PMH>"""
    doc = reading.read(document)
    item = doc.items[0]
    assert item.title is None
    assert item.fields[0].values == (reading.Value("A title"),)
    assert [f.label for f in item.fields] == ["datafield 245 1 0 › subfield a", "name"]


def test_position_reads_like_a_catalogue(app):
    """The issue's own example: the second page of 5,432 records, 100 a page."""
    from flask import render_template

    from oai.browser import Links

    paging = reading.Paging(token="t", cursor=100, total=5432, shown=100, expiration=None)
    doc = reading.Document("", "", {}, "ListRecords", paging=paging)
    with app.test_request_context():
        html = render_template("_paging.html", doc=doc, noun="records", href=Links("/oai").href)
    fragment = lxml.html.fromstring(html)
    assert text(fragment, "//p[@class='position']") == "records 101-200 of 5,432"
    assert fragment.xpath("//a[@rel='next']/@href") == ["/oai?verb=ListRecords&resumptionToken=t"]
