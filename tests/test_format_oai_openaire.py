"""oai_openaire: valid against OpenAIRE's XSD, faithful to the record, and within the guidelines.

OpenAIRE's XSD checks almost nothing, so besides validating every rendered record
these tests hold each one to the guidelines' Mandatory and Mandatory-if-applicable
rules (tests/openaire_rules.py), show that those rules catch what the XSD lets
through, and state the crosswalk and the decline rule as tables of their own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree

from oai.formats import BY_PREFIX, oai_openaire

from . import articles, format_checks, openaire_rules
from .format_checks import HOSTILE, HOSTILE_READ, SEED, article, canonical, parse, valid
from .rich_articles import ARTICLE, ARTICLE_ID, BOOK_REVIEW, BOOK_REVIEW_ID

SCHEMA = "openaire-4.0/openaire.xsd"
NS = openaire_rules.NS


def render(identifier: str, metadata: dict[str, Any]) -> etree._Element | None:
    markup = oai_openaire.render(article(identifier, metadata))
    return None if markup is None else parse(markup)


def rendered(identifier: str, metadata: dict[str, Any]) -> etree._Element:
    element = render(identifier, metadata)
    assert element is not None, f"{identifier} was declined"
    return element


def test_registered_after_oai_dc() -> None:
    fmt = BY_PREFIX["oai_openaire"]
    assert fmt.namespace == "http://namespace.openaire.eu/schema/oaire/"
    assert fmt.schema == "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd"
    assert fmt.version >= 1 and fmt.requires and fmt.title


# --- fixtures: what each lacks of OpenAIRE's Mandatory fields ------------------------------

#: Fixture record -> the Mandatory facts it lacks. None has a publication date (the seed
#: names none, nor do the other items of its issue), so OpenAIRE gets none of them.
FIXTURE_LACKS = {
    SEED: {"publication date"},
    "oai:prometheusjournal.co.uk:book-review/magic-and-the-will-to-science": {
        "publication date",
        "resource identifier",
    },
    "oai:prometheusjournal.co.uk:book-review/shaping-for-mediocrity": {
        "publication date",
        "resource identifier",
    },
    "oai:prometheusjournal.co.uk:book-review/how-scientific-instruments-speak": {
        "publication date",
        "resource identifier",
    },
    "oai:prometheusjournal.co.uk:book-review/false-alarm": {
        "publication date",
        "resource identifier",
    },
    "oai:prometheusjournal.co.uk:article/how-does-innovation-arise-in-the-bicycle-sector": {
        "publication date",
    },
}


def lacks(metadata: dict[str, Any]) -> set[str]:
    """The guidelines' Mandatory fields a record's raw metadata gives no value for."""
    missing = set()
    titles = [t["value"] if isinstance(t, dict) else t for t in metadata.get("title", [])]
    if not any(title.strip() for title in titles):
        missing.add("title")
    if "published" not in metadata:
        missing.add("publication date")
    if "access" not in metadata:
        missing.add("access right")
    if "doi" not in metadata and "url" not in metadata:
        missing.add("resource identifier")
    return missing


def test_every_fixture_record_is_declined_for_what_it_lacks() -> None:
    lines = format_checks.fixture_lines()
    assert {line["identifier"] for line in lines} == set(FIXTURE_LACKS)
    for line in lines:
        assert lacks(line["metadata"]) == FIXTURE_LACKS[line["identifier"]], line["identifier"]
        assert render(line["identifier"], line["metadata"]) is None, line["identifier"]


def test_the_seed_is_declined_only_for_its_missing_publication_date() -> None:
    # A test-only copy with a date: what the seed would be if it named one (it does not).
    seed = format_checks.fixture(SEED)
    dated = copy.deepcopy(seed["metadata"]) | {"published": "2024"}
    element = rendered(SEED, dated)
    assert valid(SCHEMA, element)
    assert openaire_rules.violations(element, article(SEED, dated)) == []
    assert element.xpath("datacite:identifier/@identifierType", namespaces=NS) == ["URL"]


# --- every generated record ------------------------------------------------------------------


def test_generated_records_are_valid_and_keep_the_guidelines() -> None:
    offered = embargoed = reviews = 0
    for line in articles.records(300):
        element = render(line["identifier"], line["metadata"])
        assert (element is None) == bool(lacks(line["metadata"])), line["identifier"]
        if element is None:
            continue
        offered += 1
        assert valid(SCHEMA, element), line["identifier"]
        problems = openaire_rules.violations(element, article(line["identifier"], line["metadata"]))
        assert problems == [], (line["identifier"], problems)
        embargoed += line["metadata"].get("access") == "embargoed"
        reviews += "isbn" in line["metadata"].get("reviewed", {})
    assert offered > 150 and embargoed > 10 and reviews > 3  # every shape was met


@pytest.mark.parametrize(
    ("path", "attribute", "value"),
    [
        ("datacite:rights", "rightsURI", "http://purl.org/coar/access_right/c_xxxx"),
        ("oaire:resourceType", "uri", "http://purl.org/coar/resource_type/c_nope"),
        ("oaire:resourceType", "resourceTypeGeneral", "article"),
        ("oaire:file", "objectType", "pdf"),
        ("oaire:version", "uri", "http://purl.org/coar/version/c_bad"),
        ("datacite:identifier", "identifierType", "ISBN"),
    ],
)
def test_the_schema_really_validates(path: str, attribute: str, value: str) -> None:
    # A failed xs:import is only a warning in libxml2: a broken instance must fail.
    element = rendered(ARTICLE_ID, ARTICLE)
    assert valid(SCHEMA, element)
    element.xpath(path, namespaces=NS)[0].set(attribute, value)
    assert not valid(SCHEMA, element)


# --- reviewed expected documents ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "identifier", "metadata"),
    [("article", ARTICLE_ID, ARTICLE), ("book-review", BOOK_REVIEW_ID, BOOK_REVIEW)],
)
def test_expected_document(name: str, identifier: str, metadata: dict[str, Any]) -> None:
    element = rendered(identifier, metadata)
    assert canonical(element) == canonical(format_checks.expected("oai_openaire", name))
    assert valid(SCHEMA, element)
    assert openaire_rules.violations(element, article(identifier, metadata)) == []


# --- crosswalk: each article key, where it lands, the value ------------------------------------

CREATOR_1 = "datacite:creators/datacite:creator[1]/"
FUNDING_1 = "oaire:fundingReferences/oaire:fundingReference[1]/"
CROSSWALK = [
    (
        "title",
        "datacite:titles/datacite:title/text()",
        ["Regional clusters & <SMEs>: a study", "Regionale Cluster & KMU: eine Studie"],
    ),
    ("title lang", "datacite:titles/datacite:title/@xml:lang", ["en", "de"]),
    (
        "authors: inverted name",
        "datacite:creators/datacite:creator/datacite:creatorName/text()",
        ["Carberry, Josiah", "Müller, Zoë", "An Organisation as author"],
    ),
    (
        "authors: name types",
        "datacite:creators/datacite:creator/datacite:creatorName/@nameType",
        ["Personal", "Personal", "Organizational"],
    ),
    ("authors: given", CREATOR_1 + "datacite:givenName/text()", ["Josiah"]),
    ("authors: family", CREATOR_1 + "datacite:familyName/text()", ["Carberry"]),
    (
        "authors: orcid",
        CREATOR_1 + "datacite:nameIdentifier[@nameIdentifierScheme='ORCID']/text()",
        ["https://orcid.org/0000-0002-1825-0097"],
    ),
    (
        "authors: affiliation",
        CREATOR_1 + "datacite:affiliation/text()",
        ["An Example University", "A Research Institute Without ROR"],
    ),
    (
        "authors: ror",
        CREATOR_1 + "datacite:affiliation/@affiliationIdentifier",
        ["https://ror.org/05gq02987"],
    ),
    (
        "orcid before affiliation",
        "local-name(" + CREATOR_1 + "datacite:nameIdentifier/following-sibling::*[1])",
        "affiliation",
    ),
    (
        "contributor (dc)",
        "datacite:contributors/datacite:contributor[@contributorType='Other']/datacite:contributorName/text()",
        ["Editor, Ed"],
    ),
    (
        "funding: funder",
        "oaire:fundingReferences/oaire:fundingReference/oaire:funderName/text()",
        ["Economic and Social Research Council", "An Example Foundation"],
    ),
    (
        "funding: funder_id",
        "oaire:fundingReferences/oaire:fundingReference/oaire:funderIdentifier/text()",
        ["https://doi.org/10.13039/501100000269", "https://ror.org/0000c1s20"],
    ),
    (
        "funding: its type",
        "oaire:fundingReferences/oaire:fundingReference/oaire:funderIdentifier/@funderIdentifierType",
        ["Crossref Funder ID", "ROR"],
    ),
    ("funding: award", FUNDING_1 + "oaire:awardNumber/text()", ["ES/X000000/1"]),
    ("funding: award_title", FUNDING_1 + "oaire:awardTitle/text()", ["Clusters and firms"]),
    (
        "doi",
        "datacite:identifier[@identifierType='DOI']/text()",
        ["https://doi.org/10.5555/12345678"],
    ),
    (
        "url (with a DOI)",
        "datacite:alternateIdentifiers/datacite:alternateIdentifier[@alternateIdentifierType='URL']/text()",
        ["https://journal.example.org/article/123"],
    ),
    (
        "issn",
        "datacite:relatedIdentifiers/datacite:relatedIdentifier[@relatedIdentifierType='ISSN'][@relationType='IsPartOf']/text()",
        ["0317-8471"],
    ),
    (
        "eissn",
        "datacite:relatedIdentifiers/datacite:relatedIdentifier[@relatedIdentifierType='EISSN'][@relationType='IsPartOf']/text()",
        ["2049-3630"],
    ),
    ("published", "datacite:dates/datacite:date[@dateType='Issued']/text()", ["2021-06-30"]),
    (
        "embargo start: publication",
        "datacite:dates/datacite:date[@dateType='Accepted']/text()",
        ["2021-06-30"],
    ),
    ("embargo_until", "datacite:dates/datacite:date[@dateType='Available']/text()", ["2027-01-01"]),
    ("language: ISO 639-3", "dc:language/text()", ["eng"]),
    ("publisher", "dc:publisher/text()", ["Example University Press"]),
    (
        "article_type",
        "oaire:resourceType[@resourceTypeGeneral='literature']/@uri",
        ["http://purl.org/coar/resource_type/c_2df8fbb1"],
    ),
    ("article_type label", "oaire:resourceType/text()", ["research article"]),
    (
        "description",
        "dc:description/text()",
        ["We study clusters of small firms.", "Wir untersuchen Cluster kleiner Firmen."],
    ),
    ("description lang", "dc:description/@xml:lang", ["en", "de"]),
    ("files: formats", "dc:format/text()", ["application/pdf", "text/html"]),
    ("access", "datacite:rights/@rightsURI", ["http://purl.org/coar/access_right/c_f1cf"]),
    ("access label", "datacite:rights/text()", ["embargoed access"]),
    ("subject", "datacite:subjects/datacite:subject/text()", ["innovation policy", "clusters"]),
    ("license", "oaire:licenseCondition/@uri", ["https://creativecommons.org/licenses/by/4.0/"]),
    (
        "license name",
        "oaire:licenseCondition/text()",
        ["Creative Commons Attribution 4.0 International"],
    ),
    ("license from embargo end", "oaire:licenseCondition/@startDate", ["2027-01-01"]),
    ("version", "oaire:version/@uri", ["http://purl.org/coar/version/c_ab4af688f83e57aa"]),
    ("version label", "oaire:version/text()", ["AM"]),
    (
        "files: url",
        "oaire:file[@objectType='fulltext']/text()",
        [
            "https://journal.example.org/article/123.pdf",
            "https://journal.example.org/article/123.html",
        ],
    ),
    ("files: mime", "oaire:file/@mimeType", ["application/pdf", "text/html"]),
    (
        "files: access",
        "oaire:file/@accessRightsURI",
        ["http://purl.org/coar/access_right/c_f1cf"] * 2,
    ),
    ("journal", "oaire:citationTitle/text()", ["Journal of Examples"]),
    ("volume", "oaire:citationVolume/text()", ["37"]),
    ("issue", "oaire:citationIssue/text()", ["2"]),
    ("pages: first", "oaire:citationStartPage/text()", ["69"]),
    ("pages: last", "oaire:citationEndPage/text()", ["87"]),
    ("section: no place in OpenAIRE", "count(//*[text()='Original Articles'])", 0.0),
]
REVIEW_CROSSWALK = [
    ("article_type", "oaire:resourceType/@uri", ["http://purl.org/coar/resource_type/c_ba08"]),
    ("article_type label", "oaire:resourceType/text()", ["book review"]),
    (
        "reviewed isbn",
        "datacite:relatedIdentifiers/datacite:relatedIdentifier[@relatedIdentifierType='ISBN'][@relationType='Reviews']/text()",
        ["9781541647466"],
    ),
    (
        "version default: published",
        "oaire:version/@uri",
        ["http://purl.org/coar/version/c_970fb48d4fbd8a85"],
    ),
    ("no authors: no creators", "count(datacite:creators)", 0.0),
    ("access open", "datacite:rights/@rightsURI", ["http://purl.org/coar/access_right/c_abf2"]),
    ("no embargo dates", "count(datacite:dates/datacite:date[@dateType!='Issued'])", 0.0),
    ("no embargo: licence without start", "count(oaire:licenseCondition/@startDate)", 0.0),
    (
        "licence as given (http)",
        "oaire:licenseCondition/@uri",
        ["http://creativecommons.org/licenses/by/4.0/"],
    ),
    ("language eng as ISO 639-3", "dc:language/text()", ["eng"]),
    (
        "published to the month",
        "datacite:dates/datacite:date[@dateType='Issued']/text()",
        ["2021-09"],
    ),
    ("one page", "oaire:citationStartPage/text()", ["201"]),
    ("one page: no end", "count(oaire:citationEndPage)", 0.0),
]


@pytest.mark.parametrize(("key", "path", "want"), CROSSWALK, ids=[row[0] for row in CROSSWALK])
def test_crosswalk(key: str, path: str, want: object) -> None:
    assert rendered(ARTICLE_ID, ARTICLE).xpath(path, namespaces=NS) == want


@pytest.mark.parametrize(
    ("key", "path", "want"), REVIEW_CROSSWALK, ids=[row[0] for row in REVIEW_CROSSWALK]
)
def test_book_review_crosswalk(key: str, path: str, want: object) -> None:
    assert rendered(BOOK_REVIEW_ID, BOOK_REVIEW).xpath(path, namespaces=NS) == want


@pytest.mark.parametrize(
    ("given", "want"),
    [
        ("en", "eng"),
        ("de", "deu"),
        ("fre", "fra"),
        ("fra", "fra"),
        ("pt-BR", "por"),
        ("tlh", "tlh"),
    ],
)
def test_language_as_iso_639_3(given: str, want: str) -> None:
    metadata = MINIMAL | {"language": [given]}
    assert rendered("oai:x:1", metadata).xpath("dc:language/text()", namespaces=NS) == [want]


# --- the decline rule ------------------------------------------------------------------------

MINIMAL: dict[str, Any] = {
    "title": ["A title"],
    "published": "2020",
    "access": "open",
    "doi": "10.5555/1",
    "url": "https://example.org/1",
}


def _without(*keys: str) -> dict[str, Any]:
    return {key: value for key, value in MINIMAL.items() if key not in keys}


AVAILABILITY = [
    ("title, date, access, DOI and landing page", MINIMAL, True),
    ("no title", _without("title"), False),
    ("only blank titles", MINIMAL | {"title": [" ", {"value": "", "lang": "en"}]}, False),
    ("no publication date", _without("published"), False),
    (
        "a Dublin Core date is not a publication date",
        _without("published") | {"date": ["2020"]},
        False,
    ),
    ("no access right", _without("access"), False),
    ("neither DOI nor landing page", _without("doi", "url"), False),
    ("landing page only", _without("doi"), True),
    ("DOI only", _without("url"), True),
]


@pytest.mark.parametrize(
    ("case", "metadata", "offered"), AVAILABILITY, ids=[r[0] for r in AVAILABILITY]
)
def test_availability(case: str, metadata: dict[str, Any], offered: bool) -> None:
    element = render("oai:x:1", metadata)
    assert (element is not None) == offered
    if element is not None:
        assert valid(SCHEMA, element)
        assert openaire_rules.violations(element, article("oai:x:1", metadata)) == []


@pytest.mark.parametrize(
    ("metadata", "identifier_type", "identifier", "alternates"),
    [
        (MINIMAL, "DOI", "https://doi.org/10.5555/1", ["https://example.org/1"]),
        (_without("doi"), "URL", "https://example.org/1", []),
        (_without("url"), "DOI", "https://doi.org/10.5555/1", []),
    ],
)
def test_resource_identifier_is_the_doi_else_the_landing_page(
    metadata: dict[str, Any], identifier_type: str, identifier: str, alternates: list[str]
) -> None:
    element = rendered("oai:x:1", metadata)
    assert element.xpath("datacite:identifier/@identifierType", namespaces=NS) == [identifier_type]
    assert element.xpath("datacite:identifier/text()", namespaces=NS) == [identifier]
    path = "datacite:alternateIdentifiers/datacite:alternateIdentifier/text()"
    assert element.xpath(path, namespaces=NS) == alternates


# --- the guidelines' rules, which the XSD does not check ----------------------------------------


def _drop(path: str) -> Callable[[etree._Element], None]:
    def drop(element: etree._Element) -> None:
        nodes = element.xpath(path, namespaces=NS)
        assert nodes, path
        for node in nodes:
            node.getparent().remove(node)

    return drop


def _set(path: str, attribute: str | None, value: str) -> Callable[[etree._Element], None]:
    def change(element: etree._Element) -> None:
        node = element.xpath(path, namespaces=NS)[0]
        if attribute is None:
            node.text = value
        else:
            node.set(attribute, value)

    return change


BROKEN = [
    ("no title", _drop("datacite:titles"), "title"),
    ("an empty title", _set("datacite:titles/datacite:title[1]", None, " "), None),
    ("no publication date", _drop("datacite:dates/datacite:date[@dateType='Issued']"), "issued"),
    (
        "a date that is not W3CDTF",
        _set("datacite:dates/datacite:date[@dateType='Issued']", None, "30/06/2021"),
        "issued",
    ),
    ("no resource type", _drop("oaire:resourceType"), "resource-type"),
    ("no resource identifier", _drop("datacite:identifier"), "identifier"),
    ("an empty resource identifier", _set("datacite:identifier", None, ""), "identifier"),
    ("no access right", _drop("datacite:rights"), "access-rights"),
    (
        "an access label that is not the URI's",
        _set("datacite:rights", None, "open access"),
        "access-rights",
    ),
    ("a creator missing", _drop("datacite:creators/datacite:creator[2]"), "creator"),
    ("no contributors", _drop("datacite:contributors"), "contributor"),
    ("no funding references", _drop("oaire:fundingReferences"), "funding"),
    ("an award without its number", _drop(FUNDING_1 + "oaire:awardNumber"), "funding"),
    (
        "embargoed without its end",
        _drop("datacite:dates/datacite:date[@dateType='Available']"),
        "embargo",
    ),
    (
        "embargoed without its start",
        _drop("datacite:dates/datacite:date[@dateType='Accepted']"),
        "embargo",
    ),
    ("no language", _drop("dc:language"), "language"),
    ("no publisher", _drop("dc:publisher"), "publisher"),
    ("no description", _drop("dc:description"), "description"),
    ("no subjects", _drop("datacite:subjects"), "subject"),
    ("a file missing", _drop("oaire:file[2]"), "file"),
    (
        "a licence without its uri",
        lambda e: e.xpath("oaire:licenseCondition", namespaces=NS)[0].attrib.pop("uri"),
        "licence",
    ),
]


def test_the_rules_pass_the_rich_article() -> None:
    element = rendered(ARTICLE_ID, ARTICLE)
    assert openaire_rules.violations(element, article(ARTICLE_ID, ARTICLE)) == []


@pytest.mark.parametrize(("case", "breaks", "rule"), BROKEN, ids=[r[0] for r in BROKEN])
def test_the_rules_catch_what_the_schema_lets_through(
    case: str, breaks: Callable[[etree._Element], None], rule: str | None
) -> None:
    element = rendered(ARTICLE_ID, ARTICLE)
    breaks(element)
    rules = {name for name, _ in openaire_rules.violations(element, article(ARTICLE_ID, ARTICLE))}
    if rule is None:  # the other title is still there: one non-empty title is enough
        assert rules == set()
    else:
        assert rule in rules
    assert valid(SCHEMA, element), "the XSD catches this one by itself"


# --- hostile text ----------------------------------------------------------------------------


def test_hostile_text_stays_escaped_and_valid() -> None:
    long_abstract = "Ü<&>" * 50_000
    metadata = MINIMAL | {
        "title": [HOSTILE],
        "description": [{"value": long_abstract, "lang": "de"}],
        "publisher": [HOSTILE],
        "subject": [HOSTILE],
        "authors": [{"family": HOSTILE, "given": HOSTILE, "affiliations": [{"name": HOSTILE}]}],
        "journal": HOSTILE,
        "volume": HOSTILE,
        "funding": [{"funder": HOSTILE, "award": HOSTILE, "award_title": HOSTILE}],
        "url": 'https://example.org/a?b=<c>&d="e"',
        "files": [{"url": 'https://example.org/f?x=<&>"', "mime": "application/pdf"}],
    }
    element = rendered("oai:x:1", metadata)
    assert valid(SCHEMA, element)
    for path in (
        "datacite:titles/datacite:title",
        "dc:publisher",
        "datacite:subjects/datacite:subject",
        "datacite:creators/datacite:creator/datacite:familyName",
        "datacite:creators/datacite:creator/datacite:affiliation",
        "oaire:citationTitle",
        "oaire:citationVolume",
        FUNDING_1 + "oaire:funderName",
        FUNDING_1 + "oaire:awardTitle",
    ):
        assert element.xpath(f"{path}/text()", namespaces=NS) == [HOSTILE_READ], path
    assert element.xpath("dc:description/text()", namespaces=NS) == [long_abstract]
    assert element.xpath("oaire:file/text()", namespaces=NS) == ['https://example.org/f?x=<&>"']
    alternate = "datacite:alternateIdentifiers/datacite:alternateIdentifier/text()"
    assert element.xpath(alternate, namespaces=NS) == ['https://example.org/a?b=<c>&d="e"']
