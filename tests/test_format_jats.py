"""formats.jats: JATS front matter, qualified for OAI-PMH, valid JATS Publishing 1.3 unqualified.

The facts each test expects are written here, not read from oai/formats/jats/: the
element paths are JATS's (Tag Library 1.3) and JATS4R's recommendations, which the
JATS importer reads back.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from lxml import etree

from oai.article import parse_article
from oai.formats import BY_PREFIX, FORMATS

from . import articles, format_checks, jats4r, xsd
from .format_checks import SEED, canonical, fixture, fixture_lines, parse, strings

JATS = "https://jats.nlm.nih.gov/ns/archiving/1.3/"
XLINK = "http://www.w3.org/1999/xlink"
ALI = "http://www.niso.org/schemas/ali/1.0/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HREF = f"{{{XLINK}}}href"
NS = {"j": JATS, "xlink": XLINK, "ali": ALI}
PUBLISHING = "jats-1.3/JATS-journalpublishing1-3-mathml3.xsd"
META = "j:front/j:article-meta"
JOURNAL = "j:front/j:journal-meta"

#: An article with every key (values made up; identifiers with valid check digits).
RICH: dict[str, Any] = {
    "title": [
        {"value": "Clusters & <Policy>: A Study", "lang": "en"},
        {"value": "Grappes et politiques : une étude", "lang": "fr"},
    ],
    "description": [
        {"value": "We study clusters. Results > expectations.", "lang": "en"},
        {"value": "Nous étudions les grappes.", "lang": "fr"},
    ],
    "subject": ["innovation", "regional policy", {"value": "Cluster", "lang": "de"}],
    "language": ["en"],
    "publisher": ["Example Press"],
    "authors": [
        {
            "family": "Carberry",
            "given": "Josiah",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
            "affiliations": [
                {"name": "An Example University", "ror": "https://ror.org/05gq02987"},
                {"name": "Institute of Examples"},
            ],
        },
        {
            "family": "Nakamura",
            "given": "Hiro",
            "affiliations": [{"name": "An Example University", "ror": "https://ror.org/05gq02987"}],
        },
        {"name": "An Organisation as author"},
    ],
    "journal": "Journal of Examples",
    "issn": "0317-8471",
    "eissn": "2049-3630",
    "volume": "37",
    "issue": "2",
    "pages": "69-87",
    "section": "Original Articles",
    "published": "2021-06-30",
    "article_type": "research-article",
    "version": "accepted",
    "doi": "10.5555/12345678",
    "url": "https://journal.example.org/article/123",
    "files": [
        {"url": "https://journal.example.org/article/123.pdf", "mime": "application/pdf"},
        {"url": "https://journal.example.org/article/123.xml", "mime": "application/jats+xml"},
    ],
    "license": "https://creativecommons.org/licenses/by/4.0/",
    "access": "embargoed",
    "embargo_until": "2027-01-01",
    "funding": [
        {
            "funder": "Economic and Social Research Council",
            "funder_id": "https://doi.org/10.13039/501100000269",
            "award": "ES/X000000/1",
            "award_title": "Clusters in place",
        },
        {"funder": "Some Foundation", "funder_id": "https://ror.org/0003rj076"},
        {"funder": "A Local Trust", "funder_id": "https://trust.example.org/"},
        {"funder": "An Anonymous Donor"},
    ],
}

#: A book review with its reviewed work (INTERFACE.md's example book).
REVIEW: dict[str, Any] = {
    "title": [{"value": "Review of False Alarm", "lang": "en"}],
    "language": ["eng"],
    "authors": [{"family": "Ørsted", "given": "Amélie"}],
    "journal": "Journal of Examples",
    "eissn": "2049-3630",
    "volume": "38",
    "pages": "e2041",
    "published": "2022-03",
    "article_type": "book-review",
    "access": "open",
    "license": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "reviewed": {
        "title": "False Alarm",
        "authors": [{"family": "Lomborg", "given": "Bjørn"}, {"name": "A Think Tank"}],
        "publisher": "Basic Books",
        "year": "2020",
        "isbn": "9781541647466",
    },
}


def fixture_records() -> dict[str, dict[str, Any]]:
    return {line["identifier"]: line for line in fixture_lines()}


def render(identifier: str, metadata: dict[str, Any]) -> str | None:
    return BY_PREFIX["jats"].render(parse_article(identifier, metadata))


def parsed(identifier: str, metadata: dict[str, Any]) -> etree._Element:
    text = render(identifier, metadata)
    assert text is not None, f"{identifier} declined"
    return parse(text)


def texts(root: etree._Element, path: str) -> list[str]:
    return strings(root, path, NS)


@pytest.fixture(scope="module")
def publishing() -> etree.XMLSchema:
    """JATS Publishing 1.3, compiled once per test session (xsd.schema caches it)."""
    return xsd.schema(PUBLISHING)


def assert_valid(schema: etree.XMLSchema, root: etree._Element, what: str) -> None:
    """Valid JATS once unqualified (JATS has no namespace; OAI-PMH needs one)."""
    format_checks.assert_valid(schema, xsd.unqualified(root, JATS), what)


# (1) Schema validity ----------------------------------------------------------------------


def test_the_format_is_registered_as_interface_md_says() -> None:
    fmt = BY_PREFIX["jats"]
    assert fmt.namespace == JATS
    assert fmt.schema == "https://jats.nlm.nih.gov/archiving/1.3/xsd/JATS-archivearticle1-3.xsd"
    assert fmt.version == 2
    prefixes = [f.prefix for f in FORMATS]
    assert prefixes.index("oai_dc") < prefixes.index("jats")


@pytest.mark.parametrize("identifier", sorted(fixture_records()))
def test_every_fixture_record_is_offered_and_valid(
    identifier: str, publishing: etree.XMLSchema
) -> None:
    root = parsed(identifier, fixture_records()[identifier]["metadata"])
    assert_valid(publishing, root, identifier)


def test_generated_records_are_valid_or_declined_for_want_of_a_journal(
    publishing: etree.XMLSchema,
) -> None:
    declined = []
    for record in articles.records(300):
        text = render(record["identifier"], record["metadata"])
        if text is None:
            declined.append(record["identifier"])
            continue
        assert_valid(publishing, parse(text), record["identifier"])
    # tests/articles.py gives no journal (so no ISSN) to record n when n % 11 == 6, and
    # every other record a journal, at least one ISSN and a title.
    assert declined == [f"oai:example.org:article/{n:04d}" for n in range(300) if n % 11 == 6]


@pytest.mark.parametrize("name", ["rich", "review"])
def test_the_hand_written_records_are_valid(name: str, publishing: etree.XMLSchema) -> None:
    metadata = RICH if name == "rich" else REVIEW
    assert_valid(publishing, parsed(f"oai:example.org:{name}", metadata), name)


def _moved(root: etree._Element, path: str, before: str) -> etree._Element:
    broken = copy.deepcopy(root)
    element = broken.find(path, NS)
    anchor = broken.find(before, NS)
    assert element is not None and anchor is not None
    anchor.addprevious(element)
    return broken


def _removed(root: etree._Element, path: str) -> etree._Element:
    broken = copy.deepcopy(root)
    for element in broken.findall(path, NS):
        element.getparent().remove(element)
    return broken


def test_the_schema_really_validates(publishing: etree.XMLSchema) -> None:
    """A failed xs:import is only a warning in libxml2: prove the schema rejects faults."""
    root = parsed("oai:example.org:rich", RICH)
    assert publishing.validate(xsd.unqualified(root, JATS))
    faults = {
        "title-group before article-id": _moved(
            root, f"{META}/j:title-group", f"{META}/j:article-id"
        ),
        "no issn": _removed(root, f"{JOURNAL}/j:issn"),
        "no journal-id": _removed(root, f"{JOURNAL}/j:journal-id"),
        "no title-group": _removed(root, f"{META}/j:title-group"),
        "abstract before self-uri": _moved(root, f"{META}/j:abstract", f"{META}/j:self-uri"),
    }
    for fault, broken in faults.items():
        assert not publishing.validate(xsd.unqualified(broken, JATS)), fault
    # Qualified, as OAI-PMH carries it, the element is not JATS at all: hence xsd.unqualified.
    assert not publishing.validate(etree.ElementTree(copy.deepcopy(root)))


def test_unqualified_strips_the_jats_namespace_only() -> None:
    root = xsd.unqualified(parsed("oai:example.org:rich", RICH), JATS)
    assert root.tag == "article"
    assert all(
        etree.QName(e).namespace in (None, ALI) for e in root.iter() if isinstance(e.tag, str)
    )
    assert root.find(f"front/article-meta/permissions/{{{ALI}}}free_to_read") is not None
    licence = root.find("front/article-meta/permissions/license")
    assert licence is not None
    assert licence.get(HREF) == "https://creativecommons.org/licenses/by/4.0/"
    assert root.get(XML_LANG) == "en"
    assert JATS not in etree.tostring(root).decode().split("schemaLocation")[0]


def test_a_response_carrying_jats_validates_through_the_oai_pmh_helper() -> None:
    """tests/xsd.validate, which every harvest test uses, checks a jats record's element."""
    element = render("oai:example.org:rich", RICH)
    assert element is not None
    response = (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
        '"http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
        "<responseDate>2026-12-01T00:00:00Z</responseDate>"
        '<request verb="GetRecord" identifier="oai:example.org:rich" metadataPrefix="jats">'
        "http://localhost/oai</request><GetRecord><record><header>"
        "<identifier>oai:example.org:rich</identifier><datestamp>2026-12-01T00:00:00Z</datestamp>"
        f"</header><metadata>{element}</metadata></record></GetRecord></OAI-PMH>"
    )
    xsd.validate(response.encode("utf-8"))
    broken = response.replace("<issn", "<isbn").replace("</issn>", "</isbn>")
    with pytest.raises(AssertionError, match="not schema-valid"):
        xsd.validate(broken.encode("utf-8"))


