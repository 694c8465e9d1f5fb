"""A record's page in every format: the fields a person looks for, their links, and the XML.

The records are the seed article (offered in oai_dc, marcxml, jats and mods: it has
no DOI for oai_datacite and no publication date for oai_openaire) and generated
records of tests/articles.py: 81, an accepted letter with five authors (an
organisation, ORCIDs, RORs), a DOI, a full text and funding; 57, a book review; 26, an
embargoed article with keywords. Each expected value is stated here, read off the
record and the format's rules (MARC's title is 245 $a $b without ISBD punctuation,
its DOI 024 $a, its journal 773 $t), never taken from the code's tables.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from flask.testing import FlaskClient
from lxml import etree

from oai.browser import reading
from oai.browser.layout import doi_url, unpunctuated
from tests import articles
from tests.conftest import load_lines
from tests.pages import ACCEPT, check_page, terms, text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "prometheus.jsonl"
SEED = "oai:prometheusjournal.co.uk:article/putting-innovation-in-place"
SEED_TITLE = (
    "Putting Innovation in Place: Policy Strategies for Industrial Services, Regional Clusters, "
    "and Manufacturing SMEs in Japan and the United States"
)
SEED_URL = (
    "http://prometheusjournal.co.uk/prometheus/putting-innovation-in-place-policy-strategies-"
    "for-industrial-services-regional-clusters-and-manufacturing-smes-in-japan-and-the-united-states"
)
#: A value ending in "…" is matched by its start (abstracts are long).
SEED_ABSTRACT = "This paper examines the evolving situation of mature manufacturing small…"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
COAR_ARTICLE = "http://purl.org/coar/resource_type/c_2df8fbb1"

ARTICLE = "oai:example.org:article/0081"
REVIEW = "oai:example.org:article/0057"
EMBARGOED = "oai:example.org:article/0026"
GENERATED = (26, 57, 81)

#: Record 81's facts as its JSON gives them.
TITLE_81 = (
    "Regional network firm science firm platform cluster policy governance policy "
    "<i>in vivo</i> & E = mc² > 1"
)
#: Whole, with its final period: MARC's ISBD punctuation is dropped from headings, not notes.
ABSTRACT_81 = (
    "Policy governance firm policy policy firm science governance firm firm firm platform. "
    "Regional firm governance firm science firm policy regional governance cluster platform "
    "regional. Regional network science science innovation innovation platform firm science "
    "network network innovation."
)
ORCIDS_81 = {
    "Smith, Amélie": "https://orcid.org/0357-8506-9820-4705",
    "Ñúñez, Zoë": "https://orcid.org/0873-4879-5102-3531",
    "O'Brien, 李": "https://orcid.org/0206-6778-2900-5609",
    "Łukasz, Chloé": "https://orcid.org/0387-7572-0090-1493",
}
ORGANISATION_81 = "Consortium 81 for Policy & Research"
AUTHORS_81 = [ORGANISATION_81, *ORCIDS_81]
#: Each author with the ORCID link beside the name, where the format carries ORCIDs.
AUTHORS_81_ORCID = [ORGANISATION_81, *(f"{name} {orcid}" for name, orcid in ORCIDS_81.items())]
AFFILIATIONS_81_ROR = [
    "University of Science https://ror.org/054w1ca30",
    "University of Innovation",
    "University of Network https://ror.org/0szwf5e93",
    "University of Policy https://ror.org/0p6pqx329",
]
DOI_81 = "https://doi.org/10.5081/gen.81"
URL_81 = "https://journal.example.org/article/81"
PDF_81 = "https://journal.example.org/article/81.pdf"
BY_NC_ND = "https://creativecommons.org/licenses/by-nc-nd/4.0/"
BY_NC_ND_NAME = "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International"
EC_FUNDER = "https://doi.org/10.13039/501100000780"
COAR_LETTER = "letter to the editor http://purl.org/coar/resource_type/c_545b"
COAR_RESTRICTED = "restricted access http://purl.org/coar/access_right/c_16ec"
ISSNS_81 = ["0096-2562", "6072-966X"]
JOURNAL_81 = "Journal of Platform Studies"

#: (prefix, identifier) -> every field of the page, in page order: label -> each value's text.
PAGES: dict[tuple[str, str], dict[str, list[str]]] = {
    ("oai_dc", SEED): {
        "Title": [SEED_TITLE],
        "Source": ["Prometheus; Vol 40 No 2; 69-87", "0810-9028", "1470-1030"],
        "Type": ["info:eu-repo/semantics/article", "info:eu-repo/semantics/publishedVersion"],
        "Identifiers": [SEED_URL],
        "Licence": [CC_BY],
        "Access": ["info:eu-repo/semantics/openAccess"],
        "Abstract": [SEED_ABSTRACT],
        "Language": ["en"],
        "Publisher": ["Pluto Journals"],
    },
    ("marcxml", SEED): {
        # 245 $a "Putting Innovation in Place :" $b "Policy Strategies ... United States."
        "Title": [SEED_TITLE],
        "Journal": ["Prometheus"],  # 773 $t
        "ISSN": ["0810-9028", "1470-1030"],  # 773 $x, print then online
        "Volume, issue, pages": ["Vol. 40, no. 2, p. 69-87"],  # 773 $g
        "Section": ["Original Articles"],  # 500 "Section: Original Articles."
        "Type": [f"research article {COAR_ARTICLE}"],  # 655 $a $0
        "Version": ["Version of record"],  # 500
        "Landing page": [SEED_URL],  # 856 $u, $y Landing page
        "Licence": [f"Creative Commons Attribution 4.0 International {CC_BY}"],  # 540 $a $u
        "Access": ["Open access"],  # 506 $a
        "Abstract": [SEED_ABSTRACT],  # 520 $a
        "Language": ["eng"],  # 008/35-37
        "Publisher": ["Pluto Journals"],  # 264 $b "Pluto Journals."
    },
    ("jats", SEED): {
        "Title": [SEED_TITLE],
        "Journal": ["Prometheus"],
        "ISSN": ["0810-9028", "1470-1030"],
        "Volume": ["40"],
        "Issue": ["2"],
        "Pages": ["69-87"],  # fpage, lpage
        "Section": ["Original Articles"],
        "Type": ["research-article"],  # @article-type
        "Version": ["Version of Record"],
        "Landing page": [SEED_URL],
        "Licence": [CC_BY],
        "Access": ["free to read"],  # ali:free_to_read
        "Abstract": [SEED_ABSTRACT],
        "Language": ["en"],  # article/@xml:lang
        "Publisher": ["Pluto Journals"],
    },
    ("mods", SEED): {
        "Title": [SEED_TITLE],
        "Journal": ["Prometheus"],  # relatedItem host
        "ISSN": ["0810-9028", "1470-1030"],
        "Volume": ["40"],
        "Issue": ["2"],
        "Pages": ["69-87"],  # extent start, end
        "Section": ["Original Articles"],
        "Type": [f"research article {COAR_ARTICLE}"],  # genre, COAR
        "Version": ["Version of Record (VoR) http://purl.org/coar/version/c_970fb48d4fbd8a85"],
        "Landing page": [SEED_URL],
        "Licence": [CC_BY],
        "Access": ["open access http://purl.org/coar/access_right/c_abf2"],
        "Abstract": [SEED_ABSTRACT],
        "Language": ["eng"],
        "Publisher": ["Pluto Journals"],
    },
    ("oai_dc", ARTICLE): {
        "Title": [TITLE_81],
        "Authors": AUTHORS_81,
        "Source": [f"{JOURNAL_81}; Vol 37 No 10 (1997); 68-108", *ISSNS_81],
        "Publication date": ["1997-06"],
        "Type": ["info:eu-repo/semantics/article", "info:eu-repo/semantics/acceptedVersion"],
        "DOI": [DOI_81],
        "Identifiers": [URL_81],
        "Licence": [BY_NC_ND],
        "Access": ["info:eu-repo/semantics/restrictedAccess"],
        "Abstract": [ABSTRACT_81],
        "Formats": ["application/pdf"],
        "Language": ["fr"],
        "Publisher": ["Innovation Press"],
    },
    ("oai_openaire", ARTICLE): {
        "Title": [TITLE_81],
        "Authors": AUTHORS_81_ORCID,
        "Affiliations": AFFILIATIONS_81_ROR,
        "Journal": [JOURNAL_81],  # oaire:citationTitle
        "ISSN": ISSNS_81,
        "Volume": ["37"],
        "Issue": ["10"],
        "Pages": ["68-108"],
        "Publication date": ["1997-06"],
        "Type": [COAR_LETTER],
        "Version": ["AM http://purl.org/coar/version/c_ab4af688f83e57aa"],
        "DOI": [DOI_81],
        "Landing page": [URL_81],
        "Full text": [f"application/pdf {PDF_81}"],  # oaire:file
        "Licence": [f"{BY_NC_ND_NAME} {BY_NC_ND}"],
        "Access": [COAR_RESTRICTED],
        "Abstract": [ABSTRACT_81],
        "Funding": [
            f"European Commission, 800081, Policy innovation governance policy {EC_FUNDER}"
        ],
        "Language": ["fra"],
        "Publisher": ["Innovation Press"],
    },
    ("marcxml", ARTICLE): {
        "Title": [TITLE_81],  # 245 $a, its " /" dropped
        "Authors": AUTHORS_81_ORCID,  # 110, 700 $a and $1
        # $u, one per author: MARC has no ROR, and one $u holds an author's affiliations.
        "Affiliations": [
            "University of Science",
            "University of Innovation; University of Network",
            "University of Policy",
        ],
        "Journal": [JOURNAL_81],  # 773 $t
        "ISSN": ISSNS_81,
        "Volume, issue, pages": ["Vol. 37, no. 10 (1997), p. 68-108"],
        "Section": ["Comment"],
        "Publication date": ["1997"],  # 264 $c
        "Type": [COAR_LETTER],
        "Version": ["Accepted manuscript"],
        "DOI": [DOI_81],  # 024 7_ $a 10.5081/gen.81 $2 doi
        "Landing page": [URL_81],
        "Full text": [f"application/pdf {PDF_81}"],  # 856 $q $u
        "Licence": [f"{BY_NC_ND_NAME} {BY_NC_ND}"],
        "Access": ["Restricted access"],
        "Abstract": [ABSTRACT_81],
        "Funding": ["European Commission: Policy innovation governance policy, 800081"],  # 536
        "Funders": [f"European Commission {EC_FUNDER}"],  # 710 $e funder $1
        "Language": ["fre"],  # 008/35-37
        "Publisher": ["Innovation Press"],
    },
    ("oai_datacite", ARTICLE): {
        "Title": [TITLE_81],
        "Authors": AUTHORS_81_ORCID,
        "Affiliations": AFFILIATIONS_81_ROR,
        "Journal": [JOURNAL_81],  # relatedItem IsPublishedIn
        "ISSN": ISSNS_81,
        "Volume": ["37"],
        "Issue": ["10"],
        "Pages": ["68-108"],
        "Publication date": ["1997-06"],
        "Type": ["Letter to the editor"],
        "DOI": [DOI_81],  # identifier 10.5081/gen.81
        "Landing page": [URL_81],
        "Licence": [f"{BY_NC_ND_NAME} {BY_NC_ND}"],
        "Access": ["Restricted Access"],
        "Abstract": [ABSTRACT_81],
        "Funding": [
            f"European Commission, 800081, Policy innovation governance policy {EC_FUNDER}"
        ],
        "Language": ["fr"],
        "Publisher": ["Innovation Press"],
        "Formats": ["application/pdf"],
    },
    ("jats", ARTICLE): {
        "Title": [TITLE_81],
        "Authors": AUTHORS_81_ORCID,  # contrib-id
        "Affiliations": AFFILIATIONS_81_ROR,  # aff, institution-id
        "Journal": [JOURNAL_81],
        "ISSN": ISSNS_81,
        "Volume": ["37"],
        "Issue": ["10"],
        "Pages": ["68-108"],
        "Section": ["Comment"],
        "Publication date": ["1997-06"],
        "Type": ["letter"],
        "Version": ["Accepted Manuscript"],
        "DOI": [DOI_81],
        "Landing page": [URL_81],
        "Full text": [f"Full text (PDF) {PDF_81}"],  # self-uri
        "Licence": [BY_NC_ND],
        # JATS says nothing of a restricted article's access: no ali:free_to_read.
        "Abstract": [ABSTRACT_81],
        # The funder's id is a bare DOI in JATS (10.13039/501100000780): linked at doi.org.
        "Funding": [
            f"European Commission, 800081, Policy innovation governance policy {EC_FUNDER}"
        ],
        "Language": ["fr"],
        "Publisher": ["Innovation Press"],
    },
    ("mods", ARTICLE): {
        "Title": [TITLE_81],
        "Authors": AUTHORS_81_ORCID,  # namePart family, given; nameIdentifier orcid
        "Affiliations": AFFILIATIONS_81_ROR,  # affiliation @valueURI
        "Journal": [JOURNAL_81],
        "ISSN": ISSNS_81,
        "Volume": ["37"],
        "Issue": ["10"],
        "Pages": ["68-108"],
        "Section": ["Comment"],
        "Publication date": ["1997-06"],
        "Type": [COAR_LETTER],
        "Version": ["Accepted Manuscript (AM) http://purl.org/coar/version/c_ab4af688f83e57aa"],
        "DOI": [DOI_81],
        "Landing page": [URL_81],
        "Full text": [f"Full text (application/pdf) {PDF_81}"],
        "Licence": [BY_NC_ND],
        "Access": [COAR_RESTRICTED],
        "Abstract": [ABSTRACT_81],
        "Funding": ["European Commission, award 800081: Policy innovation governance policy"],
        "Funders": [f"European Commission {EC_FUNDER}"],
        "Language": ["fre"],
        "Publisher": ["Innovation Press"],
    },
}

#: The book review's book: "Regional innovation science firm" by Hiro da Silva (Basic Books,
#: 2016, ISBN 9780000000576); in record 57's own authors, Smith has no given name.
BOOK = "Regional innovation science firm"
REVIEWED: dict[str, dict[str, list[str]]] = {
    "oai_dc": {
        "Type": ["info:eu-repo/semantics/review", "info:eu-repo/semantics/publishedVersion"]
    },
    "oai_openaire": {
        "Type": ["book review http://purl.org/coar/resource_type/c_ba08"],
        "Reviewed work": ["ISBN 9780000000576"],  # only the ISBN, as a Reviews relation
    },
    "marcxml": {
        "Type": ["book review http://purl.org/coar/resource_type/c_ba08"],
        "Reviewed work": [f"{BOOK}; Basic Books, 2016; ISBN 9780000000576"],  # 787 $t $d $z
        "Reviewed work by": ["da Silva, Hiro"],  # 787 $a
    },
    "oai_datacite": {
        "Type": ["Book review"],
        "Reviewed work": [f"{BOOK}; Basic Books; 2016; ISBN 9780000000576"],
        "Reviewed work by": ["da Silva, Hiro"],
    },
    "jats": {
        "Type": ["book-review"],
        "Reviewed work": [f"{BOOK}; Basic Books; 2016; ISBN 9780000000576"],  # product
        "Reviewed work by": ["da Silva, Hiro"],
    },
    "mods": {
        "Type": ["book review http://purl.org/coar/resource_type/c_ba08"],
        "Reviewed work": [f"{BOOK}; Basic Books; 2016; ISBN 9780000000576"],  # reviewOf
        "Reviewed work by": ["da Silva, Hiro"],
    },
}

#: Record 26: embargoed until 2027-09-15, under CC BY 4.0, with three keywords.
EMBARGO: dict[str, list[str]] = {
    "oai_dc": ["info:eu-repo/semantics/embargoedAccess"],
    "oai_openaire": ["embargoed access until 2027-09-15 http://purl.org/coar/access_right/c_f1cf"],
    "marcxml": ["Embargoed access until 2027-09-15"],
    "oai_datacite": ["Embargoed Access until 2027-09-15"],
    "jats": ["free to read from 2027-09-15"],
    "mods": ["embargoed access until 2027-09-15 http://purl.org/coar/access_right/c_f1cf"],
}
#: The metadata element each format's page shows as XML.
ROOTS = {
    "oai_dc": "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc",
    "oai_openaire": "{http://namespace.openaire.eu/schema/oaire/}resource",
    "marcxml": "{http://www.loc.gov/MARC21/slim}record",
    "oai_datacite": "{http://schema.datacite.org/oai/oai-1.1/}oai_datacite",
    "jats": "{https://jats.nlm.nih.gov/ns/archiving/1.3/}article",
    "mods": "{http://www.loc.gov/mods/v3}mods",
}
OAI = {"oai": "http://www.openarchives.org/OAI/2.0/"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Structure(HTMLParser):
    """Fails on what browsers repair silently: an unclosed or misnested element, a repeated id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id":
                assert value not in self.ids, f"id {value!r} twice"
                self.ids.add(value or "")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def _page(client: FlaskClient, **args: str) -> lxml.html.HtmlElement:
    response = client.get("/oai", query_string=args, headers=ACCEPT)
    doc = check_page(response)
    structure = _Structure()
    structure.feed(response.data.decode())
    structure.close()
    assert structure.open == [], f"unclosed: {structure.open}"
    return doc


