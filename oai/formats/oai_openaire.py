"""oai_openaire: the OpenAIRE Guidelines for Literature Repositories v4, for OpenAIRE.

OpenAIRE's XSD puts every element in one unbounded choice, so it checks almost
nothing (a record without a title validates). The guidelines' obligations are kept
here instead: a record lacking a Mandatory field (title, publication date, access
right, resource identifier) is not offered (:func:`render` declines it), and every
Mandatory-if-applicable field is written whenever the record holds its fact. The
seed article has no publication date, so it is declined: OpenAIRE would reject it.

Vocabularies are COAR's (resource types, access rights, version types), as the
4.0 XSDs enumerate them. Element order follows the guidelines' field list.
"""

from __future__ import annotations

from collections.abc import Callable

from ..article import Article
from . import Format
from .datacite_parts import WITH_DATACITE_PREFIX, WITH_OAIRE_PREFIX
from .licences import creative_commons
from .markup import NOTHING, Markup, Tag, leaf, root, tag
from .vocabularies import ACCESS_RIGHTS, RESOURCE_TYPES, VERSIONS, language

NAMESPACE = "http://namespace.openaire.eu/schema/oaire/"
SCHEMA = "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd"
DATACITE = "http://datacite.org/schema/kernel-4"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

_NAMESPACES = (("oaire", NAMESPACE), ("datacite", DATACITE), ("dc", DC), ("xsi", XSI))
_LOCATION = ("xsi:schemaLocation", f"{NAMESPACE} {SCHEMA}")
#: OpenAIRE's resourceTypeGeneral for everything a journal publishes.
LITERATURE = "literature"
#: objectType of a record's files: INTERFACE.md's ``files`` are the full texts.
FULLTEXT = "fulltext"


def offered(article: Article) -> bool:
    """OpenAIRE's Mandatory fields, each with a value: title, publication date,
    access right and resource identifier (a DOI, else the landing page)."""
    return (
        any(text.value.strip() for text in article.titles)
        and article.published is not None
        and article.access is not None
        and (article.doi is not None or article.url is not None)
    )


_DATES = Tag("datacite:dates")
_ISSUED = Tag("datacite:date", ("dateType", "Issued"))
_ACCEPTED = Tag("datacite:date", ("dateType", "Accepted"))
_AVAILABLE = Tag("datacite:date", ("dateType", "Available"))


def _dates(article: Article) -> Markup:
    # Publication date (M); an embargo's start and end (MA): it starts when the article
    # is published and ends on embargo_until.
    assert article.published is not None
    dates = [_ISSUED.leaf(article.published.iso)]
    if article.access == "embargoed" and article.embargo_until is not None:
        dates.append(_ACCEPTED.leaf(article.published.iso))
        dates.append(_AVAILABLE.leaf(article.embargo_until.iso))
    return _DATES.node(dates)


_DOI = Tag("datacite:identifier", ("identifierType", "DOI"))
_URL = Tag("datacite:identifier", ("identifierType", "URL"))


def _identifier(article: Article) -> Markup:
    if article.doi_url is not None:
        return _DOI.leaf(article.doi_url)
    return _URL.leaf(article.url)


_ALTERNATE_IDENTIFIERS = Tag("datacite:alternateIdentifiers")
_ALTERNATE_URL = Tag("datacite:alternateIdentifier", ("alternateIdentifierType", "URL"))


def _alternate_identifiers(article: Article) -> Markup:
    # The landing page is the primary identifier when there is no DOI: never twice.
    if article.doi is None:
        return NOTHING
    return _ALTERNATE_IDENTIFIERS.node([_ALTERNATE_URL.leaf(article.url)])


def _related(kind: str, relation: str) -> Tag:
    return Tag(
        "datacite:relatedIdentifier", ("relatedIdentifierType", kind), ("relationType", relation)
    )


_RELATED_IDENTIFIERS = Tag("datacite:relatedIdentifiers")
_IN_ISSN = _related("ISSN", "IsPartOf")
_IN_EISSN = _related("EISSN", "IsPartOf")
_REVIEWS_ISBN = _related("ISBN", "Reviews")


def _related_identifiers(article: Article) -> Markup:
    related = [_IN_ISSN.leaf(article.issn), _IN_EISSN.leaf(article.eissn)]
    if article.reviewed is not None:
        related.append(_REVIEWS_ISBN.leaf(article.reviewed.isbn))
    return _RELATED_IDENTIFIERS.node(related)


_LANGUAGE = Tag("dc:language")


def _languages(article: Article) -> list[Markup]:
    # ISO 639-3, the guidelines' best practice; a code we cannot map goes as given.
    out = []
    for code in article.languages:
        known = language(code)
        out.append(_LANGUAGE.leaf(known.alpha3 if known else code))
    return out


