"""jats: the article's JATS front matter (``<article><front>``), as publishers and PMC exchange it.

JATS elements have no namespace, and OAI-PMH carries only namespaced metadata, so
the elements are qualified with :data:`NAMESPACE` (as PubMed Central's OAI service
qualifies JATS) through a default namespace declaration: the names read as JATS,
and moved back to no namespace each ``<article>`` is valid JATS Publishing 1.3.
xlink and ALI keep their own namespaces.

The element choices follow the JATS4R recommendations where they speak (ORCID as
a full URI in ``contrib-id``, ROR in ``institution-wrap/institution-id``, licence URI
in ``ali:license_ref``, link text on every ``self-uri``, Open Funder Registry ids as
bare DOIs), so that the JATS importer and other readers find each fact where JATS
readers look for it. The schema fixes the order of ``article-meta``: :data:`ARTICLE_META`
lists its parts in that order, one function each.

The parts live beside this module by concept: ``texts`` (titles, abstracts, keywords),
``contributors`` (authors, affiliations), ``access`` (permissions, self-uris) and
``funding``; the rest of ``article-meta`` is here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ...article import Article
from .. import Format
from ..markup import NOTHING, Markup, Tag, bare, leaf, node, root
from ..pages import article_number
from ..vocabularies import VERSIONS, language_tag
from .access import permissions, self_uris
from .contributors import contrib_group, name
from .funding import funding_group
from .texts import abstracts, keywords, title_group

NAMESPACE: Final = "https://jats.nlm.nih.gov/ns/archiving/1.3/"
SCHEMA: Final = "https://jats.nlm.nih.gov/archiving/1.3/xsd/JATS-archivearticle1-3.xsd"
XLINK: Final = "http://www.w3.org/1999/xlink"
ALI: Final = "http://www.niso.org/schemas/ali/1.0/"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"

JAV_URI: Final = "https://www.niso.org/publications/niso-rp-8-2008-jav"


def xml_lang(article: Article) -> str | None:
    """The article's language as ``xml:lang``: its first ``language`` as a BCP 47 tag."""
    return language_tag(article.languages[0]) if article.languages else None


# journal-meta ----------------------------------------------------------------------------


_JOURNAL_META: Final = Tag("journal-meta")
#: The schema needs a journal-id; the ISSN is the one identifier of the journal a record holds
#: (the JATS Tag Library suggests journal-id-type "issn").
_JOURNAL_ID: Final = Tag("journal-id", ("journal-id-type", "issn"))
_JOURNAL_TITLE_GROUP: Final = Tag("journal-title-group")
_JOURNAL_TITLE: Final = Tag("journal-title")
_PRINT_ISSN: Final = Tag("issn", ("publication-format", "print"))
_ONLINE_ISSN: Final = Tag("issn", ("publication-format", "electronic"))
_PUBLISHER: Final = Tag("publisher")
_PUBLISHER_NAME: Final = Tag("publisher-name")


def _journal_meta(article: Article) -> Markup:
    return _JOURNAL_META.node(
        [
            _JOURNAL_ID.leaf(article.issn or article.eissn),
            _JOURNAL_TITLE_GROUP.node([_JOURNAL_TITLE.leaf(article.journal)]),
            _PRINT_ISSN.leaf(article.issn),
            _ONLINE_ISSN.leaf(article.eissn),
            _PUBLISHER.node([_PUBLISHER_NAME.leaf(article.publisher)]),
        ]
    )


# article-meta, in the schema's order -----------------------------------------------------


_DOI: Final = Tag("article-id", ("pub-id-type", "doi"))
_OAI_IDENTIFIER: Final = Tag("article-id", ("pub-id-type", "custom"), ("custom-type", "oai"))


def _article_ids(article: Article, lang: str | None) -> Markup:
    return Markup(_DOI.leaf(article.doi) + _OAI_IDENTIFIER.leaf(article.identifier))


#: Each version as JATS wants it: NISO JAV's name, its abbreviation and the vocabulary.
_ARTICLE_VERSIONS: Final = {
    version: leaf(
        "article-version",
        term.name,
        ("article-version-type", term.jav),
        ("vocab", "JAV"),
        ("vocab-identifier", JAV_URI),
    )
    for version, term in VERSIONS.items()
}


def _article_version(article: Article, lang: str | None) -> Markup:
    return _ARTICLE_VERSIONS[article.version]


_CATEGORIES: Final = Tag("article-categories")
_HEADING: Final = Tag("subj-group", ("subj-group-type", "heading"))
_SUBJECT: Final = Tag("subject")


def _categories(article: Article, lang: str | None) -> Markup:
    return _CATEGORIES.node([_HEADING.node([_SUBJECT.leaf(article.section)])])