def _fields(doc: lxml.html.HtmlElement) -> dict[str, list[lxml.html.HtmlElement]]:
    return terms(doc.xpath("//dl[@class='metadata']")[0])


def _shown(dd: lxml.html.HtmlElement) -> str:
    return " ".join(dd.text_content().split())


def _matches(shown: list[str], expected: list[str]) -> bool:
    return len(shown) == len(expected) and all(
        s.startswith(e[:-1]) if e.endswith("…") else s == e
        for s, e in zip(shown, expected, strict=True)
    )


def _links_are_links(dd: lxml.html.HtmlElement) -> None:
    """Every URL a value shows is a link to itself; every link is one the value shows."""
    urls = [word for word in _shown(dd).split() if word.startswith(("http://", "https://"))]
    anchors = dd.xpath(".//a")
    assert [a.text_content() for a in anchors] == urls
    assert [a.get("href") for a in anchors] == urls


@pytest.fixture
def client(make_app: Any) -> FlaskClient:
    """The bundled fixtures and generated records 26, 57 and 81, twenty to a page."""
    app = make_app(page_size=20)
    fixtures = [json.loads(line) for line in FIXTURES.read_text("utf-8").splitlines() if line]
    generated = articles.records(300)
    load_lines(app, fixtures + [generated[n] for n in GENERATED])
    return app.test_client()