# (2) Reviewed expected documents ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "identifier"),
    [
        ("seed", SEED),
        ("rich-article", "oai:example.org:rich"),
        ("book-review", "oai:example.org:review"),
    ],
)
def test_expected_documents(name: str, identifier: str) -> None:
    metadata = {
        "seed": fixture(SEED)["metadata"] if name == "seed" else None,
        "rich-article": RICH,
        "book-review": REVIEW,
    }[name]
    assert metadata is not None
    text = render(identifier, metadata)
    assert text is not None
    assert canonical(parse(text)) == canonical(format_checks.expected("jats", name))


# (3) Crosswalk: each article key, where it lands, with what value ------------------------

CONTRIB = f"{META}/j:contrib-group/j:contrib[@contrib-type='author']"
AFF = f"{META}/j:contrib-group/j:aff"

#: (key, XPath from <article>, the values expected there for RICH)
RICH_CROSSWALK = [
    ("title", f"{META}/j:title-group/j:article-title", ["Clusters & <Policy>: A Study"]),
    ("title lang", f"{META}/j:title-group/j:article-title/@xml:lang", ["en"]),
    (
        "title, other language",
        f"{META}/j:title-group/j:trans-title-group[@xml:lang='fr']/j:trans-title",
        ["Grappes et politiques : une étude"],
    ),
    (
        "description",
        f"{META}/j:abstract[@xml:lang='en']/j:p",
        ["We study clusters. Results > expectations."],
    ),
    (
        "description, other language",
        f"{META}/j:trans-abstract[@xml:lang='fr']/j:p",
        ["Nous étudions les grappes."],
    ),
    (
        "subject",
        f"{META}/j:kwd-group[@kwd-group-type='author'][not(@xml:lang)]/j:kwd",
        ["innovation", "regional policy"],
    ),
    (
        "subject, other language",
        f"{META}/j:kwd-group[@kwd-group-type='author'][@xml:lang='de']/j:kwd",
        ["Cluster"],
    ),
    ("language", "@xml:lang", ["en"]),
    ("publisher", f"{JOURNAL}/j:publisher/j:publisher-name", ["Example Press"]),
    ("authors family", f"{CONTRIB}/j:name/j:surname", ["Carberry", "Nakamura"]),
    ("authors given", f"{CONTRIB}/j:name/j:given-names", ["Josiah", "Hiro"]),
    ("authors organisation", f"{CONTRIB}/j:collab", ["An Organisation as author"]),
    (
        "authors orcid",
        f"{CONTRIB}/j:contrib-id[@contrib-id-type='orcid']",
        ["https://orcid.org/0000-0002-1825-0097"],
    ),
    (
        "affiliations, once each",
        f"{AFF}//j:institution",
        ["An Example University", "Institute of Examples"],
    ),
    (
        "affiliation ror",
        f"{AFF}/j:institution-wrap/j:institution-id[@institution-id-type='ror']",
        ["https://ror.org/05gq02987"],
    ),
    ("affiliation links", f"{CONTRIB}/j:xref[@ref-type='aff']/@rid", ["aff1", "aff2", "aff1"]),
    ("journal", f"{JOURNAL}/j:journal-title-group/j:journal-title", ["Journal of Examples"]),
    ("journal id", f"{JOURNAL}/j:journal-id[@journal-id-type='issn']", ["0317-8471"]),
    ("issn", f"{JOURNAL}/j:issn[@publication-format='print']", ["0317-8471"]),
    ("eissn", f"{JOURNAL}/j:issn[@publication-format='electronic']", ["2049-3630"]),
    ("volume", f"{META}/j:volume", ["37"]),
    ("issue", f"{META}/j:issue", ["2"]),
    ("pages first", f"{META}/j:fpage", ["69"]),
    ("pages last", f"{META}/j:lpage", ["87"]),
    (
        "section",
        f"{META}/j:article-categories/j:subj-group[@subj-group-type='heading']/j:subject",
        ["Original Articles"],
    ),
    (
        "published",
        f"{META}/j:pub-date[@date-type='pub'][@publication-format='electronic']/@iso-8601-date",
        ["2021-06-30"],
    ),
    ("published year", f"{META}/j:pub-date/j:year", ["2021"]),
    ("published month", f"{META}/j:pub-date/j:month", ["06"]),
    ("published day", f"{META}/j:pub-date/j:day", ["30"]),
    ("article_type", "@article-type", ["research-article"]),
    (
        "version",
        f"{META}/j:article-version[@vocab='JAV']/@article-version-type",
        ["AM"],
    ),
    ("version name", f"{META}/j:article-version", ["Accepted Manuscript"]),
    ("doi", f"{META}/j:article-id[@pub-id-type='doi']", ["10.5555/12345678"]),
    (
        "identifier",
        f"{META}/j:article-id[@pub-id-type='custom'][@custom-type='oai']",
        ["oai:example.org:rich"],
    ),
    (
        "url",
        f"{META}/j:self-uri[not(@content-type)]/@xlink:href",
        ["https://journal.example.org/article/123"],
    ),
    (
        "files url",
        f"{META}/j:self-uri[@content-type]/@xlink:href",
        [
            "https://journal.example.org/article/123.pdf",
            "https://journal.example.org/article/123.xml",
        ],
    ),
    (
        "files mime",
        f"{META}/j:self-uri/@content-type",
        ["application/pdf", "application/jats+xml"],
    ),
    (
        "license",
        f"{META}/j:permissions/j:license/ali:license_ref",
        ["https://creativecommons.org/licenses/by/4.0/"],
    ),
    (
        "license href",
        f"{META}/j:permissions/j:license/@xlink:href",
        ["https://creativecommons.org/licenses/by/4.0/"],
    ),
    ("embargo_until", f"{META}/j:permissions/ali:free_to_read/@start_date", ["2027-01-01"]),
    (
        "funding funder",
        f"{META}/j:funding-group/j:award-group/j:funding-source/j:institution-wrap/j:institution",
        [
            "Economic and Social Research Council",
            "Some Foundation",
            "A Local Trust",
            "An Anonymous Donor",
        ],
    ),
    (
        "funding funder_id (Open Funder Registry, bare DOI as JATS4R asks)",
        f"{META}/j:funding-group//j:institution-id[@institution-id-type='doi']"
        "[@vocab='open-funder-registry'][@vocab-identifier='10.13039/open_funder_registry']",
        ["10.13039/501100000269"],
    ),
    (
        "funding funder_id (ROR)",
        f"{META}/j:funding-group//j:institution-id[@institution-id-type='ror']",
        ["https://ror.org/0003rj076"],
    ),
    (
        "funding funder_id (other URI)",
        f"{META}/j:funding-group//j:institution-id[@institution-id-type='uri']",
        ["https://trust.example.org/"],
    ),
    ("funding award", f"{META}/j:funding-group/j:award-group/j:award-id", ["ES/X000000/1"]),
    (
        "funding award_title",
        f"{META}/j:funding-group/j:award-group/j:award-name",
        ["Clusters in place"],
    ),
]

