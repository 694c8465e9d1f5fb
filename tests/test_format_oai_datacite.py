"""oai_datacite: the wrapper valid against oai-1.1, the payload valid on its own against kernel-4.

The wrapper's XSD leaves ``payload`` untyped, so every payload is also validated
alone (and a broken payload is shown to pass the wrapper and fail kernel-4).
Records without a DOI, a title, a publisher or a publication year are declined.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from lxml import etree

from oai.formats import BY_PREFIX, oai_datacite

from . import articles, format_checks, xsd
from .format_checks import HOSTILE, HOSTILE_READ, article, canonical, parse, valid
from .rich_articles import ARTICLE, ARTICLE_ID, BOOK_REVIEW, BOOK_REVIEW_ID

WRAPPER = "datacite/oai-1.1/oai.xsd"
KERNEL = "datacite/kernel-4/metadata.xsd"
OAI_DATACITE = "http://schema.datacite.org/oai/oai-1.1/"
NS = {"w": OAI_DATACITE, "d": "http://datacite.org/schema/kernel-4"}
R = "w:payload/d:resource/"
#: DataCite's DOI syntax, which kernel-4's XSD stopped checking in 4.2.
DOI = re.compile(r"10\.\d{4,9}(\.\d+)*/\S+")


def render(identifier: str, metadata: dict[str, Any]) -> etree._Element | None:
    markup = oai_datacite.render(article(identifier, metadata))
    return None if markup is None else parse(markup)


def rendered(identifier: str, metadata: dict[str, Any]) -> etree._Element:
    element = render(identifier, metadata)
    assert element is not None, f"{identifier} was declined"
    return element


def payload(element: etree._Element) -> etree._Element:
    resources = element.xpath("w:payload/d:resource", namespaces=NS)
    assert len(resources) == 1
    resource: etree._Element = resources[0]
    return resource


def both_valid(element: etree._Element) -> bool:
    return valid(WRAPPER, element) and valid(KERNEL, payload(element))


def test_registered_after_oai_openaire() -> None:
    fmt = BY_PREFIX["oai_datacite"]
    assert fmt.namespace == OAI_DATACITE
    assert fmt.schema == "http://schema.datacite.org/oai/oai-1.1/oai.xsd"
    assert fmt.version >= 1 and fmt.requires and fmt.title


# --- fixtures ------------------------------------------------------------------------------

#: Fixture record -> what it lacks of what DataCite requires. Only the gravel-bike
#: article has a DOI, and no fixture names a publication date (year).
FIXTURE_LACKS = {
    "oai:prometheusjournal.co.uk:article/putting-innovation-in-place": {"DOI", "year"},
    "oai:prometheusjournal.co.uk:book-review/magic-and-the-will-to-science": {"DOI", "year"},
    "oai:prometheusjournal.co.uk:book-review/shaping-for-mediocrity": {"DOI", "year"},
    "oai:prometheusjournal.co.uk:book-review/how-scientific-instruments-speak": {"DOI", "year"},
    "oai:prometheusjournal.co.uk:book-review/false-alarm": {"DOI", "year"},
    "oai:prometheusjournal.co.uk:article/how-does-innovation-arise-in-the-bicycle-sector": {"year"},
}


def lacks(metadata: dict[str, Any]) -> set[str]:
    """What DataCite's mandatory properties need that the raw metadata does not give."""

    def texts(key: str) -> list[str]:
        return [v["value"] if isinstance(v, dict) else v for v in metadata.get(key, [])]

    missing = set()
    if "doi" not in metadata:
        missing.add("DOI")
    if not any(text.strip() for text in texts("title")):
        missing.add("title")
    if not any(text.strip() for text in texts("publisher")):
        missing.add("publisher")
    if "published" not in metadata:
        missing.add("year")
    return missing


def test_every_fixture_record_is_declined_for_what_it_lacks() -> None:
    lines = format_checks.fixture_lines()
    assert {line["identifier"] for line in lines} == set(FIXTURE_LACKS)
    for line in lines:
        assert lacks(line["metadata"]) == FIXTURE_LACKS[line["identifier"]], line["identifier"]
        assert render(line["identifier"], line["metadata"]) is None, line["identifier"]