@pytest.mark.parametrize(("prefix", "identifier"), list(PAGES), ids=lambda v: v.rsplit("/")[-1])
def test_record_page_shows_the_fields_a_person_looks_for(client, prefix, identifier):
    doc = _page(client, verb="GetRecord", identifier=identifier, metadataPrefix=prefix)
    expected = PAGES[(prefix, identifier)]
    fields = _fields(doc)
    assert list(fields) == list(expected)
    for label, values in expected.items():
        shown = [_shown(dd) for dd in fields[label]]
        assert _matches(shown, values), f"{label}: {shown}"
        for dd in fields[label]:
            _links_are_links(dd)
    # The heading is the format's own title, its language marked where the format gives it
    # (MARC has no language for one field).
    assert text(doc, "//h1") == expected["Title"][0]
    if identifier == ARTICLE:
        assert doc.xpath("//h1/span/@lang") == ([] if prefix == "marcxml" else ["fr"])


@pytest.mark.parametrize("prefix", list(ROOTS))
def test_identifiers_link_where_people_follow_them(client, prefix):
    doc = _page(client, verb="GetRecord", identifier=ARTICLE, metadataPrefix=prefix)
    fields = _fields(doc)
    assert fields["DOI"][0].xpath(".//a/@href") == [DOI_81]
    if "Full text" in fields:
        assert PDF_81 in fields["Full text"][0].xpath(".//a/@href")
    if prefix in ("oai_dc",):
        return  # Dublin Core has names only
    smith = next(dd for dd in fields["Authors"] if _shown(dd).startswith("Smith, Amélie"))
    assert smith.xpath("a/@href") == [ORCIDS_81["Smith, Amélie"]]
    assert smith.xpath("a/@class") == ["beside"]  # beside the name, not instead of it
    organisation = next(dd for dd in fields["Authors"] if ORGANISATION_81 in _shown(dd))
    assert not organisation.xpath(".//a")