REVIEW_CROSSWALK = [
    ("article_type", "@article-type", ["book-review"]),
    ("language (ISO 639-2 given, two letters written)", "@xml:lang", ["en"]),
    ("pages as an article number", f"{META}/j:elocation-id", ["e2041"]),
    ("no page range", f"{META}/j:fpage", []),
    ("published year-month", f"{META}/j:pub-date/@iso-8601-date", ["2022-03"]),
    ("no day", f"{META}/j:pub-date/j:day", []),
    ("eissn alone names the journal", f"{JOURNAL}/j:journal-id", ["2049-3630"]),
    ("no print issn", f"{JOURNAL}/j:issn[@publication-format='print']", []),
    ("open access", f"count({META}/j:permissions/ali:free_to_read[not(@start_date)])", [1.0]),
    ("reviewed title", f"{META}/j:product[@product-type='book']/j:source", ["False Alarm"]),
    (
        "reviewed authors",
        f"{META}/j:product/j:person-group[@person-group-type='author']/j:name/j:surname",
        ["Lomborg"],
    ),
    (
        "reviewed authors given",
        f"{META}/j:product/j:person-group/j:name/j:given-names",
        ["Bjørn"],
    ),
    ("reviewed organisation", f"{META}/j:product/j:person-group/j:collab", ["A Think Tank"]),
    ("reviewed publisher", f"{META}/j:product/j:publisher-name", ["Basic Books"]),
    ("reviewed year", f"{META}/j:product/j:year", ["2020"]),
    ("reviewed isbn", f"{META}/j:product/j:isbn", ["9781541647466"]),
    ("no publisher", f"{JOURNAL}/j:publisher", []),
    ("no doi", f"{META}/j:article-id[@pub-id-type='doi']", []),
]