def test_the_gravel_bike_article_lacks_only_its_year() -> None:
    # A test-only copy with a year (the fixture names none): it would be offered, valid.
    identifier = (
        "oai:prometheusjournal.co.uk:article/how-does-innovation-arise-in-the-bicycle-sector"
    )
    line = format_checks.fixture(identifier)
    element = rendered(identifier, copy.deepcopy(line["metadata"]) | {"published": "2024"})
    assert both_valid(element)
    assert element.xpath(R + "d:identifier/text()", namespaces=NS) == [
        "10.13169/Prometheus.40.2.0092"
    ]
    assert element.xpath(R + "d:creators/d:creator/d:creatorName/text()", namespaces=NS) == [
        "(:unav)"
    ]


# --- every generated record ------------------------------------------------------------------


def test_generated_records_wrapper_and_payload_valid() -> None:
    offered = reviews = 0
    for line in articles.records(300):
        element = render(line["identifier"], line["metadata"])
        assert (element is None) == bool(lacks(line["metadata"])), line["identifier"]
        if element is None:
            continue
        offered += 1
        assert valid(WRAPPER, element), line["identifier"]
        assert valid(KERNEL, payload(element)), line["identifier"]
        xsd.check_metadata(element)  # what every OAI response check does with it
        identifier = element.xpath(R + "d:identifier", namespaces=NS)[0]
        assert identifier.get("identifierType") == "DOI" and DOI.fullmatch(identifier.text)
        reviews += bool(
            element.xpath(
                R + "d:relatedItems/d:relatedItem[@relationType='Reviews']", namespaces=NS
            )
        )
    assert offered > 150 and reviews > 5


@pytest.mark.parametrize(
    ("path", "attribute", "value"),
    [
        (R + "d:resourceType", "resourceTypeGeneral", "Article"),
        (R + "d:dates/d:date", "dateType", "Published"),
        (R + "d:relatedIdentifiers/d:relatedIdentifier", "relationType", "IsInJournal"),
        (R + "d:publicationYear", None, "21"),
        (R + "d:titles", "remove", ""),
    ],
)
def test_a_broken_payload_passes_the_wrapper_and_fails_kernel_4(
    path: str, attribute: str | None, value: str
) -> None:
    element = rendered(ARTICLE_ID, ARTICLE)
    assert both_valid(element)
    node = element.xpath(path, namespaces=NS)[0]
    if attribute == "remove":
        node.getparent().remove(node)
    elif attribute is None:
        node.text = value
    else:
        node.set(attribute, value)
    assert valid(WRAPPER, element), "the wrapper's XSD does not look inside payload"
    assert not valid(KERNEL, payload(element))
    with pytest.raises(AssertionError, match="embedded"):
        xsd.check_metadata(element)


def test_the_wrapper_schema_really_validates() -> None:
    element = rendered(ARTICLE_ID, ARTICLE)
    symbol = element.find(f"{{{OAI_DATACITE}}}datacentreSymbol")
    element.remove(symbol)  # oai-1.1 requires it
    assert not valid(WRAPPER, element)


# --- reviewed expected documents ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "identifier", "metadata"),
    [("article", ARTICLE_ID, ARTICLE), ("book-review", BOOK_REVIEW_ID, BOOK_REVIEW)],
)
def test_expected_document(name: str, identifier: str, metadata: dict[str, Any]) -> None:
    element = rendered(identifier, metadata)
    assert canonical(element) == canonical(format_checks.expected("oai_datacite", name))
    assert both_valid(element)


# --- crosswalk ---------------------------------------------------------------------------------