_NO_DATE: Final = bare("pub-date-not-available")
_DAY: Final = Tag("day")
_MONTH: Final = Tag("month")
_YEAR: Final = Tag("year")


def _pub_date(article: Article, lang: str | None) -> Markup:
    date = article.published
    if date is None:
        return _NO_DATE
    parts = [
        _DAY.leaf(f"{date.day:02d}") if date.day else NOTHING,
        _MONTH.leaf(f"{date.month:02d}") if date.month else NOTHING,
        _YEAR.leaf(f"{date.year:04d}"),
    ]
    attrs = (
        ("date-type", "pub"),
        ("publication-format", "electronic"),
        ("iso-8601-date", date.iso),
    )
    return node("pub-date", parts, *attrs)


_VOLUME: Final = Tag("volume")
_ISSUE: Final = Tag("issue")
_FPAGE: Final = Tag("fpage")
_LPAGE: Final = Tag("lpage")
_ELOCATION_ID: Final = Tag("elocation-id")


def _volume_issue(article: Article, lang: str | None) -> Markup:
    return Markup(_VOLUME.leaf(article.volume) + _ISSUE.leaf(article.issue))


def _pages(article: Article, lang: str | None) -> Markup:
    """``fpage`` and ``lpage``, or an article number as ``elocation-id`` (:mod:`..pages`)."""
    pages = article.pages
    if pages is None:
        return NOTHING
    number = article_number(pages)
    if number is not None:
        return _ELOCATION_ID.leaf(number)
    return Markup(_FPAGE.leaf(pages.first) + _LPAGE.leaf(pages.last))


_BOOK: Final = Tag("product", ("product-type", "book"))
_WORK_AUTHORS: Final = Tag("person-group", ("person-group-type", "author"))
_SOURCE: Final = Tag("source")
_ISBN: Final = Tag("isbn")


def _product(article: Article, lang: str | None) -> Markup:
    """A book review's book, as JATS 1.3 describes a reviewed product in ``article-meta``."""
    work = article.reviewed
    if work is None:
        return NOTHING
    parts = [
        _WORK_AUTHORS.node([name(person) for person in work.authors]),
        _SOURCE.leaf(work.title),
        _YEAR.leaf(work.year),
        _PUBLISHER_NAME.leaf(work.publisher),
        _ISBN.leaf(work.isbn),
    ]
    return _BOOK.node(parts)


#: ``article-meta``'s parts, in the order JATS Publishing 1.3 requires.
ARTICLE_META: Final[tuple[Callable[[Article, str | None], Markup], ...]] = (
    _article_ids,  # article-id: DOI, OAI identifier
    _article_version,  # article-version: JAV
    _categories,  # article-categories/subj-group[heading]: section
    title_group,  # title-group: article-title, trans-title-group, alt-title
    contrib_group,  # contrib-group: contrib (+ contrib-id, xref), aff
    _pub_date,  # pub-date or pub-date-not-available
    _volume_issue,  # volume, issue
    _pages,  # fpage/lpage or elocation-id
    _product,  # product: the reviewed book
    permissions,  # permissions: ali:free_to_read, license
    self_uris,  # self-uri: landing page, full texts
    abstracts,  # abstract, trans-abstract
    keywords,  # kwd-group
    funding_group,  # funding-group
)

_FRONT: Final = Tag("front")
_ARTICLE_META: Final = Tag("article-meta")
_NAMESPACES: Final = (("", NAMESPACE), ("ali", ALI), ("xlink", XLINK), ("xsi", XSI))
_SCHEMA_LOCATION: Final = ("xsi:schemaLocation", f"{NAMESPACE} {SCHEMA}")


def offered(article: Article) -> bool:
    """A journal title, an ISSN and a title: the schema needs a journal-id (the ISSN), an issn
    and an article-title, and JATS front matter that does not name its journal says too little
    to be worth offering."""
    return bool(
        article.journal
        and (article.issn or article.eissn)
        and any(text.value.strip() for text in article.titles)
    )


def render(article: Article) -> Markup | None:
    """``<article>`` with its front matter, or None for a record that is not offered."""
    if not offered(article):
        return None
    lang = xml_lang(article)
    meta = _ARTICLE_META.node([part(article, lang) for part in ARTICLE_META])
    front = _FRONT.node([_journal_meta(article), meta])
    return root(
        "article",
        _NAMESPACES,
        [front],
        ("article-type", article.article_type),
        ("dtd-version", "1.3"),
        ("xml:lang", lang),
        _SCHEMA_LOCATION,
    )


FORMAT = Format(
    prefix="jats",
    namespace=NAMESPACE,
    schema=SCHEMA,
    render=render,
    version=2,
    requires="a journal title, an ISSN (print or electronic) and a title",
    title="JATS front matter (journal publishing's exchange format: PubMed Central, "
    "publishers' and aggregators' JATS pipelines)",
)