def _values(root: etree._Element, path: str) -> list[Any]:
    found = root.xpath(path, namespaces=NS)
    if isinstance(found, float):
        return [found]
    return [item if isinstance(item, str) else (item.text or "") for item in found]


@pytest.mark.parametrize(
    ("key", "path", "expected"), RICH_CROSSWALK, ids=[r[0] for r in RICH_CROSSWALK]
)
def test_crosswalk_rich_article(key: str, path: str, expected: list[str]) -> None:
    assert _values(parsed("oai:example.org:rich", RICH), path) == expected


@pytest.mark.parametrize(
    ("key", "path", "expected"), REVIEW_CROSSWALK, ids=[r[0] for r in REVIEW_CROSSWALK]
)
def test_crosswalk_book_review(key: str, path: str, expected: list[Any]) -> None:
    assert _values(parsed("oai:example.org:review", REVIEW), path) == expected


def test_the_seed_says_only_what_its_record_says() -> None:
    """No author, no DOI, no date in the seed: nothing of them is invented."""
    root = parsed(SEED, fixture(SEED)["metadata"])
    assert root.findall(f"{META}/j:contrib-group", NS) == []
    assert root.findall(f"{META}/j:article-id[@pub-id-type='doi']", NS) == []
    assert root.findall(f"{META}/j:pub-date", NS) == []
    assert len(root.findall(f"{META}/j:pub-date-not-available", NS)) == 1
    assert texts(root, f"{META}/j:fpage") == ["69"]
    assert texts(root, f"{META}/j:lpage") == ["87"]
    assert texts(root, f"{JOURNAL}/j:issn") == ["0810-9028", "1470-1030"]


@pytest.mark.parametrize(
    ("access", "embargo", "free_to_read"),
    [
        ("open", None, [{}]),
        ("embargoed", "2027-01-01", [{"start_date": "2027-01-01"}]),
        ("embargoed", "2027-05", [{"start_date": "2027-05"}]),
        ("restricted", None, []),
        ("metadata-only", None, []),
        (None, None, []),
    ],
)
def test_access_rights(
    access: str | None, embargo: str | None, free_to_read: list[dict[str, str]]
) -> None:
    metadata = {k: v for k, v in RICH.items() if k not in ("access", "embargo_until")}
    if access:
        metadata["access"] = access
    if embargo:
        metadata["embargo_until"] = embargo
    root = parsed("oai:example.org:access", metadata)
    found = root.findall(f"{META}/j:permissions/ali:free_to_read", NS)
    assert [dict(element.attrib) for element in found] == free_to_read


@pytest.mark.parametrize(
    ("pages", "fpage", "lpage", "elocation"),
    [
        ("69-87", ["69"], ["87"], []),
        ("12", ["12"], [], []),
        ("e1234", [], [], ["e1234"]),
        ("S12", [], [], ["S12"]),
        ("A1-A9", ["A1"], ["A9"], []),
    ],
)
def test_pages(pages: str, fpage: list[str], lpage: list[str], elocation: list[str]) -> None:
    root = parsed("oai:example.org:pages", {**RICH, "pages": pages})
    assert texts(root, f"{META}/j:fpage") == fpage
    assert texts(root, f"{META}/j:lpage") == lpage
    assert texts(root, f"{META}/j:elocation-id") == elocation


@pytest.mark.parametrize(
    ("language", "xml_lang"),
    [
        (["en"], "en"),
        (["eng"], "en"),
        (["ger"], "de"),
        (["fra"], "fr"),
        (["en-GB"], "en-GB"),
        (["eng-GB"], "en-GB"),  # BCP 47 wants the shortest code
        ([" en "], "en"),
        (["en-"], "en"),  # English, whatever the broken rest
        (["haw"], "haw"),
        (["English"], None),
        (["en_GB"], None),
        (["English", "de"], None),  # the first language is the article's, or none
        (None, None),
    ],
)
def test_article_language(language: list[str] | None, xml_lang: str | None) -> None:
    metadata = {k: v for k, v in REVIEW.items() if k != "language"}
    if language is not None:
        metadata["language"] = language
    assert parsed("oai:example.org:lang", metadata).get(XML_LANG) == xml_lang


@pytest.mark.parametrize(
    ("version", "jav", "name"),
    [
        ("published", "VoR", "Version of Record"),
        ("accepted", "AM", "Accepted Manuscript"),
        ("submitted", "SMUR", "Submitted Manuscript Under Review"),
        (None, "VoR", "Version of Record"),  # INTERFACE.md: the default is published
    ],
)
def test_versions(version: str | None, jav: str, name: str) -> None:
    metadata = {k: v for k, v in RICH.items() if k != "version"}
    if version:
        metadata["version"] = version
    root = parsed("oai:example.org:version", metadata)
    found = root.findall(f"{META}/j:article-version", NS)
    assert [(e.get("article-version-type"), e.get("vocab"), e.text) for e in found] == [
        (jav, "JAV", name)
    ]


