"""MARC's linking fields for an article: the journal it is in (773), the book a review
reviews (787) and where it is online (856).

773 is the host item entry: the journal's title, ``$g Vol. 40, no. 2 (2024), p. 69-87``
for people and ``$q 40:2<69`` for machines, and the journal's ISSN in $x, which is
not repeatable: a journal with a print and an electronic ISSN gets two 773s with
the same host, the print one displayed (ind1 0) and the other for linking only
(ind1 1, "do not display note"). The journal's ISSN never goes in 022, the
record's own ISSN, as OJS writes it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...article import Article
from ..markup import Markup
from ..pages import article_number
from .fields import datafield, flat
from .title import final


def related_parts(article: Article) -> str | None:
    """773 $g: ``Vol. 40, no. 2 (2024), p. 69-87``; an article number has no ``p.``."""
    issue = f"{'no.' if article.volume else 'No.'} {article.issue}" if article.issue else ""
    text = ", ".join(
        part for part in (f"Vol. {article.volume}" if article.volume else "", issue) if part
    )
    if article.year is not None:
        text = f"{text} ({article.year})" if text else str(article.year)
    pages = article.pages
    if pages is not None:
        page = pages.text if article_number(pages) else f"p. {pages.text}"
        text = f"{text}, {page}" if text else page
    return text or None


def enumeration(article: Article) -> str | None:
    """773 $q: volume, issue and first page, ``40:2<69``; nothing without a volume.

    An article number is no first page: ``40:2`` (the number is in $g)."""
    if not article.volume:
        return None
    text = article.volume + (f":{article.issue}" if article.issue else "")
    pages = article.pages
    return text + (f"<{pages.first}" if pages and not article_number(pages) else "")


def host(article: Article) -> Iterator[Markup]:
    """773 0_ (and 1_ for a second ISSN) when the record names the journal or a part of it."""
    located = article.volume or article.issue or article.pages
    if not (article.journal or article.issn or article.eissn or located):
        return  # a publication year alone names no host
    head = [
        ("7", "nnas"),  # no main entry heading, language material, serial
        ("t", article.journal),
        ("g", related_parts(article)),
        ("q", enumeration(article)),
    ]
    issns: list[str | None] = [issn for issn in (article.issn, article.eissn) if issn] or [None]
    for position, issn in enumerate(issns):
        yield datafield("773", "0" if position == 0 else "1", " ", [*head, ("x", issn)])


def review_of(article: Article) -> Iterator[Markup]:
    """787 08 "Review of:" the reviewed book; $7 codes its first author's kind of name."""
    work = article.reviewed
    if work is None:
        return
    first = work.authors[0] if work.authors else None
    control = "nnam" if first is None else "p1am" if first.personal else "c2am"
    imprint = ", ".join(part for part in (work.publisher, work.year) if part)
    others = ", ".join(flat(p.natural) for p in work.authors) if len(work.authors) > 1 else None
    yield datafield(
        "787",
        "0",
        "8",
        (
            ("7", control),
            ("i", "Review of:"),
            ("a", final(flat(first.inverted)) if first else None),  # main entry: first author
            ("t", final(flat(work.title))),
            ("d", imprint),
            ("n", f"Authors: {others}" if others else None),  # $a holds only the first
            ("z", work.isbn),
        ),
    )


def _link(url: str, mime: str | None, text: str) -> Markup:
    """856 _0 (the resource itself); ind1 the access method, ``7`` with $2 when unnamed."""
    scheme = url.split(":", 1)[0].lower()
    method = {"http": "4", "https": "4", "ftp": "1"}.get(scheme, "7")
    subfields = [("u", url), ("q", mime), ("y", text), ("2", scheme if method == "7" else None)]
    return datafield("856", method, "0", subfields)


def links(article: Article) -> Iterator[Markup]:
    """856 40: the landing page, then each full text with its MIME type."""
    if article.url:
        yield _link(article.url, None, "Landing page")
    for file in article.files:
        yield _link(file.url, file.mime, "Full text")