@pytest.mark.parametrize("prefix", list(REVIEWED))
def test_book_review_names_the_reviewed_work(client, prefix):
    doc = _page(client, verb="GetRecord", identifier=REVIEW, metadataPrefix=prefix)
    fields = _fields(doc)
    assert text(doc, "//h1") == "Platform policy science governance"
    assert [_shown(dd) for dd in fields["Authors"]] == ["Łukasz, Jean-Luc", "Smith"]
    for label, values in REVIEWED[prefix].items():
        assert [_shown(dd) for dd in fields[label]] == values, label
    if prefix == "oai_dc":
        assert "Reviewed work" not in fields  # oai_dc derives no relation for it


@pytest.mark.parametrize("prefix", list(EMBARGO))
def test_embargo_and_keywords(client, prefix):
    fields = _fields(_page(client, verb="GetRecord", identifier=EMBARGOED, metadataPrefix=prefix))
    assert [_shown(dd) for dd in fields["Access"]] == EMBARGO[prefix]
    assert [_shown(dd) for dd in fields["Keywords"]] == ["governance", "policy", "regional"]


def test_seed_is_offered_where_its_facts_allow(client):
    doc = _page(client, verb="GetRecord", identifier=SEED, metadataPrefix="mods")
    assert doc.xpath("//p[@class='formats']/a/text()") == ["oai_dc", "marcxml", "jats", "mods"]