def test_titles_and_abstracts_in_the_same_language_are_alternatives() -> None:
    metadata = {
        **REVIEW,
        "title": [{"value": "Main", "lang": "en"}, "Short", {"value": "Autre", "lang": "fr"}],
        "description": ["First.", {"value": "Second, English.", "lang": "en"}],
    }
    root = parsed("oai:example.org:titles", metadata)
    assert texts(root, f"{META}/j:title-group/j:article-title") == ["Main"]
    assert texts(root, f"{META}/j:title-group/j:trans-title-group/j:trans-title") == ["Autre"]
    assert texts(root, f"{META}/j:title-group/j:alt-title") == ["Short"]
    assert texts(root, f"{META}/j:abstract/j:p") == ["First.", "Second, English."]
    assert texts(root, f"{META}/j:trans-abstract") == []


def test_dublin_core_creators_are_authors_when_the_record_gives_no_authors() -> None:
    metadata = {k: v for k, v in REVIEW.items() if k != "authors"}
    metadata["creator"] = ["Lovelace, Ada", "World Health Organization"]
    root = parsed("oai:example.org:creators", metadata)
    assert texts(root, f"{CONTRIB}/j:name/j:surname") == ["Lovelace"]
    assert texts(root, f"{CONTRIB}/j:name/j:given-names") == ["Ada"]
    assert texts(root, f"{CONTRIB}/j:collab") == ["World Health Organization"]


# (4) Availability: which records are offered --------------------------------------------

BASE = {"title": ["A title"], "journal": "Journal of Examples", "issn": "0317-8471"}


