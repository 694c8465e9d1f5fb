"""mods: MODS 3.8, the Library of Congress's bibliographic XML, as library systems ingest it.

An article is described as LoC's guidelines describe a component part: the article at
the top level, its journal as ``relatedItem type="host"`` whose ``part`` holds volume,
issue, section, pages and date. Two things need 3.8 and are why the records say
``version="3.8"``: a ROR identifier on ``affiliation`` (3.7 gives affiliation no
authority attributes) and the COAR access right as ``accessCondition/@valueURI``
(the authority attributes 3.8 added to accessCondition, which LoC's guidelines now
recommend for machine-readable rights). Languages are written both ways MODS knows:
``lang`` with the ISO 639-2/B code, ``xml:lang`` with the record's own tag.

:data:`ELEMENTS` is the mapping, one function per top-level element in the order
MODS records list them; names (authors, funders) are in ``names``, the journal and a
reviewed work in ``related``. A record without a title is declined: a MODS description
of an article names it, and no harvester can use one that does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from ...article import Article, Funding, Text
from .. import Format
from ..markup import NOTHING, Attribute, Markup, Tag, leaf, node, root, tag
from ..vocabularies import (
    ACCESS_RIGHTS,
    COAR_ACCESS,
    COAR_TYPE,
    RESOURCE_TYPES,
    VERSIONS,
    language,
    language_tag,
)
from .names import names
from .related import host, reviewed

NAMESPACE = "http://www.loc.gov/mods/v3"
SCHEMA = "http://www.loc.gov/standards/mods/v3/mods-3-8.xsd"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: The list of values JATS's ``@article-type`` suggests, where the record's word comes from.
JATS_ARTICLE_TYPES = (
    "https://jats.nlm.nih.gov/publishing/tag-library/1.3/attribute/article-type.html"
)

_NAMESPACES = (("", NAMESPACE), ("xlink", XLINK), ("xsi", XSI))
_ROOT_ATTRIBUTES: tuple[Attribute, ...] = (
    ("version", "3.8"),
    ("xsi:schemaLocation", f"{NAMESPACE} {SCHEMA}"),
)


@lru_cache(maxsize=512)
def _lang(tag: str | None) -> tuple[Attribute, Attribute]:
    """``lang`` (ISO 639-2/B, when the tag's language is known) and ``xml:lang`` (as given)."""
    if tag is None:
        return ("lang", None), ("xml:lang", None)
    known = language(tag)
    return ("lang", known.bibliographic if known else None), ("xml:lang", tag)


@lru_cache(maxsize=1024)
def _in(name: str, lang: str | None, kind: str | None = None) -> Tag:
    """An element in a language (abstract; titleInfo, subject hold others): one Tag per
    element, language and type."""
    return Tag(name, ("type", kind), *_lang(lang))


# --- titles -----------------------------------------------------------------------------

_TITLE = Tag("title")


def _titled(article: Article) -> list[Text]:
    return [text for text in article.titles if text.value.strip()]


def _titles(article: Article) -> Iterator[Markup]:
    # The first title is the title; another in a different language is its translation,
    # any other an alternative title. Titles are never split at a colon into a subTitle:
    # "Putting Innovation in Place: Policy Strategies ..." is one title as the record gives it.
    titles = _titled(article)
    main = titles[0]
    yield _in("titleInfo", main.lang).node([_TITLE.leaf(main.value)])
    for other in titles[1:]:
        translated = other.lang is not None and main.lang is not None and other.lang != main.lang
        kind = "translated" if translated else "alternative"
        yield _in("titleInfo", other.lang, kind).node([_TITLE.leaf(other.value)])


# --- what the resource is -----------------------------------------------------------------

_TEXT = leaf("typeOfResource", "text")

#: Article type -> its COAR resource type, then the record's own JATS word (COAR has no
#: narrower term for some, e.g. a case report is a "journal article" there).
_GENRES: dict[str, Markup] = {
    kind: Markup(
        leaf(
            "genre",
            term.label,
            ("authority", "coar"),
            ("authorityURI", COAR_TYPE),
            ("valueURI", term.uri),
        )
        + leaf("genre", kind, ("authorityURI", JATS_ARTICLE_TYPES))
    )
    for kind, term in RESOURCE_TYPES.items()
}


def _kind(article: Article) -> Iterator[Markup]:
    # Only an article record is typed (as oai_dc does): bare Dublin Core did not say it is one.
    if article.given:
        yield _TEXT
        yield _GENRES[article.article_type]


_PUBLICATION = Tag("originInfo", ("eventType", "publication"))
_ISSUED = Tag("dateIssued", ("encoding", "w3cdtf"), ("keyDate", "yes"))


def _origin(article: Article) -> Iterator[Markup]:
    publishers = [
        _in("publisher", text.lang).leaf(text.value) for text in article.dc.get("publisher", ())
    ]
    issued = _ISSUED.leaf(article.published.iso) if article.published else NOTHING
    yield _PUBLICATION.node([*publishers, issued])


@lru_cache(maxsize=256)
def _language(value: str) -> Markup:
    """ISO 639-2/B when the language is known, plus the BCP 47 tag when it says more
    (``pt-BR``); an unknown language as its tag, or as text when it is none (``English``)."""
    known, tag = language(value), language_tag(value)
    terms = []
    if known is not None:
        terms.append(
            leaf("languageTerm", known.bibliographic, ("type", "code"), ("authority", "iso639-2b"))
        )
    if tag is not None and (known is None or tag != known.alpha2):
        terms.append(leaf("languageTerm", tag, ("type", "code"), ("authority", "rfc5646")))
    elif known is None:
        terms.append(leaf("languageTerm", value, ("type", "text")))
    return node("language", terms)


def _languages(article: Article) -> Iterator[Markup]:
    for value in article.languages:
        yield _language(value)


_PHYSICAL = Tag("physicalDescription")
_MEDIA_TYPE = Tag("internetMediaType")


def _physical(article: Article) -> Iterator[Markup]:
    # No digitalOrigin: the record does not say whether the article was born digital
    # (the seed's journal has a print ISSN).
    mimes = dict.fromkeys(file.mime for file in article.files)
    yield _PHYSICAL.node([_MEDIA_TYPE.leaf(mime) for mime in mimes])


def _abstracts(article: Article) -> Iterator[Markup]:
    for text in article.abstracts:
        yield _in("abstract", text.lang).leaf(text.value)


#: Version -> its note: NISO JAV's name and abbreviation, linked to the COAR term.
_VERSION_NOTES: dict[str, Markup] = {
    version: leaf(
        "note",
        f"{term.name} ({term.jav})",
        ("type", "version identification"),
        ("xlink:href", term.coar.uri),
    )
    for version, term in VERSIONS.items()
}
_FUNDING_NOTE = Tag("note", ("type", "funding"))


def _award(funding: Funding) -> str | None:
    """``Funder, award ES/X000000/1: Award title``, the award a funder's name cannot carry."""
    if funding.award is None and funding.award_title is None:
        return None
    text = f"{funding.funder}, award {funding.award}" if funding.award else funding.funder
    return f"{text}: {funding.award_title}" if funding.award_title else text


def _notes(article: Article) -> Iterator[Markup]:
    if article.given:
        yield _VERSION_NOTES[article.version]
    for funding in article.funding:
        yield _FUNDING_NOTE.leaf(_award(funding))


_TOPIC = Tag("topic")


def _subjects(article: Article) -> Iterator[Markup]:
    for text in article.keywords:
        yield _in("subject", text.lang).node([_TOPIC.leaf(text.value)])


# --- identifiers, links, rights, the record ------------------------------------------------

_DOI = Tag("identifier", ("type", "doi"))
_URI = Tag("identifier", ("type", "uri"))


def _identifiers(article: Article) -> Iterator[Markup]:
    yield _DOI.leaf(article.doi)
    yield _URI.leaf(article.url)


_LOCATION = Tag("location")
_LANDING = Tag("url", ("usage", "primary"), ("access", "object in context"))


@lru_cache(maxsize=64)
def _file(mime: str) -> Tag:
    return Tag("url", ("access", "raw object"), ("displayLabel", f"Full text ({mime})"))


def _location(article: Article) -> Iterator[Markup]:
    files = [_file(file.mime).leaf(file.url) for file in article.files]
    yield _LOCATION.node([_LANDING.leaf(article.url), *files])


#: Access right -> its accessCondition, the COAR term as value URI (3.8's authority attributes).
_ACCESS = {
    access: Tag(
        "accessCondition",
        ("type", "restriction on access"),
        ("authority", "coar"),
        ("authorityURI", COAR_ACCESS),
        ("valueURI", term.uri),
    )
    for access, term in ACCESS_RIGHTS.items()
}


def _access(article: Article) -> Iterator[Markup]:
    # A repository has a handful of licence URLs: tag() keeps each one's element tag.
    use = tag("accessCondition", ("type", "use and reproduction"), ("xlink:href", article.license))
    yield use.leaf(article.license)
    if article.access is None:
        return
    label = ACCESS_RIGHTS[article.access].label
    until = article.embargo_until
    yield _ACCESS[article.access].leaf(f"{label} until {until.iso}" if until else label)


_RECORD_INFO = Tag("recordInfo")
_RECORD_IDENTIFIER = Tag("recordIdentifier")


def _record_info(article: Article) -> Iterator[Markup]:
    # Only the identifier: the record says nothing of who catalogued it or when.
    yield _RECORD_INFO.node([_RECORD_IDENTIFIER.leaf(article.identifier)])


#: The mapping: each top-level MODS element (or group of them) in the order records list them.
ELEMENTS: tuple[Callable[[Article], Iterable[Markup]], ...] = (
    _titles,  # titleInfo
    names,  # name: authors, then funders
    _kind,  # typeOfResource, genre
    _origin,  # originInfo
    _languages,  # language
    _physical,  # physicalDescription
    _abstracts,  # abstract
    _notes,  # note: version, funding awards
    _subjects,  # subject
    host,  # relatedItem type="host"
    reviewed,  # relatedItem type="reviewOf"
    _identifiers,  # identifier
    _location,  # location
    _access,  # accessCondition
    _record_info,  # recordInfo
)


def render(article: Article) -> Markup | None:
    """``<mods version="3.8">``, or None for a record without a title."""
    if not _titled(article):
        return None
    children = [markup for element in ELEMENTS for markup in element(article)]
    return root("mods", _NAMESPACES, children, *_ROOT_ATTRIBUTES)


FORMAT = Format(
    prefix="mods",
    namespace=NAMESPACE,
    schema=SCHEMA,
    render=render,
    version=2,
    requires="a title",
    title="MODS 3.8 (library systems that ingest MODS: Islandora digital libraries, SwePub)",
)