CREATOR_1 = R + "d:creators/d:creator[1]/"
JOURNAL = (
    R + "d:relatedItems/d:relatedItem[@relatedItemType='Journal'][@relationType='IsPublishedIn']/"
)
RIGHTS = R + "d:rightsList/d:rights"
RELATED = R + "d:relatedIdentifiers/d:relatedIdentifier"
CROSSWALK = [
    ("doi", R + "d:identifier[@identifierType='DOI']/text()", ["10.5555/12345678"]),
    (
        "authors",
        R + "d:creators/d:creator/d:creatorName/text()",
        ["Carberry, Josiah", "Müller, Zoë", "An Organisation as author"],
    ),
    (
        "authors: name types",
        R + "d:creators/d:creator/d:creatorName/@nameType",
        ["Personal", "Personal", "Organizational"],
    ),
    ("authors: given", CREATOR_1 + "d:givenName/text()", ["Josiah"]),
    ("authors: family", CREATOR_1 + "d:familyName/text()", ["Carberry"]),
    (
        "authors: orcid",
        CREATOR_1
        + "d:nameIdentifier[@nameIdentifierScheme='ORCID'][@schemeURI='https://orcid.org']/text()",
        ["https://orcid.org/0000-0002-1825-0097"],
    ),
    (
        "authors: ror",
        CREATOR_1
        + "d:affiliation[@affiliationIdentifierScheme='ROR'][@schemeURI='https://ror.org']/@affiliationIdentifier",
        ["https://ror.org/05gq02987"],
    ),
    (
        "authors: affiliations",
        CREATOR_1 + "d:affiliation/text()",
        ["An Example University", "A Research Institute Without ROR"],
    ),
    (
        "orcid before affiliation",
        "local-name(" + CREATOR_1 + "d:nameIdentifier/following-sibling::*[1])",
        "affiliation",
    ),
    (
        "title",
        R + "d:titles/d:title/text()",
        ["Regional clusters & <SMEs>: a study", "Regionale Cluster & KMU: eine Studie"],
    ),
    ("title lang", R + "d:titles/d:title/@xml:lang", ["en", "de"]),
    ("publisher", R + "d:publisher/text()", ["Example University Press"]),
    ("published: year", R + "d:publicationYear/text()", ["2021"]),
    (
        "article_type",
        R + "d:resourceType[@resourceTypeGeneral='JournalArticle']/text()",
        ["Research article"],
    ),
    ("subject", R + "d:subjects/d:subject/text()", ["innovation policy", "clusters"]),
    ("subject lang", R + "d:subjects/d:subject/@xml:lang", ["en"]),
    (
        "contributor (dc)",
        R + "d:contributors/d:contributor[@contributorType='Other']/d:contributorName/text()",
        ["Editor, Ed"],
    ),
    ("published", R + "d:dates/d:date[@dateType='Issued']/text()", ["2021-06-30"]),
    ("embargo_until", R + "d:dates/d:date[@dateType='Available']/text()", ["2027-01-01"]),
    ("language: BCP 47", R + "d:language/text()", ["en"]),
    (
        "url",
        R + "d:alternateIdentifiers/d:alternateIdentifier[@alternateIdentifierType='URL']/text()",
        ["https://journal.example.org/article/123"],
    ),
    (
        "issn",
        RELATED + "[@relatedIdentifierType='ISSN'][@relationType='IsPublishedIn']/text()",
        ["0317-8471"],
    ),
    (
        "eissn",
        RELATED + "[@relatedIdentifierType='EISSN'][@relationType='IsPublishedIn']/text()",
        ["2049-3630"],
    ),
    ("files: formats", R + "d:formats/d:format/text()", ["application/pdf", "text/html"]),
    ("license", RIGHTS + "[1]/@rightsURI", ["https://creativecommons.org/licenses/by/4.0/"]),
    (
        "license: SPDX",
        RIGHTS
        + "[@rightsIdentifierScheme='SPDX'][@schemeURI='https://spdx.org/licenses/']/@rightsIdentifier",
        ["CC-BY-4.0"],
    ),
    ("license: name", RIGHTS + "[1]/text()", ["Creative Commons Attribution 4.0 International"]),
    ("access", RIGHTS + "[2]/@rightsURI", ["info:eu-repo/semantics/embargoedAccess"]),
    ("access label", RIGHTS + "[2]/text()", ["Embargoed Access"]),
    (
        "description",
        R + "d:descriptions/d:description[@descriptionType='Abstract']/text()",
        ["We study clusters of small firms.", "Wir untersuchen Cluster kleiner Firmen."],
    ),
    ("description lang", R + "d:descriptions/d:description/@xml:lang", ["en", "de"]),
    (
        "funding: funder",
        R + "d:fundingReferences/d:fundingReference/d:funderName/text()",
        ["Economic and Social Research Council", "An Example Foundation"],
    ),
    (
        "funding: funder_id",
        R + "d:fundingReferences/d:fundingReference/d:funderIdentifier/text()",
        ["https://doi.org/10.13039/501100000269", "https://ror.org/0000c1s20"],
    ),
    (
        "funding: its type",
        R + "d:fundingReferences/d:fundingReference/d:funderIdentifier/@funderIdentifierType",
        ["Crossref Funder ID", "ROR"],
    ),
    (
        "funding: award",
        R + "d:fundingReferences/d:fundingReference/d:awardNumber/text()",
        ["ES/X000000/1"],
    ),
    (
        "funding: award_title",
        R + "d:fundingReferences/d:fundingReference/d:awardTitle/text()",
        ["Clusters and firms"],
    ),
    ("journal", JOURNAL + "d:titles/d:title/text()", ["Journal of Examples"]),
    (
        "journal: ISSN",
        JOURNAL + "d:relatedItemIdentifier[@relatedItemIdentifierType='ISSN']/text()",
        ["0317-8471"],
    ),
    ("volume", JOURNAL + "d:volume/text()", ["37"]),
    ("issue", JOURNAL + "d:issue/text()", ["2"]),
    ("pages: first", JOURNAL + "d:firstPage/text()", ["69"]),
    ("pages: last", JOURNAL + "d:lastPage/text()", ["87"]),
    ("version: DataCite's is a release number, not written", "count(" + R + "d:version)", 0.0),
    ("section: no DataCite property", "count(//*[text()='Original Articles'])", 0.0),
    ("files: no file-URL property", "count(//*[contains(text(), '123.pdf')])", 0.0),
]
REVIEWED = R + "d:relatedItems/d:relatedItem[@relatedItemType='Book'][@relationType='Reviews']/"
REVIEW_CROSSWALK = [
    ("no authors: (:unav)", R + "d:creators/d:creator/d:creatorName/text()", ["(:unav)"]),
    (
        "article_type",
        R + "d:resourceType[@resourceTypeGeneral='JournalArticle']/text()",
        ["Book review"],
    ),
    (
        "reviewed: isbn",
        REVIEWED + "d:relatedItemIdentifier[@relatedItemIdentifierType='ISBN']/text()",
        ["9781541647466"],
    ),
    (
        "reviewed: isbn relation",
        RELATED + "[@relatedIdentifierType='ISBN'][@relationType='Reviews']"
        "[@resourceTypeGeneral='Book']/text()",
        ["9781541647466"],
    ),
    ("reviewed: title", REVIEWED + "d:titles/d:title/text()", ["False Alarm"]),
    (
        "reviewed: authors",
        REVIEWED + "d:creators/d:creator/d:creatorName/text()",
        ["Lomborg, Bjørn"],
    ),
    (
        "reviewed: author type",
        REVIEWED + "d:creators/d:creator/d:creatorName/@nameType",
        ["Personal"],
    ),
    ("reviewed: year", REVIEWED + "d:publicationYear/text()", ["2020"]),
    ("reviewed: publisher", REVIEWED + "d:publisher/text()", ["Basic Books"]),
    ("language eng as BCP 47", R + "d:language/text()", ["en"]),
    ("published to the month", R + "d:dates/d:date[@dateType='Issued']/text()", ["2021-09"]),
    ("year from a month", R + "d:publicationYear/text()", ["2021"]),
    ("no embargo: no Available", "count(" + R + "d:dates/d:date[@dateType='Available'])", 0.0),
    (
        "licence as given (http)",
        RIGHTS + "[1]/@rightsURI",
        ["http://creativecommons.org/licenses/by/4.0/"],
    ),
    ("access open", RIGHTS + "[2]/@rightsURI", ["info:eu-repo/semantics/openAccess"]),
    ("one page", R + "d:relatedItems/d:relatedItem[1]/d:firstPage/text()", ["201"]),
    (
        "no eissn",
        "count(" + R + "d:relatedIdentifiers/d:relatedIdentifier[@relatedIdentifierType='EISSN'])",
        0.0,
    ),
]


