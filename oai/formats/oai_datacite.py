"""oai_datacite: a DataCite kernel-4 resource in DataCite's OAI wrapper, for DataCite consumers.

DataCite's Identifier is a DOI, so only records with one are offered; kernel-4 also
makes Title, Publisher and PublicationYear mandatory, so a record without them is
declined rather than padded. An unknown creator is DataCite's ``(:unav)``.

The wrapper (oai-1.1) requires ``datacentreSymbol``: this repository is not a
DataCite data centre and has no symbol, so the element is written empty rather than
invented. Its XSD does not look inside ``payload``: the resource carries its own
schemaLocation, and the tests validate it on its own against kernel-4.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ..article import Article
from . import Format
from .datacite_parts import UNPREFIXED
from .licences import SPDX_SCHEME_URI, creative_commons
from .markup import NOTHING, Markup, Tag, given, leaf, node, root, tag
from .oai_dc import XSI
from .pages import article_number
from .vocabularies import EU_REPO_ACCESS, RESOURCE_TYPES, language_tag

NAMESPACE = "http://schema.datacite.org/oai/oai-1.1/"
SCHEMA = "http://schema.datacite.org/oai/oai-1.1/oai.xsd"
KERNEL = "http://datacite.org/schema/kernel-4"
KERNEL_SCHEMA = "https://schema.datacite.org/meta/kernel-4/metadata.xsd"
#: The kernel version the payload is validated against (../shared/schemas: kernel-4 is 4.7).
SCHEMA_VERSION = "4.7"
#: What DataCite writes for a value that is unknown ("value unavailable").
UNAVAILABLE = "(:unav)"
JOURNAL_ARTICLE = "JournalArticle"

#: Access rights as DataCite consumers read them (OpenAIRE's data guidelines, Zenodo):
#: the info:eu-repo term and its label.
ACCESS_LABELS = {
    "open": "Open Access",
    "embargoed": "Embargoed Access",
    "restricted": "Restricted Access",
    "metadata-only": "Closed Access",
}

_ACCESS = {
    access: leaf("rights", label, ("rightsURI", EU_REPO_ACCESS[access]))
    for access, label in ACCESS_LABELS.items()
}

_NAMESPACES = (("", NAMESPACE), ("xsi", XSI))
_LOCATION = ("xsi:schemaLocation", f"{NAMESPACE} {SCHEMA}")
_HEAD = (leaf("schemaVersion", SCHEMA_VERSION), given("datacentreSymbol", ""))
_RESOURCE = (("xmlns", KERNEL), ("xsi:schemaLocation", f"{KERNEL} {KERNEL_SCHEMA}"))


def offered(article: Article) -> bool:
    """kernel-4's mandatory properties the record must hold: Identifier (a DOI),
    Title, Publisher, PublicationYear (Creator falls back to ``(:unav)``)."""
    return (
        article.doi is not None
        and any(text.value.strip() for text in article.titles)
        and any(text.value.strip() for text in article.dc.get("publisher", ()))
        and article.published is not None
    )


_IDENTIFIER = Tag("identifier", ("identifierType", "DOI"))


def _identifier(article: Article) -> Markup:
    return _IDENTIFIER.leaf(article.doi)


_UNAVAILABLE_CREATOR = node("creators", [node("creator", [leaf("creatorName", UNAVAILABLE)])])


def _creators(article: Article) -> Markup:
    return UNPREFIXED.creators(article) or _UNAVAILABLE_CREATOR


def _publisher(article: Article) -> Markup:
    first = next(text for text in article.dc["publisher"] if text.value.strip())
    return tag("publisher", ("xml:lang", first.lang)).leaf(first.value)


_PUBLICATION_YEAR = Tag("publicationYear")


def _publication_year(article: Article) -> Markup:
    assert article.published is not None
    return _PUBLICATION_YEAR.leaf(f"{article.published.year:04d}")


_RESOURCE_TYPES = {
    kind: leaf(
        "resourceType",
        term.label[0].upper() + term.label[1:],
        ("resourceTypeGeneral", JOURNAL_ARTICLE),
    )
    for kind, term in RESOURCE_TYPES.items()
}


def _resource_type(article: Article) -> Markup:
    return _RESOURCE_TYPES[article.article_type]


_DATES = Tag("dates")
_ISSUED = Tag("date", ("dateType", "Issued"))
_AVAILABLE = Tag("date", ("dateType", "Available"))


def _dates(article: Article) -> Markup:
    assert article.published is not None
    until = article.embargo_until
    return _DATES.node(
        [_ISSUED.leaf(article.published.iso), _AVAILABLE.leaf(until.iso if until else None)]
    )


_LANGUAGE = Tag("language")


def _language(article: Article) -> Markup:
    """The first language that is a BCP 47 tag (:func:`~.vocabularies.language_tag`)."""
    for code in article.languages:
        bcp47 = language_tag(code)
        if bcp47 is not None:
            return _LANGUAGE.leaf(bcp47)
    return NOTHING


_ALTERNATE_IDENTIFIERS = Tag("alternateIdentifiers")
_ALTERNATE_URL = Tag("alternateIdentifier", ("alternateIdentifierType", "URL"))


def _alternate_identifiers(article: Article) -> Markup:
    return _ALTERNATE_IDENTIFIERS.node([_ALTERNATE_URL.leaf(article.url)])


def _related(kind: str, relation: str, general: str) -> Tag:
    return Tag(
        "relatedIdentifier",
        ("relatedIdentifierType", kind),
        ("relationType", relation),
        ("resourceTypeGeneral", general),
    )


_RELATED_IDENTIFIERS = Tag("relatedIdentifiers")
_IN_ISSN = _related("ISSN", "IsPublishedIn", "Journal")
_IN_EISSN = _related("EISSN", "IsPublishedIn", "Journal")
_REVIEWS_ISBN = _related("ISBN", "Reviews", "Book")


def _related_identifiers(article: Article) -> Markup:
    related = [_IN_ISSN.leaf(article.issn), _IN_EISSN.leaf(article.eissn)]
    if article.reviewed is not None:
        related.append(_REVIEWS_ISBN.leaf(article.reviewed.isbn))
    return _RELATED_IDENTIFIERS.node(related)


_FORMATS = Tag("formats")
_FORMAT = Tag("format")


def _formats(article: Article) -> Markup:
    mimes = dict.fromkeys(file.mime for file in article.files)
    return _FORMATS.node([_FORMAT.leaf(mime) for mime in mimes])


@lru_cache(maxsize=1024)
def _licence(url: str) -> Markup:
    # A repository has a handful of licence URLs: each element is written once.
    known = creative_commons(url)
    return leaf(
        "rights",
        known.name if known else url,
        ("rightsURI", url),
        ("rightsIdentifier", known.spdx if known else None),
        ("rightsIdentifierScheme", "SPDX" if known else None),
        ("schemeURI", SPDX_SCHEME_URI if known else None),
    )


_RIGHTS_LIST = Tag("rightsList")


def _rights(article: Article) -> Markup:
    return _RIGHTS_LIST.node(
        [
            _licence(article.license) if article.license else NOTHING,
            _ACCESS[article.access] if article.access else NOTHING,
        ]
    )


_DESCRIPTIONS = Tag("descriptions")


def _descriptions(article: Article) -> Markup:
    return _DESCRIPTIONS.node(
        [
            tag("description", ("descriptionType", "Abstract"), ("xml:lang", text.lang)).leaf(
                text.value
            )
            for text in article.abstracts
        ]
    )


_JOURNAL = Tag("relatedItem", ("relatedItemType", "Journal"), ("relationType", "IsPublishedIn"))
_JOURNAL_IDS = {
    kind: Tag("relatedItemIdentifier", ("relatedItemIdentifierType", kind))
    for kind in ("ISSN", "EISSN", "ISBN")
}
_TITLES = Tag("titles")
_TITLE = Tag("title")
_VOLUME = Tag("volume")
_ISSUE = Tag("issue")
_ARTICLE_NUMBER = Tag("number", ("numberType", "Article"))
_FIRST_PAGE = Tag("firstPage")
_LAST_PAGE = Tag("lastPage")


def _journal(article: Article) -> Markup:
    issn, kind = (article.issn, "ISSN") if article.issn else (article.eissn, "EISSN")
    pages = article.pages
    number = article_number(pages)  # e1234: an article number, not a first page
    return _JOURNAL.node(
        [
            _JOURNAL_IDS[kind].leaf(issn),
            _TITLES.node([_TITLE.leaf(article.journal)]),
            _VOLUME.leaf(article.volume),
            _ISSUE.leaf(article.issue),
            _ARTICLE_NUMBER.leaf(number),
            _FIRST_PAGE.leaf(pages.first if pages and number is None else None),
            _LAST_PAGE.leaf(pages.last if pages else None),
        ]
    )


def _reviewed(article: Article) -> Markup:
    work = article.reviewed
    if work is None:
        return NOTHING
    authors = [
        node(
            "creator",
            [
                leaf(
                    "creatorName",
                    person.inverted,
                    ("nameType", "Personal" if person.personal else "Organizational"),
                ),
                leaf("givenName", person.given),
                leaf("familyName", person.family),
            ],
        )
        for person in work.authors
    ]
    return node(
        "relatedItem",
        [
            _JOURNAL_IDS["ISBN"].leaf(work.isbn),
            node("creators", authors),
            _TITLES.node([_TITLE.leaf(work.title)]),
            leaf("publicationYear", work.year),
            leaf("publisher", work.publisher),
        ],
        ("relatedItemType", "Book"),
        ("relationType", "Reviews"),
    )


_RELATED_ITEMS = Tag("relatedItems")


def _related_items(article: Article) -> Markup:
    return _RELATED_ITEMS.node([_journal(article), _reviewed(article)])


#: kernel-4's properties in its documentation's order, each with what writes it.
PROPERTIES: tuple[tuple[str, Callable[[Article], Markup]], ...] = (
    ("Identifier (M)", _identifier),
    ("Creator (M)", _creators),
    ("Title (M)", UNPREFIXED.titles),
    ("Publisher (M)", _publisher),
    ("PublicationYear (M)", _publication_year),
    ("ResourceType (M)", _resource_type),
    ("Subject", UNPREFIXED.subjects),
    ("Contributor", UNPREFIXED.contributors),
    ("Date", _dates),
    ("Language", _language),
    ("AlternateIdentifier", _alternate_identifiers),
    ("RelatedIdentifier", _related_identifiers),
    ("Format", _formats),
    ("Rights", _rights),
    ("Description", _descriptions),
    ("FundingReference", UNPREFIXED.funding_references),
    ("RelatedItem", _related_items),
)


def render(article: Article) -> Markup | None:
    """``<oai_datacite>`` with the resource in ``payload``, or None without a DOI,
    a title, a publisher or a publication year."""
    if not offered(article):
        return None
    resource = node("resource", [make(article) for _, make in PROPERTIES], *_RESOURCE)
    return root("oai_datacite", _NAMESPACES, [*_HEAD, node("payload", [resource])], _LOCATION)


FORMAT = Format(
    prefix="oai_datacite",
    namespace=NAMESPACE,
    schema=SCHEMA,
    render=render,
    version=2,
    requires="a DOI, a title, a publisher and a publication year",
    title="DataCite Metadata Schema 4 in DataCite's OAI wrapper (DataCite-style consumers, "
    "research-data aggregators)",
)