@pytest.mark.parametrize("prefix", list(ROOTS))
def test_record_page_folds_the_xml_harvesters_get(client, prefix):
    doc = _page(client, verb="GetRecord", identifier=ARTICLE, metadataPrefix=prefix)
    details = doc.xpath("//details[@class='xml']")
    assert len(details) == 1
    assert details[0].get("open") is None  # folded: the fields come first
    assert text(details[0], "summary") == f"The record's XML in {prefix}"
    # After the fields, not before them.
    assert doc.xpath("//dl[@class='metadata']/following::details[@class='xml']")
    shown = details[0].xpath("pre/code")[0].text_content()
    assert shown.count("\n") > 10  # indented, one element a line
    assert not details[0].xpath(".//pre//*[not(self::code)]")  # escaped: no markup of its own
    # It is the harvested metadata element, exactly, only indented.
    xml = client.get(
        "/oai", query_string={"verb": "GetRecord", "identifier": ARTICLE, "metadataPrefix": prefix}
    ).data
    parser = etree.XMLParser(remove_blank_text=True)
    harvested = etree.fromstring(xml, parser).find("oai:GetRecord/oai:record/oai:metadata", OAI)[0]
    element = etree.fromstring(shown.encode(), parser)
    assert element.tag == ROOTS[prefix]
    assert etree.tostring(element, method="c14n", exclusive=True) == etree.tostring(
        harvested, method="c14n", exclusive=True
    )