@pytest.mark.parametrize(("key", "path", "want"), CROSSWALK, ids=[row[0] for row in CROSSWALK])
def test_crosswalk(key: str, path: str, want: object) -> None:
    assert rendered(ARTICLE_ID, ARTICLE).xpath(path, namespaces=NS) == want


@pytest.mark.parametrize(
    ("key", "path", "want"), REVIEW_CROSSWALK, ids=[row[0] for row in REVIEW_CROSSWALK]
)
def test_book_review_crosswalk(key: str, path: str, want: object) -> None:
    assert rendered(BOOK_REVIEW_ID, BOOK_REVIEW).xpath(path, namespaces=NS) == want


MINIMAL: dict[str, Any] = {
    "title": ["A title"],
    "publisher": ["A Press"],
    "published": "2020-05",
    "doi": "10.5555/1",
}


@pytest.mark.parametrize(
    ("given", "want"),
    [
        (["en"], ["en"]),
        (["eng"], ["en"]),
        (["ger"], ["de"]),
        (["pt-BR"], ["pt-BR"]),
        (["fr", "en"], ["fr"]),  # DataCite has one language: the first
        (["tlh"], ["tlh"]),  # not in our table, but a language tag: as given
        (["English"], []),  # a language's name, not a BCP 47 tag (xs:language would take it)
        (["English", "de"], ["de"]),
        (["eng-GB"], ["en-GB"]),  # BCP 47 wants the shortest code
        ([" en "], ["en"]),
        (["en_GB", "de"], ["de"]),  # not a tag: the next one
        (["en_GB"], []),
    ],
)
def test_language_as_bcp_47(given: list[str], want: list[str]) -> None:
    element = rendered("oai:x:1", MINIMAL | {"language": given})
    assert element.xpath(R + "d:language/text()", namespaces=NS) == want
    assert both_valid(element)