#: The elements a vocabulary fixes, written once: resource type, access right, version.
_RESOURCE_TYPES = {
    kind: leaf(
        "oaire:resourceType", term.label, ("resourceTypeGeneral", LITERATURE), ("uri", term.uri)
    )
    for kind, term in RESOURCE_TYPES.items()
}
_RIGHTS = {
    access: leaf("datacite:rights", term.label, ("rightsURI", term.uri))
    for access, term in ACCESS_RIGHTS.items()
}
_VERSIONS = {
    version: leaf("oaire:version", term.coar.label, ("uri", term.coar.uri))
    for version, term in VERSIONS.items()
}


def _resource_type(article: Article) -> Markup:
    return _RESOURCE_TYPES[article.article_type]


def _rights(article: Article) -> Markup:
    assert article.access is not None
    return _RIGHTS[article.access]


_FORMAT = Tag("dc:format")


def _formats(article: Article) -> list[Markup]:
    return [_FORMAT.leaf(mime) for mime in dict.fromkeys(f.mime for f in article.files)]


def _licence(article: Article) -> Markup:
    if article.license is None:
        return NOTHING
    known = creative_commons(article.license)
    # The licence applies to the full text once an embargo is over.
    start = article.embargo_until.iso if article.embargo_until is not None else None
    return leaf(
        "oaire:licenseCondition",
        known.name if known else article.license,
        ("startDate", start),
        ("uri", article.license),
    )


def _version(article: Article) -> Markup:
    return _VERSIONS[article.version]


def _files(article: Article) -> list[Markup]:
    access = ACCESS_RIGHTS[article.access].uri if article.access else None
    return [
        tag(
            "oaire:file",
            ("accessRightsURI", access),
            ("mimeType", file.mime),
            ("objectType", FULLTEXT),
        ).leaf(file.url)
        for file in article.files
    ]


_CITATION_TITLE = Tag("oaire:citationTitle")
_CITATION_VOLUME = Tag("oaire:citationVolume")
_CITATION_ISSUE = Tag("oaire:citationIssue")
_CITATION_START_PAGE = Tag("oaire:citationStartPage")
_CITATION_END_PAGE = Tag("oaire:citationEndPage")


def _citation(article: Article) -> list[Markup]:
    pages = article.pages
    return [
        _CITATION_TITLE.leaf(article.journal),
        _CITATION_VOLUME.leaf(article.volume),
        _CITATION_ISSUE.leaf(article.issue),
        _CITATION_START_PAGE.leaf(pages.first if pages else None),
        _CITATION_END_PAGE.leaf(pages.last if pages else None),
    ]


def _texts(name: str, key: str) -> Callable[[Article], list[Markup]]:
    def texts(article: Article) -> list[Markup]:
        return [
            tag(name, ("xml:lang", text.lang)).leaf(text.value) for text in article.dc.get(key, ())
        ]

    return texts


def _one(make: Callable[[Article], Markup]) -> Callable[[Article], list[Markup]]:
    return lambda article: [make(article)]


#: The guidelines' fields in their order, each with what writes it from the article.
FIELDS: tuple[tuple[str, Callable[[Article], list[Markup]]], ...] = (
    ("Title (M)", _one(WITH_DATACITE_PREFIX.titles)),
    ("Creator (MA)", _one(WITH_DATACITE_PREFIX.creators)),
    ("Contributor (MA)", _one(WITH_DATACITE_PREFIX.contributors)),
    ("Funding Reference (MA)", _one(WITH_OAIRE_PREFIX.funding_references)),
    ("Alternate Identifier (R)", _one(_alternate_identifiers)),
    ("Related Identifier (R)", _one(_related_identifiers)),
    ("Publication Date (M), Embargo Period Date (MA)", _one(_dates)),
    ("Language (MA)", _languages),
    ("Publisher (MA)", _texts("dc:publisher", "publisher")),
    ("Resource Type (M)", _one(_resource_type)),
    ("Description (MA)", _texts("dc:description", "description")),
    ("Format (R)", _formats),
    ("Resource Identifier (M)", _one(_identifier)),
    ("Access Rights (M)", _one(_rights)),
    ("Subject (MA)", _one(WITH_DATACITE_PREFIX.subjects)),
    ("License Condition (R)", _one(_licence)),
    ("Resource Version (R)", _one(_version)),
    ("File Location (MA)", _files),
    ("Citation Title, Volume, Issue, Start Page, End Page (R)", _citation),
)


def render(article: Article) -> Markup | None:
    """``<oaire:resource>``, or None when a Mandatory field has no value."""
    if not offered(article):
        return None
    children = [child for _, make in FIELDS for child in make(article)]
    return root("oaire:resource", _NAMESPACES, children, _LOCATION)


FORMAT = Format(
    prefix="oai_openaire",
    namespace=NAMESPACE,
    schema=SCHEMA,
    render=render,
    version=2,
    requires="a title, a publication date, an access right, and a DOI or landing page",
    title="OpenAIRE Guidelines for Literature Repositories v4 (OpenAIRE and the EOSC harvest it)",
)