@pytest.mark.parametrize("prefix", list(ROOTS))
def test_list_page_shows_fields_without_xml(client, prefix):
    doc = _page(client, verb="ListRecords", metadataPrefix=prefix)
    assert not doc.xpath("//details[@class='xml'] | //pre")
    assert doc.xpath("//a[@class='raw']/@href")[0].startswith("/oai.xml?verb=ListRecords&")
    rows = {
        text(row, ".//p[@class='identifier']"): row
        for row in doc.xpath("//table[@class='items']/tbody/tr")
    }
    # Each row is titled by the format's title field, which its field list then skips.
    row = rows[ARTICLE]
    assert text(row, ".//p[@class='title']") == TITLE_81
    fields = terms(row.xpath(".//dl[@class='metadata']")[0])
    assert "Title" not in fields
    assert [_shown(dd) for dd in fields["DOI"]] == [DOI_81]
    assert fields["DOI"][0].xpath(".//a/@href") == [DOI_81]
    if prefix in ("oai_dc", "marcxml", "jats", "mods"):
        assert text(rows[SEED], ".//p[@class='title']") == SEED_TITLE
    else:
        assert SEED not in rows  # no publication date (OpenAIRE) or DOI (DataCite)


def test_deleted_record_page_has_no_xml(client):
    load_lines(client.application, [{"identifier": ARTICLE, "deleted": True}])
    doc = _page(client, verb="GetRecord", identifier=ARTICLE, metadataPrefix="mods")
    assert not doc.xpath("//details[@class='xml'] | //dl[@class='metadata']")