@pytest.mark.parametrize(
    ("access", "uri", "label"),
    [
        ("open", "info:eu-repo/semantics/openAccess", "Open Access"),
        ("embargoed", "info:eu-repo/semantics/embargoedAccess", "Embargoed Access"),
        ("restricted", "info:eu-repo/semantics/restrictedAccess", "Restricted Access"),
        ("metadata-only", "info:eu-repo/semantics/closedAccess", "Closed Access"),
    ],
)
def test_access_rights(access: str, uri: str, label: str) -> None:
    metadata = MINIMAL | {"access": access}
    if access == "embargoed":
        metadata["embargo_until"] = "2030-01-01"
    element = rendered("oai:x:1", metadata)
    assert element.xpath(RIGHTS + "/@rightsURI", namespaces=NS) == [uri]
    assert element.xpath(RIGHTS + "/text()", namespaces=NS) == [label]


def test_a_licence_without_spdx_id_keeps_its_url() -> None:
    licence = "https://creativecommons.org/licenses/by/3.0/de/"
    element = rendered("oai:x:1", MINIMAL | {"license": licence})
    assert element.xpath(RIGHTS + "/@rightsURI", namespaces=NS) == [licence]
    assert element.xpath(RIGHTS + "/text()", namespaces=NS) == [licence]
    assert element.xpath(RIGHTS + "/@rightsIdentifier", namespaces=NS) == []


# --- the decline rule ------------------------------------------------------------------------


def _without(*keys: str) -> dict[str, Any]:
    return {key: value for key, value in MINIMAL.items() if key not in keys}


AVAILABILITY = [
    ("DOI, title, publisher, year", MINIMAL, True),
    (
        "no DOI (a landing page is not a DataCite identifier)",
        _without("doi") | {"url": "https://example.org/1"},
        False,
    ),
    ("no title", _without("title"), False),
    ("only a blank title", MINIMAL | {"title": ["  "]}, False),
    ("no publisher", _without("publisher"), False),
    ("only a blank publisher", MINIMAL | {"publisher": [""]}, False),
    ("no publication date", _without("published"), False),
    (
        "a Dublin Core date is not a publication year",
        _without("published") | {"date": ["2020"]},
        False,
    ),
    ("no author: (:unav), still offered", MINIMAL, True),
    ("no access right, licence, language: offered", MINIMAL, True),
]