@pytest.mark.parametrize(
    ("case", "metadata", "offered"),
    [
        ("title, journal and print ISSN", BASE, True),
        (
            "electronic ISSN only",
            {**{k: v for k, v in BASE.items() if k != "issn"}, "eissn": "2049-3630"},
            True,
        ),
        ("no author, no DOI, no date (as the seed)", BASE, True),
        ("no journal", {k: v for k, v in BASE.items() if k != "journal"}, False),
        ("journal without any ISSN", {k: v for k, v in BASE.items() if k != "issn"}, False),
        ("no title", {k: v for k, v in BASE.items() if k != "title"}, False),
        ("only a blank title", {**BASE, "title": ["   "]}, False),
        ("a blank title, then a real one", {**BASE, "title": ["", "Real"]}, True),
        ("bare Dublin Core", {"title": ["A title"], "creator": ["Doe, Jane"]}, False),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_availability(case: str, metadata: dict[str, Any], offered: bool) -> None:
    assert (render("oai:example.org:a", metadata) is not None) is offered
    if offered:
        root = parsed("oai:example.org:a", metadata)
        assert texts(root, f"{META}/j:title-group/j:article-title") in (["A title"], ["Real"])


def test_the_requirement_is_stated_for_people() -> None:
    requires = BY_PREFIX["jats"].requires
    for word in ("journal", "ISSN", "title"):
        assert word in requires


# (5) Rules beyond the XSD: a few JATS4R recommendations, checked here ---------------------
# (JATS4R/jats-schematrons 80d1687, schematrons/1.0: permissions-warnings.sch, -errors.sch,
# accessibility-errors.sch, auths-affs-errors.sch, funding-errors.sch, abstract-errors.sch,
# kwd-warnings.sch; restated as Python, not copied.)

ORCID_URI = re.compile(r"https://orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
ROR_URI = re.compile(r"https://ror\.org/0[0-9a-hjkmnp-tv-z]{6}\d{2}")
#: JATS4R's best-practice Creative Commons URIs: https, trailing slash.
CC_PATTERNS = [
    re.compile(r"https://creativecommons\.org/licenses/by(-sa|-nd|-nc|-nc-sa|-nc-nd)?/4\.0/"),
    re.compile(r"https://creativecommons\.org/licenses/by(-sa|-nd|-nc|-nc-sa|-nc-nd)?/[123]\.\d/"),
    re.compile(r"https://creativecommons\.org/publicdomain/(zero|mark)/1\.0/"),
]
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def jats4r_findings(root: etree._Element) -> list[str]:
    """What the JATS4R rules restated here find in a document: a short name each."""
    findings = []
    if root.find(f"{META}/j:permissions", NS) is None:
        findings.append("no permissions")
    for licence in root.iterfind(f"{META}/j:permissions/j:license", NS):
        ref = licence.findtext("ali:license_ref", namespaces=NS)
        if ref is None:
            findings.append("licence without ali:license_ref")
        if licence.get(HREF) not in (None, ref):
            findings.append("licence href and ali:license_ref differ")
        if ref and "creativecommons.org" in ref and not any(p.match(ref) for p in CC_PATTERNS):
            findings.append("Creative Commons URL not https with a trailing slash")
    for free in root.iterfind(f"{META}/j:permissions/ali:free_to_read", NS):
        if free.get("start_date") is not None and not ISO_DAY.fullmatch(free.get("start_date")):
            findings.append("free_to_read start_date not YYYY-MM-DD")
    for link in root.iterfind(f"{META}/j:self-uri", NS):
        text = (link.text or "").strip()
        if not text or text == link.get(HREF) or re.match(r"(https?|s?ftp)://", text):
            findings.append("self-uri without link text")
    for contrib_id in root.iterfind(".//j:contrib-id", NS):
        if not contrib_id.get("contrib-id-type"):
            findings.append("contrib-id without type")
        elif contrib_id.get("contrib-id-type") == "orcid" and not ORCID_URI.fullmatch(
            contrib_id.text or ""
        ):
            findings.append("ORCID not a full https URI")
    for institution_id in root.iterfind(".//j:institution-id", NS):
        kind = institution_id.get("institution-id-type")
        if not kind:
            findings.append("institution-id without type")
        if kind == "ror" and not ROR_URI.fullmatch(institution_id.text or ""):
            findings.append("ROR not a full https URI")
        if institution_id.get("vocab") == "open-funder-registry" and not (
            kind == "doi"
            and institution_id.get("vocab-identifier") == "10.13039/open_funder_registry"
            and (institution_id.text or "").startswith("10.13039/")
        ):
            findings.append("Open Funder Registry id not as JATS4R tags it")
    if len(root.findall(f"{META}/j:funding-group", NS)) > 1:
        findings.append("more than one funding-group")
    for award in root.iterfind(f"{META}/j:funding-group/j:award-group", NS):
        sources = award.findall("j:funding-source", NS)
        if len(sources) != 1 or len(sources[0].findall("j:institution-wrap", NS)) != 1:
            findings.append("award-group without one funding-source in one institution-wrap")
    ids = [aff.get("id") for aff in root.iterfind(f"{META}//j:aff", NS)]
    if len(ids) != len(set(ids)) or None in ids:
        findings.append("aff without a unique id")
    for xref in root.iterfind(f"{META}//j:xref", NS):
        if xref.get("ref-type") != "aff" or xref.get("rid") not in ids:
            findings.append("xref pointing nowhere")
    for trans in root.iterfind(f"{META}/j:trans-abstract", NS):
        if trans.get(XML_LANG) is None:
            findings.append("trans-abstract without xml:lang")
    for group in root.iterfind(f"{META}/j:kwd-group", NS):
        if group.get(XML_LANG) is not None and group.get(XML_LANG) == root.get(XML_LANG):
            findings.append("kwd-group repeats the article's xml:lang")
    return findings


def test_jats4r_warns_about_the_seed_licence_url_which_is_kept() -> None:
    """The seed's page prints http://creativecommons.org/...: served as the record says it."""
    root = parsed(SEED, fixture(SEED)["metadata"])
    assert texts(root, f"{META}/j:permissions/j:license/ali:license_ref") == [
        "http://creativecommons.org/licenses/by/4.0/"
    ]
    assert jats4r_findings(root) == ["Creative Commons URL not https with a trailing slash"]


def all_records() -> list[tuple[str, dict[str, Any]]]:
    """Every record the tests know: the generated ones, the hand-written ones, the fixtures."""
    records = [(r["identifier"], r["metadata"]) for r in articles.records(300)]
    records += [("oai:example.org:rich", RICH), ("oai:example.org:review", REVIEW)]
    return records + [(i, r["metadata"]) for i, r in fixture_records().items()]


def expected_jats4r(metadata: dict[str, Any]) -> list[str]:
    """What JATS4R finds, for the two things a record itself may lack.

    An http:// Creative Commons URL is kept as the record gives it (JATS4R warns); a record
    stating neither a licence nor open or embargoed access has no permissions to write
    (JATS4R wants a permissions element in every article: an empty one would say nothing).
    """
    found = []
    if "license" not in metadata and metadata.get("access") not in ("open", "embargoed"):
        found.append("no permissions")
    if metadata.get("license", "").startswith("http://creativecommons.org/"):
        found.append("Creative Commons URL not https with a trailing slash")
    return found


def test_jats4r_findings_are_only_what_the_records_lack() -> None:
    checked = 0
    for identifier, metadata in all_records():
        if render(identifier, metadata) is None:
            continue
        checked += 1
        assert jats4r_findings(parsed(identifier, metadata)) == expected_jats4r(metadata)
    assert checked == 273 + 2 + len(fixture_records())


def test_the_jats4r_schematron_agrees() -> None:
    """JATS4R's own rules (optional: see tests/jats4r.py for what it needs)."""
    kinds = {
        "Creative Commons licenses should follow the recommended patterns": (
            "Creative Commons URL not https with a trailing slash"
        ),
        "Missing top-level <permissions> element": "no permissions",
    }
    jats4r.validator()  # skips here when the rules or saxonche are missing
    for identifier, metadata in all_records():
        if render(identifier, metadata) is None:
            continue
        root = xsd.unqualified(parsed(identifier, metadata), JATS)
        found = []
        for finding in jats4r.findings(root):
            kind = next((k for start, k in kinds.items() if finding.text.startswith(start)), None)
            found.append(kind or f"{finding.role}: {finding.text}")
        assert sorted(found) == sorted(expected_jats4r(metadata)), identifier
    # The rules really run: a self-uri whose text is its URL is an error to them.
    broken = copy.deepcopy(parsed("oai:example.org:rich", RICH))
    link = broken.find(f"{META}/j:self-uri", NS)
    assert link is not None
    link.text = link.get(HREF)
    roles = [finding.role for finding in jats4r.findings(xsd.unqualified(broken, JATS))]
    assert "error" in roles


def test_jats4r_restated_rules_do_find_faults() -> None:
    root = parsed("oai:example.org:rich", RICH)
    broken = copy.deepcopy(root)
    link = broken.find(f"{META}/j:self-uri", NS)
    assert link is not None
    link.text = link.get(HREF)
    orcid = broken.find(".//j:contrib-id", NS)
    assert orcid is not None
    orcid.text = "0000-0002-1825-0097"
    assert jats4r_findings(broken) == [
        "self-uri without link text",
        "ORCID not a full https URI",
    ]


def test_jats_elements_use_the_default_namespace() -> None:
    text = render("oai:example.org:rich", RICH)
    assert text is not None
    assert text.startswith(f'<article xmlns="{JATS}"')
    root = etree.fromstring(text.encode("utf-8"))
    assert root.get("dtd-version") == "1.3"
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == JATS:
            assert element.prefix is None


# (6) Hostile text ---------------------------------------------------------------------------

HOSTILE = [
    "<b>bold</b> & &amp; ]]> \"quotes\" 'apostrophes'",
    "control \x00\x01\x08\x0b\x0c\x1f characters, \ufffe and \ud800",
    "Ærøskøbing 李白 Ελληνικά עברית \U0001f600",
    "line\nbreaks\r\nand\ttabs",
]


@pytest.mark.parametrize("value", HOSTILE, ids=["markup", "control", "non-ascii", "whitespace"])
def test_hostile_text_stays_text(value: str, publishing: etree.XMLSchema) -> None:
    metadata = {
        **RICH,
        "title": [value],
        "description": [value * 2000],  # ~100 KB abstract
        "subject": [value],
        "journal": value,
        "section": value,
        "publisher": [value],
        "authors": [{"family": value, "given": value, "affiliations": [{"name": value}]}],
        "funding": [{"funder": value, "award": value, "award_title": value}],
        "reviewed": {"title": value, "authors": [{"name": value}], "publisher": value},
    }
    root = parsed("oai:example.org:hostile", metadata)
    assert_valid(publishing, root, "hostile")
    # What XML 1.0 cannot carry becomes U+FFFD; a CR is kept as &#13;.
    clean = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "\ufffd", value)
    for path in (
        f"{META}/j:title-group/j:article-title",
        f"{META}/j:kwd-group/j:kwd",
        f"{JOURNAL}/j:journal-title-group/j:journal-title",
        f"{META}/j:article-categories/j:subj-group/j:subject",
        f"{JOURNAL}/j:publisher/j:publisher-name",
        f"{CONTRIB}/j:name/j:surname",
        f"{AFF}/j:institution",
        f"{META}/j:funding-group//j:institution",
        f"{META}/j:funding-group//j:award-id",
        f"{META}/j:product/j:source",
        f"{META}/j:product/j:person-group/j:collab",
    ):
        assert texts(root, path) == [clean], path
    assert texts(root, f"{META}/j:abstract/j:p") == [clean * 2000]


# Round trip: every fact read back from the rendered JATS, by the paths a JATS reader uses ----

#: JAV abbreviation -> the model's version word (INTERFACE.md's versions).
JAV_WORDS = {"VoR": "published", "AM": "accepted", "SMUR": "submitted"}


def _text(element: etree._Element | None, path: str) -> str | None:
    return None if element is None else element.findtext(path, namespaces=NS)


def _person(element: etree._Element) -> dict[str, Any]:
    if element.tag == f"{{{JATS}}}collab":
        return {"name": element.text}
    person = {"family": _text(element, "j:surname"), "given": _text(element, "j:given-names")}
    return {key: value for key, value in person.items() if value is not None}


def read_back(root: etree._Element) -> dict[str, Any]:
    """The article keys a JATS reader recovers from one rendered document."""
    meta = root.find(META, NS)
    journal = root.find(JOURNAL, NS)
    assert meta is not None and journal is not None
    affs = {}
    for aff in meta.iterfind("j:contrib-group/j:aff", NS):
        ror = aff.findtext(
            "j:institution-wrap/j:institution-id[@institution-id-type='ror']", namespaces=NS
        )
        affs[aff.get("id")] = (aff.findtext(".//j:institution", namespaces=NS), ror)
    authors = []
    for contrib in meta.iterfind("j:contrib-group/j:contrib[@contrib-type='author']", NS):
        name = contrib.find("j:name", NS)
        person = _person(name if name is not None else contrib.find("j:collab", NS))
        orcid = contrib.findtext("j:contrib-id[@contrib-id-type='orcid']", namespaces=NS)
        if orcid:
            person["orcid"] = orcid
        links = [affs[xref.get("rid")] for xref in contrib.iterfind("j:xref[@ref-type='aff']", NS)]
        if links:
            person["affiliations"] = links
        authors.append(person)
    title_group = meta.find("j:title-group", NS)
    assert title_group is not None
    titles = [(e.text, e.get(XML_LANG)) for e in title_group.iterfind("j:article-title", NS)]
    titles += [
        (e.findtext("j:trans-title", namespaces=NS), e.get(XML_LANG))
        for e in title_group.iterfind("j:trans-title-group", NS)
    ]
    titles += [(e.text, e.get(XML_LANG)) for e in title_group.iterfind("j:alt-title", NS)]
    abstracts = [
        (e.findtext("j:p", namespaces=NS), e.get(XML_LANG)) for e in meta.iterfind("j:abstract", NS)
    ] + [
        (e.findtext("j:p", namespaces=NS), e.get(XML_LANG))
        for e in meta.iterfind("j:trans-abstract", NS)
    ]
    keywords = [
        (kwd.text, group.get(XML_LANG))
        for group in meta.iterfind("j:kwd-group", NS)
        for kwd in group.iterfind("j:kwd", NS)
    ]
    fpage, lpage = _text(meta, "j:fpage"), _text(meta, "j:lpage")
    pages = _text(meta, "j:elocation-id") or (f"{fpage}-{lpage}" if lpage else fpage)
    free = meta.find("j:permissions/ali:free_to_read", NS)
    funding = []
    for award in meta.iterfind("j:funding-group/j:award-group", NS):
        wrap = award.find("j:funding-source/j:institution-wrap", NS)
        assert wrap is not None
        entry = {"funder": _text(wrap, "j:institution")}
        funder_id = wrap.find("j:institution-id", NS)
        if funder_id is not None:
            kind = funder_id.get("institution-id-type")
            prefix = "https://doi.org/" if kind == "doi" else ""
            entry["funder_id"] = prefix + (funder_id.text or "")
        for key, path in (("award", "j:award-id"), ("award_title", "j:award-name")):
            if award.find(path, NS) is not None:
                entry[key] = _text(award, path)
        funding.append(entry)
    product = meta.find("j:product[@product-type='book']", NS)
    reviewed = None
    if product is not None:
        reviewed = {"title": _text(product, "j:source")}
        people = product.find("j:person-group[@person-group-type='author']", NS)
        if people is not None:
            reviewed["authors"] = [_person(person) for person in people]
        for key in ("publisher", "year", "isbn"):
            value = _text(product, "j:publisher-name" if key == "publisher" else f"j:{key}")
            if value is not None:
                reviewed[key] = value
    version = meta.find("j:article-version[@vocab='JAV']", NS)
    assert version is not None
    return {
        "identifier": _text(meta, "j:article-id[@pub-id-type='custom'][@custom-type='oai']"),
        "title": titles,
        "description": abstracts,
        "subject": keywords,
        "language": root.get(XML_LANG),
        "publisher": _text(journal, "j:publisher/j:publisher-name"),
        "authors": authors,
        "journal": _text(journal, "j:journal-title-group/j:journal-title"),
        "issn": _text(journal, "j:issn[@publication-format='print']"),
        "eissn": _text(journal, "j:issn[@publication-format='electronic']"),
        "volume": _text(meta, "j:volume"),
        "issue": _text(meta, "j:issue"),
        "pages": pages,
        "section": _text(
            meta, "j:article-categories/j:subj-group[@subj-group-type='heading']/j:subject"
        ),
        "published": None
        if meta.find("j:pub-date", NS) is None
        else meta.find("j:pub-date", NS).get("iso-8601-date"),
        "article_type": root.get("article-type"),
        "version": JAV_WORDS[version.get("article-version-type")],
        "doi": _text(meta, "j:article-id[@pub-id-type='doi']"),
        "url": next(
            (e.get(HREF) for e in meta.iterfind("j:self-uri", NS) if not e.get("content-type")),
            None,
        ),
        "files": [
            {"url": e.get(HREF), "mime": e.get("content-type")}
            for e in meta.iterfind("j:self-uri[@content-type]", NS)
        ],
        "license": _text(meta, "j:permissions/j:license/ali:license_ref"),
        "access": None if free is None else ("embargoed" if free.get("start_date") else "open"),
        "embargo_until": None if free is None else free.get("start_date"),
        "funding": funding,
        "reviewed": reviewed,
    }


def _text_pairs(values: list[Any], default_lang: str | None = None) -> list[tuple[str, str | None]]:
    pairs = []
    for value in values:
        text, lang = (
            (value["value"], value.get("lang")) if isinstance(value, dict) else (value, None)
        )
        if text.strip():
            pairs.append((text, lang))
    return pairs


def stated(identifier: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The same keys as the record states them, where JATS can carry them.

    JATS cannot tell restricted or metadata-only access from no statement (all three
    have no ``ali:free_to_read``), so they read back as None.
    """
    language = (metadata.get("language") or [None])[0]
    language = {"eng": "en"}.get(language, language)

    def other(pairs: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        return [(text, lang if lang and lang != language else None) for text, lang in pairs]

    def name(value: dict[str, Any]) -> dict[str, Any]:
        return {key: value[key] for key in ("family", "given", "name") if key in value}

    def person(value: dict[str, Any]) -> dict[str, Any]:
        out = {key: value[key] for key in ("family", "given", "name", "orcid") if key in value}
        if value.get("affiliations"):
            out["affiliations"] = [(a["name"], a.get("ror")) for a in value["affiliations"]]
        return out

    # A reviewed book's authors are names only: JATS's product/person-group has no place
    # for an ORCID, and an aff there could not say whose it is.
    reviewed = metadata.get("reviewed")
    if reviewed is not None:
        reviewed = (
            {**reviewed, "authors": [name(p) for p in reviewed["authors"]]}
            if "authors" in reviewed
            else dict(reviewed)
        )
    access = metadata.get("access")
    return {
        "identifier": identifier,
        "title": _text_pairs(metadata.get("title", [])),
        "description": _text_pairs(metadata.get("description", [])),
        "subject": other(_text_pairs(metadata.get("subject", []))),
        "language": language,
        "publisher": (metadata.get("publisher") or [None])[0],
        "authors": [person(p) for p in metadata.get("authors", [])],
        "journal": metadata.get("journal"),
        "issn": metadata.get("issn"),
        "eissn": metadata.get("eissn"),
        "volume": metadata.get("volume"),
        "issue": metadata.get("issue"),
        "pages": metadata.get("pages"),
        "section": metadata.get("section"),
        "published": metadata.get("published"),
        "article_type": metadata.get("article_type", "research-article"),
        "version": metadata.get("version", "published"),
        "doi": metadata.get("doi"),
        "url": metadata.get("url"),
        "files": metadata.get("files", []),
        "license": metadata.get("license"),
        "access": access if access in ("open", "embargoed") else None,
        "embargo_until": metadata.get("embargo_until"),
        "funding": metadata.get("funding", []),
        "reviewed": reviewed,
    }


#: Keys whose values JATS groups by kind (translations after the main text, keyword
#: groups by language), so their order may change; the main title stays first.
UNORDERED = ("title", "description", "subject")


def test_a_rendered_document_gives_back_every_fact() -> None:
    compared = 0
    for identifier, metadata in all_records():
        if render(identifier, metadata) is None:
            continue
        back, facts = read_back(parsed(identifier, metadata)), stated(identifier, metadata)
        for key in UNORDERED:
            assert sorted(back.pop(key), key=str) == sorted(facts.pop(key), key=str), (
                identifier,
                key,
            )
        assert back == facts, identifier
        compared += 1
    assert compared == 273 + 2 + len(fixture_records())
    assert read_back(parsed("oai:example.org:rich", RICH))["title"][0] == (
        "Clusters & <Policy>: A Study",
        "en",
    )