def _mods_document(mods: str) -> bytes:
    return f"""<?xml version="1.0"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate>
<request verb="GetRecord">http://x/oai</request><GetRecord><record><header>
<identifier>oai:x:1</identifier><datestamp>2026-01-01T00:00:00Z</datestamp></header><metadata>
<mods xmlns="http://www.loc.gov/mods/v3">{mods}</mods></metadata></record>
</GetRecord></OAI-PMH>""".encode()


def test_only_web_identifiers_become_links():
    """A value or identifier that is not an http(s) URL or a DOI is shown as text, never linked."""
    doc = reading.read(
        _mods_document(
            "<name><namePart>A</namePart><nameIdentifier>javascript:alert(1)</nameIdentifier>"
            "<role><roleTerm type='code'>aut</roleTerm></role></name>"
            "<name><namePart>B</namePart><nameIdentifier>doi:10.5555/x.1</nameIdentifier>"
            "<role><roleTerm type='code'>fnd</roleTerm></role></name>"
            "<accessCondition type='use and reproduction'>javascript:alert(2)</accessCondition>"
            "<identifier type='doi'>10.5555/12345678</identifier>"
        )
    )
    item = doc.items[0]
    assert item.title is None  # no titleInfo: the page is headed by the identifier
    values = {field.label: field.values for field in item.fields}
    assert values["Authors"] == (reading.Value("A"),)
    assert values["Funders"] == (reading.Value("B", href="https://doi.org/10.5555/x.1"),)
    assert values["Licence"] == (reading.Value("javascript:alert(2)"),)
    assert not values["Licence"][0].is_link
    assert values["DOI"] == (reading.Value("https://doi.org/10.5555/12345678"),)
    assert values["DOI"][0].is_link


@pytest.mark.parametrize(
    ("marc", "shown"),
    [
        ("Carberry, Josiah,", "Carberry, Josiah"),  # 100 $a before $e
        ("Smith, J. R.,", "Smith, J. R."),  # an initial keeps its period
        ("Putting Innovation in Place :", "Putting Innovation in Place"),  # 245 $a before $b
        ("Counting the Cost of Climate Policy /", "Counting the Cost of Climate Policy"),
        ("Policy Strategies in the United States.", "Policy Strategies in the United States"),
        ("Pluto Journals,", "Pluto Journals"),  # 264 $b before $c
        ("2021.", "2021"),
        ("Wait and see...", "Wait and see..."),
        ("Vol. 40, no. 2, p. 69-87", "Vol. 40, no. 2, p. 69-87"),
    ],
)
def test_marc_punctuation_is_dropped_for_display(marc, shown):
    assert unpunctuated(marc) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("10.5555/12345678", "https://doi.org/10.5555/12345678"),
        ("https://doi.org/10.5555/12345678", "https://doi.org/10.5555/12345678"),
        ("http://dx.doi.org/10.5555/12345678", "https://doi.org/10.5555/12345678"),
        ("doi:10.5555/12345678", "https://doi.org/10.5555/12345678"),
        ("not a DOI", "not a DOI"),
        ("10.5555", "10.5555"),
    ],
)
def test_a_doi_is_shown_as_its_link(value, shown):
    assert doi_url(value) == shown