@pytest.mark.parametrize(
    ("case", "metadata", "offered"), AVAILABILITY, ids=[r[0] for r in AVAILABILITY]
)
def test_availability(case: str, metadata: dict[str, Any], offered: bool) -> None:
    element = render("oai:x:1", metadata)
    assert (element is not None) == offered
    if element is not None:
        assert both_valid(element)


# --- DataCite's rules beyond the XSD ------------------------------------------------------------


def test_wrapper_holds_version_an_empty_symbol_and_a_payload_with_its_own_schema() -> None:
    element = rendered(ARTICLE_ID, ARTICLE)
    assert element.xpath("w:schemaVersion/text()", namespaces=NS) == ["4.7"]
    symbol = element.xpath("w:datacentreSymbol", namespaces=NS)
    assert len(symbol) == 1 and not symbol[0].text  # required by oai-1.1; we have no symbol
    location = payload(element).get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    assert location == (
        "http://datacite.org/schema/kernel-4 https://schema.datacite.org/meta/kernel-4/metadata.xsd"
    )
    # the payload stands alone: serialized by itself it declares what it uses
    alone = etree.fromstring(etree.tostring(payload(element)))
    assert valid(KERNEL, alone)


def test_publisher_keeps_its_language_and_the_first_non_blank_wins() -> None:
    metadata = MINIMAL | {"publisher": ["", {"value": "Presses de l'Exemple", "lang": "fr"}]}
    element = rendered("oai:x:1", metadata)
    assert element.xpath(R + "d:publisher/text()", namespaces=NS) == ["Presses de l'Exemple"]
    assert element.xpath(R + "d:publisher/@xml:lang", namespaces=NS) == ["fr"]


def test_a_dublin_core_creator_without_a_comma_has_no_name_type() -> None:
    # "Plato" or "CERN": the record does not say whether it is a person.
    element = rendered("oai:x:1", MINIMAL | {"creator": ["Plato", "Smith, Ann"]})
    names = element.xpath(R + "d:creators/d:creator/d:creatorName", namespaces=NS)
    assert [(name.text, name.get("nameType")) for name in names] == [
        ("Plato", None),
        ("Smith, Ann", "Personal"),
    ]


def test_journal_item_takes_the_eissn_when_there_is_no_print_issn() -> None:
    element = rendered("oai:x:1", MINIMAL | {"journal": "J", "eissn": "2049-3630"})
    path = R + "d:relatedItems/d:relatedItem/d:relatedItemIdentifier"
    item = element.xpath(path, namespaces=NS)
    assert [(i.text, i.get("relatedItemIdentifierType")) for i in item] == [("2049-3630", "EISSN")]


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
        "issue": HOSTILE,
        "funding": [{"funder": HOSTILE, "award": HOSTILE}],
        "url": 'https://example.org/a?b=<c>&d="e"',
        "article_type": "book-review",
        "reviewed": {"title": HOSTILE, "publisher": HOSTILE},
    }
    element = rendered("oai:x:1", metadata)
    assert both_valid(element)
    for path in (
        R + "d:titles/d:title",
        R + "d:publisher",
        R + "d:subjects/d:subject",
        CREATOR_1 + "d:familyName",
        CREATOR_1 + "d:affiliation",
        R + "d:fundingReferences/d:fundingReference/d:funderName",
        R + "d:fundingReferences/d:fundingReference/d:awardNumber",
        JOURNAL + "d:titles/d:title",
        JOURNAL + "d:issue",
        REVIEWED + "d:titles/d:title",
        REVIEWED + "d:publisher",
    ):
        assert element.xpath(f"{path}/text()", namespaces=NS) == [HOSTILE_READ], path
    assert element.xpath(R + "d:descriptions/d:description/text()", namespaces=NS) == [
        long_abstract
    ]
    alternate = R + "d:alternateIdentifiers/d:alternateIdentifier/text()"
    assert element.xpath(alternate, namespaces=NS) == ['https://example.org/a?b=<c>&d="e"']
