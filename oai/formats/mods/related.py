"""MODS related items: the journal as host (with the article's part of it) and a reviewed work."""

from __future__ import annotations

from collections.abc import Iterator

from ...article import Article, Pages
from ..markup import NOTHING, Markup, Tag
from ..pages import article_number
from .names import name

_TITLE = Tag("title")
_TITLE_INFO = Tag("titleInfo")
_PUBLICATION = Tag("originInfo", ("eventType", "publication"))

_NUMBER = Tag("number")
_DETAILS = {kind: Tag("detail", ("type", kind)) for kind in ("volume", "issue", "article")}
_SECTION = Tag("detail", ("type", "section"))
_PAGES = Tag("extent", ("unit", "pages"))
_START, _END = Tag("start"), Tag("end")


def _extent(pages: Pages | None) -> Markup:
    if pages is None:
        return NOTHING
    number = article_number(pages)  # e1234: an article number, not a page
    if number is not None:
        return _DETAILS["article"].node([_NUMBER.leaf(number)])
    return _PAGES.node([_START.leaf(pages.first), _END.leaf(pages.last)])


_ISSN = Tag("identifier", ("type", "issn"), ("displayLabel", "pissn"))
_EISSN = Tag("identifier", ("type", "issn"), ("displayLabel", "eissn"))
_PART = Tag("part")
_PART_DATE = Tag("date", ("encoding", "w3cdtf"))
_HOST = Tag("relatedItem", ("type", "host"))


def host(article: Article) -> Iterator[Markup]:
    # Print and electronic ISSN are both MODS's "issn"; the labels are the ones Swedish
    # MODS (SwePub, DiVA) harvesters read.
    journal = [
        _TITLE_INFO.node([_TITLE.leaf(article.journal)]),
        _ISSN.leaf(article.issn),
        _EISSN.leaf(article.eissn),
    ]
    details = [
        _DETAILS["volume"].node([_NUMBER.leaf(article.volume)]),
        _DETAILS["issue"].node([_NUMBER.leaf(article.issue)]),
        _SECTION.node([_TITLE.leaf(article.section)]),
        _extent(article.pages),
    ]
    if not any(journal) and not any(details):
        return  # a publication date alone is the article's (originInfo), not a host's part
    date = _PART_DATE.leaf(article.published.iso) if article.published else NOTHING
    yield _HOST.node([*journal, _PART.node([*details, date])])


_PUBLISHER = Tag("publisher")
_YEAR = Tag("dateIssued", ("encoding", "w3cdtf"))
_ISBN = Tag("identifier", ("type", "isbn"))
_REVIEW_OF = Tag("relatedItem", ("type", "reviewOf"))


def reviewed(article: Article) -> Iterator[Markup]:
    work = article.reviewed
    if work is None:
        return
    yield _REVIEW_OF.node(
        [
            _TITLE_INFO.node([_TITLE.leaf(work.title)]),
            # A reviewed work's authors are always given as entries: each says its kind.
            *[name(p, "person" if p.personal else "organisation") for p in work.authors],
            _PUBLICATION.node([_PUBLISHER.leaf(work.publisher), _YEAR.leaf(work.year)]),
            _ISBN.leaf(work.isbn),
        ]
    )
